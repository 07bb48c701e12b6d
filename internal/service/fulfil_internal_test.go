package service

import (
	"context"
	"testing"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// stubEngine is an Engine that does nothing; fulfillerOf only hands it out.
type stubEngine struct{ name string }

func (stubEngine) Issue(context.Context, store.Tx, core.Order, core.Vacancy, string, map[string]string) (core.Order, string, error) {
	return core.Order{}, "", nil
}
func (stubEngine) CandidateURL(context.Context, core.Order, string) (string, error) { return "", nil }
func (stubEngine) Cancelled(context.Context, store.Tx, core.Order, core.Vacancy) error {
	return nil
}
func (stubEngine) Resend(context.Context, store.Tx, core.Order, string) error { return nil }
func (stubEngine) HasPDF(context.Context, string) (bool, error)               { return false, nil }
func (stubEngine) PDF(context.Context, core.Order, core.Candidate, core.Vacancy, core.Result) ([]byte, error) {
	return nil, nil
}
func (stubEngine) CompleteTestOrder(context.Context, core.Order) (core.Result, error) {
	return core.Result{}, nil
}

// TestFulfillerOfPicksByVendor: the order path finds a vacancy's fulfiller
// by its vendor id alone: the engine registered under the built-in vendor
// (also for vacancies from before vendors, with no vendor id), every other
// vendor an outside one; and only the engine resends invitations.
func TestFulfillerOfPicksByVendor(t *testing.T) {
	t.Parallel()
	eng := stubEngine{name: "engine"}
	s := &Service{fulfillers: map[string]Fulfiller{core.BuiltinVendorID: eng}}
	for _, tc := range []struct {
		vendorID   string
		wantEngine bool
	}{
		{"", true},
		{core.BuiltinVendorID, true},
		{"vnd_acme", false},
	} {
		f := s.fulfillerOf(core.Vacancy{VendorID: tc.vendorID})
		if got, ok := f.(stubEngine); ok != tc.wantEngine || (ok && got != eng) {
			t.Errorf("vendor %q: fulfiller %T, want the engine: %v", tc.vendorID, f, tc.wantEngine)
		}
		if _, ok := f.(vendorFulfiller); ok == tc.wantEngine {
			t.Errorf("vendor %q: fulfiller %T, want an outside vendor's: %v", tc.vendorID, f, !tc.wantEngine)
		}
		if _, ok := f.(Resender); ok != tc.wantEngine {
			t.Errorf("vendor %q: resends invitations: %v, want %v", tc.vendorID, ok, tc.wantEngine)
		}
	}
}
