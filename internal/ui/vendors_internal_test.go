package ui

import (
	"strings"
	"testing"
	"time"

	"switchboard/internal/core"
)

func TestEndpointHealth(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	active := core.Vendor{Status: core.VendorActive, WebhookURL: "https://hooks.example/x"}
	with := func(change func(v *core.Vendor)) core.Vendor { v := active; change(&v); return v }
	tests := []struct {
		name      string
		v         core.Vendor
		class     string
		wantParts []string
	}{
		{"receiving", active, "ok", []string{"Receiving"}},
		{"no endpoint", with(func(v *core.Vendor) { v.WebhookURL = "" }), "warn", []string{"No webhook endpoint", "fetch"}},
		{"failing", with(func(v *core.Vendor) { v.FailingSince = at }), "warn", []string{"Failing since 26 Nov 2026 09:30 UTC"}},
		{"disabled", with(func(v *core.Vendor) {
			v.FailingSince, v.EndpointDisabledAt, v.EndpointDisabledReason = at, at.Add(120*time.Hour), "failing since …: HTTP 503"
		}), "bad", []string{"Disabled since 1 Dec 2026 09:30 UTC", "HTTP 503", "replay"}},
		{"vendor disabled", with(func(v *core.Vendor) { v.Status = core.VendorDisabled; v.FailingSince = at }), "bad", []string{"operator disabled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := endpointHealth(tt.v)
			if h.Class != tt.class {
				t.Errorf("class %q, want %q", h.Class, tt.class)
			}
			for _, p := range tt.wantParts {
				if !strings.Contains(h.Text, p) {
					t.Errorf("%q lacks %q", h.Text, p)
				}
			}
		})
	}
}
