package service

import (
	"strings"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/core"
)

// An order stored before callbacks were sealed (migration 0013) still
// hands its connector the plain callback URL.
func TestCallbackOfAnOldOrder(t *testing.T) {
	t.Parallel()
	s := &Service{}
	got, err := s.callback(core.Order{ID: "ord_1", CallbackURL: "https://api.smartrecruiters.com/orders/1/results"})
	if err != nil || got != (ats.Callback{URL: "https://api.smartrecruiters.com/orders/1/results"}) {
		t.Fatalf("callback of an old order: %+v, %v", got, err)
	}
	if got, err := s.callback(core.Order{ID: "ord_2"}); err != nil || got != (ats.Callback{}) {
		t.Fatalf("callback of an order without one: %+v, %v", got, err)
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"partner_score must be a number", "partner_score must be a number"},
		{"  bad\x00\n\tthing  ", "bad thing"},
		{"\xffx\u200by", "\ufffdx y"},
		{strings.Repeat("a", 10), "aaaaaaaa…"},
	} {
		if got := printable(tc.in, 9); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
