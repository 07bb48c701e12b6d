package demo

// The Ashby part of the demo: Ashby (the simulator) calls Switchboard's
// partner endpoints with the key Switchboard issued to list packages, start
// and cancel assessments; Switchboard pushes progress and the result to
// Ashby's assessment.update with the customer's API key. Each step prints
// what Ashby shows the recruiter.

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"switchboard/internal/assess"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/candidatebot"
)

const (
	ashbyCustomerKey = "demo-ashby-customer-api-key"
	ashbyVacancy     = "Robotics engineer screening"
)

// ashbyDemo is the Ashby scenario's state.
type ashbyDemo struct {
	sim           *ashbysim.Server
	url           string
	integrationID string
	vacancyID     string
	pkg           assess.Package
	job           ashbysim.Job
	ada, alan     ashbysim.Application
	adaID, alanID string // assessment ids Ashby got
}

func (r *runner) ashbyScenario(ctx context.Context, sim *ashbysim.Server, simURL string) error {
	d := &ashbyDemo{sim: sim, url: simURL}
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"Ashby: create the package it will list (admin API)", func() (string, error) {
			var out struct {
				ID      string         `json:"id"`
				Package assess.Package `json:"package"`
			}
			code, err := r.api(ctx, "POST", "/vacancies", map[string]any{"name": ashbyVacancy}, &out)
			if err == nil && code != http.StatusCreated {
				err = fmt.Errorf("status %d", code)
			}
			d.vacancyID, d.pkg = out.ID, out.Package
			return fmt.Sprintf("%q", ashbyVacancy), err
		}},
		{"in Ashby: an API key (candidatesWrite, apiKeysRead), a job, two active applications", func() (string, error) {
			d.sim.AddAPIKey(ashbyCustomerKey, "Switchboard assessments", ashbysim.PermCandidatesWrite, ashbysim.PermAPIKeysRead)
			d.job = d.sim.AddJob("Robotics Engineer", "REQ-7")
			var err error
			for _, p := range []struct {
				to          *ashbysim.Application
				first, last string
			}{{&d.ada, "Ada", "Byron"}, {&d.alan, "Alan", "Turing"}} {
				c := d.sim.AddCandidate(p.first, p.last, strings.ToLower(p.first)+"@example.com")
				if *p.to, err = d.sim.Apply(c.ID, d.job.ID); err != nil {
					return "", err
				}
			}
			return "Ada and Alan applied to Robotics Engineer", nil
		}},
		{"add an Ashby integration with the customer's key, issue the key Ashby calls with, enable (admin API)", func() (string, error) {
			return d.addIntegration(ctx, r)
		}},
		{"Ashby lists the packages (assessment.list)", func() (string, error) {
			types, _, err := d.sim.ListAssessments(ctx)
			var b strings.Builder
			for _, t := range types {
				fmt.Fprintf(&b, "%s: %s\n", t.AssessmentTypeID, t.Name)
			}
			return b.String(), err
		}},
		{"a recruiter starts the assessment for Ada (assessment.start)", func() (string, error) {
			out, err := d.sim.StartAssessment(ctx, d.ada.ID, d.vacancyID)
			if err == nil && out.Status != http.StatusOK {
				err = fmt.Errorf("Switchboard answered %d: %s", out.Status, out.Shown)
			}
			if err != nil {
				return "", err
			}
			d.adaID = out.AssessmentID
			a, err := d.wait(ctx, d.adaID, func(a ashbysim.Assessment) bool { return a.Status == ashby.StatusInvited })
			return fmt.Sprintf("assessment %s; Ada is emailed\nAshby shows: %s", d.adaID, d.shown(a)), err
		}},
		{"the recruiter starts it again: 409, and Ashby says so", func() (string, error) {
			out, err := d.sim.StartAssessment(ctx, d.ada.ID, d.vacancyID)
			if err == nil && out.Status != http.StatusConflict {
				err = fmt.Errorf("Switchboard answered %d, want 409", out.Status)
			}
			return fmt.Sprintf("%d: %s", out.Status, out.Shown), err
		}},
		{"a start of a package the account does not have: 422, with the message Ashby shows", func() (string, error) {
			out, err := d.sim.StartAssessment(ctx, d.alan.ID, "vac_retired")
			if err == nil && out.Status != http.StatusUnprocessableEntity {
				err = fmt.Errorf("Switchboard answered %d, want 422", out.Status)
			}
			return fmt.Sprintf("%d: %s", out.Status, out.Shown), err
		}},
		{"Ada takes the assessment from her email (HTTP); Ashby shows her result", func() (string, error) {
			link, err := r.invitationFor(ctx, "ada@example.com")
			if err != nil {
				return "", err
			}
			if _, err := candidatebot.Take(ctx, r.http, link, strongAnswers(d.pkg)); err != nil {
				return "", err
			}
			a, err := d.wait(ctx, d.adaID, func(a ashbysim.Assessment) bool { return a.Result != nil })
			return "Ashby shows: " + d.shown(a), err
		}},
		{"Alan's assessment is started, then cancelled in Ashby (assessment.cancel)", func() (string, error) {
			out, err := d.sim.StartAssessment(ctx, d.alan.ID, d.vacancyID)
			if err == nil && out.Status != http.StatusOK {
				err = fmt.Errorf("Switchboard answered %d: %s", out.Status, out.Shown)
			}
			if err != nil {
				return "", err
			}
			d.alanID = out.AssessmentID
			if _, err := d.wait(ctx, d.alanID, func(a ashbysim.Assessment) bool { return a.Status == ashby.StatusInvited }); err != nil {
				return "", err
			}
			if status, err := d.sim.Cancel(ctx, d.alanID); err != nil || status != http.StatusOK {
				return "", fmt.Errorf("assessment.cancel: %d %v", status, err)
			}
			var state string
			err = waitFor(ctx, "Alan's order cancelled", func() (bool, error) {
				var page struct {
					Orders []struct {
						State      string `json:"state"`
						ExternalID string `json:"external_id"`
					} `json:"orders"`
				}
				if _, err := r.api(ctx, "GET", "/orders", nil, &page); err != nil {
					return false, err
				}
				for _, o := range page.Orders {
					if o.ExternalID == d.alanID {
						state = o.State
					}
				}
				return state == "cancelled", nil
			})
			a, _ := d.sim.Assessment(d.alanID)
			return fmt.Sprintf("the order in Switchboard: %s; nothing more is written to Ashby\nAshby shows: %s", state, d.shown(a)), err
		}},
	}
	for _, s := range steps {
		if err := r.step(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}

func (d *ashbyDemo) addIntegration(ctx context.Context, r *runner) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	code, err := r.api(ctx, "POST", "/integrations", map[string]string{"provider": "ashby"}, &out)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("status %d", code)
	}
	if err != nil {
		return "", err
	}
	d.integrationID = out.ID
	// The base URL first: changing it clears the credentials.
	if code, err := r.api(ctx, "PATCH", "/integrations/"+d.integrationID, map[string]any{"settings": map[string]string{ashby.SettingBaseURL: d.url}}, nil); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("configure: %d %v", code, err)
	}
	if code, err := r.api(ctx, "PUT", "/integrations/"+d.integrationID+"/credentials/"+ashby.CredentialAPIKey, map[string]string{"value": ashbyCustomerKey}, nil); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("credential: %d %v", code, err)
	}
	k, err := r.app.Integrations.IssueInboundKey(ctx, r.admin, d.integrationID)
	if err != nil {
		return "", err
	}
	base := r.app.Integrations.PartnerEndpointBase("ashby")
	d.sim.ConfigurePartner(base, k.Key)
	var en struct {
		Checks []struct {
			Name    string `json:"name"`
			OK      bool   `json:"ok"`
			Problem string `json:"problem"`
		} `json:"checks"`
	}
	if code, err := r.api(ctx, "POST", "/integrations/"+d.integrationID+"/enable", nil, &en); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("enable: %d %v %+v", code, err, en.Checks)
	}
	return fmt.Sprintf("handed to Ashby: endpoint %s, key %.12s… (HTTP Basic user name)", base, k.Key), nil
}

