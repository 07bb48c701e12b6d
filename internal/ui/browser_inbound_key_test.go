package ui_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats"
)

// basicWhoami asks a KeyPartner endpoint, with the key as the Basic user
// name and an empty password, which integration it authenticates.
func basicWhoami(t *testing.T, endpoint, key string) int {
	t.Helper()
	req, err := http.NewRequest("GET", endpoint+"/whoami", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBrowserInboundKey: for an ATS that calls Switchboard with a key
// Switchboard issues (here sent as the Basic user name), the integration
// page has a "<ATS> → Switchboard" section with the endpoint URL; the
// validation checklist wants a key; "Generate key" shows the key once with
// how the ATS sends it; the page then shows only its hint and issue time;
// "Rotate key" needs its confirmation and replaces the key at once.
func TestBrowserInboundKey(t *testing.T) {
	t.Parallel()
	ctx := chrome(t)
	kp := &apptest.KeyPartner{Name: "Basicked", ProviderName: "basicked", Auth: ats.InboundBasic}
	e := apptest.New(t, apptest.Options{Connectors: []ats.Connector{kp}})
	apiKey := e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")
	var in struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, apiKey, "POST", "/integrations", map[string]string{"provider": "basicked"}, &in)
	endpoint := e.URL + "/partners/basicked"
	u := &ui{t: t, ctx: ctx, base: e.URL, dir: screenshotDir(t)}

	u.open("/signin")
	u.fill("#email", "admin@acme.example")
	u.fill("#password", testPassword)
	u.submit("sign in", "form[action='/signin'] button[type=submit]")
	u.open("/integrations/" + in.ID)
	u.mustSee("#h-inbound-key", "Basicked → Switchboard")
	u.mustSee("#inbound-key-state", "No key issued yet")
	if got := u.value("#inbound-url-0"); got != endpoint {
		t.Fatalf("endpoint URL %q, want %q", got, endpoint)
	}
	u.submit("validate", "#validate")
	u.mustSee("body", "a key was issued for Basicked")
	u.open("/integrations/" + in.ID)

	u.submit("generate a key", "#generate-inbound-key")
	first := u.value("#inbound-key-value")
	if !strings.HasPrefix(first, "sbik_") || len(first) < 40 {
		t.Fatalf("key %q", first)
	}
	u.mustSee("#inbound-key-how", "HTTP Basic user name, with an empty password")
	if got := u.value("#inbound-key-url-0"); got != endpoint {
		t.Errorf("endpoint on the key page %q", got)
	}
	u.shot("17-inbound-key")
	if st := basicWhoami(t, endpoint, first); st != http.StatusOK {
		t.Fatalf("the key from the page: %d", st)
	}

	// Shown once: the page shows the hint and when, not the key.
	u.open("/integrations/" + in.ID)
	u.mustSee("#inbound-key-state", "Key issued")
	hint := strings.TrimSuffix(u.text("#inbound-key-hint"), "…")
	if !strings.HasPrefix(first, hint) || len(hint) < 10 || len(hint) > len(first)/2 {
		t.Fatalf("hint %q of key %q", hint, first)
	}
	if strings.Contains(u.text("body"), first) {
		t.Fatal("the integration page shows the key again")
	}

	// Rotation is confirmed first: the browser will not send the form
	// unticked, and the server refuses it too.
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)
	b.get("/integrations/" + in.ID)
	if _, page := b.post("/integrations/"+in.ID+"/inbound-key", url.Values{}); !strings.Contains(page, "tick the box") {
		t.Fatal("an unconfirmed rotation is not refused")
	}
	if st := basicWhoami(t, endpoint, first); st != http.StatusOK {
		t.Fatalf("a refused rotation changed the key: %d", st)
	}
	u.do("confirm the rotation", chromedp.Click(chromedp.CSS("#confirm-rotate")))
	u.submit("rotate the key", "#rotate-inbound-key")
	second := u.value("#inbound-key-value")
	if second == first || !strings.HasPrefix(second, "sbik_") {
		t.Fatalf("rotated key %q (was %q)", second, first)
	}
	u.mustSee("main", "replaced the previous key")
	if st := basicWhoami(t, endpoint, first); st != http.StatusUnauthorized {
		t.Errorf("the rotated-away key: %d, want 401", st)
	}
	if st := basicWhoami(t, endpoint, second); st != http.StatusOK {
		t.Errorf("the new key: %d", st)
	}
}
