package leversim_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
)

const key = "sim-key-1"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	sim   *leversim.Server
	srv   *httptest.Server
	clock *clock
}

func newEnv(t *testing.T, opts ...leversim.Option) *env {
	t.Helper()
	e := &env{clock: &clock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}}
	e.sim = leversim.New(append([]leversim.Option{leversim.WithClock(e.clock.Now)}, opts...)...)
	e.sim.AddAPIKey(key)
	e.srv = httptest.NewServer(e.sim.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// call sends a request with the test key (or auth as given) and returns the
// status, headers and body.
func (e *env) call(t *testing.T, method, path string, body io.Reader, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(key, "")
	for k, v := range hdr {
		if k == "Authorization" && v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func (e *env) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	status, _, b := e.call(t, http.MethodGet, path, nil, nil)
	return status, b
}

func (e *env) postJSON(t *testing.T, path, body string) (int, []byte) {
	t.Helper()
	status, _, b := e.call(t, http.MethodPost, path, strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
	return status, b
}

func (e *env) seed(t *testing.T) (lever.User, lever.Posting, lever.Opportunity) {
	t.Helper()
	u := e.sim.AddUser("Rita Recruiter", "rita@example.com")
	p := e.sim.AddPosting("Barista", []string{"switchboard"}, u.ID)
	o, _, err := e.sim.CreateOpportunity(context.Background(), "Ann Lee", "ann@example.com", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u, p, o
}

// wantError checks Lever's error body and status.
func wantError(t *testing.T, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var eb lever.ErrorBody
	if status != wantStatus || json.Unmarshal(body, &eb) != nil || eb.Code != wantCode || eb.Message == "" {
		t.Fatalf("got %d %s, want %d with code %s", status, body, wantStatus, wantCode)
	}
}

func TestDefaultStages(t *testing.T) {
	t.Parallel()
	got := leversim.New().Stages()
	var texts []string
	for _, s := range got {
		texts = append(texts, s.Text)
	}
	want := []string{"New lead", "New applicant", "Recruiter screen", "Phone Screen", "On-site interview", "Offer"}
	if !reflect.DeepEqual(texts, want) || got[0].ID != "lead-new" || got[1].ID != "applicant-new" {
		t.Fatalf("stages = %+v", got)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	basic := func(user, pass string) string {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth(user, pass)
		return r.Header.Get("Authorization")
	}
	tests := []struct {
		name, auth string
		want       int
	}{
		{"no credentials", "", http.StatusUnauthorized},
		{"unknown key", basic("nope", ""), http.StatusUnauthorized},
		{"non-blank password", basic(key, "x"), http.StatusUnauthorized},
		{"bearer instead of basic", "Bearer " + key, http.StatusUnauthorized},
		{"valid", basic(key, ""), http.StatusOK},
	}
	for _, tc := range tests {
		status, _, body := e.call(t, http.MethodGet, "/v1/stages", nil, map[string]string{"Authorization": tc.auth})
		if tc.want == http.StatusOK {
			if status != http.StatusOK {
				t.Errorf("%s: %d %s", tc.name, status, body)
			}
			continue
		}
		wantError(t, status, body, tc.want, lever.CodeUnauthorized)
	}
	if n := e.sim.RequestCount(http.MethodGet, "/v1/stages"); n != 1 {
		t.Errorf("RequestCount = %d, want only the authenticated request", n)
	}
}

func TestRateLimitBucketOnInjectedClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // 10/s, burst 20
	e.sim.AddAPIKey("other-key")
	for i := range 20 {
		if status, body := e.get(t, "/v1/stages"); status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, status, body)
		}
	}
	status, hdr, body := e.call(t, http.MethodGet, "/v1/stages", nil, nil)
	wantError(t, status, body, http.StatusTooManyRequests, lever.CodeTooManyRequests)
	if hdr.Get("Retry-After") != "" {
		t.Error("the bucket sent Retry-After, which Lever is not known to send")
	}
	// Other keys have their own bucket.
	if status, _, _ := e.call(t, http.MethodGet, "/v1/stages", nil, map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("other-key:"))}); status != http.StatusOK {
		t.Errorf("other key throttled: %d", status)
	}

	e.clock.Advance(99 * time.Millisecond) // 0.99 tokens
	if status, _ := e.get(t, "/v1/stages"); status != http.StatusTooManyRequests {
		t.Errorf("after 99ms: %d, want 429", status)
	}
	e.clock.Advance(time.Millisecond) // exactly 1 token
	if status, _ := e.get(t, "/v1/stages"); status != http.StatusOK {
		t.Errorf("after 100ms: %d, want 200", status)
	}
	e.clock.Advance(time.Hour) // refills to the burst, not beyond
	ok := 0
	for range 25 {
		if status, _ := e.get(t, "/v1/stages"); status == http.StatusOK {
			ok++
		}
	}
	if ok != 20 {
		t.Errorf("after a long pause %d requests passed, want the burst of 20", ok)
	}
	if got := e.sim.ThrottledCount(); got != 1+1+5 {
		t.Errorf("ThrottledCount = %d, want 7", got)
	}
	if got := e.sim.RequestCount(http.MethodGet, "/stages"); got != 20+1+1+20 {
		t.Errorf("RequestCount = %d, want 42 (throttled requests never reach the handler)", got)
	}
}

