package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats"
)

type inboundKeyJSON struct {
	Key          string    `json:"key"`
	IssuedAt     time.Time `json:"issued_at"`
	Auth         string    `json:"auth"`
	EndpointBase string    `json:"endpoint_base"`
	Note         string    `json:"note"`
}

type inboundJSON struct {
	Inbound *struct {
		Auth         string     `json:"auth"`
		EndpointBase string     `json:"endpoint_base"`
		Connected    bool       `json:"connected"`
		ConnectedAt  *time.Time `json:"connected_at"`
		KeyHint      string     `json:"key_hint"`
	} `json:"inbound"`
}

// whoami asks a KeyPartner endpoint which integration a header authenticates.
func whoami(t *testing.T, endpointBase, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", endpointBase+"/whoami", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		IntegrationID string `json:"integration_id"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, out.IntegrationID
}

// TestInboundKeyEndpoint: POST /integrations/{id}/inbound-key issues the
// key an ATS calls Switchboard with, shown once (no-store) with how it is
// sent and where; GET shows only its hint and issue time; a new key
// replaces the old one at once; a connector given no key refuses; only a
// super admin issues one.
func TestInboundKeyEndpoint(t *testing.T) {
	t.Parallel()
	bearer := &apptest.KeyPartner{Name: "Keyed", ProviderName: "keyed", Auth: ats.InboundBearer}
	basic := &apptest.KeyPartner{Name: "Basicked", ProviderName: "basicked", Auth: ats.InboundBasic}
	e := apptest.New(t, apptest.Options{Connectors: []ats.Connector{bearer, basic}})
	key := e.CreateAccount("Acme", "admin@acme.example")
	var in, bin, lev struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, key, "POST", "/integrations", map[string]string{"provider": "keyed"}, &in)
	e.MustAPI(http.StatusCreated, key, "POST", "/integrations", map[string]string{"provider": "basicked"}, &bin)
	e.MustAPI(http.StatusCreated, key, "POST", "/integrations", map[string]string{"provider": "lever"}, &lev)

	var before inboundJSON
	e.MustAPI(http.StatusOK, key, "GET", "/integrations/"+in.ID, nil, &before)
	if b := before.Inbound; b == nil || b.Auth != "bearer" || b.Connected || b.ConnectedAt != nil || b.KeyHint != "" || b.EndpointBase != e.URL+"/partners/keyed" {
		t.Fatalf("inbound before a key: %+v", b)
	}
	var levView map[string]any
	e.MustAPI(http.StatusOK, key, "GET", "/integrations/"+lev.ID, nil, &levView)
	if _, ok := levView["inbound"]; ok {
		t.Errorf("Lever, which the ATS does not call with a key, shows inbound: %v", levView["inbound"])
	}

	issue := func(id string) (inboundKeyJSON, http.Header) {
		t.Helper()
		st, hdr, body := raw(t, e, "Bearer "+key, "POST", "/integrations/"+id+"/inbound-key", nil)
		if st != http.StatusCreated {
			t.Fatalf("issue key: %d %s", st, body)
		}
		var k inboundKeyJSON
		if err := json.Unmarshal([]byte(body), &k); err != nil {
			t.Fatal(err)
		}
		return k, hdr
	}
	first, hdr := issue(in.ID)
	if hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store: the key is shown once", hdr.Get("Cache-Control"))
	}
	if first.Auth != "bearer" || first.EndpointBase != e.URL+"/partners/keyed" || first.IssuedAt.IsZero() ||
		len(first.Key) < 40 || !strings.Contains(first.Note, "Bearer") {
		t.Fatalf("issued key %+v", first)
	}
	if st, id := whoami(t, first.EndpointBase, "Bearer "+first.Key); st != http.StatusOK || id != in.ID {
		t.Fatalf("the issued key: %d %q", st, id)
	}

	e.Clock.Advance(time.Minute)
	second, _ := issue(in.ID)
	if second.Key == first.Key || !second.IssuedAt.After(first.IssuedAt) {
		t.Fatalf("rotation gave %+v after %+v", second, first)
	}
	if st, _ := whoami(t, first.EndpointBase, "Bearer "+first.Key); st != http.StatusUnauthorized {
		t.Errorf("the rotated-away key: %d, want 401", st)
	}
	if st, id := whoami(t, first.EndpointBase, "Bearer "+second.Key); st != http.StatusOK || id != in.ID {
		t.Errorf("the new key: %d %q", st, id)
	}
	var after inboundJSON
	e.MustAPI(http.StatusOK, key, "GET", "/integrations/"+in.ID, nil, &after)
	a := after.Inbound
	if a == nil || !a.Connected || a.ConnectedAt == nil || !a.ConnectedAt.Equal(second.IssuedAt) ||
		!strings.HasPrefix(second.Key, strings.TrimSuffix(a.KeyHint, "…")) || len(a.KeyHint) >= len(second.Key)/2 {
		t.Fatalf("inbound after rotation: %+v (key %q)", a, second.Key)
	}
	for _, path := range []string{"/integrations/" + in.ID, "/integrations"} {
		if st, _, body := raw(t, e, "Bearer "+key, "GET", path, nil); st != http.StatusOK || strings.Contains(body, second.Key) {
			t.Errorf("GET %s shows the key (%d)", path, st)
		}
	}

	// Basic: the key as the user name, with an empty password.
	bk, _ := issue(bin.ID)
	if bk.Auth != "basic" || !strings.Contains(bk.Note, "Basic user name") {
		t.Fatalf("basic key %+v", bk)
	}
	basicAuth := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	if st, id := whoami(t, bk.EndpointBase, basicAuth(bk.Key, "")); st != http.StatusOK || id != bin.ID {
		t.Errorf("the Basic key: %d %q", st, id)
	}
	if st, _ := whoami(t, bk.EndpointBase, basicAuth(second.Key, "")); st != http.StatusUnauthorized {
		t.Errorf("another provider's key on the Basic endpoints: %d, want 401", st)
	}

	eb := apiErr(t, e, http.StatusUnprocessableEntity, key, "POST", "/integrations/"+lev.ID+"/inbound-key", nil)
	if !strings.Contains(eb.Error, "does not call Switchboard with a key") {
		t.Errorf("Lever key: %q", eb.Error)
	}
	apiErr(t, e, http.StatusNotFound, key, "POST", "/integrations/int_nope/inbound-key", nil)
	adminKey := createUser(t, e, key, "admin-user@acme.example", admin)
	apiErr(t, e, http.StatusForbidden, adminKey, "POST", "/integrations/"+in.ID+"/inbound-key", nil)
	if st, id := whoami(t, first.EndpointBase, "Bearer "+second.Key); st != http.StatusOK || id != in.ID {
		t.Errorf("a refused issue changed the key: %d %q", st, id)
	}
}

