package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/conformance"
	"switchboard/internal/core"
)

func TestAshby(t *testing.T) {
	t.Parallel()
	conformance.Run(t, ashbyDriver{})
}

// ashbyDriver runs the suite against the Ashby simulator: Ashby starts
// assessments on Switchboard's partner endpoints and is written back to
// through assessment.update.
type ashbyDriver struct{}

func (ashbyDriver) Provider() string { return "ashby" }

func (ashbyDriver) Setup(t testing.TB, e *apptest.Env) conformance.Tenant {
	f := e.SetupAshby(apptest.AshbyOptions{})
	return &ashbyTenant{e: e, f: f, typeID: f.VacancyID, apps: map[string][2]string{}}
}

type ashbyTenant struct {
	e      *apptest.Env
	f      *apptest.AshbyFixture
	mu     sync.Mutex
	typeID string
	apps   map[string][2]string // assessment id → application id, assessment type
}

func (a *ashbyTenant) APIKey() string        { return a.f.APIKey }
func (a *ashbyTenant) AccountID() string     { return a.f.Admin.AccountID }
func (a *ashbyTenant) IntegrationID() string { return a.f.IntegrationID }

// Offer makes the recruiters start v from now on.
func (a *ashbyTenant) Offer(_ testing.TB, v core.Vacancy) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.typeID = v.ID
}

func (a *ashbyTenant) Packages(t testing.TB) ([]string, bool) {
	types, status, err := a.f.Sim.ListAssessments(context.Background())
	if err != nil || status != http.StatusOK {
		t.Fatalf("assessment.list: %d %v", status, err)
	}
	ids := make([]string, 0, len(types))
	for _, ty := range types {
		ids = append(ids, ty.AssessmentTypeID)
	}
	return ids, true
}

func (a *ashbyTenant) currentType() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.typeID
}

// Order is a new application and a recruiter's start of it.
func (a *ashbyTenant) Order(t testing.TB, c conformance.Candidate) conformance.Ref {
	app := a.f.NewApplication(c.FirstName, c.LastName, c.Email)
	out, err := a.f.Sim.StartAssessment(context.Background(), app.ID, a.currentType())
	if err != nil || out.Status != http.StatusOK {
		t.Fatalf("assessment.start: %+v %v", out, err)
	}
	a.mu.Lock()
	a.apps[out.AssessmentID] = [2]string{app.ID, a.typeID}
	a.mu.Unlock()
	return conformance.Ref{ATS: out.AssessmentID}
}

// Redeliver sends the same start again, as Ashby would after a lost
// answer: Switchboard answers 409, and the order stays the one made.
func (a *ashbyTenant) Redeliver(t testing.TB, r conformance.Ref) {
	a.mu.Lock()
	started := a.apps[r.ATS]
	a.mu.Unlock()
	req, err := a.f.Sim.StartRequestFor(started[0], started[1])
	if err != nil {
		t.Fatal(err)
	}
	if out, err := a.f.Sim.Send(context.Background(), req); err != nil || out.Status != http.StatusConflict {
		t.Fatalf("repeated assessment.start: %+v %v, want 409", out, err)
	}
}

// OrderRefused starts a package the account does not have.
func (a *ashbyTenant) OrderRefused(t testing.TB, c conformance.Candidate) conformance.Refusal {
	app := a.f.NewApplication(c.FirstName, c.LastName, c.Email)
	out, err := a.f.Sim.StartAssessment(context.Background(), app.ID, "vac_not_offered")
	if err != nil {
		t.Fatal(err)
	}
	return conformance.Refusal{Status: out.Status, Shown: out.Shown}
}

func (a *ashbyTenant) Shown(t testing.TB, r conformance.Ref) conformance.Shown {
	as, ok := a.f.Sim.Assessment(r.ATS)
	if !ok {
		return conformance.Shown{}
	}
	s := conformance.Shown{Writes: len(as.Updates), ResultURL: as.ProfileURL}
	switch {
	case as.Cancelled && strings.Contains(as.CancelledReason, "expired"):
		s.State = core.StateExpired
	case as.Cancelled:
		s.State = core.StateCancelled
	case as.Result != nil:
		s.State = core.StateCompleted
		s.Score = fmt.Sprint(as.Result.Value)
	case as.Status == ashby.StatusStarted:
		s.State = core.StateInProgress
	case as.Status == ashby.StatusInvited:
		s.State = core.StateInvited
	}
	for _, m := range as.Metadata {
		if m.Identifier == "label" {
			s.Label = fmt.Sprint(m.Value)
		}
	}
	return s
}

func (a *ashbyTenant) Down(testing.TB) func() {
	a.f.Sim.SetDown(true)
	return func() { a.f.Sim.SetDown(false) }
}

func (a *ashbyTenant) BadOutboundAuth(testing.TB) func() {
	a.f.Sim.RevokeAPIKey(apptest.AshbyAPIKey)
	return func() {
		a.f.Sim.AddAPIKey(apptest.AshbyAPIKey, "Switchboard assessments", ashbysim.PermCandidatesWrite, ashbysim.PermAPIKeysRead)
	}
}

// InboundWithBadAuth is a start with a key Switchboard did not issue.
func (a *ashbyTenant) InboundWithBadAuth(t testing.TB, c conformance.Candidate) int {
	app := a.f.NewApplication(c.FirstName, c.LastName, c.Email)
	a.f.Sim.ConfigurePartner(a.f.EndpointBase, "sbk_forged")
	defer a.f.Sim.ConfigurePartner(a.f.EndpointBase, a.f.IssuedKey)
	out, err := a.f.Sim.StartAssessment(context.Background(), app.ID, a.currentType())
	if err != nil {
		t.Fatal(err)
	}
	return out.Status
}

func (a *ashbyTenant) Limit() string  { return a.f.Sim.Limit() }
func (a *ashbyTenant) OverLimit() int { return a.f.Sim.Throttled() }
