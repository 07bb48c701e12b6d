package lever_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
)

const apiKey = "test-api-key-5b1f0e"

// fakeClock drives the simulator; the client's sleeps advance it, so
// backoff and the simulator's token bucket meet without real waiting.
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

type fixture struct {
	sim       *leversim.Server
	srv       *httptest.Server
	clock     *fakeClock
	transport *countingTransport

	mu     sync.Mutex
	sleeps []time.Duration
}

func newFixture(t *testing.T, opts ...leversim.Option) *fixture {
	t.Helper()
	f := &fixture{clock: &fakeClock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}}
	f.sim = leversim.New(append([]leversim.Option{leversim.WithClock(f.clock.Now)}, opts...)...)
	f.sim.AddAPIKey(apiKey)
	f.srv = httptest.NewServer(f.sim.Handler())
	t.Cleanup(f.srv.Close)
	f.transport = &countingTransport{next: f.srv.Client().Transport}
	return f
}

func (f *fixture) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	f.mu.Unlock()
	f.clock.Advance(d)
	return ctx.Err()
}

func (f *fixture) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

func (f *fixture) client(key string, opts ...lever.Option) *lever.Client {
	base := []lever.Option{
		lever.WithHTTPClient(&http.Client{Transport: f.transport}),
		lever.WithLimiter(nil),
		lever.WithSleep(f.sleep),
	}
	return lever.NewClient(f.srv.URL+"/v1", key, append(base, opts...)...)
}

// seed adds an owner, a tagged posting and an applicant.
func (f *fixture) seed(t *testing.T) (lever.User, lever.Posting, lever.Opportunity) {
	t.Helper()
	owner := f.sim.AddUser("Rita Recruiter", "rita@example.com")
	posting := f.sim.AddPosting("Barista", []string{"switchboard"}, owner.ID)
	opp, _, err := f.sim.CreateOpportunity(context.Background(), "Ann Lee", "ann@example.com", posting.ID)
	if err != nil {
		t.Fatal(err)
	}
	return owner, posting, opp
}

func TestGetOpportunityExpandsStageAndApplications(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	owner, posting, opp := f.seed(t)
	phone := f.sim.Stages()[3]
	if _, err := f.sim.MoveStage(context.Background(), opp.ID, phone.ID); err != nil {
		t.Fatal(err)
	}

	got, err := f.client(apiKey).GetOpportunity(context.Background(), opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage.Stage == nil || got.Stage.ID != phone.ID || got.Stage.Stage.Text != "Phone Screen" {
		t.Errorf("stage = %+v, want expanded %+v", got.Stage, phone)
	}
	if ids := got.PostingIDs(); !reflect.DeepEqual(ids, []string{posting.ID}) {
		t.Errorf("PostingIDs = %v", ids)
	}
	if app := got.Applications[0].Application; app == nil || app.PostingOwner != owner.ID {
		t.Errorf("application = %+v, want expanded with postingOwner %s", app, owner.ID)
	}
	if !reflect.DeepEqual(got.Emails, []string{"ann@example.com"}) || len(got.StageChanges) != 2 {
		t.Errorf("emails %v, stage changes %v", got.Emails, got.StageChanges)
	}

	gotPosting, err := f.client(apiKey).GetPosting(context.Background(), posting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotPosting.Owner.ID != owner.ID || !gotPosting.HasTag("switchboard") || gotPosting.HasTag("Switchboard") {
		t.Errorf("posting = %+v", gotPosting)
	}
	_, err = f.client(apiKey).GetPosting(context.Background(), "no-such-posting")
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound || !strings.HasPrefix(err.Error(), "lever: get posting: GET /postings/no-such-posting: HTTP 404") {
		t.Errorf("unknown posting: %v", err)
	}
}

func TestGetOpportunitySendsRepeatedExpand(t *testing.T) {
	t.Parallel()
	var query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		// Lenient decoding: unexpanded stage, fields this client never heard of.
		fmt.Fprint(w, `{"data":{"id":"o1","stage":"s1","futureField":{"nested":[1,2]},"applications":["a1"]}}`)
	}))
	defer srv.Close()
	got, err := lever.NewClient(srv.URL, apiKey, lever.WithLimiter(nil)).GetOpportunity(context.Background(), "o1")
	if err != nil {
		t.Fatal(err)
	}
	if query != "expand=applications&expand=stage" {
		t.Errorf("query = %q", query)
	}
	if got.Stage.ID != "s1" || got.Stage.Stage != nil || got.Applications[0].ID != "a1" {
		t.Errorf("got %+v", got)
	}
}

func TestListsFollowPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 250 {
		f.sim.AddStage(fmt.Sprintf("Stage %03d", i))
	}
	for i := range 205 {
		f.sim.AddUser(fmt.Sprintf("User %d", i), fmt.Sprintf("u%d@example.com", i))
	}
	for i := range 101 {
		f.sim.AddPosting(fmt.Sprintf("Posting %d", i), nil, "")
	}
	c := f.client(apiKey)
	ctx := context.Background()

	stages, err := c.ListStages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stages, f.sim.Stages()) {
		t.Errorf("got %d stages, want the simulator's %d in order", len(stages), len(f.sim.Stages()))
	}
	users, err := c.ListUsers(ctx)
	if err != nil || len(users) != 205 {
		t.Fatalf("users: %d, %v", len(users), err)
	}
	postings, err := c.ListPostings(ctx)
	if err != nil || len(postings) != 101 || postings[100].Text != "Posting 100" {
		t.Fatalf("postings: %d, %v", len(postings), err)
	}
	for path, want := range map[string]int{"/stages": 3, "/users": 3, "/postings": 2} {
		if got := f.sim.RequestCount(http.MethodGet, path); got != want {
			t.Errorf("GET %s requests = %d, want %d pages", path, got, want)
		}
	}
}

func TestListRefusesEndlessPagination(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"id":"s","text":"S"}],"hasNext":true,"next":"same"}`)
	}))
	defer srv.Close()
	_, err := lever.NewClient(srv.URL, apiKey, lever.WithLimiter(nil)).ListStages(context.Background())
	if err == nil || !strings.Contains(err.Error(), "repeated next token") {
		t.Fatalf("err = %v", err)
	}
}

func TestListOpportunitiesFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, posting, opp := f.seed(t)
	if _, _, err := f.sim.CreateOpportunity(context.Background(), "Bob", "bob@example.com", ""); err != nil {
		t.Fatal(err)
	}
	c := f.client(apiKey)
	if err := c.AddTags(context.Background(), opp.ID, []string{"Switchboard: invited"}); err != nil {
		t.Fatal(err)
	}
	for name, filter := range map[string]lever.OpportunityFilter{
		"tag":     {Tag: "Switchboard: invited"},
		"posting": {PostingID: posting.ID},
		"email":   {Email: "ANN@example.com"},
	} {
		got, err := c.ListOpportunities(context.Background(), filter)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != opp.ID {
			t.Errorf("%s filter returned %d opportunities", name, len(got))
		}
	}
}

func TestRetries429Then500ThenSucceedsExactlyOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, opp := f.seed(t)
	f.sim.FailNext(1, http.StatusTooManyRequests, 0)
	f.sim.FailNext(1, http.StatusInternalServerError, 0)

	if err := f.client(apiKey).AddTags(context.Background(), opp.ID, []string{"Switchboard: invited"}); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.RequestCount(http.MethodPost, "/opportunities/{id}/addTags"); n != 1 {
		t.Errorf("addTags reached the handler %d times, want 1", n)
	}
	if n := f.transport.n.Load(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	// Without Retry-After: exponential backoff with jitter in [d/2, d].
	s := f.slept()
	if len(s) != 2 || s[0] < 250*time.Millisecond || s[0] > 500*time.Millisecond || s[1] < 500*time.Millisecond || s[1] > time.Second {
		t.Errorf("sleeps = %v, want one in [250ms,500ms] then one in [500ms,1s]", s)
	}
	got, _ := f.sim.Opportunity(opp.ID)
	if !reflect.DeepEqual(got.Tags, []string{"Switchboard: invited"}) {
		t.Errorf("tags = %v", got.Tags)
	}
}

// TestRetryAfterHonoured: a Retry-After of a moment is waited inside the
// call; a longer one ends the call with it, for the job queue to come back
// then (without a worker held), whatever the kind of request.
func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, opp := f.seed(t)
	f.sim.FailNext(1, http.StatusTooManyRequests, time.Second)
	f.sim.FailNext(1, http.StatusServiceUnavailable, time.Second)

	if err := f.client(apiKey).AddTags(context.Background(), opp.ID, []string{"Switchboard: invited"}); err != nil {
		t.Fatal(err)
	}
	if s := f.slept(); !reflect.DeepEqual(s, []time.Duration{time.Second, time.Second}) {
		t.Errorf("sleeps = %v, want [1s 1s]", s)
	}
}

// TestNoteIsNotRepeatedAfter5xx: a note POST that failed with a 5xx may have
// been applied, so only 429 is retried; a second note would be a duplicate.
func TestNoteIsNotRepeatedAfter5xx(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	owner, _, opp := f.seed(t)
	f.sim.FailNext(1, http.StatusTooManyRequests, time.Second)
	f.sim.FailNext(1, http.StatusServiceUnavailable, time.Second)

	_, err := f.client(apiKey).AddNote(context.Background(), opp.ID, owner.ID, "Invited to the assessment.")
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("AddNote after 429 then 503: %v, want the 503", err)
	}
	if s := f.slept(); !reflect.DeepEqual(s, []time.Duration{time.Second}) {
		t.Errorf("sleeps = %v, want only the 429's [1s]", s)
	}
	if n := f.sim.RequestCount(http.MethodPost, "/opportunities/{id}/notes"); n != 0 {
		t.Errorf("%d note requests reached the handler, want 0 (both were failed by the simulator)", n)
	}
}

func TestLongRetryAfterIsLeftToTheCaller(t *testing.T) {
	t.Parallel()
	for _, wait := range []time.Duration{2 * time.Second, 10 * time.Minute} {
		f := newFixture(t)
		owner, _, opp := f.seed(t)
		calls := []func() error{
			func() error {
				return f.client(apiKey).AddLinks(context.Background(), opp.ID, []string{"https://r.example/1"})
			},
			func() error {
				_, err := f.client(apiKey).AddNote(context.Background(), opp.ID, owner.ID, "hi")
				return err
			},
		}
		for i, call := range calls {
			f.sim.FailNext(1, http.StatusTooManyRequests, wait)
			err := call()
			var ae *atshttp.StatusError
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests || ae.RetryAfter != wait || !ae.Temporary() {
				t.Fatalf("call %d: err = %v, want a temporary 429 with RetryAfter %s", i, err, wait)
			}
		}
		if len(f.slept()) != 0 {
			t.Errorf("Retry-After %s: slept %v, want no sleep", wait, f.slept())
		}
	}
}

// TestLongRateLimitWaitIsLeftToTheCaller: a request whose token is further
// off than a moment is not sent and not waited for: the call ends saying how
// long, which the job queue turns into a snooze.
func TestLongRateLimitWaitIsLeftToTheCaller(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lim := rate.NewLimiter(1, 1) // on the fixture's clock, which only sleeps move
	c := f.client(apiKey, lever.WithLimiter(lim), lever.WithClock(f.clock.Now))
	ctx := context.Background()
	for i := range 2 { // the burst, then one a second later (slept)
		if _, err := c.ListStages(ctx); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	lim.ReserveN(f.clock.Now(), 1) // another client took the next token: two seconds off
	before := f.transport.n.Load()
	_, err := c.ListStages(ctx)
	var we *atshttp.WaitError
	if !errors.As(err, &we) || we.Wait <= atshttp.MaxInCallWait || we.Wait > 2*time.Second {
		t.Fatalf("err = %v, want a WaitError of more than a moment", err)
	}
	if v, after := ats.Classify(err); v != ats.FailRetry || after != we.Wait {
		t.Errorf("classified %v after %v, want retry after %v", v, after, we.Wait)
	}
	if f.transport.n.Load() != before {
		t.Error("a request was sent without a token")
	}
	if s := f.slept(); !reflect.DeepEqual(s, []time.Duration{time.Second}) {
		t.Errorf("sleeps = %v, want the second call's [1s]", s)
	}
}

func TestGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, opp := f.seed(t)
	f.sim.FailNext(10, http.StatusBadGateway, 0)

	err := f.client(apiKey, lever.WithMaxRetries(2)).AddLinks(context.Background(), opp.ID, []string{"https://r.example/1"})
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadGateway || !ae.Temporary() {
		t.Fatalf("err = %v, want 502 StatusError", err)
	}
	if !strings.HasPrefix(err.Error(), "lever: add links: POST /opportunities/") {
		t.Errorf("error lacks context: %q", err)
	}
	if n := f.transport.n.Load(); n != 3 {
		t.Errorf("%d attempts, want 1 + 2 retries", n)
	}
}

func TestWrongKeyIs401WithoutRetry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, opp := f.seed(t)
	const wrong = "wrong-key-9a8b7c"

	_, err := f.client(wrong).GetOpportunity(context.Background(), opp.ID)
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized || ae.Temporary() {
		t.Fatalf("err = %v, want 401 StatusError", err)
	}
	if ae.Code != lever.CodeUnauthorized || ae.Method != http.MethodGet || ae.Path != "/opportunities/"+opp.ID {
		t.Errorf("StatusError = %+v", ae)
	}
	if n := f.transport.n.Load(); n != 1 || len(f.slept()) != 0 {
		t.Errorf("%d attempts, sleeps %v: a 401 must not be retried", n, f.slept())
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error text contains the API key: %q", err)
	}
}

func TestAPIErrorNeverContainsTheKey(t *testing.T) {
	t.Parallel()
	// A misbehaving proxy echoes the credentials back in the error body.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, _, _ := r.BasicAuth()
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"code":"Forbidden %s","message":"key %s lacks the notes permission"}`, key, key)
	}))
	defer srv.Close()
	_, err := lever.NewClient(srv.URL, apiKey, lever.WithLimiter(nil)).AddNote(context.Background(), "o1", "", "hi")
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusForbidden {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), apiKey) || strings.Contains(ae.Code, apiKey) {
		t.Errorf("error text contains the API key: %q", err)
	}
}

