package lever_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
	"switchboard/internal/core"
)

// sandboxEnv is a Lever simulator with a tagged posting and a connector
// configured for it, without the rest of Switchboard.
type sandboxEnv struct {
	sim     *leversim.Server
	cfg     ats.Config
	conn    *lever.Connector
	owner   lever.User
	posting lever.Posting
	clock   *fakeClock
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	t.Helper()
	sim := leversim.New(leversim.WithRateLimit(0, 1))
	sim.AddAPIKey(apiKey)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	// The client's waits pass on a clock of their own, not the wall's.
	clock := &fakeClock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}
	e := &sandboxEnv{sim: sim, conn: lever.NewConnector(lever.ConnectorOptions{Runtime: ats.Runtime{
		Sleep: func(ctx context.Context, d time.Duration) error {
			clock.Advance(d)
			return ctx.Err()
		},
		Now: clock.Now,
	}}), clock: clock}
	e.owner = sim.AddUser("Riley Recruiter", "riley@example.com")
	e.posting = sim.AddPosting("Barista", []string{"Switchboard: Barista"}, e.owner.ID)
	e.cfg = ats.Config{
		Integration: core.Integration{ID: "int_1", Provider: "lever", Settings: map[string]string{
			lever.SettingBaseURL: srv.URL + "/v1", lever.SettingTriggerStage: "Phone Screen",
		}, WriteBack: core.DefaultWriteBack()},
		Secrets:    map[string]string{lever.CredentialAPIKey: apiKey},
		HTTPClient: srv.Client(),
	}
	return e
}

func testRequest(tag string) ats.TestOrderRequest {
	return ats.TestOrderRequest{
		Vacancy:   core.Vacancy{Name: "Barista", Tag: tag},
		Candidate: ats.Candidate{Name: "Switchboard Test Candidate", Email: "sb-test@example.com"},
	}
}

func TestStartTestOrder(t *testing.T) {
	t.Parallel()
	e := newSandboxEnv(t)
	ctx := context.Background()
	to, checks := e.conn.StartTestOrder(ctx, e.cfg, testRequest("Switchboard: Barista"))
	if !ats.Passed(checks) || len(checks) != 3 {
		t.Fatalf("checks: %+v", checks)
	}
	opp, ok := e.sim.Opportunity(to.Candidate.ExternalID)
	if !ok || opp.Name != "Switchboard Test Candidate" || !slices.Equal(opp.Emails, []string{"sb-test@example.com"}) ||
		!slices.Equal(opp.PostingIDs(), []string{e.posting.ID}) || opp.Owner.ID != e.owner.ID {
		t.Fatalf("candidate in Lever: %+v", opp)
	}
	stage := e.sim.Stages()[slices.IndexFunc(e.sim.Stages(), func(s lever.Stage) bool { return s.Text == "Phone Screen" })]
	if opp.Stage.ID != stage.ID || opp.StageChanges[len(opp.StageChanges)-1].UserID != e.owner.ID {
		t.Errorf("stage %s (want %s), history %+v", opp.Stage.ID, stage.ID, opp.StageChanges)
	}
	if to.ExternalJobID != e.posting.ID || to.JobName != "Barista" || to.Candidate.ProfileURL == "" || to.NoOrderHint == "" {
		t.Errorf("test order = %+v", to)
	}
}

func TestStartTestOrderSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		tag     string
		setup   func(e *sandboxEnv)
		line    string
		problem string
	}{
		{name: "vacancy without a tag", tag: "", line: lever.CheckTestPosting, problem: "has no tag"},
		{name: "no posting with the tag", tag: "Switchboard: Chef", line: lever.CheckTestPosting, problem: "Jobs → Create a posting"},
		{name: "nobody to create as", tag: "Switchboard: Orphan", setup: func(e *sandboxEnv) {
			e.sim.AddPosting("Orphan", []string{"Switchboard: Orphan"}, "")
		}, line: lever.CheckTestCandidate, problem: "Perform as (user id)"},
		{name: "unknown perform-as user", tag: "Switchboard: Barista", setup: func(e *sandboxEnv) {
			e.cfg.Integration.Settings[lever.SettingPerformAs] = "no-such-user"
		}, line: lever.CheckTestCandidate, problem: "Lever answered 400"},
		{name: "trigger stage is where candidates start", tag: "Switchboard: Barista", setup: func(e *sandboxEnv) {
			e.cfg.Integration.Settings[lever.SettingTriggerStage] = "New lead"
		}, line: lever.CheckTestStage, problem: "choose a later stage"},
		{name: "trigger stage missing", tag: "Switchboard: Barista", setup: func(e *sandboxEnv) {
			e.cfg.Integration.Settings[lever.SettingTriggerStage] = "Assessment"
		}, line: lever.CheckTestStage, problem: `trigger stage "Assessment" does not exist: choose one of Lever's stages`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newSandboxEnv(t)
			if c.setup != nil {
				c.setup(e)
			}
			_, checks := e.conn.StartTestOrder(context.Background(), e.cfg, testRequest(c.tag))
			last := checks[len(checks)-1]
			if last.OK || last.Name != c.line || !strings.Contains(last.Problem, c.problem) || !ats.Passed(checks[:len(checks)-1]) {
				t.Errorf("checks: %+v; want the last red at %q saying %q", checks, c.line, c.problem)
			}
			// Each problem is found before anything is created in Lever.
			cl := lever.NewClient(e.cfg.Integration.Settings[lever.SettingBaseURL], apiKey, lever.WithHTTPClient(e.cfg.HTTPClient))
			if opps, err := cl.ListOpportunities(context.Background(), lever.OpportunityFilter{}); err != nil || len(opps) != 0 {
				t.Errorf("left %d test candidates in Lever (%v)", len(opps), err)
			}
		})
	}
}

