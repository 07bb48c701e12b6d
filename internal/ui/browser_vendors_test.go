package ui_test

import (
	"context"
	"strings"
	"testing"

	"switchboard/internal/core"
)

// TestBrowserVendors is the account admin's vendor path in a real browser:
// open Vendors, link a vendor, open its page, see a delivery that failed
// with its attempts, replay it and see it pending again; a team member
// sees the vendors without a link button.
func TestBrowserVendors(t *testing.T) {
	t.Parallel()
	ctx := chrome(t)
	f := newVendorEnv(t)
	u := &ui{t: t, ctx: ctx, base: f.e.URL, dir: screenshotDir(t)}

	u.open("/signin")
	u.fill("#email", "admin@acme.example")
	u.fill("#password", testPassword)
	u.submit("sign in", "form[action='/signin'] button[type=submit]")
	u.submit("vendors menu", "nav a[href='/vendors']")
	u.mustSee("main h1", "Vendors")
	row := "#vendor-" + f.vendor.ID
	u.mustSee(row+" .linked", "Not linked")
	u.mustSee(row+" .endpoint", "Disabled since")
	u.mustSee(row+" .packages", "HTTP 500")
	u.mustSee("#vendors-operator", "switchboard vendors create")
	u.shot("vendors-01-list")
	u.submit("link the vendor", row+" form[action$='/link'] button")
	u.mustSee(".flash-ok", "Acme Checks is linked")
	u.mustSee(row+" .linked", "Linked")

	// An order of the vendor's package whose delivery failed.
	vac, err := f.e.App.Service.Vacancies(context.Background(), f.acme)
	if err != nil {
		t.Fatal(err)
	}
	var vendorVac core.Vacancy
	for _, v := range vac {
		if v.VendorID == f.vendor.ID {
			vendorVac = v
		}
	}
	d, _ := f.failedDelivery(t, vendorVac)

	u.submit("open the vendor", row+" a[href='/vendors/"+f.vendor.ID+"']")
	u.mustSee("#vendor-linked", "Linked")
	u.mustSee("#vendor-vacancies", "Criminal record, 7 years")
	u.mustSee("#endpoint-health", "HTTP 503")
	u.mustSee("#delivery-"+d.ID, "Failed")
	u.mustSee("#delivery-"+d.ID, "background_check.created")
	u.shot("vendors-02-vendor-page")
	u.submit("open the delivery", "#delivery-"+d.ID+" a[href='/deliveries/"+d.ID+"']")
	u.mustSee("#delivery-status", "Failed")
	attempts := u.mustSee("#attempts", "503")
	for _, want := range []string{"87 ms", `{"error":"maintenance"}`, "connection refused", "no response"} {
		if !strings.Contains(attempts, want) {
			t.Errorf("attempts table lacks %q:\n%s", want, attempts)
		}
	}
	u.shot("vendors-03-delivery")
	u.submit("replay", "#replay")
	u.mustSee(".flash-ok", "Replay queued")
	u.mustSee("#delivery-status", "Pending")
	u.shot("vendors-04-replayed")

	// The order's page names its vendor and shows the replay on its timeline.
	u.submit("open the order", "dl.facts a[href^='/orders/']")
	u.mustSee("#order-vendor", "Acme Checks")
	u.mustSee("table.timeline tr.kind-vendor", "Delivery replay requested by admin@acme.example")
	if !u.eval(`document.querySelector("table.timeline tr.kind-vendor .kind").textContent === "Vendor"`) {
		t.Error("the vendor's timeline entry has no Vendor badge")
	}
	u.shot("vendors-05-order")

	team := &ui{t: t, ctx: newTab(t, ctx), base: f.e.URL, dir: u.dir}
	team.open("/signin")
	team.fill("#email", "team@acme.example")
	team.fill("#password", testPassword)
	team.submit("sign in as a team member", "form[action='/signin'] button[type=submit]")
	team.submit("vendors menu", "nav a[href='/vendors']")
	team.mustSee(row+" .linked", "Linked")
	if team.eval(`document.querySelector("` + row + ` form") !== null`) {
		t.Error("a team member sees a link/unlink button")
	}
	team.shot("vendors-06-team-member")
}
