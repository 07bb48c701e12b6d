package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
)

// TestSRConnect covers the marketplace connection: Switchboard's endpoints
// are registered when a token is generated; an expired token, a token for
// another company and a reused token each get a page saying so and change
// nothing; a valid one exchanges credentials both ways, enables the
// integration and sends the admin back to SmartRecruiters.
func TestSRConnect(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupSmartRecruiters(apptest.SROptions{NoConnect: true})
		ctx := context.Background()

		// Not connected yet: enabling is refused, saying why.
		var refusal struct {
			Checks []struct {
				Name    string `json:"name"`
				OK      bool   `json:"ok"`
				Problem string `json:"problem"`
			} `json:"checks"`
		}
		e.MustAPI(http.StatusUnprocessableEntity, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, &refusal)
		var saw bool
		for _, c := range refusal.Checks {
			if strings.HasPrefix(c.Name, "connected to SmartRecruiters company") && !c.OK && strings.Contains(c.Problem, "connection token") {
				saw = true
			}
		}
		if !saw {
			t.Fatalf("enable before connecting: %+v", refusal.Checks)
		}

		// An expired token.
		expired := f.Token()
		if expired.Validity != 30*time.Minute || !expired.ExpiresAt.Equal(e.Clock.Now().UTC().Truncate(time.Microsecond).Add(30*time.Minute)) {
			t.Errorf("token valid %s until %s", expired.Validity, expired.ExpiresAt)
		}
		base := e.URL + "/partners/smartrecruiters"
		cfg, ok := f.Sim.PartnerConfiguration()
		if !ok || cfg.ConsentURL != base+"/integration" || cfg.OAuthTokenURL != base+"/oauth/token" ||
			cfg.PackageOrderURL != base+"/packages/orders" || cfg.InlineAssessmentPackageOrderURL != base+"/packages/inline/orders" ||
			cfg.IntegrationDisableURL != base+"/integrations/companies/{companyId}" || cfg.ConsentDisplayMode != sr.ConsentRedirect {
			t.Fatalf("partner configuration %+v", cfg)
		}
		e.Clock.Advance(31 * time.Minute)
		res := f.Connect(f.Company.ID, expired.Token)
		if res.Status != http.StatusGone || !strings.Contains(res.Body, "expired") || !strings.Contains(res.Body, `name="token"`) {
			t.Fatalf("expired token: %d\n%s", res.Status, res.Body)
		}
		if c, _ := f.Sim.Connection(f.Company.ID); c.Integrated {
			t.Fatal("an expired token exchanged credentials")
		}

		// A token for this integration, used by another company.
		other := f.Sim.AddCompany("Other Beans")
		res = f.Connect(other.ID, f.Token().Token)
		if res.Status != http.StatusForbidden || !strings.Contains(res.Body, "generated for SmartRecruiters company") {
			t.Fatalf("token of another company: %d\n%s", res.Status, res.Body)
		}
		if c, _ := f.Sim.Connection(other.ID); c.Integrated {
			t.Fatal("another company got connected")
		}
		// A mistyped token.
		res = f.Connect(f.Company.ID, "sbct_nonsense")
		if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "not a valid connection token") {
			t.Fatalf("bad token: %d\n%s", res.Status, res.Body)
		}
		if in := srGetIntegration(e, f); in.Status != "draft" {
			t.Fatalf("after refusals the integration is %s", in.Status)
		}

		// A valid one.
		tok := f.Token()
		res = f.Connect(f.Company.ID, tok.Token)
		if res.Status != http.StatusOK || !strings.HasPrefix(res.FinalURL, f.URL+"/marketplace/") {
			t.Fatalf("valid token: %d at %s\n%s", res.Status, res.FinalURL, res.Body)
		}
		c, _ := f.Sim.Connection(f.Company.ID)
		if !c.Integrated || !c.Returned || !strings.HasPrefix(c.PartnerClientID, "sbpc_") {
			t.Fatalf("SmartRecruiters' side: %+v", c)
		}
		if in := srGetIntegration(e, f); in.Status != "enabled" {
			t.Fatalf("after connecting the integration is %s", in.Status)
		}
		pc, err := e.App.Integrations.PartnerConnection(ctx, f.Admin, f.IntegrationID)
		if err != nil || !pc.Connected || !pc.TokenUsed || pc.ClientID != c.PartnerClientID {
			t.Fatalf("connection view %+v, %v", pc, err)
		}
		// Nothing secret leaks into the admin API or the log.
		var raw map[string]any
		e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &raw)
		for _, s := range []string{tok.Token, apptest.SRPartnerClientSecret} {
			if strings.Contains(e.Log(), s) || strings.Contains(mustJSONString(t, raw), s) {
				t.Errorf("a secret leaked: %.12s…", s)
			}
		}

		// The same token again, after the customer disconnected: refused.
		if err := f.Sim.Disconnect(ctx, f.Company.ID); err != nil {
			t.Fatalf("disconnect: %v", err)
		}
		res = f.Connect(f.Company.ID, tok.Token)
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "already used") {
			t.Fatalf("reused token: %d\n%s", res.Status, res.Body)
		}
		if c, _ := f.Sim.Connection(f.Company.ID); c.Integrated {
			t.Fatal("a reused token exchanged credentials")
		}
		// A new token connects again.
		if res = f.Connect(f.Company.ID, f.Token().Token); res.Status != http.StatusOK {
			t.Fatalf("reconnect: %d\n%s", res.Status, res.Body)
		}
		if in := srGetIntegration(e, f); in.Status != "enabled" {
			t.Fatalf("after reconnecting the integration is %s", in.Status)
		}
	})
}

// TestSRPackages: SmartRecruiters lists the account's vacancies as
// packages; the one whose name says "inline" is an inline package.
func TestSRPackages(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	ps, err := f.Sim.ListPackages(ctx, f.Company.ID)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]sr.AssessmentType{}
	for _, p := range ps {
		types[p.Name] = p.Type
		if string(p.ID) != f.VacancyIDs[p.Name] || len(p.Assessments) == 0 {
			t.Errorf("package %+v", p)
		}
	}
	want := map[string]sr.AssessmentType{
		apptest.SRVacancyName: sr.TypeSkillTest, apptest.SRSecondVacancyName: sr.TypeSkillTest,
		apptest.SRInlineVacancyName: sr.TypeInlineAssessment,
	}
	if len(types) != len(want) {
		t.Fatalf("packages %v, want %v", types, want)
	}
	for name, typ := range want {
		if types[name] != typ {
			t.Errorf("%s is %s, want %s", name, types[name], typ)
		}
	}
	p, err := f.Sim.GetPackage(ctx, f.Company.ID, f.VacancyIDs[apptest.SRInlineVacancyName])
	if err != nil || p.Type != sr.TypeInlineAssessment {
		t.Errorf("single package: %+v %v", p, err)
	}
	if _, err := f.Sim.GetPackage(ctx, f.Company.ID, "vac_unknown"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown package: %v", err)
	}
	// The inline flag makes a package inline too.
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/vacancies/"+f.VacancyIDs[apptest.SRSecondVacancyName], map[string]any{"inline": true}, nil)
	if p, err := f.Sim.GetPackage(ctx, f.Company.ID, f.VacancyIDs[apptest.SRSecondVacancyName]); err != nil || p.Type != sr.TypeInlineAssessment {
		t.Errorf("flagged inline: %+v %v", p, err)
	}
}

func mustJSONString(t *testing.T, v any) string { return string(mustJSON(t, v)) }
