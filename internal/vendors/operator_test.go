package vendors

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/stdwebhook"
	"switchboard/internal/store"
	"switchboard/internal/vendorapi/wire"
)

func asValidation(err error) (*core.ValidationError, bool) {
	var inv *core.ValidationError
	return inv, errors.As(err, &inv)
}

func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		e.vendor("Acme Checks", core.KindBackgroundCheck)
		tests := []struct {
			name, vendor string
			kind         core.Kind
			want         map[string]string
		}{
			{"no name", "  ", core.KindAssessment, map[string]string{"name": "is required"}},
			{"long name", strings.Repeat("x", MaxNameLength+1), core.KindAssessment, map[string]string{"name": "is longer than 200 characters"}},
			{"bad kind", "Globex", "survey", map[string]string{"kind": "must be assessment or background_check"}},
			{"taken name, other case", "acme checks", core.KindAssessment, map[string]string{"name": "another vendor has this name: choose another"}},
		}
		for _, tt := range tests {
			_, _, err := e.svc.Create(e.ctx, tt.vendor, tt.kind)
			if got := fieldsOf(t, err); !maps.Equal(got, tt.want) {
				t.Errorf("%s: fields %v, want %v", tt.name, got, tt.want)
			}
		}
		vs, err := e.svc.List(e.ctx)
		if err != nil || len(vs) != 1 {
			t.Fatalf("List = %v, %v; want only Acme Checks: bad input must create nothing", vs, err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		v, key := e.vendor("Acme Checks", core.KindBackgroundCheck)
		if !strings.HasPrefix(key, KeyPrefix) {
			t.Fatalf("key %q does not start with %s", key, KeyPrefix)
		}
		k2, key2, err := e.svc.CreateKey(e.ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		other, otherKey := e.vendor("Globex", core.KindAssessment)

		auth := func(key string) (core.Vendor, bool) {
			t.Helper()
			got, ok, err := e.svc.Authenticate(e.ctx, key)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			return got, ok
		}
		if got, ok := auth(key); !ok || got.ID != v.ID {
			t.Fatalf("first key: %v %v, want vendor %s", got.ID, ok, v.ID)
		}
		if got, ok := auth(key2); !ok || got.ID != v.ID {
			t.Fatalf("second key: %v %v, want vendor %s", got.ID, ok, v.ID)
		}
		for _, bad := range []string{"", "svk_unknown", "sbk_" + key[4:], key + "x"} {
			if _, ok := auth(bad); ok {
				t.Errorf("key %q authenticated", bad)
			}
		}

		// Revoking one key stops that key only.
		if err := e.svc.RevokeKey(e.ctx, v.ID, k2.ID); err != nil {
			t.Fatal(err)
		}
		if _, ok := auth(key2); ok {
			t.Error("a revoked key still authenticates")
		}
		if _, ok := auth(key); !ok {
			t.Error("revoking one key stopped the other")
		}
		// A key is revoked through its own vendor only.
		if err := e.svc.RevokeKey(e.ctx, other.ID, k2.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("revoking another vendor's key: %v, want ErrNotFound", err)
		}

		// A disabled vendor's keys are refused; enabled again, they work.
		if _, err := e.svc.SetStatus(e.ctx, other.ID, core.VendorDisabled); err != nil {
			t.Fatal(err)
		}
		if _, ok := auth(otherKey); ok {
			t.Error("a disabled vendor's key authenticates")
		}
		if _, err := e.svc.SetStatus(e.ctx, other.ID, core.VendorActive); err != nil {
			t.Fatal(err)
		}
		if _, ok := auth(otherKey); !ok {
			t.Error("a re-enabled vendor's key is refused")
		}
	})
}

func TestAuthenticateTouchesAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		v, key := e.vendor("Acme Checks", core.KindBackgroundCheck)
		lastUsed := func() time.Time {
			ks, err := e.svc.ListKeys(e.ctx, v.ID)
			if err != nil || len(ks) != 1 {
				t.Fatalf("ListKeys = %v, %v", ks, err)
			}
			return ks[0].LastUsedAt
		}
		steps := []struct {
			advance time.Duration
			want    time.Time
		}{
			{0, t0},
			{30 * time.Second, t0}, // within the minute: not written
			{31 * time.Second, t0.Add(61 * time.Second)}, // past it
		}
		for i, s := range steps {
			e.clock.Advance(s.advance)
			if _, ok, err := e.svc.Authenticate(e.ctx, key); !ok || err != nil {
				t.Fatalf("step %d: Authenticate = %v, %v", i, ok, err)
			}
			if got := lastUsed(); !got.Equal(s.want) {
				t.Errorf("step %d: LastUsedAt %s, want %s", i, got, s.want)
			}
		}
	})
}

func TestLinkNeedsASuperAdmin(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		boss := e.account("acme")
		v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
		off, _ := e.vendor("Dormant", core.KindAssessment)
		if _, err := e.svc.SetStatus(e.ctx, off.ID, core.VendorDisabled); err != nil {
			t.Fatal(err)
		}
		for _, role := range []core.Role{core.RoleAdmin, core.RoleTeamMember, core.RoleLimitedTeamMember} {
			u := boss
			u.Role = role
			if err := e.svc.Link(e.ctx, u, v.ID); !errors.Is(err, core.ErrForbidden) {
				t.Errorf("%s links: %v, want ErrForbidden", role, err)
			}
			// Seeing the vendors is for every role that sees integrations.
			if _, err := e.svc.AccountVendors(e.ctx, u); (role == core.RoleLimitedTeamMember) != errors.Is(err, core.ErrForbidden) {
				t.Errorf("%s lists: %v", role, err)
			}
		}
		if err := e.svc.Link(e.ctx, boss, off.ID); !errors.Is(err, core.ErrConflict) {
			t.Errorf("linking a disabled vendor: %v, want ErrConflict", err)
		}
		if err := e.svc.Link(e.ctx, boss, "vnd_nope"); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("linking an unknown vendor: %v, want ErrNotFound", err)
		}
		if err := e.svc.Link(e.ctx, boss, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Link(e.ctx, boss, v.ID); err != nil {
			t.Fatalf("linking again: %v", err)
		}
		avs, err := e.svc.AccountVendors(e.ctx, boss)
		if err != nil {
			t.Fatal(err)
		}
		if len(avs) != 1 || avs[0].ID != v.ID || !avs[0].Linked {
			t.Fatalf("AccountVendors = %+v, want only %s, linked (the disabled one is not listed)", avs, v.ID)
		}
		if err := e.svc.CheckLinked(e.ctx, v, boss.AccountID); err != nil {
			t.Errorf("CheckLinked after linking: %v", err)
		}
		if err := e.svc.Unlink(e.ctx, boss, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Unlink(e.ctx, boss, v.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("unlinking again: %v, want ErrNotFound", err)
		}
		err = e.svc.CheckLinked(e.ctx, v, boss.AccountID)
		if !errors.Is(err, core.ErrForbidden) || !strings.Contains(core.PublicMessage(err, ""), "not linked to account "+boss.AccountID) {
			t.Errorf("CheckLinked after unlinking: %v, want ErrForbidden saying so", err)
		}
		if err := e.svc.CheckLinked(e.ctx, v, ""); !errors.Is(err, core.ErrForbidden) || !strings.Contains(core.PublicMessage(err, ""), "x-account-id") {
			t.Errorf("CheckLinked without an account: %v, want ErrForbidden naming the header", err)
		}
	})
}

