package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/service"
)

// TestSROrderRefusals: an order for a package the account does not have, an
// inline package ordered from a profile, and any order while the integration
// is disabled each get a clear 4xx in SmartRecruiters' error body, and
// nothing is stored (no order, no candidate, no email).
func TestSROrderRefusals(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupSmartRecruiters(apptest.SROptions{})
		ctx := context.Background()
		order := func(pkg string) srsim.Placement {
			t.Helper()
			pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), pkg)
			if err != nil || len(pls) != 1 || pls[0].Err == nil {
				t.Fatalf("order %s: %+v %v, want a refusal", pkg, pls, err)
			}
			return pls[0]
		}
		srRefused(t, order("vac_doesnotexist"), http.StatusNotFound, `no assessment package with id "vac_doesnotexist"`)
		srRefused(t, order(f.VacancyIDs[apptest.SRInlineVacancyName]), http.StatusBadRequest, "is an inline assessment")

		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
		srRefused(t, order(f.VacancyIDs[apptest.SRVacancyName]), http.StatusForbidden, "disabled")
		if _, err := f.Sim.ApplyInline(ctx, f.Company.ID, string(f.Job.ID), srsim.Applicant{FirstName: "Cy", LastName: "Doe", Email: "cy@example.com"}); err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("inline order while disabled: %v", err)
		}
		if _, err := f.Sim.ListPackages(ctx, f.Company.ID); err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("packages while disabled: %v", err)
		}
		e.WaitIdle()
		if n := len(srOrders(e, f)); n != 0 {
			t.Errorf("%d orders stored", n)
		}
		if n := countRows(t, e, "candidates"); n != 0 {
			t.Errorf("%d candidates stored", n)
		}
		if n := len(e.Mail.Messages()); n != 0 {
			t.Errorf("%d emails sent", n)
		}
		for _, p := range f.Sim.Orders(f.Company.ID) {
			if len(p.StatusHistory) != 0 {
				t.Errorf("refused order %s got statuses %v", p.ID, p.StatusHistory)
			}
		}
	})
}

// TestSRIdempotentRetry: SmartRecruiters sending the same order again (same
// order id, as after a lost answer) gets 202 again and still one order and
// one email; the same for an inline order, which gets the same link.
func TestSRIdempotentRetry(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	srOrderID := srAdHocInvited(t, e, f)
	calls := f.Calls.Find(http.MethodPost, "/packages/orders")
	if len(calls) != 1 {
		t.Fatalf("%d order calls", len(calls))
	}
	for range 2 {
		status, body, err := f.Calls.Replay(calls[0])
		if err != nil || status != http.StatusAccepted {
			t.Fatalf("replayed order: %d %s %v", status, body, err)
		}
	}
	e.WaitIdle()
	if n := len(srOrders(e, f)); n != 1 {
		t.Errorf("%d orders after a retried order, want 1", n)
	}
	if n := len(e.Mail.Messages()); n != 1 {
		t.Errorf("%d emails after a retried order, want 1", n)
	}
	if got := srStatuses(srSimOrder(t, f, srOrderID)); got != "PENDING" {
		t.Errorf("SmartRecruiters shows %q", got)
	}

	app, err := f.Sim.ApplyInline(ctx, f.Company.ID, string(f.Job.ID), srsim.Applicant{FirstName: "Bo", LastName: "Chen", Email: "bo@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	inline := f.Calls.Find(http.MethodPost, "/packages/inline/orders")
	status, body, err := f.Calls.Replay(inline[0])
	var ir sr.InlineAssessmentPackageResponse
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &ir) != nil || ir.CandidateURL() != app.CandidateURL {
		t.Errorf("replayed inline order: %d %s %v, want the same link %s", status, body, err, app.CandidateURL)
	}
	e.WaitIdle()
	if n := len(srOrders(e, f)); n != 2 {
		t.Errorf("%d orders, want 2", n)
	}
}

// TestSRCompanyIDChange: pointing an enabled integration at another
// companyId disconnects it: disabled, the old company's calls no longer
// authenticate, validation says to connect again.
func TestSRCompanyIDChange(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRVacancyName])
	srPlaced(t, pls, err, http.StatusAccepted)
	e.WaitIdle()

	newCompany := f.Sim.AddCompany("Acme Coffee EU")
	var in srIntegration
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
		map[string]any{"settings": map[string]string{sr.SettingCompanyID: newCompany.ID}}, &in)
	if in.Status != "disabled" || in.Settings[sr.SettingCompanyID] != newCompany.ID {
		t.Fatalf("after the companyId change: %+v", in)
	}
	var checks []struct {
		Name    string `json:"name"`
		OK      bool   `json:"ok"`
		Problem string `json:"problem"`
	}
	var out struct {
		Checks *[]struct {
			Name    string `json:"name"`
			OK      bool   `json:"ok"`
			Problem string `json:"problem"`
		} `json:"checks"`
	}
	out.Checks = &checks
	e.MustAPI(http.StatusUnprocessableEntity, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, &out)
	found := false
	for _, c := range checks {
		found = found || (!c.OK && strings.Contains(c.Problem, `credentials are for company "`+f.Company.ID+`"`))
	}
	if !found {
		t.Errorf("enable after the change: %+v", checks)
	}
	// The old company's SmartRecruiters can no longer order.
	pls, err = f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRVacancyName])
	if err != nil || len(pls) != 1 || pls[0].Err == nil {
		t.Fatalf("order after the change: %+v %v", pls, err)
	}
	if status, _, _ := f.Calls.Replay(f.Calls.Find(http.MethodPost, "/packages/orders")[0]); status != http.StatusUnauthorized {
		t.Errorf("the old company's token: %d, want 401", status)
	}
	e.WaitIdle()
	if n := len(srOrders(e, f)); n != 1 {
		t.Errorf("%d orders, want the 1 from before", n)
	}
}

