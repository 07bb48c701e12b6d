package service

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// A validation run ("Run a test order") is the seed's "Validating Integration
// Setup" done for real: a test candidate is created in the ATS and ordered the
// way a recruiter orders, the order travels through Switchboard like any
// other (webhook, invitation, result, write-back jobs), and the ATS is read
// back to show what a recruiter would see. Only the candidate is simulated:
// the assessment is completed with a fixed set of answers.

// Names of the lines the core adds to a run's checklist; the connector adds
// its own before (creating and ordering) and after (what arrived).
const (
	CheckRunSupported       = "Test orders are supported for this ATS"
	CheckOrderReceived      = "Order received by Switchboard"
	CheckInvitationIssued   = "Invitation issued"
	CheckAssessmentComplete = "Assessment completed"
	CheckWriteBackFinished  = "Write-back finished without errors"
)

// TestCandidateName is the name test candidates get in the ATS.
const TestCandidateName = "Switchboard Test Candidate"

const (
	// validationRunTimeout bounds a whole run. It stays under the HTTP
	// server's 60 s write timeout so the page that started the run can
	// still show the outcome.
	validationRunTimeout = 45 * time.Second
	// inspectReserve is kept back from the waits for reading the ATS (at
	// most a quarter of the time left), so a run that timed out waiting
	// still shows what did arrive.
	inspectReserve = 5 * time.Second
	pollEvery      = 150 * time.Millisecond
)

// ValidationRun is the outcome of one test order.
type ValidationRun struct {
	Provider  string // the ATS's name, e.g. "Lever"
	Supported bool   // the connector can run test orders
	// Checks is the checklist, in the order things happened; a run stops at
	// the first failure that makes the rest meaningless.
	Checks []ats.Check
	// Candidate is the test candidate in the ATS (ProfileURL links to it),
	// once created; JobName is the ATS job it was put on.
	Candidate ats.Candidate
	JobName   string
	OrderID   string       // Switchboard's order, once received
	Result    *core.Result // the result recorded, once completed
	Duration  time.Duration
}

// Passed reports whether the run was possible and every line is green.
func (r ValidationRun) Passed() bool { return r.Supported && len(r.Checks) > 0 && ats.Passed(r.Checks) }

func (r *ValidationRun) pass(name string) {
	r.Checks = append(r.Checks, ats.Check{Name: name, OK: true})
}
func (r *ValidationRun) fail(name, problem string) {
	r.Checks = append(r.Checks, ats.Check{Name: name, Problem: problem})
}

