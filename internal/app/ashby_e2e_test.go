package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"switchboard/examples/examplevendor"
	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/candidatebot"
	"switchboard/internal/core"
)

// ashbyOrder is the one order of the fixture's account whose external id is
// the assessment id Ashby got.
func ashbyOrder(t *testing.T, e *apptest.Env, f *apptest.AshbyFixture, assessmentID string) apiOrderDetail {
	t.Helper()
	_, list := orders(e, f.APIKey)
	var found []apiOrder
	for _, o := range list {
		if o.ExternalID == assessmentID {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d orders for Ashby assessment %s, want 1: %+v", len(found), assessmentID, list)
	}
	return order(e, f.APIKey, found[0].ID)
}

func ashbyShown(t *testing.T, f *apptest.AshbyFixture, id string) ashbysim.Assessment {
	t.Helper()
	a, ok := f.Sim.Assessment(id)
	if !ok {
		t.Fatalf("Ashby shows no assessment %s", id)
	}
	return a
}

func ashbyStatuses(a ashbysim.Assessment) string {
	var ss []string
	for _, u := range a.Updates {
		switch {
		case u.CancelledReason != nil:
			ss = append(ss, "cancelled: "+fmt.Sprint(u.CancelledReason.Value))
		case u.AssessmentStatus != nil:
			ss = append(ss, fmt.Sprint(u.AssessmentStatus.Value))
		}
	}
	return strings.Join(ss, " → ")
}

func ashbyStarted(t *testing.T, f *apptest.AshbyFixture) string {
	t.Helper()
	out := f.Start()
	if out.Status != http.StatusOK || out.AssessmentID == "" {
		t.Fatalf("assessment.start: %+v, want 200 with an assessment id", out)
	}
	return out.AssessmentID
}

func metaValue(a ashbysim.Assessment, id string) (ashby.Value, bool) {
	for _, m := range a.Metadata {
		if m.Identifier == id {
			return m, true
		}
	}
	return ashby.Value{}, false
}

// TestAshbyStartToResults follows one assessment from a recruiter's start in
// Ashby to what Ashby shows: the package listed, the order, Invited once the
// candidate is emailed, Started (with its time) when they start, and the
// result: the score, the read-only report as the profile URL, the label,
// the summary and one score per indicator as metadata. A second start for
// the same application is a 409, shown as Ashby shows it, and orders nothing.
func TestAshbyStartToResults(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupAshby(apptest.AshbyOptions{})
		types, status, err := f.Sim.ListAssessments(context.Background())
		if err != nil || status != http.StatusOK || len(types) != 1 || types[0].AssessmentTypeID != f.VacancyID || types[0].Name != apptest.AshbyVacancyName {
			t.Fatalf("assessment.list: %d %v %+v", status, err, types)
		}
		id := ashbyStarted(t, f)
		e.WaitIdle()
		d := ashbyOrder(t, e, f, id)
		if d.Order.State != "invited" || d.Order.Mode != "ad_hoc" || d.Order.CandidateEmail != apptest.AshbyCandidateEmail ||
			d.Order.CandidateName != "Ada Byron" || d.Order.ExternalJobID != f.Job.ID {
			t.Fatalf("order %+v", d.Order)
		}
		if got := ashbyStatuses(ashbyShown(t, f, id)); got != "Invited" {
			t.Fatalf("after the invitation Ashby shows %q, want Invited", got)
		}

		again := f.Start()
		if again.Status != http.StatusConflict || again.Shown != ashbysim.AlreadyAssessed {
			t.Fatalf("a second start for the same application: %+v, want 409 shown as %q", again, ashbysim.AlreadyAssessed)
		}
		if n, _ := orders(e, f.APIKey); n != 1 {
			t.Fatalf("%d orders after the second start, want 1", n)
		}
		starts := f.Calls.Find("POST", ashby.PathStart)
		if len(starts) != 2 || starts[0].Status != http.StatusOK || starts[1].Status != http.StatusConflict {
			t.Fatalf("Ashby's starts: %+v", starts)
		}
		if d := order(e, f.APIKey, d.Order.ID); len(d.entries("ignored", "asked again")) != 1 {
			t.Errorf("the repeated start is not on the order's timeline:%s", d.dump())
		}

		link := invitationLink(t, e, e.Mail.Messages()[0])
		srStart(t, link)
		e.WaitIdle()
		a := ashbyShown(t, f, id)
		if got := ashbyStatuses(a); got != "Invited → Started" || a.StartedAt.IsZero() {
			t.Fatalf("after starting, Ashby shows %q (started at %v)", got, a.StartedAt)
		}
		if _, err := candidatebot.Answer(context.Background(), http.DefaultClient, link, candidatebot.FirstOption); err != nil {
			t.Fatalf("candidate: %v", err)
		}
		e.WaitIdle()
		a = ashbyShown(t, f, id)
		d = order(e, f.APIKey, d.Order.ID)
		if got := ashbyStatuses(a); got != "Invited → Started → Completed" || d.Result == nil {
			t.Fatalf("Ashby shows %q; order %+v%s", got, d.Order, d.dump())
		}
		if a.Result == nil || a.Result.Type != ashby.TypeNumericScore || a.Result.Value != float64(d.Result.Score) || a.CompletedAt.IsZero() {
			t.Errorf("result %+v, want the score %d", a.Result, d.Result.Score)
		}
		if a.ProfileURL != d.Reports.ReadOnlyPageURL || a.ProfileURL == "" {
			t.Errorf("profile URL %q, want the read-only report %q", a.ProfileURL, d.Reports.ReadOnlyPageURL)
		}
		if resp, _ := e.Get(a.ProfileURL); resp.StatusCode != http.StatusOK {
			t.Errorf("GET profile URL: %d", resp.StatusCode)
		}
		if v, ok := metaValue(a, "label"); !ok || v.Value != d.Result.Label {
			t.Errorf("label %+v, want %q", v, d.Result.Label)
		}
		if v, ok := metaValue(a, "summary"); !ok || v.Value != d.Result.Summary || d.Result.Summary == "" {
			t.Errorf("summary %+v, want %q", v, d.Result.Summary)
		}
		for _, in := range d.Result.Indicators {
			found := false
			for _, m := range a.Metadata {
				if m.Label == in.Name && m.Type == ashby.TypeNumericScore && m.Value == float64(in.Score) {
					found = true
				}
			}
			if !found {
				t.Errorf("no metadata score %d for indicator %s: %+v", in.Score, in.Name, a.Metadata)
			}
		}
		if r := f.Sim.Refused(); len(r) != 0 {
			t.Errorf("Ashby refused updates: %+v", r)
		}
	})
}

