// Package apptest runs a whole Switchboard for end-to-end tests: the app on a
// real loopback HTTP server over SQLite or PostgreSQL, the Lever simulator on
// its own listener, a real SMTP server, an injected clock shared by
// Switchboard and the simulator, and a captured log. Tests drive it the way
// users do: the admin API, the simulator's recruiter actions, the candidate's
// HTTP pages.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/app"
	"switchboard/internal/ats"
	"switchboard/internal/atssim/leversim"
	"switchboard/internal/mail/mailtest"
	"switchboard/internal/secret"
	"switchboard/internal/store/postgres/pgtest"
)

// MetricsToken is the token /metrics requires in every environment.
const MetricsToken = "metrics-token-for-tests"

// Options choose what the environment runs on.
type Options struct {
	// Dialect is "sqlite" (default) or "postgres".
	Dialect string
	// DevOutbox keeps emails in the dev outbox instead of sending them to
	// the SMTP test server.
	DevOutbox bool
	// DenyPrivateNetwork runs Switchboard as a production operator would by
	// default: outbound calls to loopback and private addresses (where the
	// simulator listens) are refused.
	DenyPrivateNetwork bool
	// NoWorkers makes an app that accepts and enqueues but never works jobs
	// (benchmarks of the inbound path). WaitIdle cannot be used with it.
	NoWorkers bool
	// VendorDisableAfter is how long a vendor's endpoint may fail before it
	// is disabled (0: the default).
	VendorDisableAfter time.Duration
	// Connectors are more ATS connectors (KeyPartner) beside Lever and
	// SmartRecruiters.
	Connectors []ats.Connector
}

// Env is one running Switchboard with its surroundings.
type Env struct {
	T        testing.TB
	App      *app.App
	URL      string // Switchboard's base URL
	Lever    *leversim.Server
	LeverURL string // the simulator's API base, ".../v1"
	Mail     *mailtest.Server
	Clock    *Clock
	Sleeps   *Sleeps
	log      *syncBuffer
	http     *http.Client
	idleOK   bool // jobs are worked, so WaitIdle can return
}

// New starts an environment, stopped when tb ends.
func New(tb testing.TB, o Options) *Env {
	tb.Helper()
	ctx := context.Background()
	e := &Env{T: tb, Clock: NewClock(time.Now().UTC().Truncate(time.Millisecond)), Sleeps: &Sleeps{}, log: &syncBuffer{},
		http: &http.Client{Timeout: 30 * time.Second}, idleOK: !o.NoWorkers}

	e.Lever = leversim.New(leversim.WithClock(e.Clock.Now), leversim.WithLimiterClock(e.ClientNow))
	simSrv := httptest.NewServer(e.Lever.Handler())
	tb.Cleanup(simSrv.Close)
	e.LeverURL = simSrv.URL + "/v1"

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	e.URL = "http://" + ln.Addr().String()
	cfg := app.Config{
		DataDir: tb.TempDir(), BaseURL: e.URL, AllowPrivateNetwork: !o.DenyPrivateNetwork, Work: !o.NoWorkers,
		Logger:       slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          e.Clock.Now,
		PollInterval: 20 * time.Millisecond,
		// Job retries come quickly in tests; the clock they use is River's own.
		RetryPolicy: fastRetry{},
		ClientSleep: e.Sleeps.Sleep,
		ClientNow:   e.ClientNow,
	}
	// The simulators and the tests' proxies listen on loopback: 127.0.0.1,
	// and localhost for a test that needs a second host name.
	cfg.AllowATSHosts = []string{"127.0.0.1", "localhost"}
	cfg.MetricsToken = MetricsToken
	cfg.VendorDisableAfter = o.VendorDisableAfter
	cfg.Connectors = o.Connectors
	if o.Dialect == "postgres" {
		cfg.DatabaseURL = pgtest.FreshDatabase(tb)
		key, err := secret.GenerateKey()
		if err != nil {
			tb.Fatal(err)
		}
		cfg.SecretKey = secret.EncodeKey(key) // replicas share one key
	}
	if !o.DevOutbox {
		e.Mail = mailtest.NewServer(tb)
		cfg.SMTPURL = e.Mail.URL()
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		ln.Close()
		tb.Fatalf("open app: %v", err)
	}
	e.App = a
	if err := a.Start(ctx); err != nil {
		tb.Fatalf("start app: %v", err)
	}
	srvCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Serve(srvCtx, ln) }()
	tb.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			tb.Errorf("serve: %v", err)
		}
		closeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := a.Close(closeCtx); err != nil {
			tb.Errorf("close app: %v", err)
		}
	})
	return e
}

// Log returns everything Switchboard logged so far.
func (e *Env) Log() string { return e.log.String() }

// fastRetry retries failed jobs after 10ms.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(10 * time.Millisecond) }

