package vendorapi

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/core"
	"switchboard/internal/vendorapi/result"
)

const (
	resultPath = "/api/vendor/unified/ats/assessments/orders/ord_1/result"
	ordersPath = "/api/vendor/unified/ats/assessments/orders"
	pkgsPath   = "/api/vendor/unified/ats/assessments/packages"
)

type routeCase struct {
	name   string
	opt    result.Options
	setup  func(*fixture)
	req    req
	status int
	fields []string // the errors[].field of an error, in order; nil checks none
	body   string   // a substring of the body
	check  func(t *testing.T, f *fixture)
	// offDoc marks a request to no documented route, whose answer the
	// document cannot describe.
	offDoc bool
}

func runCases(t *testing.T, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.opt)
			if tc.setup != nil {
				tc.setup(f)
			}
			w := f.do(t, tc.req)
			if !tc.offDoc {
				checkExchange(t, tc.req, w)
			}
			if w.Code != tc.status {
				t.Fatalf("%s %s: %d, want %d: %s", tc.req.method, tc.req.path, w.Code, tc.status, w.Body)
			}
			if w.Code >= 400 {
				st := errorStatus(t, w)
				if tc.fields != nil && !slices.Equal(fields(st), tc.fields) {
					t.Errorf("error fields %q, want %q: %s", fields(st), tc.fields, w.Body)
				}
				if w.Code == http.StatusInternalServerError && strings.Contains(w.Body.String(), errBoom.Error()) {
					t.Errorf("500 shows the internal error: %s", w.Body)
				}
			}
			if !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("body %s, want it to contain %s", w.Body, tc.body)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	cases := []routeCase{
		{name: "no Authorization", req: req{method: "GET", path: "/api/vendor/webhook", auth: "-"}, status: 401, body: "Basic"},
		{name: "Bearer", req: req{method: "GET", path: "/api/vendor/webhook", auth: "Bearer svk_good"}, status: 401},
		{name: "Basic not base64", req: req{method: "GET", path: "/api/vendor/webhook", auth: "Basic !!!"}, status: 401},
		{name: "Basic empty user", req: req{method: "GET", path: "/api/vendor/webhook", auth: basic("")}, status: 401},
		{name: "unknown key", req: req{method: "GET", path: "/api/vendor/webhook", auth: basic("svk_other")}, status: 401, body: "unknown"},
		{name: "auth before validation", req: req{method: "GET", path: ordersPath + "?page_size=0", auth: basic("svk_other"), account: "-"}, status: 401},
		{name: "store down", setup: func(f *fixture) { f.vendors.authErr = errBoom },
			req: req{method: "GET", path: "/api/vendor/webhook"}, status: 500},
		{name: "not linked", req: req{method: "GET", path: ordersPath, account: "acc_2"}, status: 403, body: "not linked to account acc_2"},
		{name: "not linked result", req: req{method: "PATCH", path: resultPath, account: "acc_2", body: `{"result":{"value":"passed"}}`}, status: 403},
		{name: "no account header", req: req{method: "GET", path: ordersPath, account: "-"}, status: 400, fields: []string{"x-account-id"}},
		{name: "no account header result", req: req{method: "PATCH", path: resultPath, account: "-", body: `{}`}, status: 400, fields: []string{"x-account-id"}},
		{name: "packages need no account", req: req{method: "GET", path: pkgsPath, account: "-"}, status: 200},
	}
	runCases(t, cases)
	t.Run("challenge", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, result.Options{})
		for _, auth := range []string{"-", "Basic !!!", basic("svk_other")} {
			w := f.do(t, req{method: "PATCH", path: resultPath, auth: auth, body: `{}`})
			if got := w.Header().Get("WWW-Authenticate"); got != `Basic realm="switchboard vendor API"` {
				t.Errorf("auth %q: WWW-Authenticate %q", auth, got)
			}
			if st := errorStatus(t, w); !st.Timestamp.Equal(testNow) {
				t.Errorf("timestamp %v, want the injected clock's %v", st.Timestamp, testNow)
			}
		}
	})
}

