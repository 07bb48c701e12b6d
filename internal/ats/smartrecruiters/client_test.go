package smartrecruiters_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/internal/ats/atshttp"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/core"
)

var masterCreds = sr.ClientCredentials{ClientID: "partner-master", ClientSecret: "master-secret-5b1f0e"}

// fakeClock drives the simulator; the client's sleeps advance it, so
// backoff, token expiry and both token buckets meet without real waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingTransport counts attempts that reached the network.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ct.n.Add(1)
	return ct.next.RoundTrip(r)
}

// fixture is a simulator with a connected company (one job, one applicant)
// and a minimal partner that accepts every order.
type fixture struct {
	sim       *srsim.Server
	srv       *httptest.Server
	clock     *fakeClock
	transport *countingTransport
	company   srsim.Company
	customer  sr.ClientCredentials
	candID    string
	jobID     string

	sleeper
}

func newFixture(t *testing.T, opts ...srsim.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clock: &fakeClock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}}
	f.sleeper.clock = f.clock
	f.sim = srsim.New(append([]srsim.Option{srsim.WithClock(f.clock.Now)}, opts...)...)
	f.srv = httptest.NewServer(f.sim.Handler())
	t.Cleanup(f.srv.Close)
	f.sim.SetBaseURL(f.srv.URL)
	f.transport = &countingTransport{next: f.srv.Client().Transport}
	f.sim.RegisterPartner(masterCreds.ClientID, masterCreds.ClientSecret)

	partnerCreds := sr.ClientCredentials{ClientID: "hub", ClientSecret: "hub-secret"}
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/token":
			json.NewEncoder(w).Encode(sr.AccessToken{AccessToken: "p", ExpiresIn: 3600})
		case "/orders":
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "{}")
		case "/inline":
			json.NewEncoder(w).Encode(sr.NewInlineResponse("https://hub.example/take/1"))
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(partner.Close)
	master := f.client(masterCreds)
	cfg := sr.PartnerConfigurationRequest{
		ConsentURL: partner.URL + "/integration", ConsentDisplayMode: sr.ConsentRedirect,
		AssessmentPackageListURL: partner.URL + "/packages", SingleAssessmentPackageURL: partner.URL + "/packages/{assessmentPackageId}",
		PackageOrderURL: partner.URL + "/orders", InlineAssessmentPackageOrderURL: partner.URL + "/inline",
		OAuthTokenURL: partner.URL + "/token", SupportedAssessmentTypes: []sr.AssessmentType{sr.TypeSkillTest},
	}
	if _, err := master.SavePartnerConfiguration(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	f.company = f.sim.AddCompany("Acme")
	if _, err := f.sim.Connect(ctx, f.company.ID); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.customer, err = master.SetUpIntegration(ctx, f.company.ID, partnerCreds); err != nil {
		t.Fatal(err)
	}
	hp, err := f.sim.AddHiringProcess(f.company.ID, "Standard", "inline-pkg", srsim.Step{Name: "Applied"})
	if err != nil {
		t.Fatal(err)
	}
	job, err := f.sim.AddJob(f.company.ID, "Barista", hp.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	cand, err := f.sim.AddCandidate(f.company.ID, "Ann", "Lee", "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.candID, f.jobID = string(cand.ID), string(job.ID)
	if err := f.sim.Apply(f.company.ID, f.candID, f.jobID); err != nil {
		t.Fatal(err)
	}
	return f
}

// sleeper records the waits of the code under test and advances its
// fake clock by each, so that no test waits for real.
type sleeper struct {
	clock  *fakeClock
	mu     sync.Mutex
	sleeps []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.sleeps = append(s.sleeps, d)
	s.mu.Unlock()
	s.clock.Advance(d)
	return ctx.Err()
}

func (s *sleeper) slept() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sleeps...)
}

func (f *fixture) client(c sr.ClientCredentials, opts ...sr.Option) *sr.Client {
	return sr.NewClient(f.srv.URL, c, append([]sr.Option{
		sr.WithHTTPClient(&http.Client{Transport: f.transport}),
		sr.WithClock(f.clock.Now), sr.WithSleep(f.sleep),
	}, opts...)...)
}

