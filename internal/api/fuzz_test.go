package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

// FuzzJSONBody feeds arbitrary bodies to the admin API's JSON endpoints:
// bad input is a 4xx in the documented error shape, never a 500; a body that
// is not exactly one JSON value is refused; and an unknown field is refused
// wherever it is added, so a typo never silently changes nothing.
func FuzzJSONBody(f *testing.F) {
	e := apptest.New(f, apptest.Options{DevOutbox: true})
	fx := e.SetupLever(apptest.LeverOptions{})
	endpoints := []struct{ method, path string }{
		{"POST", "/vacancies"},
		{"PATCH", "/vacancies/" + fx.VacancyID},
		{"POST", "/integrations"},
		{"PATCH", "/integrations/" + fx.IntegrationID},
		{"PUT", "/integrations/" + fx.IntegrationID + "/credentials/api_key"},
		{"POST", "/users"},
	}
	for _, seed := range []string{
		`{"name":"Support Engineer","tag":"Switchboard: Support","expiry_days":7}`,
		`{"name":"Inline","inline":true,"return_url":"https://example.com/done"}`,
		`{"name":"X","thresholds":{"great":80,"good":50}}`,
		`{"name":"X","package":{"modules":[]}}`,
		`{"provider":"lever","name":"Lever"}`,
		`{"settings":{"trigger_stage":"Assessment"},"patterns":["stage_change"]}`,
		`{"value":"k"}`,
		`{"email":"new@example.com","name":"New","role":"admin"}`,
		`{"name":1}`, `{"expiry_days":"7"}`, `{"expiry_days":1e400}`, `{"NAME":"case"}`,
		`{"name":"a"} {}`, `{"name":"a"} x`,
		`null`, `[]`, `"x"`, `{`, ``, "\xff", `{"name":"\ud800"}`,
	} {
		for i := range endpoints {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		ep := endpoints[int(which)%len(endpoints)]
		status, resp := send(t, e, fx.APIKey, ep.method, ep.path, body)
		if status >= 500 || status < 200 || (status >= 300 && status < 400) {
			t.Fatalf("%s %s %q: %d %s", ep.method, ep.path, body, status, resp)
		}
		if !json.Valid(body) && status < 300 {
			t.Fatalf("%s %s accepted %q, which is not one JSON value: %d %s", ep.method, ep.path, body, status, resp)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) != nil || obj == nil {
			return
		}
		obj["zz_not_a_field"] = json.RawMessage(`1`)
		withUnknown, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		if status, resp := send(t, e, fx.APIKey, ep.method, ep.path, withUnknown); status != http.StatusBadRequest {
			t.Fatalf("%s %s with an unknown field %s: %d %s, want 400", ep.method, ep.path, withUnknown, status, resp)
		}
	})
}

// send calls the admin API with a raw body and checks that any error answer
// has the documented shape.
func send(t *testing.T, e *apptest.Env, key, method, path string, body []byte) (int, string) {
	t.Helper()
	b := string(body)
	status, _, resp := raw(t, e, "Bearer "+key, method, path, &b)
	if status >= 400 {
		var eb errBody
		if err := json.Unmarshal([]byte(resp), &eb); err != nil || eb.Error == "" {
			t.Fatalf("%s %s: %d without the error shape: %s", method, path, status, resp)
		}
	}
	return status, resp
}

