package conformance_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/conformance"
	"switchboard/internal/core"
)

func TestGreenhouseConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, greenhouseDriver{})
}

// greenhouseDriver runs the suite against greenhousesim: orders are a
// recruiter's "Send Test"; what Greenhouse shows is what it last read from
// test_status, on its own poll (Poll, its hourly schedule come due) or at
// once after Switchboard's PATCH ping, Switchboard's only call to it.
type greenhouseDriver struct{}

func (greenhouseDriver) Provider() string { return "greenhouse" }

func (greenhouseDriver) Setup(t testing.TB, e *apptest.Env) conformance.Tenant {
	t.Helper()
	f := e.SetupGreenhouse(apptest.GHOptions{})
	return &ghTenant{f: f, testID: f.VacancyID}
}

type ghTenant struct {
	f      *apptest.GHFixture
	mu     sync.Mutex
	testID string
}

func (g *ghTenant) APIKey() string        { return g.f.APIKey }
func (g *ghTenant) AccountID() string     { return g.f.Admin.AccountID }
func (g *ghTenant) IntegrationID() string { return g.f.IntegrationID }

// Offer is the recruiter choosing v's test for the partner stage.
func (g *ghTenant) Offer(_ testing.TB, v core.Vacancy) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.testID = v.ID
}

func (g *ghTenant) Packages(t testing.TB) ([]string, bool) {
	t.Helper()
	tests, c, err := g.f.Sim.ListTests(context.Background(), g.f.Org.ID)
	if err != nil || c.Status != http.StatusOK {
		t.Fatalf("list_tests: %v %d %s", err, c.Status, c.Body)
	}
	ids := make([]string, 0, len(tests))
	for _, tt := range tests {
		ids = append(ids, tt.PartnerTestID)
	}
	return ids, true
}

func (g *ghTenant) test() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.testID
}

func (g *ghTenant) Order(t testing.TB, c conformance.Candidate) conformance.Ref {
	t.Helper()
	app := g.f.NewApplication(c.FirstName, c.LastName, c.Email)
	ti, call, err := g.f.Sim.SendTest(context.Background(), app.ID, g.test())
	if err != nil || call.Status != http.StatusOK || ti.PartnerInterviewID == "" {
		t.Fatalf("send_test: %v %d %s", err, call.Status, call.Body)
	}
	return conformance.Ref{ATS: ti.ID, OrderID: ti.PartnerInterviewID}
}

func (g *ghTenant) Redeliver(t testing.TB, r conformance.Ref) {
	t.Helper()
	ti, call, err := g.f.Sim.Resend(context.Background(), r.ATS)
	if err != nil || call.Status != http.StatusOK || ti.PartnerInterviewID != r.OrderID {
		t.Fatalf("send_test again: %v %d %s; interview %q, want %q", err, call.Status, call.Body, ti.PartnerInterviewID, r.OrderID)
	}
}

func (g *ghTenant) OrderRefused(t testing.TB, c conformance.Candidate) conformance.Refusal {
	t.Helper()
	app := g.f.NewApplication(c.FirstName, c.LastName, c.Email)
	_, call, err := g.f.Sim.SendTest(context.Background(), app.ID, "no-such-test")
	if err != nil {
		t.Fatalf("send_test: %v", err)
	}
	var er greenhouse.ErrorResponse
	_ = json.Unmarshal(call.Body, &er) // what Greenhouse shows, if it is readable
	return conformance.Refusal{Status: call.Status, Shown: er.Message}
}

// Poll is Greenhouse's scheduled test_status call for the test instance.
func (g *ghTenant) Poll(t testing.TB, r conformance.Ref) {
	t.Helper()
	g.f.Sim.Wait()
	if _, err := g.f.Sim.Poll(context.Background(), r.ATS); err != nil {
		t.Fatalf("poll: %v", err)
	}
}

// Shown is what the recruiter sees now: what Greenhouse read on its last
// poll, or on the test_status call a ping set off (waited for).
func (g *ghTenant) Shown(t testing.TB, r conformance.Ref) conformance.Shown {
	t.Helper()
	g.f.Sim.Wait()
	ti, ok := g.f.Sim.Test(r.ATS)
	if !ok {
		t.Fatalf("no test instance %s", r.ATS)
	}
	s := conformance.Shown{ResultURL: ti.ProfileURL, Writes: ti.Pings}
	switch ti.Status {
	case greenhouse.StatusSent:
		s.State = core.StateInvited
	case greenhouse.StatusInProgress:
		s.State = core.StateInProgress
	case greenhouse.StatusComplete:
		s.State = core.StateCompleted
	case greenhouse.StatusExpired:
		s.State = core.StateExpired
	case greenhouse.StatusRejected:
		s.State = core.StateRejected
	case greenhouse.StatusCancelled:
		s.State = core.StateCancelled
	}
	if ti.Score != nil {
		s.Score = strconv.FormatFloat(*ti.Score, 'f', -1, 64)
	}
	if l, ok := ti.Metadata[greenhouse.MetaLabel].(string); ok {
		s.Label = l
	}
	return s
}

func (g *ghTenant) Down(testing.TB) func()            { return g.f.Sim.Down() }
func (g *ghTenant) BadOutboundAuth(testing.TB) func() { return g.f.Sim.RefuseKey() }

func (g *ghTenant) InboundWithBadAuth(t testing.TB, c conformance.Candidate) int {
	t.Helper()
	app := g.f.NewApplication(c.FirstName, c.LastName, c.Email)
	_, call, err := g.f.Sim.SendTestWith(context.Background(), app.ID, g.test(), greenhousesim.BasicAuth(g.f.Key+"-forged", ""))
	if err != nil {
		t.Fatalf("send_test: %v", err)
	}
	return call.Status
}

// Limit: Greenhouse documents no rate limit for the partner's PATCH ping,
// the only call Switchboard makes, and the simulator enforces none.
func (g *ghTenant) Limit() string  { return "none documented for the PATCH ping" }
func (g *ghTenant) OverLimit() int { return 0 }

// TestGreenhouseDriver holds the driver to the Poller contract the suite
// relies on: Shown does not poll, so before Greenhouse's first poll it shows
// nothing, and after it the invitation.
func TestGreenhouseDriver(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	tn := greenhouseDriver{}.Setup(t, e).(*ghTenant)
	ref := tn.Order(t, conformance.Candidate{FirstName: "Ada", LastName: "King", Email: "ada@example.com"})
	e.WaitIdle()
	if s := tn.Shown(t, ref); s != (conformance.Shown{}) {
		t.Errorf("before Greenhouse's first poll it shows %+v, want nothing", s)
	}
	tn.Poll(t, ref)
	if s := tn.Shown(t, ref); s.State != core.StateInvited || s.Score != "" || s.Writes != 0 {
		t.Errorf("after its poll Greenhouse shows %+v, want invited without a score or a ping", s)
	}
	if ti, _ := tn.f.Sim.Test(ref.ATS); ti.Polls != 1 {
		t.Errorf("Greenhouse polled %d times, want the one Poll", ti.Polls)
	}
}
