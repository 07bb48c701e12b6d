package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/examples/examplevendor"
	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/workablesim"
	"switchboard/internal/candidatebot"
	"switchboard/internal/core"
)

// TestWorkableSendToResults follows one assessment from a recruiter's send
// in Workable to what the candidate's page there shows: Workable lists the
// vacancy as a test, the send is answered 201 with Switchboard's order id,
// the candidate is emailed, a note lands on their timeline (as the
// account's admin member), pending is reported, and on completion the
// callback carries results_url (the read-only report), score, grade,
// summary, details, duration and the PDF link, each with the token
// Workable issued (the simulator refuses any other).
func TestWorkableSendToResults(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupWorkable(apptest.WorkableOptions{})
		tests, ans, err := f.Sim.ListTests(context.Background(), apptest.WorkableSubdomain)
		if err != nil || ans.Status != http.StatusOK || len(tests) != 1 || string(tests[0].ID) != f.VacancyID || tests[0].Name != apptest.WorkableVacancyName {
			t.Fatalf("GET /tests: %v %d %s, want the vacancy", err, ans.Status, ans.Body)
		}
		as, ans, err := f.Sim.SendAssessment(context.Background(), apptest.WorkableSubdomain, string(f.Candidate.ID), f.VacancyID, workablesim.SendOptions{})
		if err != nil || ans.Status != http.StatusCreated || !strings.HasPrefix(as.ProviderID, "ord_") {
			t.Fatalf("send: %v %d %s", err, ans.Status, ans.Body)
		}
		srWaitMails(t, e, 1)
		e.WaitIdle()
		d := order(e, f.APIKey, as.ProviderID)
		if d.Order.State != "invited" || d.Order.Mode != "ad_hoc" || d.Order.ExternalJobID != f.Job.Shortcode || d.Order.CandidateEmail != apptest.WorkableEmail ||
			d.Order.CandidateName != "Lakita Marrero" {
			t.Fatalf("order %+v", d.Order)
		}
		got := wkShown(t, f, as.ID)
		if got.Status != workable.StatusPending {
			t.Fatalf("after the send Workable shows %q, want pending", got.Status)
		}
		notes := f.Sim.Comments(apptest.WorkableSubdomain, string(f.Candidate.ID))
		if len(notes) != 1 || notes[0].MemberID != f.Admin0 || !strings.Contains(notes[0].Body, apptest.WorkableVacancyName) {
			t.Fatalf("timeline notes %+v, want one by the admin naming the test", notes)
		}

		link := invitationLink(t, e, e.Mail.Messages()[0])
		srStart(t, link)
		e.WaitIdle()
		if res, err := candidatebot.Answer(context.Background(), http.DefaultClient, link, candidatebot.FirstOption); err != nil || !strings.HasSuffix(res.FinalURL, "/done") {
			t.Fatalf("the candidate ended on %s (%v)", res.FinalURL, err)
		}
		e.WaitIdle()
		d = order(e, f.APIKey, as.ProviderID)
		got = wkShown(t, f, as.ID)
		if d.Order.State != "completed" || d.Result == nil || got.Status != workable.StatusCompleted || got.Result == nil {
			t.Fatalf("order %s, Workable shows %+v%s", d.Order.State, got, d.dump())
		}
		if got.ResultsURL != d.Reports.ReadOnlyPageURL || got.ResultsURL == "" {
			t.Errorf("results_url %q, want the read-only report %q", got.ResultsURL, d.Reports.ReadOnlyPageURL)
		}
		if resp, _ := e.Get(got.ResultsURL); resp.StatusCode != http.StatusOK {
			t.Errorf("GET results_url: %d", resp.StatusCode)
		}
		wantGrade := map[string]workable.Grade{"Great fit": workable.GradeExcelled, "Good fit": workable.GradePassed, "Poor fit": workable.GradeFailed}[d.Result.Label]
		if string(got.Result.Score) != itoa(d.Result.Score) || got.Result.Grade != wantGrade || got.Result.Summary != d.Result.Summary || got.Result.Summary == "" {
			t.Errorf("assessment %+v, want score %d, grade %q for %q, summary %q", got.Result, d.Result.Score, wantGrade, d.Result.Label, d.Result.Summary)
		}
		if len(got.Result.Details) != len(d.Result.Indicators) || len(got.Result.Details) == 0 {
			t.Errorf("details %v, want one per indicator %+v", got.Result.Details, d.Result.Indicators)
		}
		if len(got.Attachments) != 1 || !strings.Contains(got.Attachments[0].URL, "/report.pdf") {
			t.Errorf("attachments %+v, want the PDF link", got.Attachments)
		} else if resp, body := e.Get(got.Attachments[0].URL); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
			t.Errorf("GET the PDF link: %d", resp.StatusCode)
		}
		var statuses []string
		for _, u := range got.Updates {
			statuses = append(statuses, string(u.Status))
		}
		if strings.Join(statuses, " → ") != "pending → pending → completed" {
			t.Errorf("callbacks %v, want pending (invited), pending (started), completed", statuses)
		}
		if n := f.Sim.OverLimit(); n != 0 {
			t.Errorf("%d requests over Workable's limit", n)
		}
		if calls := d.entries("ats_call", "PUT /"+apptest.WorkableSubdomain+"/assessment-results/"+as.ID); len(calls) != 3 {
			t.Errorf("%d callbacks on the timeline, want 3:%s", len(calls), d.dump())
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// wkShown is the assessment as Workable's candidate page shows it.
func wkShown(t *testing.T, f *apptest.WorkableFixture, id string) workablesim.Assessment {
	t.Helper()
	as, ok := f.Sim.Assessment(apptest.WorkableSubdomain, id)
	if !ok {
		t.Fatalf("Workable has no assessment %s", id)
	}
	return as
}

// wkEnableRefused enables the integration, which must be refused, and
// returns the failing checks as "name: problem".
func wkEnableRefused(e *apptest.Env, f *apptest.WorkableFixture) []string {
	var out struct {
		Checks []struct {
			Name    string `json:"name"`
			OK      bool   `json:"ok"`
			Problem string `json:"problem"`
		} `json:"checks"`
	}
	e.MustAPI(http.StatusUnprocessableEntity, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, &out)
	var failed []string
	for _, c := range out.Checks {
		if !c.OK {
			failed = append(failed, c.Name+": "+c.Problem)
		}
	}
	return failed
}

// wkOrderCount is how many orders the account has.
func wkOrderCount(e *apptest.Env, f *apptest.WorkableFixture) int {
	n, _ := orders(e, f.APIKey)
	return n
}

// TestWorkableBadKeyRefused: an assessment sent with a wrong key, or with
// the key Switchboard issued before the admin rotated it, is answered 401
// in Workable's error body and stores nothing; the new key works.
func TestWorkableBadKeyRefused(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupWorkable(apptest.WorkableOptions{})
		ctx := context.Background()
		old := f.Key
		for _, key := range []string{"not-a-key", "sbik_" + strings.Repeat("a", 20) + "_x", old + "x"} {
			_, ans, err := f.Sim.SendAssessment(ctx, apptest.WorkableSubdomain, string(f.Candidate.ID), f.VacancyID, workablesim.SendOptions{Key: key})
			if err != nil || ans.Status != http.StatusUnauthorized || ans.Error.Status != http.StatusUnauthorized || ans.Error.Message == "" {
				t.Fatalf("key %q: %v %d %s, want 401 {status, message}", key, err, ans.Status, ans.Body)
			}
		}
		f.IssueKey() // rotated: Workable's card now holds the new key
		_, ans, err := f.Sim.SendAssessment(ctx, apptest.WorkableSubdomain, string(f.Candidate.ID), f.VacancyID, workablesim.SendOptions{Key: old})
		if err != nil || ans.Status != http.StatusUnauthorized || !strings.Contains(ans.Error.Message, "replaces the previous one") {
			t.Fatalf("the rotated key: %v %d %s, want 401", err, ans.Status, ans.Body)
		}
		if _, ans, err := f.Sim.ListTests(ctx, apptest.WorkableSubdomain); err != nil || ans.Status != http.StatusOK {
			t.Fatalf("GET /tests with the new key: %v %d %s", err, ans.Status, ans.Body)
		}
		e.WaitIdle()
		if n := wkOrderCount(e, f); n != 0 {
			t.Fatalf("%d orders after refused sends, want none", n)
		}
		if n := len(e.Mail.Messages()); n != 0 {
			t.Fatalf("%d emails after refused sends", n)
		}
		f.Send(string(f.Candidate.ID))
		if n := wkOrderCount(e, f); n != 1 {
			t.Fatalf("%d orders after a send with the new key, want 1", n)
		}
	})
}

