package atshttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/ats/atshttp"
)

// abort, as a scripted answer, cuts the connection before any response.
const abort = -1

// answer is one scripted response of a server.
type answer struct {
	status     int // abort: cut the connection
	retryAfter string
	body       string
}

// script serves its answers in order (the last one again once they run
// out) and records every request that reached it.
type script struct {
	mu       sync.Mutex
	answers  []answer
	requests []seen
}

type seen struct {
	method, path, query, auth, contentType string
	body                                   []byte
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b})
	a := s.answers[min(len(s.requests), len(s.answers))-1]
	s.mu.Unlock()
	if a.status == abort {
		panic(http.ErrAbortHandler)
	}
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (s *script) seen() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.requests...)
}

// serve starts a server of answers and a client of it whose waits are
// recorded, not slept.
func serve(t *testing.T, answers ...answer) (*script, *atshttp.Client, *sleeps) {
	t.Helper()
	s := &script{answers: answers}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	sl := &sleeps{}
	// No keep-alive: the transport's own retry of a request on a reused
	// connection would add attempts the client did not make.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	return s, &atshttp.Client{BaseURL: srv.URL + "/v1/", HTTP: hc, Sleep: sl.sleep, Now: func() time.Time { return now }}, sl
}

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func between(lo, hi time.Duration) func(time.Duration) bool {
	return func(d time.Duration) bool { return d >= lo && d <= hi }
}

func TestDoRetries(t *testing.T) {
	t.Parallel()
	ok := answer{status: 200, body: `{"id":"x1"}`}
	first, second := between(250*time.Millisecond, 500*time.Millisecond), between(500*time.Millisecond, time.Second)
	tests := []struct {
		name       string
		answers    []answer
		creates    bool
		maxRetries int
		wantStatus int // 0: success; abort: a transport error
		attempts   int
		sleeps     []func(time.Duration) bool
		retryAfter time.Duration // of the error
	}{
		{"5xx backs off exponentially with jitter", []answer{{status: 503}, {status: 500}, ok}, false, 0, 0, 3, []func(time.Duration) bool{first, second}, 0},
		{"429 waits a short Retry-After", []answer{{status: 429, retryAfter: "1"}, ok}, false, 0, 0, 2, []func(time.Duration) bool{between(time.Second, time.Second)}, 0},
		{"a cut connection is retried", []answer{{status: abort}, ok}, false, 0, 0, 2, []func(time.Duration) bool{first}, 0},
		{"4xx is not retried", []answer{{status: 400, body: `{"message":"no"}`}}, false, 0, 400, 1, nil, 0},
		{"gives up after MaxRetries", []answer{{status: 502}}, false, 2, 502, 3, []func(time.Duration) bool{first, second}, 0},
		{"negative MaxRetries: no retry", []answer{{status: 502}, ok}, false, -1, 502, 1, nil, 0},
		{"a backoff over MaxInCallWait ends the call", []answer{{status: 503}}, false, 10, 503, 3, []func(time.Duration) bool{first, second}, 0},
		{"a Retry-After over MaxInCallWait ends the call unslept", []answer{{status: 429, retryAfter: "2"}, ok}, false, 0, 429, 1, nil, 2 * time.Second},
		{"an HTTP-date Retry-After is read", []answer{{status: 503, retryAfter: "Tue, 04 Mar 2025 10:10:00 GMT"}, ok}, false, 0, 503, 1, nil, 10 * time.Minute},
		{"Creates: 429 is retried", []answer{{status: 429, retryAfter: "1"}, ok}, true, 0, 0, 2, []func(time.Duration) bool{between(time.Second, time.Second)}, 0},
		{"Creates: 5xx is not retried", []answer{{status: 503}, ok}, true, 0, 503, 1, nil, 0},
		{"Creates: a cut connection is not retried", []answer{{status: abort}, ok}, true, 0, abort, 1, nil, 0},
		{"Creates: a long Retry-After ends the call", []answer{{status: 429, retryAfter: "120"}, ok}, true, 0, 429, 1, nil, 2 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c, sl := serve(t, tc.answers...)
			c.MaxRetries = tc.maxRetries
			body := []byte(strings.Repeat(`{"note":"résumé"}`, 5000)) // more than one read's worth
			var out struct{ ID string }
			err := c.JSON(context.Background(), atshttp.Request{Method: http.MethodPost, Path: "/notes", Body: body, ContentType: "application/json", Creates: tc.creates}, &out)

			var se *atshttp.StatusError
			var te *atshttp.TransportError
			switch {
			case tc.wantStatus == 0 && (err != nil || out.ID != "x1"):
				t.Fatalf("err = %v, out = %+v; want x1", err, out)
			case tc.wantStatus == abort && !errors.As(err, &te):
				t.Fatalf("err = %v, want a transport error", err)
			case tc.wantStatus > 0 && (!errors.As(err, &se) || se.StatusCode != tc.wantStatus || se.RetryAfter != tc.retryAfter):
				t.Fatalf("err = %v, want HTTP %d with RetryAfter %v", err, tc.wantStatus, tc.retryAfter)
			}
			got := s.seen()
			if len(got) != tc.attempts {
				t.Errorf("%d attempts, want %d", len(got), tc.attempts)
			}
			for i, r := range got {
				if string(r.body) != string(body) || r.contentType != "application/json" || r.path != "/v1/notes" {
					t.Errorf("attempt %d: %s %s, %d bytes of %s; want the whole body again", i, r.method, r.path, len(r.body), r.contentType)
				}
			}
			if s := sl.got(); len(s) != len(tc.sleeps) {
				t.Errorf("sleeps %v, want %d", s, len(tc.sleeps))
			} else {
				for i, okd := range tc.sleeps {
					if !okd(s[i]) {
						t.Errorf("sleep %d = %v", i, s[i])
					}
				}
			}
		})
	}
}

