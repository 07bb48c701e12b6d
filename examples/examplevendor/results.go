package examplevendor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The vendor's fixed catalogue.
var catalogue = []Package{
	{ID: "cog-20", Name: "Cognitive ability", Description: "20 minutes of numerical, verbal and logical reasoning.", Type: KindAssessment},
	{ID: "sjt-1", Name: "Situational judgement", Description: "Workplace scenarios: choose the best and worst response.", Type: KindAssessment},
	{ID: "bg-basic", Name: "Basic background check", Description: "Identity and criminal records check.", Type: KindBackgroundCheck},
}

// Catalogue returns every package the vendor offers.
func Catalogue() []Package { return append([]Package(nil), catalogue...) }

// PackagesFor is the package list for a job: the whole catalogue, except
// that a job whose id contains "no-bg" is offered no background checks.
func PackagesFor(jobID string) []Package {
	out := make([]Package, 0, len(catalogue))
	for _, p := range catalogue {
		if p.Type == KindBackgroundCheck && strings.Contains(jobID, "no-bg") {
			continue
		}
		out = append(out, p)
	}
	return out
}

func findPackage(id string) (Package, bool) {
	for _, p := range catalogue {
		if p.ID == id {
			return p, true
		}
	}
	return Package{}, false
}

// PassMark is the lowest assessment score that passes.
const PassMark = 60

// ScoreFor is the assessment score, 40 to 100, that a candidate with this
// email (trimmed, lower-cased) gets on every package: deterministic, so
// tests can assert it. A candidate without an email is scored on their
// Switchboard candidate id instead.
func ScoreFor(email string) int {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return 40 + int(binary.BigEndian.Uint32(h[:4])%61)
}

// ScoreOutcome is result.value for an assessment score: "passed" from
// PassMark up, else "failed".
func ScoreOutcome(score int) string {
	if score >= PassMark {
		return "passed"
	}
	return "failed"
}

// ConsiderFor reports whether a background check on this email comes back
// "Consider" (failed): when its local part contains "consider", as in
// jo+consider@example.com; every other check is "Clear" (passed).
func ConsiderFor(email string) bool {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	return strings.Contains(local, "consider")
}

// resultFor computes the final result of o, submitted at.
func resultFor(o *Order, at time.Time) ResultBody {
	link := o.baseLink + "/reports/" + url.PathEscape(o.ID)
	b := ResultBody{
		ID:             o.ID,
		ResultURL:      link,
		Attachments:    []Attachment{{URL: link + ".pdf", ContentType: Value{Value: "pdf"}}},
		StartDate:      o.AcceptedAt.UTC().Format(time.RFC3339),
		SubmissionDate: at.UTC().Format(time.RFC3339),
	}
	p, _ := findPackage(o.Package.ID)
	if p.Type == KindBackgroundCheck {
		if ConsiderFor(o.Email()) {
			b.Result = &Value{"failed", "consider"}
			b.Summary = "<p><strong>Consider</strong> — one record needs review: a county court record under this name.</p>"
		} else {
			b.Result = &Value{"passed", "clear"}
			b.Summary = "<p><strong>Clear</strong> — no records found.</p>"
		}
		return b
	}
	who := o.Email()
	if who == "" {
		who = o.Candidate.ID
	}
	score := ScoreFor(who)
	b.Score = &Score{Label: p.Name, Value: strconv.Itoa(score), Min: "0", Max: "100"}
	b.Result = &Value{Value: ScoreOutcome(score)}
	b.Summary = fmt.Sprintf("<p><strong>%s</strong>: %d out of 100 (pass mark %d).</p><ul><li>Candidate: %s</li></ul>",
		html.EscapeString(p.Name), score, PassMark, html.EscapeString(o.Name()))
	return b
}

// work posts an order's in-progress update and, unless the vendor is
// manual, its result after ResultDelay.
func (v *Vendor) work(orderID string) {
	v.mu.Lock()
	o := *v.orders[orderID]
	v.mu.Unlock()
	progress := ResultBody{Result: &Value{Value: "in_progress"}, StartDate: o.AcceptedAt.UTC().Format(time.RFC3339)}
	err := v.patch(v.ctx, &o, progress)
	if err == nil {
		v.record(orderID, StateInProgress, progress, nil)
	} else {
		v.record(orderID, "", progress, err)
	}
	close(o.started) // Complete may post the result now: it cannot overtake the update
	if v.cfg.Manual {
		return
	}
	if err := v.sleep(v.ctx, v.cfg.ResultDelay); err != nil {
		return // closing
	}
	if err := v.complete(v.ctx, orderID); err != nil && !errors.Is(err, errNotOpen) {
		v.log.Error("posting a result failed", "order", orderID, "err", err)
	}
}

// errNotOpen: the order has no result left to post.
var errNotOpen = errors.New("order is not open")

