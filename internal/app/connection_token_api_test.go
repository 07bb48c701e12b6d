package app_test

import (
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
)

// TestConnectionTokenAPI: only super admins generate connection tokens, and
// only for ATSs that connect from their side; the token is shown once and
// never cached.
func TestConnectionTokenAPI(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{NoConnect: true})

	var user struct {
		APIKey string `json:"api_key"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/users", map[string]string{"email": "ann@acmecoffee.example", "role": "admin"}, &user)
	if got := e.API(user.APIKey, "POST", "/integrations/"+f.IntegrationID+"/connection-token", nil, nil); got != http.StatusForbidden {
		t.Errorf("an admin generating a connection token: %d, want 403", got)
	}

	first, second := f.Token(), f.Token()
	if first.Token == "" || first.Token == second.Token {
		t.Fatalf("tokens %q and %q: want two different, non-empty tokens", first.Token, second.Token)
	}
	// A new token replaces the previous one.
	if res := f.Connect(f.Company.ID, first.Token); res.Status < 400 || f.CompanyClientID() != "" {
		t.Fatalf("the replaced token still connected: %d %s", res.Status, res.FinalURL)
	}

	lever := e.SetupLever(apptest.LeverOptions{})
	var body struct {
		Error string `json:"error"`
	}
	if got := e.API(lever.APIKey, "POST", "/integrations/"+lever.IntegrationID+"/connection-token", nil, &body); got != http.StatusUnprocessableEntity {
		t.Errorf("a connection token for Lever: %d %q, want 422", got, body.Error)
	}
}

// TestMetricsEndpoint: an operator scraping /metrics with the token sees
// webhooks, jobs and ATS calls by outcome, the calls by provider (a host is
// a tenant's choice and would grow the series without bound).
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	opp, _, err := e.Lever.CreateOpportunity(t.Context(), "Ada Lovelace", "ada@example.com", f.PostingID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Lever.MoveStage(t.Context(), opp.ID, f.TriggerStage); err != nil {
		t.Fatal(err)
	}
	e.WaitIdle()
	if resp, _ := e.Get(e.URL + "/metrics"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/metrics without the token: %d, want 401", resp.StatusCode)
	}
	code, body := scrapeMetrics(t, e.URL, apptest.MetricsToken)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`switchboard_webhooks_total{outcome="accepted",provider="lever"} 1`,
		`switchboard_jobs_total{kind="write_back",outcome="done"}`,
		`switchboard_jobs_total{kind="send_invitation",outcome="done"} 1`,
		`switchboard_ats_request_duration_seconds_count{code="200",provider="lever"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if host := strings.TrimPrefix(strings.TrimSuffix(e.LeverURL, "/v1"), "http://"); strings.Contains(body, host) {
		t.Errorf("/metrics names the ATS host %s", host)
	}
}
