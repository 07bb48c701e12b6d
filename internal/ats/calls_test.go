package ats_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"switchboard/internal/ats"
)

func TestProviderClientTagsRequests(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	var seen []string
	base := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, ats.ProviderOf(r.Context()))
		return http.DefaultTransport.RoundTrip(r)
	})}
	for _, c := range []*http.Client{ats.ProviderClient(base, "lever"), base} {
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(seen) != 2 || seen[0] != "lever" || seen[1] != "" {
		t.Fatalf("providers seen by the transport: %q, want [lever \"\"] (the base client untouched)", seen)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