// TestRateLimitOnLimiterClock: with WithLimiterClock the bucket refills by
// that clock alone, and timestamps keep following WithClock.
func TestRateLimitOnLimiterClock(t *testing.T) {
	t.Parallel()
	waited := &clock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}
	e := newEnv(t, leversim.WithLimiterClock(waited.Now))
	for range 20 {
		e.get(t, "/v1/stages")
	}
	e.clock.Advance(time.Hour) // the shared clock refills nothing
	if status, _ := e.get(t, "/v1/stages"); status != http.StatusTooManyRequests {
		t.Errorf("after the shared clock moved: %d, want 429", status)
	}
	waited.Advance(100 * time.Millisecond) // one token
	if status, _ := e.get(t, "/v1/stages"); status != http.StatusOK {
		t.Errorf("after the limiter clock moved: %d, want 200", status)
	}
	o, _, err := e.sim.CreateOpportunity(context.Background(), "Ada", "ada@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := lever.Millis(e.clock.Now()); o.CreatedAt != want {
		t.Errorf("createdAt %d, want the shared clock's %d", o.CreatedAt, want)
	}
}

func TestRateLimitDisabled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, leversim.WithRateLimit(0, 0))
	for range 50 {
		if status, _ := e.get(t, "/v1/stages"); status != http.StatusOK {
			t.Fatalf("status %d with rate limiting off", status)
		}
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 5 {
		e.sim.AddUser(fmt.Sprintf("U%d", i), fmt.Sprintf("u%d@example.com", i))
	}
	var names []string
	path := "/v1/users?limit=2"
	for pages := 1; ; pages++ {
		status, body := e.get(t, path)
		if status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		var page lever.ListResponse[lever.User]
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Data {
			names = append(names, u.Name)
		}
		if !page.HasNext {
			if pages != 3 || page.Next != "" {
				t.Errorf("%d pages, last next %q", pages, page.Next)
			}
			break
		}
		path = "/v1/users?limit=2&offset=" + url.QueryEscape(page.Next)
	}
	if !reflect.DeepEqual(names, []string{"U0", "U1", "U2", "U3", "U4"}) {
		t.Errorf("names = %v", names)
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "offset=2", "offset=%21%21"} {
		status, body := e.get(t, "/v1/users?"+q)
		wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	}
	// An empty list is [] not null.
	if status, body := e.get(t, "/v1/postings"); status != http.StatusOK || !strings.Contains(string(body), `"data":[]`) {
		t.Errorf("empty list: %d %s", status, body)
	}
}

