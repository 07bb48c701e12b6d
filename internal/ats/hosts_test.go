package ats_test

import (
	"strings"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
	sr "switchboard/internal/ats/smartrecruiters"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	f := ats.Field{Key: "base_url", Hosts: []string{"api.ats.example", "api.sandbox.ats.example"}}
	allowed, err := ats.ParseAllowedHosts([]string{"127.0.0.1", " Sim.Internal:8443 ", ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		want string // "" when accepted, else a part of the problem
	}{
		{"https://api.ats.example/v1", ""},
		{"https://API.Sandbox.ATS.example/v1", ""},
		{"https://api.ats.example:443/v1", ""},
		{"http://api.ats.example/v1", "over https"},
		{"https://api.ats.example.evil.example/v1", "--allow-ats-host"},
		{"https://evil.example/api.ats.example", "--allow-ats-host"},
		{"https://user:pw@api.ats.example/v1", "not an http(s) URL"},
		{"ftp://api.ats.example/v1", "not an http(s) URL"},
		{"/v1", "not an http(s) URL"},
		{"http://127.0.0.1:5000/v1", ""},    // operator: any port
		{"http://sim.internal:8443/v1", ""}, // operator: this port
		{"http://sim.internal:8444/v1", "--allow-ats-host"},
		{"http://127.0.0.2/v1", "--allow-ats-host"},
	} {
		got := allowed.CheckURL("ATS", f, tc.url)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("CheckURL(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
	if got := (ats.AllowedHosts{}).CheckURL("ATS", f, "http://127.0.0.1/v1"); got == "" {
		t.Error("loopback accepted without the operator allowing it")
	}
}

func TestCheckURLWildcard(t *testing.T) {
	t.Parallel()
	f := ats.Field{Key: "base_url", Hosts: []string{"*.ats.example"}}
	for _, tc := range []struct {
		url  string
		want string
	}{
		{"https://acme.ats.example/spi/v3", ""},
		{"https://Acme.EU.ats.example/spi/v3", ""},
		{"https://ats.example/spi/v3", "--allow-ats-host"},
		{"https://acme.ats.example.evil.example/", "--allow-ats-host"},
		{"https://evilats.example/", "--allow-ats-host"},
		{"http://acme.ats.example/spi/v3", "over https"},
	} {
		got := (ats.AllowedHosts{}).CheckURL("ATS", f, tc.url)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("CheckURL(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestParseAllowedHostsRefusesURLs(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"https://sim.internal", "sim.internal/v1", "user@sim", "sim:", ":8080"} {
		if _, err := ats.ParseAllowedHosts([]string{bad}); err == nil {
			t.Errorf("ParseAllowedHosts(%q) accepted", bad)
		}
	}
}

// TestConnectorsAcceptTheirDefaults: each connector's default API URL names
// one of the hosts it declares, so a new integration needs no operator flag.
func TestConnectorsAcceptTheirDefaults(t *testing.T) {
	t.Parallel()
	for _, c := range []ats.Connector{lever.NewConnector(lever.ConnectorOptions{}), sr.NewConnector(sr.ConnectorOptions{})} {
		n := 0
		for _, f := range c.Describe().Settings {
			if len(f.Hosts) == 0 {
				continue
			}
			n++
			if p := (ats.AllowedHosts{}).CheckURL(c.Describe().Name, f, f.Default); p != "" {
				t.Errorf("%s %s default %q: %s", c.Provider(), f.Key, f.Default, p)
			}
		}
		if n == 0 {
			t.Errorf("%s declares no API hosts", c.Provider())
		}
	}
	sandbox := lever.NewConnector(lever.ConnectorOptions{}).Describe().Settings
	for _, f := range sandbox {
		if f.Key == lever.SettingBaseURL {
			if p := (ats.AllowedHosts{}).CheckURL("Lever", f, lever.SandboxBaseURL); p != "" {
				t.Errorf("Lever sandbox: %s", p)
			}
		}
	}
}

func TestCheckSettings(t *testing.T) {
	t.Parallel()
	fields := []ats.Field{
		{Key: "base_url", Label: "API URL", Default: "https://api.acme.example", Hosts: []string{"api.acme.example"}},
		{Key: "override", Label: "Override", Hosts: []string{"api.acme.example"}},
		{Key: "subdomain", Label: "Subdomain"},
	}
	var none ats.AllowedHosts
	if cs := none.CheckSettings("Acme", fields, map[string]string{}); len(cs) != 1 || !cs[0].OK {
		t.Errorf("defaults only: %+v, want the default checked and passing, the unset override skipped", cs)
	}
	cs := none.CheckSettings("Acme", fields, map[string]string{"base_url": "https://evil.example", "override": "https://api.acme.example/x"})
	if len(cs) != 2 || cs[0].OK || cs[0].Problem == "" || !cs[1].OK {
		t.Errorf("a foreign host: %+v, want base_url refused and override allowed", cs)
	}
}
