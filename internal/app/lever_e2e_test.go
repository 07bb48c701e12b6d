package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/candidatebot"
)

// dialects runs a test on SQLite and on PostgreSQL.
func dialects(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// TestLeverStageChangeToResults follows one candidate from a recruiter's
// stage move in Lever to the results Lever shows: the invitation email, the
// invited tag and note, the order and its timeline in the admin API, the
// candidate's journey ending on the ATS's return page, and the score tag,
// note, PDF and report link written back.
func TestLeverStageChangeToResults(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		ret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<h1>Thanks, back at Acme's careers site</h1>")
		}))
		t.Cleanup(ret.Close)
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{ReturnURL: ret.URL + "/thanks?from=switchboard"})
		ctx := context.Background()

		opp, _, err := e.Lever.CreateOpportunity(ctx, "Ada Lovelace", "ada@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
		if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
			t.Fatalf("stage change delivery: %s, %v", outcome(ds), err)
		}
		e.WaitIdle()

		// The candidate's email.
		msgs := e.Mail.Messages()
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ada@example.com" {
			t.Fatalf("emails: %+v", msgs)
		}
		m := msgs[0]
		if got, want := subject(t, m), "Your "+apptest.VacancyName+" assessment"; got != want {
			t.Errorf("subject %q, want %q", got, want)
		}
		link := invitationLink(t, e, m)
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(e.URL) + `/a/[a-z2-7]{52}$`).MatchString(link) {
			t.Errorf("invitation link %q is not <base>/a/<token>", link)
		}
		for _, want := range []string{"Hello Ada Lovelace", "Acme Corp invites you", apptest.VacancyName} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("email text lacks %q:\n%s", want, m.Text)
			}
		}
		if !strings.Contains(m.HTML, `href="`+link+`"`) {
			t.Errorf("email HTML has no button to %s", link)
		}

		// What the recruiter sees in Lever.
		got, _ := e.Lever.Opportunity(opp.ID)
		if !slices.Contains(got.Tags, "Switchboard: invited") {
			t.Errorf("tags after invite: %v", got.Tags)
		}
		notes := noteTexts(e, opp.ID)
		if len(notes) != 1 || !strings.Contains(notes[0], `Switchboard: Ada Lovelace was invited to the "`+apptest.VacancyName+`" assessment. The invitation is valid until`) {
			t.Errorf("notes after invite: %q", notes)
		}

		// What the admin API shows.
		d := onlyOrder(t, e, f)
		if d.Order.State != "invited" || d.Order.ExternalID != opp.ID || d.Order.ExternalJobID != f.PostingID ||
			d.Order.CandidateEmail != "ada@example.com" || d.Order.Mode != "triggered" {
			t.Errorf("order: %+v", d.Order)
		}
		oppPath := "/v1/opportunities/" + opp.ID
		for _, want := range []struct{ kind, msg, status string }{
			{"state", "Order received from lever (triggered) for " + apptest.VacancyName, ""},
			{"state", "Invitation issued; the candidate is emailed", ""},
			{"email", "Invitation emailed to ada@example.com via SMTP", ""},
			{"ats_call", "POST " + oppPath + "/addTags → 200", "200"},
			{"ats_call", "POST " + oppPath + "/notes → 200", "200"},
			{"write_back", "Lever told: invited", ""},
		} {
			es := d.entries(want.kind, want.msg)
			if len(es) != 1 {
				t.Errorf("timeline: %d %s entries %q, want 1:%s", len(es), want.kind, want.msg, d.dump())
				continue
			}
			if want.status != "" && (es[0].Detail["status"] != want.status || es[0].Detail["job_id"] == "") {
				t.Errorf("timeline entry %q detail %v: want status %s and a job_id", want.msg, es[0].Detail, want.status)
			}
		}

		// The candidate takes the assessment and lands on the ATS's page.
		res, err := candidatebot.Take(ctx, http.DefaultClient, link, candidatebot.FirstOption)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(res.FinalURL, ret.URL+"/thanks?from=switchboard") || !strings.Contains(res.EndPage, "back at Acme") {
			t.Errorf("after finishing the candidate is at %s: %q", res.FinalURL, res.EndPage)
		}
		e.WaitIdle()

		d = order(e, f.APIKey, d.Order.ID)
		if d.Order.State != "completed" || d.Result == nil || d.Reports == nil {
			t.Fatalf("order after finishing: %+v, result %+v", d.Order, d.Result)
		}
		r := d.Result
		if r.Max != 100 || r.Score < 0 || r.Score > 100 || r.Label == "" || len(r.Indicators) == 0 {
			t.Errorf("result: %+v", r)
		}
		got, _ = e.Lever.Opportunity(opp.ID)
		if want := fmt.Sprintf("Switchboard: %d%%", r.Score); !slices.Contains(got.Tags, want) {
			t.Errorf("tags %v lack %q", got.Tags, want)
		}
		if slices.Contains(got.Tags, "Switchboard: invited") {
			t.Errorf("tags %v still say invited", got.Tags)
		}
		notes = noteTexts(e, opp.ID)
		if len(notes) != 2 {
			t.Fatalf("notes after results: %q", notes)
		}
		for _, want := range []string{
			`Switchboard: Ada Lovelace completed the "` + apptest.VacancyName + `" assessment.`,
			fmt.Sprintf("Score: %d/100 (%s)", r.Score, r.Label),
		} {
			if !strings.Contains(notes[1], want) {
				t.Errorf("result note lacks %q:\n%s", want, notes[1])
			}
		}
		for _, in := range r.Indicators {
			if want := fmt.Sprintf("- %s: %d/100", in.Name, in.Score); !strings.Contains(notes[1], want) {
				t.Errorf("result note lacks indicator %q:\n%s", want, notes[1])
			}
		}
		files := e.Lever.Files(opp.ID)
		if len(files) != 1 || !strings.HasPrefix(string(files[0].Data), "%PDF-") ||
			files[0].ContentType != "application/pdf" || !strings.HasSuffix(files[0].Name, ".pdf") {
			t.Fatalf("files: %d %+v", len(files), files)
		}
		if len(got.Links) != 1 {
			t.Fatalf("links: %v", got.Links)
		}

		// The report link in Lever opens a page with the name and score.
		reportLink := got.Links[0]
		if !strings.HasPrefix(reportLink, e.URL+"/r/"+d.Order.ID+"?") {
			t.Errorf("report link %s is not the read-only page of %s", reportLink, d.Order.ID)
		}
		resp, body := e.Get(reportLink)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("report link %s: %d %s", reportLink, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(body, "Ada Lovelace") || !regexp.MustCompile(fmt.Sprintf(`>\s*%d\s*<`, r.Score)).MatchString(body) ||
			!strings.Contains(body, r.Label) {
			t.Errorf("report page lacks the name, score %d or label %s", r.Score, r.Label)
		}
		resp, body = e.Get(d.Reports.PDFURL)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
			t.Errorf("PDF link %s: %d %s", d.Reports.PDFURL, resp.StatusCode, resp.Header.Get("Content-Type"))
		}

		// Tampered links are refused.
		for name, u := range map[string]string{
			"page, other signature":      withQuery(t, reportLink, "sig", strings.Repeat("A", 43)),
			"pdf, other signature":       withQuery(t, d.Reports.PDFURL, "sig", strings.Repeat("A", 43)),
			"page, later expiry":         withQuery(t, reportLink, "exp", "99999999999"),
			"page signature on pdf path": strings.Replace(reportLink, "/r/"+d.Order.ID+"?", "/r/"+d.Order.ID+"/report.pdf?", 1),
		} {
			if resp, body := e.Get(u); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Invalid report link") {
				t.Errorf("%s: %s → %d, want 403 Invalid report link", name, u, resp.StatusCode)
			}
		}

		// The used invitation link says so.
		if resp, body := e.Get(link); resp.StatusCode != http.StatusGone || !strings.Contains(body, "Already completed") {
			t.Errorf("used invitation link: %d, want 410 Already completed", resp.StatusCode)
		}

		d = order(e, f.APIKey, d.Order.ID)
		for _, want := range []string{"/addTags → 200", "/removeTags → 200", "/files → 200", "/addLinks → 200"} {
			if len(d.entries("ats_call", want)) < 1 {
				t.Errorf("timeline lacks ats_call %q:%s", want, d.dump())
			}
		}
		if len(d.entries("write_back", "Lever told: completed")) != 1 || len(d.entries("job_failed", "")) != 0 {
			t.Errorf("timeline after results:%s", d.dump())
		}

		// Report links expire (30 days).
		e.Clock.Advance(31 * 24 * time.Hour)
		if resp, body := e.Get(reportLink); resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
			t.Errorf("report link after 31 days: %d, want 410", resp.StatusCode)
		}
	})
}