func (f *fixture) order(t *testing.T) string {
	t.Helper()
	pls, err := f.sim.OrderAdHoc(context.Background(), f.company.ID, f.candID, f.jobID, "pkg-1")
	if err != nil || len(pls) != 1 || pls[0].Err != nil {
		t.Fatalf("order: %+v, %v", pls, err)
	}
	return pls[0].OrderID
}

func TestPatchResultsEachStatusInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cl := f.client(f.customer)
	orderID := f.order(t)
	sent := f.clock.Now()
	for _, st := range []core.State{core.StateReceived, core.StateInvited, core.StateInProgress} {
		status, ok := sr.StatusFor(st)
		if !ok {
			t.Fatalf("no status for %s", st)
		}
		if _, err := cl.PatchResults(ctx, orderID, sr.PackageResult{Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	o := core.Result{Score: &core.Score{Value: 82, Max: 100}, Label: "Great fit", Summary: "Great fit (82/100).",
		Components: []core.Component{{Key: "cog", Name: "Cognitive", Score: &core.Score{Value: 90, Max: 100}, Label: "Great fit"}}}
	want := sr.ResultFor(o, sr.ResultDetails{ResultURL: "https://hub.example/r/1", SentAt: sent, SubmittedAt: sent.Add(time.Hour)})
	got, err := cl.PatchResults(ctx, orderID, want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answer\n%+v\nwant\n%+v", got, want)
	}
	ord, _ := f.sim.Order(orderID)
	if h := []sr.Status{sr.StatusPending, sr.StatusInProgress, sr.StatusCompleted}; !reflect.DeepEqual(ord.StatusHistory, h) {
		t.Errorf("history %v, want %v", ord.StatusHistory, h)
	}
	if !reflect.DeepEqual(ord.Result, want) {
		t.Errorf("SmartRecruiters shows\n%+v\nwant\n%+v", ord.Result, want)
	}
	if ord.ResultURL() != "https://hub.example/r/1" || ord.Result.ScoreLabel != "Great fit" || ord.Result.Score.Raw != 82 {
		t.Errorf("profile shows result URL %q, label %q, score %+v", ord.ResultURL(), ord.Result.ScoreLabel, ord.Result.Score)
	}

	var ae *atshttp.StatusError
	_, err = cl.PatchResults(ctx, "no-such-order", sr.PackageResult{Status: sr.StatusPending})
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Message == "" {
		t.Errorf("unknown order: %v", err)
	}
	if !strings.HasPrefix(fmt.Sprint(err), "smartrecruiters: patch results: ") {
		t.Errorf("error not wrapped: %v", err)
	}
	// Invalid results fail before any request.
	before := f.transport.n.Load()
	if _, err := cl.PatchResults(ctx, orderID, sr.PackageResult{Status: "DONE"}); err == nil {
		t.Error("invalid status sent")
	}
	if f.transport.n.Load() != before {
		t.Error("an invalid result reached the network")
	}
	// The master credential may not write results.
	if _, err := f.client(masterCreds).PatchResults(ctx, orderID, sr.PackageResult{}); !errors.As(err, &ae) || ae.StatusCode != 403 {
		t.Errorf("master credential: %v, want 403", err)
	}
}

func TestUploadAttachment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cl := f.client(f.customer)
	orderID := f.order(t)
	pdf := []byte("%PDF-1.4 the report")
	ar, err := cl.UploadAttachment(ctx, orderID, "report.pdf", "application/pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PatchResults(ctx, orderID, sr.ResultFor(core.Result{Score: &core.Score{Value: 50, Max: 100}, Label: "Good fit"}, sr.ResultDetails{PDFURL: ar.URL})); err != nil {
		t.Fatal(err)
	}
	ord, _ := f.sim.Order(orderID)
	if len(ord.Attachments) != 1 || ord.Attachments[0].Part != sr.AttachmentPart || ord.Attachments[0].ContentType != "application/pdf" ||
		string(ord.Attachments[0].Data) != string(pdf) || ord.Attachments[0].URL != ar.URL {
		t.Errorf("attachments %+v", ord.Attachments)
	}
	if len(ord.Result.Attachments) != 1 || ord.Result.Attachments[0] != (sr.Attachment{Type: sr.AttachmentPDFURL, URL: ar.URL}) {
		t.Errorf("result attachments %+v", ord.Result.Attachments)
	}
	before := f.transport.n.Load()
	if _, err := cl.UploadAttachment(ctx, orderID, "big.pdf", "", make([]byte, sr.MaxAttachmentBytes+1)); !errors.Is(err, sr.ErrAttachmentTooLarge) {
		t.Errorf("too large: %v", err)
	}
	if f.transport.n.Load() != before {
		t.Error("a too large file reached the network")
	}
}

func TestSetApplicationProperties(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cl := f.client(f.customer)
	score, _ := f.sim.AddProperty(f.company.ID, "Matching score", srsim.PropertyText)
	label, _ := f.sim.AddProperty(f.company.ID, "Matching label", srsim.PropertySingleSelect, "v-great", "v-good", "v-poor")
	cog, _ := f.sim.AddProperty(f.company.ID, "Cognitive", srsim.PropertyText)
	wb := core.WriteBackConfig{
		ScoreField:      core.FieldMapping{Enabled: true, FieldID: score.ID},
		LabelField:      core.FieldMapping{Enabled: true, FieldID: label.ID},
		LabelValues:     map[string]string{"Great fit": "v-great", "Good fit": "v-good", "Poor fit": "v-poor"},
		IndicatorFields: map[string]core.FieldMapping{"cog": {Enabled: true, FieldID: cog.ID}},
	}
	o := core.Result{Score: &core.Score{Value: 61, Max: 100}, Label: "Good fit", Components: []core.Component{{Key: "cog", Score: &core.Score{Value: 44, Max: 100}}}}
	props, err := sr.PropertiesFor(o, wb)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SetApplicationProperties(ctx, f.candID, f.jobID, props); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{score.ID: "61", label.ID: "v-good", cog.ID: "44"}
	if got := f.sim.Properties(f.company.ID, f.candID, f.jobID); !reflect.DeepEqual(got, want) {
		t.Errorf("properties %v, want %v", got, want)
	}
	before := f.transport.n.Load()
	if err := cl.SetApplicationProperties(ctx, f.candID, f.jobID, nil); err != nil || f.transport.n.Load() != before {
		t.Errorf("empty batch: %v, %d requests", err, f.transport.n.Load()-before)
	}
	var ae *atshttp.StatusError
	if err := cl.SetApplicationProperties(ctx, f.candID, f.jobID, []sr.PropertyValue{sr.SelectProperty(label.ID, "Great fit")}); !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Errorf("label text instead of value id: %v, want 400", err)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	type fail struct {
		n, status  int
		retryAfter time.Duration
	}
	tests := []struct {
		name       string
		fails      []fail
		maxRetries int
		wantStatus int // 0: success
		attempts   int
		sleeps     func([]time.Duration) bool
	}{
		{"429 honours a short Retry-After", []fail{{2, 429, time.Second}}, 4, 0, 3,
			func(s []time.Duration) bool {
				return reflect.DeepEqual(s, []time.Duration{time.Second, time.Second})
			}},
		{"503 backs off exponentially", []fail{{2, 503, 0}}, 4, 0, 3,
			func(s []time.Duration) bool {
				return len(s) == 2 && s[0] >= 250*time.Millisecond && s[0] <= 500*time.Millisecond && s[1] >= 500*time.Millisecond && s[1] <= time.Second
			}},
		{"400 is not retried", []fail{{1, 400, 0}}, 4, 400, 1, func(s []time.Duration) bool { return len(s) == 0 }},
		{"long Retry-After goes back to the caller", []fail{{1, 429, 5 * time.Minute}}, 4, 429, 1, func(s []time.Duration) bool { return len(s) == 0 }},
		{"Retry-After of more than a moment goes back to the caller", []fail{{1, 429, 2 * time.Second}}, 4, 429, 1, func(s []time.Duration) bool { return len(s) == 0 }},
		{"gives up after max retries", []fail{{3, 500, 0}}, 2, 500, 3, func(s []time.Duration) bool { return len(s) == 2 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t)
			// Unpaced, so that the only waits are the retries'.
			cl := f.client(f.customer, sr.WithMaxRetries(tc.maxRetries), sr.WithLimits(sr.NewLimits(math.Inf(1), 1, sr.MaxConcurrent, 1)))
			if err := cl.Authenticate(ctx); err != nil {
				t.Fatal(err)
			}
			for _, fl := range tc.fails {
				f.sim.FailNext(fl.n, fl.status, fl.retryAfter)
			}
			before, slept := f.transport.n.Load(), len(f.slept())
			_, err := cl.GetJob(ctx, f.jobID)
			var ae *atshttp.StatusError
			switch {
			case tc.wantStatus == 0 && err != nil:
				t.Fatal(err)
			case tc.wantStatus != 0 && (!errors.As(err, &ae) || ae.StatusCode != tc.wantStatus):
				t.Fatalf("err = %v, want HTTP %d", err, tc.wantStatus)
			}
			if n := int(f.transport.n.Load() - before); n != tc.attempts {
				t.Errorf("attempts = %d, want %d", n, tc.attempts)
			}
			if s := f.slept()[slept:]; !tc.sleeps(s) {
				t.Errorf("sleeps %v", s)
			}
			if ae != nil && tc.wantStatus == 429 && ae.RetryAfter != tc.fails[0].retryAfter {
				t.Errorf("RetryAfter = %v", ae.RetryAfter)
			}
		})
	}
}

func TestTokenCachedAndRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, srsim.WithTokenTTL(time.Hour))
	cache := sr.NewTokenCache()
	a := f.client(f.customer, sr.WithTokenCache(cache))
	b := f.client(f.customer, sr.WithTokenCache(cache))
	for range 3 {
		for _, cl := range []*sr.Client{a, b} {
			if _, err := cl.GetJob(ctx, f.jobID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := f.sim.TokensIssued(f.customer.ClientID); n != 1 {
		t.Fatalf("tokens issued = %d, want 1 shared by both clients", n)
	}
	f.clock.Advance(58 * time.Minute) // more than a minute left: reused
	if _, err := a.GetJob(ctx, f.jobID); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.TokensIssued(f.customer.ClientID); n != 1 {
		t.Fatalf("tokens issued = %d, want 1", n)
	}
	f.clock.Advance(90 * time.Second) // within the last minute: replaced before it expires
	if _, err := a.GetJob(ctx, f.jobID); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.TokensIssued(f.customer.ClientID); n != 2 {
		t.Fatalf("tokens issued = %d, want 2", n)
	}
	// A token revoked early is replaced once, transparently.
	f.sim.RevokeTokens()
	if _, err := a.GetJob(ctx, f.jobID); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.TokensIssued(f.customer.ClientID); n != 3 {
		t.Fatalf("tokens issued = %d, want 3", n)
	}
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const secret = "wrong-secret-9f8e7d"
	cl := f.client(sr.ClientCredentials{ClientID: f.customer.ClientID, ClientSecret: secret})
	before := f.transport.n.Load()
	_, err := cl.GetJob(context.Background(), f.jobID)
	var ae *atshttp.StatusError
	if d := sr.ErrorDetails(err); !errors.As(err, &ae) || ae.StatusCode != 401 || len(d) != 1 || d[0].Code != sr.TokenErrInvalidClient {
		t.Fatalf("err = %#v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the secret: %v", err)
	}
	if n := f.transport.n.Load() - before; n != 1 {
		t.Errorf("%d requests, want 1 (no retry, no API call)", n)
	}
	if err := sr.NewClient(f.srv.URL, sr.ClientCredentials{ClientID: "x"}).Authenticate(context.Background()); err == nil {
		t.Error("a credential without a secret authenticated")
	}
}

// TestClientStaysUnderRateLimit: calls one after another (so that the
// fake clock, which each wait moves, is exact) run at the pace, 10 in any
// 1.05 s, and never over SmartRecruiters' published 10 requests in any one
// second as the simulator counts arrivals; nothing is refused.
func TestClientStaysUnderRateLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t) // simulator: 10/s, burst 10 on the shared clock
	cl := f.client(f.customer)
	if _, err := cl.GetJob(ctx, f.jobID); err != nil { // the token, and the first call
		t.Fatal(err)
	}
	start := f.clock.Now()
	for i := range 40 {
		if _, err := cl.GetJob(ctx, f.jobID); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := f.sim.ThrottledCount(); n != 0 {
		t.Errorf("ThrottledCount = %d, want 0", n)
	}
	if n := f.sim.MaxRequestsIn(time.Second); n > sr.RequestsPerSecond {
		t.Errorf("%d requests within one second, want at most the published %d", n, sr.RequestsPerSecond)
	}
	if n := f.sim.MaxRequestsIn(sr.PaceWindow); n != sr.PaceRequests {
		t.Errorf("%d requests within %v, want the pace's %d", n, sr.PaceWindow, sr.PaceRequests)
	}
	// The 41 calls are 4 windows of 10 and one more: the 41st starts 4
	// windows after the first.
	if d, want := f.clock.Now().Sub(start), 4*sr.PaceWindow; d != want {
		t.Errorf("waited %v, want %v", d, want)
	}
}

func TestClientStaysUnderConcurrencyLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		allowed int
		call    func(ctx context.Context, cl *sr.Client, f *fixture) error
	}{
		{"8 in flight", 8, func(ctx context.Context, cl *sr.Client, f *fixture) error {
			_, err := cl.GetJob(ctx, f.jobID)
			return err
		}},
		{"1 in flight for GET /candidates", 1, func(ctx context.Context, cl *sr.Client, f *fixture) error {
			_, err := cl.ListCandidates(ctx, f.jobID)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t, srsim.WithRateLimit(1000, 1000))
			cl := f.client(f.customer, sr.WithLimits(sr.NewLimits(1000, 1000, sr.MaxConcurrent, sr.MaxConcurrentCandidates)))
			if err := cl.Authenticate(ctx); err != nil {
				t.Fatal(err)
			}
			hold := f.sim.Hold()
			errs := make(chan error, tc.allowed+4)
			for range tc.allowed + 4 {
				go func() { errs <- tc.call(ctx, cl, f) }()
			}
			for range tc.allowed {
				<-hold.Entered()
			}
			if n := f.sim.InFlight(f.customer.ClientID); n != tc.allowed {
				t.Errorf("in flight = %d, want %d", n, tc.allowed)
			}
			hold.Release()
			for range tc.allowed + 4 {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			if n := f.sim.ThrottledCount(); n != 0 {
				t.Errorf("ThrottledCount = %d, want 0: the client exceeded the concurrency limit", n)
			}
		})
	}
}

func TestListCandidatesPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, srsim.WithRateLimit(1000, 1000))
	for i := range 150 {
		c, err := f.sim.AddCandidate(f.company.ID, "C", fmt.Sprint(i), fmt.Sprintf("c%d@example.com", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.sim.Apply(f.company.ID, string(c.ID), f.jobID); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.client(f.customer).ListCandidates(context.Background(), f.jobID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 151 || string(got[0].ID) != f.candID {
		t.Errorf("listed %d candidates", len(got))
	}
	if n := f.sim.RequestCount("GET", "/candidates"); n != 2 {
		t.Errorf("pages requested = %d, want 2", n)
	}
}

func TestGetCandidate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c, err := f.client(f.customer).GetCandidate(context.Background(), f.candID)
	if err != nil {
		t.Fatal(err)
	}
	apps := c.Applications()
	if c.Email != "ann@example.com" || len(apps) != 1 || string(apps[0].Job.ID) != f.jobID || apps[0].Job.Title != "Barista" {
		t.Errorf("candidate %+v", c)
	}
}

func TestPartnerConfigurationViaClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cl := f.client(masterCreds)
	got, err := cl.GetPartnerConfiguration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.sim.PartnerConfiguration()
	if !reflect.DeepEqual(got, stored) {
		t.Errorf("got %+v, simulator holds %+v", got, stored)
	}
	before := f.transport.n.Load()
	if _, err := cl.SavePartnerConfiguration(ctx, sr.PartnerConfigurationRequest{}); err == nil || f.transport.n.Load() != before {
		t.Errorf("invalid configuration: %v, %d requests", err, f.transport.n.Load()-before)
	}
}

func TestOrderIDFromCallback(t *testing.T) {
	t.Parallel()
	cl := sr.NewClient(sr.DefaultBaseURL, masterCreds)
	tests := []struct {
		url, want string
	}{
		{"https://api.smartrecruiters.com/assessment-api/v202010/orders/3f2c/results", "3f2c"},
		{"https://API.smartrecruiters.com/assessment-api/v202010/orders/3f2c/results/", "3f2c"},
		{"https://evil.example/assessment-api/v202010/orders/3f2c/results", ""},
		{"http://api.smartrecruiters.com/assessment-api/v202010/orders/3f2c/results", ""},
		{"https://api.smartrecruiters.com/other/orders/3f2c/results", ""},
		{"https://api.smartrecruiters.com.evil.example/assessment-api/v202010/orders/3f2c/results", ""},
	}
	for _, tc := range tests {
		got, err := cl.OrderIDFromCallback(tc.url)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("OrderIDFromCallback(%q) = %q, %v; want %q", tc.url, got, err, tc.want)
		}
	}
	if got := cl.ResultsURL("a b"); got != "https://api.smartrecruiters.com/assessment-api/v202010/orders/a%20b/results" {
		t.Errorf("ResultsURL = %s", got)
	}
}

