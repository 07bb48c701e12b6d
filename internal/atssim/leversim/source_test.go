package leversim_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
)

// getList GETs path and decodes the page of Ts it answers.
func getList[T any](t *testing.T, e *env, path string) lever.ListResponse[T] {
	t.Helper()
	status, body := e.get(t, path)
	var page lever.ListResponse[T]
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return page
}

func TestPostingsByStateWithOwnersExpanded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.sim.AddUser("Rita Recruiter", "rita@example.com")
	open := e.sim.AddPosting("Barista", nil, owner.ID)
	closed := e.sim.AddPosting("Roaster", nil, owner.ID)
	e.clock.Advance(time.Minute)
	if err := e.sim.ClosePosting(closed.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.ClosePosting("no-such-posting"); !errors.Is(err, leversim.ErrNotFound) {
		t.Fatalf("closing an unknown posting: %v, want ErrNotFound", err)
	}
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"every state", "", []string{open.ID, closed.ID}},
		{"published", "?state=published", []string{open.ID}},
		{"closed", "?state=closed", []string{closed.ID}},
		{"either", "?state=published&state=closed", []string{open.ID, closed.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := getList[lever.Posting](t, e, "/v1/postings"+tt.query)
			var ids []string
			for _, p := range page.Data {
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("postings %v, want %v", ids, tt.want)
			}
		})
	}
	status, body := e.get(t, "/v1/postings?state=open")
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)

	// Closing stamps updatedAt; the owner is an id unless expanded.
	page := getList[lever.Posting](t, e, "/v1/postings?state=closed")
	if p := page.Data[0]; p.State != "closed" || p.UpdatedAt <= p.CreatedAt || p.Owner.ID != owner.ID || p.Owner.User != nil {
		t.Errorf("closed posting = %+v, want closed, updated later, owner as an id", p)
	}
	for _, path := range []string{"/v1/postings?expand=owner", "/v1/postings/" + open.ID + "?expand=owner"} {
		status, body := e.get(t, path)
		if status != http.StatusOK || !strings.Contains(string(body), `"owner":{"id":"`+owner.ID+`","name":"Rita Recruiter"`) {
			t.Errorf("%s: %d %s, want the owner expanded", path, status, body)
		}
	}
}

func TestOpportunitiesUpdatedAtFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.sim.AddUser("Rita Recruiter", "rita@example.com")
	p := e.sim.AddPosting("Barista", nil, u.ID)
	ids, err := e.sim.SeedOpportunities(p.ID, 4)
	if err != nil {
		t.Fatal(err)
	}
	t0 := lever.Millis(e.clock.Now())
	e.clock.Advance(time.Minute)
	if err := e.sim.UpdateOpportunity(ids[1], func(o *lever.Opportunity) { o.Headline = "changed" }); err != nil {
		t.Fatal(err)
	}
	t1 := lever.Millis(e.clock.Now())
	e.clock.Advance(time.Minute)
	if _, err := e.sim.AddResume(ids[2], lever.ResumeParsedData{}); err != nil {
		t.Fatal(err)
	}
	t2 := lever.Millis(e.clock.Now())
	ms := func(v int64) string { return strconv.FormatInt(v, 10) }
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"no filter", "", ids},
		{"start is inclusive", "updated_at_start=" + ms(t1), []string{ids[1], ids[2]}},
		{"after the last change", "updated_at_start=" + ms(t2+1), nil},
		{"end is inclusive", "updated_at_end=" + ms(t1), []string{ids[0], ids[1], ids[3]}},
		{"both", "updated_at_start=" + ms(t0+1) + "&updated_at_end=" + ms(t2-1), []string{ids[1]}},
		{"with the posting", "posting_id=" + p.ID + "&updated_at_start=" + ms(t2), []string{ids[2]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := getList[lever.Opportunity](t, e, "/v1/opportunities?"+tt.query)
			var got []string
			for _, o := range page.Data {
				got = append(got, o.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"updated_at_start=yesterday", "updated_at_end=-5", "updated_at_start=1.5"} {
		status, body := e.get(t, "/v1/opportunities?"+bad)
		wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	}
}

func TestResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, leversim.WithRateLimit(1, 2))
	_, _, opp := e.seed(t)
	parsed := lever.ResumeParsedData{
		Positions: []lever.ResumePosition{{Org: "Acme", Title: "Dev", Start: &lever.ResumeDate{Year: 2019, Month: 3}}},
		Schools:   []lever.ResumeSchool{{Org: "Uni", Degree: "BSc", Field: "CS"}},
	}
	added, err := e.sim.AddResume(opp.ID, parsed)
	if err != nil {
		t.Fatal(err)
	}
	parsed.Positions[0].Org = "changed after adding" // the simulator keeps its own copy
	if _, err := e.sim.AddResume("no-such-opportunity", parsed); !errors.Is(err, leversim.ErrNotFound) {
		t.Fatalf("resume on an unknown opportunity: %v", err)
	}

	page := getList[lever.Resume](t, e, "/v1/opportunities/"+opp.ID+"/resumes")
	if len(page.Data) != 1 || page.Data[0].ID != added.ID || page.Data[0].ParsedData.Positions[0].Org != "Acme" ||
		page.Data[0].ParsedData.Positions[0].Start.Month != 3 || page.Data[0].File == nil {
		t.Fatalf("resumes = %+v", page.Data)
	}
	if o, _ := e.sim.Opportunity(opp.ID); o.UpdatedAt != added.CreatedAt {
		t.Errorf("a new resume left updatedAt at %d, want %d", o.UpdatedAt, added.CreatedAt)
	}
	status, body := e.get(t, "/v1/opportunities/no-such-opportunity/resumes")
	wantError(t, status, body, http.StatusNotFound, lever.CodeNotFound)
	// The bucket (2) is spent: the same auth and rate limit apply here.
	status, body = e.get(t, "/v1/opportunities/"+opp.ID+"/resumes")
	wantError(t, status, body, http.StatusTooManyRequests, lever.CodeTooManyRequests)
	e.clock.Advance(time.Second)
	status, _, body = e.call(t, http.MethodGet, "/v1/opportunities/"+opp.ID+"/resumes", nil, map[string]string{"Authorization": ""})
	wantError(t, status, body, http.StatusUnauthorized, lever.CodeUnauthorized)
}