func TestCancelledWhileWaitingToRetry(t *testing.T) {
	t.Parallel()
	s, c, _ := serve(t, answer{status: 503, body: "down"})
	ctx, cancel := context.WithCancel(context.Background())
	c.Sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	_, err := c.Do(ctx, atshttp.Request{Method: http.MethodGet, Path: "/x"})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Fatalf("err = %v, want context.Canceled naming the last 503", err)
	}
	if n := len(s.seen()); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// fakeLimiter counts acquisitions and releases, and can refuse.
type fakeLimiter struct {
	mu                 sync.Mutex
	acquired, released int
	tags               []string
	refuse             error
	observed           []int
}

func (l *fakeLimiter) Acquire(_ context.Context, rq atshttp.Request, _ func() time.Time, _ func(context.Context, time.Duration) error) (func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refuse != nil {
		return nil, l.refuse
	}
	l.acquired++
	l.tags = append(l.tags, rq.Tag)
	return func() { l.mu.Lock(); l.released++; l.mu.Unlock() }, nil
}

type observingLimiter struct{ *fakeLimiter }

func (l observingLimiter) Observe(status int, h http.Header, _ time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.observed = append(l.observed, status)
	if h.Get("Retry-After") == "" && status == 429 {
		panic("Observe did not get the answer's headers")
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	t.Run("acquired before every attempt, released after", func(t *testing.T) {
		t.Parallel()
		s, c, _ := serve(t, answer{status: 500}, answer{status: 200})
		l := &fakeLimiter{}
		c.Limiter = l
		if _, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/candidates", Tag: "candidates"}); err != nil {
			t.Fatal(err)
		}
		if l.acquired != 2 || l.released != 2 || len(s.seen()) != 2 || !reflect.DeepEqual(l.tags, []string{"candidates", "candidates"}) {
			t.Errorf("acquired %d, released %d, tags %v for %d attempts", l.acquired, l.released, l.tags, len(s.seen()))
		}
	})
	t.Run("a WaitError ends the call before anything is sent", func(t *testing.T) {
		t.Parallel()
		s, c, sl := serve(t, answer{status: 200})
		c.Limiter = &fakeLimiter{refuse: &atshttp.WaitError{Wait: 5 * time.Second}}
		_, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"})
		var we *atshttp.WaitError
		if !errors.As(err, &we) || we.Wait != 5*time.Second || !strings.Contains(err.Error(), "GET /x: rate limit wait") {
			t.Fatalf("err = %v, want the WaitError", err)
		}
		if len(s.seen()) != 0 || len(sl.got()) != 0 {
			t.Errorf("%d requests sent, slept %v", len(s.seen()), sl.got())
		}
	})
	t.Run("a ResponseObserver sees each answer", func(t *testing.T) {
		t.Parallel()
		_, c, _ := serve(t, answer{status: 429, retryAfter: "1"}, answer{status: 503}, answer{status: 200})
		l := observingLimiter{&fakeLimiter{}}
		c.Limiter = l
		if _, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(l.observed, []int{429, 503, 200}) {
			t.Errorf("observed %v, want [429 503 200]", l.observed)
		}
		// A request the ATS does not count (a token endpoint) is neither
		// limited nor observed.
		if _, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodPost, Path: "/token", Unauthenticated: true}); err != nil {
			t.Fatal(err)
		}
		if l.acquired != 3 || len(l.observed) != 3 {
			t.Errorf("unauthenticated request: acquired %d, observed %v", l.acquired, l.observed)
		}
	})
	t.Run("RateLimit paces on the client's clock", func(t *testing.T) {
		t.Parallel()
		s, c, sl := serve(t, answer{status: 200})
		now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
		c.Now = func() time.Time { return now }
		c.Limiter = atshttp.NewRateLimit(2, 1) // a token each 500ms
		for range 2 {
			if _, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"}); err != nil {
				t.Fatal(err)
			}
		}
		if got := sl.got(); !reflect.DeepEqual(got, []time.Duration{500 * time.Millisecond}) || len(s.seen()) != 2 {
			t.Errorf("sleeps %v for %d requests, want [500ms]", got, len(s.seen()))
		}
	})
}

