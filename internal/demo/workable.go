package demo

// The Workable part of the demo: Workable (the simulator) lists the
// account's tests and a recruiter sends one; Switchboard invites the
// candidate, notes it on their timeline and reports each status, then the
// result, to the callback URL Workable gave. Each step prints what the
// candidate's page in Workable shows.

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"switchboard/internal/assess"
	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/workablesim"
	"switchboard/internal/candidatebot"
)

const (
	wkSubdomain = "acme"
	wkVacancy   = "Head Baker aptitude"
)

func (r *runner) wkScenario(ctx context.Context) error {
	sim := r.wkSim
	var integrationID, vacancyID, token, callbackToken, assessmentID string
	var pkg assess.Package
	var cand workable.Candidate
	page := func() string {
		as, _ := sim.Assessment(wkSubdomain, assessmentID)
		var b strings.Builder
		fmt.Fprintf(&b, "candidate page: status %s", as.Status)
		if as.Result != nil {
			fmt.Fprintf(&b, ", score %s, grade %s\n  summary: %s\n  results: %s", as.Result.Score, as.Result.Grade, as.Result.Summary, as.ResultsURL)
			for _, a := range as.Attachments {
				fmt.Fprintf(&b, "\n  attachment %q: %s", a.Description, a.URL)
			}
		}
		for _, c := range sim.Comments(wkSubdomain, string(cand.ID)) {
			fmt.Fprintf(&b, "\ntimeline note: %s", c.Body)
		}
		return b.String()
	}
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"in Workable: an account (acme), an admin, a job and an applicant, an API access token, the assessment provider integration", func() (string, error) {
			sim.AddAccount(wkSubdomain, "Acme Bakeries")
			sim.AddMember(wkSubdomain, "Robin Admin", "robin@acme.example", workable.RoleAdmin)
			job := sim.AddJob(wkSubdomain, "Head Baker")
			cand = sim.AddCandidate(wkSubdomain, job.Shortcode, "Lakita", "Marrero", "lakita@example.com")
			sim.AddRequisition(wkSubdomain, "REQ-1")
			token = sim.AddToken(wkSubdomain, workablesim.AllScopes...)
			callbackToken = sim.CreateIntegration(wkSubdomain)
			return fmt.Sprintf("job %s %q, applicant %s\nWorkable's callback token for results: %.8s…", job.Shortcode, job.Title, cand.Name, callbackToken), nil
		}},
		{"add a Workable integration: the test, the subdomain, both tokens (admin API); issue the key for Workable's card; enable", func() (string, error) {
			var v struct {
				ID      string         `json:"id"`
				Package assess.Package `json:"package"`
			}
			if code, err := r.api(ctx, "POST", "/vacancies", map[string]any{"name": wkVacancy}, &v); err != nil || code != http.StatusCreated {
				return "", fmt.Errorf("create vacancy: %d %v", code, err)
			}
			vacancyID, pkg = v.ID, v.Package
			var in struct {
				ID string `json:"id"`
			}
			if code, err := r.api(ctx, "POST", "/integrations", map[string]string{"provider": "workable"}, &in); err != nil || code != http.StatusCreated {
				return "", fmt.Errorf("create integration: %d %v", code, err)
			}
			integrationID = in.ID
			// Settings first: pointing the base URL at another host clears credentials.
			settings := map[string]any{"settings": map[string]string{workable.SettingSubdomain: wkSubdomain, workable.SettingBaseURL: sim.APIBase(wkSubdomain)}}
			if code, err := r.api(ctx, "PATCH", "/integrations/"+integrationID, settings, nil); err != nil || code != http.StatusOK {
				return "", fmt.Errorf("settings: %d %v", code, err)
			}
			for name, val := range map[string]string{workable.CredentialAPIToken: token, workable.CredentialCallbackToken: callbackToken} {
				if code, err := r.api(ctx, "PUT", "/integrations/"+integrationID+"/credentials/"+name, map[string]string{"value": val}, nil); err != nil || code != http.StatusOK {
					return "", fmt.Errorf("credential %s: %d %v", name, code, err)
				}
			}
			key, err := r.app.Integrations.IssueInboundKey(ctx, r.admin, integrationID)
			if err != nil {
				return "", err
			}
			endpoint := r.app.Integrations.PartnerEndpointBase("workable")
			sim.ConfigureProvider(wkSubdomain, endpoint, key.Key)
			var out struct {
				Error string `json:"error"`
			}
			if code, err := r.api(ctx, "POST", "/integrations/"+integrationID+"/enable", nil, &out); err != nil || code != http.StatusOK {
				return "", fmt.Errorf("enable: %d %v %s", code, err, out.Error)
			}
			return fmt.Sprintf("Workable's card: %s, key %.12s… (shown once)\nenabled: the token reads jobs, candidates, requisitions and members", endpoint, key.Key), nil
		}},
		{"Workable lists the tests", func() (string, error) {
			tests, ans, err := sim.ListTests(ctx, wkSubdomain)
			if err == nil && ans.Status != http.StatusOK {
				err = fmt.Errorf("GET /tests: %d %s", ans.Status, ans.Body)
			}
			var names []string
			for _, t := range tests {
				names = append(names, t.Name)
			}
			return strings.Join(names, ", "), err
		}},
		{"a recruiter sends " + wkVacancy + " to Lakita", func() (string, error) {
			as, ans, err := sim.SendAssessment(ctx, wkSubdomain, string(cand.ID), vacancyID, workablesim.SendOptions{})
			if err == nil && ans.Status != http.StatusCreated {
				err = fmt.Errorf("POST /assessments: %d %s", ans.Status, ans.Body)
			}
			if err != nil {
				return "", err
			}
			assessmentID = as.ID
			err = waitFor(ctx, "the note on Lakita's timeline", func() (bool, error) {
				got, _ := sim.Assessment(wkSubdomain, assessmentID)
				return got.Status == workable.StatusPending && len(sim.Comments(wkSubdomain, string(cand.ID))) == 1, nil
			})
			return fmt.Sprintf("Switchboard answered %d, assessment_id %s, and emailed Lakita\n%s", ans.Status, as.ProviderID, page()), err
		}},
		{"Lakita takes the assessment from her email (HTTP)", func() (string, error) {
			link, err := r.invitationFor(ctx, cand.Email)
			if err != nil {
				return "", err
			}
			res, err := candidatebot.Take(ctx, r.http, link, strongAnswers(pkg))
			return fmt.Sprintf("answered %d questions and submitted", res.Answered), err
		}},
		{"Workable's candidate page shows Lakita's result", func() (string, error) {
			err := waitFor(ctx, "the completed callback", func() (bool, error) {
				got, _ := sim.Assessment(wkSubdomain, assessmentID)
				return got.Status == workable.StatusCompleted, nil
			})
			return page(), err
		}},
	}
	for _, s := range steps {
		if err := r.step(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}
