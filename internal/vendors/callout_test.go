package vendors

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/stdwebhook"
	"switchboard/internal/store"
	"switchboard/internal/vendorapi/wire"
)

// packageEndpoint is a vendor's package list endpoint: it answers with
// handle and counts the calls.
type packageEndpoint struct {
	srv   *httptest.Server
	calls atomic.Int32
	mu    sync.Mutex
	h     http.HandlerFunc
}

// handle changes how the endpoint answers.
func (p *packageEndpoint) handle(h http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.h = h
}

func newPackageEndpoint(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *packageEndpoint {
	t.Helper()
	p := &packageEndpoint{h: handle}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		p.mu.Lock()
		h := p.h
		p.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func answer(body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

const twoPackages = `{"data": [{"id": "p1", "name": "Criminal record", "description": "7 years"}, {"id": "p2", "name": "Coding test", "type": "assessment"}], "next": null}`

// calloutFixture is a background-check vendor linked to one account, with
// a package list endpoint and one static package.
type calloutFixture struct {
	*env
	ep      *packageEndpoint
	vendor  core.Vendor
	secret  stdwebhook.Secret
	account string
}

func newCalloutFixture(t *testing.T, st store.Store, handle func(w http.ResponseWriter, r *http.Request), static ...string) *calloutFixture {
	t.Helper()
	ep := newPackageEndpoint(t, handle)
	e := newEnv(t, st, ep.srv.Client())
	boss := e.account("acme")
	v, _ := e.vendor("Acme Checks", core.KindBackgroundCheck)
	w, err := e.svc.SetWebhook(e.ctx, v, "https://acme.example/hooks")
	if err != nil {
		t.Fatal(err)
	}
	sec, err := stdwebhook.ParseSecret(w.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetPackageSource(e.ctx, v, wire.PackageSource{URL: ep.srv.URL + "/switchboard/packages", Key: "pk_live_123"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetStaticPackages(e.ctx, v.ID, pkgs(static...)); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Link(e.ctx, boss, v.ID); err != nil {
		t.Fatal(err)
	}
	return &calloutFixture{env: e, ep: ep, vendor: v, secret: sec, account: boss.AccountID}
}

func (f *calloutFixture) list(jobID string) ([]core.Vacancy, error) {
	return f.svc.AccountPackages(f.ctx, f.account, jobID, "smartrecruiters")
}

func packageIDsOf(vs []core.Vacancy) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.VendorPackageID)
	}
	slices.Sort(ids)
	return ids
}

func TestPackageListCallout(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		var got struct {
			method, path, auth, contentType string
			body                            []byte
			verify                          error
		}
		var f *calloutFixture
		f = newCalloutFixture(t, st, func(w http.ResponseWriter, r *http.Request) {
			got.method, got.path, got.auth, got.contentType = r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type")
			got.body, _ = io.ReadAll(r.Body)
			got.verify = stdwebhook.Verify(r.Header, got.body, f.clock.Now(), 0, f.secret)
			answer(twoPackages)(w, r)
		}, "static1")

		vacs, err := f.list("job-7")
		if err != nil {
			t.Fatal(err)
		}
		if got.method != http.MethodPost || got.path != "/switchboard/packages" || got.contentType != "application/json" {
			t.Errorf("request %s %s (%s), want POST /switchboard/packages (application/json)", got.method, got.path, got.contentType)
		}
		if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("pk_live_123:")); got.auth != want {
			t.Errorf("Authorization %q, want %q", got.auth, want)
		}
		if got.verify != nil {
			t.Errorf("signature does not verify with the vendor's secret: %v", got.verify)
		}
		var req wire.PackageListRequest
		if err := json.Unmarshal(got.body, &req); err != nil {
			t.Fatal(err)
		}
		if want := (wire.PackageListRequest{JobID: "job-7", AccountID: f.account, Provider: "smartrecruiters"}); req != want {
			t.Errorf("body %+v, want %+v", req, want)
		}

		// The endpoint wins over the static package.
		if ids := packageIDsOf(vacs); !slices.Equal(ids, []string{"p1", "p2"}) {
			t.Fatalf("listed %v, want the endpoint's p1 and p2", ids)
		}
		for _, v := range vacs {
			want := map[string]core.Kind{"p1": core.KindBackgroundCheck, "p2": core.KindAssessment}[v.VendorPackageID]
			if v.Kind != want || v.VendorID != f.vendor.ID || v.AccountID != f.account || v.ID == "" {
				t.Errorf("vacancy %+v: want kind %s (the vendor's when the answer has no type), of the vendor and account", v, want)
			}
		}
		// Listed packages are orderable vacancies of the account.
		if stored := f.vacancies(f.account, f.vendor.ID); stored["p1"].Description != "7 years" || stored["p1"].Archived {
			t.Errorf("stored vacancy p1 %+v", stored["p1"])
		}
	})
}

