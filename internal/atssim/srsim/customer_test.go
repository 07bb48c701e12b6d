package srsim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

// keyWorld is a simulator with one company and an API key of it.
type keyWorld struct {
	sim     *srsim.Server
	srv     *httptest.Server
	clock   *clock
	company srsim.Company
	key     string
}

func newKeyWorld(t *testing.T, opts ...srsim.Option) *keyWorld {
	t.Helper()
	w := &keyWorld{clock: &clock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}}
	w.sim = srsim.New(append([]srsim.Option{srsim.WithClock(w.clock.Now)}, opts...)...)
	w.srv = httptest.NewServer(w.sim.Handler())
	t.Cleanup(w.srv.Close)
	w.sim.SetBaseURL(w.srv.URL)
	w.company = w.sim.AddCompany("Acme")
	var err error
	if w.key, err = w.sim.IssueAPIKey(w.company.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *keyWorld) call(t *testing.T, method, path, key, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(sr.SmartTokenHeader, key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return send(t, w.srv, req)
}

func wantCode(t *testing.T, r response, status int, code string) {
	t.Helper()
	var eb sr.ErrorResponse
	if r.status != status || json.Unmarshal(r.body, &eb) != nil || len(eb.Errors) == 0 || eb.Errors[0].Code != code || eb.Message == "" {
		t.Fatalf("got %d %s, want %d %s", r.status, r.body, status, code)
	}
}

func TestAPIKeyAuthAndCompanies(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	other := w.sim.AddCompany("Globex")
	otherKey, err := w.sim.IssueAPIKey(other.ID)
	if err != nil {
		t.Fatal(err)
	}
	readOnly, err := w.sim.IssueAPIKey(w.company.ID, sr.ScopeJobsRead)
	if err != nil {
		t.Fatal(err)
	}
	j, err := w.sim.AddJobWith(w.company.ID, srsim.JobSpec{Title: "Barista"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, key string
		want                    int
	}{
		{"no key", "GET", "/jobs", "", 401},
		{"unknown key", "GET", "/jobs", "not-a-key", 401},
		{"own job", "GET", "/jobs/" + string(j.ID), w.key, 200},
		{"other company's job", "GET", "/jobs/" + string(j.ID), otherKey, 404},
		{"scope jobs only: candidates", "GET", "/candidates", readOnly, 403},
		{"scope jobs only: webhooks", "GET", sr.WebhooksAPIPath + "/subscriptions", readOnly, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.call(t, tc.method, tc.path, tc.key, "")
			if r.status != tc.want {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tc.want)
			}
			if tc.want != 200 {
				wantError(t, r, tc.want)
			}
		})
	}
	restore, err := w.sim.RevokeClient(w.sim.APIKeyClientID(w.key))
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, w.call(t, "GET", "/jobs", w.key, ""), 401)
	restore()
	if r := w.call(t, "GET", "/jobs", w.key, ""); r.status != 200 {
		t.Fatalf("restored key: %d", r.status)
	}
}

func TestListJobsStatusesAndIDPaging(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	want := map[string]bool{}
	for i := range 25 {
		st := []string{sr.JobSourcing, sr.JobInterview, sr.JobFilled, sr.JobCancelled, sr.JobCreated}[i%5]
		j, err := w.sim.AddJobWith(w.company.ID, srsim.JobSpec{Title: "Job", Status: st})
		if err != nil {
			t.Fatal(err)
		}
		if st != sr.JobFilled && st != sr.JobCancelled {
			want[string(j.ID)] = true
		}
	}
	q := url.Values{"limit": {"4"}, "sort": {"job_id"}, "statuses": {sr.JobSourcing, sr.JobInterview, sr.JobCreated}}
	got, last := map[string]bool{}, ""
	for range 10 {
		r := w.call(t, "GET", "/jobs?"+q.Encode(), w.key, "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var p sr.Page[sr.Job]
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		for _, j := range p.Content {
			if string(j.ID) <= last {
				t.Fatalf("job %s after %s: not sorted by id", j.ID, last)
			}
			last = string(j.ID)
			got[last] = true
		}
		if p.NextPageID == "" {
			break
		}
		q.Set("pageId", p.NextPageID)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d jobs, want %d", len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("missing job %s", id)
		}
	}
	wantCode(t, w.call(t, "GET", "/jobs?pageId=abc", w.key, ""), 400, sr.CodeSortRequiredByPageID)
	wantError(t, w.call(t, "GET", "/jobs?statuses=OPEN", w.key, ""), 400)
	wantError(t, w.call(t, "GET", "/jobs?limit=101", w.key, ""), 400)
}