func TestResult(t *testing.T) {
	t.Parallel()
	updated := func(check func(t *testing.T, u result.Update)) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			if len(f.orders.updates) != 1 {
				t.Fatalf("%d updates reached Orders, want 1", len(f.orders.updates))
			}
			check(t, f.orders.updates[0])
		}
	}
	nothing := func(t *testing.T, f *fixture) {
		if len(f.orders.updates) != 0 {
			t.Errorf("a refused update reached Orders: %+v", f.orders.updates)
		}
	}
	patch := func(body string) req { return req{method: "PATCH", path: resultPath, body: body} }
	cases := []routeCase{
		{name: "passed with score as strings", req: patch(`{"result":{"value":"passed"},"score":{"value":"80","min":"0","max":"100"}}`),
			status: 200, body: `"message":"Record updated successfully."`,
			check: updated(func(t *testing.T, u result.Update) {
				if u.Outcome != result.Passed || u.Score == nil || u.Score.Value != 80 {
					t.Errorf("update %+v", u)
				}
			})},
		{name: "score as numbers", req: patch(`{"score":{"value":7.5,"min":0,"max":10}}`), status: 200},
		{name: "in progress", req: patch(`{"result":{"value":"in_progress"},"start_date":"2026-03-04T05:00:00Z"}`), status: 200,
			check: updated(func(t *testing.T, u result.Update) {
				if u.Outcome != result.InProgress || u.StartedAt.IsZero() {
					t.Errorf("update %+v", u)
				}
			})},
		{name: "background check path", req: req{method: "PATCH", path: "/api/vendor/unified/ats/background_checks/orders/ord_1/result",
			body: `{"result":{"value":"passed"}}`}, status: 404, check: nothing},
		{name: "score partial", req: patch(`{"score":{"value":"80"}}`), status: 400, fields: []string{"score.min", "score.max"}, check: nothing},
		{name: "min above max", req: patch(`{"score":{"value":"5","min":"10","max":"1"}}`), status: 400, fields: []string{"score.max"}, check: nothing},
		{name: "non-numeric", req: patch(`{"score":{"value":"eighty","min":"0","max":"100"}}`), status: 400, fields: []string{"score.value"}, body: "must be a number", check: nothing},
		{name: "http URL", req: patch(`{"result_url":"http://vendor.example/r"}`), status: 400, fields: []string{"result_url"}, body: "https", check: nothing},
		{name: "http URL allowed", opt: result.Options{AllowHTTP: true}, req: patch(`{"result_url":"http://vendor.example/r"}`), status: 200},
		{name: "attachment without content type", req: patch(`{"attachments":[{"url":"https://vendor.example/a.pdf"}]}`), status: 400,
			fields: []string{"attachments[0].content_type"}, check: nothing},
		{name: "unknown field", req: patch(`{"result":{"value":"passed"},"scor":{}}`), status: 400, fields: []string{"scor"}, check: nothing},
		{name: "several faults at once", req: patch(`{"score":{"value":"x","min":"0","max":"1"},"result_url":"ftp://a/b","result":{"value":"pased"}}`),
			status: 400, fields: []string{"score.value", "result.value", "result_url"}},
		{name: "not JSON", req: patch(`{"result":`), status: 400, check: nothing},
		{name: "empty body", req: patch(``), status: 400, check: nothing},
		{name: "unknown order", req: req{method: "PATCH", path: "/api/vendor/unified/ats/assessments/orders/ord_9/result", body: `{"result":{"value":"passed"}}`},
			status: 404, body: "You have no order ord_9."},
		{name: "unknown kind", req: req{method: "PATCH", path: "/api/vendor/unified/ats/checks/orders/ord_1/result", body: `{"result":{"value":"passed"}}`},
			status: 400, fields: []string{"kind"}},
		{name: "terminal order", setup: func(f *fixture) {
			f.orders.err = core.Explain(fmt.Errorf("order ord_1 is expired: %w", core.ErrConflict), "The order expired: it takes no more results.")
		}, req: patch(`{"result":{"value":"passed"}}`), status: 409, body: "The order expired"},
		{name: "store down", setup: func(f *fixture) { f.orders.err = errBoom }, req: patch(`{"result":{"value":"passed"}}`), status: 500},
		{name: "too large", req: patch(`{"summary":"` + strings.Repeat("a", result.MaxBodyBytes) + `"}`), status: 413, check: nothing},
		{name: "largest accepted size reaches Parse", req: patch(`{"summary":"` + strings.Repeat("a", result.MaxBodyBytes-14) + `"}`),
			status: 400, fields: []string{"summary"}, check: nothing},
	}
	runCases(t, cases)
}

