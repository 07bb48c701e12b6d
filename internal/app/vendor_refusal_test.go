package app_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/examples/examplevendor"
	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
	"switchboard/internal/vendorapi/vendorapitest"
	"switchboard/internal/vendorapi/wire"
)

// TestVendorRefusesAnOrder: a vendor answers a delivery 422 with a message;
// the order turns rejected and SmartRecruiters shows REJECTED with the
// message; the delivery is not retried.
func TestVendorRefusesAnOrder(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupSmartRecruiters(apptest.SROptions{})
		vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
		// A package the vendor's program does not serve.
		ps := []core.VendorPackage{{ID: "lang-1", Name: "Language test", Kind: core.KindAssessment}}
		for _, p := range examplevendor.Catalogue() {
			k, _ := core.ParseKind(p.Type)
			ps = append(ps, core.VendorPackage{ID: p.ID, Name: p.Name, Kind: k})
		}
		if _, err := e.App.Vendors.SetStaticPackages(context.Background(), vf.Vendor.ID, ps); err != nil {
			t.Fatal(err)
		}
		vac := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, "lang-1")
		pls, err := f.Sim.OrderAdHoc(context.Background(), f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), vac.ID)
		srPlaced(t, pls, err, http.StatusAccepted)
		vf.Settle(e)

		const msg = `Acme does not offer package "lang-1"`
		so := srSimOrder(t, f, pls[0].OrderID)
		if st := srStatuses(so); st != "REJECTED" || so.Result.Summary != msg {
			t.Fatalf("SmartRecruiters shows %q %q, want REJECTED with the vendor's message\n%s", st, so.Result.Summary, e.Log())
		}
		d := onlyDelivery(t, e, vf)
		if d.Status != core.DeliveryRejected || d.Message != msg || len(attempts(t, e, d.ID)) != 1 {
			t.Errorf("delivery %+v, want rejected after one attempt", d)
		}
		o := order(e, f.APIKey, d.OrderID)
		if o.Order.State != "rejected" || len(o.entries("state", "Acme Assessments refused the order: "+msg)) != 1 {
			t.Errorf("order %s%s", o.Order.State, o.dump())
		}
	})
}

// TestVendorResultConflicts: the vendor API refuses what the order's state
// or ownership does not allow, and bad input, each with the status and
// message a vendor sees, and none of it changes the order.
func TestVendorResultConflicts(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
	other := e.SetupVendor("Other Vendor", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
	srMapLabel(e, f, "Cognitive ability", "val-good")
	vac := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, "cog-20")
	pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), vac.ID)
	srPlaced(t, pls, err, http.StatusAccepted)
	vf.Settle(e)
	id := vf.Program.Received()[0].ID

	acc := f.Admin.AccountID
	before := order(e, f.APIKey, id)
	for _, tt := range []struct {
		name      string
		key, path string
		body      string
		status    int
		field     string
	}{
		{"a partial score", vf.Key, "assessments", `{"score":{"value":"80"}}`, http.StatusBadRequest, "score"},
		{"an attachment without its type", vf.Key, "assessments", `{"result":{"value":"passed"},"attachments":[{"url":"https://acme.example/r.pdf"}]}`, http.StatusBadRequest, "attachments[0]"},
		{"an attachment that is not there", vf.Key, "assessments", `{"result":{"value":"passed"},"attachments":[{"url":"` + vf.URL + `/reports/nothing.pdf","content_type":{"value":"pdf"}}]}`, http.StatusBadRequest, "attachments[0].url"},
		{"an attachment that is not what it says", vf.Key, "assessments", `{"result":{"value":"passed"},"attachments":[{"url":"` + vf.URL + `/candidate/` + id + `","content_type":{"value":"pdf"}}]}`, http.StatusBadRequest, "attachments[0].url"},
		{"the wrong kind", vf.Key, "background_checks", `{"result":{"value":"passed"}}`, http.StatusNotFound, ""},
		{"another vendor's order", other.Key, "assessments", `{"result":{"value":"passed"}}`, http.StatusNotFound, ""},
	} {
		status, got := vendorPatch(t, e, tt.key, acc, tt.path, id, tt.body)
		if status != tt.status || got.StatusCode != tt.status || (tt.field != "" && !hasField(got, tt.field)) {
			t.Errorf("%s: %d %+v, want %d naming %q", tt.name, status, got, tt.status, tt.field)
		}
	}
	if n := countRows(t, e, "files"); n != 0 {
		t.Errorf("refused updates stored %d files", n)
	}
	if after := order(e, f.APIKey, id); after.Order.State != before.Order.State || len(after.Timeline) != len(before.Timeline) || after.Result != nil {
		t.Errorf("refused updates changed the order: %s → %s, %d → %d timeline entries", before.Order.State, after.Order.State, len(before.Timeline), len(after.Timeline))
	}

	// Once completed, no more updates: 409.
	if err := vf.Program.Complete(ctx, id); err != nil {
		t.Fatal(err)
	}
	vf.Settle(e)
	status, got := vendorPatch(t, e, vf.Key, acc, "assessments", id, `{"result":{"value":"failed"}}`)
	if status != http.StatusConflict || !strings.Contains(got.Message, "completed") {
		t.Errorf("a result after completion: %d %+v, want 409 saying the order is completed", status, got)
	}
	if d := order(e, f.APIKey, id); d.Order.State != "completed" || d.Result == nil {
		t.Errorf("order %s after the refused update", d.Order.State)
	}
}