// tokens is a Refresher handing out t1, t2, … and recording invalidations.
type tokens struct {
	mu          sync.Mutex
	n           int
	current     string
	invalidated []string
}

func (a *tokens) Apply(_ context.Context, r *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.current == "" {
		a.n++
		a.current = fmt.Sprintf("tok-%d-secret", a.n)
	}
	r.Header.Set("Authorization", "Bearer "+a.current)
	return nil
}

func (a *tokens) Secrets() []string { return nil } // the token sent is redacted by the client

func (a *tokens) Invalidate(r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sent := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.invalidated = append(a.invalidated, sent)
	if sent == a.current {
		a.current = ""
	}
}

func TestRefresherGetsOneRetryOn401(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		auth        func() atshttp.Auth
		answers     []answer
		creates     bool
		wantStatus  int
		wantAuth    []string
		invalidated []string
	}{
		{"a stale token is replaced once", func() atshttp.Auth { return &tokens{} },
			[]answer{{status: 401}, {status: 200}}, false, 0, []string{"Bearer tok-1-secret", "Bearer tok-2-secret"}, []string{"tok-1-secret"}},
		{"a Creates request too: a 401 applied nothing", func() atshttp.Auth { return &tokens{} },
			[]answer{{status: 401}, {status: 200}}, true, 0, []string{"Bearer tok-1-secret", "Bearer tok-2-secret"}, []string{"tok-1-secret"}},
		{"a second 401 ends the call", func() atshttp.Auth { return &tokens{} },
			[]answer{{status: 401}}, false, 401, []string{"Bearer tok-1-secret", "Bearer tok-2-secret"}, []string{"tok-1-secret"}},
		{"the retry does not count against MaxRetries", func() atshttp.Auth { return &tokens{} },
			[]answer{{status: 401}, {status: 503}, {status: 200}}, false, 0, []string{"Bearer tok-1-secret", "Bearer tok-2-secret", "Bearer tok-2-secret"}, []string{"tok-1-secret"}},
		{"a fixed credential is not retried", func() atshttp.Auth { return atshttp.Bearer("fixed-token") },
			[]answer{{status: 401}, {status: 200}}, false, 401, []string{"Bearer fixed-token"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c, _ := serve(t, tc.answers...)
			c.MaxRetries = 1
			c.Auth = tc.auth()
			_, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodPost, Path: "/x", Creates: tc.creates})
			var se *atshttp.StatusError
			if tc.wantStatus == 0 && err != nil || tc.wantStatus != 0 && (!errors.As(err, &se) || se.StatusCode != tc.wantStatus) {
				t.Fatalf("err = %v, want status %d", err, tc.wantStatus)
			}
			var auths []string
			for _, r := range s.seen() {
				auths = append(auths, r.auth)
			}
			if !reflect.DeepEqual(auths, tc.wantAuth) {
				t.Errorf("sent %v, want %v", auths, tc.wantAuth)
			}
			if tk, ok := c.Auth.(*tokens); ok && !reflect.DeepEqual(tk.invalidated, tc.invalidated) {
				t.Errorf("invalidated %v, want %v", tk.invalidated, tc.invalidated)
			}
		})
	}
}

