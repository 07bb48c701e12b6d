package ats_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/netguard"
)

func TestCallRulesClassify(t *testing.T) {
	t.Parallel()
	errNoKey := errors.New("no key")
	errTooBig := errors.New("too big")
	rules := ats.CallRules{
		Config: []error{errNoKey},
		GiveUp: []error{errTooBig},
		Status: func(se *atshttp.StatusError, f ats.Failure) ats.Failure {
			if se.StatusCode == http.StatusGone {
				return ats.FailGiveUp
			}
			return f
		},
	}
	status := func(code int) error {
		return fmt.Errorf("write back: %w", &atshttp.StatusError{StatusCode: code, RetryAfter: 7 * time.Second})
	}
	cases := []struct {
		name      string
		err       error
		want      ats.Failure
		wantAfter time.Duration
		verdict   bool // a *CallError comes back
	}{
		{"429 with its Retry-After", status(429), ats.FailRetry, 7 * time.Second, true},
		{"401", status(401), ats.FailConfig, 7 * time.Second, true},
		{"400", status(400), ats.FailGiveUp, 7 * time.Second, true},
		{"revised by Status", status(410), ats.FailGiveUp, 7 * time.Second, true},
		{"blocked address", fmt.Errorf("call: %w", netguard.ErrBlocked), ats.FailConfig, 0, true},
		{"a Config error", fmt.Errorf("call: %w", errNoKey), ats.FailConfig, 0, true},
		{"a GiveUp error", fmt.Errorf("call: %w", errTooBig), ats.FailGiveUp, 0, true},
		{"a verdict already", &ats.CallError{Failure: ats.FailGiveUp, Err: status(503)}, ats.FailGiveUp, 0, true},
		{"network", errors.New("connection reset"), ats.FailRetry, 0, false},
		{"rate limit wait", &atshttp.WaitError{Wait: 3 * time.Second}, ats.FailRetry, 3 * time.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rules.Classify(tc.err)
			var ce *ats.CallError
			if errors.As(got, &ce) != tc.verdict || !errors.Is(got, tc.err) {
				t.Fatalf("Classify(%v) = %#v: verdict %v, want %v, wrapping the error", tc.err, got, ce != nil, tc.verdict)
			}
			if f, after := ats.Classify(got); f != tc.want || after != tc.wantAfter {
				t.Errorf("Classify(%v): %s after %s, want %s after %s", tc.err, f, after, tc.want, tc.wantAfter)
			}
		})
	}
	if err := rules.Classify(nil); err != nil {
		t.Errorf("Classify(nil) = %v", err)
	}
}

func TestAnswered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("list: %w", &atshttp.StatusError{StatusCode: 401, Message: "token revoked"}), "401, token revoked"},
		{&atshttp.StatusError{StatusCode: 503}, "HTTP 503"},
		{errors.New("dial tcp: refused"), "dial tcp: refused"},
	} {
		if got := ats.Answered(tc.err); got != tc.want {
			t.Errorf("Answered(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
