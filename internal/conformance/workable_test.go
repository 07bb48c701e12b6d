package conformance_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/workablesim"
	"switchboard/internal/conformance"
	"switchboard/internal/core"
)

// TestWorkableConformance runs the connector suite against the Workable
// simulator.
func TestWorkableConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, workableDriver{})
}

// workableDriver plays Workable: a recruiter sending a test from a
// candidate's stage (POST /assessments with a callback URL), what the
// candidate's page shows of the callbacks, and the simulator's faults.
type workableDriver struct{}

func (workableDriver) Provider() string { return "workable" }

// Unshown: Workable's statuses (pending, completed, rejected, expired) have
// no word for a cancellation, and Switchboard does not send one.
func (workableDriver) Unshown() []core.State { return []core.State{core.StateCancelled} }

func (workableDriver) Setup(t testing.TB, e *apptest.Env) conformance.Tenant {
	t.Helper()
	f := e.SetupWorkable(apptest.WorkableOptions{})
	return &workableTenant{f: f, test: f.VacancyID, byRef: map[string]string{}}
}

type workableTenant struct {
	f     *apptest.WorkableFixture
	mu    sync.Mutex
	test  string            // the test the job's stage sends (Offer)
	byRef map[string]string // Workable assessment id → candidate id
}

func (w *workableTenant) APIKey() string        { return w.f.APIKey }
func (w *workableTenant) AccountID() string     { return w.f.AccountID }
func (w *workableTenant) IntegrationID() string { return w.f.IntegrationID }

// Offer makes the job's stage send v's test: one test per job in Workable.
func (w *workableTenant) Offer(_ testing.TB, v core.Vacancy) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.test = v.ID
}

func (w *workableTenant) Packages(t testing.TB) ([]string, bool) {
	t.Helper()
	tests, ans, err := w.f.Sim.ListTests(context.Background(), apptest.WorkableSubdomain)
	if err != nil || ans.Status != http.StatusOK {
		t.Fatalf("GET /tests: %v %d %s", err, ans.Status, ans.Body)
	}
	ids := make([]string, 0, len(tests))
	for _, ts := range tests {
		ids = append(ids, string(ts.ID))
	}
	return ids, true
}

func (w *workableTenant) candidate(c conformance.Candidate) workable.Candidate {
	return w.f.AddCandidate(c.FirstName, c.LastName, c.Email)
}

func (w *workableTenant) send(t testing.TB, c conformance.Candidate, test string, o workablesim.SendOptions) (workablesim.Assessment, workablesim.Answer) {
	t.Helper()
	as, ans, err := w.f.Sim.SendAssessment(context.Background(), apptest.WorkableSubdomain, string(w.candidate(c).ID), test, o)
	if err != nil {
		t.Fatalf("send assessment: %v", err)
	}
	return as, ans
}

func (w *workableTenant) Order(t testing.TB, c conformance.Candidate) conformance.Ref {
	t.Helper()
	w.mu.Lock()
	test := w.test
	w.mu.Unlock()
	as, ans := w.send(t, c, test, workablesim.SendOptions{})
	if ans.Status != http.StatusCreated {
		t.Fatalf("send assessment: %d %s, want 201", ans.Status, ans.Body)
	}
	return conformance.Ref{ATS: as.ID, OrderID: as.ProviderID}
}

func (w *workableTenant) Redeliver(t testing.TB, r conformance.Ref) {
	t.Helper()
	as, ans, err := w.f.Sim.Resend(context.Background(), apptest.WorkableSubdomain, r.ATS)
	if err != nil || ans.Status != http.StatusOK || (r.OrderID != "" && as.ProviderID != r.OrderID) {
		t.Fatalf("resend: %v %d %s, want 200 with assessment_id %s", err, ans.Status, ans.Body, r.OrderID)
	}
}

func (w *workableTenant) OrderRefused(t testing.TB, c conformance.Candidate) conformance.Refusal {
	t.Helper()
	_, ans := w.send(t, c, "vac_does_not_exist", workablesim.SendOptions{})
	return conformance.Refusal{Status: ans.Status, Shown: ans.Error.Message}
}

func (w *workableTenant) Shown(t testing.TB, r conformance.Ref) conformance.Shown {
	t.Helper()
	as, ok := w.f.Sim.Assessment(apptest.WorkableSubdomain, r.ATS)
	if !ok {
		t.Fatalf("Workable has no assessment %s", r.ATS)
	}
	s := conformance.Shown{ResultURL: as.ResultsURL, Writes: len(as.Updates) + len(w.f.Sim.Comments(apptest.WorkableSubdomain, as.CandidateID))}
	switch as.Status {
	case workable.StatusPending:
		// Workable shows a started assessment as pending too.
		s.State = core.StateInvited
	case workable.StatusCompleted:
		s.State = core.StateCompleted
	case workable.StatusExpired:
		s.State = core.StateExpired
	case workable.StatusRejected:
		s.State = core.StateRejected
	}
	if as.Result != nil {
		s.Score = string(as.Result.Score)
		s.Label = map[workable.Grade]string{workable.GradeExcelled: "Great fit", workable.GradePassed: "Good fit", workable.GradeFailed: "Poor fit"}[as.Result.Grade]
	}
	return s
}

func (w *workableTenant) Down(testing.TB) func() { return w.f.Sim.Down() }

// BadOutboundAuth revokes both tokens Switchboard calls Workable with: the
// account access token (SPI) and the callback token.
func (w *workableTenant) BadOutboundAuth(testing.TB) func() {
	w.f.Sim.RevokeToken(w.f.Token)
	w.f.Sim.SetCallbackToken(apptest.WorkableSubdomain, "revoked-"+w.f.CallbackToken)
	return func() {
		w.f.Sim.RestoreToken(w.f.Token)
		w.f.Sim.SetCallbackToken(apptest.WorkableSubdomain, w.f.CallbackToken)
	}
}

func (w *workableTenant) InboundWithBadAuth(t testing.TB, c conformance.Candidate) int {
	t.Helper()
	w.mu.Lock()
	test := w.test
	w.mu.Unlock()
	_, ans := w.send(t, c, test, workablesim.SendOptions{Key: strings.Repeat("x", 32)})
	return ans.Status
}

func (w *workableTenant) Limit() string  { return "10 requests per 10 seconds per account token" }
func (w *workableTenant) OverLimit() int { return w.f.Sim.OverLimit() }