// failingAuth cannot get its credential.
type failingAuth struct{ err error }

func (a failingAuth) Apply(context.Context, *http.Request) error { return a.err }
func (a failingAuth) Secrets() []string                          { return []string{"client-secret-77"} }

func TestCredentialFailureEndsTheCall(t *testing.T) {
	t.Parallel()
	s, c, sl := serve(t, answer{status: 200})
	// A token endpoint that is down: temporary, but retried by the Auth's
	// own request, not once more per retry of this one.
	tokenErr := &atshttp.StatusError{Method: "POST", Path: "/token", StatusCode: 503, Message: "echo client-secret-77"}
	c.Auth = failingAuth{err: fmt.Errorf("token: %w", tokenErr)}
	_, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/jobs/1"})
	var se *atshttp.StatusError
	if !errors.As(err, &se) || se != tokenErr || !strings.HasPrefix(err.Error(), "GET /jobs/1: token: POST /token: HTTP 503") {
		t.Fatalf("err = %v, want the token error in context", err)
	}
	if strings.Contains(err.Error(), "client-secret-77") {
		t.Errorf("error text carries the secret: %v", err)
	}
	if len(s.seen()) != 0 || len(sl.got()) != 0 {
		t.Errorf("%d requests, sleeps %v; want none", len(s.seen()), sl.got())
	}
}

