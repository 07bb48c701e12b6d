package greenhousesim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/atssim/simkit"
)

const key = "partner-key"

// partner is a partner's four endpoints, answering test_status with status.
type partner struct {
	mu         sync.Mutex
	status     string // test_status' body
	statusHits int
	complaints []greenhouse.ResponseError
	sent       []map[string]any
}

func (p *partner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u, pw, ok := r.BasicAuth(); !ok || u != key || pw != "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.URL.Path {
	case "/list_tests":
		io.WriteString(w, `[{"partner_test_id":"t1","partner_test_name":"Logic"}]`)
	case "/send_test":
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		p.sent = append(p.sent, m)
		io.WriteString(w, `{"partner_interview_id":"ord_1"}`)
	case "/test_status":
		p.statusHits++
		if r.URL.Query().Get("partner_interview_id") != "ord_1" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		io.WriteString(w, p.status)
	case "/response_error":
		var re greenhouse.ResponseError
		_ = json.NewDecoder(r.Body).Decode(&re)
		p.complaints = append(p.complaints, re)
		io.WriteString(w, `{"status":200}`)
	}
}

func (p *partner) hits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.statusHits
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	p    *partner
	sim  *greenhousesim.Server
	url  string
	clk  *clock
	org  greenhousesim.Organization
	app  greenhousesim.Application
	test greenhousesim.TestInstance
}

func setup(t *testing.T, status string) *env {
	t.Helper()
	e := &env{p: &partner{status: status}, clk: &clock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}}
	ps := httptest.NewServer(e.p)
	t.Cleanup(ps.Close)
	e.sim = greenhousesim.New(greenhousesim.WithClock(e.clk.Now))
	srv := httptest.NewServer(e.sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(e.sim.Wait)
	e.url = srv.URL
	e.sim.SetBaseURL(srv.URL)
	var err error
	e.org, err = e.sim.AddOrganization("Acme", greenhousesim.Partner{ListTestsURL: ps.URL + "/list_tests", SendTestURL: ps.URL + "/send_test",
		TestStatusURL: ps.URL + "/test_status", ResponseErrorURL: ps.URL + "/response_error", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if e.app, err = e.sim.AddApplication(e.org.ID, "Ann", "Lee", "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	var c greenhousesim.Call
	e.test, c, err = e.sim.SendTest(context.Background(), e.app.ID, "t1")
	if err != nil || c.Status != 200 || e.test.PartnerInterviewID != "ord_1" {
		t.Fatalf("send_test: %v %d %+v", err, c.Status, e.test)
	}
	return e
}

func (e *env) ping(t *testing.T, id string, auth func(*http.Request)) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPatch, e.url+greenhousesim.PingPath+id, nil)
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e.sim.Wait()
	return resp.StatusCode
}

const complete = `{"partner_status":"complete","partner_profile_url":"https://p.example/r/1","partner_score":81,"metadata":{"Result":"Great fit"}}`

func TestSendTestAsGreenhouseWritesIt(t *testing.T) {
	t.Parallel()
	e := setup(t, `{"partner_status":"sent"}`)
	got := e.p.sent[0]
	cand := got["candidate"].(map[string]any)
	if got["partner_test_id"] != "t1" || cand["email"] != "ann@example.com" || cand["phone_number"] != nil ||
		!strings.HasPrefix(got["url"].(string), e.url+greenhousesim.PingPath) || !strings.Contains(cand["greenhouse_profile_url"].(string), "application_id=") {
		t.Errorf("send_test body %v", got)
	}
	if _, ok := cand["phone_number"]; !ok {
		t.Errorf("an empty phone number is sent as null, not left out: %v", cand)
	}
	tests, _, err := e.sim.ListTests(context.Background(), e.org.ID)
	if err != nil || len(tests) != 1 || tests[0].PartnerTestName != "Logic" {
		t.Errorf("list_tests %+v %v", tests, err)
	}
}

func TestPingAuth(t *testing.T) {
	t.Parallel()
	e := setup(t, complete)
	for name, tc := range map[string]struct {
		id     string
		auth   func(*http.Request)
		status int
	}{
		"no credentials": {e.test.ID, nil, 401},
		"wrong key":      {e.test.ID, func(r *http.Request) { r.SetBasicAuth("other", "") }, 401},
		"a password":     {e.test.ID, func(r *http.Request) { r.SetBasicAuth(key, "x") }, 401},
		"bearer":         {e.test.ID, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }, 401},
		"unknown test":   {"999999", func(r *http.Request) { r.SetBasicAuth(key, "") }, 404},
	} {
		if got := e.ping(t, tc.id, tc.auth); got != tc.status {
			t.Errorf("%s: %d, want %d", name, got, tc.status)
		}
	}
	if e.p.hits() != 0 {
		t.Fatalf("refused pings made Greenhouse poll %d times", e.p.hits())
	}
	if _, refused := e.sim.Pings(); refused != 4 {
		t.Errorf("%d pings refused for their credentials, want 4", refused)
	}
	if got := e.ping(t, e.test.ID, func(r *http.Request) { r.SetBasicAuth(key, "") }); got != 200 {
		t.Fatalf("ping: %d", got)
	}
	ti, _ := e.sim.Test(e.test.ID)
	if e.p.hits() != 1 || !ti.Complete || *ti.Score != 81 || ti.ProfileURL != "https://p.example/r/1" || ti.Metadata["Result"] != "Great fit" || ti.Pings != 1 {
		t.Errorf("after the ping Greenhouse shows %+v (%d polls)", ti, e.p.hits())
	}
	req, _ := http.NewRequest(http.MethodPost, e.url+greenhousesim.PingPath+e.test.ID, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
		t.Errorf("POST on the ping url: %d", resp.StatusCode)
	}
}