// TestInboundURLs: an integration's inbound object and the key's answer
// list the full URLs an admin enters in the ATS, as the connector names
// them: Greenhouse's four, Workable's and Ashby's base; SmartRecruiters'
// registered ones.
func TestInboundURLs(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme", "admin@acme.example")
	type link struct {
		Label string `json:"label"`
		URL   string `json:"url"`
	}
	gh := e.URL + "/partners/greenhouse"
	tests := []struct {
		provider string
		want     []link
		issues   bool // a key is issued for it
	}{
		{"greenhouse", []link{
			{"List tests URL (list_tests)", gh + "/list_tests"}, {"Send test URL (send_test)", gh + "/send_test"},
			{"Test status URL (test_status)", gh + "/test_status"}, {"Response error URL (response_error)", gh + "/response_error"},
		}, true},
		{"workable", []link{{"Provider base URL", e.URL + "/partners/workable"}}, true},
		{"ashby", []link{{"Partner base URL", e.URL + "/partners/ashby"}}, true},
		{"smartrecruiters", nil, false},
	}
	for _, tt := range tests {
		var in struct {
			ID string `json:"id"`
		}
		e.MustAPI(http.StatusCreated, key, "POST", "/integrations", map[string]string{"provider": tt.provider}, &in)
		var view struct {
			Inbound *struct {
				URLs []link `json:"urls"`
			} `json:"inbound"`
		}
		e.MustAPI(http.StatusOK, key, "GET", "/integrations/"+in.ID, nil, &view)
		if view.Inbound == nil {
			t.Fatalf("%s: no inbound object", tt.provider)
		}
		got := view.Inbound.URLs
		if tt.want == nil { // SmartRecruiters: every URL it registers, under its base
			if len(got) != 6 || got[0].URL != e.URL+"/partners/smartrecruiters/integration" {
				t.Errorf("%s: urls %+v", tt.provider, got)
			}
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: urls %+v, want %+v", tt.provider, got, tt.want)
		}
		if !tt.issues {
			continue
		}
		var k struct {
			URLs []link `json:"urls"`
		}
		e.MustAPI(http.StatusCreated, key, "POST", "/integrations/"+in.ID+"/inbound-key", nil, &k)
		if fmt.Sprint(k.URLs) != fmt.Sprint(tt.want) {
			t.Errorf("%s: the key's answer lists %+v, want %+v", tt.provider, k.URLs, tt.want)
		}
	}
}
