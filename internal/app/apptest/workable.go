package apptest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"time"

	"switchboard/internal/assess"
	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/workablesim"
	"switchboard/internal/core"
)

// Workable fixture values.
const (
	WorkableSubdomain   = "acme"
	WorkableCompany     = "Acme Bakeries"
	WorkableVacancyName = "Bakery Aptitude"
	WorkableJobTitle    = "Head Baker"
	WorkableEmail       = "lakita.marrero@example.com"
)

// WorkableOptions vary the Workable set-up.
type WorkableOptions struct {
	// NoEnable stops before enabling: the integration is configured, its
	// key issued and on Workable's card, but draft.
	NoEnable bool
	// Scopes of the account token (default: workablesim.AllScopes).
	Scopes []string
	// Reports replaces the default report choice (read-only page and PDF).
	Reports *core.ReportConfig
	// Fields sets up the Assessments tab: custom attributes in Workable for
	// the status (short text), score (numeric), label (short text) and one
	// numeric per indicator of the default package, mapped in Switchboard.
	Fields bool
}

// WorkableFixture is what SetupWorkable created, on both sides.
type WorkableFixture struct {
	e   *Env
	Sim *workablesim.Server
	URL string // where the simulator is served
	// Calls records every call Workable made to Switchboard.
	Calls *PartnerCalls

	APIKey        string    // the vendor's super admin's admin API key
	Admin         core.User // that super admin
	AccountID     string
	IntegrationID string
	VacancyID     string
	// Key is the key Switchboard issued, on Workable's integration card.
	Key string
	// Token is the customer's account access token; CallbackToken the
	// token Workable generated for results.
	Token         string
	CallbackToken string
	Admin0        string // the Workable admin member's id
	Job           workable.Job
	Candidate     workable.Candidate // applied to Job
	// The Assessments tab's attributes, with Fields.
	StatusField, ScoreField, LabelField workable.CustomAttribute
	IndicatorFields                     map[string]workable.CustomAttribute
}