// Complete posts an order's result now, with retries, and returns when
// Switchboard has accepted it or it failed. It is for a Manual vendor; it
// fails for an unknown, refused, cancelled or already completed order.
func (v *Vendor) Complete(ctx context.Context, orderID string) error {
	return v.complete(ctx, orderID)
}

func (v *Vendor) complete(ctx context.Context, orderID string) error {
	v.mu.Lock()
	p, ok := v.orders[orderID]
	if !ok {
		v.mu.Unlock()
		return fmt.Errorf("examplevendor: no order %q", orderID)
	}
	if started := p.started; started != nil {
		// A result posted before the in-progress update would be refused
		// (Switchboard answers 409 to an update of a completed order).
		v.mu.Unlock()
		select {
		case <-started:
		case <-ctx.Done():
			return fmt.Errorf("examplevendor: order %s: waiting for its in-progress update: %w", orderID, ctx.Err())
		}
		v.mu.Lock()
	}
	if p.claimed || (p.State != StateAccepted && p.State != StateInProgress) {
		state := p.State
		v.mu.Unlock()
		return fmt.Errorf("examplevendor: order %s is %s: %w", orderID, state, errNotOpen)
	}
	p.claimed = true
	res := resultFor(p, v.now())
	p.result = &res // the report pages serve it from now on: Switchboard may fetch the PDF while the PATCH is in flight
	o := *p
	v.mu.Unlock()

	err := v.patch(ctx, &o, res)
	state := StateCompleted
	if err != nil {
		state = StateFailed
	}
	v.record(orderID, state, res, err)
	return err
}

// record notes an update's outcome on the order.
func (v *Vendor) record(orderID string, state State, body ResultBody, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	o := v.orders[orderID]
	if err != nil {
		o.Err = err.Error()
		if state != "" && o.State != StateCancelled {
			o.State = state
		}
		return
	}
	o.Posted = append(o.Posted, body)
	if o.State != StateCancelled || state == StateCompleted {
		o.State = state
	}
}

// Retry policy for the vendor's own PATCHes: 5xx, 429 and network errors
// are retried up to maxAttempts times, waiting Retry-After when Switchboard
// gives one (refusing to wait longer than maxRetryAfter) and doubling from
// one second otherwise. 4xx is the vendor's mistake and is not retried.
const (
	maxAttempts   = 5
	maxRetryAfter = 5 * time.Minute
)

// patch sends one update to the order's results_update_url.
func (v *Vendor) patch(ctx context.Context, o *Order, body ResultBody) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encoding the update: %w", err)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(v.cfg.Key+":"))
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, o.ResultsUpdateURL, bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("building the update request: %w", err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("x-account-id", o.AccountID)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		wait, err := v.send(req, o.ID)
		if err == nil {
			v.log.Info("update accepted", "order", o.ID, "result", body.Result.Value)
			return nil
		}
		if wait < 0 || attempt == maxAttempts {
			return fmt.Errorf("posting the update of order %s (attempt %d): %w", o.ID, attempt, err)
		}
		if wait == 0 {
			wait, backoff = backoff, backoff*2
		}
		if wait > maxRetryAfter {
			return fmt.Errorf("posting the update of order %s: Switchboard asked to retry after %s, longer than %s: %w", o.ID, wait, maxRetryAfter, err)
		}
		v.log.Warn("update not accepted; retrying", "order", o.ID, "attempt", attempt, "wait", wait, "err", err)
		if err := v.sleep(ctx, wait); err != nil {
			return fmt.Errorf("posting the update of order %s: %w", o.ID, err)
		}
	}
}

// send makes one attempt. On failure it returns how long to wait before
// the next: -1 never retry, 0 back off, >0 what Retry-After asked.
func (v *Vendor) send(req *http.Request, orderID string) (time.Duration, error) {
	resp, err := v.client.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return -1, err
		}
		return 0, err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10)) // a short or failed read still leaves a usable status
	if resp.StatusCode/100 == 2 {
		return 0, nil
	}
	// StackOne's error body: {"statusCode", "message", "errors": [{field, message}]}.
	v.log.Error("Switchboard refused an update", "order", orderID, "status", resp.StatusCode, "body", string(snippet))
	var e struct {
		Message string `json:"message"`
		Errors  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	json.Unmarshal(snippet, &e) // not JSON: the status alone says enough
	msg := fmt.Sprintf("Switchboard answered %s", resp.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	for _, f := range e.Errors {
		msg += fmt.Sprintf("; %s: %s", f.Field, f.Message)
	}
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
		return -1, errors.New(msg)
	}
	return retryAfter(resp.Header.Get("Retry-After"), v.now()), errors.New(msg)
}

// retryAfter reads Retry-After as seconds or an HTTP date; 0 when absent
// or unreadable, so the caller backs off on its own.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64); err == nil && s >= 0 {
		if s > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter + time.Second // too long: the caller gives up
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
