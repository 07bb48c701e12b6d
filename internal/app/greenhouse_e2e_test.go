package app_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/examples/examplevendor"
	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/atssim/simkit"
	"switchboard/internal/candidatebot"
	"switchboard/internal/core"
)

// ghSend is a recruiter's "Send Test" for the fixture's candidate, which
// must be accepted with Switchboard's order id.
func ghSend(t *testing.T, e *apptest.Env, f *apptest.GHFixture, app greenhousesim.Application, testID string) greenhousesim.TestInstance {
	t.Helper()
	ti, c, err := f.Sim.SendTest(context.Background(), app.ID, testID)
	if err != nil || c.Status != http.StatusOK || ti.PartnerInterviewID == "" {
		t.Fatalf("send_test: %v, %d %s; instance %+v", err, c.Status, c.Body, ti)
	}
	return ti
}

// ghPoll is Greenhouse's next hourly poll: the clock moves on an hour
// and the test is polled.
func ghPoll(t *testing.T, e *apptest.Env, f *apptest.GHFixture, id string) error {
	t.Helper()
	e.Clock.Advance(greenhousesim.PollInterval)
	n, err := f.Sim.PollDue(context.Background())
	if err == nil && n != 1 {
		t.Fatalf("%d tests polled, want 1", n)
	}
	return err
}

func ghTest(t *testing.T, f *apptest.GHFixture, id string) greenhousesim.TestInstance {
	t.Helper()
	ti, ok := f.Sim.Test(id)
	if !ok {
		t.Fatalf("no test instance %s in Greenhouse", id)
	}
	return ti
}

// TestGreenhouseSendTestToResults follows one test from Greenhouse listing
// the account's tests, through a recruiter's "Send Test", Greenhouse's
// hourly poll while the candidate has not finished (partner_status sent,
// no score), to the PATCH ping on completion that makes Greenhouse ask at
// once and show the score, the profile link and the metadata.
func TestGreenhouseSendTestToResults(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupGreenhouse(apptest.GHOptions{})
		ctx := context.Background()

		tests, c, err := f.Sim.ListTests(ctx, f.Org.ID)
		if err != nil || c.Status != http.StatusOK || len(tests) != 1 || tests[0].PartnerTestID != f.VacancyID || tests[0].PartnerTestName != apptest.GHVacancyName {
			t.Fatalf("list_tests: %v %d %s → %+v", err, c.Status, c.Body, tests)
		}
		ti := ghSend(t, e, f, f.Application, f.VacancyID)
		srWaitMails(t, e, 1)
		e.WaitIdle()
		d := order(e, f.APIKey, ti.PartnerInterviewID)
		if d.Order.State != "invited" || d.Order.Mode != "ad_hoc" || d.Order.CandidateEmail != apptest.GHCandidateMail || d.Order.CandidateName != "Grace Hopper" {
			t.Fatalf("order %+v", d.Order)
		}

		// Greenhouse's own schedule: nothing is due before the hour.
		if n, err := f.Sim.PollDue(ctx); err != nil || n != 0 {
			t.Fatalf("poll before the hour: %d, %v", n, err)
		}
		e.Clock.Advance(greenhousesim.PollInterval)
		if n, err := f.Sim.PollDue(ctx); err != nil || n != 1 {
			t.Fatalf("poll after the hour: %d, %v", n, err)
		}
		ti = ghTest(t, f, ti.ID)
		if ti.LastStatus != http.StatusOK || ti.Status != greenhouse.StatusSent || ti.Score != nil || ti.Complete || len(ti.Malformed) != 0 {
			t.Fatalf("before completion Greenhouse shows %+v", ti)
		}

		link := invitationLink(t, e, e.Mail.Messages()[0])
		srStart(t, link)
		e.WaitIdle()
		if err := ghPoll(t, e, f, ti.ID); err != nil {
			t.Fatal(err)
		}
		if ti = ghTest(t, f, ti.ID); ti.Status != greenhouse.StatusInProgress || ti.Complete {
			t.Fatalf("once started Greenhouse shows %+v", ti)
		}
		if res, err := candidatebot.Answer(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil || !strings.HasSuffix(res.FinalURL, "/done") {
			t.Fatalf("the candidate ended on %s (%v)", res.FinalURL, err)
		}
		e.WaitIdle()
		f.Sim.Wait()

		ti = ghTest(t, f, ti.ID)
		d = order(e, f.APIKey, ti.PartnerInterviewID)
		if ti.Pings != 1 || ti.Polls != 3 {
			t.Fatalf("Greenhouse got %d pings and polled %d times, want 1 ping and the poll it caused\n%+v%s", ti.Pings, ti.Polls, ti, d.dump())
		}
		if !ti.Complete || ti.Status != greenhouse.StatusComplete || ti.Score == nil || int(*ti.Score) != d.Result.Score ||
			ti.ProfileURL != d.Reports.ReadOnlyPageURL || ti.ProfileURL == "" {
			t.Fatalf("after the ping Greenhouse shows %+v; order result %+v reports %+v", ti, d.Result, d.Reports)
		}
		if ti.Metadata[greenhouse.MetaLabel] != d.Result.Label || ti.Metadata[greenhouse.MetaSummary] != d.Result.Summary {
			t.Errorf("metadata %v, want the label and summary", ti.Metadata)
		}
		for _, in := range d.Result.Indicators {
			if got, _ := ti.Metadata[in.Name].(float64); int(got) != in.Score {
				t.Errorf("metadata %q = %v, want %d", in.Name, ti.Metadata[in.Name], in.Score)
			}
		}
		if resp, _ := e.Get(ti.ProfileURL); resp.StatusCode != http.StatusOK {
			t.Errorf("the profile link answers %d", resp.StatusCode)
		}
		// The ping is on the order's timeline; Greenhouse stops polling.
		if calls := d.entries("ats_call", "PATCH "+greenhousesim.PingPath+ti.ID); len(calls) != 1 {
			t.Errorf("%d pings on the timeline, want 1:%s", len(calls), d.dump())
		}
		e.Clock.Advance(greenhousesim.PollInterval)
		if n, _ := f.Sim.PollDue(ctx); n != 0 {
			t.Errorf("Greenhouse polled a complete test %d more times", n)
		}
		if cs := f.Sim.Complaints(); len(cs) != 0 {
			t.Errorf("Greenhouse found answers malformed: %+v", cs)
		}
	})
}