func TestOpportunityFiltersAndExpand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, p, ann := e.seed(t)
	p2 := e.sim.AddPosting("Chef", nil, u.ID)
	bob, _, _ := e.sim.CreateOpportunity(context.Background(), "Bob", "bob@example.com", p2.ID)
	if status, body := e.postJSON(t, "/v1/opportunities/"+ann.ID+"/addTags", `{"tags":["vip"]}`); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	screen := e.sim.Stages()[2].ID
	if _, err := e.sim.MoveStage(context.Background(), bob.ID, screen); err != nil {
		t.Fatal(err)
	}

	ids := func(q string) []string {
		status, body := e.get(t, "/v1/opportunities?"+q)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", q, status, body)
		}
		var page lever.ListResponse[lever.Opportunity]
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range page.Data {
			out = append(out, o.ID)
		}
		return out
	}
	tests := map[string][]string{
		"":                                 {ann.ID, bob.ID},
		"tag=vip":                          {ann.ID},
		"tag=nope":                         nil,
		"stage_id=" + screen:               {bob.ID},
		"stage_id=applicant-new":           {ann.ID},
		"posting_id=" + p.ID:               {ann.ID},
		"posting_id=" + p.ID + "&tag=nope": nil,
		"posting_id=" + p.ID + "&posting_id=" + p2.ID: {ann.ID, bob.ID},
		"email=BOB@example.com":                       {bob.ID},
		"archived=false":                              {ann.ID, bob.ID},
		"archived=true":                               nil,
	}
	for q, want := range tests {
		if got := ids(q); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", q, got, want)
		}
	}
	status, body := e.get(t, "/v1/opportunities?archived=maybe")
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)

	// Unexpanded, stage/owner/applications are ids; expanded, objects.
	raw := func(q string) map[string]json.RawMessage {
		status, body := e.get(t, "/v1/opportunities/"+ann.ID+q)
		if status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		var env struct{ Data map[string]json.RawMessage }
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		return env.Data
	}
	plain := raw("")
	if string(plain["stage"]) != `"applicant-new"` || string(plain["owner"]) != `"`+u.ID+`"` || !strings.HasPrefix(string(plain["applications"]), `["`) {
		t.Errorf("unexpanded: stage %s owner %s applications %s", plain["stage"], plain["owner"], plain["applications"])
	}
	for _, q := range []string{"?expand=stage&expand=owner&expand=applications", "?expand=stage,owner,applications"} {
		full := raw(q)
		if !strings.HasPrefix(string(full["stage"]), `{"id":"applicant-new"`) || !strings.Contains(string(full["owner"]), `"email":"rita@example.com"`) ||
			!strings.Contains(string(full["applications"]), `"posting":"`+p.ID+`"`) {
			t.Errorf("%s: stage %s owner %s applications %s", q, full["stage"], full["owner"], full["applications"])
		}
	}
	if ms := string(plain["createdAt"]); ms != fmt.Sprint(e.clock.Now().UnixMilli()) {
		t.Errorf("createdAt = %s, want epoch ms from the clock", ms)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _, o := e.seed(t)
	for _, path := range []string{"/v1/opportunities/nope", "/v1/postings/nope", "/v1/users/nope", "/v1/stages/nope", "/v1/nothing-here", "/files/nope/download"} {
		status, body := e.get(t, path)
		wantError(t, status, body, http.StatusNotFound, lever.CodeNotFound)
	}
	status, body := e.postJSON(t, "/v1/opportunities/nope/addTags", `{"tags":["a"]}`)
	wantError(t, status, body, http.StatusNotFound, lever.CodeNotFound)

	status, hdr, body := e.call(t, http.MethodDelete, "/v1/opportunities/"+o.ID+"/addTags", nil, nil)
	wantError(t, status, body, http.StatusMethodNotAllowed, lever.CodeMethodNotAllowed)
	if !strings.Contains(hdr.Get("Allow"), http.MethodPost) {
		t.Errorf("Allow = %q", hdr.Get("Allow"))
	}
	status, _, body = e.call(t, http.MethodPost, "/v1/stages", nil, nil)
	wantError(t, status, body, http.StatusMethodNotAllowed, lever.CodeMethodNotAllowed)
}

func TestWriteValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, _, o := e.seed(t)
	opp := "/v1/opportunities/" + o.ID
	tests := []struct {
		name, path, body string
		want             int
	}{
		{"addTags without tags", opp + "/addTags", `{}`, 400},
		{"addTags with null tags", opp + "/addTags", `{"tags":null}`, 400},
		{"addTags with a string", opp + "/addTags", `{"tags":"a"}`, 400},
		{"addTags malformed", opp + "/addTags", `{"tags":[`, 400},
		{"addTags trailing data", opp + "/addTags", `{"tags":[]} x`, 400},
		{"addLinks without links", opp + "/addLinks", `{"tags":["a"]}`, 400},
		{"note without value", opp + "/notes", `{"secret":true}`, 400},
		{"note with blank value", opp + "/notes", `{"value":"  "}`, 400},
		{"note with score 5", opp + "/notes", `{"value":"x","score":5}`, 400},
		{"note with unknown perform_as", opp + "/notes?perform_as=ghost", `{"value":"x"}`, 400},
		{"note on unknown note_id", opp + "/notes?note_id=ghost", `{"value":"x"}`, 404},
		{"tags with unknown perform_as", opp + "/addTags?perform_as=ghost", `{"tags":["a"]}`, 400},
		{"too large", opp + "/addTags", `{"tags":["` + strings.Repeat("a", 1<<20) + `"]}`, 413},
	}
	for _, tc := range tests {
		status, body := e.postJSON(t, tc.path, tc.body)
		var eb lever.ErrorBody
		if status != tc.want || json.Unmarshal(body, &eb) != nil || eb.Code == "" {
			t.Errorf("%s: %d %s, want %d with an error body", tc.name, status, body, tc.want)
		}
	}
	status, _, body := e.call(t, http.MethodPut, opp+"/stage", strings.NewReader(`{"stage":"ghost"}`), nil)
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	status, _, body = e.call(t, http.MethodPut, opp+"/stage", strings.NewReader(`{}`), nil)
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)

	// Nothing above changed the opportunity.
	got, _ := e.sim.Opportunity(o.ID)
	if len(got.Tags) != 0 || len(got.Links) != 0 || len(e.sim.Notes(o.ID)) != 0 || got.Stage.ID != lever.StageNewApplicant {
		t.Errorf("rejected writes changed state: %+v", got)
	}

	// A valid note as a real user, then a comment on it.
	status, body = e.postJSON(t, opp+"/notes?perform_as="+u.ID, `{"value":"Invited","score":3}`)
	var created lever.Envelope[lever.NoteCreated]
	if status != http.StatusOK || json.Unmarshal(body, &created) != nil || created.Data.NoteID == "" {
		t.Fatalf("note: %d %s", status, body)
	}
	if status, body = e.postJSON(t, opp+"/notes?note_id="+created.Data.NoteID, `{"value":"Reminder sent"}`); status != http.StatusOK {
		t.Fatalf("comment: %d %s", status, body)
	}
	notes := e.sim.Notes(o.ID)
	if len(notes) != 1 || notes[0].User != u.ID || notes[0].Value() != "Invited" || len(notes[0].Fields) != 2 {
		t.Errorf("notes = %+v", notes)
	}
}

func TestTagsAndLinksAreSets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _, o := e.seed(t)
	opp := "/v1/opportunities/" + o.ID
	for _, step := range []struct{ path, body string }{
		{"/addTags", `{"tags":["a","b","a"]}`},
		{"/addTags", `{"tags":["a"]}`},
		{"/removeTags", `{"tags":["a","zz"]}`},
		{"/addLinks", `{"links":["https://r/1","https://r/1"]}`},
	} {
		if status, body := e.postJSON(t, opp+step.path, step.body); status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.path, status, body)
		}
	}
	got, _ := e.sim.Opportunity(o.ID)
	if !reflect.DeepEqual(got.Tags, []string{"b"}) || !reflect.DeepEqual(got.Links, []string{"https://r/1"}) {
		t.Errorf("tags %v links %v", got.Tags, got.Links)
	}
	status, body := e.get(t, "/v1/tags")
	if status != http.StatusOK || !strings.Contains(string(body), `{"text":"b","count":1}`) {
		t.Errorf("/tags: %d %s", status, body)
	}
}

