// Package vendorapitest holds the vendor API's OpenAPI document to account
// in tests: Client's transport checks every request to the vendor API and
// every response from it against the document vendorapi serves, so a test
// that drives the API (the example vendor's e2e tests) fails when the
// handlers and the contract disagree.
package vendorapitest

import (
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/openapicheck"
	"switchboard/internal/vendorapi"
)

// Client is an HTTP client whose transport (base, or
// http.DefaultTransport when nil) checks every request to
// vendorapi.Prefix/… and every response from it against the document, and
// fails t (t.Errorf: the transport may run on another goroutine) on each
// difference. The document's own routes (openapi.json, docs) are not checked.
func Client(t testing.TB, base http.RoundTripper) *http.Client {
	t.Helper()
	doc, err := vendorapi.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	v, err := openapicheck.New(doc)
	if err != nil {
		t.Fatal(err)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{Transport: &transport{t: t, v: v, base: base}}
}

type transport struct {
	t    testing.TB
	v    *openapicheck.Validator
	base http.RoundTripper
}

func (tr *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !checked(r.URL.Path) {
		return tr.base.RoundTrip(r)
	}
	if err := tr.v.Request(r); err != nil {
		tr.t.Errorf("vendorapitest: %v", err)
	}
	resp, err := tr.base.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if err := tr.v.Response(r, resp); err != nil {
		tr.t.Errorf("vendorapitest: %v", err)
	}
	return resp, nil
}

func checked(path string) bool {
	rest, ok := strings.CutPrefix(path, vendorapi.Prefix+"/")
	return ok && rest != "openapi.json" && rest != "docs"
}
