// Package atshttp is the one outbound HTTP client of every connector, so
// that every ATS is called, retried and limited the same way. A connector
// writes its wire types and calls, not another client:
//
//   - Client sends a Request: BaseURL+Path (or an absolute URL the ATS handed
//     out, its Query merged in), retrying 429, 5xx and transport errors up to
//     MaxRetries, and a Creates request only on 429; waits longer than
//     MaxInCallWait (a Retry-After, a backoff, the rate limit) end the call
//     with an error that says when (StatusError.RetryAfter, *WaitError), for
//     the job queue to come back then.
//   - Auth sets the credentials: Basic, Bearer, or a Refresher whose token can
//     go stale and which gets exactly one retry on a 401 with a fresh one. A
//     failure to get the credential ends the call.
//   - Limiter is a credential's share of its ATS's limits (RateLimit, or the
//     connector's own; Request.Tag singles out calls it treats apart), shared
//     through a Pool keyed by credential; a ResponseObserver also reads each
//     answer's headers.
//   - A non-2xx answer is a *StatusError: the ATS's code and message as the
//     connector's DecodeError reads them, Retry-After, and the body for
//     connectors that need more. No error text holds a secret of the Auth or
//     the credential sent, whatever a server or a transport echoes back.
//
// The rules it keeps are exported for the rest of Switchboard too: waiting
// with a context, reading Retry-After, exponential backoff with jitter,
// pacing under a rate limit, request timeouts, and a readable snippet of an
// error body.
package atshttp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"switchboard/internal/netguard"
)

// MaxInCallWait is the longest a client waits inside one call, for a retry
// or for its rate limit. A longer wait ends the call with an error that says
// how long (the ATS's own error with its Retry-After, or a *WaitError), so
// that the job queue runs the job again then without a worker held in the
// meantime, and the job re-checks the state of the world when it does.
const MaxInCallWait = time.Second

// Request timeouts. A hanging ATS holds a worker for at most this long per
// request; uploads carry a PDF report, and SmartRecruiters asks for patience
// with them.
const (
	RequestTimeout = 15 * time.Second
	UploadTimeout  = 2 * time.Minute
)

// WaitError ends a call that would have had to wait longer than
// MaxInCallWait for its rate limit: try again after Wait.
type WaitError struct {
	Wait time.Duration
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("rate limit: next request allowed in %s", e.Wait.Round(time.Millisecond))
}

// Pace takes a token of l (nil: no limit) at now() and waits for it through
// sleep. A token further off than MaxInCallWait is handed back unwaited and
// a *WaitError says when to come back.
func Pace(ctx context.Context, l *rate.Limiter, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	if l == nil {
		return nil
	}
	t := now()
	r := l.ReserveN(t, 1)
	if !r.OK() {
		return errors.New("rate limit: no request is ever allowed")
	}
	d := r.DelayFrom(t)
	if d > MaxInCallWait {
		r.CancelAt(t)
		return &WaitError{Wait: d}
	}
	if d > 0 {
		if err := sleep(ctx, d); err != nil {
			r.CancelAt(now())
			return err
		}
	}
	return nil
}

// RetryWait says whether a failed attempt is tried again inside the same
// call, and after how long: only an error worth retrying (Retryable), within
// maxRetries, not after a timeout (a server that hung once would hold the
// worker again), and only when the wait (retryAfter, the server's
// Retry-After, or the backoff) is at most MaxInCallWait. Otherwise the call
// ends and the job queue retries.
func RetryWait(ctx context.Context, err error, attempt, maxRetries int, retryAfter time.Duration) (time.Duration, bool) {
	var ne net.Error
	if !Retryable(err) || attempt >= maxRetries || ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		return 0, false
	}
	d := Backoff(attempt, retryAfter)
	return d, d <= MaxInCallWait
}

// WithTimeout bounds one request: d, or RequestTimeout when d is 0.
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, cmp.Or(d, RequestTimeout))
}

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
