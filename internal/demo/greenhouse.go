package demo

// The Greenhouse part of the demo: Greenhouse (the simulator) calls
// Switchboard's four partner endpoints with the key Switchboard issued, as
// the HTTP Basic user name. It lists the tests, a recruiter clicks "Send
// Test", and Greenhouse reads each test's state from test_status on its own
// poll; once the result is ready Switchboard pings it (PATCH on the url of
// the send_test), and Greenhouse asks test_status at once. Each step prints
// what the recruiter sees in Greenhouse.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"switchboard/internal/assess"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/candidatebot"
)

const (
	ghVacancy   = "Flight dynamics assessment"
	ghCandidate = "katherine.johnson@example.com"
)

// ghDemo is the Greenhouse scenario's state.
type ghDemo struct {
	sim           *greenhousesim.Server
	integrationID string
	vacancyID     string
	pkg           assess.Package
	partner       greenhousesim.Partner
	org           greenhousesim.Organization
	app           greenhousesim.Application
	testID        string // Greenhouse's take-home test, in the ping url
}

func (r *runner) ghScenario(ctx context.Context, sim *greenhousesim.Server) error {
	d := &ghDemo{sim: sim}
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"Greenhouse: create the test it will list (admin API)", func() (string, error) {
			var out struct {
				ID      string         `json:"id"`
				Package assess.Package `json:"package"`
			}
			code, err := r.api(ctx, "POST", "/vacancies", map[string]any{"name": ghVacancy}, &out)
			if err == nil && code != http.StatusCreated {
				err = fmt.Errorf("status %d", code)
			}
			d.vacancyID, d.pkg = out.ID, out.Package
			return fmt.Sprintf("%q", ghVacancy), err
		}},
		{"add a Greenhouse integration, issue the key Greenhouse calls with, enable (admin API)", func() (string, error) {
			return d.addIntegration(ctx, r)
		}},
		{"in Greenhouse: the account manager enters the four URLs and the key; Katherine reaches the partner stage", func() (string, error) {
			var err error
			if d.org, err = d.sim.AddOrganization("Acme Aerospace", d.partner); err != nil {
				return "", err
			}
			if d.app, err = d.sim.AddApplication(d.org.ID, "Katherine", "Johnson", ghCandidate); err != nil {
				return "", err
			}
			return "Katherine Johnson's application: " + d.app.ProfileURL(), nil
		}},
		{"Greenhouse lists the tests (list_tests)", func() (string, error) {
			tests, c, err := d.sim.ListTests(ctx, d.org.ID)
			if err == nil && c.Status != http.StatusOK {
				err = fmt.Errorf("list_tests: %d %s", c.Status, c.Body)
			}
			if err == nil && !slices.ContainsFunc(tests, func(t greenhouse.Test) bool { return t.PartnerTestID == d.vacancyID }) {
				err = fmt.Errorf("list_tests has no %s: %+v", d.vacancyID, tests)
			}
			var b strings.Builder
			for _, t := range tests {
				fmt.Fprintf(&b, "%s: %s\n", t.PartnerTestID, t.PartnerTestName)
			}
			return b.String(), err
		}},
		{"a recruiter clicks Send Test for Katherine (send_test); she is invited", func() (string, error) {
			ti, c, err := d.sim.SendTest(ctx, d.app.ID, d.vacancyID)
			if err == nil && (c.Status != http.StatusOK || ti.PartnerInterviewID == "") {
				err = fmt.Errorf("send_test: %d %s", c.Status, c.Body)
			}
			if err != nil {
				return "", err
			}
			d.testID = ti.ID
			if _, err := r.invitationFor(ctx, ghCandidate); err != nil {
				return "", err
			}
			return fmt.Sprintf("Switchboard answered partner_interview_id %s and emailed Katherine\nGreenhouse shows: %s", ti.PartnerInterviewID, d.shown()), nil
		}},
		{"Greenhouse's hourly poll asks test_status: the test is sent", func() (string, error) {
			c, err := d.sim.Poll(ctx, d.testID)
			if err == nil && c.Status != http.StatusOK {
				err = fmt.Errorf("test_status: %d %s", c.Status, c.Body)
			}
			if ti, _ := d.sim.Test(d.testID); err == nil && ti.Status != greenhouse.StatusSent {
				err = fmt.Errorf("Greenhouse shows %q, want %q", ti.Status, greenhouse.StatusSent)
			}
			return "Greenhouse shows: " + d.shown(), err
		}},
		{"Katherine takes the assessment from her email (HTTP)", func() (string, error) {
			link, err := r.invitationFor(ctx, ghCandidate)
			if err != nil {
				return "", err
			}
			res, err := candidatebot.Take(ctx, r.http, link, strongAnswers(d.pkg))
			return fmt.Sprintf("answered %d questions and submitted", res.Answered), err
		}},
		{"Switchboard pings Greenhouse (PATCH); Greenhouse asks test_status at once and shows the score and profile link", func() (string, error) {
			var ti greenhousesim.TestInstance
			err := waitFor(ctx, "the ping and Greenhouse's test_status", func() (bool, error) {
				d.sim.Wait() // the test_status call a ping set off
				ti, _ = d.sim.Test(d.testID)
				return ti.Pings == 1 && ti.Complete, nil
			})
			if err == nil && (ti.Score == nil || ti.ProfileURL == "") {
				err = fmt.Errorf("Greenhouse shows no score or no profile link: %s", d.shown())
			}
			if err != nil {
				return "", err
			}
			resp, err := r.http.Get(ti.ProfileURL)
			if err != nil {
				return "", err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return "", fmt.Errorf("the profile link %s answers %d", ti.ProfileURL, resp.StatusCode)
			}
			return fmt.Sprintf("%d ping, %d test_status calls\nGreenhouse shows: %s\n  the profile link answers %d", ti.Pings, ti.Polls, d.shown(), resp.StatusCode), nil
		}},
	}
	for _, s := range steps {
		if err := r.step(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}

func (d *ghDemo) addIntegration(ctx context.Context, r *runner) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	code, err := r.api(ctx, "POST", "/integrations", map[string]string{"provider": "greenhouse"}, &out)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("status %d", code)
	}
	if err != nil {
		return "", err
	}
	d.integrationID = out.ID
	k, err := r.app.Integrations.IssueInboundKey(ctx, r.admin, d.integrationID)
	if err != nil {
		return "", err
	}
	base := r.app.Integrations.PartnerEndpointBase("greenhouse")
	d.partner = greenhousesim.Partner{
		ListTestsURL: base + greenhouse.PathListTests, SendTestURL: base + greenhouse.PathSendTest,
		TestStatusURL: base + greenhouse.PathTestStatus, ResponseErrorURL: base + greenhouse.PathResponseError,
		Key: k.Key,
	}
	var en struct {
		Error string `json:"error"`
	}
	if code, err := r.api(ctx, "POST", "/integrations/"+d.integrationID+"/enable", nil, &en); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("enable: %d %v %s", code, err, en.Error)
	}
	return fmt.Sprintf("handed to Greenhouse: key %.12s… (HTTP Basic user name, empty password; shown once) and\n  list_tests     %s\n  send_test      %s\n  test_status    %s\n  response_error %s",
		k.Key, d.partner.ListTestsURL, d.partner.SendTestURL, d.partner.TestStatusURL, d.partner.ResponseErrorURL), nil
}

// shown is what the recruiter sees of the test in Greenhouse.
func (d *ghDemo) shown() string {
	ti, ok := d.sim.Test(d.testID)
	if !ok {
		return "no test"
	}
	if ti.Status == "" {
		return "Test sent, no status read yet"
	}
	var b strings.Builder
	b.WriteString(ti.Status)
	if ti.Score != nil {
		fmt.Fprintf(&b, ", score %s", strconv.FormatFloat(*ti.Score, 'f', -1, 64))
	}
	if ti.ProfileURL != "" {
		fmt.Fprintf(&b, "\n  profile: %s", ti.ProfileURL)
	}
	keys := make([]string, 0, len(ti.Metadata))
	for k := range ti.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %v", k, ti.Metadata[k])
	}
	return b.String()
}
