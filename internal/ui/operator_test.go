package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"switchboard/internal/core"
)

var (
	vendorKeyRe = regexp.MustCompile(`value="(svk_[^"]+)"`)
	secretRe    = regexp.MustCompile(`value="(whsec_[^"]+)"`)
)

// operatorEnv is vendorEnv with its team member (team@acme.example) made an
// operator, signed in: the flag, not the role, opens the operator pages.
func operatorEnv(t *testing.T) (vendorEnv, *browser) {
	t.Helper()
	f := newVendorEnv(t)
	if _, err := f.e.App.Identity.SetOperator(context.Background(), "team@acme.example", true); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, f.e.URL)
	b.signIn("team@acme.example", testPassword)
	return f, b
}

func TestOperatorPagesAreForOperatorsOnly(t *testing.T) {
	t.Parallel()
	f, op := operatorEnv(t)
	if _, body := op.get("/orders"); !strings.Contains(body, `id="nav-operator"`) {
		t.Error("an operator has no Operator menu entry")
	}
	resp, body := op.get("/operator/vendors")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="op-vendor-`+f.vendor.ID+`"`) {
		t.Fatalf("GET /operator/vendors as an operator: %d\n%s", resp.StatusCode, body)
	}
	paths := []string{"/operator/vendors", "/operator/vendors/" + f.vendor.ID}
	posts := []string{"/operator/vendors", "/operator/vendors/" + f.vendor.ID + "/keys", "/operator/vendors/" + f.vendor.ID + "/disable",
		"/operator/vendors/" + f.vendor.ID + "/packages", "/operator/vendors/" + f.vendor.ID + "/webhook/rotate", "/operator/vendors/" + f.vendor.ID + "/links"}
	for _, who := range []string{"admin@acme.example", "limited@acme.example", "boss@globex.example"} {
		b := newBrowser(t, f.e.URL)
		b.signIn(who, testPassword)
		if _, body := b.get("/orders"); strings.Contains(body, `id="nav-operator"`) {
			t.Errorf("%s, not an operator, has the Operator menu entry", who)
		}
		for _, p := range paths {
			if resp, body := b.get(p); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "For operators only") {
				t.Errorf("GET %s as %s: %d, want 403 saying it is for operators", p, who, resp.StatusCode)
			}
		}
		b.get("/orders") // a CSRF token of this session
		for _, p := range posts {
			form := url.Values{"name": {"By " + who}, "kind": {"assessment"}, "packages": {`{"packages": []}`}, "account": {f.acme.AccountID}}
			if resp, _ := b.post(p, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s as %s: %d, want 403", p, who, resp.StatusCode)
			}
		}
	}
	d, err := f.e.App.Vendors.Detail(context.Background(), f.vendor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if vs, _ := f.e.App.Vendors.List(context.Background()); len(vs) != 1 || d.Status != core.VendorActive || len(d.Keys) != 1 || len(d.Links) != 0 || len(d.Packages) != 1 {
		t.Errorf("refused posts changed something: %d vendors, %+v", len(vs), d)
	}
	if resp, _ := op.get("/operator/vendors/vnd_nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown vendor: %d, want 404", resp.StatusCode)
	}
	if resp, _ := op.post("/operator/vendors/"+f.vendor.ID+"/disable", url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a post without the session's CSRF token: %d, want 403", resp.StatusCode)
	}
}

func TestOperatorCreatesVendor(t *testing.T) {
	t.Parallel()
	f, op := operatorEnv(t)
	op.get("/operator/vendors")
	resp, body := op.post("/operator/vendors", url.Values{"name": {" "}, "kind": {"quiz"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="error-name"`) || !strings.Contains(body, `id="error-kind"`) {
		t.Fatalf("create without a name, of a bad kind: %d\n%s", resp.StatusCode, body)
	}
	resp, body = op.post("/operator/vendors", url.Values{"name": {"acme checks"}, "kind": {"assessment"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "another vendor has this name") {
		t.Fatalf("create with a taken name: %d", resp.StatusCode)
	}
	if vs, _ := f.e.App.Vendors.List(context.Background()); len(vs) != 1 {
		t.Fatalf("refused creates made vendors: %+v", vs)
	}

	resp, body = op.post("/operator/vendors", url.Values{"name": {"Beta Tests"}, "kind": {"assessment"}})
	m := vendorKeyRe.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusCreated || m == nil || !strings.Contains(body, "shown only this once") {
		t.Fatalf("create: %d, want the vendor's page with its key shown once\n%s", resp.StatusCode, body)
	}
	key := m[1]
	if _, ok, err := f.e.App.Vendors.Authenticate(context.Background(), key); !ok || err != nil {
		t.Fatalf("the key shown does not authenticate (%v)", err)
	}
	id := regexp.MustCompile(`action="/operator/vendors/(vnd_[^/"]+)/keys"`).FindStringSubmatch(body)[1]
	if _, body := op.get("/operator/vendors/" + id); strings.Contains(body, key) || strings.Contains(body, "shown only this once") {
		t.Error("the vendor's page shows the key again")
	}
	if _, body := op.get("/operator/vendors"); !strings.Contains(body, `id="op-vendor-`+id+`"`) {
		t.Error("the list does not show the new vendor")
	}
}

func TestOperatorVendorPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, op := operatorEnv(t)
	page := "/operator/vendors/" + f.vendor.ID
	resp, body := op.get(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "crim-7y") || !strings.Contains(body, "HTTP 503") || !strings.Contains(body, "answered HTTP 500") {
		t.Fatalf("vendor page: %d, want its static package, endpoint health and package endpoint error\n%s", resp.StatusCode, body)
	}

	// Keys: a new one shown once, then revoke the first.
	first, err := f.e.App.Vendors.ListKeys(ctx, f.vendor.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, body = op.post(page+"/keys", nil)
	m := vendorKeyRe.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "shown only this once") {
		t.Fatalf("new key: the page shows no key\n%s", body)
	}
	if _, body := op.get(page); strings.Contains(body, m[1]) {
		t.Error("the page shows the new key again")
	}
	if _, body := op.post(page+"/keys/"+first[0].ID+"/revoke", nil); !strings.Contains(body, "The key is revoked") {
		t.Errorf("revoke: no confirmation\n%s", body)
	}
	if ks, _ := f.e.App.Vendors.ListKeys(ctx, f.vendor.ID); len(ks) != 1 || ks[0].ID == first[0].ID {
		t.Errorf("keys after revoking the first: %+v", ks)
	}

	// Static packages: refused sets keep the text and change nothing.
	for _, tt := range []struct{ text, want string }{
		{`{"packages": [`, "the packages"},
		{`{"packages": [{"id": "x", "nam": "X"}]}`, "nam"},
		{`{"packages": [{"id": "x"}]}`, "packages[0].name"},
	} {
		resp, body := op.post(page+"/packages", url.Values{"packages": {tt.text}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) {
			t.Errorf("packages %s: %d, want 422 naming %q", tt.text, resp.StatusCode, tt.want)
		}
	}
	if d, _ := f.e.App.Vendors.Detail(ctx, f.vendor.ID); len(d.Packages) != 1 || d.Packages[0].ID != "crim-7y" {
		t.Errorf("refused package sets changed the packages: %+v", d.Packages)
	}
	_, body = op.post(page+"/packages", url.Values{"packages": {`{"packages": [{"id": "id-check", "name": "Identity check"}, {"id": "crim-7y", "name": "Criminal record, 7 years"}]}`}})
	if !strings.Contains(body, "static packages are saved") || !strings.Contains(body, "id-check") {
		t.Errorf("saving packages: no confirmation or package\n%s", body)
	}

	// The signing secret: shown once; the previous one is said to sign on.
	_, body = op.post(page+"/webhook/rotate", nil)
	s := secretRe.FindStringSubmatch(body)
	if s == nil || !strings.Contains(body, "previous secret keeps signing until") {
		t.Fatalf("rotate: no secret shown\n%s", body)
	}
	if _, body := op.get(page); strings.Contains(body, s[1]) || !strings.Contains(body, `id="previous-secret"`) {
		t.Error("after rotating, the page shows the secret again, or not the previous one's grace")
	}

	// Links: pick an account; a missing pick is an error.
	if resp, body := op.post(page+"/links", url.Values{"account": {""}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "pick an account") {
		t.Errorf("link without an account: %d", resp.StatusCode)
	}
	globex := mustUser(t, f.e, "boss@globex.example").AccountID
	_, body = op.post(page+"/links", url.Values{"account": {globex}})
	if !strings.Contains(body, "Linked:") || !strings.Contains(body, `id="link-`+globex+`"`) {
		t.Fatalf("link Globex: \n%s", body)
	}
	if _, body := op.post(page+"/links", url.Values{"account": {"acc_nope"}}); !strings.Contains(body, "no account acc_nope") {
		t.Errorf("link an unknown account: no error shown")
	}
	_, body = op.post(page+"/links/"+globex+"/unlink", nil)
	if !strings.Contains(body, "Unlinked:") || strings.Contains(body, `id="link-`+globex+`"`) {
		t.Errorf("unlink Globex:\n%s", body)
	}

	// Disable and enable.
	if _, body := op.post(page+"/disable", nil); !strings.Contains(body, "is disabled") {
		t.Error("disable: no confirmation")
	}
	if v, _ := f.e.App.Vendors.Get(ctx, f.vendor.ID); v.Status != core.VendorDisabled {
		t.Errorf("after disable the vendor is %s", v.Status)
	}
	if _, body := op.post(page+"/links", url.Values{"account": {globex}}); !strings.Contains(body, "disabled: it cannot be linked") {
		t.Error("linking a disabled vendor: no reason shown")
	}
	op.post(page+"/enable", nil)
	if v, _ := f.e.App.Vendors.Get(ctx, f.vendor.ID); v.Status != core.VendorActive {
		t.Errorf("after enable the vendor is %s", v.Status)
	}
}