func hasField(s wire.Status, field string) bool {
	for _, f := range s.Errors {
		if f.Field == field || strings.HasPrefix(f.Field, field+".") {
			return true
		}
	}
	return false
}

// vendorPatch sends a result update through the vendor API as a vendor
// does.
func vendorPatch(t *testing.T, e *apptest.Env, key, accountID, kindPath, orderID, body string) (int, wire.Status) {
	t.Helper()
	var s wire.Status
	status := vendorAPI(t, e, key, accountID, http.MethodPatch, "/unified/ats/"+kindPath+"/orders/"+orderID+"/result", body, &s)
	return status, s
}

// vendorAPI calls the vendor API with a vendor's key for an account, the
// request and answer checked against the OpenAPI document, and decodes the
// answer into out.
func vendorAPI(t *testing.T, e *apptest.Env, key, accountID, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+"/api/vendor"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")))
	req.Header.Set("x-account-id", accountID)
	res, err := vendorapitest.Client(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: answer: %v", method, path, err)
	}
	return res.StatusCode
}

// TestVendorPackageListEndpoint: a vendor with a package list endpoint is
// asked for its packages when SmartRecruiters lists them (signed, with the
// key the vendor set), and that list wins over its static packages; when
// the endpoint fails, the static packages are listed and the failure is
// shown on the vendor.
func TestVendorPackageListEndpoint(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	outage := &apptest.Outage{Path: "/packages"}
	vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true, Handler: outage.Wrap}, f.Admin.AccountID)
	if _, err := e.App.Vendors.SetStaticPackages(ctx, vf.Vendor.ID, []core.VendorPackage{{ID: "old-1", Name: "Legacy test", Kind: core.KindAssessment}}); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Vendors.SetPackageSource(ctx, vf.Vendor, wire.PackageSource{URL: vf.URL + "/packages", Key: vf.Key}); err != nil {
		t.Fatal(err)
	}
	pkgs := srPackages(t, f)
	if !strings.Contains(pkgs, "Cognitive ability") || !strings.Contains(pkgs, "Basic background check") || strings.Contains(pkgs, "Legacy test") {
		t.Fatalf("with the endpoint up SmartRecruiters lists:\n%s", pkgs)
	}
	outage.Down.Store(true)
	e.Clock.Advance(2 * time.Minute) // past the answer's cache
	if pkgs = srPackages(t, f); !strings.Contains(pkgs, "Legacy test") || strings.Contains(pkgs, "Cognitive ability") {
		t.Fatalf("with the endpoint down SmartRecruiters lists:\n%s", pkgs)
	}
	v, err := e.App.Vendors.Get(ctx, vf.Vendor.ID)
	if err != nil || !strings.Contains(v.PackagesError, "503") {
		t.Errorf("the vendor shows package list error %q (%v)", v.PackagesError, err)
	}
}