// TestWorkableDuplicateCreate: Workable sending the same assessment again
// (same callback URL: it did not get the answer) gets the same assessment
// id, and Switchboard makes one order, one email and one note.
func TestWorkableDuplicateCreate(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupWorkable(apptest.WorkableOptions{})
		first := f.Send(string(f.Candidate.ID))
		for range 2 {
			again, ans, err := f.Sim.Resend(context.Background(), apptest.WorkableSubdomain, first.ID)
			if err != nil || ans.Status != http.StatusOK || again.ProviderID != first.ProviderID {
				t.Fatalf("resend: %v %d %s, want 200 with assessment_id %s", err, ans.Status, ans.Body, first.ProviderID)
			}
		}
		srWaitMails(t, e, 1)
		e.WaitIdle()
		if n := wkOrderCount(e, f); n != 1 {
			t.Fatalf("%d orders, want 1", n)
		}
		if n := len(e.Mail.Messages()); n != 1 {
			t.Errorf("%d emails, want 1", n)
		}
		if n := len(f.Sim.Comments(apptest.WorkableSubdomain, string(f.Candidate.ID))); n != 1 {
			t.Errorf("%d timeline notes, want 1", n)
		}
	})
}

// TestWorkableCallbackHostGuard: results carry Workable's token to the
// callback URL, so one outside Workable's hosts (and those the operator
// allowed, here the simulator's 127.0.0.1) is refused when the assessment
// is created: 422, nothing stored. The allowed host is taken (the other
// tests' every send).
func TestWorkableCallbackHostGuard(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupWorkable(apptest.WorkableOptions{})
		for _, cb := range []string{
			"https://attacker.example/assessment-results/1",
			"https://workable.com.attacker.example/x",
			"http://acme.workable.com/x", // Workable's host, but not over https
			"http://127.0.0.2:9/acme/assessment-results/1",
			"http://169.254.169.254/latest/meta-data",
		} {
			_, ans, err := f.Sim.SendAssessment(context.Background(), apptest.WorkableSubdomain, string(f.Candidate.ID), f.VacancyID, workablesim.SendOptions{CallbackURL: cb})
			if err != nil || ans.Status != http.StatusUnprocessableEntity || !strings.Contains(ans.Error.Message, "callback_url") {
				t.Fatalf("callback %s: %v %d %s, want 422 naming callback_url", cb, err, ans.Status, ans.Body)
			}
		}
		e.WaitIdle()
		if n := wkOrderCount(e, f); n != 0 {
			t.Fatalf("%d orders after refused callback URLs, want none", n)
		}
		as := f.Send(string(f.Candidate.ID))
		e.WaitIdle()
		if got := wkShown(t, f, as.ID); got.Status != workable.StatusPending {
			t.Fatalf("with an allowed callback host Workable shows %q, want pending", got.Status)
		}
	})
}