// TestGreenhouseOwnPoll: without a ping getting through (Greenhouse's
// ping URL is down), Greenhouse's hourly poll still finds the result.
func TestGreenhouseOwnPoll(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupGreenhouse(apptest.GHOptions{})
	ctx := context.Background()
	ti := ghSend(t, e, f, f.Application, f.VacancyID)
	srWaitMails(t, e, 1)
	e.WaitIdle()
	// Every ping is refused as if the url were gone (Greenhouse no longer
	// updates the test): the connector gives up on it.
	f.Sim.AddFault(1, simkit.Fault{Status: http.StatusNotFound})
	link := invitationLink(t, e, e.Mail.Messages()[0])
	srStart(t, link)
	if _, err := candidatebot.Answer(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil {
		t.Fatal(err)
	}
	e.WaitIdle()
	f.Sim.Wait()
	if ti = ghTest(t, f, ti.ID); ti.Complete || ti.Polls != 0 {
		t.Fatalf("the refused ping made Greenhouse ask: %+v", ti)
	}
	e.Clock.Advance(greenhousesim.PollInterval)
	if n, err := f.Sim.PollDue(ctx); err != nil || n != 1 {
		t.Fatalf("poll: %d %v", n, err)
	}
	ti = ghTest(t, f, ti.ID)
	if !ti.Complete || ti.Score == nil || ti.ProfileURL == "" {
		t.Fatalf("on its own poll Greenhouse shows %+v", ti)
	}
}

// TestGreenhouseKeyChecks: every endpoint refuses a missing key, a wrong
// one, a rotated one and the right key with a password, with 401 and
// nothing stored; after rotation the new key works.
func TestGreenhouseKeyChecks(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupGreenhouse(apptest.GHOptions{})
		ctx := context.Background()
		if len(f.Key) >= greenhouse.MaxKeyLength {
			t.Fatalf("the issued key has %d characters; Greenhouse takes fewer than 171", len(f.Key))
		}
		old := f.Key
		rotated := f.IssueKey()
		for name, auth := range map[string]greenhousesim.Auth{
			"missing":       greenhousesim.NoAuth(),
			"wrong":         greenhousesim.BasicAuth(old+"x", ""),
			"rotated":       greenhousesim.BasicAuth(old, ""),
			"with password": greenhousesim.BasicAuth(rotated, "secret"),
			"as password":   greenhousesim.BasicAuth("", rotated),
			"bearer": func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer "+rotated)
			},
			"not base64": func(r *http.Request) { r.Header.Set("Authorization", "Basic "+rotated) },
		} {
			_, c, err := f.Sim.SendTestWith(ctx, f.Application.ID, f.VacancyID, auth)
			if err != nil || c.Status != http.StatusUnauthorized || !strings.Contains(string(c.Body), `"status":401`) {
				t.Errorf("%s key: send_test answered %d %s (%v), want 401", name, c.Status, c.Body, err)
			}
		}
		for _, p := range []string{greenhouse.PathListTests, greenhouse.PathTestStatus + "?partner_interview_id=x"} {
			req, _ := http.NewRequest("GET", e.App.Integrations.PartnerEndpointBase("greenhouse")+p, nil)
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(old+":")))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("GET %s with the rotated key: %d", p, resp.StatusCode)
			}
		}
		if n, _ := orders(e, f.APIKey); n != 0 {
			t.Fatalf("%d orders stored from refused calls", n)
		}
		// Greenhouse still has the old key: its calls fail until the
		// account manager enters the new one.
		if _, c, _ := f.Sim.ListTests(ctx, f.Org.ID); c.Status != http.StatusUnauthorized {
			t.Fatalf("list_tests with the old key: %d", c.Status)
		}
		f.RotateInGreenhouse(rotated)
		ti := ghSend(t, e, f, f.Application, f.VacancyID)
		if n, _ := orders(e, f.APIKey); n != 1 {
			t.Fatalf("%d orders after the new key, want 1", n)
		}
		// Greenhouse retrying the same send_test lands on the same order.
		again, c, err := f.Sim.Resend(ctx, ti.ID)
		if err != nil || c.Status != http.StatusOK || again.PartnerInterviewID != ti.PartnerInterviewID {
			t.Fatalf("resend: %v %d %s; %s want %s", err, c.Status, c.Body, again.PartnerInterviewID, ti.PartnerInterviewID)
		}
		if n, _ := orders(e, f.APIKey); n != 1 {
			t.Fatalf("%d orders after a resend, want 1", n)
		}
	})
}