// API calls the admin API with an API key and decodes the JSON answer into
// out (when non-nil). It returns the status code.
func (e *Env) API(apiKey, method, path string, in, out any) int {
	e.T.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			e.T.Fatalf("marshal: %v", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+"/api/v1"+path, body)
	if err != nil {
		e.T.Fatalf("request: %v", err)
	}
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.http.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("%s %s: read: %v", method, path, err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.T.Fatalf("%s %s: %d: decode %q: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// MustAPI is API that fails the test unless the status is want.
func (e *Env) MustAPI(want int, apiKey, method, path string, in, out any) {
	e.T.Helper()
	var raw json.RawMessage
	if got := e.API(apiKey, method, path, in, &raw); got != want {
		e.T.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.T.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}

// Get fetches a page or file from Switchboard (or any URL), following redirects.
func (e *Env) Get(url string) (*http.Response, string) {
	e.T.Helper()
	resp, err := e.http.Get(url)
	if err != nil {
		e.T.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("GET %s: read: %v", url, err)
	}
	return resp, string(b)
}

// PostForm posts a form, following the redirect.
func (e *Env) PostForm(url string, form map[string][]string) (*http.Response, string) {
	e.T.Helper()
	resp, err := e.http.PostForm(url, form)
	if err != nil {
		e.T.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("POST %s: read: %v", url, err)
	}
	return resp, string(b)
}

// CreateAccount creates an account and returns its super admin's API key.
func (e *Env) CreateAccount(name, email string) string {
	e.T.Helper()
	_, _, key, err := e.App.Identity.CreateAccount(context.Background(), name, email, "")
	if err != nil {
		e.T.Fatalf("create account: %v", err)
	}
	return key
}

// idleWait bounds WaitIdle.
const idleWait = 45 * time.Second

// WaitIdle waits until the job queue has nothing left to do now: no job
// available, running, or due for a retry. Jobs scheduled in the future (an
// invitation's expiry) do not count.
func (e *Env) WaitIdle() {
	e.T.Helper()
	if !e.idleOK {
		e.T.Fatalf("wait idle: this environment has NoWorkers; its jobs never run")
	}
	// A bound on "eventually", not a speed target: on a loaded CI machine a
	// write-back behind a slow ATS call (a test's proxy that completes an
	// assessment inside the call) can take many seconds.
	ctx, cancel := context.WithTimeout(context.Background(), idleWait)
	defer cancel()
	events, unsubscribe := e.App.Queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	defer unsubscribe()
	// Events wake the check up; the ticker covers jobs finished before the
	// subscription and scheduled retries coming due.
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		busy, err := e.busyJobs(ctx)
		if err != nil {
			e.T.Fatalf("wait idle: %v", err)
		}
		if len(busy) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			e.T.Fatalf("wait idle: jobs still pending after %s: %s", idleWait, strings.Join(busy, "; "))
		case <-events:
		case <-tick.C:
		}
	}
}

// RunScheduled makes the jobs of kind that wait for a later time (snoozed
// for a Retry-After, say) run now, as if River's clock had moved on, and
// returns how many there were.
func (e *Env) RunScheduled(kind string) int {
	e.T.Helper()
	ctx := context.Background()
	jobs, err := e.App.Queue.List(ctx, 100, rivertype.JobStateScheduled)
	if err != nil {
		e.T.Fatalf("run scheduled: %v", err)
	}
	n := 0
	for _, j := range jobs {
		if j.Kind != kind {
			continue
		}
		if _, err := e.App.Queue.Retry(ctx, j.ID); err != nil {
			e.T.Fatalf("run scheduled job %d: %v", j.ID, err)
		}
		n++
	}
	return n
}

func (e *Env) busyJobs(ctx context.Context) ([]string, error) {
	jobs, err := e.App.Queue.List(ctx, 100, rivertype.JobStateAvailable, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStatePending, rivertype.JobStateScheduled)
	if err != nil {
		return nil, err
	}
	var busy []string
	horizon := time.Now().Add(5 * time.Second)
	for _, j := range jobs {
		if (j.State == rivertype.JobStateScheduled || j.State == rivertype.JobStateRetryable) && j.ScheduledAt.After(horizon) {
			continue
		}
		busy = append(busy, fmt.Sprintf("%d %s %s", j.ID, j.Kind, j.State))
	}
	return busy, nil
}

// ClientNow is the clock of Switchboard's ATS clients and of the
// SmartRecruiters simulator: the shared clock plus every wait the clients
// asked for (which the injected Sleeps record without blocking), so that
// client-side pacing refills rate limits exactly as real waiting would.
func (e *Env) ClientNow() time.Time {
	var slept time.Duration
	for _, d := range e.Sleeps.Durations() {
		slept += d
	}
	return e.Clock.Now().Add(slept)
}

// Clock is a settable clock shared by Switchboard and the simulator.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleeps records the waits the ATS clients asked for (retries, rate
// limits), returning at once so tests do not sleep.
type Sleeps struct {
	mu    sync.Mutex
	d     []time.Duration
	held  time.Duration // waits of at least this long block until released
	until chan struct{}
}

// Sleep is the injected wait.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	until := s.until
	if until == nil || d < s.held {
		until = nil
	}
	s.mu.Unlock()
	if until != nil {
		select {
		case <-until:
		case <-ctx.Done():
		}
	}
	return ctx.Err()
}

// Hold makes every wait of at least d block until release is called: the
// time such a wait stands for passes while the test does something else,
// as it would in real time. Waits already blocked stay blocked until then.
func (s *Sleeps) Hold(d time.Duration) (release func()) {
	until := make(chan struct{})
	s.mu.Lock()
	s.held, s.until = d, until
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.until == until {
				s.until = nil
			}
			s.mu.Unlock()
			close(until)
		})
	}
}

// Durations returns the recorded waits.
func (s *Sleeps) Durations() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