// SetupWorkable does what a vendor's admin and a Workable customer's admin
// do: in Workable an account (subdomain) with an admin member, a job, an
// applicant and a requisition, an account access token with the scopes,
// and the assessment provider's integration card (which shows Workable's
// callback token); in Switchboard an account with a vacancy and a Workable
// integration configured through the admin API (subdomain, the simulator's
// API URL, both tokens), its key issued and copied onto Workable's card;
// and, unless NoEnable, enabling it (which validates with real calls).
func (e *Env) SetupWorkable(o WorkableOptions) *WorkableFixture {
	e.T.Helper()
	ctx := context.Background()
	f := &WorkableFixture{e: e, Calls: &PartnerCalls{}}
	f.Sim = workablesim.New(workablesim.WithClock(e.ClientNow),
		workablesim.WithPartnerClient(&http.Client{Timeout: 30 * time.Second, Transport: f.Calls}))
	srv := httptest.NewServer(f.Sim.Handler())
	e.T.Cleanup(srv.Close)
	f.URL = srv.URL
	f.Sim.SetBaseURL(srv.URL)

	// Workable: the customer's account.
	f.Sim.AddAccount(WorkableSubdomain, WorkableCompany)
	f.Admin0 = string(f.Sim.AddMember(WorkableSubdomain, "Robin Admin", "robin@acmebakeries.example", workable.RoleAdmin).ID)
	f.Sim.AddMember(WorkableSubdomain, "Sam Recruiter", "sam@acmebakeries.example", "simple")
	f.Job = f.Sim.AddJob(WorkableSubdomain, WorkableJobTitle)
	f.Candidate = f.Sim.AddCandidate(WorkableSubdomain, f.Job.Shortcode, "Lakita", "Marrero", WorkableEmail)
	f.Sim.AddRequisition(WorkableSubdomain, "REQ-1")
	scopes := o.Scopes
	if scopes == nil {
		scopes = workablesim.AllScopes
	}
	f.Token = f.Sim.AddToken(WorkableSubdomain, scopes...)
	f.CallbackToken = f.Sim.CreateIntegration(WorkableSubdomain)

	// Switchboard: the vendor's account, a vacancy and the integration.
	f.APIKey = e.CreateAccount(WorkableCompany, "admin@acmebakeries.example")
	admin, err := e.App.Identity.Authenticate(ctx, f.APIKey)
	if err != nil {
		e.T.Fatalf("authenticate: %v", err)
	}
	f.Admin, f.AccountID = admin, admin.AccountID
	var v struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", map[string]any{"name": WorkableVacancyName}, &v)
	f.VacancyID = v.ID
	var in struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations", map[string]string{"provider": "workable"}, &in)
	f.IntegrationID = in.ID
	patch := map[string]any{"settings": map[string]string{
		workable.SettingSubdomain: WorkableSubdomain, workable.SettingBaseURL: f.Sim.APIBase(WorkableSubdomain),
	}}
	// Workable takes the PDF as a link: the default's file goes as one
	// too, but a configuration saved says so.
	wb := core.WriteBackConfig{Reports: core.ReportConfig{ReadOnlyPageURL: true, PDFURL: true}}
	if o.Reports != nil {
		wb.Reports = *o.Reports
	}
	if o.Fields {
		f.StatusField = f.Sim.AddCustomAttribute(WorkableSubdomain, workable.AttrShortText, "Assessment status", true)
		f.ScoreField = f.Sim.AddCustomAttribute(WorkableSubdomain, workable.AttrNumeric, "Assessment score", true)
		f.LabelField = f.Sim.AddCustomAttribute(WorkableSubdomain, workable.AttrShortText, "Assessment fit", true)
		wb.StatusField = core.FieldMapping{Enabled: true, FieldID: f.StatusField.ID}
		wb.ScoreField = core.FieldMapping{Enabled: true, FieldID: f.ScoreField.ID}
		wb.LabelField = core.FieldMapping{Enabled: true, FieldID: f.LabelField.ID}
		f.IndicatorFields = map[string]workable.CustomAttribute{}
		wb.IndicatorFields = map[string]core.FieldMapping{}
		for _, m := range assess.DefaultPackage().Modules {
			f.IndicatorFields[m.Key] = f.Sim.AddCustomAttribute(WorkableSubdomain, workable.AttrNumeric, m.Name, true)
			wb.IndicatorFields[m.Key] = core.FieldMapping{Enabled: true, FieldID: f.IndicatorFields[m.Key].ID}
		}
	}
	if o.Reports != nil || o.Fields {
		patch["write_back"] = wb
	}
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, patch, nil)
	// Credentials after the base URL, whose change would clear them.
	for name, val := range map[string]string{workable.CredentialAPIToken: f.Token, workable.CredentialCallbackToken: f.CallbackToken} {
		e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+name, map[string]string{"value": val}, nil)
	}
	f.IssueKey()
	if !o.NoEnable {
		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)
	}
	return f
}

// IssueKey issues a (new) key for Workable, as the admin does in ATS →
// Switchboard, and enters it on Workable's integration card with
// Switchboard's endpoint URL. A new key replaces the old one at once.
func (f *WorkableFixture) IssueKey() string {
	f.e.T.Helper()
	k, err := f.e.App.Integrations.IssueInboundKey(context.Background(), f.Admin, f.IntegrationID)
	if err != nil {
		f.e.T.Fatalf("issue inbound key: %v", err)
	}
	f.Key = k.Key
	f.Sim.ConfigureProvider(WorkableSubdomain, f.e.App.Integrations.PartnerEndpointBase("workable"), k.Key)
	return k.Key
}

// AddCandidate applies another candidate to the fixture's job.
func (f *WorkableFixture) AddCandidate(first, last, email string) workable.Candidate {
	return f.Sim.AddCandidate(WorkableSubdomain, f.Job.Shortcode, first, last, email)
}

// Send is the recruiter sending the vacancy's test to a candidate; it fails
// the test unless Switchboard accepted it.
func (f *WorkableFixture) Send(candidateID string) workablesim.Assessment {
	f.e.T.Helper()
	as, ans, err := f.Sim.SendAssessment(context.Background(), WorkableSubdomain, candidateID, f.VacancyID, workablesim.SendOptions{})
	if err != nil {
		f.e.T.Fatalf("send assessment: %v", err)
	}
	if ans.Status != http.StatusCreated && ans.Status != http.StatusOK {
		f.e.T.Fatalf("send assessment: %d %s", ans.Status, ans.Body)
	}
	return as
}
