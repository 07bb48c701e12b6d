package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/app/apptest"
	"switchboard/internal/assess"
	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/service"
	"switchboard/internal/store"
)

type fixture struct {
	e   *apptest.Env
	f   apptest.LeverFixture
	in  core.Integration
	opp string // a Lever opportunity on the fixture's posting, not yet ordered
}

func setup(t *testing.T, dialect string) fixture {
	t.Helper()
	e := apptest.New(t, apptest.Options{Dialect: dialect})
	f := e.SetupLever(apptest.LeverOptions{})
	in, err := e.App.Store.GetIntegration(context.Background(), f.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != core.IntegrationEnabled {
		t.Fatalf("fixture integration is %s", in.Status)
	}
	opp, _, err := e.Lever.CreateOpportunity(context.Background(), "Ada Lovelace", "ada@example.com", f.PostingID)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{e: e, f: f, in: in, opp: opp.ID}
}

// event is what the Lever connector makes of a stage change for the
// fixture's opportunity and posting.
func (fx fixture) event() ats.Event {
	return ats.Event{
		Kind: ats.EventOrderRequested, Mode: core.ModeTriggered,
		IdempotencyKey: "lever:" + fx.opp + ":" + fx.f.PostingID,
		Candidate:      ats.Candidate{ExternalID: fx.opp, Name: "Ada Lovelace", Email: "ada@example.com"},
		ExternalID:     fx.opp, ExternalJobID: fx.f.PostingID,
		PackageTags: []string{apptest.VacancyTag, "Remote"},
	}
}

// invite orders for the fixture's event and runs the jobs that follow (the
// invitation, the write-back).
func (fx fixture) invite(t *testing.T) service.OrderOutcome {
	t.Helper()
	out, err := fx.e.App.Service.RequestOrder(context.Background(), fx.in, fx.event())
	if err != nil {
		t.Fatal(err)
	}
	fx.e.WaitIdle()
	return out
}

func (fx fixture) orders(t *testing.T) store.OrderPage {
	t.Helper()
	p, err := fx.e.App.Store.ListOrders(context.Background(), fx.in.AccountID, store.OrderFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// jobsFor lists the jobs of every state whose arguments name orderID ("" for
// jobs naming any order).
func (fx fixture) jobsFor(t *testing.T, orderID string) []*rivertype.JobRow {
	t.Helper()
	all, err := fx.e.App.Queue.List(context.Background(), 1000,
		rivertype.JobStateAvailable, rivertype.JobStateCancelled, rivertype.JobStateCompleted, rivertype.JobStateDiscarded,
		rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled)
	if err != nil {
		t.Fatal(err)
	}
	var out []*rivertype.JobRow
	for _, j := range all {
		var a struct {
			OrderID string `json:"order_id"`
		}
		_ = json.Unmarshal(j.EncodedArgs, &a)
		if (orderID == "" && a.OrderID != "") || (orderID != "" && a.OrderID == orderID) {
			out = append(out, j)
		}
	}
	return out
}

func kinds(jobs []*rivertype.JobRow) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Kind)
	}
	slices.Sort(out)
	return out
}

func TestRequestOrderIsIdempotentUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fx := setup(t, dialect)
			ev := fx.event()

			const n = 10
			outcomes := make([]service.OrderOutcome, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					outcomes[i], errs[i] = fx.e.App.Service.RequestOrder(context.Background(), fx.in, ev)
				})
			}
			close(start)
			wg.Wait()

			created := 0
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("call %d: %v", i, errs[i])
				}
				if outcomes[i].Order.ID != outcomes[0].Order.ID || outcomes[i].Order.ID == "" {
					t.Fatalf("call %d got order %q, call 0 got %q", i, outcomes[i].Order.ID, outcomes[0].Order.ID)
				}
				if outcomes[i].Created {
					created++
					if outcomes[i].Token == "" {
						t.Errorf("the creating call got no invitation token")
					}
				} else if outcomes[i].Token != "" {
					t.Errorf("call %d did not create the order but got a token", i)
				}
			}
			if created != 1 {
				t.Fatalf("%d calls report creating the order, want exactly 1", created)
			}
			id := outcomes[0].Order.ID
			if p := fx.orders(t); p.Total != 1 || p.Items[0].ID != id || p.Items[0].State != core.StateInvited {
				t.Fatalf("stored orders: %+v", p)
			}

			fx.e.WaitIdle()
			// One invitation, one write-back of "invited", one scheduled expiry.
			if got, want := kinds(fx.jobsFor(t, id)), []string{"expire_order", "send_invitation", "write_back"}; !slices.Equal(got, want) {
				t.Errorf("jobs for the order: %v, want %v", got, want)
			}
			if msgs := fx.e.Mail.Messages(); len(msgs) != 1 {
				t.Errorf("%d invitation emails, want 1", len(msgs))
			}
			opp, _ := fx.e.Lever.Opportunity(fx.opp)
			if len(fx.e.Lever.Notes(fx.opp)) != 1 || !slices.Contains(opp.Tags, "Switchboard: invited") {
				t.Errorf("Lever after the order: tags %v, %d notes; want the invited tag and one note", opp.Tags, len(fx.e.Lever.Notes(fx.opp)))
			}
			tl, err := fx.e.App.Store.ListTimeline(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			received := 0
			for _, e := range tl {
				if strings.HasPrefix(e.Message, "Order received") {
					received++
				}
			}
			if received != 1 {
				t.Errorf("%d 'Order received' timeline entries, want 1", received)
			}

			// Asking again later still lands on the same order and does nothing.
			again, err := fx.e.App.Service.RequestOrder(context.Background(), fx.in, ev)
			if err != nil || again.Created || again.Order.ID != id {
				t.Fatalf("a later redelivery: %+v, %v", again, err)
			}
		})
	}
}

func TestRequestOrderRefusals(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	ctx := context.Background()
	// An inline-only vacancy, created as an admin would.
	var inline struct {
		ID string `json:"id"`
	}
	fx.e.MustAPI(http.StatusCreated, fx.f.APIKey, "POST", "/vacancies",
		map[string]any{"name": "Inline screening", "tag": "Switchboard: Inline", "inline": true}, &inline)
	// Inline by the word in its name (core.Vacancy.IsInline), flag unset.
	fx.e.MustAPI(http.StatusCreated, fx.f.APIKey, "POST", "/vacancies",
		map[string]any{"name": "Support (inline)", "tag": "Switchboard: Named inline"}, nil)
	// Another account's vacancy.
	otherKey := fx.e.CreateAccount("Beta Ltd", "admin@beta.example")
	var other struct {
		ID string `json:"id"`
	}
	fx.e.MustAPI(http.StatusCreated, otherKey, "POST", "/vacancies", map[string]any{"name": "Beta vacancy", "tag": "Switchboard: Beta"}, &other)

	tests := []struct {
		name      string
		edit      func(*ats.Event)
		wantField string // a *core.ValidationError field; "" for ErrNoVacancy
	}{
		{"an inline vacancy ordered ad hoc", func(e *ats.Event) { e.PackageTags = []string{"Switchboard: Inline"} }, "package"},
		{"an inline vacancy ordered by id, triggered", func(e *ats.Event) { e.PackageTags = nil; e.PackageID = inline.ID }, "package"},
		{"a vacancy inline by its name ordered ad hoc", func(e *ats.Event) { e.PackageTags = []string{"Switchboard: Named inline"} }, "package"},
		{"inline mode on an integration without the inline pattern", func(e *ats.Event) { e.Mode = core.ModeInline }, "mode"},
		{"inline mode for the inline vacancy without the pattern", func(e *ats.Event) {
			e.Mode = core.ModeInline
			e.PackageTags = []string{"Switchboard: Inline"}
		}, "mode"},
		{"tags matching no vacancy", func(e *ats.Event) { e.PackageTags = []string{"Switchboard: Nothing", "Remote"} }, ""},
		{"no tags", func(e *ats.Event) { e.PackageTags = nil }, ""},
		{"tags differing only in case", func(e *ats.Event) { e.PackageTags = []string{strings.ToLower(apptest.VacancyTag)} }, ""},
		{"an unknown vacancy id", func(e *ats.Event) { e.PackageTags = nil; e.PackageID = "vac_nosuchvacancy" }, ""},
		{"another account's vacancy id", func(e *ats.Event) { e.PackageTags = nil; e.PackageID = other.ID }, ""},
		{"another account's vacancy tag", func(e *ats.Event) { e.PackageTags = []string{"Switchboard: Beta"} }, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := fx.event()
			ev.IdempotencyKey = fmt.Sprintf("refusal-%d", i)
			tt.edit(&ev)
			out, err := fx.e.App.Service.RequestOrder(ctx, fx.in, ev)
			if err == nil {
				t.Fatalf("RequestOrder succeeded: %+v", out.Order)
			}
			var ve *core.ValidationError
			if tt.wantField == "" {
				if !errors.Is(err, service.ErrNoVacancy) || errors.As(err, &ve) {
					t.Fatalf("err = %v, want ErrNoVacancy", err)
				}
			} else {
				if !errors.As(err, &ve) || ve.Fields[tt.wantField] == "" {
					t.Fatalf("err = %v (%T), want a *core.ValidationError on %q", err, err, tt.wantField)
				}
				if errors.Is(err, service.ErrNoVacancy) {
					t.Errorf("a validation error is also ErrNoVacancy")
				}
			}
		})
	}

	// An event without an idempotency key cannot be deduplicated: refused.
	ev := fx.event()
	ev.IdempotencyKey = ""
	if _, err := fx.e.App.Service.RequestOrder(ctx, fx.in, ev); err == nil {
		t.Error("an event without an idempotency key made an order")
	}

	// Nothing was stored or queued for any refusal.
	fx.e.WaitIdle()
	if p := fx.orders(t); p.Total != 0 {
		t.Fatalf("refused requests stored orders: %+v", p.Items)
	}
	if jobs := fx.jobsFor(t, ""); len(jobs) != 0 {
		t.Fatalf("refused requests queued jobs: %v", kinds(jobs))
	}
	if n := len(fx.e.Mail.Messages()); n != 0 {
		t.Fatalf("refused requests sent %d emails", n)
	}
	if opp, _ := fx.e.Lever.Opportunity(fx.opp); len(opp.Tags) != 0 {
		t.Fatalf("refused requests tagged the candidate in Lever: %v", opp.Tags)
	}
}