func TestPackageListCache(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		f := newCalloutFixture(t, st, answer(twoPackages))
		steps := []struct {
			job       string
			advance   time.Duration
			wantCalls int32
		}{
			{"job-1", 0, 1},
			{"job-1", DefaultPackagesCacheTTL - time.Second, 1}, // within the TTL: cached
			{"job-2", 0, 2},           // another job: its own answer
			{"job-1", time.Second, 3}, // the TTL is over
			{"job-1", 0, 3},
		}
		for i, s := range steps {
			f.clock.Advance(s.advance)
			vacs, err := f.list(s.job)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if len(vacs) != 2 {
				t.Errorf("step %d: %d vacancies, want 2", i, len(vacs))
			}
			if got := f.ep.calls.Load(); got != s.wantCalls {
				t.Errorf("step %d: %d callouts, want %d", i, got, s.wantCalls)
			}
		}
		// A new package source forgets the old one's answers.
		if err := f.svc.SetPackageSource(f.ctx, f.vendor, wire.PackageSource{URL: f.ep.srv.URL + "/v2", Key: "k2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.list("job-1"); err != nil {
			t.Fatal(err)
		}
		if got := f.ep.calls.Load(); got != 4 {
			t.Errorf("after a new package source: %d callouts, want 4", got)
		}
	})
}

func TestPackageListConcurrentCallsShareOneCallout(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		release := make(chan struct{})
		f := newCalloutFixture(t, st, func(w http.ResponseWriter, r *http.Request) {
			<-release
			answer(twoPackages)(w, r)
		})
		const n = 5
		joined := make(chan struct{}, n)
		f.svc.cache.joined = func() { joined <- struct{}{} }
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				var vacs []core.Vacancy
				vacs, errs[i] = f.list("job-1")
				if errs[i] == nil && len(vacs) != 2 {
					errs[i] = errors.New("not two vacancies")
				}
			})
		}
		for range n - 1 {
			<-joined // every other caller waits on the first one's callout
		}
		close(release)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		if got := f.ep.calls.Load(); got != 1 {
			t.Errorf("%d concurrent calls made %d callouts, want 1", n, got)
		}
	})
}