func TestCandidatesUpdatedAfterAndCursor(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	j, err := w.sim.AddJobWith(w.company.ID, srsim.JobSpec{Title: "Barista"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := w.sim.SeedApplicants(w.company.ID, string(j.ID), 30)
	if err != nil {
		t.Fatal(err)
	}
	t0 := w.clock.Now()
	w.clock.Advance(time.Hour)
	for _, id := range []string{ids[3], ids[17]} {
		if err := w.sim.SetApplicationStatus(w.company.ID, id, string(j.ID), sr.CandidateInterview, ""); err != nil {
			t.Fatal(err)
		}
	}
	list := func(q url.Values) sr.Page[sr.Candidate] {
		t.Helper()
		r := w.call(t, "GET", "/candidates?"+q.Encode(), w.key, "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var p sr.Page[sr.Candidate]
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		after time.Time
		want  int
	}{
		{"before the seed", t0.Add(-time.Second), 30},
		{"at the seed: strictly after", t0, 2},
		{"after the moves", t0.Add(2 * time.Hour), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := list(url.Values{"jobId": {string(j.ID)}, "limit": {"100"}, "updatedAfter": {sr.FormatUpdatedAfter(tc.after)}})
			if len(p.Content) != tc.want || p.NextPageID != "" {
				t.Fatalf("got %d (next %q), want %d", len(p.Content), p.NextPageID, tc.want)
			}
		})
	}
	// A cursor survives the deletion of the candidate it ends on.
	p := list(url.Values{"jobId": {string(j.ID)}, "limit": {"10"}})
	if len(p.Content) != 10 || p.NextPageID == "" {
		t.Fatalf("first page: %d, next %q", len(p.Content), p.NextPageID)
	}
	if _, err := w.sim.DeleteCandidate(t.Context(), w.company.ID, ids[9]); err != nil {
		t.Fatal(err)
	}
	p2 := list(url.Values{"jobId": {string(j.ID)}, "limit": {"10"}, "pageId": {p.NextPageID}})
	if len(p2.Content) != 10 || string(p2.Content[0].ID) != ids[10] {
		t.Fatalf("second page after a deletion starts at %v, want %s", p2.Content, ids[10])
	}
	wantCode(t, w.call(t, "GET", "/candidates?updatedAfter=yesterday", w.key, ""), 400, sr.CodeInvalidUpdatedAfter)
	wantError(t, w.call(t, "GET", "/candidates?pageId=zz", w.key, ""), 400)
}

func TestSeedApplicantsVaried(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t, srsim.WithRateLimit(0, 1))
	j, err := w.sim.AddJobWith(w.company.ID, srsim.JobSpec{Title: "Go Developer"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := w.sim.SeedApplicants(w.company.ID, string(j.ID), 200)
	if err != nil || len(ids) != 200 {
		t.Fatalf("%d ids, %v", len(ids), err)
	}
	titles, statuses, withEdu := map[string]bool{}, map[string]bool{}, 0
	for _, id := range ids {
		r := w.call(t, "GET", "/candidates/"+id, w.key, "")
		var d sr.CandidateDetails
		if r.status != 200 || json.Unmarshal(r.body, &d) != nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if len(d.Experience) == 0 || d.Location == nil || len(d.Tags) == 0 || d.FirstName == "" {
			t.Fatalf("thin profile: %s", r.body)
		}
		titles[d.Experience[0].Title] = true
		if len(d.Education) > 0 {
			withEdu++
		}
		statuses[string(d.PrimaryAssignment.Status)] = true
	}
	if len(titles) < 5 || len(statuses) < 4 || withEdu == 0 || withEdu == len(ids) {
		t.Fatalf("not varied: %d titles, %d statuses, %d of %d with education", len(titles), len(statuses), withEdu, len(ids))
	}
	r := w.call(t, "GET", "/candidates/"+ids[0]+"/jobs/"+string(j.ID)+"/screening-answers", w.key, "")
	var sa sr.ScreeningAnswers
	if r.status != 200 || json.Unmarshal(r.body, &sa) != nil || len(sa.Content) != 2 || sa.Content[0].Text() == "" {
		t.Fatalf("screening answers: %d %s", r.status, r.body)
	}
}

func TestStatusMoveRefusals(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	j, err := w.sim.AddJobWith(w.company.ID, srsim.JobSpec{Title: "Barista"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := w.sim.SeedApplicants(w.company.ID, string(j.ID), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.sim.SetApplicationStatus(w.company.ID, ids[0], string(j.ID), sr.CandidateNew, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.RequireSubStatus(w.company.ID, sr.CandidateOffered); err != nil {
		t.Fatal(err)
	}
	path := "/candidates/" + ids[0] + "/jobs/" + string(j.ID) + "/status"
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"unknown status", path, `{"status":"PROMOTED"}`, 400, sr.CodeInvalidStatus},
		{"no status", path, `{}`, 400, sr.CodeInvalidStatus},
		{"lead", path, `{"status":"LEAD"}`, 400, sr.CodeInvalidStatus},
		{"same status", path, `{"status":"NEW"}`, 400, sr.CodeStatusNotChanged},
		{"reason on interview", path, `{"status":"INTERVIEW","reason":"not-qualified"}`, 400, sr.CodeNoReasonSupport},
		{"unknown reason", path, `{"status":"REJECTED","reason":"too-tall"}`, 400, sr.CodeReasonNotFound},
		{"required sub-status", path, `{"status":"OFFERED"}`, 400, sr.CodeRequiredSubStatus},
		{"sub-status on hired", path, `{"status":"HIRED","subStatus":"x"}`, 400, sr.CodeInvalidStatus},
		{"not assigned", "/candidates/" + ids[0] + "/jobs/other/status", `{"status":"IN_REVIEW"}`, 404, "JOB_NOT_FOUND"},
		{"unknown candidate", "/candidates/nobody/jobs/" + string(j.ID) + "/status", `{"status":"IN_REVIEW"}`, 404, sr.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, w.call(t, "PUT", tc.path, w.key, tc.body), tc.status, tc.code)
		})
	}
	if st, _ := w.sim.ApplicantState(w.company.ID, ids[0], string(j.ID)); st.Status != sr.CandidateNew {
		t.Fatalf("a refused move changed the status to %s", st.Status)
	}
	w.clock.Advance(time.Minute)
	for _, body := range []string{`{"status":"OFFERED","subStatus":"Verbal"}`, `{"status":"REJECTED","reason":"position-filled"}`} {
		if r := w.call(t, "PUT", path, w.key, body); r.status != 204 {
			t.Fatalf("%s: %d %s", body, r.status, r.body)
		}
	}
	st, _ := w.sim.ApplicantState(w.company.ID, ids[0], string(j.ID))
	if st.Status != sr.CandidateRejected || !st.UpdatedOn.Equal(w.clock.Now()) {
		t.Fatalf("state %+v", st)
	}
}

func TestAPIKeyRateLimits(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	// 10 a second on the simulator's clock; the 11th within it is refused.
	for i := range 10 {
		if r := w.call(t, "GET", "/jobs", w.key, ""); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := w.call(t, "GET", "/jobs", w.key, "")
	wantError(t, r, 429)
	if r.header.Get("Retry-After") == "" || r.header.Get("X-RateLimit-Limit") != "10" {
		t.Fatalf("429 headers %v", r.header)
	}
	// Another key of the same company is another API user.
	k2, err := w.sim.IssueAPIKey(w.company.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := w.call(t, "GET", "/jobs", k2, ""); r.status != 200 {
		t.Fatalf("second key: %d", r.status)
	}
	w.clock.Advance(time.Second)
	// One GET /candidates at a time per key.
	h := w.sim.Hold()
	done := make(chan response, 1)
	go func() { done <- w.call(t, "GET", "/candidates", w.key, "") }()
	<-h.Entered()
	wantError(t, w.call(t, "GET", "/candidates", w.key, ""), 429)
	h.Release()
	if r := <-done; r.status != 200 {
		t.Fatalf("held list: %d", r.status)
	}
	if n := w.sim.RequestCount("GET", "/candidates"); n != 1 {
		t.Fatalf("GET /candidates counted %d, want 1 (the refused one is not served)", n)
	}
}

func BenchmarkSeedApplicants(b *testing.B) {
	sim := srsim.New()
	c := sim.AddCompany("Acme")
	j, err := sim.AddJobWith(c.ID, srsim.JobSpec{Title: "Go Developer"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := sim.SeedApplicants(c.ID, string(j.ID), 10000); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCreateCandidate: a candidate made outside any job lands in the
// talent pool; missing names, a bad or taken email, and a key without a
// write scope are refused, and nothing is made.
func TestCreateCandidate(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	readOnly, err := w.sim.IssueAPIKey(w.company.ID, sr.ScopeCandidatesRead)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.call(t, "POST", "/candidates", w.key, `{"firstName":"","lastName":"Lee","email":"a@example.com"}`), 400, sr.CodeBadRequest)
	wantCode(t, w.call(t, "POST", "/candidates", w.key, `{"firstName":"Ann","lastName":"Lee","email":"nope"}`), 400, sr.CodeBadRequest)
	wantCode(t, w.call(t, "POST", "/candidates", readOnly, `{"firstName":"Ann","lastName":"Lee","email":"a@example.com"}`), 403, sr.CodeForbidden)
	if got := w.sim.TalentPool(w.company.ID); len(got) != 0 {
		t.Fatalf("refused requests made %+v", got)
	}
	r := w.call(t, "POST", "/candidates", w.key, `{"firstName":"Ann","lastName":"Lee","email":"a@example.com"}`)
	var c sr.Candidate
	if r.status != 201 || json.Unmarshal(r.body, &c) != nil || c.ID == "" || c.PrimaryAssignment != nil {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	wantCode(t, w.call(t, "POST", "/candidates", w.key, `{"firstName":"Ann","lastName":"Lee","email":"A@example.com"}`), 409, sr.CodeConflict)
	if got := w.sim.TalentPool(w.company.ID); len(got) != 1 || got[0].ID != c.ID {
		t.Errorf("talent pool %+v, want the one made", got)
	}
}