// FuzzOrderFilter: GET /orders either refuses a filter (422, naming the
// parameter) or applies exactly what it says: every order listed and
// counted matches state, vacancy, integration, test and the created range, paging stays in its
// bounds, and nothing it cannot represent is silently dropped.
func FuzzOrderFilter(f *testing.F) {
	e := apptest.New(f, apptest.Options{DevOutbox: true})
	fx := e.SetupLever(apptest.LeverOptions{})
	for i, who := range []string{"Ada Lovelace", "Grace Hopper", "Alan Turing"} {
		if i > 0 {
			e.Clock.Advance(36 * time.Hour)
		}
		applyAndTrigger(f, e, who, strings.ToLower(strings.Fields(who)[0])+"@example.com", fx.PostingID)
	}
	all := listOrders(f, e, fx.APIKey, nil).Orders
	if len(all) != 3 {
		f.Fatalf("orders: %+v, want 3", all)
	}
	day := func(o orderJSON) string { return o.CreatedAt[:len("2006-01-02")] }
	for _, seed := range []string{
		"", "state=invited", "state=completed", "state=bogus", "vacancy=" + fx.VacancyID, "integration=" + fx.IntegrationID,
		"from=" + day(all[1]), "to=" + day(all[1]), "from=" + all[0].CreatedAt, "to=" + all[0].CreatedAt,
		"from=2006-01-02T15:04:05+07:00", "to=2006-13-45", "from=0001-01-01",
		"from=0000-01-01T00:00:00+01:00", "to=9999-12-31", "limit=1&offset=1", "limit=0", "limit=201", "limit=+5", "offset=-1",
		"offset=1073741825", "limit=1e2", "test=false", "test=True", "q=ada", "q=%25", "q=_", "state=invited&state=completed", "%zz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' }) {
			return // not a query a client sends; the HTTP server refuses it
		}
		status, _, resp := raw(t, e, "Bearer "+fx.APIKey, "GET", "/orders?"+query, nil)
		q, _ := url.ParseQuery(query) // like r.URL.Query, keeps what parses
		if status == http.StatusUnprocessableEntity {
			var eb errBody
			if err := json.Unmarshal([]byte(resp), &eb); err != nil || len(eb.Fields) == 0 {
				t.Fatalf("422 without the fields it refused: %s", resp)
			}
			for name := range eb.Fields {
				if q.Get(name) == "" {
					t.Fatalf("query %q refused for %q, which it does not set: %s", query, name, resp)
				}
			}
			return
		}
		if status != http.StatusOK {
			t.Fatalf("query %q: %d %s", query, status, resp)
		}
		var l orderList
		if err := json.Unmarshal([]byte(resp), &l); err != nil {
			t.Fatalf("query %q: %v: %s", query, err, resp)
		}
		if l.Limit < 1 || l.Limit > 200 || l.Offset < 0 || len(l.Orders) > l.Limit {
			t.Fatalf("query %q: paging limit %d offset %d with %d orders", query, l.Limit, l.Offset, len(l.Orders))
		}
		// What the filter says, applied to every order there is.
		from, to, ok := bounds(q)
		if !ok {
			t.Fatalf("query %q accepted with dates that do not parse", query)
		}
		want := 0
		for _, o := range all {
			created, err := time.Parse(time.RFC3339, o.CreatedAt)
			if err != nil {
				t.Fatal(err)
			}
			match := (q.Get("state") == "" || string(orZero(core.ParseState(q.Get("state")))) == o.State) &&
				(q.Get("vacancy") == "" || q.Get("vacancy") == o.VacancyID) &&
				(q.Get("integration") == "" || q.Get("integration") == o.IntegrationID) &&
				(q.Get("test") == "" || q.Get("test") == strconv.FormatBool(o.Test)) &&
				(from == nil || !created.Before(*from)) && (to == nil || created.Before(*to))
			// The search is trimmed, like what a person types in the box.
			if s := strings.TrimSpace(q.Get("q")); s != "" {
				match = match && (strings.Contains(strings.ToLower(o.CandidateName), strings.ToLower(s)) ||
					strings.Contains(strings.ToLower(o.CandidateEmail), strings.ToLower(s)))
			}
			if match {
				want++
			}
		}
		if l.Total != want {
			t.Fatalf("query %q: total %d, want %d of %+v", query, l.Total, want, all)
		}
	})
}

// bounds reads the from and to of a filter the way the API documents them:
// YYYY-MM-DD or RFC 3339, a date "to" including that whole day. Whether a
// bound was given is told apart from its value, which may be the zero time.
func bounds(q url.Values) (from, to *time.Time, ok bool) {
	parse := func(name string) (*time.Time, bool) {
		s := q.Get(name)
		if s == "" {
			return nil, true
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			if name == "to" {
				t = t.AddDate(0, 0, 1)
			}
			return &t, true
		}
		t, err := time.Parse(time.RFC3339, s)
		t = t.UTC()
		return &t, err == nil
	}
	from, okFrom := parse("from")
	to, okTo := parse("to")
	return from, to, okFrom && okTo
}

func orZero[T any](v T, err error) T {
	if err != nil {
		var zero T
		return zero
	}
	return v
}
