package integrations

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store/sqlite"
)

// fakePartner is a partner connector of one inbound kind; RegisterPartner
// keeps the PartnerCore the integrations service hands it, as a real
// connector's handlers would use it.
type fakePartner struct {
	provider string
	auth     ats.InboundAuth
	multiple bool
	pc       ats.PartnerCore
}

func (f *fakePartner) Provider() string { return f.provider }
func (f *fakePartner) Describe() ats.Description {
	return ats.Description{Name: strings.ToUpper(f.provider[:1]) + f.provider[1:], Patterns: []core.Pattern{core.PatternAdHoc},
		Results: ats.ResultsPulled, Multiple: f.multiple}
}
func (f *fakePartner) Validate(context.Context, ats.Config) []ats.Check { return nil }
func (f *fakePartner) WriteBack(context.Context, ats.Config, ats.Update, ats.Steps) error {
	return errors.New("a pulled-results connector is never written back to")
}
func (f *fakePartner) RegisterPartner(_ *http.ServeMux, _ string, pc ats.PartnerCore) { f.pc = pc }
func (f *fakePartner) InboundAuth() ats.InboundAuth                                   { return f.auth }

// keyWorld is an integrations service over a fresh SQLite store with a
// bearer partner ("workable", Multiple) and a Basic one ("greenhouse").
type keyWorld struct {
	s                 *Service
	bearer, basic     *fakePartner
	admin             core.User
	now               time.Time
	bearerIn, basicIn core.Integration
	bearer2In         core.Integration // a second bearer integration of the account
}

func newKeyWorld(t *testing.T) *keyWorld {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.OpenPath(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	w := &keyWorld{
		bearer: &fakePartner{provider: "workable", auth: ats.InboundBearer, multiple: true},
		basic:  &fakePartner{provider: "greenhouse", auth: ats.InboundBasic},
		now:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	w.s, err = New(Deps{Store: st, Connectors: ats.NewRegistry(w.bearer, w.basic), Keyring: kr, HTTPClient: http.DefaultClient,
		BaseURL: "https://sb.example/", Now: func() time.Time { return w.now }})
	if err != nil {
		t.Fatal(err)
	}
	w.s.RegisterPartnerEndpoints(http.NewServeMux(), &recordingOrders{})
	acc := core.Account{ID: core.NewID("acc"), Name: "Acme", CreatedAt: w.now}
	if err := st.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	w.admin = core.User{ID: core.NewID("usr"), AccountID: acc.ID, Role: core.RoleSuperAdmin}
	create := func(provider, name string) core.Integration {
		t.Helper()
		in, err := w.s.CreateIntegration(ctx, w.admin, provider, name)
		if err != nil {
			t.Fatalf("create %s integration %q: %v", provider, name, err)
		}
		return in
	}
	w.bearerIn, w.bearer2In, w.basicIn = create("workable", "acme"), create("workable", "acme-eu"), create("greenhouse", "")
	return w
}

func (w *keyWorld) issue(t *testing.T, in core.Integration) InboundKey {
	t.Helper()
	k, err := w.s.IssueInboundKey(t.Context(), w.admin, in.ID)
	if err != nil {
		t.Fatalf("issue key for %s: %v", in.Name, err)
	}
	return k
}

func bearerHeader(key string) http.Header { return http.Header{"Authorization": {"Bearer " + key}} }
func basicHeader(user, pass string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}}
}

