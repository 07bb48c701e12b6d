package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"switchboard/internal/app"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/atssim/workablesim"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// servedBase is the base URL the seeded server ran with: the URLs validate
// prints are built from it.
const servedBase = "https://switchboard.acme.example"

// partnerSeed is an integration set up in a data dir as an admin does it.
type partnerSeed struct {
	provider string
	settings map[string]string
	secrets  map[string]string
	issueKey bool
}

// seedPartner opens the app on dir as serve did (recording its base URL),
// creates an account and the integration with its settings, credentials
// and, if asked, the key the ATS calls with, and returns the integration
// and the key.
func seedPartner(t *testing.T, dir string, s partnerSeed) (core.Integration, string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, BaseURL: servedBase, AllowPrivateNetwork: true,
		AllowATSHosts: []string{"127.0.0.1"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	if err := a.RecordBaseURL(ctx); err != nil {
		t.Fatal(err)
	}
	_, admin, _, err := a.Identity.CreateAccount(ctx, "Acme Corp", "admin@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	in, err := a.Integrations.CreateIntegration(ctx, admin, s.provider, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.settings) > 0 {
		if _, err := a.Integrations.UpdateIntegration(ctx, admin, in.ID, integrations.IntegrationPatch{Settings: s.settings}); err != nil {
			t.Fatal(err)
		}
	}
	for name, v := range s.secrets {
		if err := a.Integrations.SetCredential(ctx, admin, in.ID, name, v); err != nil {
			t.Fatal(err)
		}
	}
	var key string
	if s.issueKey {
		k, err := a.Integrations.IssueInboundKey(ctx, admin, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		key = k.Key
	}
	return in, key
}

// keyLine is validate's line for an issued key: its hint, never the key.
var keyLine = regexp.MustCompile(`→ Switchboard: key sbik_\S+… issued \d{4}-\d\d-\d\dT`)

// TestValidatePartnerConnectors: validate runs each new connector's
// checklist against its simulator (real calls where the connector makes
// them), prints every line and the URLs to hand the ATS from the server's
// base URL, says whether a key was issued without showing it, and exits 1
// when a line fails.
func TestValidatePartnerConnectors(t *testing.T) {
	t.Parallel()
	wsim := workablesim.New()
	wsrv := httptest.NewServer(wsim.Handler())
	t.Cleanup(wsrv.Close)
	wsim.SetBaseURL(wsrv.URL)
	wsim.AddAccount("acme", "Acme Bakeries")
	wsim.AddMember("acme", "Robin Admin", "robin@acme.example", workable.RoleAdmin)
	fullToken := wsim.AddToken("acme", workablesim.AllScopes...)
	noReqToken := wsim.AddToken("acme", workablesim.ScopeReadJobs, workablesim.ScopeReadCandidates, workablesim.ScopeWriteCandidates)
	callback := wsim.CreateIntegration("acme")
	workableSeed := func(token string) partnerSeed {
		return partnerSeed{provider: "workable",
			settings: map[string]string{workable.SettingSubdomain: "acme", workable.SettingBaseURL: wsim.APIBase("acme")},
			secrets:  map[string]string{workable.CredentialAPIToken: token, workable.CredentialCallbackToken: callback},
			issueKey: true}
	}

	asim := ashbysim.New()
	asrv := httptest.NewServer(asim.Handler())
	t.Cleanup(asrv.Close)
	asim.AddAPIKey("ashby-full", "Switchboard", ashbysim.PermCandidatesWrite, ashbysim.PermAPIKeysRead)
	asim.AddAPIKey("ashby-readonly", "Switchboard", ashbysim.PermAPIKeysRead)
	ashbySeed := func(key string, issue bool) partnerSeed {
		return partnerSeed{provider: "ashby", settings: map[string]string{ashby.SettingBaseURL: asrv.URL},
			secrets: map[string]string{ashby.CredentialAPIKey: key}, issueKey: issue}
	}
	// Greenhouse has no API Switchboard calls: validate's checks are about
	// the key and URLs Greenhouse is given, so no simulator is needed.

	gh := servedBase + "/partners/greenhouse"
	tests := []struct {
		name     string
		seed     partnerSeed
		wantCode int
		want     []string // lines (after their indent) validate prints
		keyShown bool     // the key line with a hint
	}{
		{"workable", workableSeed(fullToken), 0, []string{
			"Provider base URL: " + servedBase + "/partners/workable",
			"✓ Workable subdomain is set",
			"✓ API access token is set",
			"✓ Workable callback token is set",
			"✓ Workable accepts the API access token and it reads jobs (r_jobs)",
			"✓ the token reads candidates (r_candidates)",
			"✓ the token reads requisitions (r_requisitions)",
			"✓ an admin member to record notes as",
		}, true},
		{"workable without r_requisitions", workableSeed(noReqToken), 1, []string{
			"✓ the token reads candidates (r_candidates)",
			"✗ the token reads requisitions (r_requisitions): ",
		}, true},
		{"greenhouse", partnerSeed{provider: "greenhouse", issueKey: true}, 0, []string{
			"List tests URL (list_tests): " + gh + greenhouse.PathListTests,
			"Send test URL (send_test): " + gh + greenhouse.PathSendTest,
			"Test status URL (test_status): " + gh + greenhouse.PathTestStatus,
			"Response error URL (response_error): " + gh + greenhouse.PathResponseError,
			"✓ a key was issued for Greenhouse",
			"✓ the key is shorter than 171 characters, as Greenhouse requires",
		}, true},
		{"greenhouse without a key", partnerSeed{provider: "greenhouse"}, 1, []string{
			"Greenhouse → Switchboard: no key issued yet",
			"✗ a key was issued for Greenhouse: generate a key",
		}, false},
		{"ashby", ashbySeed("ashby-full", true), 0, []string{
			"Partner base URL: " + servedBase + "/partners/ashby",
			"✓ a key was issued for Ashby",
			"✓ the customer's Ashby API key is set",
			"✓ Ashby accepts the API key",
			"✓ the API key may write assessments (candidatesWrite)",
		}, true},
		{"ashby with a read-only key and none issued", ashbySeed("ashby-readonly", false), 1, []string{
			"Ashby → Switchboard: no key issued yet",
			"✗ a key was issued for Ashby: ",
			"✓ Ashby accepts the API key",
			"✗ the API key may write assessments (candidatesWrite): ",
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in, key := seedPartner(t, dir, tt.seed)
			r := runCLI(t, "validate", "--data-dir", dir, "--log-level", "error", "--integration", in.ID,
				"--allow-private-network", "--allow-ats-host", "127.0.0.1")
			if r.code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d:\n%s", r.code, r.err, tt.wantCode, r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, "\n  "+w) {
					t.Errorf("validate printed:\n%s\nwant a line starting %q", r.stdout, w)
				}
			}
			if got := keyLine.MatchString(r.stdout); got != tt.keyShown {
				t.Errorf("key line shown %v, want %v:\n%s", got, tt.keyShown, r.stdout)
			}
			if key != "" && strings.Contains(r.stdout, key) {
				t.Errorf("validate printed the issued key:\n%s", r.stdout)
			}
			t.Logf("validate printed:\n%s", r.stdout)
		})
	}
}
