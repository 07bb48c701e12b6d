package vendors

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
	"switchboard/internal/store/postgres"
	"switchboard/internal/store/postgres/pgtest"
	"switchboard/internal/store/sqlite"
)

// stores are the stores every test runs on: the in-memory fake and the
// real ones, fresh and migrated (PostgreSQL when
// SWITCHBOARD_TEST_DATABASE_URL names a server).
var stores = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"fake", func(*testing.T) store.Store { return newFakeStore() }},
	{"sqlite", func(t *testing.T) store.Store {
		st, err := sqlite.Open(t.Context(), t.TempDir())
		return migrated(t, st, err)
	}},
	{"postgres", func(t *testing.T) store.Store {
		st, err := postgres.Open(t.Context(), pgtest.FreshDatabase(t))
		return migrated(t, st, err)
	}},
}

func migrated(t *testing.T, st store.Store, err error) store.Store {
	t.Helper()
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// forEachStore runs a test on every store.
func forEachStore(t *testing.T, test func(t *testing.T, st store.Store)) {
	t.Helper()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			test(t, s.open(t))
		})
	}
}

// clock is an injected clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	clock *clock
	svc   *Service
}

func newEnv(t *testing.T, st store.Store, client *http.Client) *env {
	t.Helper()
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	if client == nil {
		client = http.DefaultClient
	}
	c := &clock{now: t0}
	svc, err := New(Deps{Store: st, Keyring: kr, HTTPClient: client, Now: c.Now, AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: context.Background(), st: st, clock: c, svc: svc}
}

func (e *env) account(name string) core.User {
	e.t.Helper()
	acc := core.Account{ID: core.NewID("acc"), Name: name, CreatedAt: t0}
	if err := e.st.CreateAccount(e.ctx, acc); err != nil {
		e.t.Fatal(err)
	}
	return core.User{ID: core.NewID("usr"), AccountID: acc.ID, Email: "boss@" + name + ".example", Role: core.RoleSuperAdmin, CreatedAt: t0}
}

func (e *env) vendor(name string, kind core.Kind) (core.Vendor, string) {
	e.t.Helper()
	v, key, err := e.svc.Create(e.ctx, name, kind)
	if err != nil {
		e.t.Fatalf("create vendor %s: %v", name, err)
	}
	return v, key
}

func (e *env) get(id string) core.Vendor {
	e.t.Helper()
	v, err := e.svc.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// vacancies returns an account's vacancies of a vendor by package id.
func (e *env) vacancies(accountID, vendorID string) map[string]core.Vacancy {
	e.t.Helper()
	vs, err := e.st.ListVacancies(e.ctx, accountID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]core.Vacancy{}
	for _, v := range vs {
		if v.VendorID == vendorID {
			out[v.VendorPackageID] = v
		}
	}
	return out
}

func pkgs(ids ...string) []core.VendorPackage {
	out := make([]core.VendorPackage, len(ids))
	for i, id := range ids {
		out[i] = core.VendorPackage{ID: id, Name: "Package " + id}
	}
	return out
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	inv, ok := asValidation(err)
	if !ok {
		t.Fatalf("err = %v, want a *core.ValidationError", err)
	}
	return inv.Fields
}