// TestGreenhouseResponseError: Greenhouse's complaint about an answer lands
// on the order's timeline and is acknowledged with 200 {"status":200}.
func TestGreenhouseResponseError(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupGreenhouse(apptest.GHOptions{})
		ti := ghSend(t, e, f, f.Application, f.VacancyID)
		e.WaitIdle()
		c, err := f.Sim.Complain(context.Background(), f.Org.ID, greenhouse.ResponseError{
			APICall: "test_status", Errors: []string{"partner_score must be a Number"},
			PartnerTestID: f.VacancyID, PartnerInterviewID: ti.PartnerInterviewID, CandidateEmail: apptest.GHCandidateMail,
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != http.StatusOK || strings.TrimSpace(string(c.Body)) != `{"status":200}` {
			t.Fatalf("response_error answered %d %s, want 200 {\"status\":200}", c.Status, c.Body)
		}
		d := order(e, f.APIKey, ti.PartnerInterviewID)
		found := false
		for _, en := range d.Timeline {
			if strings.Contains(en.Message, "partner_score must be a Number") || strings.Contains(en.Detail["errors"], "partner_score must be a Number") {
				found = true
			}
		}
		if !found {
			t.Fatalf("the complaint is not on the order's timeline:%s", d.dump())
		}
	})
}

