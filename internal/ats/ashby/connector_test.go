package ashby_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/ats/atstest"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/atssim/simkit"
	"switchboard/internal/core"
)

var update = flag.Bool("update", false, "rewrite golden files")

const customerKey = "customer-key-1234"

func noSleep(context.Context, time.Duration) error { return nil }

type fixture struct {
	sim  *ashbysim.Server
	conn *ashby.Connector
	cfg  ats.Config
	id   string // an assessment Ashby knows
}

func newFixture(t *testing.T, opts ...ashbysim.Option) fixture {
	t.Helper()
	sim := ashbysim.New(opts...)
	sim.AddAPIKey(customerKey, "Switchboard", ashbysim.PermCandidatesWrite, ashbysim.PermAPIKeysRead)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	// Ashby knows an assessment once a partner answered its start: a partner
	// stub answers this one.
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(ashby.StartResponse{Success: true, Results: ashby.StartResults{AssessmentID: "app1:vac1"}})
	}))
	t.Cleanup(partner.Close)
	sim.ConfigurePartner(partner.URL, "k")
	c := sim.AddCandidate("Ada", "Byron", "ada@example.com")
	j := sim.AddJob("Engineer", "")
	a, _ := sim.Apply(c.ID, j.ID)
	if out, err := sim.StartAssessment(context.Background(), a.ID, "vac1"); err != nil || out.AssessmentID == "" {
		t.Fatalf("start: %+v %v", out, err)
	}
	in := core.Integration{ID: "int_1", Provider: "ashby", Settings: map[string]string{ashby.SettingBaseURL: srv.URL}, WriteBack: core.DefaultWriteBack()}
	return fixture{sim: sim, conn: ashby.NewConnector(ashby.ConnectorOptions{Runtime: ats.Runtime{Sleep: noSleep}}), id: "app1:vac1",
		cfg: ats.Config{Integration: in, Secrets: map[string]string{ashby.CredentialAPIKey: customerKey}, IssuedKey: "sbk_x", HTTPClient: srv.Client()}}
}

var at = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

func completed(id string) ats.Update {
	return ats.Update{
		Order: core.Order{ID: "ord_1", ExternalID: id, State: core.StateCompleted, CreatedAt: at, StartedAt: at.Add(time.Minute), CompletedAt: at.Add(25 * time.Minute), UpdatedAt: at.Add(25 * time.Minute)},
		State: core.StateCompleted,
		Result: &core.Result{Score: &core.Score{Value: 82, Min: 0, Max: 100}, Label: "Great fit", Summary: "Strong on all parts.",
			Components:  []core.Component{{Key: "num", Name: "Numerical", Score: &core.Score{Value: 7, Min: 0, Max: 10}}},
			SubmittedAt: at.Add(25 * time.Minute)},
		Reports: ats.Reports{DetailPageURL: "https://sb.example/orders/ord_1", ReadOnlyPageURL: "https://sb.example/r/tok", PDFURL: "https://sb.example/files/pdf"},
	}
}

// TestUpdateForGolden pins the update each state sends.
func TestUpdateForGolden(t *testing.T) {
	t.Parallel()
	rc := core.ReportConfig{ReadOnlyPageURL: true, PDFURL: true}
	u := completed("app1:vac1")
	var all []any
	for _, st := range []core.State{core.StateReceived, core.StateInvited, core.StateInProgress, core.StateCompleted, core.StateExpired, core.StateRejected, core.StateCancelled} {
		uu := u
		uu.State = st
		uu.Order.State = st
		if st == core.StateCancelled {
			uu.Order.Reason = ashby.ReasonCancelledInAshby
		}
		req, ok, err := ashby.UpdateFor(uu, rc)
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		all = append(all, map[string]any{"state": st, "sent": ok, "update": req})
	}
	got, _ := json.MarshalIndent(all, "", "  ")
	golden := filepath.Join("testdata", "updates.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("updates differ from %s (go test -update):\n%s", golden, got)
	}
}

// TestWriteBackShownInAshby: each state lands in the simulator as Ashby
// shows it, and a retried job does not send a landed step again.
func TestWriteBackShownInAshby(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	steps := &atstest.Steps{}
	for _, st := range []core.State{core.StateInvited, core.StateInProgress, core.StateCompleted} {
		u := completed(f.id)
		u.State, u.Order.State = st, st
		if err := f.conn.WriteBack(context.Background(), f.cfg, u, steps); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	u := completed(f.id)
	if err := f.conn.WriteBack(context.Background(), f.cfg, u, steps); err != nil {
		t.Fatal(err)
	}
	a, _ := f.sim.Assessment(f.id)
	if len(a.Updates) != 3 || a.Status != ashby.StatusCompleted || a.StartedAt != at.Add(time.Minute) ||
		a.ProfileURL != "https://sb.example/r/tok" || a.Result.Value != 82.0 || a.CompletedAt != at.Add(25*time.Minute) {
		t.Fatalf("Ashby shows %+v", a)
	}
}

// TestWriteBackFailures: how each refusal of Ashby is classified.
func TestWriteBackFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(f *fixture)
		want  ats.Failure
		text  string
	}{
		{"revoked key", func(f *fixture) { f.sim.RevokeAPIKey(customerKey) }, ats.FailConfig, "HTTP 403 invalid_api_key"},
		{"no permission", func(f *fixture) { f.sim.AddAPIKey(customerKey, "k", ashbysim.PermAPIKeysRead) }, ats.FailConfig, "missing_endpoint_permission"},
		{"unknown assessment", func(f *fixture) { f.sim.Forget(f.id) }, ats.FailGiveUp, "Ashby refused the request: assessment_not_found"},
		{"no key stored", func(f *fixture) { delete(f.cfg.Secrets, ashby.CredentialAPIKey) }, ats.FailConfig, "no Ashby API key"},
		{"down", func(f *fixture) { f.sim.Fail(10, simkit.Fault{Status: 503}) }, ats.FailRetry, "HTTP 503"},
		{"rate limited long", func(f *fixture) { f.sim.Fail(1, simkit.Fault{Status: 429, RetryAfter: time.Minute}) }, ats.FailRetry, "retry after 1m0s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(&f)
			u := completed(f.id)
			u.State, u.Order.State = core.StateInProgress, core.StateInProgress
			err := f.conn.WriteBack(context.Background(), f.cfg, u, &atstest.Steps{})
			got, _ := ats.Classify(err)
			if err == nil || got != tc.want || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %v (%s), want %s containing %q", err, got, tc.want, tc.text)
			}
			if strings.Contains(err.Error(), customerKey) {
				t.Fatalf("the error shows the key: %v", err)
			}
		})
	}
}

