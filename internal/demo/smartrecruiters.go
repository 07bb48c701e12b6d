package demo

// The SmartRecruiters part of the demo: the opposite shape from Lever.
// SmartRecruiters (the simulator) calls Switchboard to connect, list packages
// and order; Switchboard writes statuses, results, the PDF and custom
// application fields back. Each step prints what the candidate's profile in
// SmartRecruiters shows.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"switchboard/internal/assess"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/candidatebot"
	"switchboard/internal/core"
)

const (
	srPartnerID     = "demo-switchboard-app"
	srPartnerSecret = "demo-partner-master-secret"
	srVacancy       = "Barista"
	srInlineVacancy = "Barista inline screening"
)

// srDemo is the SmartRecruiters scenario's state.
type srDemo struct {
	sim           *srsim.Server
	integrationID string
	vacancies     map[string]string // name → id
	pkg           assess.Package
	company       srsim.Company
	process       srsim.HiringProcess
	job           sr.Job
	ann, ben      sr.Candidate
	fieldNames    map[string]string // property id → label
	writeBack     core.WriteBackConfig
}

func (r *runner) srScenario(ctx context.Context) error {
	d := &srDemo{sim: r.srSim, vacancies: map[string]string{}, fieldNames: map[string]string{}}
	r.sr = d
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"SmartRecruiters: create the packages it will list (admin API)", func() (string, error) {
			for _, name := range []string{srVacancy, srInlineVacancy} {
				var out struct {
					ID      string         `json:"id"`
					Package assess.Package `json:"package"`
				}
				code, err := r.api(ctx, "POST", "/vacancies", map[string]any{"name": name}, &out)
				if err == nil && code != http.StatusCreated {
					err = fmt.Errorf("status %d", code)
				}
				if err != nil {
					return "", err
				}
				d.vacancies[name], d.pkg = out.ID, out.Package
			}
			return fmt.Sprintf("%q, and %q (its name makes it an inline package)", srVacancy, srInlineVacancy), nil
		}},
		{"in SmartRecruiters: a company with custom fields, a hiring process with an auto-triggered and an inline package, a job, two applicants", func() (string, error) {
			return d.setUpCompany()
		}},
		{"add a SmartRecruiters integration: companyId, partner credentials, custom-field map (admin API)", func() (string, error) {
			return d.addIntegration(ctx, r)
		}},
		{"generate a connection token (shown once, valid 30 minutes)", func() (string, error) {
			tok, err := r.app.Integrations.GenerateConnectionToken(ctx, r.admin, d.integrationID)
			if err != nil {
				return "", err
			}
			r.srToken = tok.Token
			cfg, _ := d.sim.PartnerConfiguration()
			return fmt.Sprintf("token %.12s… valid until %s\nregistered with SmartRecruiters: consent page %s, orders %s",
				tok.Token, tok.ExpiresAt.Format("15:04 MST"), cfg.ConsentURL, cfg.PackageOrderURL), nil
		}},
		{"in SmartRecruiters: the customer connects the app and enters the token on Switchboard's consent page", func() (string, error) {
			return d.connect(ctx, r)
		}},
		{"SmartRecruiters lists the packages", func() (string, error) {
			ps, err := d.sim.ListPackages(ctx, d.company.ID)
			if err != nil {
				return "", err
			}
			var b strings.Builder
			for _, p := range ps {
				fmt.Fprintf(&b, "%s: %s (%d assessments)\n", p.Type, p.Name, len(p.Assessments))
			}
			return b.String(), nil
		}},
		{"ad-hoc: a recruiter orders Barista from Ann's profile", func() (string, error) {
			pls, err := d.sim.OrderAdHoc(ctx, d.company.ID, string(d.ann.ID), string(d.job.ID), d.vacancies[srVacancy])
			if err = placed(pls, err); err != nil {
				return "", err
			}
			r.srOrder = pls[0].OrderID
			o, err := d.waitStatus(ctx, r.srOrder, sr.StatusPending)
			return fmt.Sprintf("Switchboard accepted it (%d) and emailed Ann\nprofile: %s", pls[0].StatusCode, d.profile(o)), err
		}},
		{"Ann takes the assessment from her email (HTTP)", func() (string, error) {
			link, err := r.invitationFor(ctx, d.ann.Email)
			if err != nil {
				return "", err
			}
			res, err := candidatebot.Take(ctx, r.http, link, strongAnswers(d.pkg))
			return fmt.Sprintf("answered %d questions and submitted", res.Answered), err
		}},
		{"SmartRecruiters' profile shows Ann's result", func() (string, error) {
			o, err := d.waitStatus(ctx, r.srOrder, sr.StatusCompleted)
			if err != nil {
				return "", err
			}
			err = waitFor(ctx, "Ann's custom fields", func() (bool, error) {
				return len(d.sim.Properties(d.company.ID, string(d.ann.ID), string(d.job.ID))) > 0, nil
			})
			return d.profile(o) + "\n" + d.fields(string(d.ann.ID)), err
		}},
		{"auto-triggered: Ben reaches the Assessment step", func() (string, error) {
			pls, err := d.sim.MoveToStep(ctx, d.company.ID, string(d.ben.ID), string(d.job.ID), d.process.Steps[1].ID)
			if err = placed(pls, err); err != nil {
				return "", err
			}
			if len(pls) != 1 {
				return "", fmt.Errorf("%d orders placed, want 1", len(pls))
			}
			o, err := d.waitStatus(ctx, pls[0].OrderID, sr.StatusPending)
			if err != nil {
				return "", err
			}
			if _, err := r.invitationFor(ctx, d.ben.Email); err != nil {
				return "", err
			}
			return fmt.Sprintf("SmartRecruiters ordered %s automatically; Switchboard emailed Ben\nprofile: %s", srVacancy, d.profile(o)), nil
		}},
		{"inline: Cleo applies and is sent to the assessment mid-application", func() (string, error) {
			app, err := d.sim.ApplyInline(ctx, d.company.ID, string(d.job.ID), srsim.Applicant{FirstName: "Cleo", LastName: "Park", Email: "cleo@example.com"})
			if err != nil {
				return "", err
			}
			res, err := candidatebot.Take(ctx, r.http, app.CandidateURL, strongAnswers(d.pkg))
			if err != nil {
				return "", err
			}
			if res.FinalURL != app.ReturnURL {
				return "", fmt.Errorf("Cleo ended on %s, not on SmartRecruiters' return URL %s", res.FinalURL, app.ReturnURL)
			}
			a, _ := d.sim.Application(d.company.ID, app.CandidateID, string(d.job.ID))
			if a.Inline {
				return "", errors.New("SmartRecruiters did not see Cleo come back")
			}
			o, err := d.waitStatus(ctx, app.OrderID, sr.StatusCompleted)
			return fmt.Sprintf("sent to %s…, no email\nanswered %d questions, back on SmartRecruiters' return page: application submitted\nprofile: %s",
				app.CandidateURL[:strings.LastIndex(app.CandidateURL, "/a/")+3], res.Answered, d.profile(o)), err
		}},
	}
	for _, s := range steps {
		if err := r.step(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}

func placed(pls []srsim.Placement, err error) error {
	if err != nil {
		return err
	}
	for _, p := range pls {
		if p.Err != nil {
			return p.Err
		}
	}
	return nil
}

func (d *srDemo) setUpCompany() (string, error) {
	d.sim.RegisterPartner(srPartnerID, srPartnerSecret)
	d.company = d.sim.AddCompany("Acme Coffee")
	score, err := d.sim.AddProperty(d.company.ID, "Assessment score", srsim.PropertyText)
	if err != nil {
		return "", err
	}
	fit, err := d.sim.AddProperty(d.company.ID, "Assessment fit", srsim.PropertySingleSelect, "fit-great", "fit-good", "fit-poor")
	if err != nil {
		return "", err
	}
	d.fieldNames[score.ID], d.fieldNames[fit.ID] = score.Label, fit.Label
	for _, m := range d.pkg.Modules {
		p, err := d.sim.AddProperty(d.company.ID, m.Name, srsim.PropertyText)
		if err != nil {
			return "", err
		}
		d.fieldNames[p.ID] = m.Name
	}
	if d.process, err = d.sim.AddHiringProcess(d.company.ID, "Baristas", d.vacancies[srInlineVacancy],
		srsim.Step{Name: "Applied"}, srsim.Step{Name: "Assessment", AutoPackageID: d.vacancies[srVacancy]}, srsim.Step{Name: "Interview"}); err != nil {
		return "", err
	}
	if d.job, err = d.sim.AddJob(d.company.ID, "Barista (Downtown)", d.process.ID, nil); err != nil {
		return "", err
	}
	if d.ann, err = d.sim.AddCandidate(d.company.ID, "Ann", "Lee", "ann@example.com"); err != nil {
		return "", err
	}
	if d.ben, err = d.sim.AddCandidate(d.company.ID, "Ben", "Okafor", "ben@example.com"); err != nil {
		return "", err
	}
	for _, c := range []sr.Candidate{d.ann, d.ben} {
		if err := d.sim.Apply(d.company.ID, string(c.ID), string(d.job.ID)); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("company %s (companyId %s)\nhiring process: Applied → Assessment (orders %s) → Interview; inline package %s\ncustom fields: %s, %s (Great/Good/Poor fit), one per indicator",
		d.company.Name, d.company.ID, srVacancy, srInlineVacancy, score.Label, fit.Label), nil
}

func (d *srDemo) addIntegration(ctx context.Context, r *runner) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	code, err := r.api(ctx, "POST", "/integrations", map[string]string{"provider": "smartrecruiters"}, &out)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("status %d", code)
	}
	if err != nil {
		return "", err
	}
	d.integrationID = out.ID
	wb := core.DefaultWriteBack()
	wb.LabelValues = map[string]string{}
	wb.IndicatorFields = map[string]core.FieldMapping{}
	for id, name := range d.fieldNames {
		switch name {
		case "Assessment score":
			wb.ScoreField = core.FieldMapping{Enabled: true, FieldID: id}
		case "Assessment fit":
			wb.LabelField = core.FieldMapping{Enabled: true, FieldID: id}
		default:
			for _, m := range d.pkg.Modules {
				if m.Name == name {
					wb.IndicatorFields[m.Key] = core.FieldMapping{Enabled: true, FieldID: id}
				}
			}
		}
	}
	wb.LabelValues = map[string]string{string(assess.GreatFit): "fit-great", string(assess.GoodFit): "fit-good", string(assess.PoorFit): "fit-poor"}
	d.writeBack = wb
	patch := map[string]any{
		"settings":   map[string]string{sr.SettingCompanyID: d.company.ID, sr.SettingBaseURL: d.sim.BaseURL()},
		"write_back": wb,
	}
	if code, err := r.api(ctx, "PATCH", "/integrations/"+d.integrationID, patch, nil); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("configure: %d %v", code, err)
	}
	// Credentials after the base URL, whose change would clear them.
	for name, value := range map[string]string{sr.CredentialPartnerClientID: srPartnerID, sr.CredentialPartnerClientSecret: srPartnerSecret} {
		if code, err := r.api(ctx, "PUT", "/integrations/"+d.integrationID+"/credentials/"+name, map[string]string{"value": value}, nil); err != nil || code != http.StatusOK {
			return "", fmt.Errorf("set %s: %d %v", name, code, err)
		}
	}
	return "patterns: ATS-first ad-hoc and inline; the PDF as an attachment, the read-only report as the result URL", nil
}

var srFormAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

func (d *srDemo) connect(ctx context.Context, r *runner) (string, error) {
	consentURL, err := d.sim.Connect(ctx, d.company.ID)
	if err != nil {
		return "", err
	}
	resp, err := r.http.Get(consentURL)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("consent page: %d", resp.StatusCode)
	}
	u, err := url.Parse(consentURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	u.RawQuery = ""
	resp, err = r.http.PostForm(u.String(), url.Values{"companyId": {q.Get("companyId")}, "redirect": {q.Get("redirect")}, "token": {r.srToken}})
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	c, _ := d.sim.Connection(d.company.ID)
	if resp.StatusCode != http.StatusOK || !c.Returned {
		return "", fmt.Errorf("connect: %d at %s, SmartRecruiters sees %+v", resp.StatusCode, resp.Request.URL, c)
	}
	var in struct {
		Status string `json:"status"`
	}
	if _, err := r.api(ctx, "GET", "/integrations/"+d.integrationID, nil, &in); err != nil {
		return "", err
	}
	if in.Status != "enabled" {
		return "", fmt.Errorf("integration is %s after connecting", in.Status)
	}
	return fmt.Sprintf("consent page %s\ncredentials exchanged both ways; the integration is %s; the admin is back on SmartRecruiters",
		consentURL[:strings.Index(consentURL, "?")], in.Status), nil
}