// TestAccountVendor: one vendor as the account sees it; a vendor the
// operator disabled stays visible where it is linked (its deliveries are
// there) and is not found elsewhere.
func TestAccountVendor(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		acme, globex := e.account("acme"), e.account("globex")
		v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
		if err := e.svc.Link(e.ctx, acme, v.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.AccountVendor(e.ctx, globex, v.ID); err != nil || got.Linked || got.ID != v.ID {
			t.Errorf("Globex's view of an active vendor: %+v, %v, want it, not linked", got, err)
		}
		if _, err := e.svc.SetStatus(e.ctx, v.ID, core.VendorDisabled); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.AccountVendor(e.ctx, acme, v.ID); err != nil || !got.Linked || got.Status != core.VendorDisabled {
			t.Errorf("Acme's view of its disabled vendor: %+v, %v, want it, linked, disabled", got, err)
		}
		if avs, err := e.svc.AccountVendors(e.ctx, acme); err != nil || len(avs) != 1 {
			t.Errorf("Acme's vendors: %+v, %v, want the linked disabled one", avs, err)
		}
		if _, err := e.svc.AccountVendor(e.ctx, globex, v.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("Globex's view of a disabled vendor: %v, want ErrNotFound", err)
		}
		if _, err := e.svc.AccountVendor(e.ctx, acme, "vnd_nope"); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("an unknown vendor: %v, want ErrNotFound", err)
		}
		limited := acme
		limited.Role = core.RoleLimitedTeamMember
		if _, err := e.svc.AccountVendor(e.ctx, limited, v.ID); !errors.Is(err, core.ErrForbidden) {
			t.Errorf("a limited team member: %v, want ErrForbidden", err)
		}
	})
}

func TestReplacePackagesRefusesBadInput(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		ps   []core.VendorPackage
		want map[string]string
	}{
		{"no id", []core.VendorPackage{{Name: "A"}}, map[string]string{"packages[0].id": "is required"}},
		{"no name", []core.VendorPackage{{ID: "a", Name: "  "}}, map[string]string{"packages[0].name": "is required"}},
		{"repeated id", pkgs("a", "b", "a"), map[string]string{"packages[2].id": "repeats the id of packages[0]: ids must be unique"}},
		{"long id", []core.VendorPackage{{ID: long(256), Name: "A"}}, map[string]string{"packages[0].id": "is longer than 255 characters"}},
		{"long name", []core.VendorPackage{{ID: "a", Name: long(501)}}, map[string]string{"packages[0].name": "is longer than 500 characters"}},
		{"long description", []core.VendorPackage{{ID: "a", Name: "A", Description: long(5001)}}, map[string]string{"packages[0].description": "is longer than 5000 characters"}},
		{"other kind", []core.VendorPackage{{ID: "a", Name: "A", Kind: core.KindBackgroundCheck}},
			map[string]string{"packages[0].type": "is background_check, but these are the assessment packages: put it with those"}},
		{"unknown kind", []core.VendorPackage{{ID: "a", Name: "A", Kind: "survey"}}, map[string]string{"packages[0].type": "must be assessment or background_check"}},
		{"too many", pkgs(slices.Repeat([]string{"a"}, MaxPackages+1)...), map[string]string{"packages": "has 501 packages: at most 500 are allowed"}},
		{"taken by the other kind", []core.VendorPackage{{ID: "bg", Name: "A"}}, map[string]string{"packages[0].id": "is already the id of one of your background_check packages: ids must be unique"}},
	}
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		boss := e.account("acme")
		v, _ := e.vendor("Acme", core.KindAssessment)
		if err := e.svc.Link(e.ctx, boss, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ReplacePackages(e.ctx, v, core.KindBackgroundCheck, pkgs("bg")); err != nil {
			t.Fatal(err)
		}
		before, err := e.st.ListVendorPackages(e.ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			_, err := e.svc.ReplacePackages(e.ctx, v, core.KindAssessment, tt.ps)
			if got := fieldsOf(t, err); !maps.Equal(got, tt.want) {
				t.Errorf("%s: fields %v, want %v", tt.name, got, tt.want)
			}
		}
		after, err := e.st.ListVendorPackages(e.ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(before, after, func(a, b core.VendorPackage) bool { return a.ID == b.ID && a.Kind == b.Kind }) {
			t.Errorf("refused replacements changed the packages: %v, then %v", before, after)
		}
		if got := e.vacancies(boss.AccountID, v.ID); len(got) != 1 || got["bg"].Archived {
			t.Errorf("vacancies after refused replacements: %+v, want bg only, orderable", got)
		}
	})
}