// TestGreenhouseRefusals: an unknown test is 404, a ping url off
// Greenhouse's hosts is refused (the key would go there), and an order of
// another account's integration is as absent as an unknown one.
func TestGreenhouseRefusals(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupGreenhouse(apptest.GHOptions{})
	ctx := context.Background()
	if _, c, _ := f.Sim.SendTest(ctx, f.Application.ID, "vac_nope"); c.Status != http.StatusNotFound {
		t.Errorf("send_test of an unknown test: %d %s, want 404", c.Status, c.Body)
	}
	// A send_test whose url points elsewhere: forged with the right key.
	body := `{"partner_test_id":"` + f.VacancyID + `","candidate":{"first_name":"Eve","last_name":"L","preferred_name":null,"resume_url":null,"phone_number":null,"email":"eve@example.com","greenhouse_profile_url":"https://app.greenhouse.io/people/1?application_id=2"},"sent_by":null,"url":"https://attacker.example/take_home_tests/1"}`
	req, _ := http.NewRequest("POST", f.Endpoints.SendTestURL, strings.NewReader(body))
	req.SetBasicAuth(f.Key, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("send_test with a url off Greenhouse: %d, want 400", resp.StatusCode)
	}
	if n, _ := orders(e, f.APIKey); n != 0 {
		t.Fatalf("%d orders stored from refused calls", n)
	}

	// Another account's Greenhouse asks about this account's order.
	ti := ghSend(t, e, f, f.Application, f.VacancyID)
	other := e.SetupGreenhouse(apptest.GHOptions{Company: "Other Robotics"})
	req, _ = http.NewRequest("GET", f.Endpoints.TestStatusURL+"?partner_interview_id="+ti.PartnerInterviewID, nil)
	req.SetBasicAuth(other.Key, "")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("test_status of another account's order: %d, want 404", resp.StatusCode)
	}
}

// TestGreenhouseWithOutsideVendor: an outside vendor's package is listed,
// sent, and its result reaches Greenhouse by the ping, with the vendor's
// score and a profile link.
func TestGreenhouseWithOutsideVendor(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupGreenhouse(apptest.GHOptions{})
		vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
		vac := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, "cog-20")
		ctx := context.Background()
		tests, _, err := f.Sim.ListTests(ctx, f.Org.ID)
		if err != nil || !containsTest(tests, vac.ID) {
			t.Fatalf("list_tests %+v (%v), want the vendor's package", tests, err)
		}
		ti := ghSend(t, e, f, f.Application, vac.ID)
		vf.Settle(e)
		got := vf.Program.Received()
		if len(got) != 1 || got[0].Provider != "greenhouse" || got[0].Email() != apptest.GHCandidateMail {
			t.Fatalf("the vendor received %+v", got)
		}
		if err := vf.Program.Complete(ctx, got[0].ID); err != nil {
			t.Fatal(err)
		}
		vf.Settle(e)
		f.Sim.Wait()
		ti = ghTest(t, f, ti.ID)
		score := examplevendor.ScoreFor(apptest.GHCandidateMail)
		if !ti.Complete || ti.Score == nil || int(*ti.Score) != score || ti.ProfileURL == "" || ti.Pings != 1 {
			t.Fatalf("Greenhouse shows %+v, want complete with score %d after one ping", ti, score)
		}
	})
}

func containsTest(ts []greenhouse.Test, id string) bool {
	for _, t := range ts {
		if t.PartnerTestID == id {
			return true
		}
	}
	return false
}

// TestGreenhouseExpiry: an untaken test expires; Switchboard does not ping
// ("Mark Test as Completed" is for results), and Greenhouse's own poll
// shows it expired, until its 8 weeks are over.
func TestGreenhouseExpiry(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupGreenhouse(apptest.GHOptions{})
	ctx := context.Background()
	ti := ghSend(t, e, f, f.Application, f.VacancyID)
	srWaitMails(t, e, 1)
	e.WaitIdle()
	e.Clock.Advance(7*24*time.Hour + time.Minute)
	if n, err := e.App.Engine.ExpireDue(ctx); n != 1 || err != nil {
		t.Fatalf("expire due: %d %v, want 1", n, err)
	}
	e.WaitIdle()
	f.Sim.Wait()
	if seen, _ := f.Sim.Pings(); seen != 0 {
		t.Fatalf("%d pings for an expiry, want none", seen)
	}
	if n, err := f.Sim.PollDue(ctx); n != 1 || err != nil {
		t.Fatalf("poll: %d %v", n, err)
	}
	ti = ghTest(t, f, ti.ID)
	if ti.Status != greenhouse.StatusExpired || ti.Complete || ti.Score != nil {
		t.Fatalf("after expiry Greenhouse shows %+v", ti)
	}
	e.Clock.Advance(greenhousesim.PollFor)
	if n, _ := f.Sim.PollDue(ctx); n != 0 {
		t.Errorf("Greenhouse polled %d times after 8 weeks", n)
	}
}
