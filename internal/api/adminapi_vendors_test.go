package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

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
			{"POST", "/vendors/" + checks.ID + "/link"}, {"DELETE", "/vendors/" + checks.ID + "/link"},
		} {
			body := apiErr(t, e, http.StatusForbidden, key, r.method, r.path, nil)
			if !strings.Contains(body.Error, "only a super admin") {
				t.Errorf("%s %s %s: %q, want it to say only a super admin may", role, r.method, r.path, body.Error)
			}
		}
		// Seeing the vendors is for the roles that see integrations.
		if role == "limited_team_member" {
			apiErr(t, e, http.StatusForbidden, key, "GET", "/vendors", nil)
			apiErr(t, e, http.StatusForbidden, key, "GET", "/vendors/"+checks.ID, nil)
		} else if got := listVendors(t, e, key); len(got) != 1 || got[checks.ID].Linked {
			t.Errorf("%s: GET /vendors = %+v, want Acme Checks, not linked", role, got)
		}
	}
	if listVendors(t, e, boss)[checks.ID].Linked {
		t.Error("a refused link was made")
	}
}

// accountOf is the account id of a user.
func accountOf(t *testing.T, e *apptest.Env, email string) string {
	t.Helper()
	u, err := e.App.Store.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.AccountID
}

// TestVendorEndpointHealth: the vendor view shows the endpoint's host (not
// its path, nor any secret), when it started failing, and that it was
// disabled and why; and the package list endpoint's last error.
func TestVendorEndpointHealth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t, apptest.Options{})
	acme := e.CreateAccount("Acme Corp", "boss@acme.example")
	checks := newVendor(t, e, "Acme Checks", core.KindBackgroundCheck)
	hook, err := e.App.Vendors.SetWebhook(ctx, checks, "https://hooks.checks.example/switchboard/orders?token=abc")
	if err != nil {
		t.Fatal(err)
	}
	start := e.Clock.Now().Add(-6 * 24 * time.Hour)
	for _, at := range []time.Time{start, start.Add(6 * 24 * time.Hour)} {
		if _, err := e.App.Vendors.RecordEndpointOutcome(ctx, checks.ID, false, at, "HTTP 503"); err != nil {
			t.Fatal(err)
		}
	}
	v, err := e.App.Store.GetVendor(ctx, checks.ID)
	if err != nil {
		t.Fatal(err)
	}
	v.PackagesURL, v.PackagesError, v.PackagesErrorAt = "https://api.checks.example/packages", "HTTP 500 from the package list endpoint", start
	if err := e.App.Store.UpdateVendor(ctx, v); err != nil {
		t.Fatal(err)
	}

	var raw json.RawMessage
	e.MustAPI(http.StatusOK, acme, "GET", "/vendors/"+checks.ID, nil, &raw)
	var got struct {
		Status   string `json:"status"`
		Endpoint struct {
			Host           string     `json:"host"`
			DisabledAt     *time.Time `json:"disabled_at"`
			DisabledReason string     `json:"disabled_reason"`
			FailingSince   *time.Time `json:"failing_since"`
		} `json:"endpoint"`
		Packages struct {
			Host    string     `json:"host"`
			Error   string     `json:"error"`
			ErrorAt *time.Time `json:"error_at"`
		} `json:"package_endpoint"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	ep := got.Endpoint
	if got.Status != "active" || ep.Host != "hooks.checks.example" || ep.DisabledAt == nil || ep.FailingSince == nil ||
		!ep.FailingSince.Equal(start.UTC().Truncate(time.Microsecond)) || !strings.Contains(ep.DisabledReason, "HTTP 503") {
		t.Errorf("GET /vendors/%s endpoint = %+v, want host, failing since %s, disabled with the reason", checks.ID, ep, start)
	}
	if p := got.Packages; p.Host != "api.checks.example" || p.Error != v.PackagesError || p.ErrorAt == nil {
		t.Errorf("package_endpoint = %+v", p)
	}
	for _, secret := range []string{hook.Secret, "token=abc", "/switchboard/orders"} {
		if secret != "" && strings.Contains(string(raw), secret) {
			t.Errorf("the vendor view leaks %q: %s", secret, raw)
		}
	}
	if list := listVendors(t, e, acme); list[checks.ID].ID == "" {
		t.Errorf("GET /vendors lacks the vendor: %+v", list)
	}
}

type deliveryJSON struct {
	ID            string  `json:"id"`
	VendorID      string  `json:"vendor_id"`
	Event         string  `json:"event"`
	Status        string  `json:"status"`
	Attempts      int     `json:"attempts"`
	Message       string  `json:"message"`
	LastAttemptAt *string `json:"last_attempt_at"`
	NextAttemptAt *string `json:"next_attempt_at"`
}

// TestVendorDeliveries: an account's users list a vendor's deliveries in
// their account only, open one with every attempt, and replay it; a
// delivery with an attempt scheduled is not replayed.
func TestVendorDeliveries(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			testVendorDeliveries(t, apptest.New(t, apptest.Options{Dialect: dialect}))
		})
	}
}

func testVendorDeliveries(t *testing.T, e *apptest.Env) {
	acme := e.CreateAccount("Acme Corp", "boss@acme.example")
	globex := e.CreateAccount("Globex", "boss@globex.example")
	initech := e.CreateAccount("Initech", "boss@initech.example")
	checks := newVendor(t, e, "Acme Checks", core.KindBackgroundCheck)
	e.MustAPI(http.StatusOK, acme, "POST", "/vendors/"+checks.ID+"/link", nil, nil)
	now := e.Clock.Now().UTC().Truncate(time.Second)

	failed := e.SeedDelivery(core.Delivery{ID: "msg_failed", VendorID: checks.ID, AccountID: accountOf(t, e, "boss@acme.example"),
		Event: "background_check.created", Status: core.DeliveryFailed, Attempts: 2, Message: "gave up after 2 attempts: HTTP 500",
		LastAttemptAt: now.Add(-time.Hour), CreatedAt: now.Add(-2 * time.Hour)},
		core.DeliveryAttempt{At: now.Add(-2 * time.Hour), Status: 500, Duration: 120 * time.Millisecond, Response: `{"error":"boom"}`},
		core.DeliveryAttempt{At: now.Add(-time.Hour), Error: "timeout", Duration: 15 * time.Second})
	scheduled := e.SeedDelivery(core.Delivery{ID: "msg_scheduled", VendorID: checks.ID, AccountID: accountOf(t, e, "boss@acme.example"),
		Status: core.DeliveryPending, Attempts: 1, NextAttemptAt: now.Add(time.Hour), CreatedAt: now.Add(-time.Minute)},
		core.DeliveryAttempt{At: now.Add(-time.Minute), Status: 502})
	theirs := e.SeedDelivery(core.Delivery{ID: "msg_globex", VendorID: checks.ID, AccountID: accountOf(t, e, "boss@globex.example"),
		Status: core.DeliveryDelivered, Attempts: 1, CreatedAt: now.Add(-3 * time.Hour)})

	list := func(key, query string) []deliveryJSON {
		t.Helper()
		var out struct {
			Deliveries []deliveryJSON `json:"deliveries"`
		}
		e.MustAPI(http.StatusOK, key, "GET", "/vendors/"+checks.ID+"/deliveries"+query, nil, &out)
		return out.Deliveries
	}
	ids := func(ds []deliveryJSON) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	if got := ids(list(acme, "")); !slices.Equal(got, []string{scheduled.ID, failed.ID}) {
		t.Errorf("Acme's deliveries = %v, want newest first, Acme's only", got)
	}
	if got := list(acme, "?status=failed"); len(got) != 1 || got[0].ID != failed.ID || got[0].Status != "failed" ||
		got[0].Attempts != 2 || got[0].Event != "background_check.created" || got[0].Message != failed.Message ||
		got[0].LastAttemptAt == nil || got[0].NextAttemptAt != nil || got[0].VendorID != checks.ID {
		t.Errorf("Acme's failed deliveries = %+v", got)
	}
	if got := ids(list(acme, "?limit=1")); !slices.Equal(got, []string{scheduled.ID}) {
		t.Errorf("limit=1: %v", got)
	}
	// Globex never linked the vendor but has a delivery of it: it sees that one.
	if got := ids(list(globex, "?status=pending")); len(got) != 0 {
		t.Errorf("Globex's pending deliveries = %v", got)
	}
	if got := ids(list(globex, "")); !slices.Equal(got, []string{theirs.ID}) {
		t.Errorf("Globex's deliveries = %v", got)
	}
	apiErr(t, e, http.StatusNotFound, initech, "GET", "/vendors/"+checks.ID+"/deliveries", nil)
	apiErr(t, e, http.StatusNotFound, acme, "GET", "/vendors/vnd_nope/deliveries", nil)
	bad := apiErr(t, e, http.StatusUnprocessableEntity, acme, "GET", "/vendors/"+checks.ID+"/deliveries?status=lost&limit=500", nil)
	if bad.Fields["status"] == "" || bad.Fields["limit"] == "" {
		t.Errorf("bad filters: %+v, want status and limit named", bad)
	}

	var detail struct {
		Delivery deliveryJSON `json:"delivery"`
		Attempts []struct {
			At         time.Time `json:"at"`
			Status     int       `json:"status"`
			DurationMS int64     `json:"duration_ms"`
			Response   string    `json:"response"`
			Error      string    `json:"error"`
			Replay     bool      `json:"replay"`
		} `json:"attempts"`
	}
	e.MustAPI(http.StatusOK, acme, "GET", "/deliveries/"+failed.ID, nil, &detail)
	if detail.Delivery.ID != failed.ID || len(detail.Attempts) != 2 {
		t.Fatalf("GET /deliveries/%s = %+v", failed.ID, detail)
	}
	if a := detail.Attempts[0]; a.Status != 500 || a.DurationMS != 120 || a.Response != `{"error":"boom"}` || a.Replay || !a.At.Equal(now.Add(-2*time.Hour)) {
		t.Errorf("first attempt = %+v", a)
	}
	if a := detail.Attempts[1]; a.Status != 0 || a.Error != "timeout" || a.DurationMS != 15000 {
		t.Errorf("second attempt = %+v", a)
	}
	apiErr(t, e, http.StatusNotFound, globex, "GET", "/deliveries/"+failed.ID, nil)
	apiErr(t, e, http.StatusNotFound, acme, "GET", "/deliveries/"+theirs.ID, nil)
	apiErr(t, e, http.StatusNotFound, acme, "GET", "/deliveries/msg_nope", nil)

	// Replay: not another account's, not while an attempt is scheduled.
	apiErr(t, e, http.StatusNotFound, globex, "POST", "/deliveries/"+failed.ID+"/replay", nil)
	if body := apiErr(t, e, http.StatusConflict, acme, "POST", "/deliveries/"+scheduled.ID+"/replay", nil); !strings.Contains(body.Error, "already scheduled") {
		t.Errorf("replaying a scheduled delivery: %q, want it to say an attempt is already scheduled", body.Error)
	}
	var replayed struct {
		Status   string       `json:"status"`
		Delivery deliveryJSON `json:"delivery"`
	}
	e.MustAPI(http.StatusAccepted, acme, "POST", "/deliveries/"+failed.ID+"/replay", nil, &replayed)
	if replayed.Status != "queued" || replayed.Delivery.Status != "pending" || replayed.Delivery.NextAttemptAt == nil {
		t.Errorf("replay = %+v, want queued, pending with an attempt due", replayed)
	}
}

// TestVendorDeliveriesRoles: the roles that see integrations see and
// replay deliveries; a limited team member does neither.
func TestVendorDeliveriesRoles(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	boss := e.CreateAccount("Acme Corp", "boss@acme.example")
	checks := newVendor(t, e, "Acme Checks", core.KindBackgroundCheck)
	e.MustAPI(http.StatusOK, boss, "POST", "/vendors/"+checks.ID+"/link", nil, nil)
	for _, tc := range []struct {
		role string
		may  bool
	}{{"admin", true}, {"team_member", true}, {"limited_team_member", false}} {
		d := e.SeedDelivery(core.Delivery{ID: "msg_" + tc.role, VendorID: checks.ID, AccountID: accountOf(t, e, "boss@acme.example"),
			Status: core.DeliveryFailed, Attempts: 1})
		key := createUser(t, e, boss, tc.role+"@acme.example", tc.role)
		if !tc.may {
			apiErr(t, e, http.StatusForbidden, key, "GET", "/vendors/"+checks.ID+"/deliveries", nil)
			apiErr(t, e, http.StatusForbidden, key, "GET", "/deliveries/"+d.ID, nil)
			apiErr(t, e, http.StatusForbidden, key, "POST", "/deliveries/"+d.ID+"/replay", nil)
			continue
		}
		e.MustAPI(http.StatusOK, key, "GET", "/vendors/"+checks.ID+"/deliveries", nil, nil)
		e.MustAPI(http.StatusOK, key, "GET", "/deliveries/"+d.ID, nil, nil)
		e.MustAPI(http.StatusAccepted, key, "POST", "/deliveries/"+d.ID+"/replay", nil, nil)
	}
}

// TestVendorVacanciesInTheAPI: a linked vendor's package is a vacancy
// naming its vendor and kind; the built-in engine's are builtin assessments.
func TestVendorVacanciesInTheAPI(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	acme := e.CreateAccount("Acme Corp", "boss@acme.example")
	checks := newVendor(t, e, "Acme Checks", core.KindBackgroundCheck)
	if _, err := e.App.Vendors.SetStaticPackages(context.Background(), checks.ID, []core.VendorPackage{
		{ID: "crim-7y", Kind: core.KindBackgroundCheck, Name: "Criminal record, 7 years"},
	}); err != nil {
		t.Fatal(err)
	}
	e.MustAPI(http.StatusOK, acme, "POST", "/vendors/"+checks.ID+"/link", nil, nil)
	e.MustAPI(http.StatusCreated, acme, "POST", "/vacancies", map[string]string{"name": "Support"}, nil)
	var out struct {
		Vacancies []struct {
			Name     string `json:"name"`
			VendorID string `json:"vendor_id"`
			Kind     string `json:"kind"`
		} `json:"vacancies"`
	}
	e.MustAPI(http.StatusOK, acme, "GET", "/vacancies", nil, &out)
	got := map[string]string{}
	for _, v := range out.Vacancies {
		got[v.Name] = v.VendorID + " " + v.Kind
	}
	if got["Criminal record, 7 years"] != checks.ID+" background_check" || got["Support"] != "builtin assessment" {
		t.Errorf("GET /vacancies vendors and kinds = %v", got)
	}
}
