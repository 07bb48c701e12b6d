package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
)

var tokenRe = regexp.MustCompile(`id="connection-token" value="([^"]+)"`)

// TestSmartRecruitersConnectionToken: the integration page offers a
// connection token; generating one shows it once, with its validity and a
// copy button; the customer connects with it; the page then says connected
// and never shows the token again.
func TestSmartRecruitersConnectionToken(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{NoConnect: true})
	setPassword(t, e, "admin@acmecoffee.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acmecoffee.example", testPassword)

	resp, page := b.get("/integrations/" + f.IntegrationID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="generate-connection-token"`) ||
		!strings.Contains(page, "Not connected") || !strings.Contains(page, e.URL+"/partners/smartrecruiters") {
		t.Fatalf("integration page: %d\n%s", resp.StatusCode, page)
	}
	resp, page = b.post("/integrations/"+f.IntegrationID+"/connection-token", url.Values{})
	m := tokenRe.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(page, "Valid for 30 minutes") ||
		!strings.Contains(page, `data-copy="#connection-token"`) || !strings.Contains(page, "shown only now") {
		t.Fatalf("token page: %d\n%s", resp.StatusCode, page)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token page Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	token := m[1]
	if res := f.Connect(f.Company.ID, token); res.Status != http.StatusOK || !strings.HasPrefix(res.FinalURL, f.URL) {
		t.Fatalf("connect with the token from the page: %d\n%s", res.Status, res.Body)
	}
	_, page = b.get("/integrations/" + f.IntegrationID)
	if !strings.Contains(page, `id="connection-state">Connected`) || !strings.Contains(page, "Enabled") || strings.Contains(page, token) {
		t.Fatalf("integration page after connecting:\n%s", page)
	}

	// Without a companyId no token is generated, and the page says why.
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, map[string]any{"settings": map[string]string{"company_id": ""}}, nil)
	b.get("/integrations/" + f.IntegrationID)
	_, page = b.post("/integrations/"+f.IntegrationID+"/connection-token", url.Values{})
	if tokenRe.MatchString(page) || !strings.Contains(page, "No token generated") || !strings.Contains(page, "companyId") {
		t.Fatalf("token without a companyId:\n%s", page)
	}
}