// TestInboundKeyAuth: the key Switchboard issued authenticates its own
// integration, sent as its connector's kind says; every other credential is
// a 401 and names no integration.
func TestInboundKeyAuth(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	rotatedAway := w.issue(t, w.bearerIn)
	w.now = w.now.Add(time.Minute)
	bearerKey := w.issue(t, w.bearerIn)
	otherBearer := w.issue(t, w.bearer2In)
	basicKey := w.issue(t, w.basicIn)
	if bearerKey.Auth != ats.InboundBearer || basicKey.Auth != ats.InboundBasic ||
		bearerKey.EndpointBase != "https://sb.example/partners/workable" || !bearerKey.IssuedAt.Equal(w.now) {
		t.Fatalf("issued keys: %+v, %+v", bearerKey, basicKey)
	}
	if bearerKey.Key == rotatedAway.Key || !strings.HasPrefix(bearerKey.Key, prefixInboundKey) || len(bearerKey.Key) < 40 {
		t.Fatalf("rotated key %q is not a new long key", bearerKey.Key)
	}

	for _, tc := range []struct {
		name   string
		core   ats.PartnerCore
		header http.Header
		want   string // the integration authenticated; "" for a 401
	}{
		{"bearer: the right key", w.bearer.pc, bearerHeader(bearerKey.Key), w.bearerIn.ID},
		{"bearer: lower-case scheme", w.bearer.pc, http.Header{"Authorization": {"bearer " + bearerKey.Key}}, w.bearerIn.ID},
		{"bearer: the second integration's own key", w.bearer.pc, bearerHeader(otherBearer.Key), w.bearer2In.ID},
		{"bearer: no header", w.bearer.pc, http.Header{}, ""},
		{"bearer: empty bearer", w.bearer.pc, http.Header{"Authorization": {"Bearer "}}, ""},
		{"bearer: wrong key", w.bearer.pc, bearerHeader(bearerKey.Key[:len(bearerKey.Key)-1] + "x"), ""},
		{"bearer: garbage", w.bearer.pc, bearerHeader("not-a-key"), ""},
		{"bearer: rotated away", w.bearer.pc, bearerHeader(rotatedAway.Key), ""},
		{"bearer: another provider's key", w.bearer.pc, bearerHeader(basicKey.Key), ""},
		{"bearer: sent as Basic", w.bearer.pc, basicHeader(bearerKey.Key, ""), ""},
		{"bearer: another integration's key with this one's id", w.bearer.pc,
			bearerHeader(prefixInboundKey + idPart(w.bearerIn.ID) + "_" + strings.SplitN(strings.TrimPrefix(otherBearer.Key, prefixInboundKey), "_", 2)[1]), ""},
		{"basic: the right key, empty password", w.basic.pc, basicHeader(basicKey.Key, ""), w.basicIn.ID},
		{"basic: no header", w.basic.pc, http.Header{}, ""},
		{"basic: a non-empty password", w.basic.pc, basicHeader(basicKey.Key, "x"), ""},
		{"basic: wrong key", w.basic.pc, basicHeader(basicKey.Key+"x", ""), ""},
		{"basic: empty user", w.basic.pc, basicHeader("", ""), ""},
		{"basic: another provider's key", w.basic.pc, basicHeader(bearerKey.Key, ""), ""},
		{"basic: the key as a bearer", w.basic.pc, bearerHeader(basicKey.Key), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := tc.core.Authenticate(t.Context(), tc.header)
			if tc.want != "" {
				if err != nil || cfg.Integration.ID != tc.want {
					t.Fatalf("authenticated %q, %v; want %s", cfg.Integration.ID, err, tc.want)
				}
				return
			}
			var ie *ats.InboundError
			if !errors.As(err, &ie) || ie.Status != http.StatusUnauthorized {
				t.Fatalf("got %+v, %v; want a 401", cfg.Integration, err)
			}
			if cfg.Integration.ID != "" {
				t.Fatalf("a refused call names integration %s", cfg.Integration.ID)
			}
		})
	}
}

