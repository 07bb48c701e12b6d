package ashbysim_test

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

	"switchboard/internal/ats/ashby"
	"switchboard/internal/atssim/ashbysim"
)

func post(t *testing.T, url, user, body string) (int, http.Header, ashby.Envelope) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if user != "" {
		req.SetBasicAuth(user, "")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e ashby.Envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not Ashby's envelope: %s", b)
	}
	return resp.StatusCode, resp.Header, e
}

// TestAshbyAnswers: Ashby's statuses and error bodies for its own API.
func TestAshbyAnswers(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := ashbysim.New(ashbysim.WithClock(func() time.Time { return now }), ashbysim.WithRateLimit(1, 2))
	s.AddAPIKey("good", "Switchboard", ashbysim.PermCandidatesWrite)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	cases := []struct {
		name, path, user, body string
		status                 int
		code                   string
	}{
		{"no key", ashby.PathUpdate, "", `{}`, 401, ashbysim.CodeUnauthenticated},
		{"wrong key", ashby.PathUpdate, "bad", `{}`, 403, ashbysim.CodeInvalidAPIKey},
		{"missing permission", ashby.PathAPIKeyInfo, "good", `{}`, 403, ashby.CodeMissingEndpointPermission},
		{"invalid input", ashby.PathUpdate, "good", `{"assessment_id":"x"}`, 200, ashby.CodeInvalidInput},
		{"rate limited", ashby.PathUpdate, "good", `{}`, 429, ashbysim.CodeRateLimited},
		{"no such endpoint", "/candidate.nope", "good", `{}`, 404, "not_found"},
	}
	for _, tc := range cases {
		status, h, e := post(t, srv.URL+tc.path, tc.user, tc.body)
		if status != tc.status || e.Success || e.ErrorInfo == nil || e.ErrorInfo.Code != tc.code {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, status, e, tc.status, tc.code)
		}
		if tc.status == 429 && h.Get("Retry-After") != "1" {
			t.Errorf("429 Retry-After %q", h.Get("Retry-After"))
		}
	}
	if s.Throttled() != 1 || s.MaxIn(time.Second) != 3 {
		t.Errorf("throttled %d, max in 1s %d", s.Throttled(), s.MaxIn(time.Second))
	}
}

// TestStartAsAshbySendsIt: the start Ashby sends carries the partner key
// as Basic, the application's records and its answers as Ashby shows them.
func TestStartAsAshbySendsIt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []*http.Request
	var bodies []string
	answers := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) {
			_ = json.NewEncoder(w).Encode(ashby.StartResponse{Success: true, Results: ashby.StartResults{AssessmentID: "as-1"}})
		},
		func(w http.ResponseWriter) { w.WriteHeader(409) },
		func(w http.ResponseWriter) {
			w.WriteHeader(422)
			_ = json.NewEncoder(w).Encode(ashby.ErrorMessage{Message: "No such package."})
		},
	}
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		n := len(got)
		got, bodies = append(got, r), append(bodies, string(b))
		mu.Unlock()
		answers[n](w)
	}))
	defer partner.Close()
	s := ashbysim.New()
	s.ConfigurePartner(partner.URL+"/partners/ashby/", "sbk_1")
	c := s.AddCandidate("Ada", "Byron", "ada@example.com")
	a, err := s.Apply(c.ID, s.AddJob("Engineer", "R-1").ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []ashbysim.StartOutcome{{Status: 200, AssessmentID: "as-1"}, {Status: 409, Shown: ashbysim.AlreadyAssessed}, {Status: 422, Shown: "No such package."}}
	for i, w := range want {
		out, err := s.StartAssessment(context.Background(), a.ID, "vac_1")
		if err != nil || out != w {
			t.Fatalf("start %d: %+v %v, want %+v", i, out, err, w)
		}
	}
	user, pass, ok := got[0].BasicAuth()
	if !ok || user != "sbk_1" || pass != "" || got[0].URL.Path != "/partners/ashby"+ashby.PathStart || got[0].Method != http.MethodPost {
		t.Fatalf("Ashby called %s %s as %q:%q", got[0].Method, got[0].URL.Path, user, pass)
	}
	sr, err := ashby.DecodeStart([]byte(bodies[0]))
	if err != nil || sr.Application.AshbyID != a.ID || sr.Candidate.AshbyID != c.ID || sr.Job.ReqID != "R-1" {
		t.Fatalf("start body %s: %+v %v", bodies[0], sr, err)
	}
	if as, ok := s.Assessment("as-1"); !ok || as.ApplicationID != a.ID || as.TypeID != "vac_1" {
		t.Fatalf("Ashby shows %+v", as)
	}
}
