// Package delivery sends events to a vendor's webhook endpoint the way the
// Standard Webhooks spec describes: one POST per attempt, signed with every
// valid secret, the same webhook-id on every attempt of one delivery. It
// makes one attempt at a time and says what came of it; when to try again
// (Schedule, with jitter) is decided here too, but the waiting is the job
// queue's, so no worker is held between attempts.
//
// What an answer means is the vendor contract's (VENDOR.md, the README's
// vendor API section): 2xx accepts (an inline order's answer carries the
// candidate's URL), 422 refuses the order with a message, anything else —
// other statuses, timeouts, refused connections — is a failure worth
// retrying, with Retry-After honoured.
package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
	"switchboard/internal/netguard"
	"switchboard/internal/stdwebhook"
	"switchboard/internal/vendorapi/wire"
)

// Outcome is what an attempt came to.
type Outcome string

const (
	Accepted Outcome = "accepted" // 2xx
	Refused  Outcome = "refused"  // 422: the vendor will not serve the order
	Failed   Outcome = "failed"   // anything else; worth another attempt
)

// Limits on what is read of an answer.
const (
	maxAnswerBytes = 64 << 10
	snippetBytes   = 512
	// maxMessage bounds a vendor's refusal message, which is shown in ATSs.
	maxMessage = 500
)

// Sender makes attempts. Client must be the guarded outbound client.
type Sender struct {
	Client *http.Client
	// UserAgent names this Switchboard to the vendor.
	UserAgent string
}

// Attempt is one try's result: the record to keep, and what it means.
type Attempt struct {
	Outcome    Outcome
	Record     core.DeliveryAttempt
	RetryAfter time.Duration // from a failed answer's Retry-After
	TestURL    string        // from an accepted answer's body, if any
	Message    string        // the refusal's message, or what failed, in a person's words
}

// Send makes one attempt at d to url, signed with secrets at now, giving up
// after timeout.
func (s Sender) Send(ctx context.Context, d core.Delivery, url string, secrets []stdwebhook.Secret, now time.Time, timeout time.Duration) Attempt {
	a := Attempt{Record: core.DeliveryAttempt{DeliveryID: d.ID, At: now}}
	fail := func(msg string) Attempt {
		a.Outcome, a.Message = Failed, msg
		if a.Record.Error == "" && a.Record.Status == 0 {
			a.Record.Error = msg
		}
		return a
	}
	h, err := stdwebhook.Sign(d.ID, now, d.Payload, secrets...)
	if err != nil {
		return fail("the delivery could not be signed: " + err.Error())
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Payload))
	if err != nil {
		return fail("the webhook URL is not usable: " + err.Error())
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if s.UserAgent != "" {
		req.Header.Set("User-Agent", s.UserAgent)
	}
	start := time.Now()
	res, err := s.Client.Do(req)
	if err != nil {
		a.Record.Duration = time.Since(start)
		a.Record.Error = transportError(ctx, err)
		return fail(a.Record.Error)
	}
	defer res.Body.Close()
	body, rerr := io.ReadAll(io.LimitReader(res.Body, maxAnswerBytes+1))
	a.Record.Duration = time.Since(start)
	return answered(a, res.StatusCode, res.Header, body, rerr, now)
}

// answered is what a vendor's answer means: status and body as read (at
// most maxAnswerBytes+1 of it), rerr what broke off the reading.
func answered(a Attempt, status int, h http.Header, body []byte, rerr error, now time.Time) Attempt {
	a.Record.Status = status
	a.Record.Response = snippet(body)
	switch {
	case status >= 200 && status < 300:
		if rerr != nil {
			// The vendor accepted; a broken body only loses the optional URL.
			a.Record.Error = "answer body unreadable: " + rerr.Error()
		}
		a.Outcome = Accepted
		var ans wire.Answer
		if len(body) <= maxAnswerBytes && json.Unmarshal(body, &ans) == nil {
			a.TestURL = ans.TestURL
		}
		return a
	case status == http.StatusUnprocessableEntity:
		a.Outcome = Refused
		var r wire.Refusal
		_ = json.Unmarshal(body, &r) // a refusal without a readable message still refuses
		a.Message = truncate(atshttp.Snippet([]byte(r.Message)), maxMessage)
		if a.Message == "" {
			a.Message = "the vendor refused the order without saying why"
		}
		return a
	}
	a.Outcome = Failed
	a.RetryAfter = atshttp.ParseRetryAfter(h.Get("Retry-After"), now)
	a.Message = fmt.Sprintf("the endpoint answered %d %s", status, http.StatusText(status))
	return a
}

// transportError says in a few words why no answer came.
func transportError(ctx context.Context, err error) string {
	switch {
	case errors.Is(err, netguard.ErrBlocked):
		return "the webhook URL points to a private address, which this Switchboard does not call"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "no answer in time"
	}
	return "no answer: " + err.Error()
}

func snippet(b []byte) string {
	if len(b) > snippetBytes {
		b = b[:snippetBytes]
	}
	return string(bytes.ToValidUTF8(b, nil))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Schedule is the wait before each retry: after the first attempt fails,
// the second comes Schedule()[0] later, and so on; when the list runs out
// the delivery has failed. Svix's schedule, stretched to about three days
// (75 h 35 m in all) so a vendor's weekend outage loses nothing.
func Schedule() []time.Duration {
	return []time.Duration{
		5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
		10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour,
	}
}

// MaxAttempts is how many attempts a delivery gets.
func MaxAttempts() int { return len(Schedule()) + 1 }

// NextWait returns how long to wait after attempt number n (1-based) failed,
// or false when that was the last. The wait is the schedule's, moved by up
// to ±10% by jitter (in [0, 1); 0.5 moves it not at all), so deliveries that
// failed together do not retry together, and never shorter than retryAfter.
func NextWait(n int, retryAfter time.Duration, jitter float64) (time.Duration, bool) {
	sch := Schedule()
	if n < 1 || n > len(sch) {
		return 0, false
	}
	w := time.Duration(float64(sch[n-1]) * (0.9 + 0.2*min(max(jitter, 0), 1)))
	return max(w, retryAfter), true
}
