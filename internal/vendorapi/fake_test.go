package vendorapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
)

// The fakes: one vendor with key "svk_good", linked to account acc_1 only;
// order ord_1 of kind assessment in acc_1.

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const (
	goodKey  = "svk_good"
	vendorID = "ven_1"
	account  = "acc_1"
)

type fakeVendors struct {
	mu       sync.Mutex
	err      error // answered by every call but Authenticate and CheckLinked
	authErr  error
	packages []core.VendorPackage
	replaced []core.VendorPackage
	hookURL  string
	source   *wire.PackageSource
	deleted  bool
}

func (f *fakeVendors) Authenticate(_ context.Context, key string) (core.Vendor, bool, error) {
	if f.authErr != nil {
		return core.Vendor{}, false, f.authErr
	}
	if key != goodKey {
		return core.Vendor{}, false, nil
	}
	return core.Vendor{ID: vendorID, Name: "Acme", Status: core.VendorActive}, true, nil
}

func (f *fakeVendors) CheckLinked(_ context.Context, v core.Vendor, accountID string) error {
	if v.ID != vendorID || accountID != account {
		return core.Explain(core.ErrForbidden, "Your vendor is not linked to account %s.", accountID)
	}
	return nil
}

func (f *fakeVendors) Packages(context.Context, core.Vendor, core.Kind) ([]core.VendorPackage, error) {
	return f.packages, f.err
}

func (f *fakeVendors) ReplacePackages(_ context.Context, _ core.Vendor, _ core.Kind, ps []core.VendorPackage) ([]core.VendorPackage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	f.replaced = ps
	return ps, nil
}

func (f *fakeVendors) Webhook(context.Context, core.Vendor) (wire.Webhook, error) {
	return wire.Webhook{URL: "https://vendor.example/hook"}, f.err
}

func (f *fakeVendors) SetWebhook(_ context.Context, _ core.Vendor, url string) (wire.Webhook, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return wire.Webhook{}, f.err
	}
	f.hookURL = url
	return wire.Webhook{URL: url, Secret: "whsec_new"}, nil
}

func (f *fakeVendors) RotateWebhookSecret(context.Context, core.Vendor) (wire.Webhook, error) {
	until := testNow.Add(24 * time.Hour)
	return wire.Webhook{URL: "https://vendor.example/hook", Secret: "whsec_next", PreviousUntil: &until}, f.err
}

func (f *fakeVendors) EnableWebhook(context.Context, core.Vendor) (wire.Webhook, error) {
	return wire.Webhook{URL: "https://vendor.example/hook"}, f.err
}

func (f *fakeVendors) SetPackageSource(_ context.Context, _ core.Vendor, src wire.PackageSource) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.source = &src
	return nil
}

func (f *fakeVendors) DeletePackageSource(context.Context, core.Vendor) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = f.err == nil
	return f.err
}

type listCall struct {
	open  bool
	after string
	limit int
	kind  core.Kind
}

type fakeOrders struct {
	mu      sync.Mutex
	err     error
	updates []result.Update
	lists   []listCall
	next    string
}

func testOrder() wire.Order {
	return wire.Order{ID: "ord_1", AccountID: account, Kind: "assessment", Status: "invited", Mode: "ad_hoc", Provider: "lever",
		Package:          wire.Package{ID: "pkg_1", Name: "Go test"},
		Candidate:        wire.Candidate{ID: "cnd_1", RemoteID: "r1", FirstName: "Ada", Emails: []wire.Email{{Type: "personal", Value: "ada@example.com"}}},
		Application:      wire.Application{ID: "app_1", RemoteID: "app_1"},
		Job:              wire.Job{ID: "job_1", RemoteID: "job_1", Title: "Engineer"},
		ResultsUpdateURL: "https://sb.example/api/vendor/unified/ats/assessments/orders/ord_1/result",
		CreatedAt:        testNow}
}

func (f *fakeOrders) find(accountID string, kind core.Kind, id string) error {
	if f.err != nil {
		return f.err
	}
	if accountID != account || kind != core.KindAssessment || id != "ord_1" {
		return core.Explain(core.ErrNotFound, "You have no order %s.", id)
	}
	return nil
}

func (f *fakeOrders) VendorResult(_ context.Context, _ core.Vendor, accountID string, kind core.Kind, id string, u result.Update) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.find(accountID, kind, id); err != nil {
		return err
	}
	f.updates = append(f.updates, u)
	return nil
}

func (f *fakeOrders) VendorOrders(_ context.Context, _ core.Vendor, _ string, kind core.Kind, open bool, after string, limit int) ([]wire.Order, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists = append(f.lists, listCall{open: open, after: after, limit: limit, kind: kind})
	if f.err != nil {
		return nil, "", f.err
	}
	if kind != core.KindAssessment {
		return nil, "", nil
	}
	return []wire.Order{testOrder()}, f.next, nil
}

func (f *fakeOrders) VendorOrder(_ context.Context, _ core.Vendor, accountID string, kind core.Kind, id string) (wire.Order, error) {
	if err := f.find(accountID, kind, id); err != nil {
		return wire.Order{}, err
	}
	return testOrder(), nil
}

func testConnectors() []wire.ConnectorMeta {
	return []wire.ConnectorMeta{
		{Provider: "lever", Name: "Lever", Shows: wire.Shows{Status: true, Summary: true, Attachments: true, ResultURL: true}},
		{Provider: "smartrecruiters", Name: "SmartRecruiters", Shows: wire.Shows{Status: true, Score: true, Label: true, Summary: true,
			Components: true, Attachments: true, ResultURL: true, InProgress: true}},
	}
}

type fixture struct {
	h       http.Handler
	vendors *fakeVendors
	orders  *fakeOrders
}

func newFixture(t testing.TB, opt result.Options) *fixture {
	t.Helper()
	f := &fixture{vendors: &fakeVendors{}, orders: &fakeOrders{}}
	h, err := New(Config{Vendors: f.vendors, Orders: f.orders, Connectors: testConnectors,
		Now: func() time.Time { return testNow }, ResultOptions: opt})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

func basic(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))
}

// req is one request to the API; auth "" sends the good key, "-" none.
type req struct {
	method, path string
	auth         string
	account      string // x-account-id; "-" for none
	body         string
}

func (f *fixture) do(t testing.TB, r req) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r.request())
	return w
}

func (r req) request() *http.Request {
	var body io.Reader
	if r.body != "" {
		body = bytes.NewBufferString(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	switch r.auth {
	case "":
		hr.Header.Set("Authorization", basic(goodKey))
	case "-":
	default:
		hr.Header.Set("Authorization", r.auth)
	}
	switch r.account {
	case "":
		hr.Header.Set("x-account-id", account)
	case "-":
	default:
		hr.Header.Set("x-account-id", r.account)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	return hr
}

// errorStatus decodes an error body strictly as a wire.Status and checks
// it is one: the code matches the response's, a message, the clock's time.
func errorStatus(t testing.TB, w *httptest.ResponseRecorder) wire.Status {
	t.Helper()
	var st wire.Status
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		t.Fatalf("error body is not a wire.Status: %v: %s", err, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
	if st.StatusCode != w.Code || st.Message == "" || !st.Timestamp.Equal(testNow) {
		t.Errorf("error body %s does not match status %d, or lacks a message, or its timestamp is not the clock's %v", w.Body, w.Code, testNow)
	}
	return st
}

func fields(st wire.Status) []string {
	var fs []string
	for _, e := range st.Errors {
		fs = append(fs, e.Field)
	}
	return fs
}

var errBoom = errors.New("store: connection reset by peer")

func httpBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