func TestInlineOrderIsNotEmailed(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	fx.e.MustAPI(http.StatusCreated, fx.f.APIKey, "POST", "/vacancies",
		map[string]any{"name": "Inline screening", "tag": "Switchboard: Inline", "inline": true, "return_url": "https://ats.example/back"}, nil)
	// Lever has no inline pattern; an integration that had it (as a future
	// connector's would) is passed in.
	in := fx.in
	in.Patterns = []core.Pattern{core.PatternAdHoc, core.PatternInline}
	ev := fx.event()
	ev.Mode = core.ModeInline
	ev.PackageTags = []string{"Switchboard: Inline"}
	out, err := fx.e.App.Service.RequestOrder(context.Background(), in, ev)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Created || out.Token == "" || out.Order.Mode != core.ModeInline || out.Order.ReturnURL != "https://ats.example/back" {
		t.Fatalf("inline order: %+v", out)
	}
	fx.e.WaitIdle()
	if got := kinds(fx.jobsFor(t, out.Order.ID)); slices.Contains(got, "send_invitation") {
		t.Fatalf("an inline order queued an invitation email: %v", got)
	}
	if n := len(fx.e.Mail.Messages()); n != 0 {
		t.Fatalf("an inline order sent %d emails", n)
	}
	// The token the ATS redirects the candidate with opens the assessment.
	j, err := fx.e.App.Engine.OpenInvitation(context.Background(), out.Token)
	if err != nil || j.Order.ID != out.Order.ID {
		t.Fatalf("OpenInvitation(token): %+v, %v", j.Order, err)
	}
}

// TestRequestOrderOnDisabledIntegration: DESIGN.md lists "disabled" among the
// reasons an order is refused. The webhook path checks the status before
// calling RequestOrder; RequestOrder itself, the entry point for every ATS and
// later the vendor API, should too.
func TestRequestOrderOnDisabledIntegration(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	fx.e.MustAPI(http.StatusOK, fx.f.APIKey, "POST", "/integrations/"+fx.f.IntegrationID+"/disable", nil, nil)
	in, err := fx.e.App.Store.GetIntegration(context.Background(), fx.f.IntegrationID)
	if err != nil || in.Status != core.IntegrationDisabled {
		t.Fatalf("disabled integration: %s %v", in.Status, err)
	}
	out, err := fx.e.App.Service.RequestOrder(context.Background(), in, fx.event())
	if err == nil {
		if out.Created {
			t.Fatal("internal/service/inbound.go RequestOrder does not check the integration's status: a disabled (or draft) integration gets an invited order, an invitation email and a write-back")
		}
		t.Fatalf("RequestOrder on a disabled integration: %+v", out)
	}
	if p := fx.orders(t); p.Total != 0 {
		t.Fatalf("orders stored: %+v", p.Items)
	}
}