// RunValidation runs a test order for a vacancy through an enabled
// integration and returns its checklist. Super admins only: it creates a
// candidate in the customer's ATS. What goes wrong in the ATS or in
// Switchboard is a red line with the reason; an error means the run could
// not start (forbidden, not found, not enabled, an inline vacancy) or the
// caller went away.
func (s *Service) RunValidation(ctx context.Context, actor core.User, integrationID, vacancyID string) (ValidationRun, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return ValidationRun{}, fmt.Errorf("run validation: %w", core.ErrForbidden)
	}
	in, err := s.d.Integrations.IntegrationFor(ctx, s.d.Store, actor, integrationID)
	if err != nil {
		return ValidationRun{}, fmt.Errorf("run validation: %w", err)
	}
	conn, cfg, err := s.d.Integrations.ConnectorConfig(ctx, s.d.Store, in)
	if err != nil {
		return ValidationRun{}, fmt.Errorf("run validation: %w", err)
	}
	desc := conn.Describe()
	run := ValidationRun{Provider: desc.Name}
	runner, ok := conn.(ats.SandboxRunner)
	if !ok || !desc.TestOrders {
		run.fail(CheckRunSupported, fmt.Sprintf("running a test order is not supported for %s: use \"Validate integration\" to check its configuration, then order for a real candidate", run.Provider))
		return run, nil
	}
	run.Supported = true
	if in.Status != core.IntegrationEnabled {
		return run, core.Explain(fmt.Errorf("run validation: integration %s is %s: %w", in.ID, in.Status, ErrNotEnabled),
			"the integration %q is %s: enable it first, a disabled integration refuses orders, test orders too", in.Name, in.Status)
	}
	vac, err := s.vacancyFor(ctx, s.d.Store, actor, vacancyID)
	if err != nil {
		return run, fmt.Errorf("run validation: %w", err)
	}
	if vac.IsInline() {
		return run, core.Invalid("vacancy", fmt.Sprintf("%q is inline: it is taken during the application, which a test order cannot do", vac.Name))
	}
	// A test order is completed by answering the built-in engine's
	// questions; an outside vendor's package has none here to answer.
	if !vac.Builtin() {
		return run, core.Invalid("vacancy", fmt.Sprintf("%q is an outside vendor's package, which the vendor completes: run the test order with a built-in vacancy", vac.Name))
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, validationRunTimeout)
	defer cancel()
	// The caller's deadline may be shorter than ours; keep a share of what
	// is left for reading the ATS either way.
	deadline, _ := ctx.Deadline()
	reserve := min(inspectReserve, time.Until(deadline)/4)
	waitCtx, cancelWait := context.WithDeadline(ctx, deadline.Add(-reserve))
	defer cancelWait()
	timedOut := func(what string) string {
		return fmt.Sprintf("timed out after %s waiting for %s", time.Since(start).Round(time.Second), what)
	}
	finish := func() (ValidationRun, error) {
		run.Duration = time.Since(start)
		if errors.Is(ctx.Err(), context.Canceled) {
			// The caller went away (a closed page); nobody reads the checklist.
			return run, fmt.Errorf("run validation: %w", ctx.Err())
		}
		s.d.Logger.InfoContext(ctx, "test order run", "integration_id", in.ID, "vacancy_id", vac.ID,
			"order_id", run.OrderID, "passed", run.Passed(), "duration", run.Duration)
		return run, nil
	}

	// 1. The connector creates the candidate and orders, as a recruiter would.
	since := s.now()
	to, steps := runner.StartTestOrder(ctx, cfg, ats.TestOrderRequest{
		Vacancy:   vac.Vacancy,
		Candidate: ats.Candidate{Name: TestCandidateName, Email: testCandidateEmail()},
	})
	run.Checks = append(run.Checks, steps...)
	if len(steps) == 0 || !ats.Passed(steps) {
		return finish()
	}
	run.Candidate, run.JobName = to.Candidate, to.JobName

	// 2. The ATS tells Switchboard, which creates the order.
	o, err := s.awaitTestOrder(waitCtx, in, to, since)
	if err != nil {
		problem := fmt.Sprintf("could not look for the order: %v", err)
		if waitCtx.Err() != nil {
			problem = timedOut("the order") + s.noOrderHint(conn, in, to)
		}
		run.fail(CheckOrderReceived, problem)
		return finish()
	}
	run.OrderID = o.ID
	// The order travelled as a real one; from here on lists tell it apart.
	if err := s.d.Store.MarkOrderTest(ctx, o.ID); err != nil {
		run.fail(CheckOrderReceived, fmt.Sprintf("could not mark order %s as a test order: %v", o.ID, err))
		return finish()
	}
	o.Test = true
	run.pass(CheckOrderReceived)

	// 3. The invitation goes out and the ATS is told. A candidate takes time
	// to open their email, so the run waits for both before completing:
	// otherwise "invited" could reach the ATS after the result.
	invited := func(es []core.TimelineEntry) bool {
		return (o.Mode == core.ModeInline || hasEntry(es, "email", "")) && hasEntry(es, "write_back", core.StateInvited)
	}
	w := s.awaitTimeline(waitCtx, o.ID, 0, invited)
	switch {
	case o.Mode == core.ModeInline || hasEntry(w.entries, "email", ""):
		run.pass(CheckInvitationIssued)
	case w.gaveUp != "":
		run.fail(CheckInvitationIssued, w.gaveUp)
	case w.err != nil && waitCtx.Err() != nil:
		run.fail(CheckInvitationIssued, timedOut("the invitation email")+w.lastFailure())
		return finish()
	default:
		run.fail(CheckInvitationIssued, fmt.Sprintf("could not read the order's timeline: %v", w.err))
		return finish()
	}

	// 4. The assessment is completed as the built-in engine would: the
	// vacancy's package scored on a fixed set of answers.
	res, err := s.d.Engine.CompleteTestOrder(ctx, o)
	if err != nil {
		run.fail(CheckAssessmentComplete, err.Error())
		return finish()
	}
	run.Result = &res
	run.pass(CheckAssessmentComplete)

	// 5. The completed write-back runs as a job; wait for it to finish.
	// Failures seen so far belong to the invitation and are reported below,
	// so the wait looks only at what comes after them.
	invitedGaveUp := w.gaveUp
	w = s.awaitTimeline(waitCtx, o.ID, len(w.entries), func(es []core.TimelineEntry) bool {
		return hasEntry(es, "write_back", core.StateCompleted)
	})
	var p []string
	if !hasEntry(w.entries, "write_back", core.StateInvited) {
		p = append(p, "the ATS was not told the candidate is invited"+colonOr(invitedGaveUp))
	}
	if !hasEntry(w.entries, "write_back", core.StateCompleted) {
		switch {
		case w.gaveUp != "":
			p = append(p, "the ATS was not told the assessment is completed: "+w.gaveUp)
		case waitCtx.Err() != nil:
			p = append(p, timedOut("the write-back of the result")+w.lastFailure())
		default:
			p = append(p, fmt.Sprintf("could not read the order's timeline: %v", w.err))
		}
	}
	if len(p) == 0 {
		run.pass(CheckWriteBackFinished)
	} else {
		run.fail(CheckWriteBackFinished, strings.Join(p, "; "))
	}

	// 6. What arrived in the ATS, read back by the connector. Even after a
	// failed write-back this shows which items did land.
	want, err := s.testExpectation(ctx, o)
	if err != nil {
		run.fail("Result read back from "+run.Provider, fmt.Sprintf("could not load the order to compare with: %v", err))
		return finish()
	}
	run.Checks = append(run.Checks, runner.InspectTestOrder(ctx, cfg, to, want)...)
	return finish()
}