func TestOrders(t *testing.T) {
	t.Parallel()
	listed := func(want listCall) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			if len(f.orders.lists) != 1 || f.orders.lists[0] != want {
				t.Errorf("VendorOrders calls %+v, want [%+v]", f.orders.lists, want)
			}
		}
	}
	get := func(path string) req { return req{method: "GET", path: path} }
	cases := []routeCase{
		{name: "defaults", req: get(ordersPath), status: 200, body: `"next":null`,
			check: listed(listCall{limit: 25, kind: core.KindAssessment})},
		{name: "open, cursor and size passed through", setup: func(f *fixture) { f.orders.next = "c2" },
			req: get(ordersPath + "?status=open&next=c1&page_size=250"), status: 200, body: `"next":"c2"`,
			check: listed(listCall{open: true, after: "c1", limit: 250, kind: core.KindAssessment})},
		{name: "empty page is a list", req: get("/api/vendor/unified/ats/background_checks/orders"), status: 200, body: `{"data":[],"next":null}`},
		{name: "page_size 0", req: get(ordersPath + "?page_size=0"), status: 400, fields: []string{"page_size"}},
		{name: "page_size 251", req: get(ordersPath + "?page_size=251"), status: 400, fields: []string{"page_size"}},
		{name: "page_size not a number", req: get(ordersPath + "?page_size=ten"), status: 400, fields: []string{"page_size"}},
		{name: "status other than open", req: get(ordersPath + "?status=closed"), status: 400, fields: []string{"status"}},
		{name: "one order", req: get(ordersPath + "/ord_1"), status: 200, body: `"data":{"id":"ord_1"`},
		{name: "unknown order", req: get(ordersPath + "/ord_2"), status: 404},
		{name: "another kind's order", req: get("/api/vendor/unified/ats/background_checks/orders/ord_1"), status: 404},
	}
	runCases(t, cases)
}

func TestPackages(t *testing.T) {
	t.Parallel()
	put := func(body string) req { return req{method: "PUT", path: pkgsPath, body: body, account: "-"} }
	nothing := func(t *testing.T, f *fixture) {
		if f.vendors.replaced != nil {
			t.Errorf("refused packages reached Vendors: %+v", f.vendors.replaced)
		}
	}
	many := make([]string, MaxPackages+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id":"p%d","name":"P"}`, i)
	}
	cases := []routeCase{
		{name: "list", setup: func(f *fixture) {
			f.vendors.packages = []core.VendorPackage{{ID: "p1", Name: "Go", Kind: core.KindAssessment}}
		}, req: req{method: "GET", path: pkgsPath}, status: 200, body: `{"data":[{"id":"p1","name":"Go","type":"assessment"}],"next":null}`},
		{name: "list none", req: req{method: "GET", path: pkgsPath}, status: 200, body: `{"data":[],"next":null}`},
		{name: "replace", req: put(`{"packages":[{"id":"p1","name":"Go","description":"An hour"},{"id":"p2","name":"SQL","type":"assessment"}]}`),
			status: 200, body: `{"data":[{"id":"p1","name":"Go","description":"An hour","type":"assessment"}`,
			check: func(t *testing.T, f *fixture) {
				if len(f.vendors.replaced) != 2 || f.vendors.replaced[1].Source != core.PackagesPushed || f.vendors.replaced[1].VendorID != vendorID {
					t.Errorf("replaced %+v", f.vendors.replaced)
				}
			}},
		{name: "replace with none", req: put(`{"packages":[]}`), status: 200, body: `{"data":[]}`},
		{name: "ids unique, names set", req: put(`{"packages":[{"id":"p1","name":"Go"},{"id":"p1","name":""},{"id":"","name":"X"}]}`),
			status: 400, fields: []string{"packages[1].id", "packages[1].name", "packages[2].id"}, check: nothing},
		{name: "type of another kind", req: put(`{"packages":[{"id":"p1","name":"Go","type":"background_check"}]}`),
			status: 400, fields: []string{"packages[0].type"}, check: nothing},
		{name: "too many", req: put(`{"packages":[` + strings.Join(many, ",") + `]}`), status: 400, fields: []string{"packages"}, check: nothing},
		{name: "unknown field", req: put(`{"packages":[{"id":"p1","name":"Go","price":3}]}`), status: 400, check: nothing},
		{name: "no packages field", req: put(`{}`), status: 400, fields: []string{"packages"}, check: nothing},
	}
	runCases(t, cases)
}

