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

// wkOrderCount is how many orders the account has.
func wkOrderCount(e *apptest.Env, f *apptest.WorkableFixture) int {
	n, _ := orders(e, f.APIKey)
	return n
}

var (
	_ = examplevendor.ScoreFor
	_ = core.KindAssessment
	_ = time.Second
)