func TestRecordResultCompletesAnInvitedOrder(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	ctx := context.Background()
	out := fx.invite(t)
	id := out.Order.ID

	vac, err := fx.e.App.Store.GetEngineVacancy(ctx, out.Order.VacancyID)
	if err != nil {
		t.Fatal(err)
	}
	answers := assess.Answers{}
	for _, q := range vac.Package.Questions() {
		best := q.Options[0]
		for _, o := range q.Options {
			if o.Points > best.Points {
				best = o
			}
		}
		answers[q.ID] = best.ID
	}
	outcome, err := assess.Score(vac.Package, vac.Thresholds, answers)
	if err != nil {
		t.Fatal(err)
	}
	// A vendor's result, built by hand: no engine record, so no PDF report.
	res := core.Result{Score: &core.Score{Value: float64(outcome.Score), Max: 100}, Label: string(outcome.Label),
		Components: []core.Component{{Key: "k", Name: "Part", Score: &core.Score{Value: 3, Min: 1, Max: 5}}},
		ResultURL:  "https://vendor.example/r/1"}
	if err := fx.e.App.Service.RecordResult(ctx, id, res); err != nil {
		t.Fatalf("RecordResult: %v", err)
	}

	o, err := fx.e.App.Store.GetOrder(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	now := fx.e.Clock.Now()
	if o.State != core.StateCompleted || o.StartedAt.IsZero() || o.CompletedAt.IsZero() || o.CompletedAt.Before(o.StartedAt) || o.CompletedAt.After(now) {
		t.Fatalf("order after RecordResult: state %s started %v completed %v", o.State, o.StartedAt, o.CompletedAt)
	}
	r, err := fx.e.App.Store.GetResult(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Score == nil || *r.Score != *res.Score || r.Label != res.Label || r.SubmittedAt.IsZero() || !r.StartedAt.Equal(o.StartedAt) {
		t.Fatalf("stored result %+v, want outcome %+v with started/submitted times", r, outcome)
	}
	tl, err := fx.e.App.Store.ListTimeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, e := range tl {
		if e.Kind == "state" {
			states = append(states, e.Detail["state"])
		}
	}
	if want := []string{"received", "invited", "in_progress", "completed"}; !slices.Equal(states, want) {
		t.Errorf("state timeline %v, want %v", states, want)
	}

	// The write-backs of in_progress and completed are queued with the change…
	var queued []string
	for _, j := range fx.jobsFor(t, id) {
		if j.Kind == "write_back" {
			var a service.WriteBackArgs
			_ = json.Unmarshal(j.EncodedArgs, &a)
			queued = append(queued, string(a.State))
		}
	}
	slices.Sort(queued)
	if want := []string{"completed", "in_progress", "invited"}; !slices.Equal(queued, want) {
		t.Fatalf("write-back jobs for states %v, want %v", queued, want)
	}
	// …and land in Lever.
	fx.e.WaitIdle()
	opp, _ := fx.e.Lever.Opportunity(fx.opp)
	scoreTag := fmt.Sprintf("Switchboard: %d%%", outcome.Score)
	if !slices.Contains(opp.Tags, scoreTag) || len(opp.Links) != 2 || !slices.Contains(opp.Links, res.ResultURL) || len(fx.e.Lever.Files(fx.opp)) != 0 {
		t.Fatalf("Lever after the result: tags %v, links %v, %d files; want %q, the report page and the vendor's link, no PDF", opp.Tags, opp.Links, len(fx.e.Lever.Files(fx.opp)), scoreTag)
	}

	// The report page offers no PDF: that is the built-in engine's report.
	d, err := fx.e.App.Service.ReportByOrderID(ctx, id)
	if err != nil || d.Reports.PDFURL != "" || d.Reports.ReadOnlyPageURL == "" {
		t.Fatalf("report of a vendor's result: %v, reports %+v; want links without the PDF", err, d.Reports)
	}
	if _, err := fx.e.App.Service.ReportPDF(ctx, d); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("PDF of a vendor's result: %v, want not found", err)
	}

	// A second result for the same order is a conflict and changes nothing.
	err = fx.e.App.Service.RecordResult(ctx, id, core.Result{Score: &core.Score{Value: 1, Max: 100}, Label: "Poor fit"})
	if !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second RecordResult: %v, want a conflict", err)
	}
	if r2, _ := fx.e.App.Store.GetResult(ctx, id); r2.Score == nil || r2.Score.Value != res.Score.Value {
		t.Fatalf("the second result replaced the first: %+v", r2.Score)
	}
	if err := fx.e.App.Service.RecordResult(ctx, "ord_nosuchorder", core.Result{}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("RecordResult for a missing order: %v, want not found", err)
	}
}