func TestLimitAbove100IsRefusedOnEveryList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _, opp := e.seed(t)
	for _, path := range []string{"/v1/postings", "/v1/opportunities", "/v1/opportunities/" + opp.ID + "/resumes", "/v1/stages"} {
		status, body := e.get(t, path+"?limit=101")
		wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
		if status, body := e.get(t, path+"?limit=100"); status != http.StatusOK {
			t.Errorf("%s?limit=100: %d %s", path, status, body)
		}
	}
}

func TestMoveStageByAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _, opp := e.seed(t)
	screen := e.sim.Stages()[3]
	put := func(id, body string) (int, []byte) {
		status, _, b := e.call(t, http.MethodPut, "/v1/opportunities/"+id+"/stage", strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		return status, b
	}
	status, body := put(opp.ID, `{"stage":"no-such-stage"}`)
	wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
	if !strings.Contains(string(body), `stage \"no-such-stage\" does not exist`) {
		t.Errorf("refusal %s does not say why", body)
	}
	status, body = put("no-such-opportunity", `{"stage":"`+screen.ID+`"}`)
	wantError(t, status, body, http.StatusNotFound, lever.CodeNotFound)
	e.clock.Advance(time.Minute)
	if status, body := put(opp.ID, `{"stage":"`+screen.ID+`"}`); status != http.StatusOK {
		t.Fatalf("move: %d %s", status, body)
	}
	o, _ := e.sim.Opportunity(opp.ID)
	if o.Stage.ID != screen.ID || o.UpdatedAt != lever.Millis(e.clock.Now()) {
		t.Errorf("after the move: stage %s updatedAt %d, want %s at %d", o.Stage.ID, o.UpdatedAt, screen.ID, lever.Millis(e.clock.Now()))
	}
}

