package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

// vendorEnv is Acme Corp (super admin admin@acme.example, a team member
// and a limited team member) and Globex (boss@globex.example), all with
// testPassword, and the vendor Acme Checks with one static background
// check package, linked to nobody yet. Its endpoint failed for six days and
// was disabled; its package list endpoint failed.
type vendorEnv struct {
	e      *apptest.Env
	vendor core.Vendor
	acme   core.User
}

func newVendorEnv(t *testing.T) vendorEnv {
	t.Helper()
	ctx := context.Background()
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")
	addUser(t, e, "admin@acme.example", "team@acme.example", core.RoleTeamMember)
	addUser(t, e, "admin@acme.example", "limited@acme.example", core.RoleLimitedTeamMember)
	e.CreateAccount("Globex", "boss@globex.example")
	setPassword(t, e, "boss@globex.example")

	v, _, err := e.App.Vendors.Create(ctx, "Acme Checks", core.KindBackgroundCheck)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Vendors.SetStaticPackages(ctx, v.ID, []core.VendorPackage{
		{ID: "crim-7y", Kind: core.KindBackgroundCheck, Name: "Criminal record, 7 years", Description: "County and federal courts"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Vendors.SetWebhook(ctx, v, "https://hooks.checks.example/switchboard"); err != nil {
		t.Fatal(err)
	}
	start := e.Clock.Now().Add(-6 * 24 * time.Hour)
	for _, at := range []time.Time{start, e.Clock.Now()} {
		if _, err := e.App.Vendors.RecordEndpointOutcome(ctx, v.ID, false, at, "HTTP 503"); err != nil {
			t.Fatal(err)
		}
	}
	if v, err = e.App.Store.GetVendor(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	v.PackagesURL, v.PackagesError, v.PackagesErrorAt = "https://api.checks.example/packages", "the package list endpoint answered HTTP 500", start
	if err := e.App.Store.UpdateVendor(ctx, v); err != nil {
		t.Fatal(err)
	}
	return vendorEnv{e: e, vendor: v, acme: mustUser(t, e, "admin@acme.example")}
}

// link links the vendor to Acme and returns the vacancy its package became.
func (f vendorEnv) link(t *testing.T) core.Vacancy {
	t.Helper()
	ctx := context.Background()
	if err := f.e.App.Vendors.Link(ctx, f.acme, f.vendor.ID); err != nil {
		t.Fatal(err)
	}
	vs, err := f.e.App.Service.Vacancies(ctx, f.acme)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.VendorID == f.vendor.ID {
			return v
		}
	}
	t.Fatalf("linking made no vacancy: %+v", vs)
	return core.Vacancy{}
}

// failedDelivery stores a failed delivery of a received order of vac with
// two attempts, and returns the delivery and the order. A replay of it is
// parked pending: the vendor's endpoint is disabled.
func (f vendorEnv) failedDelivery(t *testing.T, vac core.Vacancy) (core.Delivery, string) {
	t.Helper()
	in, err := f.e.App.Integrations.CreateIntegration(context.Background(), f.acme, "lever", "")
	if err != nil {
		t.Fatal(err)
	}
	now := f.e.Clock.Now().UTC().Truncate(time.Second)
	order := seedOrder(t, f.e, f.acme, in.ID, vac.ID, "Vera Vendor", core.StateReceived, now.Add(-3*time.Hour))
	d := f.e.SeedDelivery(core.Delivery{ID: "msg_failed1", VendorID: f.vendor.ID, AccountID: f.acme.AccountID, OrderID: order,
		Event: "background_check.created", Status: core.DeliveryFailed, Attempts: 2,
		Message: "Acme Checks's endpoint was disabled after failing continuously: HTTP 503", LastAttemptAt: now.Add(-time.Hour), CreatedAt: now.Add(-2 * time.Hour)},
		core.DeliveryAttempt{At: now.Add(-2 * time.Hour), Status: 503, Duration: 87 * time.Millisecond, Response: `{"error":"maintenance"}`},
		core.DeliveryAttempt{At: now.Add(-time.Hour), Error: "connection refused", Duration: 3 * time.Millisecond})
	return d, order
}

func signedIn(t *testing.T, e *apptest.Env, email string) *browser {
	t.Helper()
	b := newBrowser(t, e.URL)
	if resp, body := b.signIn(email, testPassword); resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Orders") {
		t.Fatalf("sign in as %s: %d", email, resp.StatusCode)
	}
	return b
}

// TestVendorsPage: the list shows each vendor's kind, link state, endpoint
// health and package endpoint error; a super admin links from it, others
// see it read-only; a limited team member does not see it.
func TestVendorsPage(t *testing.T) {
	t.Parallel()
	f := newVendorEnv(t)
	boss := signedIn(t, f.e, "admin@acme.example")

	resp, body := boss.get("/vendors")
	text := html.UnescapeString(body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/vendors: %d", resp.StatusCode)
	}
	for _, want := range []string{"Acme Checks", "Background check", "Not linked", "hooks.checks.example", "Disabled since", "HTTP 503",
		"api.checks.example", "the package list endpoint answered HTTP 500", "Vendors are added by the operator: <code>switchboard vendors create",
		`action="/vendors/` + f.vendor.ID + `/link"`, `<a href="/vendors"`} {
		if !strings.Contains(text, want) && !strings.Contains(body, want) {
			t.Errorf("/vendors lacks %q", want)
		}
	}
	if strings.Contains(body, "/switchboard\"") || strings.Contains(body, "whsec_") {
		t.Error("/vendors shows more of the endpoint than its host")
	}

	_, body = boss.post("/vendors/"+f.vendor.ID+"/link", nil)
	if !strings.Contains(html.UnescapeString(body), "Acme Checks is linked") || !strings.Contains(body, `action="/vendors/`+f.vendor.ID+`/unlink"`) {
		t.Errorf("after linking: no flash or no Unlink button")
	}
	if _, err := f.e.App.Store.GetVendorLink(context.Background(), f.vendor.ID, f.acme.AccountID); err != nil {
		t.Fatalf("the link was not made: %v", err)
	}

	team := signedIn(t, f.e, "team@acme.example")
	resp, body = team.get("/vendors")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Acme Checks") || strings.Contains(body, "/unlink\"") ||
		!strings.Contains(body, "Only a super admin") {
		t.Errorf("a team member's /vendors: %d, want the list read-only", resp.StatusCode)
	}
	if resp, _ := team.post("/vendors/"+f.vendor.ID+"/unlink", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a team member unlinks: %d, want 403", resp.StatusCode)
	}
	if _, err := f.e.App.Store.GetVendorLink(context.Background(), f.vendor.ID, f.acme.AccountID); err != nil {
		t.Fatalf("a refused unlink unlinked: %v", err)
	}

	limited := signedIn(t, f.e, "limited@acme.example")
	if resp, body := limited.get("/vendors"); resp.StatusCode != http.StatusForbidden || strings.Contains(body, `href="/vendors"`) {
		t.Errorf("a limited team member's /vendors: %d, want 403 and no menu entry", resp.StatusCode)
	}

	// Unlinking from the vendor's page comes back to it.
	boss.get("/vendors/" + f.vendor.ID)
	if _, body := boss.post("/vendors/"+f.vendor.ID+"/unlink", url.Values{"back": {"vendor"}}); !strings.Contains(body, `id="vendor-linked">Not linked`) {
		t.Error("unlinking from the vendor page does not come back to it, unlinked")
	}
	if _, body := boss.post("/vendors/vnd_nope/link", nil); !strings.Contains(body, "Not found") {
		t.Error("linking an unknown vendor is not a not-found page")
	}
}

// TestVendorPageAndDeliveries: the vendor page lists its packages as
// vacancies here and its deliveries; a delivery's page shows every
// attempt, and Replay queues one (refused while one is scheduled). Another
// account sees none of it.
func TestVendorPageAndDeliveries(t *testing.T) {
	t.Parallel()
	f := newVendorEnv(t)
	vac := f.link(t)
	d, order := f.failedDelivery(t, vac)
	scheduled := f.e.SeedDelivery(core.Delivery{ID: "msg_sched1", VendorID: f.vendor.ID, AccountID: f.acme.AccountID,
		Status: core.DeliveryPending, Attempts: 1, NextAttemptAt: f.e.Clock.Now().Add(time.Hour)})
	boss := signedIn(t, f.e, "admin@acme.example")

	resp, body := boss.get("/vendors/" + f.vendor.ID)
	text := html.UnescapeString(body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("vendor page: %d", resp.StatusCode)
	}
	for _, want := range []string{"Criminal record, 7 years", "crim-7y", `href="/vacancies/` + vac.ID + `"`,
		`href="/deliveries/` + d.ID + `"`, `href="/orders/` + order + `"`, "background_check.created", "Failed", "disabled after failing continuously",
		`id="endpoint-health"`, "Disabled since", `id="packages-error"`} {
		if !strings.Contains(text, want) && !strings.Contains(body, want) {
			t.Errorf("vendor page lacks %q", want)
		}
	}
	if strings.Index(body, scheduled.ID) > strings.Index(body, d.ID) {
		t.Error("deliveries are not newest first")
	}
	if _, body := boss.get("/vendors/" + f.vendor.ID + "?status=failed"); strings.Contains(body, scheduled.ID) || !strings.Contains(body, d.ID) {
		t.Error("the status filter does not keep the failed delivery only")
	}
	if resp, body := boss.get("/vendors/" + f.vendor.ID + "?status=lost"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "is not a delivery status") {
		t.Errorf("a bad status filter: %d, want the page saying so", resp.StatusCode)
	}

	resp, body = boss.get("/deliveries/" + d.ID)
	text = html.UnescapeString(body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery page: %d", resp.StatusCode)
	}
	for _, want := range []string{"503", "87 ms", `{"error":"maintenance"}`, "connection refused", "3 ms", "no response", `id="replay"`, "Acme Checks"} {
		if !strings.Contains(text, want) {
			t.Errorf("delivery page lacks %q", want)
		}
	}
	_, body = boss.post("/deliveries/"+d.ID+"/replay", nil)
	if !strings.Contains(body, "Replay queued") || !strings.Contains(body, `id="delivery-status">Pending`) {
		t.Error("replay: no flash, or the delivery is not pending")
	}
	got, err := f.e.App.Store.GetDelivery(context.Background(), d.ID)
	if err != nil || got.Status != core.DeliveryPending {
		t.Errorf("after replay the delivery is %+v, %v, want pending", got, err)
	}

	_, body = boss.get("/deliveries/" + scheduled.ID)
	if strings.Contains(body, `id="replay"`) || !strings.Contains(body, `id="replay-scheduled"`) {
		t.Error("a delivery with an attempt scheduled offers Replay")
	}
	if _, body := boss.post("/deliveries/"+scheduled.ID+"/replay", nil); !strings.Contains(html.UnescapeString(body), "Not replayed: the next attempt is already scheduled") {
		t.Error("a refused replay does not say why")
	}

	// Globex sees the vendor (it is active) but none of Acme's deliveries.
	globex := signedIn(t, f.e, "boss@globex.example")
	if resp, body := globex.get("/vendors/" + f.vendor.ID); resp.StatusCode != http.StatusOK || strings.Contains(body, d.ID) || strings.Contains(body, vac.ID) {
		t.Errorf("Globex's vendor page: %d, or it shows Acme's deliveries or vacancies", resp.StatusCode)
	}
	for _, p := range []string{"/deliveries/" + d.ID, "/vendors/vnd_nope"} {
		if resp, _ := globex.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("Globex GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := globex.post("/deliveries/"+d.ID+"/replay", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("Globex replays Acme's delivery: %d, want 404", resp.StatusCode)
	}
	limited := signedIn(t, f.e, "limited@acme.example")
	for _, p := range []string{"/deliveries/" + d.ID, "/vendors/" + f.vendor.ID} {
		if resp, _ := limited.get(p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("limited GET %s: %d, want 403", p, resp.StatusCode)
		}
	}
}

// TestVendorOrderPage: a vendor order's page says which vendor fulfils it,
// and its timeline badges the vendor's entries and links the delivery.
func TestVendorOrderPage(t *testing.T) {
	t.Parallel()
	f := newVendorEnv(t)
	vac := f.link(t)
	d, order := f.failedDelivery(t, vac)
	ctx := context.Background()
	for _, e := range []core.TimelineEntry{
		{Kind: "vendor", Message: "Sent to Acme Checks", Detail: map[string]string{"delivery_id": d.ID}},
		{Kind: "vendor_call", Message: "POST hooks.checks.example/switchboard → 503 (87 ms)", Detail: map[string]string{"delivery_id": d.ID, "status": "503"}},
	} {
		e.OrderID, e.AccountID, e.At = order, f.acme.AccountID, f.e.Clock.Now()
		if _, err := f.e.App.Store.AddTimeline(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	boss := signedIn(t, f.e, "admin@acme.example")
	_, body := boss.get("/orders/" + order)
	text := html.UnescapeString(body)
	for _, want := range []string{`id="order-vendor"`, `href="/vendors/` + f.vendor.ID + `">Acme Checks</a>`, "Background check",
		`<tr class="kind-vendor">`, `<span class="kind">Vendor</span> Sent to Acme Checks`, `<span class="kind">Vendor call</span> POST hooks.checks.example`,
		`href="/deliveries/` + d.ID + `"`, "No result from Acme Checks yet."} {
		if !strings.Contains(text, want) {
			t.Errorf("vendor order page lacks %q", want)
		}
	}
	limited := signedIn(t, f.e, "limited@acme.example")
	if _, body := limited.get("/orders/" + order); !strings.Contains(body, "Acme Checks") || strings.Contains(body, `href="/deliveries/`) {
		t.Error("a limited team member's order page: want the vendor's name, no delivery links")
	}
}

// TestVendorVacancies: the vacancies list names a vendor vacancy's vendor
// and kind; its page edits name, tag and return URL only.
func TestVendorVacancies(t *testing.T) {
	t.Parallel()
	f := newVendorEnv(t)
	vac := f.link(t)
	boss := signedIn(t, f.e, "admin@acme.example")
	_, body := boss.get("/vacancies")
	if !strings.Contains(body, `<td class="vacancy-vendor"><span class="kind">Vendor</span> <a href="/vendors/`+f.vendor.ID+`">Acme Checks</a> · Background check</td>`) {
		t.Error("the vacancies list does not name the vendor and kind of its vacancy")
	}
	resp, body := boss.get("/vacancies/" + vac.ID)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `name="package"`) || strings.Contains(body, `name="great_fit"`) ||
		!strings.Contains(body, `id="vacancy-vendor"`) || !strings.Contains(body, "crim-7y") {
		t.Fatalf("vendor vacancy page: %d, want the vendor's package shown, not its questions editable", resp.StatusCode)
	}
	_, body = boss.post("/vacancies/"+vac.ID, url.Values{"name": {"Background check (7y)"}, "tag": {"bg-7y"}, "return_url": {"https://careers.acme.example/thanks"}})
	if !strings.Contains(body, "Vacancy Background check (7y) saved") {
		t.Fatalf("saving a vendor vacancy: %s", body)
	}
	got, err := f.e.App.Service.Vacancy(context.Background(), f.acme, vac.ID)
	if err != nil || got.Name != "Background check (7y)" || got.Tag != "bg-7y" || got.ReturnURL != "https://careers.acme.example/thanks" || got.VendorPackageID != "crim-7y" {
		t.Errorf("after saving: %+v, %v", got, err)
	}
}