func TestPackageListFallback(t *testing.T) {
	t.Parallel()
	big := `{"data": [` + strings.Repeat(" ", MaxPackageListBytes) + `]}`
	tests := []struct {
		name    string
		handle  func(w http.ResponseWriter, r *http.Request)
		timeout bool
		wantErr string // in PackagesError
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, false,
			"the package list endpoint answered HTTP 500, not 200"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) }, false,
			"the package list endpoint answered HTTP 302, not 200"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			// With the body read, the server sees the client hang up.
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}, true,
			"the package list endpoint did not answer within"},
		{"not JSON", answer(`<html>oops</html>`), false, "the package list endpoint's answer is malformed: the package list is not valid JSON"},
		{"unknown field", answer(`{"data": [], "packages": []}`), false, `the package list endpoint's answer is malformed: unknown field "packages"`},
		{"bad package", answer(`{"data": [{"id": "", "name": "X"}]}`), false, "the package list endpoint's answer is malformed: invalid input: data[0].id: is required"},
		{"oversized", answer(big), false, "the package list endpoint's answer is larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachStore(t, func(t *testing.T, st store.Store) {
				f := newCalloutFixture(t, st, tt.handle, "static1")
				if tt.timeout {
					f.svc.calloutTimeout = 50 * time.Millisecond
				}
				vacs, err := f.list("job-1")
				if err != nil {
					t.Fatal(err)
				}
				if ids := packageIDsOf(vacs); !slices.Equal(ids, []string{"static1"}) {
					t.Errorf("listed %v, want the stored static1", ids)
				}
				v := f.get(f.vendor.ID)
				if !strings.Contains(v.PackagesError, tt.wantErr) || !v.PackagesErrorAt.Equal(t0) {
					t.Errorf("PackagesError %q at %s, want %q at %s", v.PackagesError, v.PackagesErrorAt, tt.wantErr, t0)
				}

				// Fixed, the endpoint is listed again and the error clears.
				f.ep.handle(answer(twoPackages))
				f.clock.Advance(DefaultPackagesCacheTTL)
				vacs, err = f.list("job-1")
				if err != nil {
					t.Fatal(err)
				}
				if ids := packageIDsOf(vacs); !slices.Equal(ids, []string{"p1", "p2"}) {
					t.Errorf("after the fix: listed %v, want p1 and p2", ids)
				}
				if v := f.get(f.vendor.ID); v.PackagesError != "" || !v.PackagesErrorAt.IsZero() {
					t.Errorf("after the fix: PackagesError %q at %s, want none", v.PackagesError, v.PackagesErrorAt)
				}
			})
		})
	}
}

func TestPackagesUnavailable(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st store.Store) {
		f := newCalloutFixture(t, st, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
		_, err := f.list("job-1")
		if !errors.Is(err, ErrPackagesUnavailable) {
			t.Fatalf("err = %v, want ErrPackagesUnavailable: the endpoint failed and nothing is stored", err)
		}
		// A failure is remembered for the TTL too: a broken endpoint is
		// not called on every page view.
		if _, err := f.list("job-1"); !errors.Is(err, ErrPackagesUnavailable) || f.ep.calls.Load() != 1 {
			t.Errorf("second call: %v after %d callouts, want ErrPackagesUnavailable after 1", err, f.ep.calls.Load())
		}

		// Another linked vendor with packages: what it offers is listed.
		other, _ := f.env.vendor("Globex Tests", core.KindAssessment)
		if _, err := f.svc.SetStaticPackages(f.ctx, other.ID, pkgs("g1")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.LinkAccount(f.ctx, other.ID, f.account); err != nil {
			t.Fatal(err)
		}
		vacs, err := f.list("job-1")
		if err != nil {
			t.Fatal(err)
		}
		if ids := packageIDsOf(vacs); !slices.Equal(ids, []string{"g1"}) {
			t.Errorf("listed %v, want g1", ids)
		}

		// A disabled vendor is not asked, and a vendor without an
		// endpoint or packages lists nothing without an error.
		if _, err := f.svc.SetStatus(f.ctx, f.vendor.ID, core.VendorDisabled); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(DefaultPackagesCacheTTL)
		if _, err := f.svc.SetStaticPackages(f.ctx, other.ID, nil); err != nil {
			t.Fatal(err)
		}
		vacs, err = f.list("job-1")
		if err != nil || len(vacs) != 0 || f.ep.calls.Load() != 1 {
			t.Errorf("with nothing to list: %v, %v after %d callouts; want none, no error, no new callout", vacs, err, f.ep.calls.Load())
		}
	})
}