// TestAshbyRefusals: what Switchboard refuses, Ashby shows the recruiter as
// the 422's message (an unknown package, a disabled integration, a start
// without an email, an application that is no longer active); a wrong or
// rotated key is a 401. None of them stores an order.
func TestAshbyRefusals(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupAshby(apptest.AshbyOptions{})
		ctx := context.Background()

		out := f.StartFor(f.Application.ID, "vac_nosuchpackage")
		if out.Status != http.StatusUnprocessableEntity || !strings.Contains(out.Shown, `no assessment package "vac_nosuchpackage"`) {
			t.Errorf("unknown package: %+v", out)
		}

		req, err := f.Sim.StartRequestFor(f.Application.ID, f.VacancyID)
		if err != nil {
			t.Fatal(err)
		}
		req.Candidate.Email = ""
		if out, err := f.Sim.Send(ctx, req); err != nil || out.Status != http.StatusUnprocessableEntity || !strings.Contains(out.Shown, "candidate.email") {
			t.Errorf("start without an email: %+v %v", out, err)
		}

		archived := f.NewApplication("Grace", "Hopper", "grace@example.com")
		f.Sim.SetApplicationStatus(archived.ID, "Archived")
		if out := f.StartFor(archived.ID, f.VacancyID); out.Status != http.StatusUnprocessableEntity || !strings.Contains(out.Shown, "archived") {
			t.Errorf("archived application: %+v", out)
		}

		old := f.IssuedKey
		f.IssueKey()
		f.Sim.ConfigurePartner(f.EndpointBase, old)
		if out := f.Start(); out.Status != http.StatusUnauthorized {
			t.Errorf("rotated key: %+v, want 401", out)
		}
		f.Sim.ConfigurePartner(f.EndpointBase, "sbk_wrong")
		if out := f.Start(); out.Status != http.StatusUnauthorized {
			t.Errorf("wrong key: %+v, want 401", out)
		}
		f.Sim.ConfigurePartner(f.EndpointBase, f.IssuedKey)

		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
		if out := f.Start(); out.Status != http.StatusUnprocessableEntity || !strings.Contains(out.Shown, "must enable it") {
			t.Errorf("disabled integration: %+v", out)
		}
		if n, _ := orders(e, f.APIKey); n != 0 {
			t.Errorf("%d orders stored by refused starts, want 0", n)
		}
	})
}

