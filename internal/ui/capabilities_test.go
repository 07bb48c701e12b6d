package ui_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/service"
)

// TestIntegrationOffersWhatItsConnectorDoes: "Run a test order" is on the
// page of an integration whose ATS runs test orders, and only there.
func TestIntegrationOffersWhatItsConnectorDoes(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	lever := e.SetupLever(apptest.LeverOptions{})
	ctx := context.Background()
	sr, err := e.App.Integrations.CreateIntegration(ctx, mustUser(t, e, "admin@acme.example"), "smartrecruiters", "")
	if err != nil {
		t.Fatal(err)
	}
	setPassword(t, e, "admin@acme.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)

	for id, offered := range map[string]bool{lever.IntegrationID: true, sr.ID: false} {
		resp, page := b.get("/integrations/" + id)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/integrations/%s: %d", id, resp.StatusCode)
		}
		if got := strings.Contains(page, `id="test-order"`); got != offered {
			t.Errorf("/integrations/%s offers Run a test order: %v, want %v", id, got, offered)
		}
		if !strings.Contains(page, `id="validate"`) {
			t.Errorf("/integrations/%s lost its Validate button", id)
		}
	}
}

// TestVacanciesShowTheInlineRule: the Inline column says what
// SmartRecruiters lists, by the same rule: the flag, or the word in the name.
func TestVacanciesShowTheInlineRule(t *testing.T) {
	t.Parallel()
	e, b := signedInAdmin(t)
	u := mustUser(t, e, "admin@acme.example")
	yes := true
	for _, v := range []service.VacancyInput{
		{Name: ptr("Support (inline)")},
		{Name: ptr("Mainline Support")},
		{Name: ptr("Flagged"), Inline: &yes},
	} {
		if _, err := e.App.Service.CreateVacancy(context.Background(), u, v); err != nil {
			t.Fatal(err)
		}
	}
	_, page := b.get("/vacancies")
	row := regexp.MustCompile(`(?s)<tr>\s*<td><a href="/vacancies/[^"]+">([^<]+)</a></td>.*?<td>([^<]*)(?:<span[^>]*>([^<]*)</span>)?</td>\s*</tr>`)
	got := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(page, -1) {
		got[html.UnescapeString(m[1])] = strings.TrimSpace(m[2] + m[3])
	}
	want := map[string]string{"Support (inline)": "Yes (by its name)", "Mainline Support": "No", "Flagged": "Yes"}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("Inline of %q = %q, want %q (rows %v)", name, got[name], w, got)
		}
	}
}

func ptr[T any](v T) *T { return &v }