// TestSRDisconnect: disconnecting the app in SmartRecruiters calls the
// disable URL, which disables the integration; calls with the old token are
// refused afterwards.
func TestSRDisconnect(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	if _, err := f.Sim.ListPackages(ctx, f.Company.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.Sim.Disconnect(ctx, f.Company.ID); err != nil {
		t.Fatalf("disconnect: %v", err)
	}
	del := f.Calls.Find(http.MethodDelete, "/integrations/companies/"+f.Company.ID)
	if len(del) != 1 || del[0].Status != http.StatusNoContent {
		t.Fatalf("disable calls %+v", del)
	}
	if in := srGetIntegration(e, f); in.Status != "disabled" {
		t.Fatalf("after disconnecting: %s", in.Status)
	}
	if _, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRVacancyName]); err == nil {
		t.Error("SmartRecruiters still orders after disconnecting")
	}
	if status, body, _ := f.Calls.Replay(f.Calls.Find(http.MethodGet, "/packages")[0]); status != http.StatusUnauthorized {
		t.Errorf("old token after disconnect: %d %s", status, body)
	}
	if n := len(srOrders(e, f)); n != 0 {
		t.Errorf("%d orders", n)
	}
}

// TestSRRateLimits: a 429 with a Retry-After of more than a moment snoozes
// the job for it (no worker waits), and with SmartRecruiters holding
// requests, one integration's write-backs take no more than their share of
// the workers (under SmartRecruiters' 8 in flight): SmartRecruiters
// throttles nothing.
func TestSRRateLimits(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()

	// A Retry-After of more than a moment is not waited in a worker: the job
	// is snoozed for it.
	f.Sim.FailNext(1, http.StatusTooManyRequests, 3*time.Second)
	pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRVacancyName])
	srPlaced(t, pls, err, http.StatusAccepted)
	e.WaitIdle()
	if got := srStatuses(srSimOrder(t, f, pls[0].OrderID)); got != "PENDING" {
		t.Fatalf("after a 429, SmartRecruiters shows %q\n%s", got, srDump(f))
	}
	for _, d := range e.Sleeps.Durations() {
		if d > time.Second {
			t.Errorf("a client waited %s inside a job", d)
		}
	}
	if d := order(e, f.APIKey, srOrderBySR(t, e, f, pls[0].OrderID).ID); len(d.entries("job_failed", "will retry in 3s")) != 1 {
		t.Errorf("timeline:%s", d.dump())
	}

	// Twelve orders at once: twelve status write-backs competing. One
	// integration runs at most service.IntegrationJobs of them at once; the
	// others are snoozed, not left blocking workers.
	snoozed, unsubscribe := e.App.Queue.Subscribe(river.EventKindJobSnoozed)
	defer unsubscribe()
	hold := f.Sim.Hold()
	pkgs := make([]string, 12)
	for i := range pkgs {
		pkgs[i] = f.VacancyIDs[apptest.SRVacancyName]
	}
	pls, err = f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), pkgs...)
	srPlaced(t, pls, err, http.StatusAccepted)
	deadline := time.After(20 * time.Second)
	for entered := 0; entered < service.IntegrationJobs; {
		select {
		case <-hold.Entered():
			entered++
		case <-deadline:
			t.Fatalf("only %d requests reached SmartRecruiters", entered)
		}
	}
	// Every other write-back came and was told to wait, some more than once.
	for waited := 0; waited < len(pkgs)-service.IntegrationJobs; {
		select {
		case ev := <-snoozed:
			if ev.Job.Kind == "write_back" {
				waited++
			}
		case <-hold.Entered():
			t.Fatal("a write-back went on while the integration's share of workers was busy")
		case <-deadline:
			t.Fatalf("%d write-backs were snoozed, want %d", waited, len(pkgs)-service.IntegrationJobs)
		}
	}
	if n := f.Sim.InFlight(f.CompanyClientID()); n != service.IntegrationJobs {
		t.Errorf("%d in flight, want %d", n, service.IntegrationJobs)
	}
	hold.Release()
	e.WaitIdle()
	for _, p := range pls {
		if got := srStatuses(srSimOrder(t, f, p.OrderID)); got != "PENDING" {
			t.Errorf("order %s shows %q", p.OrderID, got)
		}
	}
	if n := f.Sim.ThrottledCount(); n != 0 {
		t.Errorf("SmartRecruiters throttled %d requests", n)
	}
}