func multipartBody(t *testing.T, field, filename string, data []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("note", "ignored"); err != nil {
		t.Fatal(err)
	}
	var w io.Writer
	var err error
	if filename == "" {
		w, err = mw.CreateFormField(field)
	} else {
		w, err = mw.CreateFormFile(field, filename)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

func TestFileUploadValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, _, o := e.seed(t)
	path := "/v1/opportunities/" + o.ID + "/files"
	upload := func(q string, body io.Reader, ct string) (int, []byte) {
		status, _, b := e.call(t, http.MethodPost, path+q, body, map[string]string{"Content-Type": ct})
		return status, b
	}

	status, body := upload("", strings.NewReader(`{"file":"x"}`), "application/json")
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	b, ct := multipartBody(t, "attachment", "r.pdf", []byte("x"))
	status, body = upload("", b, ct)
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	b, ct = multipartBody(t, "file", "", []byte("x")) // a field, not a file
	status, body = upload("", b, ct)
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	b, ct = multipartBody(t, "file", "r.pdf", nil)
	status, body = upload("", b, ct)
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	b, ct = multipartBody(t, "file", "r.pdf", []byte("x"))
	status, body = upload("?perform_as=ghost", b, ct)
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	b, ct = multipartBody(t, "file", "big.pdf", make([]byte, lever.MaxFileBytes+1))
	status, body = upload("", b, ct)
	wantError(t, status, body, http.StatusRequestEntityTooLarge, lever.CodeTooLarge)
	if n := len(e.sim.Files(o.ID)); n != 0 {
		t.Fatalf("%d files stored by rejected uploads", n)
	}

	b, ct = multipartBody(t, "file", "report.pdf", []byte("%PDF"))
	status, body = upload("?perform_as="+u.ID, b, ct)
	var got lever.Envelope[lever.File]
	if status != http.StatusOK || json.Unmarshal(body, &got) != nil {
		t.Fatalf("%d %s", status, body)
	}
	if got.Data.Name != "report.pdf" || got.Data.Ext != "pdf" || got.Data.Size != 4 ||
		got.Data.DownloadURL != e.srv.URL+"/files/"+got.Data.ID+"/download" || got.Data.UploadedAt != e.clock.Now().UnixMilli() {
		t.Errorf("file = %+v", got.Data)
	}
	// The download needs credentials like the rest of the API.
	status, _, _ = e.call(t, http.MethodGet, "/files/"+got.Data.ID+"/download", nil, map[string]string{"Authorization": ""})
	if status != http.StatusUnauthorized {
		t.Errorf("unauthenticated download: %d", status)
	}
	status, hdr, data := e.call(t, http.MethodGet, "/files/"+got.Data.ID+"/download", nil, nil)
	if status != http.StatusOK || string(data) != "%PDF" || !strings.Contains(hdr.Get("Content-Disposition"), "report.pdf") {
		t.Errorf("download: %d %q %v", status, data, hdr)
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.sim.FailNext(2, http.StatusServiceUnavailable, 2500*time.Millisecond)
	e.sim.FailNext(1, http.StatusInternalServerError, 0)
	for i, want := range []int{503, 503, 500, 200} {
		status, hdr, body := e.call(t, http.MethodGet, "/v1/stages", nil, nil)
		if status != want {
			t.Fatalf("request %d: %d %s, want %d", i, status, body, want)
		}
		if wantRA := map[int]string{503: "3"}[want]; hdr.Get("Retry-After") != wantRA {
			t.Errorf("request %d: Retry-After %q, want %q", i, hdr.Get("Retry-After"), wantRA)
		}
	}
	if n := e.sim.RequestCount(http.MethodGet, "/v1/stages"); n != 1 {
		t.Errorf("RequestCount = %d, want 1", n)
	}
}

// receiver records webhook deliveries and answers with status.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	status int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r.Header.Get("Content-Type") != "application/json" {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}
	rc.bodies = append(rc.bodies, b)
	w.WriteHeader(rc.status)
}

func (rc *receiver) received() [][]byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...)
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rc := &receiver{status: http.StatusOK}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	e.sim.RegisterWebhook(lever.EventApplicationCreated, hook.URL+"/created", "sig-created")
	e.sim.RegisterWebhook(lever.EventCandidateStageChange, hook.URL+"/stage", "sig-stage")
	ctx := context.Background()

	u := e.sim.AddUser("Rita", "rita@example.com")
	p := e.sim.AddPosting("Barista", []string{"switchboard"}, u.ID)
	o, ds, err := e.sim.CreateOpportunity(ctx, "Ann", "ann@example.com", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	created := parseDelivery(t, ds, lever.EventApplicationCreated, http.StatusOK)
	if err := lever.VerifySignature("sig-created", created); err != nil {
		t.Errorf("applicationCreated signature: %v", err)
	}
	if err := lever.VerifySignature("sig-stage", created); !errors.Is(err, lever.ErrBadSignature) {
		t.Errorf("verified with another webhook's token: %v", err)
	}
	full, _ := e.sim.Opportunity(o.ID)
	if created.TriggeredAt != e.clock.Now().UnixMilli() || created.Data.OpportunityID != o.ID || created.Data.ContactID != o.Contact ||
		created.Data.ApplicationID != full.Applications[0].ID || created.IsPing() || created.ID == "" {
		t.Errorf("applicationCreated payload = %+v", created)
	}

	e.clock.Advance(time.Minute)
	screen := e.sim.Stages()[2].ID
	ds, err = e.sim.MoveStage(ctx, o.ID, screen)
	if err != nil {
		t.Fatal(err)
	}
	moved := parseDelivery(t, ds, lever.EventCandidateStageChange, http.StatusOK)
	if err := lever.VerifySignature("sig-stage", moved); err != nil {
		t.Errorf("candidateStageChange signature: %v", err)
	}
	if moved.Data.FromStageID != lever.StageNewApplicant || moved.Data.ToStageID != screen || moved.Token == created.Token {
		t.Errorf("candidateStageChange payload = %+v", moved)
	}
	if ds, _ := e.sim.MoveStage(ctx, o.ID, screen); len(ds) != 0 {
		t.Errorf("moving to the current stage sent %d webhooks", len(ds))
	}
	if got, _ := e.sim.Opportunity(o.ID); len(got.StageChanges) != 2 || got.LastAdvancedAt != e.clock.Now().UnixMilli() {
		t.Errorf("stage history = %+v", got.StageChanges)
	}

	// The ping is signed but carries no opportunityId.
	ds, err = e.sim.Ping(ctx, lever.EventCandidateStageChange)
	if err != nil {
		t.Fatal(err)
	}
	ping := parseDelivery(t, ds, lever.EventCandidateStageChange, http.StatusOK)
	if !ping.IsPing() || lever.VerifySignature("sig-stage", ping) != nil {
		t.Errorf("ping = %+v", ping)
	}
	if _, err := e.sim.Ping(ctx, "interviewCreated"); !errors.Is(err, leversim.ErrNotFound) {
		t.Errorf("ping without a webhook: %v", err)
	}

	// A redelivery sends the very same bytes.
	first := ds[0]
	again, err := e.sim.Redeliver(ctx, first)
	if err != nil || again.StatusCode != http.StatusOK {
		t.Fatal(again, err)
	}
	bodies := rc.received()
	if !bytes.Equal(bodies[len(bodies)-1], first.Body) || !bytes.Equal(again.Body, first.Body) {
		t.Error("redelivery changed the body")
	}

	// The stage change through the API fires the webhook too, attributed to perform_as.
	offer := lever.StageOffer
	status, _, body := e.call(t, http.MethodPut, "/v1/opportunities/"+o.ID+"/stage?perform_as="+u.ID, strings.NewReader(`{"stage":"`+offer+`"}`), nil)
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	var last lever.WebhookPayload
	bodies = rc.received()
	if err := json.Unmarshal(bodies[len(bodies)-1], &last); err != nil || last.Data.ToStageID != offer || last.Data.FromStageID != screen {
		t.Errorf("API stage change webhook = %+v, %v", last, err)
	}
}