func TestReplacePackagesMirrorsLinkedAccounts(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		acme, globex, unlinked := e.account("acme"), e.account("globex"), e.account("initech")
		v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
		for _, u := range []core.User{acme, globex} {
			if err := e.svc.Link(e.ctx, u, v.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.SetStaticPackages(e.ctx, v.ID, []core.VendorPackage{{ID: "static", Name: "Static"}, {ID: "dup", Name: "Old name"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ReplacePackages(e.ctx, v, core.KindAssessment, pkgs("a1", "dup")); err != nil {
			t.Fatal(err)
		}
		// A pushed package wins over a static one of the same id.
		if vac := e.vacancies(acme.AccountID, v.ID)["dup"]; vac.Name != "Package dup" || vac.Kind != core.KindAssessment {
			t.Errorf("vacancy dup while pushed: %q, %s; want the pushed one", vac.Name, vac.Kind)
		}
		if _, err := e.svc.ReplacePackages(e.ctx, v, core.KindBackgroundCheck, pkgs("b1")); err != nil {
			t.Fatal(err)
		}
		// Replacing the assessments keeps the background checks.
		if _, err := e.svc.ReplacePackages(e.ctx, v, core.KindAssessment, pkgs("a2", "a3")); err != nil {
			t.Fatal(err)
		}

		got, err := e.svc.Packages(e.ctx, v, core.KindAssessment)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID+"/"+string(p.Source))
		}
		slices.Sort(ids)
		if want := []string{"a2/pushed", "a3/pushed"}; !slices.Equal(ids, want) {
			t.Errorf("assessment packages %v, want %v", ids, want)
		}
		bg, err := e.svc.Packages(e.ctx, v, core.KindBackgroundCheck)
		if err != nil {
			t.Fatal(err)
		}
		if len(bg) != 3 { // b1 pushed; static and dup static, of the vendor's kind
			t.Errorf("background check packages %+v, want b1, dup and static", bg)
		}

		for _, u := range []core.User{acme, globex} {
			vacs := e.vacancies(u.AccountID, v.ID)
			want := map[string]bool{"static": false, "dup": false, "a1": true, "a2": false, "a3": false, "b1": false}
			for id, archived := range want {
				vac, ok := vacs[id]
				switch {
				case !ok:
					t.Errorf("%s: no vacancy of package %s", u.AccountID, id)
				case vac.Archived != archived:
					t.Errorf("%s: vacancy of %s archived=%v, want %v", u.AccountID, id, vac.Archived, archived)
				}
			}
			// With the pushed dup gone, the static one shows again.
			if vacs["dup"].Name != "Old name" || vacs["dup"].Kind != core.KindBackgroundCheck {
				t.Errorf("%s: vacancy dup %q, %s; want the static one again", u.AccountID, vacs["dup"].Name, vacs["dup"].Kind)
			}
			if vacs["b1"].Kind != core.KindBackgroundCheck || vacs["a2"].Kind != core.KindAssessment {
				t.Errorf("%s: vacancy kinds %s, %s", u.AccountID, vacs["b1"].Kind, vacs["a2"].Kind)
			}
		}
		if vacs := e.vacancies(unlinked.AccountID, v.ID); len(vacs) != 0 {
			t.Errorf("an unlinked account got vacancies: %+v", vacs)
		}

		// Unlinking archives the account's vacancies of the vendor.
		if err := e.svc.UnlinkAccount(e.ctx, v.ID, globex.AccountID); err != nil {
			t.Fatal(err)
		}
		for id, vac := range e.vacancies(globex.AccountID, v.ID) {
			if !vac.Archived {
				t.Errorf("after unlinking, vacancy of %s is still orderable", id)
			}
		}
	})
}

func TestWebhookSecretRotation(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)

		w, err := e.svc.SetWebhook(e.ctx, v, "https://acme.example/hooks")
		if err != nil {
			t.Fatal(err)
		}
		first := w.Secret
		if !strings.HasPrefix(first, "whsec_") || w.URL != "https://acme.example/hooks" {
			t.Fatalf("first SetWebhook = %+v, want the URL and a whsec_ secret", w)
		}
		w, err = e.svc.SetWebhook(e.ctx, v, "https://acme.example/hooks/v2")
		if err != nil {
			t.Fatal(err)
		}
		if w.Secret != "" {
			t.Error("setting the URL again showed the secret again")
		}
		if got := secretsOf(t, e, v.ID); !slices.Equal(got, []string{first}) {
			t.Fatalf("endpoint secrets %d, want the first one", len(got))
		}

		rot, err := e.svc.RotateWebhookSecret(e.ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if rot.Secret == "" || rot.Secret == first {
			t.Fatal("rotation showed no new secret")
		}
		if rot.PreviousUntil == nil || !rot.PreviousUntil.Equal(t0.Add(DefaultRotationGrace)) {
			t.Errorf("previous valid until %v, want %s", rot.PreviousUntil, t0.Add(DefaultRotationGrace))
		}
		// During the grace both sign, the new one first.
		e.clock.Advance(DefaultRotationGrace - time.Second)
		if got := secretsOf(t, e, v.ID); !slices.Equal(got, []string{rot.Secret, first}) {
			t.Errorf("during the grace: %d secrets, want the new then the old", len(got))
		}
		if w, err := e.svc.Webhook(e.ctx, v); err != nil || w.Secret != "" || w.PreviousUntil == nil {
			t.Errorf("Webhook during the grace = %+v, %v: want the grace's end and no secret", w, err)
		}
		e.clock.Advance(time.Second)
		if got := secretsOf(t, e, v.ID); !slices.Equal(got, []string{rot.Secret}) {
			t.Errorf("after the grace: %d secrets, want the new one only", len(got))
		}
	})
}