// TestInboundKeyView: the integration shows the key's hint and issue time,
// never the key; the issued key reaches its own connector's config only; a
// connector that is given no key refuses to issue one; validation lists
// the key.
func TestInboundKeyView(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newKeyWorld(t)
	checkKey := func(in core.Integration) ats.Check {
		t.Helper()
		checks, err := w.s.ValidateIntegration(ctx, w.admin, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			if c.Name == "a key was issued for Workable" {
				return c
			}
		}
		t.Fatalf("no key check in %+v", checks)
		return ats.Check{}
	}
	if c := checkKey(w.bearerIn); c.OK || !strings.Contains(c.Problem, "Workable → Switchboard") {
		t.Fatalf("key check before a key was issued: %+v", c)
	}
	v, err := w.s.Integration(ctx, w.admin, w.bearerIn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Inbound == nil || v.Inbound.Connected || v.Inbound.Auth != ats.InboundBearer || v.Inbound.EndpointBase != "https://sb.example/partners/workable" {
		t.Fatalf("inbound before a key: %+v", v.Inbound)
	}
	k := w.issue(t, w.bearerIn)
	if c := checkKey(w.bearerIn); !c.OK {
		t.Fatalf("key check after a key was issued: %+v", c)
	}
	v, err = w.s.Integration(ctx, w.admin, w.bearerIn.ID)
	if err != nil {
		t.Fatal(err)
	}
	pc := v.Inbound
	if pc == nil || !pc.Connected || !pc.ConnectedAt.Equal(w.now) || !strings.HasSuffix(pc.KeyHint, "…") ||
		!strings.HasPrefix(k.Key, strings.TrimSuffix(pc.KeyHint, "…")) || len(pc.KeyHint) > len(k.Key)/2 {
		t.Fatalf("inbound after a key: %+v (key %q)", pc, k.Key)
	}
	_, cfg, err := w.s.ConnectorConfig(ctx, w.s.d.Store, w.bearerIn)
	if err != nil || cfg.IssuedKey != k.Key || len(cfg.Secrets) != 0 {
		t.Fatalf("connector config: issued %q, secrets %v, %v", cfg.IssuedKey, cfg.Secrets, err)
	}
	if _, cfg, err = w.s.ConnectorConfig(ctx, w.s.d.Store, w.bearer2In); err != nil || cfg.IssuedKey != "" {
		t.Fatalf("the other integration's config has key %q, %v", cfg.IssuedKey, err)
	}
	for _, u := range []core.User{{AccountID: w.admin.AccountID, Role: core.RoleAdmin}, {AccountID: "acc_other", Role: core.RoleSuperAdmin}} {
		if _, err := w.s.IssueInboundKey(ctx, u, w.bearerIn.ID); err == nil {
			t.Errorf("%s of account %s issued a key", u.Role, u.AccountID)
		}
	}
}

// TestSeveralIntegrationsOfOneATS: a second integration of one ATS only
// where the connector declares Multiple, and then under its own name.
func TestSeveralIntegrationsOfOneATS(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newKeyWorld(t)
	conflict := func(err error, says string) {
		t.Helper()
		var pe *core.PublicError
		if !errors.Is(err, core.ErrConflict) || !errors.As(err, &pe) || !strings.Contains(pe.Public, says) {
			t.Fatalf("got %v; want a conflict saying …%s…", err, says)
		}
	}
	_, err := w.s.CreateIntegration(ctx, w.admin, "greenhouse", "another")
	conflict(err, "your account already has a Greenhouse integration: an account has one integration per ATS")
	_, err = w.s.CreateIntegration(ctx, w.admin, "workable", "ACME")
	conflict(err, `already has a Workable integration named "acme": give each Workable integration its own name`)
	_, err = w.s.CreateIntegration(ctx, w.admin, "workable", "")
	if err != nil {
		t.Fatalf("a third Workable integration under the default name: %v", err)
	}
	name := "Acme"
	_, err = w.s.UpdateIntegration(ctx, w.admin, w.bearer2In.ID, IntegrationPatch{Name: &name})
	conflict(err, `already has a Workable integration named "acme": give each Workable integration its own name`)
	name = "acme (keeps its name, new case)"
	if _, err := w.s.UpdateIntegration(ctx, w.admin, w.bearerIn.ID, IntegrationPatch{Name: &name}); err != nil {
		t.Fatalf("rename: %v", err)
	}
}

// TestSealedCallback: a callback opens for the integration it was sealed
// for only, and empty stays empty.
func TestSealedCallback(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	cb := ats.Callback{URL: "https://acme.workable.com/spi/v3/callback/1", Token: "wk-token"}
	sealed, err := w.s.SealCallback(w.bearerIn.ID, cb)
	if err != nil || len(sealed) == 0 || strings.Contains(string(sealed), "wk-token") || strings.Contains(string(sealed), "workable.com") {
		t.Fatalf("sealed %q, %v", sealed, err)
	}
	if got, err := w.s.OpenCallback(w.bearerIn.ID, sealed); err != nil || got != cb {
		t.Fatalf("opened %+v, %v", got, err)
	}
	if _, err := w.s.OpenCallback(w.bearer2In.ID, sealed); err == nil {
		t.Fatal("another integration opened the callback")
	}
	if s, err := w.s.SealCallback(w.bearerIn.ID, ats.Callback{}); s != nil || err != nil {
		t.Fatalf("empty callback sealed to %q, %v", s, err)
	}
	if got, err := w.s.OpenCallback(w.bearerIn.ID, nil); got != (ats.Callback{}) || err != nil {
		t.Fatalf("nil opened to %+v, %v", got, err)
	}
}