func parseDelivery(t *testing.T, ds []leversim.Delivery, event string, status int) lever.WebhookPayload {
	t.Helper()
	if len(ds) != 1 {
		t.Fatalf("%d deliveries, want 1", len(ds))
	}
	d := ds[0]
	if d.Err != nil || d.StatusCode != status || d.Event != event {
		t.Fatalf("delivery = %+v", d)
	}
	p, err := lever.ParseWebhook(d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if p.Event != event {
		t.Fatalf("event %q, want %q", p.Event, event)
	}
	return p
}

func TestDeliveryFailuresAreReported(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rc := &receiver{status: http.StatusInternalServerError}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	e.sim.RegisterWebhook(lever.EventApplicationCreated, hook.URL, "s1")
	e.sim.RegisterWebhook(lever.EventApplicationCreated, dead.URL, "s2")

	o, ds, err := e.sim.CreateOpportunity(context.Background(), "Ann", "", "")
	if err != nil || o.ID == "" {
		t.Fatal(o, err)
	}
	if len(ds) != 2 || ds[0].StatusCode != http.StatusInternalServerError || ds[0].Err != nil || ds[1].Err == nil {
		t.Fatalf("deliveries = %+v", ds)
	}
	if _, _, err := e.sim.CreateOpportunity(context.Background(), "Bob", "", "no-such-posting"); !errors.Is(err, leversim.ErrNotFound) {
		t.Errorf("unknown posting: %v", err)
	}
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t, leversim.WithRateLimit(0, 0))
	_, _, o := e.seed(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			status, body := e.postJSON(t, "/v1/opportunities/"+o.ID+"/addTags", fmt.Sprintf(`{"tags":["t%d"]}`, i))
			if status != http.StatusOK {
				t.Errorf("%d %s", status, body)
			}
		})
		wg.Go(func() { e.sim.Opportunity(o.ID) })
	}
	wg.Wait()
	if got, _ := e.sim.Opportunity(o.ID); len(got.Tags) != 20 {
		t.Errorf("%d tags, want 20", len(got.Tags))
	}
	if n := e.sim.RequestCount(http.MethodPost, "/opportunities/{id}/addTags"); n != 20 {
		t.Errorf("RequestCount = %d", n)
	}
}

