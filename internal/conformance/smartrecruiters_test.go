package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/simkit"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/conformance"
	"switchboard/internal/core"
)

func TestSmartRecruitersConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, srDriver{})
}

// srDriver: SmartRecruiters lists the account's packages and orders them
// ad hoc from a candidate's profile (Switchboard's partner endpoints,
// called with an access token), and shows the results PATCHed to it.
type srDriver struct{}

func (srDriver) Provider() string { return "smartrecruiters" }

// Unshown: SmartRecruiters is not told of a cancellation (DESIGN.md).
func (srDriver) Unshown() []core.State { return []core.State{core.StateCancelled} }

func (srDriver) Setup(t testing.TB, e *apptest.Env) conformance.Tenant {
	t.Helper()
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	return &srTenant{e: e, f: f, pkg: f.VacancyIDs[apptest.SRVacancyName]}
}

type srTenant struct {
	e *apptest.Env
	f *apptest.SRFixture

	mu  sync.Mutex
	pkg string // the package recruiters order now
}

func (s *srTenant) APIKey() string        { return s.f.APIKey }
func (s *srTenant) AccountID() string     { return s.f.Admin.AccountID }
func (s *srTenant) IntegrationID() string { return s.f.IntegrationID }

func (s *srTenant) Offer(_ testing.TB, v core.Vacancy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pkg = v.ID
}

func (s *srTenant) Packages(t testing.TB) ([]string, bool) {
	t.Helper()
	ps, err := s.f.Sim.ListPackages(context.Background(), s.f.Company.ID)
	if err != nil {
		t.Fatalf("SmartRecruiters lists packages: %v", err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, string(p.ID))
	}
	return ids, true
}

// place makes c a candidate who applied to the fixture's job and has a
// recruiter order pkg from their profile.
func (s *srTenant) place(t testing.TB, c conformance.Candidate, pkg string) srsim.Placement {
	t.Helper()
	cand, err := s.f.Sim.AddCandidate(s.f.Company.ID, c.FirstName, c.LastName, c.Email)
	if err != nil {
		t.Fatalf("srsim: %v", err)
	}
	if err := s.f.Sim.Apply(s.f.Company.ID, string(cand.ID), string(s.f.Job.ID)); err != nil {
		t.Fatalf("srsim: %v", err)
	}
	pls, err := s.f.Sim.OrderAdHoc(context.Background(), s.f.Company.ID, string(cand.ID), string(s.f.Job.ID), pkg)
	if err != nil || len(pls) != 1 {
		t.Fatalf("srsim: order: %+v, %v", pls, err)
	}
	return pls[0]
}

func (s *srTenant) Order(t testing.TB, c conformance.Candidate) conformance.Ref {
	t.Helper()
	s.mu.Lock()
	pkg := s.pkg
	s.mu.Unlock()
	p := s.place(t, c, pkg)
	if p.Err != nil || p.StatusCode != http.StatusAccepted {
		t.Fatalf("SmartRecruiters' order was answered %d %s (%v), want 202", p.StatusCode, p.Body, p.Err)
	}
	return conformance.Ref{ATS: p.OrderID}
}

// Redeliver sends SmartRecruiters' order call again, as after a lost answer.
func (s *srTenant) Redeliver(t testing.TB, r conformance.Ref) {
	t.Helper()
	for _, c := range s.f.Calls.Find(http.MethodPost, "/packages/orders") {
		if !bytes.Contains(c.Body, []byte(r.ATS)) {
			continue
		}
		status, body, err := s.f.Calls.Replay(c)
		if err != nil || status != http.StatusAccepted {
			t.Fatalf("the repeated order was answered %d %s (%v), want 202", status, body, err)
		}
		return
	}
	t.Fatalf("SmartRecruiters sent no order call for its order %s", r.ATS)
}

// OrderRefused orders a package the account does not have.
func (s *srTenant) OrderRefused(t testing.TB, c conformance.Candidate) conformance.Refusal {
	t.Helper()
	p := s.place(t, c, "vac_doesnotexist")
	var eb sr.ErrorResponse
	if err := json.Unmarshal(p.Body, &eb); err != nil {
		t.Fatalf("the refusal's body %q is not SmartRecruiters' error body: %v", p.Body, err)
	}
	return conformance.Refusal{Status: p.StatusCode, Shown: eb.Message}
}

// InboundWithBadAuth: the order call carries an access token Switchboard
// never issued.
func (s *srTenant) InboundWithBadAuth(t testing.TB, c conformance.Candidate) int {
	t.Helper()
	undo := s.f.Calls.ForgeAuth("Bearer sbat_forged_by_someone_else")
	defer undo()
	s.mu.Lock()
	pkg := s.pkg
	s.mu.Unlock()
	return s.place(t, c, pkg).StatusCode
}

var srStates = map[sr.Status]core.State{
	sr.StatusPending: core.StateInvited, sr.StatusInProgress: core.StateInProgress, sr.StatusCompleted: core.StateCompleted,
	sr.StatusExpired: core.StateExpired, sr.StatusRejected: core.StateRejected,
}

// Shown reads the order as the candidate's profile shows it.
func (s *srTenant) Shown(t testing.TB, r conformance.Ref) conformance.Shown {
	t.Helper()
	o, ok := s.f.Sim.Order(r.ATS)
	if !ok {
		t.Fatalf("SmartRecruiters has no order %s", r.ATS)
	}
	var out conformance.Shown
	if n := len(o.StatusHistory); n > 0 {
		st, known := srStates[o.StatusHistory[n-1]]
		if !known {
			t.Fatalf("SmartRecruiters shows the status %q", o.StatusHistory[n-1])
		}
		out.State = st
	}
	if o.Result.Score != nil {
		out.Score = strconv.FormatFloat(float64(o.Result.Score.Raw), 'f', -1, 64)
	}
	out.Label = o.Result.ScoreLabel
	out.ResultURL = o.ResultURL()
	out.Writes = o.Patches + len(o.Attachments)
	return out
}

// Down: SmartRecruiters answers 503 with a Retry-After of a minute.
func (s *srTenant) Down(testing.TB) func() {
	return s.f.Sim.Outage(simkit.Fault{Status: http.StatusServiceUnavailable, RetryAfter: time.Minute})
}

// BadOutboundAuth: SmartRecruiters revokes the company credentials it
// gave Switchboard on connecting.
func (s *srTenant) BadOutboundAuth(t testing.TB) func() {
	t.Helper()
	restore, err := s.f.Sim.RevokeClient(s.f.CompanyClientID())
	if err != nil {
		t.Fatal(err)
	}
	return restore
}

func (s *srTenant) Limit() string  { return "10 requests/s and 8 in flight per credential" }
func (s *srTenant) OverLimit() int { return s.f.Sim.ThrottledCount() }