func TestRecordResultOnClosedOrderIsRefused(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	ctx := context.Background()
	out := fx.invite(t)
	// Let the invitation run out, then expire it as the sweep does.
	fx.e.Clock.Advance(8 * 24 * time.Hour)
	if n, err := fx.e.App.Engine.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireDue = %d, %v", n, err)
	}
	err := fx.e.App.Service.RecordResult(ctx, out.Order.ID, core.Result{Score: &core.Score{Value: 90, Max: 100}, Label: "Great fit"})
	var te *core.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, core.ErrConflict) || te.From != core.StateExpired {
		t.Fatalf("RecordResult on an expired order: %v, want a TransitionError from expired", err)
	}
	if _, err := fx.e.App.Store.GetResult(ctx, out.Order.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("a result was stored for an expired order: %v", err)
	}
	if o, _ := fx.e.App.Store.GetOrder(ctx, out.Order.ID); o.State != core.StateExpired {
		t.Fatalf("order is %s, want expired", o.State)
	}
}

// TestRecordResultRefusesAnInvalidResult: a score off its scale or an
// attachment without a content type is a field-level error, and the order
// stays as it was (not even started).
func TestRecordResultRefusesAnInvalidResult(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	ctx := context.Background()
	out := fx.invite(t)
	before, err := fx.e.App.Store.GetOrder(ctx, out.Order.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = fx.e.App.Service.RecordResult(ctx, out.Order.ID, core.Result{
		Score:       &core.Score{Value: 120, Max: 100},
		Attachments: []core.Attachment{{URL: "https://vendor.example/r.pdf"}},
	})
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.Fields["score"] == "" || ve.Fields["attachments[0]"] == "" {
		t.Fatalf("RecordResult = %v, want errors on score and attachments[0]", err)
	}
	if _, err := fx.e.App.Store.GetResult(ctx, out.Order.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("an invalid result was stored: %v", err)
	}
	if o, _ := fx.e.App.Store.GetOrder(ctx, out.Order.ID); o.State != before.State || o.Version != before.Version {
		t.Fatalf("order %s v%d after the refusal, want %s v%d", o.State, o.Version, before.State, before.Version)
	}
}

// TestVacancyQuestionsFrozenWhileTaken: changing a vacancy's questions while
// a candidate holds an open invitation would strand them mid-assessment.
func TestVacancyQuestionsFrozenWhileTaken(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	ctx := context.Background()
	admin, err := fx.e.App.Identity.Authenticate(ctx, fx.f.APIKey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := fx.e.App.Store.GetEngineVacancy(ctx, fx.f.VacancyID)
	if err != nil {
		t.Fatal(err)
	}
	pkg := v.Package
	pkg.Modules = pkg.Modules[:len(pkg.Modules)-1]

	if _, err := fx.e.App.Service.RequestOrder(ctx, fx.in, fx.event()); err != nil {
		t.Fatal(err)
	}
	_, err = fx.e.App.Service.UpdateVacancy(ctx, admin, v.ID, service.VacancyInput{Package: &pkg})
	var inv *core.ValidationError
	if !errors.As(err, &inv) || !strings.Contains(inv.Fields["package"], "open invitation") {
		t.Fatalf("changing the questions with an open invitation: %v", err)
	}
	name := "Renamed"
	if _, err := fx.e.App.Service.UpdateVacancy(ctx, admin, v.ID, service.VacancyInput{Name: &name}); err != nil {
		t.Fatalf("renaming is still allowed: %v", err)
	}
}