func colonOr(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// testCandidateEmail is unique per run, so a run finds its own order and an
// ATS that merges candidates by email keeps runs apart. example.com never
// receives mail (RFC 2606).
func testCandidateEmail() string {
	return "switchboard-test-" + strings.ToLower(rand.Text()[:12]) + "@example.com"
}

func (s *Service) noOrderHint(conn ats.Connector, in core.Integration, t ats.TestOrder) string {
	var b strings.Builder
	if t.NoOrderHint != "" {
		b.WriteString("; " + t.NoOrderHint)
	}
	if _, ok := conn.(ats.WebhookReceiver); ok {
		b.WriteString(" (webhook URL: " + s.d.Integrations.WebhookURL(in) + ")")
	}
	return b.String()
}

// awaitTestOrder polls for the order of the test candidate: an order of the
// integration, created since the run began, for the candidate's ATS id.
func (s *Service) awaitTestOrder(ctx context.Context, in core.Integration, t ats.TestOrder, since time.Time) (core.Order, error) {
	return poll(ctx, func() (core.Order, bool, error) {
		page, err := s.d.Store.ListOrders(ctx, in.AccountID, store.OrderFilter{
			IntegrationID: in.ID, Search: t.Candidate.Email, CreatedFrom: since, Limit: 50,
		})
		if err != nil {
			return core.Order{}, false, err
		}
		for _, it := range page.Items {
			if it.ExternalID == t.Candidate.ExternalID {
				return it.Order, true, nil
			}
		}
		return core.Order{}, false, nil
	})
}

// timelineWait is what awaitTimeline saw.
type timelineWait struct {
	entries []core.TimelineEntry
	gaveUp  string // the last job failure that will not be retried
	retry   string // the last failure that will be retried
	err     error  // ctx's error or the store's
}

// lastFailure explains a timeout with the last retried failure, if any.
func (w timelineWait) lastFailure() string {
	if w.retry == "" {
		return ""
	}
	return " (last failure: " + w.retry + ")"
}

// awaitTimeline polls an order's timeline until done is true, a job of the
// order gives up, or ctx ends. Failures before entry from are ignored.
func (s *Service) awaitTimeline(ctx context.Context, orderID string, from int, done func([]core.TimelineEntry) bool) timelineWait {
	var w timelineWait
	_, w.err = poll(ctx, func() (struct{}, bool, error) {
		es, err := s.d.Store.ListTimeline(ctx, orderID)
		if err != nil {
			return struct{}{}, false, err
		}
		w.entries = es
		w.gaveUp = gaveUpAfter(es, from)
		for _, e := range es[min(from, len(es)):] {
			if e.Kind == "job_failed" && !finalFailure(e) {
				w.retry = e.Message
			}
		}
		return struct{}{}, done(es) || w.gaveUp != "", nil
	})
	return w
}

// hasEntry reports whether the timeline has an entry of kind, for state when
// state is set (write-backs record the state they told the ATS).
func hasEntry(es []core.TimelineEntry, kind string, state core.State) bool {
	for _, e := range es {
		if e.Kind == kind && (state == "" || e.Detail["state"] == string(state)) {
			return true
		}
	}
	return false
}

// gaveUpAfter returns the message of the last job failure at or after entry
// from that will not be retried, or "".
func gaveUpAfter(es []core.TimelineEntry, from int) string {
	msg := ""
	for _, e := range es[min(from, len(es)):] {
		if e.Kind == "job_failed" && finalFailure(e) {
			msg = e.Message
		}
	}
	return msg
}

// finalFailure reads jobOutcome's detail: a verdict other than retry, or the
// last attempt, means the job will not run again by itself.
func finalFailure(e core.TimelineEntry) bool {
	return e.Detail["verdict"] != ats.FailRetry.String() || (e.Detail["attempt"] != "" && e.Detail["attempt"] == e.Detail["max_attempts"])
}

// testExpectation is the completed update as the write-back built it, with
// report links a connector can find and open.
func (s *Service) testExpectation(ctx context.Context, o core.Order) (ats.TestExpectation, error) {
	o, err := s.d.Store.GetOrder(ctx, o.ID)
	if err != nil {
		return ats.TestExpectation{}, err
	}
	u := ats.Update{Order: o, State: core.StateCompleted}
	if u.Candidate, err = s.d.Store.GetCandidate(ctx, o.CandidateID); err != nil {
		return ats.TestExpectation{}, err
	}
	if u.Vacancy, err = s.d.Store.GetVacancy(ctx, o.VacancyID); err != nil {
		return ats.TestExpectation{}, err
	}
	r, err := s.d.Store.GetResult(ctx, o.ID)
	if err != nil {
		return ats.TestExpectation{}, err
	}
	u.Result = &r
	if u.Callback, err = s.callback(o); err != nil {
		return ats.TestExpectation{}, err
	}
	u.Reports = s.reports(o, u.Candidate, u.Vacancy, r)
	u.Reports.PDF = nil // the connector looks for the file; it does not render it
	return ats.TestExpectation{Update: u, ResolveLink: s.resolveReportLink}, nil
}

// resolveReportLink opens a report link as a recruiter's click would. Pages
// that need a Switchboard sign-in (the candidate detail page) count as
// opening when they send the visitor to sign in; anything else must answer
// 2xx.
func (s *Service) resolveReportLink(ctx context.Context, link string) error {
	hc := *s.d.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return fmt.Errorf("not a valid URL: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach it: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // for connection reuse; the content is not checked
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return nil
	case code >= 300 && code <= 399:
		if loc, err := resp.Location(); err == nil && strings.HasPrefix(loc.String(), s.d.BaseURL+"/signin") {
			return nil
		}
		return fmt.Errorf("it redirects (HTTP %d) to %s instead of showing the report", code, resp.Header.Get("Location"))
	default:
		return fmt.Errorf("it answers HTTP %d", code)
	}
}

// poll calls try until it reports done or fails, or ctx ends. It runs try at
// once, then every pollEvery.
func poll[T any](ctx context.Context, try func() (T, bool, error)) (T, error) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		v, done, err := try()
		switch {
		case err == nil && done:
			return v, nil
		case ctx.Err() != nil:
			return v, ctx.Err() // a store error caused by the deadline is the deadline
		case err != nil:
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-tick.C:
		}
	}
}
