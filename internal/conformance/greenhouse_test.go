package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/atssim/simkit"
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
type greenhouseDriver struct {
	// fault is a fault of Greenhouse's side to inject, for
	// TestSuiteCatchesGreenhouseFaults; "" for none.
	fault string
}

// The faults TestSuiteCatchesGreenhouseFaults injects.
const (
	// faultPingsLost: Greenhouse answers every ping 404, as if it had lost
	// the test instance, so results wait for its hourly poll.
	faultPingsLost = "pings_lost"
	// faultKeyTaken: Greenhouse takes the ping whatever key it carries, so
	// a revoked key goes unnoticed.
	faultKeyTaken = "key_taken"
)

func (greenhouseDriver) Provider() string { return "greenhouse" }

func (d greenhouseDriver) Setup(t testing.TB, e *apptest.Env) conformance.Tenant {
	t.Helper()
	f := e.SetupGreenhouse(apptest.GHOptions{})
	if d.fault == faultPingsLost {
		f.Sim.Outage(simkit.Fault{Status: http.StatusNotFound})
	}
	return &ghTenant{f: f, testID: f.VacancyID, fault: d.fault}
}

type ghTenant struct {
	f      *apptest.GHFixture
	fault  string
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

// Down: Greenhouse answers the ping 503 with a Retry-After of a minute, as
// in a maintenance window.
func (g *ghTenant) Down(testing.TB) func() {
	return g.f.Sim.Outage(simkit.Fault{Status: http.StatusServiceUnavailable, RetryAfter: time.Minute})
}

// BadOutboundAuth: Greenhouse holds another key than the one Switchboard
// issued (and pings with), and refuses the ping.
func (g *ghTenant) BadOutboundAuth(testing.TB) func() {
	if g.fault == faultKeyTaken {
		return func() {}
	}
	return g.f.Sim.RefuseKey()
}

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

// faultEnv names the fault TestGreenhouseFaulty injects; it is set only by
// TestSuiteCatchesGreenhouseFaults for the test binary it runs.
const faultEnv = "SWITCHBOARD_CONFORMANCE_GREENHOUSE_FAULT"

// TestGreenhouseFaulty is the suite with a fault injected: it must fail. It
// runs only inside TestSuiteCatchesGreenhouseFaults.
func TestGreenhouseFaulty(t *testing.T) {
	fault := os.Getenv(faultEnv)
	if fault == "" {
		t.Skip("run by TestSuiteCatchesGreenhouseFaults, with a fault to inject")
	}
	conformance.Run(t, greenhouseDriver{fault: fault})
}

// TestSuiteCatchesGreenhouseFaults shows that the suite's allowances for an
// ATS that pulls results do not let faults through: with Greenhouse's ping
// lost, or a revoked key taken, the step that should notice fails, saying
// what a user would see. Each runs the suite's group on SQLite in a child
// test binary, since a failing suite fails the test that runs it.
func TestSuiteCatchesGreenhouseFaults(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fault, group string
		// fails is the step that must fail, saying says; passes one before it
		// that must pass (the fault is noticed where it shows, not earlier).
		fails, says, passes string
	}{
		{faultPingsLost, "orders", "order_completes", "want completed", "order_invites"},
		{faultKeyTaken, "faults", "bad_outbound_auth", "the refused write-back is not on the order's timeline", ""},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), exe, "-test.run=^TestGreenhouseFaulty$/^sqlite$/^"+tc.group+"$", "-test.v", "-test.timeout=5m")
			cmd.Env = append(os.Environ(), faultEnv+"="+tc.fault)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("the suite with %s injected: %v, want it to fail:\n%s", tc.fault, err, out)
			}
			step := "TestGreenhouseFaulty/sqlite/" + tc.group + "/"
			if !strings.Contains(string(out), "--- FAIL: "+step+tc.fails+" ") || !strings.Contains(string(out), tc.says) {
				t.Errorf("with %s injected the suite did not fail %s saying %q:\n%s", tc.fault, tc.fails, tc.says, out)
			}
			if tc.passes != "" && !strings.Contains(string(out), "--- PASS: "+step+tc.passes+" ") {
				t.Errorf("with %s injected %s did not pass:\n%s", tc.fault, tc.passes, out)
			}
		})
	}
}
