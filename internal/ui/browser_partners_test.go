package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/atssim/workablesim"
)

// partnerAdmin is a signed-in admin of a fresh account with one vacancy,
// for the partner connectors' browser tests.
type partnerAdmin struct {
	*ui
	e       *apptest.Env
	apiKey  string
	vacancy string // its name
}

func newPartnerAdmin(t *testing.T) *partnerAdmin {
	t.Helper()
	ctx := chrome(t)
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")
	const vacancy = "Bakery Aptitude"
	e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", map[string]any{"name": vacancy}, nil)
	u := &ui{t: t, ctx: ctx, base: e.URL, dir: screenshotDir(t)}
	u.open("/signin")
	u.fill("#email", "admin@acme.example")
	u.fill("#password", testPassword)
	u.submit("sign in", "form[action='/signin'] button[type=submit]")
	return &partnerAdmin{ui: u, e: e, apiKey: key, vacancy: vacancy}
}

// add creates an integration of provider from "Add new integration",
// named name unless empty, and returns its id from the overview's URL.
func (a *partnerAdmin) add(provider, name string) string {
	a.t.Helper()
	a.open("/integrations")
	a.submit("add new integration", "a[href='/integrations/new']")
	a.do("choose "+provider, chromedp.Click(chromedp.CSS("input[name=provider][value="+provider+"]")))
	if name != "" {
		a.fill("#integration-name", name)
	}
	a.submit("create integration", "form[action='/integrations/new'] button[type=submit]")
	a.submit("continue to overview", "main a.btn")
	ctx, cancel := context.WithTimeout(a.ctx, 20*time.Second)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	cancel()
	if err != nil {
		a.t.Fatalf("read the URL: %v", err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	if i := strings.IndexAny(id, "#?"); i >= 0 {
		id = id[:i]
	}
	if !strings.HasPrefix(id, "int_") {
		a.t.Fatalf("overview at %q", loc)
	}
	// Every overview section renders, and no test order is offered: none of
	// these connectors can drive one.
	for _, sel := range []string{"#general", "#inbound", "#write-back", "#credentials"} {
		a.mustSee(sel+" h2", "")
	}
	if a.eval(`document.querySelector("#test-order") !== null`) {
		a.t.Errorf("%s offers a test order it cannot run", provider)
	}
	a.mustSee("#inbound-key-state", "No key issued yet")
	return id
}

// setCredential stores one credential and checks it is not shown back.
func (a *partnerAdmin) setCredential(name, value string) {
	a.t.Helper()
	a.fill("#cred-"+name, value)
	a.submit("save "+name, "form:has(#cred-"+name+") button[type=submit]")
	a.mustSee("#cred-"+name+"-state", "Set on")
	if strings.Contains(a.text("#credentials"), value) || a.value("#cred-"+name) != "" {
		a.t.Fatalf("the stored %s is shown back", name)
	}
}

// generateKey generates the key on the overview and returns it and the
// URLs the key page hands over, by label; the overview then shows the
// same URLs and the key's hint, never the key.
func (a *partnerAdmin) generateKey(id string) (string, map[string]string) {
	a.t.Helper()
	a.open("/integrations/" + id)
	a.submit("generate a key", "#generate-inbound-key")
	key := a.value("#inbound-key-value")
	if !strings.HasPrefix(key, "sbik_") {
		a.t.Fatalf("key %q", key)
	}
	urls := map[string]string{}
	var labels []string
	for i := 0; a.eval(`document.querySelector("#inbound-key-url-` + strconv.Itoa(i) + `") !== null`); i++ {
		label := a.text("label[for=inbound-key-url-" + strconv.Itoa(i) + "]")
		urls[label] = a.value("#inbound-key-url-" + strconv.Itoa(i))
		labels = append(labels, label)
	}
	a.open("/integrations/" + id)
	a.mustSee("#inbound-key-state", "Key issued")
	if strings.Contains(a.text("body"), key) {
		a.t.Fatal("the overview shows the key again")
	}
	for i, l := range labels {
		if got := a.value("#inbound-url-" + strconv.Itoa(i)); got != urls[l] {
			a.t.Errorf("overview's %s %q, the key page's %q", l, got, urls[l])
		}
	}
	return key, urls
}

// seeCheck sees one line of the checklist in sel: "✓ name" or "✗ name"
// (the mark and the name are separate elements).
func (a *partnerAdmin) seeCheck(sel, line string) {
	a.t.Helper()
	a.mustSee(sel, strings.Replace(line, " ", "\n", 1))
}

// validate runs the checklist and sees each line with its mark.
func (a *partnerAdmin) validate(id string, lines ...string) {
	a.t.Helper()
	a.open("/integrations/" + id)
	a.submit("validate", "#validate")
	a.mustSee(".flash-ok", "Validation passed")
	for _, l := range lines {
		a.seeCheck(".flash-ok ul.checks", l)
	}
}

// TestBrowserWorkable: an admin adds two Workable integrations for two
// subdomains, fills each one's subdomain, API URL and tokens (never shown
// back), generates each key (shown once, with the provider URL), enters it
// on Workable's card, enables and validates; Workable then lists the
// account's vacancy with each key, and a key of one subdomain is its own.
func TestBrowserWorkable(t *testing.T) {
	t.Parallel()
	a := newPartnerAdmin(t)
	sim := workablesim.New(workablesim.WithClock(a.e.ClientNow))
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	subs := []struct{ sub, name string }{{"acme", "Workable (acme)"}, {"acme-uk", "Workable (acme-uk)"}}
	ids := map[string]string{}
	for _, s := range subs {
		sim.AddAccount(s.sub, "Acme "+s.sub)
		sim.AddMember(s.sub, "Robin Admin", "robin@"+s.sub+".example", workable.RoleAdmin)
		token, callback := sim.AddToken(s.sub, workablesim.AllScopes...), sim.CreateIntegration(s.sub)

		id := a.add("workable", s.name)
		ids[s.sub] = id
		a.mustSee("main h1", s.name)
		a.mustSee("#h-settings", "Workable account")
		a.fill("#setting-"+workable.SettingSubdomain, s.sub)
		a.fill("#setting-"+workable.SettingBaseURL, sim.APIBase(s.sub))
		a.submit("save settings", "#save-settings")
		a.mustSee(".flash-ok", "Settings saved")
		a.setCredential(workable.CredentialAPIToken, token)
		a.setCredential(workable.CredentialCallbackToken, callback)
		if s.sub == "acme" {
			// The Assessments tab: the status and the score go to custom
			// fields, checked against Workable's on enable.
			status := sim.AddCustomAttribute(s.sub, workable.AttrShortText, "Assessment status", true)
			score := sim.AddCustomAttribute(s.sub, workable.AttrNumeric, "Assessment score", true)
			a.do("switch the status field on", chromedp.Click(chromedp.CSS("input[name=status_enabled]")))
			a.fill("input[name=status_field]", status.ID)
			a.do("switch the score field on", chromedp.Click(chromedp.CSS("input[name=score_enabled]")))
			a.fill("input[name=score_field]", score.ID)
			a.submit("save write-back", "#save-write-back")
			a.mustSee(".flash-ok", "Write-back configuration saved")
			if a.value("input[name=status_field]") != status.ID {
				a.t.Errorf("the status field shows %q after saving, want %q", a.value("input[name=status_field]"), status.ID)
			}
		}

		key, urls := a.generateKey(id)
		if len(urls) != 1 || urls["Provider base URL"] != a.e.URL+"/partners/workable" {
			t.Fatalf("URLs handed to Workable: %v", urls)
		}
		a.shot("workable-" + s.sub)
		sim.ConfigureProvider(s.sub, urls["Provider base URL"], key)
		a.submit("enable", "#enable")
		a.mustSee("#integration-status", "Enabled")
		a.validate(id, "✓ Workable accepts the API access token and it reads jobs (r_jobs)",
			"✓ the token reads requisitions (r_requisitions)", "✓ a key was issued for Workable")
		if s.sub == "acme" {
			a.validate(id, "✓ the custom fields of the Assessments tab exist and take their values")
		}
	}
	a.open("/integrations")
	for _, s := range subs {
		a.mustSee("main", s.name)
	}
	if ids["acme"] == ids["acme-uk"] {
		t.Fatal("the second subdomain reused the first integration")
	}
	for _, s := range subs {
		tests, ans, err := sim.ListTests(context.Background(), s.sub)
		if err != nil || len(tests) != 1 || tests[0].Name != a.vacancy {
			t.Errorf("Workable %s lists %+v (%+v, %v), want the vacancy", s.sub, tests, ans, err)
		}
	}
}

// TestBrowserGreenhouse: Greenhouse needs no settings or credentials; the
// admin generates the key, shown once with the four URLs Greenhouse takes;
// the checklist wants the key, then passes; Greenhouse, given the key and
// the list_tests URL from the page, lists the vacancy.
func TestBrowserGreenhouse(t *testing.T) {
	t.Parallel()
	a := newPartnerAdmin(t)
	sim := greenhousesim.New(greenhousesim.WithClock(a.e.Clock.Now))
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Wait)
	sim.SetBaseURL(srv.URL)

	id := a.add("greenhouse", "")
	// Nothing to fill in: no settings form, no credentials, and the
	// write-back section says results are pulled.
	if a.eval(`document.querySelector("#save-settings") !== null`) {
		t.Error("Greenhouse, which has no settings, shows a settings form")
	}
	a.mustSee("#no-credentials", "Greenhouse needs none of the customer's credentials: it calls Switchboard with the key")
	a.mustSee("#no-custom-fields", "it asks Switchboard for each order's result and shows the status, the score")
	a.submit("validate without a key", "#validate")
	a.seeCheck(".flash-error ul.checks", "✗ a key was issued for Greenhouse")

	key, urls := a.generateKey(id)
	base := a.e.URL + "/partners/greenhouse"
	want := map[string]string{
		"List tests URL (list_tests)":         base + greenhouse.PathListTests,
		"Send test URL (send_test)":           base + greenhouse.PathSendTest,
		"Test status URL (test_status)":       base + greenhouse.PathTestStatus,
		"Response error URL (response_error)": base + greenhouse.PathResponseError,
	}
	if len(urls) != len(want) {
		t.Fatalf("URLs handed to Greenhouse: %v, want %v", urls, want)
	}
	for l, u := range want {
		if urls[l] != u {
			t.Errorf("%s: %q, want %q", l, urls[l], u)
		}
	}
	a.shot("greenhouse-key")
	a.submit("enable", "#enable")
	a.mustSee("#integration-status", "Enabled")
	a.validate(id, "✓ a key was issued for Greenhouse", "✓ the key is shorter than 171 characters")

	org, err := sim.AddOrganization("Acme Corp", greenhousesim.Partner{
		ListTestsURL: urls["List tests URL (list_tests)"], SendTestURL: urls["Send test URL (send_test)"],
		TestStatusURL: urls["Test status URL (test_status)"], ResponseErrorURL: urls["Response error URL (response_error)"], Key: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	tests, call, err := sim.ListTests(context.Background(), org.ID)
	if err != nil || len(tests) != 1 || tests[0].PartnerTestName != a.vacancy {
		t.Errorf("Greenhouse lists %+v (%+v, %v), want the vacancy", tests, call, err)
	}
}

// TestBrowserAshby: the admin stores Ashby's API URL and the customer's
// key (never shown back), generates the key Ashby calls with (shown once,
// with the partner base URL), enables and validates; Ashby, given both,
// lists the vacancy.
func TestBrowserAshby(t *testing.T) {
	t.Parallel()
	a := newPartnerAdmin(t)
	sim := ashbysim.New(ashbysim.WithClock(a.e.ClientNow))
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	const customerKey = "ashby-customer-key-1"
	sim.AddAPIKey(customerKey, "Switchboard assessments", ashbysim.PermCandidatesWrite, ashbysim.PermAPIKeysRead)

	id := a.add("ashby", "")
	a.fill("#setting-"+ashby.SettingBaseURL, srv.URL)
	a.submit("save settings", "#save-settings")
	a.mustSee(".flash-ok", "Settings saved")
	a.setCredential(ashby.CredentialAPIKey, customerKey)

	key, urls := a.generateKey(id)
	if len(urls) != 1 || urls["Partner base URL"] != a.e.URL+"/partners/ashby" {
		t.Fatalf("URLs handed to Ashby: %v", urls)
	}
	a.shot("ashby-key")
	sim.ConfigurePartner(urls["Partner base URL"], key)
	a.submit("enable", "#enable")
	a.mustSee("#integration-status", "Enabled")
	a.validate(id, "✓ Ashby accepts the API key", "✓ the API key may write assessments (candidatesWrite)",
		"✓ a key was issued for Ashby")

	types, _, err := sim.ListAssessments(context.Background())
	if err != nil || len(types) != 1 || types[0].Name != a.vacancy {
		t.Errorf("Ashby lists %+v (%v), want the vacancy", types, err)
	}
}
