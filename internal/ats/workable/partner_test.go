package workable_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/workable"
	"switchboard/internal/core"
)

// fakeCore is the core as the provider endpoints see it: one key, two
// vacancies (one inline), orders by idempotency key.
type fakeCore struct {
	ats.PartnerCore // the rest is not called
	orders          map[string]string
	events          []ats.Event
}

func (f *fakeCore) Authenticate(_ context.Context, h http.Header) (ats.Config, error) {
	if h.Get("Authorization") != "Bearer good-key" {
		return ats.Config{}, ats.Refuse(http.StatusUnauthorized, "invalid key")
	}
	return ats.Config{Integration: core.Integration{ID: "int_1"}}, nil
}

var vacancies = []core.Vacancy{{ID: "vac_1", Name: "Aptitude"}, {ID: "vac_2", Name: "Inline screening", Inline: true}}

func (f *fakeCore) Packages(context.Context, ats.Config) ([]core.Vacancy, error) {
	return vacancies, nil
}

func (f *fakeCore) Package(_ context.Context, _ ats.Config, id string) (core.Vacancy, error) {
	for _, v := range vacancies {
		if v.ID == id {
			return v, nil
		}
	}
	return core.Vacancy{}, ats.Refuse(http.StatusNotFound, "no assessment package with id %q", id)
}

func (f *fakeCore) Order(_ context.Context, _ ats.Config, e ats.Event) (ats.OrderReceipt, error) {
	if id, ok := f.orders[e.IdempotencyKey]; ok {
		return ats.OrderReceipt{OrderID: id}, nil
	}
	id := "ord_" + string(rune('a'+len(f.orders)))
	f.orders[e.IdempotencyKey] = id
	f.events = append(f.events, e)
	return ats.OrderReceipt{OrderID: id, Created: true}, nil
}

func TestProviderEndpoints(t *testing.T) {
	t.Parallel()
	fc := &fakeCore{orders: map[string]string{}}
	mux := http.NewServeMux()
	workable.NewConnector(workable.ConnectorOptions{}).RegisterPartner(mux, "/partners/workable", fc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	do := func(method, path, key, body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/partners/workable"+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, resp.Header, out
	}
	st, _, out := do("GET", "/tests", "good-key", "")
	if b, _ := json.Marshal(out); st != 200 || string(b) != `{"tests":[{"id":"vac_1","name":"Aptitude"}]}` {
		t.Fatalf("GET /tests: %d %s, want the e-mailed test only", st, b)
	}
	const cand = `"candidate":{"first_name":"Lakita","last_name":"Marrero","email":"l@example.com"}`
	good := `{"test_id":"vac_1","job_shortcode":"GROOV005","callback_url":"https://acme.workable.com/a/1",` + cand + `}`
	for _, tc := range []struct {
		name, key, body string
		status          int
		msg             string
	}{
		{"no key", "", good, 401, "invalid key"},
		{"wrong key", "bad", good, 401, "invalid key"},
		{"not JSON", "good-key", `test_id=1`, 400, "not a JSON object"},
		{"wrong type", "good-key", `{"test_id":"vac_1","callback_url":"https://acme.workable.com/a/1","candidate":{"email":7}}`, 400, "wrong type"},
		{"missing email", "good-key", `{"test_id":"vac_1","callback_url":"https://acme.workable.com/a/1","candidate":{}}`, 422, "candidate.email"},
		{"unknown test", "good-key", `{"test_id":99,"callback_url":"https://acme.workable.com/a/2",` + cand + `}`, 422, `no test "99"`},
		{"inline test", "good-key", `{"test_id":"vac_2","callback_url":"https://acme.workable.com/a/3",` + cand + `}`, 422, "taken while applying"},
		{"callback elsewhere", "good-key", `{"test_id":"vac_1","callback_url":"https://evil.example/a/1",` + cand + `}`, 422, "callback_url refused"},
		{"too large", "good-key", `{"test_id":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "larger than"},
	} {
		st, h, out := do("POST", "/assessments", tc.key, tc.body)
		msg, _ := out["message"].(string)
		if st != tc.status || out["status"] != float64(tc.status) || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %v, want %d {status, message ~ %q}", tc.name, st, out, tc.status, tc.msg)
		}
		if st == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
		}
	}
	if len(fc.events) != 0 {
		t.Fatalf("refused requests ordered %+v", fc.events)
	}
	st, _, out = do("POST", "/assessments", "good-key", good)
	if st != 201 || out["assessment_id"] != "ord_a" {
		t.Fatalf("create: %d %v", st, out)
	}
	st, _, out = do("POST", "/assessments", "good-key", good)
	if st != 200 || out["assessment_id"] != "ord_a" || len(fc.events) != 1 {
		t.Fatalf("the same create again: %d %v (%d orders), want 200 with the same id", st, out, len(fc.events))
	}
	e := fc.events[0]
	if e.Mode != core.ModeAdHoc || e.PackageID != "vac_1" || e.ExternalJobID != "GROOV005" || e.CallbackURL != "https://acme.workable.com/a/1" ||
		e.Candidate.Name != "Lakita Marrero" || e.Candidate.Email != "l@example.com" || e.IdempotencyKey != workable.IdempotencyKey(e.CallbackURL) {
		t.Fatalf("event %+v", e)
	}
}