// tokenThen serves a token endpoint and hands every other request to h.
func tokenThen(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == sr.TokenPath {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"tok-123456","expires_in":"3600","scope":"x"}`)
			return
		}
		h(w, r)
	}
}

func TestPatchFallsBackToMergePatchOn415(t *testing.T) {
	t.Parallel()
	var seen []string
	var mu sync.Mutex
	srv := httptest.NewServer(tokenThen(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Content-Type"))
		mu.Unlock()
		if r.Header.Get("Content-Type") != "application/merge-patch+json" {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			io.WriteString(w, `{"message":"Unsupported payload format"}`)
			return
		}
		io.Copy(w, r.Body)
	}))
	defer srv.Close()
	cl := sr.NewClient(srv.URL, masterCreds, sr.WithHTTPClient(srv.Client()))
	got, err := cl.PatchResults(context.Background(), "o1", sr.PackageResult{Status: sr.StatusExpired})
	if err != nil || got.Status != sr.StatusExpired {
		t.Fatalf("got %+v, %v", got, err)
	}
	if want := []string{"application/json", "application/merge-patch+json"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("content types %v, want %v", seen, want)
	}
}

func TestErrorsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	// A misbehaving proxy echoes the request back in its error pages.
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, "bad gateway: %s %s", r.Header.Get("Authorization"), b)
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		secret  string
	}{
		{"token endpoint echoes the form", echo, masterCreds.ClientSecret},
		{"API echoes the bearer token", tokenThen(echo), "tok-123456"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			cl := sr.NewClient(srv.URL, masterCreds, sr.WithHTTPClient(srv.Client()), sr.WithMaxRetries(0))
			_, err := cl.GetPartnerConfiguration(context.Background())
			var ae *atshttp.StatusError
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadGateway {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(err.Error(), tc.secret) || strings.Contains(fmt.Sprintf("%+v", ae), tc.secret) {
				t.Errorf("error shows a secret: %v", err)
			}
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("error lost the echoed text: %v", err)
			}
		})
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cl := f.client(f.customer, sr.WithSleep(func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}))
	if err := cl.Authenticate(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sim.FailNext(1, 503, 0)
	_, err := cl.GetJob(ctx, f.jobID)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSetUpIntegrationValidates(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(tokenThen(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"clientId":"only-id"}`)
	}))
	defer srv.Close()
	cl := sr.NewClient(srv.URL, masterCreds, sr.WithHTTPClient(srv.Client()))
	ctx := context.Background()
	if _, err := cl.SetUpIntegration(ctx, "c1", sr.ClientCredentials{ClientID: "a", ClientSecret: "b"}); err == nil {
		t.Error("an answer without a secret was accepted")
	}
	if _, err := cl.SetUpIntegration(ctx, "c1", sr.ClientCredentials{ClientID: "a"}); err == nil {
		t.Error("partner credentials without a secret were sent")
	}
	if _, err := cl.SetUpIntegration(ctx, "", sr.ClientCredentials{ClientID: "a", ClientSecret: "b"}); err == nil {
		t.Error("an empty company id was accepted")
	}
}