func TestWebhookAndSource(t *testing.T) {
	t.Parallel()
	put := func(path, body string) req { return req{method: "PUT", path: path, body: body, account: "-"} }
	cases := []routeCase{
		{name: "get", req: req{method: "GET", path: "/api/vendor/webhook"}, status: 200, body: `"url":"https://vendor.example/hook"`},
		{name: "set", req: put("/api/vendor/webhook", `{"url":"https://vendor.example/new"}`), status: 200, body: `"secret":"whsec_new"`,
			check: func(t *testing.T, f *fixture) {
				if f.vendors.hookURL != "https://vendor.example/new" {
					t.Errorf("SetWebhook got %q", f.vendors.hookURL)
				}
			}},
		{name: "set http", req: put("/api/vendor/webhook", `{"url":"http://vendor.example/new"}`), status: 400, fields: []string{"url"}, body: "https"},
		{name: "set http allowed", opt: result.Options{AllowHTTP: true}, req: put("/api/vendor/webhook", `{"url":"http://vendor.example/new"}`), status: 200},
		{name: "set relative", req: put("/api/vendor/webhook", `{"url":"/hook"}`), status: 400, fields: []string{"url"}, body: "absolute"},
		{name: "set empty", req: put("/api/vendor/webhook", `{"url":""}`), status: 400, fields: []string{"url"}},
		{name: "set without url", req: put("/api/vendor/webhook", `{}`), status: 400, fields: []string{"url"}},
		{name: "rotate", req: req{method: "POST", path: "/api/vendor/webhook/rotate"}, status: 200, body: `"previous_valid_until":"2026-03-05T05:06:07Z"`},
		{name: "enable", req: req{method: "POST", path: "/api/vendor/webhook/enable"}, status: 200},
		{name: "enable without endpoint", setup: func(f *fixture) { f.vendors.err = core.Explain(core.ErrNotFound, "You have set no webhook endpoint.") },
			req: req{method: "POST", path: "/api/vendor/webhook/enable"}, status: 404, body: "no webhook endpoint"},
		{name: "source set", req: put("/api/vendor/package_source", `{"url":"https://vendor.example/packages","key":"k1"}`), status: 200,
			check: func(t *testing.T, f *fixture) {
				if f.vendors.source == nil || f.vendors.source.Key != "k1" {
					t.Errorf("source %+v", f.vendors.source)
				}
			}},
		{name: "source bad", req: put("/api/vendor/package_source", `{"url":"http://vendor.example/p","key":"a:b"}`), status: 400, fields: []string{"url", "key"}},
		{name: "source refused by the store", setup: func(f *fixture) { f.vendors.err = core.Invalid("url", "is taken") },
			req: put("/api/vendor/package_source", `{"url":"https://vendor.example/packages","key":"k1"}`), status: 400, fields: []string{"url"}},
		{name: "source delete", req: req{method: "DELETE", path: "/api/vendor/package_source"}, status: 200,
			check: func(t *testing.T, f *fixture) {
				if !f.vendors.deleted {
					t.Error("DeletePackageSource not called")
				}
			}},
	}
	runCases(t, cases)
}

func TestConnectorsAndRouting(t *testing.T) {
	t.Parallel()
	cases := []routeCase{
		{name: "meta", req: req{method: "GET", path: "/api/vendor/connectors/meta"}, status: 200, body: `"provider":"smartrecruiters","name":"SmartRecruiters","shows":{"status":true,"score":true`},
		{name: "meta one", req: req{method: "GET", path: "/api/vendor/connectors/meta/lever"}, status: 200, body: `{"data":{"provider":"lever"`},
		{name: "meta unknown", req: req{method: "GET", path: "/api/vendor/connectors/meta/workday"}, status: 404, body: "workday"},
		{name: "no route", req: req{method: "GET", path: "/api/vendor/nope"}, status: 404, offDoc: true},
		{name: "wrong method", req: req{method: "DELETE", path: "/api/vendor/webhook"}, status: 405, offDoc: true},
		{name: "wrong method on the document", req: req{method: "POST", path: "/api/vendor/openapi.json"}, status: 405, offDoc: true},
	}
	runCases(t, cases)
	f := newFixture(t, result.Options{})
	w := f.do(t, req{method: "DELETE", path: "/api/vendor/webhook"})
	if got := w.Header().Values("Allow"); !slices.Equal(got, []string{"GET", "PUT"}) {
		t.Errorf("Allow %q, want GET, PUT", got)
	}
}

func TestNewNeedsBackends(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{}, {Vendors: &fakeVendors{}}, {Orders: &fakeOrders{}}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a config without Vendors or Orders", cfg)
		}
	}
}

func TestDocumentServed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, result.Options{})
	want, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	w := f.do(t, req{method: "GET", path: "/api/vendor/openapi.json", auth: "-"})
	if w.Code != 200 || w.Body.String() != string(want) {
		t.Fatalf("GET openapi.json: %d, and the body is not OpenAPI()'s", w.Code)
	}
	w = f.do(t, req{method: "GET", path: "/api/vendor/docs", auth: "-"})
	page := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET docs: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Summary string `json:"summary"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(want, &doc); err != nil {
		t.Fatal(err)
	}
	// Every operation is on the page, with its summary, and the result
	// update's fields are listed.
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if !strings.Contains(page, path) || !strings.Contains(page, html.EscapeString(op.Summary)) {
				t.Errorf("the reference page lacks %s %s (%q)", strings.ToUpper(method), path, op.Summary)
			}
		}
	}
	for _, s := range []string{"score.value", "attachments[].content_type.value", "x-account-id", "page_size", "results_update_url"} {
		if !strings.Contains(page, s) {
			t.Errorf("the reference page lacks %s", s)
		}
	}
	for _, s := range []string{"<script", "http://", "https://cdn", "unpkg"} {
		if strings.Contains(page, s) {
			t.Errorf("the reference page holds %q: it must load nothing from outside", s)
		}
	}
}