// waitStatus waits until SmartRecruiters shows status for an order.
func (d *srDemo) waitStatus(ctx context.Context, orderID string, status sr.Status) (srsim.Order, error) {
	var o srsim.Order
	err := waitFor(ctx, "SmartRecruiters to show "+string(status), func() (bool, error) {
		o, _ = d.sim.Order(orderID)
		return o.Result.Status == status, nil
	})
	return o, err
}

// profile is what a SmartRecruiters profile shows about an order.
func (d *srDemo) profile(o srsim.Order) string {
	var hist []string
	for _, s := range o.StatusHistory {
		hist = append(hist, string(s))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s order, status %s", o.Kind, strings.Join(hist, " → "))
	switch sc := o.Result.Score; {
	case sc != nil:
		fmt.Fprintf(&b, "\n  score %d (min %d, max %d), label %q", sc.Raw, sc.Min, sc.Max, o.Result.ScoreLabel)
	case o.Result.ScoreLabel != "":
		fmt.Fprintf(&b, "\n  label %q", o.Result.ScoreLabel)
	}
	if o.Result.Summary != "" {
		fmt.Fprintf(&b, "\n  summary: %s", o.Result.Summary)
	}
	for _, ar := range o.Result.AssessmentResults {
		if ar.Score != nil {
			fmt.Fprintf(&b, "\n  - %s: %d/%d", ar.AssessmentName, ar.Score.Raw, ar.Score.Max)
		}
	}
	shown := map[string]bool{}
	for _, a := range o.Attachments {
		fmt.Fprintf(&b, "\n  attachment: %s (%s, %d bytes)", a.FileName, a.ContentType, len(a.Data))
		shown[a.URL] = true
	}
	u := o.ResultURL()
	if u != "" {
		fmt.Fprintf(&b, "\n  result URL: %s", u)
		shown[u] = true
	}
	// The other links a vendor's result carries: its report page, its PDF.
	for _, a := range o.Result.Attachments {
		if !shown[a.URL] {
			fmt.Fprintf(&b, "\n  attachment link (%s): %s", a.Type, a.URL)
		}
	}
	return b.String()
}

// fields lists a candidate's custom application fields by name.
func (d *srDemo) fields(candidateID string) string {
	props := d.sim.Properties(d.company.ID, candidateID, string(d.job.ID))
	var lines []string
	for id, v := range props {
		lines = append(lines, fmt.Sprintf("  %s = %v", d.fieldNames[id], v))
	}
	sort.Strings(lines)
	return "custom fields:\n" + strings.Join(lines, "\n")
}

// invitationFor waits for the invitation emailed to addr (the dev outbox)
// and returns its link.
func (r *runner) invitationFor(ctx context.Context, addr string) (string, error) {
	var link string
	err := waitFor(ctx, "the invitation to "+addr, func() (bool, error) {
		mails, err := r.app.Service.Outbox(ctx, r.admin, 50)
		if err != nil {
			return false, err
		}
		for _, m := range mails {
			if strings.Contains(m.To, addr) {
				link = regexp.MustCompile(`https?://\S+/a/\S+`).FindString(m.Text)
				return link != "", nil
			}
		}
		return false, nil
	})
	return link, err
}
