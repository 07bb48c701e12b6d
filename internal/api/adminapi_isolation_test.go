package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

// TestAccountIsolation runs two tenants on one Switchboard and one Lever
// simulator, each with an integration, a vacancy and an order made the real
// way, and checks that neither can see or touch the other's rows.
func TestAccountIsolation(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := apptest.New(t, apptest.Options{Dialect: dialect})
			a := e.SetupLever(apptest.LeverOptions{})
			b := setupSecondLeverAccount(t, e, "Beta Ltd", "admin@beta.example", "Switchboard: Beta")

			// Each posting's candidate reaches both integrations' webhooks;
			// only the account whose vacancy tag matches makes an order.
			applyAndTrigger(t, e, "Ada Lovelace", "ada@example.com", a.PostingID)
			applyAndTrigger(t, e, "Bob Beta", "bob@beta-candidate.example", b.PostingID)
			orderA := orderFor(t, e, a.APIKey, "ada@example.com")
			orderB := orderFor(t, e, b.Key, "bob@beta-candidate.example")
			jobA := jobOf(t, e, orderA.ID, "write_back")
			jobB := jobOf(t, e, orderB.ID, "write_back")

			// B's key gets 404 for everything of A's, whatever the role check
			// or the body would say, and the other way round.
			probes := func(integrationID, vacancyID, orderID string, jobID int64) []struct {
				method, path string
				body         any
			} {
				in := "/integrations/" + integrationID
				return []struct {
					method, path string
					body         any
				}{
					{"GET", in, nil},
					{"PATCH", in, map[string]any{"name": "hijacked"}},
					{"PUT", in + "/credentials/" + lever.CredentialAPIKey, map[string]string{"value": "stolen"}},
					{"POST", in + "/validate", nil},
					{"POST", in + "/enable", nil},
					{"POST", in + "/disable", nil},
					{"GET", "/vacancies/" + vacancyID, nil},
					{"PATCH", "/vacancies/" + vacancyID, map[string]any{"name": "hijacked"}},
					{"GET", "/orders/" + orderID, nil},
					{"POST", "/orders/" + orderID + "/resend-invitation", nil},
					{"POST", fmt.Sprintf("/jobs/%d/retry", jobID), nil},
				}
			}
			for _, p := range probes(a.IntegrationID, a.VacancyID, orderA.ID, jobA) {
				body := apiErr(t, e, http.StatusNotFound, b.Key, p.method, p.path, p.body)
				if strings.Contains(body.Error, "Acme") || strings.Contains(body.Error, "ada@") {
					t.Errorf("B's %s %s error leaks A's data: %q", p.method, p.path, body.Error)
				}
			}
			for _, p := range probes(b.IntegrationID, b.VacancyID, orderB.ID, jobB) {
				apiErr(t, e, http.StatusNotFound, a.APIKey, p.method, p.path, p.body)
			}

			// Nothing of A's changed through B's attempts.
			got := getIntegration(t, e, a.APIKey, a.IntegrationID)
			if got.Status != "enabled" || got.Name == "hijacked" {
				t.Errorf("A's integration after B's attempts: %q %q", got.Status, got.Name)
			}
			var vac struct {
				Name string `json:"name"`
			}
			e.MustAPI(http.StatusOK, a.APIKey, "GET", "/vacancies/"+a.VacancyID, nil, &vac)
			if vac.Name != apptest.VacancyName {
				t.Errorf("A's vacancy is now named %q", vac.Name)
			}
			var v struct {
				OK bool `json:"ok"`
			}
			e.MustAPI(http.StatusOK, a.APIKey, "POST", "/integrations/"+a.IntegrationID+"/validate", nil, &v)
			if !v.OK {
				t.Errorf("A's integration no longer validates after B's attempts (credential overwritten?)")
			}

			// Lists hold only the caller's rows, whatever filter names the other's.
			type side struct {
				name                                  string
				key, integrationID, vacancyID, order  string
				otherIntegration, otherVacancy, other string
			}
			for _, s := range []side{
				{"A", a.APIKey, a.IntegrationID, a.VacancyID, orderA.ID, b.IntegrationID, b.VacancyID, orderB.ID},
				{"B", b.Key, b.IntegrationID, b.VacancyID, orderB.ID, a.IntegrationID, a.VacancyID, orderA.ID},
			} {
				var ins struct {
					Integrations []integrationJSON `json:"integrations"`
				}
				e.MustAPI(http.StatusOK, s.key, "GET", "/integrations", nil, &ins)
				if len(ins.Integrations) != 1 || ins.Integrations[0].ID != s.integrationID {
					t.Errorf("%s's integrations: %+v", s.name, ins.Integrations)
				}
				var vs struct {
					Vacancies []struct {
						ID string `json:"id"`
					} `json:"vacancies"`
				}
				e.MustAPI(http.StatusOK, s.key, "GET", "/vacancies", nil, &vs)
				if len(vs.Vacancies) != 1 || vs.Vacancies[0].ID != s.vacancyID {
					t.Errorf("%s's vacancies: %+v", s.name, vs.Vacancies)
				}
				for _, q := range []url.Values{
					nil,
					{"integration": {s.otherIntegration}},
					{"vacancy": {s.otherVacancy}},
					{"q": {"@"}},
					{"state": {"invited"}},
				} {
					l := listOrders(t, e, s.key, q)
					want := []string{s.order}
					if q.Has("integration") || q.Has("vacancy") {
						want = []string{}
					}
					if fmt.Sprint(l.ids()) != fmt.Sprint(want) || l.Total != len(want) {
						t.Errorf("%s's orders ?%s: %v (total %d), want %v", s.name, q.Encode(), l.ids(), l.Total, want)
					}
				}
			}

			// Raw bodies of A's lists never mention B's ids.
			for _, path := range []string{"/integrations", "/vacancies", "/orders", "/orders/" + orderA.ID} {
				var out json.RawMessage
				e.MustAPI(http.StatusOK, a.APIKey, "GET", path, nil, &out)
				for _, id := range []string{b.IntegrationID, b.VacancyID, orderB.ID, "bob@beta-candidate.example"} {
					if strings.Contains(string(out), id) {
						t.Errorf("A's GET %s mentions B's %s", path, id)
					}
				}
			}
		})
	}
}
