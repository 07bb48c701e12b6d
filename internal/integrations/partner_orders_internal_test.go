package integrations

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store/sqlite"
)

// recordingOrders is the order side of partner endpoints, recording which
// integration reached it.
type recordingOrders struct{ got []string }

func (r *recordingOrders) reached(in core.Integration) { r.got = append(r.got, in.ID) }

func (r *recordingOrders) Packages(_ context.Context, in core.Integration) ([]core.Vacancy, error) {
	r.reached(in)
	return nil, nil
}

func (r *recordingOrders) Package(_ context.Context, in core.Integration, _ string) (core.Vacancy, error) {
	r.reached(in)
	return core.Vacancy{}, nil
}

func (r *recordingOrders) Order(_ context.Context, in core.Integration, _ ats.Event) (ats.OrderReceipt, error) {
	r.reached(in)
	return ats.OrderReceipt{}, nil
}

func (r *recordingOrders) Cancel(_ context.Context, in core.Integration, _ ats.Event) error {
	r.reached(in)
	return nil
}

func (r *recordingOrders) Status(_ context.Context, in core.Integration, _ string) (ats.Update, error) {
	r.reached(in)
	return ats.Update{}, nil
}

func (r *recordingOrders) Complaint(_ context.Context, in core.Integration, _ ats.Complaint) error {
	r.reached(in)
	return nil
}

// TestPartnerOrdersSeam pins the rule at the seam between integrations and
// the order side: packages and orders are reached only for an enabled
// integration of the endpoint's own provider (403 while it is not enabled,
// 401 for another provider's or a missing one); a cancellation also for a
// disabled one.
func TestPartnerOrdersSeam(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := sqlite.OpenPath(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Store: st, Connectors: ats.NewRegistry(), Keyring: kr, HTTPClient: http.DefaultClient, BaseURL: "https://sb.example"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// Each in its own account, as it would be in use.
	integration := func(provider string, status core.IntegrationStatus) core.Integration {
		t.Helper()
		acc := core.Account{ID: core.NewID("acc"), Name: "Acme", CreatedAt: now}
		if err := st.CreateAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
		in := core.Integration{ID: core.NewID("int"), AccountID: acc.ID, Provider: provider, Name: provider,
			Status: status, Patterns: []core.Pattern{core.PatternAdHoc}, Settings: map[string]string{},
			WriteBack: core.DefaultWriteBack(), CreatedAt: now, UpdatedAt: now}
		if err := st.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	enabled := integration("smartrecruiters", core.IntegrationEnabled)
	disabled := integration("smartrecruiters", core.IntegrationDisabled)
	draft := integration("smartrecruiters", core.IntegrationDraft)
	other := integration("lever", core.IntegrationEnabled)
	missing := core.Integration{ID: core.NewID("int"), Provider: "smartrecruiters"}

	status := func(err error) int {
		var ie *ats.InboundError
		switch {
		case errors.As(err, &ie):
			return ie.Status
		case err != nil:
			t.Errorf("unexpected error: %v", err)
			return 0
		}
		return http.StatusOK
	}
	cfg := func(in core.Integration) ats.Config { return ats.Config{Integration: in} }
	for _, c := range []struct {
		name string
		call func(pc *partnerCore, in core.Integration) error
		// notEnabled is the answer for a disabled or draft integration.
		notEnabled int
	}{
		{"packages", func(pc *partnerCore, in core.Integration) error { _, err := pc.Packages(ctx, cfg(in)); return err }, http.StatusForbidden},
		{"package", func(pc *partnerCore, in core.Integration) error {
			_, err := pc.Package(ctx, cfg(in), "vac_x")
			return err
		}, http.StatusForbidden},
		{"order", func(pc *partnerCore, in core.Integration) error {
			_, err := pc.Order(ctx, cfg(in), ats.Event{})
			return err
		}, http.StatusForbidden},
		{"cancel", func(pc *partnerCore, in core.Integration) error { return pc.Cancel(ctx, cfg(in), ats.Event{}) }, http.StatusOK},
		// An ATS may still ask about, or complain about, orders of a
		// disabled integration.
		{"status", func(pc *partnerCore, in core.Integration) error {
			_, err := pc.Status(ctx, cfg(in), "ord_x")
			return err
		}, http.StatusOK},
		{"complaint", func(pc *partnerCore, in core.Integration) error { return pc.Complaint(ctx, cfg(in), ats.Complaint{}) }, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			orders := &recordingOrders{}
			pc := &partnerCore{s: s, orders: orders, provider: "smartrecruiters"}
			for _, tc := range []struct {
				what string
				in   core.Integration
				want int
			}{
				{"enabled", enabled, http.StatusOK},
				{"disabled", disabled, c.notEnabled},
				{"draft", draft, c.notEnabled},
				{"another provider's", other, http.StatusUnauthorized},
				{"missing", missing, http.StatusUnauthorized},
			} {
				before := len(orders.got)
				got := status(c.call(pc, tc.in))
				if got != tc.want {
					t.Errorf("%s integration: status %d, want %d", tc.what, got, tc.want)
				}
				if reached := len(orders.got) > before; reached != (tc.want == http.StatusOK) {
					t.Errorf("%s integration: order side reached %v, want %v", tc.what, reached, !reached)
				}
			}
		})
	}
}
