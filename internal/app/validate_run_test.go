package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
	"switchboard/internal/core"
	"switchboard/internal/service"
)

// The checklist of a Lever test order, in the order a user reads it.
var leverRunLines = []string{
	lever.CheckTestPosting, lever.CheckTestCandidate, lever.CheckTestStage,
	service.CheckOrderReceived, service.CheckInvitationIssued, service.CheckAssessmentComplete, service.CheckWriteBackFinished,
	lever.CheckStatusBack, lever.CheckScoreBack, lever.CheckLinkBack, lever.CheckPDFBack,
}

func runValidation(t *testing.T, e *apptest.Env, ctx context.Context, email, integrationID, vacancyID string) (service.ValidationRun, error) {
	t.Helper()
	actor, err := e.App.Store.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return e.App.Service.RunValidation(ctx, actor, integrationID, vacancyID)
}

func lineNames(cs []ats.Check) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func dumpRun(r service.ValidationRun) string {
	var b strings.Builder
	for _, c := range r.Checks {
		mark := "✓"
		if !c.OK {
			mark = "✗"
		}
		fmt.Fprintf(&b, "\n  %s %s", mark, c.Name)
		if c.Problem != "" {
			fmt.Fprintf(&b, " — %s", c.Problem)
		}
	}
	return b.String()
}

func line(t *testing.T, r service.ValidationRun, name string) ats.Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no line %q:%s", name, dumpRun(r))
	return ats.Check{}
}

// TestValidationRunAllGreen: against the simulator, a test order goes all
// the way and every line is green, and Lever holds what the lines claim.
func TestValidationRunAllGreen(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})

		run, err := runValidation(t, e, context.Background(), "admin@acme.example", f.IntegrationID, f.VacancyID)
		if err != nil {
			t.Fatal(err)
		}
		if !run.Passed() || !slices.Equal(lineNames(run.Checks), leverRunLines) {
			t.Fatalf("run is not all green with every line:%s", dumpRun(run))
		}
		if run.Provider != "Lever" || run.JobName != apptest.VacancyName || run.OrderID == "" || run.Result == nil || run.Result.Score == nil ||
			run.Candidate.ProfileURL == "" || run.Duration <= 0 || run.Duration > 45*time.Second {
			t.Errorf("run = %+v", run)
		}

		// What a recruiter finds in Lever: the test candidate on the tagged
		// posting, in the trigger stage, with the result written back.
		opp, ok := e.Lever.Opportunity(run.Candidate.ExternalID)
		if !ok {
			t.Fatalf("no opportunity %s in Lever", run.Candidate.ExternalID)
		}
		if opp.Name != service.TestCandidateName || len(opp.Emails) != 1 || !strings.HasSuffix(opp.Emails[0], "@example.com") ||
			!slices.Equal(opp.PostingIDs(), []string{f.PostingID}) || opp.Stage.ID != f.TriggerStage {
			t.Errorf("test candidate = %+v", opp)
		}
		for _, tag := range []string{"Switchboard: test candidate", fmt.Sprintf("Switchboard: %g%%", run.Result.Score.Value)} {
			if !slices.Contains(opp.Tags, tag) {
				t.Errorf("tags %v lack %q", opp.Tags, tag)
			}
		}
		if len(e.Lever.Files(opp.ID)) != 1 || len(opp.Links) != 1 {
			t.Errorf("files %d, links %v: want the PDF and the report link", len(e.Lever.Files(opp.ID)), opp.Links)
		}

		// And in Switchboard: a completed order with its result, like any other.
		d := order(e, f.APIKey, run.OrderID)
		if d.Order.State != "completed" || d.Order.CandidateName != service.TestCandidateName || d.Result == nil || float64(d.Result.Score) != run.Result.Score.Value {
			t.Errorf("order = %+v, result %+v", d.Order, d.Result)
		}
		if len(d.entries("write_back", "Lever told: completed")) != 1 {
			t.Errorf("timeline:%s", d.dump())
		}
		// It is flagged as a test order, and the list filters on the flag.
		var detail struct {
			Order struct {
				Test bool `json:"test"`
			} `json:"order"`
		}
		e.MustAPI(http.StatusOK, f.APIKey, "GET", "/orders/"+run.OrderID, nil, &detail)
		if !detail.Order.Test {
			t.Errorf("the run's order %s is not flagged as a test", run.OrderID)
		}
		for q, want := range map[string]int{"?test=true": 1, "?test=false": 0, "": 1} {
			var page struct {
				Orders []struct {
					ID   string `json:"id"`
					Test bool   `json:"test"`
				} `json:"orders"`
			}
			e.MustAPI(http.StatusOK, f.APIKey, "GET", "/orders"+q, nil, &page)
			if len(page.Orders) != want || (want == 1 && (page.Orders[0].ID != run.OrderID || !page.Orders[0].Test)) {
				t.Errorf("GET /orders%s = %+v, want %d order(s)", q, page.Orders, want)
			}
		}
	})
}