// TestSRTokenEndpoint: Switchboard's token endpoint answers wrong
// credentials and grants per RFC 6749, and its access tokens expire.
func TestSRTokenEndpoint(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	if _, err := f.Sim.ListPackages(ctx, f.Company.ID); err != nil {
		t.Fatal(err)
	}
	tokenURL := e.URL + "/partners/smartrecruiters/oauth/token"
	c, _ := f.Sim.Connection(f.Company.ID)
	for _, tc := range []struct {
		form   url.Values
		status int
		code   string
	}{
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {c.PartnerClientID}, "client_secret": {"wrong"}}, http.StatusUnauthorized, sr.TokenErrInvalidClient},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"sbpc_nobody_x"}, "client_secret": {"x"}}, http.StatusUnauthorized, sr.TokenErrInvalidClient},
		{url.Values{"grant_type": {"password"}, "client_id": {c.PartnerClientID}, "client_secret": {"x"}}, http.StatusBadRequest, sr.TokenErrUnsupportedGrantType},
		{url.Values{"client_id": {c.PartnerClientID}}, http.StatusBadRequest, sr.TokenErrInvalidRequest},
	} {
		resp, body := e.PostForm(tokenURL, tc.form)
		var te sr.TokenErrorResponse
		if resp.StatusCode != tc.status || json.Unmarshal([]byte(body), &te) != nil || te.Error != tc.code {
			t.Errorf("token %v: %d %s, want %d %s", tc.form, resp.StatusCode, body, tc.status, tc.code)
		}
	}
	// SmartRecruiters' token from before an hour passed no longer works.
	list := f.Calls.Find(http.MethodGet, "/packages")[0]
	e.Clock.Advance(61 * time.Minute)
	if status, body, _ := f.Calls.Replay(list); status != http.StatusUnauthorized || !strings.Contains(string(body), "expired") {
		t.Errorf("expired access token: %d %s", status, body)
	}
	// SmartRecruiters fetches a new one and carries on.
	if _, err := f.Sim.ListPackages(ctx, f.Company.ID); err != nil {
		t.Errorf("after the token expired: %v", err)
	}
	for _, call := range f.Calls.Find(http.MethodGet, "/packages") {
		if call.Status == http.StatusOK && !strings.HasPrefix(call.Header.Get("Authorization"), "Bearer sbat_") {
			t.Errorf("authorised with %.12q", call.Header.Get("Authorization"))
		}
	}
}

// TestSRWriteBackFailures: server errors are retried until the status
// lands; a refusal of the company's credentials is a configuration problem
// that stops the job and says so on the order's timeline.
func TestSRWriteBackFailures(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()

	f.Sim.FailNext(6, http.StatusServiceUnavailable, 0)
	pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRVacancyName])
	srPlaced(t, pls, err, http.StatusAccepted)
	e.WaitIdle()
	if got := srStatuses(srSimOrder(t, f, pls[0].OrderID)); got != "PENDING" {
		t.Fatalf("after 503s, SmartRecruiters shows %q", got)
	}
	o := srOrderBySR(t, e, f, pls[0].OrderID)
	if d := order(e, f.APIKey, o.ID); len(d.entries("job_failed", "will retry")) == 0 {
		t.Errorf("no retry on the timeline:%s", d.dump())
	}

	f.Sim.FailNext(1, http.StatusForbidden, 0)
	pls, err = f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRSecondVacancyName])
	srPlaced(t, pls, err, http.StatusAccepted)
	e.WaitIdle()
	if got := srStatuses(srSimOrder(t, f, pls[0].OrderID)); got != "" {
		t.Errorf("after a 403, SmartRecruiters shows %q", got)
	}
	o = srOrderBySR(t, e, f, pls[0].OrderID)
	d := order(e, f.APIKey, o.ID)
	if gave := d.entries("job_failed", "gave up"); len(gave) != 1 || gave[0].Detail["verdict"] != "fix configuration" {
		t.Errorf("a 403 is not a configuration failure on the timeline:%s", d.dump())
	}
}
