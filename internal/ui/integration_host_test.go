package ui_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

// TestSettingsSayWhenTheHostChangeClearedCredentials: in the UI, a base URL
// on a host the ATS does not use is refused saying how to allow it, and one
// on another allowed host is saved with a message that the credentials were
// cleared and the integration disabled.
func TestSettingsSayWhenTheHostChangeClearedCredentials(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	setPassword(t, e, "admin@acme.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)
	page := "/integrations/" + f.IntegrationID
	b.get(page)
	save := func(base string) string {
		_, body := b.post(page+"/settings", url.Values{
			"setting_" + lever.SettingBaseURL + "_shown": {"1"}, "setting_" + lever.SettingBaseURL: {base},
		})
		return html.UnescapeString(body)
	}

	body := save("https://listener.example/v1")
	if !strings.Contains(body, "Nothing was saved") || !strings.Contains(body, "--allow-ats-host") {
		t.Errorf("a foreign host: the page does not refuse it saying how to allow it:\n%s", body)
	}
	body = save(strings.Replace(e.LeverURL, "127.0.0.1", "localhost", 1))
	for _, want := range []string{"Settings saved.", "stored credentials (api key, stage change signature token) were cleared", "was disabled"} {
		if !strings.Contains(body, want) {
			t.Errorf("after moving the host the page lacks %q:\n%s", want, body)
		}
	}
}