func TestPingFault(t *testing.T) {
	t.Parallel()
	e := setup(t, complete)
	e.sim.AddFault(1, simkit.Fault{Status: 503, RetryAfter: 2 * time.Second})
	auth := func(r *http.Request) { r.SetBasicAuth(key, "") }
	if got := e.ping(t, e.test.ID, auth); got != 503 {
		t.Fatalf("faulted ping: %d", got)
	}
	if got := e.ping(t, e.test.ID, auth); got != 200 || e.p.hits() != 1 {
		t.Fatalf("ping after the fault: %d, %d polls", got, e.p.hits())
	}
}

func TestPollSchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t, `{"partner_status":"sent","partner_profile_url":null,"partner_score":null}`)
	if n, _ := e.sim.PollDue(ctx); n != 0 {
		t.Fatalf("polled %d before the hour", n)
	}
	for i := 1; i <= 3; i++ {
		e.clk.Advance(greenhousesim.PollInterval)
		if n, err := e.sim.PollDue(ctx); n != 1 || err != nil {
			t.Fatalf("hour %d: polled %d (%v)", i, n, err)
		}
		if n, _ := e.sim.PollDue(ctx); n != 0 {
			t.Fatalf("hour %d: polled again within the hour", i)
		}
	}
	ti, _ := e.sim.Test(e.test.ID)
	if ti.Status != "sent" || ti.Complete || ti.Polls != 3 {
		t.Fatalf("%+v", ti)
	}
	e.p.mu.Lock()
	e.p.status = complete
	e.p.mu.Unlock()
	e.clk.Advance(greenhousesim.PollInterval)
	if n, _ := e.sim.PollDue(ctx); n != 1 {
		t.Fatal("not polled")
	}
	e.clk.Advance(greenhousesim.PollInterval)
	if n, _ := e.sim.PollDue(ctx); n != 0 {
		t.Errorf("a complete test polled again")
	}
}