// TestAshbyCancel: a recruiter cancels in Ashby; the order is cancelled in
// Switchboard, and nothing is written back for it, then or later (the
// candidate's link no longer works).
func TestAshbyCancel(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupAshby(apptest.AshbyOptions{})
		id := ashbyStarted(t, f)
		e.WaitIdle()
		before := len(ashbyShown(t, f, id).Updates)
		if status, err := f.Sim.Cancel(context.Background(), id); err != nil || status != http.StatusOK {
			t.Fatalf("assessment.cancel: %d %v", status, err)
		}
		e.WaitIdle()
		d := ashbyOrder(t, e, f, id)
		if d.Order.State != "cancelled" {
			t.Fatalf("after the cancel the order is %s%s", d.Order.State, d.dump())
		}
		link := invitationLink(t, e, e.Mail.Messages()[0])
		resp, err := http.PostForm(link+"/start", nil)
		if err == nil {
			resp.Body.Close()
		}
		e.WaitIdle()
		a := ashbyShown(t, f, id)
		if len(a.Updates) != before || !a.CancelledInAshby {
			t.Errorf("Ashby got %d updates after the cancel (%s)", len(a.Updates)-before, ashbyStatuses(a))
		}
		if r := f.Sim.Refused(); len(r) != 0 {
			t.Errorf("Switchboard wrote to a cancelled assessment: %+v", r)
		}
		// A cancel Ashby repeats is answered the same.
		if status, err := f.Sim.Cancel(context.Background(), id); err != nil || status != http.StatusOK {
			t.Errorf("second assessment.cancel: %d %v", status, err)
		}
	})
}

// TestAshbyUpdateRefusedIsVisible: every update Ashby refuses is a failed
// step on the order's timeline, in Ashby's words: a key that lost
// candidatesWrite (403 missing_endpoint_permission), a revoked key (403),
// and invalid input (200 with success:false).
func TestAshbyUpdateRefusedIsVisible(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		break_ func(f *apptest.AshbyFixture, assessmentID string)
		want   string
	}{
		{"missing permission", func(f *apptest.AshbyFixture, _ string) {
			f.Sim.AddAPIKey(apptest.AshbyAPIKey, "Switchboard assessments", ashbysim.PermAPIKeysRead)
		}, "missing_endpoint_permission"},
		{"revoked key", func(f *apptest.AshbyFixture, _ string) { f.Sim.RevokeAPIKey(apptest.AshbyAPIKey) }, "HTTP 403"},
		{"success false", func(f *apptest.AshbyFixture, id string) { f.Sim.Forget(id) }, ashbysim.CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dialects(t, func(t *testing.T, dialect string) {
				e := apptest.New(t, apptest.Options{Dialect: dialect})
				f := e.SetupAshby(apptest.AshbyOptions{})
				id := ashbyStarted(t, f)
				e.WaitIdle()
				tc.break_(f, id)
				srStart(t, invitationLink(t, e, e.Mail.Messages()[0]))
				e.WaitIdle()
				d := ashbyOrder(t, e, f, id)
				if fails := d.entries("job_failed", tc.want); len(fails) == 0 || !strings.HasPrefix(fails[0].Message, "gave up") {
					t.Fatalf("no failed step saying %q on the timeline:%s", tc.want, d.dump())
				}
				if len(f.Sim.Refused()) == 0 {
					t.Errorf("Ashby refused nothing")
				}
			})
		})
	}
}