// TestValidationRunShowsWhatIsSwitchedOff: with the PDF file switched off,
// the PDF line is red and says why; the rest stays green.
func TestValidationRunShowsWhatIsSwitchedOff(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, map[string]any{
		"write_back": map[string]any{"reports": map[string]bool{"read_only_page_url": true, "pdf_file": false}},
	}, nil)

	run, err := runValidation(t, e, context.Background(), "admin@acme.example", f.IntegrationID, f.VacancyID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lineNames(run.Checks), leverRunLines) {
		t.Fatalf("lines:%s", dumpRun(run))
	}
	for _, c := range run.Checks {
		if c.Name == lever.CheckPDFBack {
			if c.OK || !strings.Contains(c.Problem, "switched off") {
				t.Errorf("PDF line: %+v", c)
			}
		} else if !c.OK {
			t.Errorf("line %q is red: %s", c.Name, c.Problem)
		}
	}
	if run.Passed() {
		t.Error("a run with a red line passed")
	}
	if files := e.Lever.Files(run.Candidate.ExternalID); len(files) != 0 {
		t.Errorf("a PDF arrived although it is switched off: %+v", files)
	}
}

// TestValidationRunWithoutTaggedPosting: Lever cannot create postings by API,
// so a vacancy whose tag is on no posting stops at the first line, which says
// why and what to do; no candidate is created.
func TestValidationRunWithoutTaggedPosting(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	var v struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", map[string]any{"name": "Night Shift Lead", "tag": "Switchboard: Nights"}, &v)

	run, err := runValidation(t, e, context.Background(), "admin@acme.example", f.IntegrationID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Checks) != 1 {
		t.Fatalf("want one red line:%s", dumpRun(run))
	}
	first := run.Checks[0]
	if first.OK || first.Name != lever.CheckTestPosting || !strings.Contains(first.Problem, `"Switchboard: Nights"`) ||
		!strings.Contains(first.Problem, "cannot be created through Lever's API") {
		t.Errorf("first line: %+v", first)
	}
	if opps := countOpportunities(t, e); opps != 0 {
		t.Errorf("%d candidates created in Lever", opps)
	}
}

func countOpportunities(t *testing.T, e *apptest.Env) int {
	t.Helper()
	cl := lever.NewClient(e.LeverURL, apptest.LeverAPIKey)
	opps, err := cl.ListOpportunities(context.Background(), lever.OpportunityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(opps)
}

// TestValidationRunTimesOut: when Lever's webhook does not get through (here a
// wrong signature token), the run stops at a clear red line within its time,
// pointing at the webhook.
func TestValidationRunTimesOut(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+lever.CredentialStageChangeToken,
		map[string]string{"value": "not-the-token-lever-signs-with"}, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	run, err := runValidation(t, e, ctx, "admin@acme.example", f.IntegrationID, f.VacancyID)
	if err != nil {
		t.Fatal(err)
	}
	// Not a speed check (machines here are noisy): only that the run ends
	// near its deadline instead of waiting for a webhook that never comes.
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the run took %s with a 3s deadline", took)
	}
	last := run.Checks[len(run.Checks)-1]
	if last.OK || last.Name != service.CheckOrderReceived || !strings.Contains(last.Problem, "timed out") ||
		!strings.Contains(last.Problem, f.WebhookURL) || !strings.Contains(last.Problem, "signature token") {
		t.Errorf("last line:%s", dumpRun(run))
	}
}

// TestValidationRunRefusals: only super admins run test orders, only through
// an enabled integration, and only with an ATS that can create candidates.
func TestValidationRunRefusals(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := context.Background()
	owner, err := e.App.Store.GetUserByEmail(ctx, "admin@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range core.Roles[1:] {
		email := "role-" + strings.ReplaceAll(string(role), "_", "-") + "@acme.example"
		if _, _, err := e.App.Identity.CreateUserInAccount(ctx, owner.AccountID, email, "", role); err != nil {
			t.Fatal(err)
		}
		if _, err := runValidation(t, e, ctx, email, f.IntegrationID, f.VacancyID); !errors.Is(err, core.ErrForbidden) {
			t.Errorf("%s: %v, want ErrForbidden", role, err)
		}
	}
	// Another account's integration does not exist for this one.
	e.CreateAccount("Other Co", "admin@other.example")
	if _, err := runValidation(t, e, ctx, "admin@other.example", f.IntegrationID, f.VacancyID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("another account: %v, want ErrNotFound", err)
	}

	// An outside vendor's package: the engine has none of its questions to answer.
	vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, owner.AccountID)
	var inv *core.ValidationError
	if _, err := runValidation(t, e, ctx, "admin@acme.example", f.IntegrationID, e.VendorVacancy(owner.AccountID, vf.Vendor.ID, "cog-20").ID); !errors.As(err, &inv) ||
		!strings.Contains(inv.Fields["vacancy"], "outside vendor's package") {
		t.Errorf("a vendor's vacancy: %v, want it refused naming the vacancy", err)
	}

	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
	if _, err := runValidation(t, e, ctx, "admin@acme.example", f.IntegrationID, f.VacancyID); !errors.Is(err, service.ErrNotEnabled) {
		t.Errorf("disabled integration: %v, want ErrNotEnabled", err)
	}
	if n := countOpportunities(t, e); n != 0 {
		t.Errorf("refused runs created %d candidates in Lever", n)
	}

	// An ATS whose connector cannot run test orders says so as a result.
	var sr struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations", map[string]string{"provider": "smartrecruiters"}, &sr)
	run, err := runValidation(t, e, ctx, "admin@acme.example", sr.ID, f.VacancyID)
	if err != nil || run.Supported || run.Passed() || len(run.Checks) != 1 ||
		!strings.Contains(run.Checks[0].Problem, "not supported for SmartRecruiters") {
		t.Errorf("SmartRecruiters run = %+v, %v", run, err)
	}
}
