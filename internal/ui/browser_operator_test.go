package ui_test

import (
	"context"
	"strings"
	"testing"
)

// TestBrowserOperator is the operator's vendor path in a real browser:
// from the Operator menu, create a vendor and see its key once, add a
// static package, link an account; a super admin who is not an operator
// has no Operator entry and is refused the page.
func TestBrowserOperator(t *testing.T) {
	t.Parallel()
	ctx := chrome(t)
	f := newVendorEnv(t)
	if _, err := f.e.App.Identity.SetOperator(context.Background(), "team@acme.example", true); err != nil {
		t.Fatal(err)
	}
	u := &ui{t: t, ctx: ctx, base: f.e.URL, dir: screenshotDir(t)}

	u.open("/signin")
	u.fill("#email", "team@acme.example")
	u.fill("#password", testPassword)
	u.submit("sign in", "form[action='/signin'] button[type=submit]")
	u.submit("operator menu", "nav a#nav-operator")
	u.mustSee("main h1", "Vendors")
	u.mustSee("#op-vendor-"+f.vendor.ID, "Acme Checks")
	u.shot("operator-01-vendors")

	u.fill("#v-name", "Beta Tests")
	u.fill("#v-kind", "assessment")
	u.submit("create the vendor", "#create-vendor button[type=submit]")
	u.mustSee("main h1", "Beta Tests")
	u.mustSee("#shown-once", "shown only this once")
	key := u.value("#new-vendor-key")
	if !strings.HasPrefix(key, "svk_") {
		t.Fatalf("the key shown is %q, want svk_…", key)
	}
	u.shot("operator-02-created")

	u.fill("#packages-json", `{"packages": [{"id": "sql-1", "name": "SQL skills", "description": "45 minutes"}]}`)
	u.submit("save the packages", "#static-packages button[type=submit]")
	u.mustSee(".flash-ok", "static packages are saved")
	u.mustSee("#vendor-packages", "SQL skills")
	if u.eval(`document.querySelector("#shown-once") !== null`) || strings.Contains(u.text("main"), key) {
		t.Error("after saving the packages the page still shows the key")
	}

	globex := mustUser(t, f.e, "boss@globex.example").AccountID
	u.fill("#link-account-id", globex)
	u.submit("link Globex", "#link-account button[type=submit]")
	u.mustSee(".flash-ok", "Linked")
	u.mustSee("#link-"+globex, "Globex")
	u.shot("operator-03-vendor")
	u.submit("back to the list", ".crumbs a")
	if row := u.text("tr:has(a[href$='/operator/vendors/" + vendorIDOf(t, f, "Beta Tests") + "']) .links"); strings.TrimSpace(row) != "1" {
		t.Errorf("the list shows %q linked accounts for Beta Tests, want 1", row)
	}

	boss := &ui{t: t, ctx: newTab(t, ctx), base: f.e.URL, dir: u.dir}
	boss.open("/signin")
	boss.fill("#email", "admin@acme.example")
	boss.fill("#password", testPassword)
	boss.submit("sign in as a super admin", "form[action='/signin'] button[type=submit]")
	if boss.eval(`document.querySelector("nav a#nav-operator") !== null`) {
		t.Error("a super admin who is not an operator has the Operator menu entry")
	}
	boss.open("/operator/vendors")
	boss.mustSee("main h1", "For operators only")
	boss.shot("operator-04-refused")
}

func vendorIDOf(t *testing.T, f vendorEnv, name string) string {
	t.Helper()
	vs, err := f.e.App.Vendors.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Name == name {
			return v.ID
		}
	}
	t.Fatalf("no vendor %s", name)
	return ""
}