func (d *ashbyDemo) wait(ctx context.Context, id string, done func(ashbysim.Assessment) bool) (ashbysim.Assessment, error) {
	var a ashbysim.Assessment
	err := waitFor(ctx, "Ashby's assessment "+id, func() (bool, error) {
		var ok bool
		a, ok = d.sim.Assessment(id)
		return ok && done(a), nil
	})
	return a, err
}

// shown is what Ashby shows of an assessment, in a line or a few.
func (d *ashbyDemo) shown(a ashbysim.Assessment) string {
	var b strings.Builder
	switch {
	case a.Cancelled:
		fmt.Fprintf(&b, "cancelled (%s)", a.CancelledReason)
	case a.Status != "":
		b.WriteString(a.Status)
	default:
		b.WriteString("started, no update yet")
	}
	if !a.StartedAt.IsZero() {
		fmt.Fprintf(&b, ", started %s", a.StartedAt.Format("15:04:05"))
	}
	if a.Result != nil {
		fmt.Fprintf(&b, "\n  result: %s %v (%s)\n  profile: %s", a.Result.Label, a.Result.Value, a.Result.Description, a.ProfileURL)
		for _, m := range a.Metadata {
			fmt.Fprintf(&b, "\n  %s: %v", m.Label, m.Value)
		}
	}
	return b.String()
}
