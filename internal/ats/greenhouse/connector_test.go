package greenhouse_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atstest"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/core"
)

// pingServer stands in for Greenhouse's ping url, answering statuses in turn
// (then 200) and recording each request.
type pingServer struct {
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   []string
}

func (p *pingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	p.got = append(p.got, r)
	p.bodies = append(p.bodies, string(b))
	status := http.StatusOK
	if len(p.statuses) > 0 {
		status, p.statuses = p.statuses[0], p.statuses[1:]
	}
	p.mu.Unlock()
	w.WriteHeader(status)
}

func newConnector() *greenhouse.Connector {
	return greenhouse.NewConnector(greenhouse.ConnectorOptions{
		AllowHosts: []string{"127.0.0.1"},
		Runtime:    ats.Runtime{Sleep: func(context.Context, time.Duration) error { return nil }},
	})
}

func TestWriteBackPings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		statuses []int
		pings    int
		failure  ats.Failure // when the write-back fails
		ok       bool
	}{
		{"200", nil, 1, 0, true},
		{"204", []int{http.StatusNoContent}, 1, 0, true},
		{"down, then up", []int{503, 502}, 3, 0, true},
		{"wrong key", []int{401}, 1, ats.FailConfig, false},
		{"test gone", []int{404}, 1, ats.FailGiveUp, false},
		{"refused", []int{422}, 1, ats.FailGiveUp, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ps := &pingServer{statuses: tc.statuses}
			srv := httptest.NewServer(ps)
			defer srv.Close()
			c := newConnector()
			u := completedUpdate()
			u.Callback.URL = srv.URL + "/integrations/testing_partners/take_home_tests/42"
			st := &atstest.Steps{}
			cfg := ats.Config{IssuedKey: "sbik_key", HTTPClient: srv.Client()}
			err := c.WriteBack(context.Background(), cfg, u, st)
			if tc.ok != (err == nil) {
				t.Fatalf("write-back: %v", err)
			}
			if !tc.ok {
				if f, _ := ats.Classify(err); f != tc.failure {
					t.Fatalf("verdict %s, want %s (%v)", f, tc.failure, err)
				}
			}
			if len(ps.got) != tc.pings {
				t.Fatalf("%d pings, want %d", len(ps.got), tc.pings)
			}
			r := ps.got[0]
			user, pass, ok := r.BasicAuth()
			if r.Method != http.MethodPatch || r.URL.Path != "/integrations/testing_partners/take_home_tests/42" || !ok || user != "sbik_key" || pass != "" || ps.bodies[0] != "" {
				t.Errorf("ping %s %s auth %q:%q (%v) body %q", r.Method, r.URL.Path, user, pass, ok, ps.bodies[0])
			}
			if tc.ok {
				// A retried job does not ping again.
				if err := c.WriteBack(context.Background(), cfg, u, st); err != nil || len(ps.got) != tc.pings {
					t.Errorf("second write-back: %v, %d pings", err, len(ps.got))
				}
			}
		})
	}
}

func TestWriteBackPingsOnlyOnCompletion(t *testing.T) {
	t.Parallel()
	ps := &pingServer{}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	c := newConnector()
	for _, s := range []core.State{core.StateReceived, core.StateInvited, core.StateInProgress, core.StateExpired, core.StateRejected, core.StateCancelled} {
		u := ats.Update{State: s, Callback: ats.Callback{URL: srv.URL + "/x"}}
		if err := c.WriteBack(context.Background(), ats.Config{IssuedKey: "k", HTTPClient: srv.Client()}, u, &atstest.Steps{}); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if len(ps.got) != 0 {
		t.Errorf("%d pings for states other than completed", len(ps.got))
	}
}

func TestWriteBackRefusesToPing(t *testing.T) {
	t.Parallel()
	ps := &pingServer{}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	strict := greenhouse.NewConnector(greenhouse.ConnectorOptions{}) // no host allowed beyond Greenhouse's
	for _, tc := range []struct {
		name    string
		c       *greenhouse.Connector
		url     string
		key     string
		failure ats.Failure
		want    string
	}{
		{"host not Greenhouse's", strict, srv.URL + "/x", "k", ats.FailConfig, "is not one of Greenhouse's API hosts"},
		{"Greenhouse over http", strict, "http://app.greenhouse.io/x", "k", ats.FailConfig, "over https"},
		{"no key", newConnector(), srv.URL + "/x", "", ats.FailConfig, "no key is issued"},
		{"no url", newConnector(), "", "k", ats.FailGiveUp, "no url from send_test"},
	} {
		u := completedUpdate()
		u.Callback.URL = tc.url
		// The core fills Callback, for old orders too: the order's plain
		// callback URL is never pinged on its own.
		u.Order.CallbackURL = srv.URL + "/from-order"
		err := tc.c.WriteBack(context.Background(), ats.Config{IssuedKey: tc.key, HTTPClient: srv.Client()}, u, &atstest.Steps{})
		if f, _ := ats.Classify(err); err == nil || f != tc.failure || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (%s), want %s with %q", tc.name, err, f, tc.failure, tc.want)
		}
	}
	if len(ps.got) != 0 {
		t.Errorf("%d pings sent where none may go", len(ps.got))
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	c := newConnector()
	// Whether a key is issued is the core's check (for every connector
	// that issues one); the connector's lines are about what Greenhouse
	// takes.
	for _, ch := range c.Validate(context.Background(), ats.Config{}) {
		if strings.Contains(ch.Name, "key") {
			t.Errorf("without a key the connector checks %+v: the core checks that a key is issued", ch)
		}
	}
	if checks := c.Validate(context.Background(), ats.Config{IssuedKey: strings.Repeat("k", 170)}); !ats.Passed(checks) || len(checks) != 2 {
		t.Errorf("with a key: %+v, want its length and the hosts checked", checks)
	}
	if checks := c.Validate(context.Background(), ats.Config{IssuedKey: strings.Repeat("k", 171)}); ats.Passed(checks) || !strings.Contains(checks[0].Problem, "171 characters") {
		t.Errorf("a key of 171 characters: %+v, want it refused for its length", checks)
	}
	bad := greenhouse.NewConnector(greenhouse.ConnectorOptions{AllowHosts: []string{"bad host/"}})
	if checks := bad.Validate(context.Background(), ats.Config{IssuedKey: "k"}); ats.Passed(checks) {
		t.Errorf("unreadable allowed hosts passed: %+v", checks)
	}
	d := c.Describe()
	if !d.Results.Pulled() || !d.Results.Pushed() || len(d.Patterns) != 1 || d.Patterns[0] != core.PatternAdHoc || len(d.Credentials) != 0 {
		t.Errorf("description %+v", d)
	}
	if c.InboundAuth() != ats.InboundBasic {
		t.Errorf("inbound auth %s", c.InboundAuth())
	}
}
