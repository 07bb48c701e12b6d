package vendors

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/stdwebhook"
	"switchboard/internal/strictjson"
	"switchboard/internal/vendorapi/wire"
)

// ErrPackagesUnavailable: nothing at all could be listed for an account
// because a vendor's package list failed; the ATS shows its "error fetching
// packages".
var ErrPackagesUnavailable = errors.New("vendor packages unavailable")

// MaxPackageListBytes bounds a package list endpoint's answer.
const MaxPackageListBytes = 1 << 20

// AccountPackages lists what the linked, active vendors offer an account for
// one ATS job, each package as the orderable vacancy it is. A vendor with a
// package list endpoint is asked (once per PackagesCacheTTL for the same
// account, job and provider); when the endpoint fails, or has none, its
// stored packages are listed, and the failure is recorded on the vendor.
func (s *Service) AccountPackages(ctx context.Context, accountID, jobID, provider string) ([]core.Vacancy, error) {
	vs, err := s.d.Store.ListAccountVendors(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("account packages: %w", err)
	}
	type answer struct {
		ps  []core.VendorPackage
		err error
	}
	answers := make([]answer, len(vs))
	var wg sync.WaitGroup
	for i, v := range vs {
		if v.Status != core.VendorActive {
			continue
		}
		wg.Go(func() {
			ps, err := s.vendorPackages(ctx, v, accountID, jobID, provider)
			answers[i] = answer{ps, err}
		})
	}
	wg.Wait()
	var out []core.Vacancy
	var failed []error
	for i, a := range answers {
		if a.err != nil {
			failed = append(failed, fmt.Errorf("vendor %s: %w", vs[i].ID, a.err))
			continue
		}
		for _, p := range a.ps {
			vac, err := s.d.Store.UpsertVendorVacancy(ctx, s.vacancy(vs[i].ID, accountID, p))
			if err != nil {
				return nil, fmt.Errorf("account packages: vendor %s: %w", vs[i].ID, err)
			}
			out = append(out, vac)
		}
	}
	if len(out) == 0 && len(failed) > 0 {
		return nil, fmt.Errorf("account packages: %w: %w", ErrPackagesUnavailable, errors.Join(failed...))
	}
	for _, err := range failed {
		s.d.Logger.WarnContext(ctx, "vendor packages not listed", "account_id", accountID, "err", err)
	}
	return out, nil
}

// vendorPackages is what one vendor offers: its endpoint's answer when that
// works, else its stored packages. It fails only when the endpoint failed
// and nothing is stored.
func (s *Service) vendorPackages(ctx context.Context, v core.Vendor, accountID, jobID, provider string) ([]core.VendorPackage, error) {
	var calloutErr error
	if v.PackagesURL != "" {
		key := cacheKey{vendorID: v.ID, accountID: accountID, jobID: jobID, provider: provider}
		ps, err := s.cache.do(ctx, key, s.d.Now, s.d.PackagesCacheTTL, func() ([]core.VendorPackage, error) {
			// The callout is shared by every caller waiting on it: it must
			// not end when the first one goes away.
			return s.listed(context.WithoutCancel(ctx), v, wire.PackageListRequest{JobID: jobID, AccountID: accountID, Provider: provider})
		})
		if err == nil {
			return ps, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		calloutErr = err
	}
	all, err := s.d.Store.ListVendorPackages(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	stored := storedPackages(all)
	if len(stored) == 0 && calloutErr != nil {
		return nil, calloutErr
	}
	return stored, nil
}

// listed calls the vendor's package list endpoint and records how that went
// on the vendor (PackagesError, shown on its page).
func (s *Service) listed(ctx context.Context, v core.Vendor, req wire.PackageListRequest) ([]core.VendorPackage, error) {
	ps, err := s.callout(ctx, v, req)
	msg := ""
	if err != nil {
		msg = core.PublicMessage(err, err.Error())
		s.d.Logger.WarnContext(ctx, "vendor package list failed", "vendor_id", v.ID, "account_id", req.AccountID, "err", err)
	}
	if msg != "" || v.PackagesError != "" {
		at := s.now()
		if _, rerr := s.update(ctx, v.ID, func(v *core.Vendor) (bool, error) {
			if v.PackagesError == msg && msg == "" {
				return false, nil
			}
			v.PackagesError, v.PackagesErrorAt = msg, at
			if msg == "" {
				v.PackagesErrorAt = time.Time{}
			}
			return true, nil
		}); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
	}
	return ps, err
}

// callout POSTs the package list request to the vendor's endpoint, signed
// like a delivery, and reads its answer strictly. Its errors carry a
// message for the vendor page (core.Explain).
func (s *Service) callout(ctx context.Context, v core.Vendor, req wire.PackageListRequest) ([]core.VendorPackage, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("package list request: %w", err)
	}
	now := s.now()
	secrets, err := s.validSecrets(v, now)
	if err != nil {
		return nil, err
	}
	if len(secrets) == 0 {
		return nil, core.Explain(stdwebhook.ErrNoSecret, "the vendor has no signing secret: set the package source again")
	}
	h, err := stdwebhook.Sign(core.NewID("msg"), now, body, secrets...)
	if err != nil {
		return nil, err
	}
	key, err := s.d.Keyring.Decrypt(v.PackagesKey, packagesKeyAAD(v.ID))
	if err != nil {
		return nil, fmt.Errorf("vendor %s: open package list key: %w", v.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.calloutTimeout)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, v.PackagesURL, bytes.NewReader(body))
	if err != nil {
		return nil, core.Explain(err, "the package list URL cannot be called: set it again")
	}
	r.Header = h
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString(append(key, ':')))
	client := *s.d.HTTPClient
	// A POST is not followed to another place: the endpoint is the URL set.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(r)
	if err != nil {
		if ctx.Err() != nil {
			return nil, core.Explain(err, "the package list endpoint did not answer within %s", s.calloutTimeout)
		}
		return nil, core.Explain(err, "the package list endpoint could not be reached")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxPackageListBytes+1))
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, core.Explain(err, "the package list endpoint did not answer within %s", s.calloutTimeout)
	case err != nil:
		return nil, core.Explain(err, "the package list endpoint's answer broke off")
	case resp.StatusCode != http.StatusOK:
		return nil, core.Explain(fmt.Errorf("package list: HTTP %d", resp.StatusCode), "the package list endpoint answered HTTP %d, not 200", resp.StatusCode)
	case len(data) > MaxPackageListBytes:
		return nil, core.Explain(errors.New("package list too large"), "the package list endpoint's answer is larger than %d bytes", MaxPackageListBytes)
	}
	return parsePackageList(v, data)
}