// secretsOf returns the serialised secrets an endpoint signs with now.
func secretsOf(t *testing.T, e *env, vendorID string) []string {
	t.Helper()
	ep, err := e.svc.Endpoint(e.ctx, vendorID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range ep.Secrets {
		out = append(out, s.Reveal())
	}
	return out
}

func TestEndpointURLRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url string
		allowHTTP bool
		want      string // "" when accepted
	}{
		{"https", "https://acme.example/hooks", false, ""},
		{"http when allowed", "http://10.0.0.5:8080/hooks", true, ""},
		{"http", "http://acme.example/hooks", false, "must be an https URL, not http"},
		{"relative", "/hooks", false, "must be an absolute https URL with a host, like https://example.com/result"},
		{"credentials", "https://u:p@acme.example/hooks", false, "must not hold a user name or password: put credentials in a token in the path or query"},
		{"empty", "", false, "is required"},
	}
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
		for _, tt := range tests {
			e.svc.d.AllowHTTP = tt.allowHTTP
			_, err := e.svc.SetWebhook(e.ctx, v, tt.url)
			perr := e.svc.SetPackageSource(e.ctx, v, wire.PackageSource{URL: tt.url, Key: "k"})
			for what, err := range map[string]error{"webhook": err, "package source": perr} {
				if tt.want == "" {
					if err != nil {
						t.Errorf("%s %s: %v", tt.name, what, err)
					}
					continue
				}
				if got := fieldsOf(t, err); got["url"] != tt.want {
					t.Errorf("%s %s: %v, want url: %s", tt.name, what, got, tt.want)
				}
			}
		}
		if err := e.svc.SetPackageSource(e.ctx, v, wire.PackageSource{URL: "https://acme.example/p"}); fieldsOf(t, err)["key"] == "" {
			t.Errorf("package source without a key: %v, want a key error", err)
		}
		if err := e.svc.SetPackageSource(e.ctx, v, wire.PackageSource{URL: "https://acme.example/p", Key: "a:b"}); fieldsOf(t, err)["key"] == "" {
			t.Errorf("package source key with ':': %v, want a key error", err)
		}
	})
}