func TestSecretsNeverInErrorText(t *testing.T) {
	t.Parallel()
	const user, pass, bearer = "lever-key-0a1b2c", "pw-3d4e5f", "bearer-6a7b8c9d"
	basicB64 := "bGV2ZXIta2V5LTBhMWIyYzpwdy0zZDRlNWY=" // base64(user:pass)
	auths := []struct {
		name    string
		auth    func() atshttp.Auth
		secrets []string
	}{
		{"basic", func() atshttp.Auth { return atshttp.Basic(user, pass) }, []string{user, pass, basicB64}},
		{"basic, empty password", func() atshttp.Auth { return atshttp.Basic(user, "") }, []string{user}},
		{"bearer", func() atshttp.Auth { return atshttp.Bearer(bearer) }, []string{bearer}},
		{"refreshed token", func() atshttp.Auth { return &tokens{} }, []string{"tok-1-secret", "tok-2-secret"}},
	}
	// What a misbehaving proxy echoes back.
	echoes := []struct {
		name   string
		decode bool
		write  func(w http.ResponseWriter, r *http.Request)
	}{
		{"the Authorization header, as text", false, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "bad gateway: %s", r.Header.Get("Authorization"))
		}},
		{"the credential in a JSON error", true, func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			_, cred, _ := strings.Cut(h, " ")
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]string{"code": "Forbidden " + cred, "message": "header " + h})
		}},
		{"the credential JSON-escaped", true, func(w http.ResponseWriter, r *http.Request) {
			_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"code":"x","message":"%s"}`, strings.ReplaceAll(cred, "-", `\u002d`))
		}},
	}
	for _, a := range auths {
		for _, e := range echoes {
			t.Run(a.name+"/"+e.name, func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(e.write))
				defer srv.Close()
				c := &atshttp.Client{BaseURL: srv.URL, HTTP: srv.Client(), Auth: a.auth(), MaxRetries: -1}
				if e.decode {
					c.DecodeError = func(b []byte) (string, string, bool) {
						var eb struct{ Code, Message string }
						return eb.Code, eb.Message, json.Unmarshal(b, &eb) == nil
					}
				}
				_, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"})
				var se *atshttp.StatusError
				if !errors.As(err, &se) {
					t.Fatalf("err = %v", err)
				}
				text := fmt.Sprintf("%v|%+v|%s", err, *se, se.Body)
				for _, sec := range a.secrets {
					if strings.Contains(text, sec) {
						t.Errorf("error carries %q: %s", sec, text)
					}
				}
				if !strings.Contains(err.Error(), "[redacted]") {
					t.Errorf("error lost the echoed text: %v", err)
				}
			})
		}
	}
}

func TestTransportErrorsCarryNoSecret(t *testing.T) {
	t.Parallel()
	const key = "api-key-5e6f7a8b"
	// A transport that fails naming what it was sent.
	echo := roundTripper(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("proxy refused %s", r.Header.Get("Authorization"))
	})
	c := &atshttp.Client{BaseURL: "https://ats.example", HTTP: &http.Client{Transport: echo}, Auth: atshttp.Bearer(key), MaxRetries: -1}
	_, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodPost, URL: "https://ats.example/callback/9?token=callback-secret-1234", Body: []byte("{}")})
	var te *atshttp.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a transport error", err)
	}
	if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "callback-secret-1234") {
		t.Errorf("error text carries a secret: %v", err)
	}
	if !strings.Contains(err.Error(), "POST /callback/9") || !strings.Contains(err.Error(), "proxy refused [redacted]") {
		t.Errorf("error lost its context: %v", err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestURLOverrideMergesTheQuery(t *testing.T) {
	t.Parallel()
	s, c, _ := serve(t, answer{status: 404, body: "gone"})
	tests := []struct {
		name             string
		rq               atshttp.Request
		wantPath, wantQ  string
		wantErrPathInErr string
	}{
		{"path under BaseURL", atshttp.Request{Path: "/opportunities/o%201", Query: map[string][]string{"expand": {"stage", "applications"}}},
			"/v1/opportunities/o 1", "expand=stage&expand=applications", "GET /opportunities/o%201: HTTP 404"},
		{"absolute URL with its own query", atshttp.Request{URL: c.BaseURL + "next?page=2&limit=5", Query: map[string][]string{"limit": {"100"}, "q": {"a b"}}},
			"/v1/next", "limit=100&page=2&q=a+b", "GET /v1/next: HTTP 404"},
		{"absolute URL alone, query kept as given", atshttp.Request{URL: c.BaseURL + "next?z=1&a=2"},
			"/v1/next", "z=1&a=2", "GET /v1/next: HTTP 404"},
	}
	for i, tc := range tests {
		tc.rq.Method = http.MethodGet
		_, err := c.Do(context.Background(), tc.rq)
		got := s.seen()[i]
		if got.path != tc.wantPath || got.query != tc.wantQ {
			t.Errorf("%s: sent %s?%s, want %s?%s", tc.name, got.path, got.query, tc.wantPath, tc.wantQ)
		}
		if err == nil || err.Error() != tc.wantErrPathInErr+": gone" {
			t.Errorf("%s: err = %v, want %q (no query)", tc.name, err, tc.wantErrPathInErr+": gone")
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"at the limit", 200, "0123456789", true},
		{"over the limit", 200, "0123456789x", false},
		{"an error body over the limit is still an error of its status", 500, strings.Repeat("e", 100), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, c, _ := serve(t, answer{status: tc.status, body: tc.body})
			c.MaxResponseBytes, c.MaxRetries = 10, -1
			resp, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"})
			var se *atshttp.StatusError
			switch {
			case tc.ok && (err != nil || string(resp.Body) != tc.body):
				t.Fatalf("err = %v", err)
			case !tc.ok && tc.status == 200 && (err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") || errors.As(err, &se)):
				t.Fatalf("err = %v, want the limit", err)
			case tc.status == 500 && (!errors.As(err, &se) || se.StatusCode != 500 || len(se.Body) > 11):
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestDecodeError(t *testing.T) {
	t.Parallel()
	decode := func(b []byte) (string, string, bool) {
		var eb struct{ Code, Message string }
		return eb.Code, eb.Message, json.Unmarshal(b, &eb) == nil
	}
	tests := []struct {
		name, body, wantCode, wantMsg string
	}{
		{"the ATS's code and message", `{"code":"NotFound","message":"no such job"}`, "NotFound", "no such job"},
		{"not JSON: a printable snippet", "<html>\n<b>Bad\x1b[31m gateway</b>", "", "<html> <b>Bad [31m gateway</b>"},
		{"JSON without either: the snippet", `{"other":1}`, "", `{"other":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, c, _ := serve(t, answer{status: 404, body: tc.body})
			c.DecodeError = decode
			_, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/jobs/1"})
			var se *atshttp.StatusError
			if !errors.As(err, &se) || se.Code != tc.wantCode || se.Message != tc.wantMsg || string(se.Body) != tc.body || se.Temporary() {
				t.Fatalf("err = %v (%+v), want code %q message %q", err, se, tc.wantCode, tc.wantMsg)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	_, c, _ := serve(t, answer{status: 204})
	out := struct{ ID string }{ID: "kept"}
	if err := c.JSON(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"}, &out); err != nil || out.ID != "kept" {
		t.Fatalf("204: %v, %+v", err, out)
	}
	_, c, _ = serve(t, answer{status: 200, body: "not json"})
	if err := c.JSON(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"}, &out); err == nil || !strings.HasPrefix(err.Error(), "GET /x: decode response") {
		t.Fatalf("bad JSON: %v", err)
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	c := &atshttp.Client{BaseURL: srv.URL, HTTP: srv.Client(), UserAgent: "switchboard-test/1", Auth: atshttp.Basic("k", "")}
	if _, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x", Header: http.Header{"x-partner": {"a"}}}); err != nil {
		t.Fatal(err)
	}
	if got.Get("Accept") != "application/json" || got.Get("User-Agent") != "switchboard-test/1" || got.Get("X-Partner") != "a" || got.Get("Authorization") != "Basic azo=" {
		t.Errorf("headers %v", got)
	}
	got = nil
	if _, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodPost, Path: "/token", Unauthenticated: true}); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "" {
		t.Errorf("an unauthenticated request sent %q", got.Get("Authorization"))
	}
}

