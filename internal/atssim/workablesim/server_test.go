package workablesim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/workablesim"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setup(t *testing.T) (*workablesim.Server, *httptest.Server, *clock) {
	t.Helper()
	c := &clock{t: time.Unix(1_700_000_000, 0)} // the start of a 10-second window
	sim := workablesim.New(workablesim.WithClock(c.now))
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	sim.AddAccount("acme", "Acme")
	return sim, srv, c
}

func call(t *testing.T, method, url, token string, body any) *http.Response {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestRateLimitWindows(t *testing.T) {
	t.Parallel()
	sim, srv, c := setup(t)
	tok := sim.AddToken("acme", workablesim.AllScopes...)
	for i := range 10 {
		resp := call(t, "GET", srv.URL+"/acme/spi/v3/jobs", tok, nil)
		if resp.StatusCode != 200 || resp.Header.Get(workable.HeaderLimit) != "10" || resp.Header.Get(workable.HeaderRemaining) != strconv.Itoa(9-i) ||
			resp.Header.Get(workable.HeaderReset) != "1700000010" {
			t.Fatalf("request %d: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
	resp := call(t, "GET", srv.URL+"/acme/spi/v3/jobs", tok, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "10" || resp.Header.Get(workable.HeaderRemaining) != "0" || sim.OverLimit() != 1 {
		t.Fatalf("the 11th: %d %v, over %d", resp.StatusCode, resp.Header, sim.OverLimit())
	}
	c.add(10 * time.Second)
	if resp := call(t, "GET", srv.URL+"/acme/spi/v3/jobs", tok, nil); resp.StatusCode != 200 || resp.Header.Get(workable.HeaderRemaining) != "9" {
		t.Fatalf("in the next window: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestAuthAndScopes(t *testing.T) {
	t.Parallel()
	sim, srv, _ := setup(t)
	sim.AddAccount("other", "Other")
	readOnly := sim.AddToken("acme", workablesim.ScopeReadJobs)
	otherTok := sim.AddToken("other", workablesim.AllScopes...)
	for _, tc := range []struct {
		name, method, path, token string
		want                      int
	}{
		{"no token", "GET", "/acme/spi/v3/jobs", "", 401},
		{"another account's token", "GET", "/acme/spi/v3/jobs", otherTok, 401},
		{"scope held", "GET", "/acme/spi/v3/members", readOnly, 200},
		{"scope missing", "GET", "/acme/spi/v3/candidates", readOnly, 403},
		{"r_requisitions missing", "GET", "/acme/spi/v3/requisitions", readOnly, 403},
		{"api, not spi", "GET", "/acme/api/v3/jobs", readOnly, 404},
	} {
		if resp := call(t, tc.method, srv.URL+tc.path, tc.token, nil); resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
	sim.RevokeToken(readOnly)
	if resp := call(t, "GET", srv.URL+"/acme/spi/v3/jobs", readOnly, nil); resp.StatusCode != 401 {
		t.Errorf("a revoked token: %d", resp.StatusCode)
	}
}

func TestCommentsAndCallback(t *testing.T) {
	t.Parallel()
	sim, srv, _ := setup(t)
	tok := sim.AddToken("acme", workablesim.AllScopes...)
	admin := sim.AddMember("acme", "Robin", "robin@example.com", "admin")
	job := sim.AddJob("acme", "Head Baker")
	cand := sim.AddCandidate("acme", job.Shortcode, "Lakita", "Marrero", "l@example.com")
	url := srv.URL + "/acme/spi/v3/candidates/" + string(cand.ID) + "/comments"
	if resp := call(t, "POST", url, tok, workable.CommentRequest{MemberID: "nobody", Comment: workable.CommentBody{Body: "x"}}); resp.StatusCode != 422 {
		t.Errorf("a comment by no member: %d", resp.StatusCode)
	}
	if resp := call(t, "POST", url, tok, workable.CommentRequest{MemberID: string(admin.ID), Comment: workable.CommentBody{Body: "sent"}}); resp.StatusCode != 201 {
		t.Errorf("a comment: %d", resp.StatusCode)
	}
	if cs := sim.Comments("acme", string(cand.ID)); len(cs) != 1 || cs[0].Body != "sent" {
		t.Errorf("comments %+v", cs)
	}

	cbTok := sim.CreateIntegration("acme")
	// No provider configured: the send fails before anything is created there.
	if _, _, err := sim.SendAssessment(t.Context(), "acme", string(cand.ID), "vac_1", workablesim.SendOptions{}); err == nil {
		t.Fatal("sent without a provider on the card")
	}
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"assessment_id":"ord_1"}`))
	}))
	t.Cleanup(provider.Close)
	sim.ConfigureProvider("acme", provider.URL, "key")
	as, ans, err := sim.SendAssessment(t.Context(), "acme", string(cand.ID), "vac_1", workablesim.SendOptions{})
	if err != nil || ans.Status != 201 || as.ProviderID != "ord_1" {
		t.Fatalf("send: %+v %+v %v", as, ans, err)
	}
	done := workable.ResultsUpdate{Status: workable.StatusCompleted, ResultsURL: "https://sb/r/1", Assessment: &workable.Assessment{Score: "82", Grade: workable.GradeExcelled}}
	for _, tc := range []struct {
		name  string
		token string
		body  any
		want  int
	}{
		{"the account token is not the callback token", tok, workable.ResultsUpdate{Status: workable.StatusPending}, 401},
		{"pending", cbTok, workable.ResultsUpdate{Status: workable.StatusPending}, 200},
		{"completed without results_url", cbTok, workable.ResultsUpdate{Status: workable.StatusCompleted}, 422},
		{"completed", cbTok, done, 200},
		{"completed again", cbTok, done, 200},
		{"expired after completed", cbTok, workable.ResultsUpdate{Status: workable.StatusExpired}, 409},
	} {
		if resp := call(t, "PUT", as.CallbackURL, tc.token, tc.body); resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
	got, _ := sim.Assessment("acme", as.ID)
	if got.Status != workable.StatusCompleted || got.ResultsURL != "https://sb/r/1" || got.Result.Grade != workable.GradeExcelled || len(got.Updates) != 3 {
		t.Errorf("the candidate page shows %+v", got)
	}
}

// TestCustomAttributes: values are refused unless the attribute exists, is
// enabled and the value fits its type, and only r_jobs may write them.
func TestCustomAttributes(t *testing.T) {
	t.Parallel()
	sim, srv, clk := setup(t)
	tok := sim.AddToken("acme", workablesim.AllScopes...)
	candOnly := sim.AddToken("acme", workablesim.ScopeReadCandidates)
	job := sim.AddJob("acme", "Head Baker")
	cand := sim.AddCandidate("acme", job.Shortcode, "Lakita", "Marrero", "l@example.com")
	short := sim.AddCustomAttribute("acme", workable.AttrShortText, "Status", true)
	num := sim.AddCustomAttribute("acme", workable.AttrNumeric, "Score", true)
	off := sim.AddCustomAttribute("acme", workable.AttrFreeText, "Old", false)
	date := sim.AddCustomAttribute("acme", workable.AttrDate, "When", true)
	url := srv.URL + "/acme/spi/v3/candidates/" + string(cand.ID) + "/update_custom_attribute_value"
	for _, tc := range []struct {
		name  string
		token string
		body  any
		want  int
	}{
		{"text", tok, workable.TextValue(short.ID, "Completed"), 200},
		{"number", tok, workable.NumberValue(num.ID, 82.5), 200},
		{"a number as text", tok, workable.TextValue(num.ID, "82"), 422},
		{"text as a number", tok, workable.NumberValue(short.ID, 1), 422},
		{"too long", tok, workable.TextValue(short.ID, strings.Repeat("x", 129)), 422},
		{"disabled", tok, workable.TextValue(off.ID, "x"), 422},
		{"a date", tok, workable.TextValue(date.ID, "2026-01-01"), 422},
		{"unknown", tok, workable.TextValue("nope", "x"), 422},
		{"no key", tok, map[string]string{"value": "x"}, 422},
		{"without r_jobs", candOnly, workable.TextValue(short.ID, "x"), 403},
	} {
		resp := call(t, "PATCH", url, tc.token, tc.body)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
	if resp := call(t, "PATCH", srv.URL+"/acme/spi/v3/candidates/nobody/update_custom_attribute_value", tok, workable.TextValue(short.ID, "x")); resp.StatusCode != 404 {
		t.Errorf("an unknown candidate: %d", resp.StatusCode)
	}
	got := sim.CustomValues("acme", string(cand.ID))
	if len(got) != 2 || got[short.ID] != `"Completed"` || got[num.ID] != "82.5" {
		t.Errorf("stored values %v", got)
	}
	clk.add(10 * time.Second) // the next window
	req, _ := http.NewRequest("GET", srv.URL+"/acme/spi/v3/custom_attributes", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page workable.CustomAttributesPage
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || len(page.CustomAttributes) != 4 || page.CustomAttributes[2].Enabled {
		t.Errorf("GET /custom_attributes: %d %+v %v", resp.StatusCode, page, err)
	}
}
