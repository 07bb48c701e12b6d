package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
)

type opVendor struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	Status         string `json:"status"`
	LinkedAccounts int    `json:"linked_accounts"`
	Webhook        struct {
		URL                string     `json:"url"`
		PreviousValidUntil *time.Time `json:"previous_valid_until"`
	} `json:"webhook"`
	Keys []struct {
		ID     string `json:"id"`
		Prefix string `json:"prefix"`
	} `json:"keys"`
	Links []struct {
		AccountID   string `json:"account_id"`
		AccountName string `json:"account_name"`
		CreatedBy   string `json:"created_by"`
	} `json:"links"`
	Packages []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Type   string `json:"type"`
		Source string `json:"source"`
	} `json:"packages"`
}

// newOperator makes a team member of a fresh account an operator and
// returns their key: the flag, not the role, opens the operator routes.
func newOperator(t *testing.T, e *apptest.Env) string {
	t.Helper()
	boss := e.CreateAccount("Switchboard Ops", "boss@ops.example")
	key := createUser(t, e, boss, "op@ops.example", team)
	if _, err := e.App.Identity.SetOperator(context.Background(), "op@ops.example", true); err != nil {
		t.Fatal(err)
	}
	return key
}

// getOpVendor reads a vendor as the operator, returning the raw body too.
func getOpVendor(t *testing.T, e *apptest.Env, key, id string) (opVendor, string) {
	t.Helper()
	var raw json.RawMessage
	e.MustAPI(http.StatusOK, key, "GET", "/operator/vendors/"+id, nil, &raw)
	var v opVendor
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v, string(raw)
}