func TestEndpointAutoDisable(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
		if _, err := e.svc.SetWebhook(e.ctx, v, "https://acme.example/hooks"); err != nil {
			t.Fatal(err)
		}
		day := 24 * time.Hour
		steps := []struct {
			at          time.Duration
			ok          bool
			wantFailing time.Duration // -1: not failing
			wantOff     bool
		}{
			{0, false, 0, false},
			{4 * day, false, 0, false},
			{4*day + time.Hour, true, -1, false},                                   // a success ends the run
			{4*day + 2*time.Hour, false, 4*day + 2*time.Hour, false},               // a new run
			{4*day + time.Hour + 30*time.Minute, true, 4*day + 2*time.Hour, false}, // an older success says nothing
			{9*day + 2*time.Hour - time.Second, false, 4*day + 2*time.Hour, false},
			{9*day + 2*time.Hour, false, 4*day + 2*time.Hour, true}, // five days failing: off
		}
		for i, s := range steps {
			off, err := e.svc.RecordEndpointOutcome(e.ctx, v.ID, s.ok, t0.Add(s.at), "HTTP 503")
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if off != s.wantOff {
				t.Errorf("step %d: disabledNow %v, want %v", i, off, s.wantOff)
			}
			got := e.get(v.ID)
			switch {
			case s.wantFailing < 0 && !got.FailingSince.IsZero():
				t.Errorf("step %d: failing since %s, want not failing", i, got.FailingSince)
			case s.wantFailing >= 0 && !got.FailingSince.Equal(t0.Add(s.wantFailing)):
				t.Errorf("step %d: failing since %s, want %s", i, got.FailingSince, t0.Add(s.wantFailing))
			}
		}
		ep, err := e.svc.Endpoint(e.ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantReason := "failing since 2026-03-06T11:00:00Z: HTTP 503"
		if !ep.Disabled || ep.DisabledReason != wantReason {
			t.Errorf("endpoint %+v, want disabled: %s", ep, wantReason)
		}
		// Further failures change nothing and do not disable it "again".
		if off, err := e.svc.RecordEndpointOutcome(e.ctx, v.ID, false, t0.Add(10*day), "timeout"); off || err != nil {
			t.Errorf("failure on a disabled endpoint: %v, %v", off, err)
		}
		w, err := e.svc.EnableWebhook(e.ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if w.DisabledAt != nil || w.DisabledReason != "" || w.FailingSince != nil {
			t.Errorf("after enabling: %+v", w)
		}
		if ep, _ := e.svc.Endpoint(e.ctx, v.ID); ep.Disabled {
			t.Error("endpoint still disabled after enabling")
		}
		// A disabled vendor's endpoint is disabled.
		if _, err := e.svc.SetStatus(e.ctx, v.ID, core.VendorDisabled); err != nil {
			t.Fatal(err)
		}
		if ep, _ := e.svc.Endpoint(e.ctx, v.ID); !ep.Disabled || ep.DisabledReason != "the vendor is disabled" {
			t.Errorf("disabled vendor's endpoint: %+v", ep)
		}
	})
}

