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
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"partner_score must be a number", 80, "partner_score must be a number"},
		{"  bad\x00\n\tthing  ", 80, "bad thing"},
		{"\xffx\u200by", 80, "\ufffdx y"},
		{strings.Repeat("a", 10), 9, "aaaaaaaa…"},
		{strings.Repeat("é", 9), 9, strings.Repeat("é", 9)},
	} {
		if got := printable(tc.in, tc.max); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