func TestLimiterPoolSharesPerCredential(t *testing.T) {
	t.Parallel()
	p := sr.NewLimiterPool()
	if p.For("a") != p.For("a") {
		t.Error("one credential got two limits")
	}
	if p.For("a") == p.For("b") {
		t.Error("two credentials share limits")
	}
}

// TestFieldErrorsStayReadable: SmartRecruiters' field errors are in the
// error's text and come back whole from ErrorDetails.
func TestFieldErrorsStayReadable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, wantText string
		want                 []sr.ErrorDetail
	}{
		{"message and field errors",
			`{"message":"Invalid properties","errors":[{"code":"INVALID_VALUE","message":"Value v-x not allowed"},{"code":"MISSING"}]}`,
			"PUT /candidates/c1/jobs/j1/properties: HTTP 400: Invalid properties; INVALID_VALUE: Value v-x not allowed; MISSING",
			[]sr.ErrorDetail{{Code: "INVALID_VALUE", Message: "Value v-x not allowed"}, {Code: "MISSING"}}},
		{"a field error repeating the message is said once",
			`{"message":"Job not found","errors":[{"code":"NOT_FOUND","message":"Job not found"}]}`,
			"PUT /candidates/c1/jobs/j1/properties: HTTP 400: Job not found",
			[]sr.ErrorDetail{{Code: "NOT_FOUND", Message: "Job not found"}}},
		{"not JSON", "<html>oops</html>", "PUT /candidates/c1/jobs/j1/properties: HTTP 400: <html>oops</html>", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tokenThen(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			err := sr.NewClient(srv.URL, masterCreds, sr.WithHTTPClient(srv.Client())).
				SetApplicationProperties(context.Background(), "c1", "j1", []sr.PropertyValue{sr.SelectProperty("p", "v-x")})
			if err == nil || err.Error() != "smartrecruiters: set application properties: "+tc.wantText {
				t.Errorf("err = %v, want %q", err, tc.wantText)
			}
			if got := sr.ErrorDetails(err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ErrorDetails = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestOneTokenRequestAtATime: callers of one credential that all need a
// token wait for one request rather than each starting their own.
func TestOneTokenRequestAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, srsim.WithRateLimit(1000, 1000))
	cl := f.client(f.customer, sr.WithTokenCache(sr.NewTokenCache()), sr.WithLimits(sr.NewLimits(1000, 1000, sr.MaxConcurrent, 1)))
	before := f.sim.TokensIssued(f.customer.ClientID)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := cl.GetJob(ctx, f.jobID)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.sim.TokensIssued(f.customer.ClientID) - before; n != 1 {
		t.Errorf("%d tokens issued for 16 concurrent calls, want 1", n)
	}
}
