package apptest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"switchboard/examples/examplevendor"
	"switchboard/internal/core"
	"switchboard/internal/vendorapi/vendorapitest"
)

// VendorFixture is an outside vendor, the example vendor over real HTTP on
// its own loopback listener, as the operator and the vendor's developer set
// it up: created with a key, its webhook endpoint set (and the signing
// secret given to the program), its catalogue entered as static packages,
// and linked to accounts. Every call it makes to the vendor API is checked
// against the OpenAPI document.
type VendorFixture struct {
	Vendor  core.Vendor
	Key     string
	Secret  string
	URL     string // the program's base URL
	Program *examplevendor.Vendor
}

// VendorOptions vary the vendor set-up.
type VendorOptions struct {
	// Manual makes the program post results only when the test calls
	// Program.Complete.
	Manual bool
	// Handler, when set, wraps the program's handler (a test's outage).
	Handler func(http.Handler) http.Handler
}

// SetupVendor creates the vendor and links it to the accounts.
func (e *Env) SetupVendor(name string, kind core.Kind, o VendorOptions, accountIDs ...string) *VendorFixture {
	e.T.Helper()
	ctx := context.Background()
	vs := e.App.Vendors
	v, key, err := vs.Create(ctx, name, kind)
	if err != nil {
		e.T.Fatalf("create vendor: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatalf("listen: %v", err)
	}
	f := &VendorFixture{Key: key, URL: "http://" + ln.Addr().String()}
	hook, err := vs.SetWebhook(ctx, v, f.URL+"/webhooks")
	if err != nil {
		e.T.Fatalf("set webhook: %v", err)
	}
	f.Secret = hook.Secret
	f.Program, err = examplevendor.New(examplevendor.Config{
		Secrets: []string{hook.Secret}, Key: key, BaseURL: e.URL + "/api/vendor", PublicURL: f.URL, AllowHTTP: true,
		Manual: o.Manual, Now: e.Clock.Now, HTTPClient: vendorapitest.Client(e.T, http.DefaultTransport),
		Logger: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})).With("component", "examplevendor"),
	})
	if err != nil {
		e.T.Fatalf("example vendor: %v", err)
	}
	h := f.Program.Handler()
	if o.Handler != nil {
		h = o.Handler(h)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.T.Errorf("example vendor: %v", err)
		}
	}()
	e.T.Cleanup(func() {
		f.Program.Close()
		_ = srv.Close()
	})
	var ps []core.VendorPackage
	for _, p := range examplevendor.Catalogue() {
		k, err := core.ParseKind(p.Type)
		if err != nil {
			e.T.Fatalf("catalogue: %v", err)
		}
		ps = append(ps, core.VendorPackage{ID: p.ID, Name: p.Name, Description: p.Description, Kind: k})
	}
	if _, err := vs.SetStaticPackages(ctx, v.ID, ps); err != nil {
		e.T.Fatalf("static packages: %v", err)
	}
	for _, acc := range accountIDs {
		if _, err := vs.LinkAccount(ctx, v.ID, acc); err != nil {
			e.T.Fatalf("link vendor to %s: %v", acc, err)
		}
	}
	if f.Vendor, err = vs.Get(ctx, v.ID); err != nil {
		e.T.Fatalf("get vendor: %v", err)
	}
	return f
}

// VendorVacancy is the vacancy a vendor's package is in an account.
func (e *Env) VendorVacancy(accountID, vendorID, packageID string) core.Vacancy {
	e.T.Helper()
	vs, err := e.App.Store.ListVacancies(context.Background(), accountID)
	if err != nil {
		e.T.Fatalf("list vacancies: %v", err)
	}
	for _, v := range vs {
		if v.VendorID == vendorID && v.VendorPackageID == packageID {
			return v
		}
	}
	e.T.Fatalf("account %s has no vacancy for package %s of vendor %s", accountID, packageID, vendorID)
	return core.Vacancy{}
}

// Settle lets the order path and the vendor finish what they started:
// Switchboard's jobs (a delivery), then the vendor's updates it posts in
// answer, then the jobs those cause (write-backs).
func (f *VendorFixture) Settle(e *Env) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range 2 {
		e.WaitIdle()
		if err := f.Program.Drain(ctx); err != nil {
			e.T.Fatalf("settle: %v", err)
		}
	}
	e.WaitIdle()
}

// Outage makes one path of a vendor answer 503 while Down is set, and
// counts the calls to it (VendorOptions.Handler: outage.Wrap).
type Outage struct {
	Path  string
	Down  atomic.Bool
	Calls atomic.Int32
}

// Wrap puts the outage in front of a vendor's handler.
func (o *Outage) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == o.Path {
			o.Calls.Add(1)
			if o.Down.Load() {
				http.Error(w, "maintenance", http.StatusServiceUnavailable)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
