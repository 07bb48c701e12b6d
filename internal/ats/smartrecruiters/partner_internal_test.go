package smartrecruiters

import (
	"errors"
	"fmt"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
	"switchboard/internal/netguard"
)

func TestAllowedRedirect(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		base, redirect string
		want           bool
	}{
		{DefaultBaseURL, "https://www.smartrecruiters.com/app/settings/integrations", true},
		{DefaultBaseURL, "https://smartrecruiters.com/x", true},
		{DefaultBaseURL, "https://eu.app.smartrecruiters.com/x", true},
		{DefaultBaseURL, "http://www.smartrecruiters.com/x", false},          // downgrade
		{DefaultBaseURL, "https://smartrecruiters.com.evil.example/", false}, // suffix trick
		{DefaultBaseURL, "https://evilsmartrecruiters.com/", false},
		{DefaultBaseURL, "//www.smartrecruiters.com/x", false}, // no scheme
		{DefaultBaseURL, "javascript:alert(1)", false},
		{DefaultBaseURL, "", false},
		{"http://127.0.0.1:4100", "http://127.0.0.1:4100/marketplace/companies/c/connected", true},
		{"http://127.0.0.1:4100", "http://127.0.0.1:4200/elsewhere", false},
		{"http://127.0.0.1:4100", "http://localhost:4100/x", false},
		{"https://sandbox.example", "https://other.example/", false},
	} {
		if got := allowedRedirect(c.base, c.redirect); got != c.want {
			t.Errorf("allowedRedirect(%q, %q) = %v, want %v", c.base, c.redirect, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	api := func(status int) error {
		return fmt.Errorf("wrapped: %w", &atshttp.StatusError{StatusCode: status, Method: "PATCH", Path: "/x"})
	}
	for _, c := range []struct {
		err   error
		state core.State
		want  ats.Failure
	}{
		{api(429), core.StateCompleted, ats.FailRetry},
		{api(503), core.StateCompleted, ats.FailRetry},
		{api(401), core.StateCompleted, ats.FailConfig},
		{api(403), core.StateInvited, ats.FailConfig},
		{api(400), core.StateCompleted, ats.FailGiveUp},
		{api(404), core.StateCompleted, ats.FailGiveUp},
		// The first status may race SmartRecruiters' record of the order.
		{api(404), core.StateInvited, ats.FailRetry},
		{fmt.Errorf("x: %w", errNotConnected), core.StateInvited, ats.FailConfig},
		{fmt.Errorf("x: %w", netguard.ErrBlocked), core.StateInvited, ats.FailConfig},
		{fmt.Errorf("x: %w", ErrNoLabelValue), core.StateCompleted, ats.FailConfig},
		{fmt.Errorf("x: %w", ErrAttachmentTooLarge), core.StateCompleted, ats.FailGiveUp},
		{errors.New("connection reset"), core.StateCompleted, ats.FailRetry},
	} {
		if got, _ := ats.Classify(classify(c.err, c.state)); got != c.want {
			t.Errorf("classify(%v, %s) = %s, want %s", c.err, c.state, got, c.want)
		}
	}
}

func TestPartnerConfigurationFor(t *testing.T) {
	t.Parallel()
	cfg := PartnerConfigurationFor("https://switchboard.example/partners/smartrecruiters/")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := ExpandURL(cfg.SingleAssessmentPackageURL, "{assessmentPackageId}", "vac_1"); got != "https://switchboard.example/partners/smartrecruiters/packages/vac_1" {
		t.Errorf("single package URL %s", got)
	}
	if got := ExpandURL(cfg.IntegrationDisableURL, "{companyId}", "c1"); got != "https://switchboard.example/partners/smartrecruiters/integrations/companies/c1" {
		t.Errorf("disable URL %s", got)
	}
}

func TestDescription(t *testing.T) {
	t.Parallel()
	d := NewConnector(ConnectorOptions{}).Describe()
	if d.Name != "SmartRecruiters" || len(d.Patterns) != 2 || !d.CustomFields {
		t.Errorf("description %+v", d)
	}
	for kind := range core.DefaultWriteBack().Reports.Kinds() {
		found := false
		for _, k := range d.Reports {
			found = found || k == kind
		}
		if !found {
			t.Errorf("report kind %s is not offered", kind)
		}
	}
}