// TestWorkableRateLimitHeld: many candidates sent at once make more SPI
// calls (a candidate lookup and a note each) than Workable allows in a few
// windows; Switchboard keeps 10 per token per 10 seconds (the simulator
// counts none over it, and no 10-second span holds more than 10), and
// every note still lands.
func TestWorkableRateLimitHeld(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupWorkable(apptest.WorkableOptions{})
	const n = 12
	var sent []workablesim.Assessment
	cands := []workable.Candidate{f.Candidate}
	for i := 1; i < n; i++ {
		cands = append(cands, f.AddCandidate("Cand", itoa(i), "cand"+itoa(i)+"@example.com"))
	}
	for _, c := range cands {
		sent = append(sent, f.Send(string(c.ID)))
	}
	wkSettle(t, e, func() bool {
		for _, c := range cands {
			if len(f.Sim.Comments(apptest.WorkableSubdomain, string(c.ID))) != 1 {
				return false
			}
		}
		return true
	})
	for _, as := range sent {
		if got := wkShown(t, f, as.ID); got.Status != workable.StatusPending {
			t.Errorf("assessment %s shows %q, want pending", as.ID, got.Status)
		}
	}
	spi, _ := f.Sim.Calls()
	if spi < 2*n {
		t.Errorf("%d SPI calls; the test means more than a window's worth", spi)
	}
	if over, most := f.Sim.OverLimit(), f.Sim.MaxIn(workable.Window); over != 0 || most > workable.WindowMax {
		t.Errorf("%d calls over the limit, at most %d in 10 s; want 0 and at most 10", over, most)
	}
}

// wkSettle waits until done, running the jobs snoozed for Workable's rate
// limit as their time comes: the clients' clock moves with their waits, the
// queue's with real time.
func wkSettle(t *testing.T, e *apptest.Env, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("not settled after 60s")
		}
		e.RunScheduled("write_back")
		time.Sleep(50 * time.Millisecond)
	}
	e.WaitIdle()
}