// TestWriteBackRetriesBriefly: a short 429 is waited out within the call.
func TestWriteBackRetriesBriefly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.Fail(1, simkit.Fault{Status: 429, RetryAfter: time.Second})
	u := completed(f.id)
	u.State, u.Order.State = core.StateInvited, core.StateInvited
	if err := f.conn.WriteBack(context.Background(), f.cfg, u, &atstest.Steps{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := f.sim.Assessment(f.id); len(a.Updates) != 1 {
		t.Fatalf("%d updates", len(a.Updates))
	}
}

// TestNothingWrittenForAshbysCancel: Ashby cancelled it; a cancel in
// Switchboard is told to Ashby with its reason.
func TestNothingWrittenForAshbysCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := completed(f.id)
	u.State, u.Order.State, u.Order.Reason = core.StateCancelled, core.StateCancelled, ashby.ReasonCancelledInAshby
	if err := f.conn.WriteBack(context.Background(), f.cfg, u, &atstest.Steps{}); err != nil {
		t.Fatal(err)
	}
	if f.sim.Calls() != 0 {
		t.Fatalf("%d calls to Ashby for its own cancel", f.sim.Calls())
	}
	u.Order.Reason = "the candidate withdrew"
	if err := f.conn.WriteBack(context.Background(), f.cfg, u, &atstest.Steps{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := f.sim.Assessment(f.id); !a.Cancelled || a.CancelledReason != "the candidate withdrew" {
		t.Fatalf("Ashby shows %+v", a)
	}
}

// TestValidate: the checklist with Ashby's answers to apiKey.info.
func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		setup  func(f *fixture)
		failed string // the first failing check's problem, "" when all pass
	}{
		{"ok", func(*fixture) {}, ""},
		{"no candidatesWrite", func(f *fixture) { f.sim.AddAPIKey(customerKey, "Reporting", ashbysim.PermAPIKeysRead) }, `the key "Reporting" has the permissions apiKeysRead, not candidatesWrite`},
		{"no apiKeysRead", func(f *fixture) { f.sim.AddAPIKey(customerKey, "k", ashbysim.PermCandidatesWrite) }, "lacks the apiKeysRead permission"},
		{"wrong key", func(f *fixture) { f.cfg.Secrets[ashby.CredentialAPIKey] = "nope" }, "Ashby refused the API key (403)"},
		{"no key", func(f *fixture) { delete(f.cfg.Secrets, ashby.CredentialAPIKey) }, "enter the customer's Ashby API key"},
		{"down", func(f *fixture) { f.sim.Fail(10, simkit.Fault{Status: 503}) }, "Ashby answered 503"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(&f)
			checks := f.conn.Validate(context.Background(), f.cfg)
			var first string
			for _, c := range checks {
				if !c.OK {
					first = c.Problem
					break
				}
			}
			if (tc.failed == "") != ats.Passed(checks) || !strings.Contains(first, tc.failed) {
				t.Fatalf("checks %+v, want the first problem to contain %q", checks, tc.failed)
			}
		})
	}
}

func TestClientAPIErrorIsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.Forget(f.id)
	cl := ashby.NewClient(f.cfg.Integration.Settings[ashby.SettingBaseURL], customerKey, ashby.ClientOptions{Sleep: noSleep})
	err := cl.Update(context.Background(), ashby.UpdateRequest{AssessmentID: f.id, Timestamp: 1,
		AssessmentStatus: &ashby.Value{Identifier: "s", Label: "S", Type: ashby.TypeString, Value: "Started"}})
	var ae *ashby.APIError
	if !errors.As(err, &ae) || ae.Code != ashbysim.CodeNotFound || ae.RequestID == "" || f.sim.Calls() != 1 {
		t.Fatalf("%v (%d calls), want one call and an APIError", err, f.sim.Calls())
	}
	// What Ashby would refuse is not sent.
	err = cl.Update(context.Background(), ashby.UpdateRequest{AssessmentID: f.id, Timestamp: 1})
	if !errors.As(err, &ae) || ae.Code != ashby.CodeInvalidInput || f.sim.Calls() != 1 {
		t.Fatalf("%v (%d calls)", err, f.sim.Calls())
	}
}