func TestPoolOneEntryPerCredential(t *testing.T) {
	t.Parallel()
	made := 0
	p := atshttp.NewPool(func() *atshttp.RateLimit { made++; return atshttp.NewRateLimit(1, 1) })
	var wg sync.WaitGroup
	got := make([]*atshttp.RateLimit, 20)
	for i := range got {
		wg.Go(func() { got[i] = p.For("key-a") })
	}
	wg.Wait()
	for _, l := range got {
		if l != got[0] {
			t.Fatal("one credential got two entries")
		}
	}
	if p.For("key-b") == got[0] || made != 2 {
		t.Errorf("two credentials share an entry, or %d made", made)
	}
}

func TestFileBody(t *testing.T) {
	t.Parallel()
	data := []byte("%PDF-1.7\x00\xff report")
	for _, ct := range []string{"application/pdf", ""} {
		body, formType, err := atshttp.FileBody("file", "Ann Lee – report.pdf", ct, data)
		if err != nil {
			t.Fatal(err)
		}
		r, err := http.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", formType)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		fhs := r.MultipartForm.File["file"]
		if len(fhs) != 1 || fhs[0].Filename != "Ann Lee – report.pdf" {
			t.Fatalf("parts %+v", r.MultipartForm.File)
		}
		f, _ := fhs[0].Open()
		got, _ := io.ReadAll(f)
		want := ct
		if want == "" {
			want = "application/octet-stream"
		}
		if string(got) != string(data) || fhs[0].Header.Get("Content-Type") != want {
			t.Errorf("content type %q (want %q), data %q", fhs[0].Header.Get("Content-Type"), want, got)
		}
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	tests := []struct {
		name string
		opt  atshttp.Option
		want func(c *atshttp.Client) bool
	}{
		{"WithMaxRetries(0) is none, not the default", atshttp.WithMaxRetries(0), func(c *atshttp.Client) bool { return c.MaxRetries < 0 }},
		{"WithMaxRetries(-3) is none", atshttp.WithMaxRetries(-3), func(c *atshttp.Client) bool { return c.MaxRetries < 0 }},
		{"WithMaxRetries(2)", atshttp.WithMaxRetries(2), func(c *atshttp.Client) bool { return c.MaxRetries == 2 }},
		{"WithHTTPClient(nil) keeps the client", atshttp.WithHTTPClient(nil), func(c *atshttp.Client) bool { return c.HTTP == hc }},
		{"WithSleep(nil) keeps none", atshttp.WithSleep(nil), func(c *atshttp.Client) bool { return c.Sleep == nil }},
		{"WithClock(nil) keeps none", atshttp.WithClock(nil), func(c *atshttp.Client) bool { return c.Now == nil }},
	}
	for _, tc := range tests {
		c := &atshttp.Client{HTTP: hc}
		tc.opt(c)
		if !tc.want(c) {
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
	// A zero MaxRetries is DefaultMaxRetries: five attempts in all.
	busy := answer{status: 429, retryAfter: "1"} // a wait the call may take, unlike a growing backoff
	s, c, _ := serve(t, busy, busy, busy, busy, answer{status: 200})
	if _, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/x"}); err != nil || len(s.seen()) != 1+atshttp.DefaultMaxRetries {
		t.Errorf("%d attempts (%v), want %d", len(s.seen()), err, 1+atshttp.DefaultMaxRetries)
	}
}
