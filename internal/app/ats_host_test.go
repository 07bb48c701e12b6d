package app_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
	sr "switchboard/internal/ats/smartrecruiters"
)

// listener is a server an admin points an integration at: it records every
// request's headers and body so a test can tell whether a secret reached it.
type listener struct {
	*httptest.Server
	mu  sync.Mutex
	got []string
}

func newListener(t *testing.T) *listener { return newListenerAt(t, "127.0.0.1:0") }

// newListenerAt is a listener on addr, e.g. another loopback address than
// the simulators'.
func newListenerAt(t *testing.T, addr string) *listener {
	t.Helper()
	nl, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	l := &listener{}
	l.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		_ = r.Header.Write(&b)
		_ = r.ParseForm()
		b.WriteString(r.Form.Encode())
		l.mu.Lock()
		l.got = append(l.got, b.String())
		l.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"data":[]}`))
	}))
	l.Listener.Close()
	l.Listener = nl
	l.Start()
	t.Cleanup(l.Close)
	return l
}

// URL on another host name than the simulators' 127.0.0.1 (both allowed in
// apptest, as an operator's --allow-ats-host would).
func (l *listener) otherHost() string {
	return strings.Replace(l.URL, "127.0.0.1", "localhost", 1)
}

func (l *listener) requests() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.got)
}

func (l *listener) saw(secret string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.got, func(s string) bool { return strings.Contains(s, secret) })
}

type hostChange struct {
	Status      string `json:"status"`
	Credentials []struct {
		Name string `json:"name"`
		Set  bool   `json:"set"`
	} `json:"credentials"`
	Cleared []string `json:"credentials_cleared"`
}

// check: the answer to a host change says the integration is disabled and
// which credentials were cleared, and shows none as set.
func (h hostChange) check(t *testing.T, cleared ...string) {
	t.Helper()
	if h.Status != "disabled" {
		t.Errorf("status after the host changed: %q, want disabled", h.Status)
	}
	for _, want := range cleared {
		if !slices.Contains(h.Cleared, want) {
			t.Errorf("credentials_cleared %v lacks %s", h.Cleared, want)
		}
	}
	for _, c := range h.Credentials {
		if c.Set {
			t.Errorf("credential %s still set after the host changed", c.Name)
		}
	}
}

// TestMovingTheATSHostClearsCredentials: a super admin who points an
// integration's API base URL at a server of their own gets none of the
// stored credentials there, on the change or on the next validate or enable;
// the answer says which were cleared and that the integration is disabled.
func TestMovingTheATSHostClearsCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		provider, path string // path: after the host, in the new base URL
		// setup returns the admin's key, the integration and the stored
		// secrets that must not reach the new host.
		setup   func(e *apptest.Env) (key, id string, secrets []string)
		cleared []string
	}{
		{"lever", "/v1", func(e *apptest.Env) (string, string, []string) {
			f := e.SetupLever(apptest.LeverOptions{})
			return f.APIKey, f.IntegrationID, []string{apptest.LeverAPIKey}
		}, []string{lever.CredentialAPIKey, lever.CredentialStageChangeToken}},
		{"smartrecruiters", "", func(e *apptest.Env) (string, string, []string) {
			f := e.SetupSmartRecruiters(apptest.SROptions{})
			return f.APIKey, f.IntegrationID, []string{apptest.SRPartnerClientSecret, f.CompanyClientID()}
		}, []string{sr.CredentialPartnerClientID, sr.CredentialPartnerClientSecret, sr.CredentialCompanyClient}},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			t.Parallel()
			e := apptest.New(t, apptest.Options{})
			key, id, secrets := tc.setup(e)
			l := newListener(t)
			in := "/integrations/" + id

			var out hostChange
			e.MustAPI(http.StatusOK, key, "PATCH", in, map[string]any{"settings": map[string]string{"base_url": l.otherHost() + tc.path}}, &out)
			out.check(t, tc.cleared...)
			for _, action := range []string{"/validate", "/enable", "/connection-token"} {
				e.API(key, "POST", in+action, nil, nil)
			}
			for _, secret := range secrets {
				if l.saw(secret) {
					t.Fatalf("a stored credential (%s…) reached the new host", secret[:4])
				}
			}

			// Another port of the same host is the same owner: nothing is cleared.
			e.MustAPI(http.StatusOK, key, "PUT", in+"/credentials/"+tc.cleared[0], map[string]string{"value": "again"}, nil)
			out = hostChange{}
			e.MustAPI(http.StatusOK, key, "PATCH", in, map[string]any{"settings": map[string]string{"base_url": "http://localhost:1" + tc.path}}, &out)
			if len(out.Cleared) != 0 {
				t.Errorf("a port change cleared %v", out.Cleared)
			}
		})
	}
}

// TestATSHostMustBeTheATSsOwn: a base URL naming neither the ATS's own hosts
// nor one the operator allowed is refused with a field error, and nothing
// changes.
func TestATSHostMustBeTheATSsOwn(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	in := "/integrations/" + f.IntegrationID
	for _, tc := range []struct{ url, want string }{
		{"https://listener.example/v1", "--allow-ats-host"},
		{"https://api.lever.co.listener.example/v1", "--allow-ats-host"},
		{"http://api.lever.co/v1", "https"},
		{"ftp://api.lever.co/v1", "http(s)"},
		{"https://user:pw@api.lever.co/v1", "http(s)"},
		{"not a url", "http(s)"},
	} {
		var body struct {
			Fields map[string]string `json:"fields"`
		}
		e.MustAPI(http.StatusUnprocessableEntity, f.APIKey, "PATCH", in, map[string]any{"settings": map[string]string{lever.SettingBaseURL: tc.url}}, &body)
		if p := body.Fields["settings."+lever.SettingBaseURL]; !strings.Contains(p, tc.want) {
			t.Errorf("%s: field problem %q, want it to mention %q", tc.url, p, tc.want)
		}
	}
	var after hostChange
	e.MustAPI(http.StatusOK, f.APIKey, "GET", in, nil, &after)
	if after.Status != "enabled" {
		t.Errorf("status %q after refused changes, want enabled", after.Status)
	}
	for _, c := range after.Credentials {
		if c.Name == lever.CredentialAPIKey && !c.Set {
			t.Error("a refused change cleared the API key")
		}
	}
}

// TestValidateRefusesAStoredForeignHost: an integration whose stored base URL
// names a host that is not (or no longer) allowed — saved before hosts were
// checked, or the operator dropped --allow-ats-host — fails validation
// before the connector calls anything, so enabling it sends nothing there.
func TestValidateRefusesAStoredForeignHost(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := t.Context()
	in, err := e.App.Store.GetIntegration(ctx, f.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	in.Settings[lever.SettingBaseURL] = "http://127.0.0.2:8080/v1" // loopback, but not allowed
	if err := e.App.Store.UpdateIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	var out struct {
		OK     bool        `json:"ok"`
		Checks []ats.Check `json:"checks"`
	}
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/validate", nil, &out)
	refused := slices.ContainsFunc(out.Checks, func(c ats.Check) bool { return !c.OK && strings.Contains(c.Problem, "--allow-ats-host") })
	called := slices.ContainsFunc(out.Checks, func(c ats.Check) bool { return c.Name == "Lever accepts the API key" })
	if out.OK || !refused || called {
		t.Fatalf("validate with a foreign stored host: %+v", out)
	}
}

// TestCallsRefuseAStoredForeignHost: an enabled integration whose stored API
// URL names a host that is not allowed (stored before hosts were checked, or
// the operator dropped --allow-ats-host) sends that host nothing on any
// call: the expiry write-back gives up with "fix configuration" and a line
// that says why, and a webhook is stored but its processing fails the same
// way.
func TestCallsRefuseAStoredForeignHost(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := context.Background()
	invited(t, e, f, "Ada Lovelace", "ada@example.com")

	l := newListenerAt(t, "127.0.0.2:0") // loopback, but not allowed
	in, err := e.App.Store.GetIntegration(ctx, f.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	in.Settings[lever.SettingBaseURL] = l.URL + "/v1"
	if err := e.App.Store.UpdateIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}

	// The expiry's write-back.
	e.Clock.Advance(7*24*time.Hour + time.Minute)
	if n, err := e.App.Engine.ExpireDue(ctx); n != 1 || err != nil {
		t.Fatalf("expire due: %d, %v", n, err)
	}
	e.WaitIdle()
	d := onlyOrder(t, e, f)
	failed := d.entries("job_failed", "gave up")
	if d.Order.State != "expired" || len(failed) != 1 || failed[0].Detail["verdict"] != "fix configuration" ||
		!strings.Contains(failed[0].Message, "--allow-ats-host") || failed[0].Detail["job_id"] == "" {
		t.Errorf("expired order's timeline, want one failed write-back saying why:%s", d.dump())
	}
	if n := len(d.entries("write_back", "Lever told: expired")); n != 0 {
		t.Errorf("the expiry was written back %d times:%s", n, d.dump())
	}

	// A new trigger: the delivery is taken, its processing calls nothing.
	e.LeverToTrigger(f, "Grace Hopper", "grace@example.com")
	e.WaitIdle()
	var view struct {
		InboundFailures []struct {
			Failure string `json:"failure"`
		} `json:"inbound_failures"`
	}
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &view)
	if len(view.InboundFailures) != 1 || !strings.Contains(view.InboundFailures[0].Failure, "fix the integration's configuration") ||
		!strings.Contains(view.InboundFailures[0].Failure, "--allow-ats-host") {
		t.Errorf("inbound failures %+v, want the refused host", view.InboundFailures)
	}
	if n := l.requests(); n != 0 {
		t.Errorf("the foreign host got %d requests, each with the API key", n)
	}
}
