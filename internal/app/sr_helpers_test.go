package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

// srIntegration is the admin API's view of the integration.
type srIntegration struct {
	ID       string            `json:"id"`
	Status   string            `json:"status"`
	Settings map[string]string `json:"settings"`
}

func srGetIntegration(e *apptest.Env, f *apptest.SRFixture) srIntegration {
	var in srIntegration
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &in)
	return in
}

// srOrders lists the account's orders through the admin API, newest first.
func srOrders(e *apptest.Env, f *apptest.SRFixture) []apiOrder {
	_, list := orders(e, f.APIKey)
	return list
}

// srOrderBySR finds Switchboard's order for a SmartRecruiters order id.
func srOrderBySR(t *testing.T, e *apptest.Env, f *apptest.SRFixture, srOrderID string) apiOrder {
	t.Helper()
	for _, o := range srOrders(e, f) {
		if o.ExternalID == srOrderID {
			return o
		}
	}
	t.Fatalf("no Switchboard order for SmartRecruiters order %s", srOrderID)
	return apiOrder{}
}

// srPlaced checks that every placement was accepted with want.
func srPlaced(t *testing.T, pls []srsim.Placement, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("place: %v", err)
	}
	for _, p := range pls {
		if p.Err != nil || p.StatusCode != want {
			t.Fatalf("placement of %s: %d %v (want %d)", p.PackageID, p.StatusCode, p.Err, want)
		}
	}
}

// srRefused checks a refused placement: the status and SmartRecruiters'
// error body with a message containing msg.
func srRefused(t *testing.T, p srsim.Placement, status int, msg string) {
	t.Helper()
	var eb sr.ErrorResponse
	if p.StatusCode != status || json.Unmarshal(p.Body, &eb) != nil || len(eb.Errors) == 0 || !strings.Contains(eb.Message, msg) {
		t.Fatalf("placement: %d %s, want %d with an error body saying %q", p.StatusCode, p.Body, status, msg)
	}
}

func srStatuses(o srsim.Order) string {
	var ss []string
	for _, s := range o.StatusHistory {
		ss = append(ss, string(s))
	}
	return strings.Join(ss, " → ")
}

func srSimOrder(t *testing.T, f *apptest.SRFixture, id string) srsim.Order {
	t.Helper()
	o, ok := f.Sim.Order(id)
	if !ok {
		t.Fatalf("srsim has no order %s", id)
	}
	return o
}

// srAdHocInvited places an ad-hoc order for the fixture's candidate, job
// and vacancy from SmartRecruiters, checks it is accepted, and waits until
// the invitation is sent and Switchboard is idle. It returns
// SmartRecruiters' order id.
func srAdHocInvited(t *testing.T, e *apptest.Env, f *apptest.SRFixture) string {
	t.Helper()
	pls, err := f.Sim.OrderAdHoc(context.Background(), f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRVacancyName])
	srPlaced(t, pls, err, http.StatusAccepted)
	srWaitMails(t, e, 1)
	e.WaitIdle()
	return pls[0].OrderID
}

// srWaitMails waits for n emails at the test SMTP server.
func srWaitMails(t *testing.T, e *apptest.Env, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := e.Mail.WaitForMessages(ctx, n); err != nil {
		t.Fatalf("waiting for %d emails: %v (have %d)", n, err, len(e.Mail.Messages()))
	}
}

// srStart opens the invitation and starts the assessment, over HTTP.
func srStart(t *testing.T, link string) {
	t.Helper()
	resp, err := http.PostForm(link+"/start", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("start %s: %d", link, resp.StatusCode)
	}
}

func srDump(f *apptest.SRFixture) string {
	var b strings.Builder
	for _, o := range f.Sim.Orders(f.Company.ID) {
		fmt.Fprintf(&b, "%s %s %s placed=%v %d: %s\n", o.ID, o.Kind, o.PackageID, o.Placed, o.PlaceStatus, srStatuses(o))
	}
	return b.String()
}