// A write that loses a race against another is retried on the vendor as
// it then is, so neither write is lost.
func TestRecordEndpointOutcomeRetriesOnConflict(t *testing.T) {
	t.Parallel()
	f := newFakeStore()
	e := newEnv(t, f, nil)
	v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
	raced := false
	f.beforeUpdate = func(ds ...*fakeData) {
		if raced {
			return
		}
		raced = true
		// Another process sets the webhook URL meanwhile.
		for _, d := range ds {
			o := d.vendors[v.ID]
			o.WebhookURL, o.Version = "https://acme.example/new", o.Version+1
			d.vendors[v.ID] = o
		}
	}
	if _, err := e.svc.RecordEndpointOutcome(e.ctx, v.ID, false, t0, "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	got := e.get(v.ID)
	if !got.FailingSince.Equal(t0) || got.WebhookURL != "https://acme.example/new" {
		t.Errorf("after a race: failing since %s, URL %q: want both writes kept", got.FailingSince, got.WebhookURL)
	}
}

// Concurrent outcomes from parallel deliveries all land: the run of
// failures starts at the earliest.
func TestRecordEndpointOutcomeConcurrently(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st, nil)
		v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = e.svc.RecordEndpointOutcome(e.ctx, v.ID, false, t0.Add(time.Duration(n-i)*time.Minute), "HTTP 500")
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("outcome %d: %v", i, err)
			}
		}
		if got := e.get(v.ID).FailingSince; !got.Equal(t0.Add(time.Minute)) {
			t.Errorf("failing since %s, want the earliest failure, %s", got, t0.Add(time.Minute))
		}
	})
}

func TestPackageSource(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		var f *calloutFixture
		var mu sync.Mutex
		byPath := map[string]string{} // vendor by callout path
		verified := map[string]error{}
		f = newCalloutFixture(t, st, func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			id := byPath[r.URL.Path]
			ep, err := f.svc.Endpoint(f.ctx, id)
			if err == nil {
				err = stdwebhook.Verify(r.Header, body, f.clock.Now(), 0, ep.Secrets...)
			}
			verified[id] = err
			answer(twoPackages)(w, r)
		}, "static1")
		// A vendor without a webhook gets a signing secret with its package
		// source: the callout is signed.
		other, _ := f.env.vendor("Globex Tests", core.KindAssessment)
		mu.Lock()
		byPath["/switchboard/packages"], byPath["/p"] = f.vendor.ID, other.ID
		mu.Unlock()
		if err := f.svc.SetPackageSource(f.ctx, other, wire.PackageSource{URL: f.ep.srv.URL + "/p", Key: "k"}); err != nil {
			t.Fatal(err)
		}
		if got := secretsOf(t, f.env, other.ID); len(got) != 1 {
			t.Fatalf("after SetPackageSource: %d signing secrets, want 1", len(got))
		}
		if _, err := f.svc.LinkAccount(f.ctx, other.ID, f.account); err != nil {
			t.Fatal(err)
		}
		if _, err := f.list("job-1"); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if err, ok := verified[other.ID]; !ok || err != nil {
			t.Errorf("the second vendor's callout: called %v, signature %v", ok, err)
		}
		mu.Unlock()

		// Without its package source, the vendor's stored packages are
		// listed, and the endpoint is not called.
		if err := f.svc.DeletePackageSource(f.ctx, f.vendor); err != nil {
			t.Fatal(err)
		}
		calls := f.ep.calls.Load()
		vacs, err := f.list("job-1")
		if err != nil {
			t.Fatal(err)
		}
		if ids := packageIDsOf(vacs); !slices.Equal(ids, []string{"p1", "p2", "static1"}) || f.ep.calls.Load() != calls {
			t.Errorf("after deleting the source: listed %v after %d more callouts, want the other's p1, p2 (cached) and static1, and none", ids, f.ep.calls.Load()-calls)
		}
		if v := f.get(f.vendor.ID); v.PackagesURL != "" || len(v.PackagesKey) != 0 {
			t.Errorf("package source still stored: %q", v.PackagesURL)
		}
		// A refused source changes nothing.
		before := f.get(other.ID)
		if err := f.svc.SetPackageSource(f.ctx, other, wire.PackageSource{URL: "ftp://globex.example/p", Key: "k2"}); err == nil {
			t.Fatal("an ftp URL was accepted")
		}
		if after := f.get(other.ID); after.PackagesURL != before.PackagesURL || after.Version != before.Version {
			t.Errorf("a refused package source changed the vendor: %q v%d, then %q v%d", before.PackagesURL, before.Version, after.PackagesURL, after.Version)
		}
	})
}