// parsePackageList reads a package list endpoint's answer strictly, with
// the checks pushed packages get.
func parsePackageList(v core.Vendor, data []byte) ([]core.VendorPackage, error) {
	var list wire.PackageList
	if err := strictjson.Decode(bytes.NewReader(data), &list, "the package list"); err != nil {
		return nil, core.Explain(err, "the package list endpoint's answer is malformed: %s", core.PublicMessage(err, err.Error()))
	}
	ps := make([]core.VendorPackage, len(list.Data))
	for i, p := range list.Data {
		ps[i] = core.VendorPackage{VendorID: v.ID, ID: p.ID, Kind: core.Kind(p.Type), Name: p.Name, Description: p.Description}
	}
	ps, err := checkPackages("data", ps, "", v.Kind)
	if err != nil {
		return nil, core.Explain(err, "the package list endpoint's answer is malformed: %s", err.Error())
	}
	return ps, nil
}

// cacheKey names one package list answer.
type cacheKey struct{ vendorID, accountID, jobID, provider string }

// calloutCache keeps package list answers (failures too, so a broken
// endpoint is not called on every page view) for a while, and makes
// concurrent identical calls share one callout.
type calloutCache struct {
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
	// joined, when set (tests), is called when a caller waits on a call in
	// flight.
	joined func()
}

type cacheEntry struct {
	done    chan struct{} // closed when the call returned
	ps      []core.VendorPackage
	err     error
	expires time.Time
}

func newCalloutCache() *calloutCache { return &calloutCache{entries: map[cacheKey]*cacheEntry{}} }

// sweepAt is the size from which adding an entry first drops expired ones.
const sweepAt = 256

// do returns the cached answer for key, or waits for the call in flight, or
// calls fn and keeps its answer for ttl.
func (c *calloutCache) do(ctx context.Context, key cacheKey, now func() time.Time, ttl time.Duration, fn func() ([]core.VendorPackage, error)) ([]core.VendorPackage, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok {
		select {
		case <-e.done:
			if now().Before(e.expires) {
				c.mu.Unlock()
				return e.ps, e.err
			}
			// Expired: call again.
		default:
			joined := c.joined
			c.mu.Unlock()
			if joined != nil {
				joined()
			}
			select {
			case <-e.done:
				return e.ps, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	if len(c.entries) >= sweepAt {
		t := now()
		for k, old := range c.entries {
			select {
			case <-old.done:
				if !t.Before(old.expires) {
					delete(c.entries, k)
				}
			default:
			}
		}
	}
	e = &cacheEntry{done: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()

	e.ps, e.err = fn()
	e.expires = now().Add(ttl)
	close(e.done)
	return e.ps, e.err
}

// forget drops a vendor's answers, after its package source changed.
func (c *calloutCache) forget(vendorID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.vendorID == vendorID {
			delete(c.entries, k)
		}
	}
}