func TestPollStopsAtHireAndAfterEightWeeks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t, `{"partner_status":"sent"}`)
	e.clk.Advance(greenhousesim.PollFor)
	if n, _ := e.sim.PollDue(ctx); n != 0 {
		t.Errorf("polled %d times 8 weeks after sending", n)
	}
	h := setup(t, `{"partner_status":"sent"}`)
	h.sim.Hire(h.app.ID)
	h.clk.Advance(greenhousesim.PollInterval)
	if n, _ := h.sim.PollDue(ctx); n != 0 {
		t.Errorf("polled a hired candidate's test")
	}
	if got := h.ping(t, h.test.ID, func(r *http.Request) { r.SetBasicAuth(key, "") }); got != 200 || h.p.hits() != 0 {
		t.Errorf("ping for a hired candidate: %d, %d polls; want it taken and not updated", got, h.p.hits())
	}
}

func TestMalformedAnswersAreReported(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"complete without link": `{"partner_status":"complete","partner_score":81}`,
		"score as string":       `{"partner_status":"sent","partner_score":"81"}`,
		"nested metadata":       `{"partner_status":"sent","metadata":{"a":{"b":1}}}`,
		"not JSON":              `<html>`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, body)
			if _, err := e.sim.Poll(context.Background(), e.test.ID); err != nil {
				t.Fatal(err)
			}
			ti, _ := e.sim.Test(e.test.ID)
			cs := e.sim.Complaints()
			if len(cs) != 1 || cs[0].Status != 200 || cs[0].Body.APICall != "test_status" || cs[0].Body.PartnerInterviewID != "ord_1" ||
				cs[0].Body.CandidateEmail != "ann@example.com" || len(cs[0].Body.Errors) == 0 || len(e.p.complaints) != 1 {
				t.Fatalf("complaints %+v", cs)
			}
			if ti.Complete || ti.Status != "" || len(ti.Malformed) == 0 {
				t.Errorf("a malformed answer changed what the recruiter sees: %+v", ti)
			}
		})
	}
}

func TestKeyLength(t *testing.T) {
	t.Parallel()
	s := greenhousesim.New()
	p := greenhousesim.Partner{ListTestsURL: "https://x/l", SendTestURL: "https://x/s", TestStatusURL: "https://x/t", ResponseErrorURL: "https://x/r", Key: strings.Repeat("k", 171)}
	if _, err := s.AddOrganization("A", p); err == nil {
		t.Error("a key of 171 characters was taken")
	}
	p.Key = strings.Repeat("k", 170)
	if _, err := s.AddOrganization("A", p); err != nil {
		t.Error(err)
	}
}

func TestDownAndRefuseKey(t *testing.T) {
	t.Parallel()
	e := setup(t, complete)
	auth := func(r *http.Request) { r.SetBasicAuth(key, "") }
	recover := e.sim.Down()
	if got := e.ping(t, e.test.ID, auth); got != 503 {
		t.Errorf("down: %d", got)
	}
	recover()
	restore := e.sim.RefuseKey()
	if got := e.ping(t, e.test.ID, auth); got != 401 {
		t.Errorf("key refused: %d", got)
	}
	restore()
	if e.p.hits() != 0 {
		t.Fatalf("failed pings made Greenhouse poll")
	}
	if got := e.ping(t, e.test.ID, auth); got != 200 || e.p.hits() != 1 {
		t.Errorf("recovered: %d, %d polls", got, e.p.hits())
	}
}

func TestOutage(t *testing.T) {
	t.Parallel()
	e := setup(t, complete)
	end := e.sim.Outage(simkit.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 90 * time.Second})
	for range 2 { // standing: not used up by the first ping
		req, _ := http.NewRequest(http.MethodPatch, e.url+greenhousesim.PingPath+e.test.ID, nil)
		req.SetBasicAuth(key, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "90" {
			t.Errorf("during the outage a ping is answered %d with Retry-After %q, want 503 and 90", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	end()
	if got := e.ping(t, e.test.ID, func(r *http.Request) { r.SetBasicAuth(key, "") }); got != http.StatusOK || e.p.hits() != 1 {
		t.Errorf("after the outage: %d, %d polls, want 200 and the one poll it set off", got, e.p.hits())
	}
}