// TestLoseReplies: a lost reply still stores the note or file, answers 500,
// and only for the route and count asked; the notes read back in pages.
func TestLoseReplies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		route string
		send  func(e *env, opp string) int
		count func(e *env, opp string) int
	}{
		{"note", "/opportunities/{id}/notes", func(e *env, opp string) int {
			status, _ := e.postJSON(t, "/v1/opportunities/"+opp+"/notes", `{"value":"hello"}`)
			return status
		}, func(e *env, opp string) int { return len(e.sim.Notes(opp)) }},
		{"file", "/opportunities/{id}/files", func(e *env, opp string) int {
			body, ct := multipartBody(t, "file", "r.pdf", []byte("%PDF-1.7"))
			status, _, _ := e.call(t, http.MethodPost, "/v1/opportunities/"+opp+"/files", body, map[string]string{"Content-Type": ct})
			return status
		}, func(e *env, opp string) int { return len(e.sim.Files(opp)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			_, _, o := e.seed(t)
			e.sim.LoseReplies(1, http.MethodPost, tc.route)
			// Another route is untouched by it.
			if status, _ := e.postJSON(t, "/v1/opportunities/"+o.ID+"/addTags", `{"tags":["x"]}`); status != http.StatusOK {
				t.Fatalf("addTags: %d, want 200", status)
			}
			for i, want := range []int{http.StatusInternalServerError, http.StatusOK} {
				if status := tc.send(e, o.ID); status != want {
					t.Errorf("write %d: %d, want %d", i+1, status, want)
				}
				if n := tc.count(e, o.ID); n != i+1 {
					t.Errorf("after write %d: %d stored, want %d (the lost reply's write took effect)", i+1, n, i+1)
				}
			}
		})
	}
}

func TestNotesPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _, o := e.seed(t)
	for i := range 3 {
		if status, body := e.postJSON(t, "/v1/opportunities/"+o.ID+"/notes", fmt.Sprintf(`{"value":"n%d"}`, i)); status != http.StatusOK {
			t.Fatalf("note %d: %d %s", i, status, body)
		}
	}
	var got []string
	path := "/v1/opportunities/" + o.ID + "/notes?limit=2"
	for pages := 1; ; pages++ {
		status, body := e.get(t, path)
		if status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		var page lever.ListResponse[lever.Note]
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Data {
			got = append(got, n.Value())
		}
		if !page.HasNext {
			if pages != 2 {
				t.Errorf("%d pages, want 2", pages)
			}
			break
		}
		path = "/v1/opportunities/" + o.ID + "/notes?limit=2&offset=" + url.QueryEscape(page.Next)
	}
	if !reflect.DeepEqual(got, []string{"n0", "n1", "n2"}) {
		t.Errorf("notes %q", got)
	}
}