func TestSeedOpportunities(t *testing.T) {
	t.Parallel()
	e := newEnv(t, leversim.WithRateLimit(0, 1)) // 250 resume reads on a clock that stands still
	u := e.sim.AddUser("Rita Recruiter", "rita@example.com")
	p := e.sim.AddPosting("Barista", nil, u.ID)
	other := e.sim.AddPosting("Roaster", nil, u.ID)
	if _, err := e.sim.SeedOpportunities("no-such-posting", 1); !errors.Is(err, leversim.ErrNotFound) {
		t.Fatalf("seeding an unknown posting: %v", err)
	}
	if _, err := e.sim.SeedOpportunities(other.ID, 5); err != nil {
		t.Fatal(err)
	}
	ids, err := e.sim.SeedOpportunities(p.ID, 250)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	offset := ""
	for {
		q := url.Values{"posting_id": {p.ID}, "expand": {"stage"}}
		if offset != "" {
			q.Set("offset", offset)
		}
		page := getList[lever.Opportunity](t, e, "/v1/opportunities?"+q.Encode())
		for _, o := range page.Data {
			if o.Stage.Stage == nil || o.Stage.Stage.Text != "New applicant" || len(o.Emails) != 1 {
				t.Fatalf("seeded opportunity %+v, want New applicant with an email", o)
			}
			got = append(got, o.ID)
		}
		if !page.HasNext {
			break
		}
		offset = page.Next
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("listed %d of the posting's opportunities, want its 250 in order", len(got))
	}
	without := 0
	for _, id := range ids {
		page := getList[lever.Resume](t, e, "/v1/opportunities/"+id+"/resumes")
		switch {
		case len(page.Data) == 0:
			without++
		case len(page.Data[0].ParsedData.Positions) == 0 || len(page.Data[0].ParsedData.Schools) != 1:
			t.Fatalf("seeded resume %+v, want positions and a school", page.Data[0])
		}
	}
	if without != 25 {
		t.Errorf("%d of 250 without a resume, want one in ten", without)
	}
}

func TestUpdateOpportunityKeepsIdentityAndStage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _, opp := e.seed(t)
	e.clock.Advance(time.Minute)
	err := e.sim.UpdateOpportunity(opp.ID, func(o *lever.Opportunity) {
		o.ID, o.Stage = "hijacked", lever.StageRef{ID: "offer"}
		o.Tags = append(o.Tags, "Go")
	})
	if err != nil {
		t.Fatal(err)
	}
	o, ok := e.sim.Opportunity(opp.ID)
	if !ok || o.ID != opp.ID || o.Stage.ID != lever.StageNewApplicant || !slices.Equal(o.Tags, []string{"Go"}) || o.UpdatedAt != lever.Millis(e.clock.Now()) {
		t.Fatalf("after update: %+v", o)
	}
	if err := e.sim.UpdateOpportunity("no-such-opportunity", func(*lever.Opportunity) {}); !errors.Is(err, leversim.ErrNotFound) {
		t.Fatalf("updating an unknown opportunity: %v", err)
	}
}

// BenchmarkSeedOpportunities10k is the set-up cost of a 10k-applicant job.
func BenchmarkSeedOpportunities10k(b *testing.B) {
	for b.Loop() {
		sim := leversim.New()
		p := sim.AddPosting("Barista", nil, "")
		if _, err := sim.SeedOpportunities(p.ID, 10_000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListOpportunitiesLastPage10k is one page of a 10k-applicant
// posting, the last, in-process: the simulator's share of a sync's time.
func BenchmarkListOpportunitiesLastPage10k(b *testing.B) {
	sim := leversim.New(leversim.WithRateLimit(0, 1))
	sim.AddAPIKey(key)
	p := sim.AddPosting("Barista", nil, "")
	if _, err := sim.SeedOpportunities(p.ID, 10_000); err != nil {
		b.Fatal(err)
	}
	h := sim.Handler()
	get := func(query string) lever.ListResponse[lever.Opportunity] {
		req := httptest.NewRequest(http.MethodGet, "/v1/opportunities?"+query, nil)
		req.SetBasicAuth(key, "")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var page lever.ListResponse[lever.Opportunity]
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &page) != nil {
			b.Fatalf("%d %s", rec.Code, rec.Body.Bytes())
		}
		return page
	}
	q := fmt.Sprintf("posting_id=%s&expand=stage&expand=applications&limit=100", p.ID)
	offset := ""
	for range 99 {
		offset = get(q + "&offset=" + url.QueryEscape(offset)).Next
	}
	last := q + "&offset=" + url.QueryEscape(offset)
	b.ResetTimer()
	for b.Loop() {
		if page := get(last); len(page.Data) != 100 || page.HasNext {
			b.Fatalf("last page has %d, hasNext %v", len(page.Data), page.HasNext)
		}
	}
}