// TestWorkableValidation: enabling checks the token with real calls, one
// line per scope, in Workable's words: a token without r_requisitions, and
// a revoked one.
func TestWorkableValidation(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupWorkable(apptest.WorkableOptions{NoEnable: true, Scopes: []string{workablesim.ScopeReadJobs, workablesim.ScopeReadCandidates, workablesim.ScopeWriteCandidates}})
	failed := wkEnableRefused(e, f)
	if len(failed) != 1 || !strings.Contains(failed[0], "r_requisitions") || !strings.Contains(failed[0], "403") {
		t.Fatalf("failing checks %q, want only r_requisitions, refused 403", failed)
	}
	f.Sim.RevokeToken(f.Token)
	failed = wkEnableRefused(e, f)
	if len(failed) != 1 || !strings.Contains(failed[0], "refused the API access token (401") {
		t.Fatalf("failing checks %q, want one saying Workable refused the token", failed)
	}
}

// TestWorkableVendorFulfils: a recruiter sends an outside vendor's package
// in Workable; the vendor receives the order, completes it through the
// vendor API, and Workable's candidate page shows completed with the
// vendor's score and a results URL.
func TestWorkableVendorFulfils(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupWorkable(apptest.WorkableOptions{})
		vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.AccountID)
		vac := e.VendorVacancy(f.AccountID, vf.Vendor.ID, "cog-20")
		tests, _, err := f.Sim.ListTests(context.Background(), apptest.WorkableSubdomain)
		if err != nil || !strings.Contains(wkTestNames(tests), vac.ID+" "+vac.Name) {
			t.Fatalf("Workable lists %q (%v), want the vendor's package", wkTestNames(tests), err)
		}
		as, ans, err := f.Sim.SendAssessment(context.Background(), apptest.WorkableSubdomain, string(f.Candidate.ID), vac.ID, workablesim.SendOptions{})
		if err != nil || ans.Status != http.StatusCreated {
			t.Fatalf("send: %v %d %s", err, ans.Status, ans.Body)
		}
		vf.Settle(e)
		got := vf.Program.Received()
		if len(got) != 1 || got[0].Package.ID != "cog-20" || got[0].Email() != apptest.WorkableEmail || got[0].Provider != "workable" {
			t.Fatalf("the vendor received %+v", got)
		}
		if err := vf.Program.Complete(context.Background(), got[0].ID); err != nil {
			t.Fatalf("the vendor's result: %v", err)
		}
		vf.Settle(e)
		shown := wkShown(t, f, as.ID)
		if shown.Status != workable.StatusCompleted || shown.Result == nil || string(shown.Result.Score) != itoa(examplevendor.ScoreFor(apptest.WorkableEmail)) ||
			shown.ResultsURL == "" {
			t.Fatalf("Workable shows %+v, want completed with the vendor's score %d and a results URL", shown, examplevendor.ScoreFor(apptest.WorkableEmail))
		}
		if n := len(f.Sim.Comments(apptest.WorkableSubdomain, string(f.Candidate.ID))); n != 1 {
			t.Errorf("%d timeline notes, want 1", n)
		}
	})
}

func wkTestNames(ts []workable.Test) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(string(t.ID) + " " + t.Name + "\n")
	}
	return b.String()
}

// TestWorkableCallbackCarriesToken: results go with the token Workable
// issued, and with no other: when Workable holds another one (the
// integration was recreated there), the callback is refused and the
// write-back gives up asking for the configuration to be fixed, saying so
// on the order's timeline; Workable shows nothing of it.
func TestWorkableCallbackCarriesToken(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupWorkable(apptest.WorkableOptions{})
	f.Sim.SetCallbackToken(apptest.WorkableSubdomain, "a-token-switchboard-does-not-hold")
	as := f.Send(string(f.Candidate.ID))
	e.WaitIdle()
	if got := wkShown(t, f, as.ID); got.Status != "" || len(got.Updates) != 0 {
		t.Fatalf("Workable shows %+v after callbacks with the wrong token", got)
	}
	d := order(e, f.APIKey, as.ProviderID)
	if fails := d.entries("job_failed", "401"); len(fails) == 0 || fails[0].Detail["verdict"] != "fix configuration" {
		t.Fatalf("timeline, want the refused callback and the verdict fix configuration:%s", d.dump())
	}
}