// TestOperatorVendors: what the CLI's vendors commands do, through the
// API: create (the key shown once), keys, static packages, signing secret
// rotation, links to any account, disable and enable.
func TestOperatorVendors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t, apptest.Options{})
	op := newOperator(t, e)
	acme := e.CreateAccount("Acme Corp", "boss@acme.example")
	acmeID := accountOf(t, e, "boss@acme.example")

	var me struct {
		Role     string `json:"role"`
		Operator bool   `json:"operator"`
	}
	e.MustAPI(http.StatusOK, op, "GET", "/me", nil, &me)
	if !me.Operator || me.Role != team {
		t.Fatalf("GET /me as the operator = %+v, want a team member who is an operator", me)
	}

	// Create: the key is in this answer only.
	var created struct {
		APIKey string   `json:"api_key"`
		Vendor opVendor `json:"vendor"`
	}
	e.MustAPI(http.StatusCreated, op, "POST", "/operator/vendors", map[string]string{"name": "Acme Checks", "kind": "background_check"}, &created)
	v := created.Vendor
	if !strings.HasPrefix(created.APIKey, "svk_") || v.Name != "Acme Checks" || v.Kind != "background_check" || v.Status != "active" ||
		len(v.Keys) != 1 || v.Keys[0].Prefix != created.APIKey[:10] {
		t.Fatalf("POST /operator/vendors = %+v", created)
	}
	if _, ok, err := e.App.Vendors.Authenticate(ctx, created.APIKey); !ok || err != nil {
		t.Fatalf("the new vendor's key does not authenticate: %v", err)
	}
	if _, raw := getOpVendor(t, e, op, v.ID); strings.Contains(raw, created.APIKey) || strings.Contains(raw, "api_key") {
		t.Fatalf("GET shows the key again: %s", raw)
	}

	// A second key, then revoke the first.
	var nk struct {
		APIKey string `json:"api_key"`
		Key    struct {
			ID     string `json:"id"`
			Prefix string `json:"prefix"`
		} `json:"key"`
	}
	e.MustAPI(http.StatusCreated, op, "POST", "/operator/vendors/"+v.ID+"/keys", nil, &nk)
	if !strings.HasPrefix(nk.APIKey, "svk_") || nk.Key.Prefix != nk.APIKey[:10] {
		t.Fatalf("POST keys = %+v", nk)
	}
	got, raw := getOpVendor(t, e, op, v.ID)
	if len(got.Keys) != 2 || strings.Contains(raw, nk.APIKey) {
		t.Fatalf("after a second key: %s", raw)
	}
	e.MustAPI(http.StatusNoContent, op, "DELETE", "/operator/vendors/"+v.ID+"/keys/"+v.Keys[0].ID, nil, nil)
	apiErr(t, e, http.StatusNotFound, op, "DELETE", "/operator/vendors/"+v.ID+"/keys/"+v.Keys[0].ID, nil)
	if _, ok, err := e.App.Vendors.Authenticate(ctx, created.APIKey); ok || err != nil {
		t.Fatalf("a revoked key still authenticates (%v)", err)
	}
	if got, _ := getOpVendor(t, e, op, v.ID); len(got.Keys) != 1 || got.Keys[0].ID != nk.Key.ID {
		t.Fatalf("keys after revoking the first: %+v", got.Keys)
	}

	// Static packages.
	pkgs := map[string]any{"packages": []map[string]string{
		{"id": "basic", "name": "Basic check", "description": "Identity and right to work"},
		{"id": "skills", "name": "Skills test", "type": "assessment"},
	}}
	e.MustAPI(http.StatusOK, op, "PUT", "/operator/vendors/"+v.ID+"/packages", pkgs, &got)
	if len(got.Packages) != 2 || got.Packages[0].Source != "static" {
		t.Fatalf("PUT packages = %+v", got.Packages)
	}
	kinds := map[string]string{}
	for _, p := range got.Packages {
		kinds[p.ID] = p.Type
	}
	if kinds["basic"] != "background_check" || kinds["skills"] != "assessment" {
		t.Errorf("package kinds %v: want the vendor's kind unless the package says", kinds)
	}

	// The signing secret: shown once, the previous one valid 24 h.
	stored, err := e.App.Vendors.Get(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Vendors.SetWebhook(ctx, stored, "https://hooks.checks.example/orders"); err != nil {
		t.Fatal(err)
	}
	var rot struct {
		Secret             string     `json:"secret"`
		PreviousValidUntil *time.Time `json:"previous_valid_until"`
	}
	e.MustAPI(http.StatusOK, op, "POST", "/operator/vendors/"+v.ID+"/webhook/rotate", nil, &rot)
	if !strings.HasPrefix(rot.Secret, "whsec_") || rot.PreviousValidUntil == nil ||
		!rot.PreviousValidUntil.Equal(e.Clock.Now().UTC().Truncate(time.Microsecond).Add(24*time.Hour)) {
		t.Fatalf("rotate = %+v, want a whsec_ secret and the previous one valid until now+24h (%s)", rot, e.Clock.Now())
	}
	got, raw = getOpVendor(t, e, op, v.ID)
	if strings.Contains(raw, rot.Secret) || got.Webhook.PreviousValidUntil == nil || got.Webhook.URL != "https://hooks.checks.example/orders" {
		t.Fatalf("GET after rotating: %s", raw)
	}

	// Links: any account, by id.
	e.MustAPI(http.StatusOK, op, "PUT", "/operator/vendors/"+v.ID+"/links/"+acmeID, nil, &got)
	if len(got.Links) != 1 || got.Links[0].AccountID != acmeID || got.Links[0].AccountName != "Acme Corp" || got.LinkedAccounts != 1 {
		t.Fatalf("PUT link = %+v", got)
	}
	if !listVendors(t, e, acme)[v.ID].Linked {
		t.Error("Acme does not see the operator's link")
	}
	e.MustAPI(http.StatusOK, op, "PUT", "/operator/vendors/"+v.ID+"/links/"+acmeID, nil, &got) // again: no change
	apiErr(t, e, http.StatusNotFound, op, "PUT", "/operator/vendors/"+v.ID+"/links/acc_nope", nil)
	var list struct {
		Vendors []opVendor `json:"vendors"`
	}
	e.MustAPI(http.StatusOK, op, "GET", "/operator/vendors", nil, &list)
	if len(list.Vendors) != 1 || list.Vendors[0].LinkedAccounts != 1 || list.Vendors[0].Keys != nil {
		t.Fatalf("GET /operator/vendors = %+v, want the vendor with one linked account", list)
	}
	e.MustAPI(http.StatusOK, op, "DELETE", "/operator/vendors/"+v.ID+"/links/"+acmeID, nil, &got)
	if len(got.Links) != 0 || listVendors(t, e, acme)[v.ID].Linked {
		t.Fatalf("DELETE link left %+v", got.Links)
	}
	apiErr(t, e, http.StatusNotFound, op, "DELETE", "/operator/vendors/"+v.ID+"/links/"+acmeID, nil)

	// Disable and enable: a disabled vendor cannot be linked.
	e.MustAPI(http.StatusOK, op, "POST", "/operator/vendors/"+v.ID+"/disable", nil, &got)
	if got.Status != "disabled" {
		t.Fatalf("disable: %+v", got)
	}
	apiErr(t, e, http.StatusConflict, op, "PUT", "/operator/vendors/"+v.ID+"/links/"+acmeID, nil)
	e.MustAPI(http.StatusOK, op, "POST", "/operator/vendors/"+v.ID+"/enable", nil, &got)
	if got.Status != "active" {
		t.Fatalf("enable: %+v", got)
	}

	for _, r := range operatorRoutes() {
		if r.method == "POST" && r.path == "/operator/vendors" || r.method == "GET" && r.path == "/operator/vendors" {
			continue
		}
		apiErr(t, e, http.StatusNotFound, op, r.method, r.path, map[string]any{"packages": []any{}})
	}
}

