// Package atshttp holds the HTTP mechanics every ATS client needs alike:
// waiting with a context, reading Retry-After, exponential backoff with
// jitter, and a readable snippet of an error body. Each connector keeps its
// own client, auth and error types; only these rules are shared, so that
// every ATS is retried the same way.
package atshttp

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"switchboard/internal/netguard"
)

// Backoff bounds: the first retry waits about BackoffBase, doubling up to BackoffCap.
const (
	BackoffBase = 500 * time.Millisecond
	BackoffCap  = 30 * time.Second
)

// Sleep waits d or until ctx ends, whichever is first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is retryAfter when the server gave one, else exponential with
// equal jitter: a uniform delay in [d/2, d], d = BackoffBase·2^attempt,
// capped at BackoffCap. Jitter keeps many workers from retrying in step.
func Backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	d := BackoffCap
	if attempt < 16 {
		d = min(BackoffBase<<attempt, BackoffCap)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// maxRetryAfter bounds a Retry-After in either form, so that no server can
// make a wait that overflows when added to a time.
const maxRetryAfter = (1 << 31) * time.Second

// ParseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or
// invalid, at most maxRetryAfter.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// Snippet is the start of a non-JSON error body, as printable text: every
// unprintable rune (controls, DEL, C1 and bidi controls, which could rewrite
// a log line or a terminal) becomes a space.
func Snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		b = b[:n]
	}
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// TransportError is a failure to get a complete response (connection
// refused or cut, timeout, unreadable body): worth retrying.
type TransportError struct{ Err error }

func (e *TransportError) Error() string { return e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// Retryable reports whether trying again may succeed: a transport error, or
// an error that says it is temporary (an ATS client's 429 or 5xx), but never
// a destination refused by the private-address policy, which will be refused
// again.
func Retryable(err error) bool {
	if errors.Is(err, netguard.ErrBlocked) {
		return false
	}
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