// everyStep runs every write-back step; these tests write back once.
type everyStep struct{}

func (everyStep) Do(ctx context.Context, _ string, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

// startWriteBackOrder starts a test order on the tagged posting, with the
// detail page link written back, and returns it with the order Switchboard
// would hold for it.
func (e *sandboxEnv) startWriteBackOrder(t *testing.T) (ats.TestOrder, core.Order) {
	t.Helper()
	e.cfg.Integration.WriteBack.Reports.DetailPageURL = true
	to, checks := e.conn.StartTestOrder(context.Background(), e.cfg, testRequest("Switchboard: Barista"))
	if !ats.Passed(checks) {
		t.Fatal(checks)
	}
	return to, core.Order{ID: "ord_1", ExternalID: to.Candidate.ExternalID, ExternalJobID: to.ExternalJobID, InvitationExpiresAt: time.Now().Add(time.Hour)}
}

// TestInspectTestOrder writes a completed result back with the connector and
// reads it back: all green; then each item that is missing or broken turns
// its own line red with the reason.
func TestInspectTestOrder(t *testing.T) {
	t.Parallel()
	e := newSandboxEnv(t)
	ctx := context.Background()
	to, order := e.startWriteBackOrder(t)
	u := ats.Update{
		Order:     order,
		Candidate: core.Candidate{Name: "Switchboard Test Candidate"},
		Vacancy:   core.Vacancy{Name: "Barista"},
		Result:    &core.Result{Score: &core.Score{Value: 67, Max: 100}, Label: "Good fit"},
		Reports: ats.Reports{
			DetailPageURL:   "https://sb.example/orders/ord_1",
			ReadOnlyPageURL: "https://sb.example/r/ord_1?exp=1&sig=a",
			PDF:             func(context.Context) ([]byte, error) { return []byte("%PDF-1.7 report"), nil },
		},
	}
	for _, st := range []core.State{core.StateInvited, core.StateCompleted} {
		u.State = st
		if err := e.conn.WriteBack(ctx, e.cfg, u, everyStep{}); err != nil {
			t.Fatalf("write back %s: %v", st, err)
		}
	}
	var opened []string
	want := ats.TestExpectation{Update: u, ResolveLink: func(_ context.Context, link string) error {
		opened = append(opened, link)
		return nil
	}}
	// The links are rebuilt for the check, so their signatures differ.
	want.Update.Reports.ReadOnlyPageURL = "https://sb.example/r/ord_1?exp=2&sig=b"

	got := e.conn.InspectTestOrder(ctx, e.cfg, to, want)
	if names := []string{lever.CheckStatusBack, lever.CheckScoreBack, lever.CheckLinkBack, lever.CheckPDFBack}; !ats.Passed(got) || len(got) != len(names) {
		t.Fatalf("after a full write-back: %+v", got)
	}
	if !slices.Equal(opened, []string{"https://sb.example/orders/ord_1", "https://sb.example/r/ord_1?exp=1&sig=a"}) {
		t.Errorf("opened %q: want each link as it stands in Lever", opened)
	}

	// A link that does not open, a wrong score, the invited tag back on.
	want.ResolveLink = func(_ context.Context, link string) error {
		if strings.Contains(link, "/r/") {
			return errors.New("it answers HTTP 403")
		}
		return nil
	}
	want.Update.Result = &core.Result{Score: &core.Score{Value: 90, Max: 100}, Label: "Great fit"}
	cl := lever.NewClient(e.cfg.Integration.Settings[lever.SettingBaseURL], apiKey, lever.WithHTTPClient(e.cfg.HTTPClient))
	if err := cl.AddTags(ctx, to.Candidate.ExternalID, []string{"Switchboard: invited"}); err != nil {
		t.Fatal(err)
	}
	e.cfg.Integration.WriteBack.Reports.PDFFile = false
	got = e.conn.InspectTestOrder(ctx, e.cfg, to, want)
	for i, want := range []string{
		`the tag "Switchboard: invited" is still on the candidate`,
		`no tag "Switchboard: 90%"`,
		"the read-only report page link does not open: it answers HTTP 403",
		"switched off",
	} {
		if got[i].OK || !strings.Contains(got[i].Problem, want) {
			t.Errorf("line %q: %+v, want red saying %q", got[i].Name, got[i], want)
		}
	}

	// A candidate Lever cannot find: every line says so.
	to.Candidate.ExternalID = "gone"
	for _, c := range e.conn.InspectTestOrder(ctx, e.cfg, to, want) {
		if c.OK || !strings.Contains(c.Problem, "could not read the test candidate back from Lever") || !strings.Contains(c.Problem, "404") {
			t.Errorf("line for a missing candidate: %+v", c)
		}
	}
}
