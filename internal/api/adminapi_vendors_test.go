package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

type vendorJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Linked bool   `json:"linked"`
}

// newVendor creates a vendor as the operator does.
func newVendor(t *testing.T, e *apptest.Env, name string, kind core.Kind) core.Vendor {
	t.Helper()
	v, _, err := e.App.Vendors.Create(context.Background(), name, kind)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func listVendors(t *testing.T, e *apptest.Env, key string) map[string]vendorJSON {
	t.Helper()
	var out struct {
		Vendors []vendorJSON `json:"vendors"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/vendors", nil, &out)
	m := map[string]vendorJSON{}
	for _, v := range out.Vendors {
		m[v.ID] = v
	}
	return m
}

func TestVendorLinks(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	acme := e.CreateAccount("Acme Corp", "boss@acme.example")
	globex := e.CreateAccount("Globex", "boss@globex.example")
	checks := newVendor(t, e, "Acme Checks", core.KindBackgroundCheck)
	off := newVendor(t, e, "Dormant Tests", core.KindAssessment)
	if _, err := e.App.Vendors.SetStatus(context.Background(), off.ID, core.VendorDisabled); err != nil {
		t.Fatal(err)
	}

	got := listVendors(t, e, acme)
	if len(got) != 1 || got[checks.ID] != (vendorJSON{ID: checks.ID, Name: "Acme Checks", Kind: "background_check"}) {
		t.Fatalf("GET /vendors = %+v, want Acme Checks only, not linked (the disabled vendor is not listed)", got)
	}

	var linked vendorJSON
	e.MustAPI(http.StatusOK, acme, "POST", "/vendors/"+checks.ID+"/link", nil, &linked)
	if !linked.Linked || linked.ID != checks.ID {
		t.Errorf("POST link = %+v, want linked", linked)
	}
	e.MustAPI(http.StatusOK, acme, "POST", "/vendors/"+checks.ID+"/link", nil, &linked) // again: no change
	if !listVendors(t, e, acme)[checks.ID].Linked {
		t.Error("Acme's list does not show the link")
	}
	if listVendors(t, e, globex)[checks.ID].Linked {
		t.Error("Globex's list shows Acme's link")
	}

	apiErr(t, e, http.StatusNotFound, acme, "POST", "/vendors/vnd_nope/link", nil)
	apiErr(t, e, http.StatusConflict, acme, "POST", "/vendors/"+off.ID+"/link", nil)
	apiErr(t, e, http.StatusNotFound, globex, "DELETE", "/vendors/"+checks.ID+"/link", nil)

	var unlinked vendorJSON
	e.MustAPI(http.StatusOK, acme, "DELETE", "/vendors/"+checks.ID+"/link", nil, &unlinked)
	if unlinked.Linked {
		t.Errorf("DELETE link = %+v, want not linked", unlinked)
	}
	apiErr(t, e, http.StatusNotFound, acme, "DELETE", "/vendors/"+checks.ID+"/link", nil)
}

func TestVendorLinksNeedASuperAdmin(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	boss := e.CreateAccount("Acme Corp", "boss@acme.example")
	checks := newVendor(t, e, "Acme Checks", core.KindBackgroundCheck)
	for _, role := range []string{"admin", "team_member", "limited_team_member"} {
		key := createUser(t, e, boss, role+"@acme.example", role)
		for _, r := range []struct{ method, path string }{
			{"GET", "/vendors"}, {"POST", "/vendors/" + checks.ID + "/link"}, {"DELETE", "/vendors/" + checks.ID + "/link"},
		} {
			body := apiErr(t, e, http.StatusForbidden, key, r.method, r.path, nil)
			if !strings.Contains(body.Error, "only a super admin") {
				t.Errorf("%s %s %s: %q, want it to say only a super admin may", role, r.method, r.path, body.Error)
			}
		}
	}
	if listVendors(t, e, boss)[checks.ID].Linked {
		t.Error("a refused link was made")
	}
}