// TestVendorFulfilsAshbyStart: an outside vendor's package, listed in
// Ashby, started there; the vendor receives the order, reports progress
// and its result through the vendor API, and Ashby shows them; a second
// start for the same application is a 409 and reaches no vendor. A second
// application's assessment, cancelled in Ashby, is cancelled at the vendor.
func TestVendorFulfilsAshbyStart(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupAshby(apptest.AshbyOptions{})
		vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
		vac := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, "cog-20")
		types, _, err := f.Sim.ListAssessments(context.Background())
		listed := false
		for _, ty := range types {
			listed = listed || ty.AssessmentTypeID == vac.ID
		}
		if err != nil || !listed {
			t.Fatalf("Ashby lists %+v (%v), want the vendor's package %s", types, err, vac.ID)
		}
		out := f.StartFor(f.Application.ID, vac.ID)
		if out.Status != http.StatusOK {
			t.Fatalf("start: %+v", out)
		}
		vf.Settle(e)
		if again := f.StartFor(f.Application.ID, vac.ID); again.Status != http.StatusConflict || again.Shown != ashbysim.AlreadyAssessed {
			t.Fatalf("a second start of the vendor's package: %+v, want 409", again)
		}
		got := vf.Program.Received()
		if len(got) != 1 || got[0].Package.ID != "cog-20" || got[0].Email() != apptest.AshbyCandidateEmail || got[0].Provider != "ashby" {
			t.Fatalf("the vendor received %+v", got)
		}
		if err := vf.Program.Complete(context.Background(), got[0].ID); err != nil {
			t.Fatalf("the vendor's result: %v", err)
		}
		vf.Settle(e)
		a := ashbyShown(t, f, out.AssessmentID)
		score := examplevendor.ScoreFor(apptest.AshbyCandidateEmail)
		if st := ashbyStatuses(a); !strings.HasSuffix(st, "Completed") || a.Result == nil || a.Result.Value != float64(score) || a.ProfileURL == "" {
			t.Fatalf("Ashby shows %q, result %+v, profile %q; want Completed with %d", st, a.Result, a.ProfileURL, score)
		}

		second := f.NewApplication("Alan", "Turing", "alan@example.com")
		out = f.StartFor(second.ID, vac.ID)
		if out.Status != http.StatusOK {
			t.Fatalf("second start: %+v", out)
		}
		vf.Settle(e)
		before := len(ashbyShown(t, f, out.AssessmentID).Updates)
		if status, err := f.Sim.Cancel(context.Background(), out.AssessmentID); err != nil || status != http.StatusOK {
			t.Fatalf("cancel: %d %v", status, err)
		}
		vf.Settle(e)
		var told bool
		for _, o := range vf.Program.Received() {
			if o.Email() == "alan@example.com" {
				told = o.State == examplevendor.StateCancelled
			}
		}
		if !told {
			t.Errorf("the vendor was not told of the cancel: %+v", vf.Program.Received())
		}
		if n := len(ashbyShown(t, f, out.AssessmentID).Updates); n != before {
			t.Errorf("%d updates written to Ashby after its cancel", n-before)
		}
		if d := ashbyOrder(t, e, f, out.AssessmentID); d.Order.State != "cancelled" {
			t.Errorf("order %s after the cancel", d.Order.State)
		}
	})
}
