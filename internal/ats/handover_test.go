package ats_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/ats/lever"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/ats/workable"
)

// TestHandOverURLs: each partner connector hands its ATS the URLs it names,
// under the endpoint base, and every one that is more than the base is a
// URL the connector's endpoints answer; a connector the ATS does not call
// hands over nothing.
func TestHandOverURLs(t *testing.T) {
	t.Parallel()
	const base = "https://sb.example/partners/"
	tests := []struct {
		conn ats.Connector
		want []string // labels
	}{
		{workable.NewConnector(workable.ConnectorOptions{}), []string{"Provider base URL"}},
		{ashby.NewConnector(ashby.ConnectorOptions{}), []string{"Partner base URL"}},
		{greenhouse.NewConnector(greenhouse.ConnectorOptions{}), []string{
			"List tests URL (list_tests)", "Send test URL (send_test)", "Test status URL (test_status)", "Response error URL (response_error)"}},
		{sr.NewConnector(sr.ConnectorOptions{}), []string{
			"Consent page", "OAuth token", "Assessment packages", "Package orders", "Inline orders", "Integration disable"}},
		{lever.NewConnector(lever.ConnectorOptions{}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.conn.Provider(), func(t *testing.T) {
			t.Parallel()
			prefix := "/partners/" + tt.conn.Provider()
			got := ats.HandOverURLs(tt.conn, "https://sb.example"+prefix)
			if len(got) != len(tt.want) {
				t.Fatalf("hands over %+v, want %d URLs labelled %q", got, len(tt.want), tt.want)
			}
			pe, _ := tt.conn.(ats.PartnerEndpoints)
			mux := http.NewServeMux()
			if pe != nil {
				pe.RegisterPartner(mux, prefix, nil)
			}
			for i, u := range got {
				if u.Label != tt.want[i] {
					t.Errorf("URL %d labelled %q, want %q", i, u.Label, tt.want[i])
				}
				if !strings.HasPrefix(u.URL, base+tt.conn.Provider()) {
					t.Errorf("%s: %q is not under the endpoint base", u.Label, u.URL)
				}
				if u.URL == base+tt.conn.Provider() {
					continue
				}
				if !served(mux, u.URL) {
					t.Errorf("%s: nothing answers %s", u.Label, u.URL)
				}
			}
		})
	}
}

// served reports whether mux routes url for some method.
func served(mux *http.ServeMux, url string) bool {
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		if _, pattern := mux.Handler(httptest.NewRequest(m, url, nil)); pattern != "" {
			return true
		}
	}
	return false
}

// TestHandOverDefaultsToTheBase: a partner connector that names no URLs
// hands over its endpoint base.
func TestHandOverDefaultsToTheBase(t *testing.T) {
	t.Parallel()
	got := ats.HandOverURLs(basePartner{}, "https://sb.example/partners/x")
	if len(got) != 1 || got[0].URL != "https://sb.example/partners/x" || got[0].Label != "Endpoint URL" {
		t.Fatalf("hands over %+v", got)
	}
}

type basePartner struct{ ats.Connector }

func (basePartner) RegisterPartner(*http.ServeMux, string, ats.PartnerCore) {}
func (basePartner) InboundAuth() ats.InboundAuth                            { return ats.InboundBearer }