func TestUnknownPerformAsIs400(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, opp := f.seed(t)
	_, err := f.client(apiKey).AddNote(context.Background(), opp.ID, "no-such-user", "x")
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v, want 400", err)
	}
	if f.transport.n.Load() != 1 {
		t.Error("a 400 was retried")
	}
}

func TestLimiterIsWaitedOnBeforeEveryAttempt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, opp := f.seed(t)
	// Rate 0: tokens never refill, so the count left is exact, whatever the wall clock does.
	lim := rate.NewLimiter(0, 10)
	c := f.client(apiKey, lever.WithLimiter(lim))
	f.sim.FailNext(1, http.StatusInternalServerError, 0)

	if err := c.AddTags(context.Background(), opp.ID, []string{"a"}); err != nil { // 2 attempts
		t.Fatal(err)
	}
	if _, err := c.ListStages(context.Background()); err != nil { // 1 page
		t.Fatal(err)
	}
	if got := lim.Tokens(); got != 7 {
		t.Errorf("tokens left = %v, want 10 - 3 attempts = 7", got)
	}

	// An exhausted bucket stops the request before it is sent.
	lim = rate.NewLimiter(0, 1)
	c = f.client(apiKey, lever.WithLimiter(lim))
	if _, err := c.ListStages(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := f.transport.n.Load()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	_, err := c.ListStages(ctx)
	var ae *atshttp.StatusError
	if err == nil || errors.As(err, &ae) || !strings.Contains(err.Error(), "rate limit wait") {
		t.Fatalf("err = %v, want a limiter error", err)
	}
	if f.transport.n.Load() != before {
		t.Error("a request was sent without a token")
	}
}