// TestOperatorBadInput: what the operator sends wrong is a 400 or 422
// naming the field, and changes nothing.
func TestOperatorBadInput(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	op := newOperator(t, e)
	v := newVendor(t, e, "Acme Checks", "background_check")
	path := "/operator/vendors/" + v.ID + "/packages"
	e.MustAPI(http.StatusOK, op, "PUT", path, map[string]any{"packages": []map[string]string{{"id": "basic", "name": "Basic check"}}}, nil)

	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		field        string
	}{
		{"create without a name", "POST", "/operator/vendors", map[string]string{"kind": "assessment"}, 422, "name"},
		{"create of an unknown kind", "POST", "/operator/vendors", map[string]string{"name": "New", "kind": "quiz"}, 422, "kind"},
		{"create with a taken name", "POST", "/operator/vendors", map[string]string{"name": "acme checks", "kind": "assessment"}, 422, "name"},
		{"create with a misspelt field", "POST", "/operator/vendors", map[string]string{"nmae": "New", "kind": "assessment"}, 400, "nmae"},
		{"package without a name", "PUT", path, map[string]any{"packages": []map[string]string{{"id": "x"}}}, 422, "packages[0].name"},
		{"packages with one id twice", "PUT", path, map[string]any{"packages": []map[string]string{{"id": "x", "name": "X"}, {"id": "x", "name": "Y"}}}, 422, "packages[1].id"},
		{"package of an unknown type", "PUT", path, map[string]any{"packages": []map[string]string{{"id": "x", "name": "X", "type": "quiz"}}}, 422, "packages[0].type"},
		{"package with a misspelt field", "PUT", path, map[string]any{"packages": []map[string]string{{"id": "x", "nam": "X"}}}, 400, "nam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := apiErr(t, e, tt.status, op, tt.method, tt.path, tt.body)
			if _, ok := body.Fields[tt.field]; !ok {
				t.Errorf("fields %v, want %q named", body.Fields, tt.field)
			}
		})
	}
	got, _ := getOpVendor(t, e, op, v.ID)
	if len(got.Packages) != 1 || got.Packages[0].ID != "basic" {
		t.Errorf("refused package sets changed the packages: %+v", got.Packages)
	}
	var list struct {
		Vendors []opVendor `json:"vendors"`
	}
	e.MustAPI(http.StatusOK, op, "GET", "/operator/vendors", nil, &list)
	if len(list.Vendors) != 1 {
		t.Errorf("refused creates made vendors: %+v", list.Vendors)
	}
}

// TestOperatorRoutesNeedAnOperator: a super admin who is not an operator,
// and an operator who lost the flag, get 403 and change nothing.
func TestOperatorRoutesNeedAnOperator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t, apptest.Options{})
	op := newOperator(t, e)
	boss := e.CreateAccount("Acme Corp", "boss@acme.example")
	v := newVendor(t, e, "Acme Checks", "background_check")
	refused := func(who, key string) {
		t.Helper()
		for _, r := range operatorRoutes() {
			path := strings.ReplaceAll(r.path, "vnd_x", v.ID)
			body := apiErr(t, e, http.StatusForbidden, key, r.method, path, map[string]string{"name": "By " + who, "kind": "assessment"})
			if !strings.Contains(body.Error, "only an operator") {
				t.Errorf("%s: %s %s: %q, want it to say only an operator may", who, r.method, path, body.Error)
			}
		}
	}
	refused("a super admin", boss)
	e.MustAPI(http.StatusOK, op, "GET", "/operator/vendors", nil, nil)
	if _, err := e.App.Identity.SetOperator(ctx, "op@ops.example", false); err != nil {
		t.Fatal(err)
	}
	refused("a former operator", op)
	if got, err := e.App.Vendors.Get(ctx, v.ID); err != nil || got.Status != "active" || got.Version != v.Version {
		t.Errorf("refused requests changed the vendor: %+v, %v", got, err)
	}
	if vs, _ := e.App.Vendors.List(ctx); len(vs) != 1 {
		t.Errorf("refused requests made vendors: %+v", vs)
	}
}
