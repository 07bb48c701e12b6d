package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/core"
	"switchboard/internal/service"
)

var (
	okLineRe  = regexp.MustCompile(`<li class="ok"><span class="mark" aria-hidden="true">✓</span> ([^<]+)`)
	badLineRe = regexp.MustCompile(`<li class="bad"><span class="mark" aria-hidden="true">✗</span> ([^<]+)<span class="sr-only"> \(failed\)</span><br><span class="why">([^<]+)`)
)

// TestRunTestOrderPage: from the integration overview a super admin opens
// "Run a test order", picks the vacancy and sees the checklist come back.
func TestRunTestOrderPage(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	setPassword(t, e, "admin@acme.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)

	_, overview := b.get("/integrations/" + f.IntegrationID)
	page := "/integrations/" + f.IntegrationID + "/test-order"
	if !strings.Contains(overview, `href="`+page+`" id="test-order">Run a test order</a>`) {
		t.Fatal("the overview has no Run a test order button")
	}
	resp, body := b.get(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Run a test order</h1>") ||
		!strings.Contains(body, `<option value="`+f.VacancyID+`"`) || !strings.Contains(body, service.TestCandidateName) {
		t.Fatalf("GET %s: %d\n%s", page, resp.StatusCode, body)
	}

	resp, body = b.post(page, url.Values{"vacancy": {f.VacancyID}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Everything arrived") {
		t.Fatalf("POST %s: %d\n%s", page, resp.StatusCode, body)
	}
	var green []string
	for _, m := range okLineRe.FindAllStringSubmatch(body, -1) {
		green = append(green, m[1])
	}
	for _, want := range []string{lever.CheckTestCandidate, service.CheckOrderReceived, lever.CheckScoreBack, lever.CheckLinkBack, lever.CheckPDFBack} {
		if !slices.Contains(green, want) {
			t.Errorf("no green line %q among %q", want, green)
		}
	}
	if strings.Contains(body, `<li class="bad">`) {
		t.Errorf("a red line on an all-green run:\n%s", body)
	}
	if !regexp.MustCompile(`<a href="/orders/ord_[^"]+">the order in Switchboard</a>`).MatchString(body) ||
		!strings.Contains(body, `<a href="https://hire.lever.co/candidates/`) {
		t.Error("the result does not link the order and the test candidate")
	}
	if !regexp.MustCompile(`score \d+/100, (Great|Good|Poor) fit · took`).MatchString(body) {
		t.Error("the run does not show the score and label it recorded")
	}
}

// TestRunTestOrderShowsWhy: a red line shows its reason; problems that stop
// a run before it starts are said on the form.
func TestRunTestOrderShowsWhy(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	var v struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", map[string]any{"name": "Night Shift Lead", "tag": "Switchboard: Nights"}, &v)
	setPassword(t, e, "admin@acme.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)
	page := "/integrations/" + f.IntegrationID + "/test-order"
	b.get(page)

	_, body := b.post(page, url.Values{"vacancy": {v.ID}})
	m := badLineRe.FindStringSubmatch(body)
	if m == nil || m[1] != lever.CheckTestPosting || !strings.Contains(m[2], "no Lever posting carries the tag &#34;Switchboard: Nights&#34;") {
		t.Errorf("red line = %q\n%s", m, body)
	}

	if _, body = b.post(page, url.Values{"vacancy": {""}}); !strings.Contains(body, "Choose the vacancy to order.") {
		t.Errorf("no vacancy chosen:\n%s", body)
	}
	if _, body = b.post(page, url.Values{"vacancy": {"vac_nope"}}); !strings.Contains(body, "That vacancy does not exist") {
		t.Errorf("unknown vacancy:\n%s", body)
	}
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
	if _, body = b.get(page); !strings.Contains(body, `id="test-order-disabled"`) {
		t.Error("the page does not say the integration is disabled")
	}
	if _, body = b.post(page, url.Values{"vacancy": {f.VacancyID}}); !strings.Contains(body, "Enable the integration first") {
		t.Errorf("disabled integration:\n%s", body)
	}

	var sr struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations", map[string]string{"provider": "smartrecruiters"}, &sr)
	if resp, body := b.get("/integrations/" + sr.ID + "/test-order"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, "Test orders are not supported for SmartRecruiters") || strings.Contains(body, `id="run-test-order"`) {
		t.Errorf("SmartRecruiters page: %d\n%s", resp.StatusCode, body)
	}
}

// TestRunTestOrderIsForSuperAdmins: other roles get the 403 page, and no button.
func TestRunTestOrderIsForSuperAdmins(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	addUser(t, e, "admin@acme.example", "ada@acme.example", core.RoleAdmin)
	b := newBrowser(t, e.URL)
	b.signIn("ada@acme.example", testPassword)
	_, overview := b.get("/integrations/" + f.IntegrationID)
	if strings.Contains(overview, "Run a test order") {
		t.Error("an admin sees the Run a test order button")
	}
	page := "/integrations/" + f.IntegrationID + "/test-order"
	if resp, body := b.get(page); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Not available to your role") {
		t.Errorf("GET as admin: %d", resp.StatusCode)
	}
	if resp, _ := b.post(page, url.Values{"vacancy": {f.VacancyID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST as admin: %d", resp.StatusCode)
	}
}