func TestLimiterPool(t *testing.T) {
	t.Parallel()
	pool := lever.NewLimiterPool()
	a := pool.For("key-a")
	if a.Limit() != lever.DefaultRate || a.Burst() != lever.DefaultBurst {
		t.Errorf("limit %v burst %d, want %v/s burst %d", a.Limit(), a.Burst(), lever.DefaultRate, lever.DefaultBurst)
	}
	var wg sync.WaitGroup
	got := make([]*rate.Limiter, 50)
	for i := range got {
		wg.Go(func() { got[i] = pool.For("key-a") })
	}
	wg.Wait()
	for _, l := range got {
		if l != a {
			t.Fatal("one key got two buckets")
		}
	}
	if pool.For("key-b") == a {
		t.Error("two keys share a bucket")
	}
}

func TestTransportErrorsAreRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var failed atomic.Bool
	flaky := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if failed.CompareAndSwap(false, true) {
			return nil, errors.New("connection reset by peer")
		}
		return f.transport.RoundTrip(r)
	})
	c := f.client(apiKey, lever.WithHTTPClient(&http.Client{Transport: flaky}))
	if _, err := c.ListStages(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(f.slept()) != 1 {
		t.Errorf("sleeps = %v, want 1", f.slept())
	}

	// A network that stays down surfaces the transport error after the retries.
	down := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("no route to host") })
	c = f.client(apiKey, lever.WithHTTPClient(&http.Client{Transport: down}), lever.WithMaxRetries(1))
	_, err := c.ListUsers(context.Background())
	var ae *atshttp.StatusError
	if err == nil || errors.As(err, &ae) || !strings.Contains(err.Error(), "no route to host") {
		t.Fatalf("err = %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (fn roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return fn(r) }

func TestCancelledContextStopsRetrying(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, opp := f.seed(t)
	f.sim.FailNext(5, http.StatusServiceUnavailable, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := f.client(apiKey, lever.WithSleep(func(ctx context.Context, d time.Duration) error {
		cancel() // the job is shutting down while we wait
		return ctx.Err()
	}))
	err := c.AddTags(ctx, opp.ID, []string{"a"})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Fatalf("err = %v, want context.Canceled mentioning the last 503", err)
	}
	if n := f.transport.n.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestUploadFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	owner, _, opp := f.seed(t)
	data := bytes.Repeat([]byte("%PDF-1.7 report\x00\xff"), 4096)
	f.sim.FailNext(1, http.StatusTooManyRequests, 0) // the retry must resend the whole body

	file, err := f.client(apiKey).UploadFile(context.Background(), opp.ID, owner.ID, "Ann Lee – report.pdf", "application/pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	if file.Name != "Ann Lee – report.pdf" || file.Ext != "pdf" || file.Size != int64(len(data)) || file.DownloadURL == "" {
		t.Errorf("file = %+v", file)
	}
	stored := f.sim.Files(opp.ID)
	if len(stored) != 1 || !bytes.Equal(stored[0].Data, data) || stored[0].ContentType != "application/pdf" || stored[0].UploadedBy != owner.ID {
		t.Fatalf("stored %d files; first: %+v", len(stored), stored[0].File)
	}

	req, _ := http.NewRequest(http.MethodGet, file.DownloadURL, nil)
	req.SetBasicAuth(apiKey, "")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Errorf("download: %d, %d bytes", resp.StatusCode, len(got))
	}
}

func TestUploadFileTooLargeIsRefusedLocally(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.client(apiKey).UploadFile(context.Background(), "o1", "", "big.pdf", "application/pdf", make([]byte, lever.MaxFileBytes+1))
	if !errors.Is(err, lever.ErrFileTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if f.transport.n.Load() != 0 {
		t.Error("the file was sent")
	}
}

func TestUpdateStageAndRemoveTags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	owner, _, opp := f.seed(t)
	c := f.client(apiKey)
	ctx := context.Background()
	screen := f.sim.Stages()[2]
	if err := c.UpdateStage(ctx, opp.ID, screen.ID, owner.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.AddTags(ctx, opp.ID, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveTags(ctx, opp.ID, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.sim.Opportunity(opp.ID)
	if got.Stage.ID != screen.ID || !reflect.DeepEqual(got.Tags, []string{"b"}) || !got.HasTag("b") || got.HasTag("a") {
		t.Errorf("stage %s tags %v", got.Stage.ID, got.Tags)
	}
	if last := got.StageChanges[len(got.StageChanges)-1]; last.UserID != owner.ID {
		t.Errorf("stage change %+v not attributed to %s", last, owner.ID)
	}
	// Empty lists send nothing.
	before := f.transport.n.Load()
	if err := c.AddTags(ctx, opp.ID, nil); err != nil || f.transport.n.Load() != before {
		t.Errorf("empty AddTags: %v, sent %v", err, f.transport.n.Load() != before)
	}
}

func TestEmptyArgumentsFailBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(apiKey)
	ctx := context.Background()
	calls := map[string]func() error{
		"GetOpportunity": func() error { _, err := c.GetOpportunity(ctx, ""); return err },
		"GetPosting":     func() error { _, err := c.GetPosting(ctx, ""); return err },
		"AddTags":        func() error { return c.AddTags(ctx, "", []string{"a"}) },
		"RemoveTags":     func() error { return c.RemoveTags(ctx, "", []string{"a"}) },
		"AddLinks":       func() error { return c.AddLinks(ctx, "", []string{"a"}) },
		"UpdateStage":    func() error { return c.UpdateStage(ctx, "o", "", "") },
		"AddNote":        func() error { _, err := c.AddNote(ctx, "", "", "x"); return err },
		"AddNote value":  func() error { _, err := c.AddNote(ctx, "o", "", ""); return err },
		"UploadFile":     func() error { _, err := c.UploadFile(ctx, "o", "", "", "", []byte("x")); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil || !strings.HasPrefix(err.Error(), "lever: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if n := f.transport.n.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestNonJSONErrorBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>\n<body>Bad gateway</body>\n</html>")
	}))
	defer srv.Close()
	_, err := lever.NewClient(srv.URL, apiKey, lever.WithLimiter(nil), lever.WithMaxRetries(0)).ListPostings(context.Background())
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadGateway || ae.Code != "" ||
		!strings.Contains(ae.Message, "Bad gateway") || strings.Contains(ae.Message, "\n") {
		t.Fatalf("err = %v (%+v)", err, ae)
	}
}

// TestPaceStaysUnderThePublishedLimit: a burst of calls through a pool's
// limiter is paced a margin under Lever's published limit (10/s, bursts of
// up to 20 in a second), as an independent checker counts them: never 20
// within one second, and never throttled by a bucket of exactly the limit.
func TestPaceStaysUnderThePublishedLimit(t *testing.T) {
	t.Parallel()
	if lever.DefaultRate >= lever.PublishedRate || float64(lever.DefaultBurst)+float64(lever.DefaultRate) >= lever.PublishedBurst {
		t.Fatalf("pace %v/s burst %d leaves no margin under %d/s, %d in a second", lever.DefaultRate, lever.DefaultBurst, lever.PublishedRate, lever.PublishedBurst)
	}
	f := newFixture(t) // simulator: a 10/s, burst 20 bucket on the fixture's clock
	c := f.client(apiKey, lever.WithLimiter(lever.NewLimiterPool().For(apiKey)), lever.WithClock(f.clock.Now))
	for i := range 60 {
		if _, err := c.ListStages(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := f.sim.MaxRequestsIn(time.Second); n >= lever.PublishedBurst {
		t.Errorf("%d requests within one second, want fewer than %d", n, lever.PublishedBurst)
	}
	if n := f.sim.ThrottledCount(); n != 0 {
		t.Errorf("throttled %d times", n)
	}
}
