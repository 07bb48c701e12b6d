package apptest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"time"

	"switchboard/internal/ats/ashby"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/core"
)

// Ashby fixture values.
const (
	AshbyCompanyName    = "Acme Robotics"
	AshbyAPIKey         = "ashby-customer-api-key-for-tests"
	AshbyVacancyName    = "Robotics engineer screening"
	AshbyJobName        = "Robotics Engineer"
	AshbyCandidateEmail = "ada.byron@example.com"
)

// AshbyOptions vary the Ashby set-up.
type AshbyOptions struct {
	// Permissions of the customer's Ashby API key; nil means candidatesWrite
	// and apiKeysRead.
	Permissions []string
	// NoEnable stops before the integration is enabled.
	NoEnable bool
	// SimOptions are added to the simulator's (a rate limit).
	SimOptions []ashbysim.Option
}

// AshbyFixture is what SetupAshby created, on both sides.
type AshbyFixture struct {
	e *Env
	// Sim is the Ashby simulator and URL where its API is served.
	Sim *ashbysim.Server
	URL string
	// Calls records every call Ashby made to Switchboard.
	Calls *PartnerCalls

	APIKey        string    // the vendor's super admin's admin API key
	Admin         core.User // that super admin
	IntegrationID string
	// IssuedKey is the key Switchboard issued and the Ashby admin entered;
	// EndpointBase the partner endpoint URL they entered with it.
	IssuedKey    string
	EndpointBase string
	VacancyID    string

	Job         ashbysim.Job
	Candidate   ashbysim.Candidate
	Application ashbysim.Application
}

// SetupAshby does what a vendor's admin and the customer's Ashby admin do:
// in Ashby an API key (candidatesWrite, apiKeysRead), a job, a candidate and
// an active application; in Switchboard an account with a vacancy and an
// Ashby integration through the admin API (the base URL, the customer's key),
// the issued key, handed with the endpoint URL to Ashby's partner settings,
// and, unless NoEnable, enabling it (which validates with Ashby).
func (e *Env) SetupAshby(o AshbyOptions) *AshbyFixture {
	e.T.Helper()
	ctx := context.Background()
	f := &AshbyFixture{e: e, Calls: &PartnerCalls{}}
	opts := append([]ashbysim.Option{ashbysim.WithClock(e.ClientNow),
		ashbysim.WithPartnerClient(&http.Client{Timeout: 30 * time.Second, Transport: f.Calls})}, o.SimOptions...)
	f.Sim = ashbysim.New(opts...)
	srv := httptest.NewServer(f.Sim.Handler())
	e.T.Cleanup(srv.Close)
	f.URL = srv.URL
	perms := o.Permissions
	if perms == nil {
		perms = []string{ashbysim.PermCandidatesWrite, ashbysim.PermAPIKeysRead}
	}
	f.Sim.AddAPIKey(AshbyAPIKey, "Switchboard assessments", perms...)
	f.Job = f.Sim.AddJob(AshbyJobName, "REQ-42")
	f.Candidate = f.Sim.AddCandidate("Ada", "Byron", AshbyCandidateEmail)
	app, err := f.Sim.Apply(f.Candidate.ID, f.Job.ID)
	if err != nil {
		e.T.Fatalf("ashbysim: %v", err)
	}
	f.Application = app

	f.APIKey = e.CreateAccount(AshbyCompanyName, "admin@acmerobotics.example")
	if f.Admin, err = e.App.Identity.Authenticate(ctx, f.APIKey); err != nil {
		e.T.Fatalf("authenticate: %v", err)
	}
	var v struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", map[string]any{"name": AshbyVacancyName}, &v)
	f.VacancyID = v.ID

	var in struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations", map[string]string{"provider": "ashby"}, &in)
	f.IntegrationID = in.ID
	// The base URL first: changing it clears the credentials.
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, map[string]any{
		"settings": map[string]string{ashby.SettingBaseURL: f.URL},
	}, nil)
	e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+ashby.CredentialAPIKey, map[string]string{"value": AshbyAPIKey}, nil)
	f.IssueKey()
	if !o.NoEnable {
		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)
	}
	return f
}

// IssueKey issues (or rotates) the key Ashby calls Switchboard with and
// enters it in Ashby's partner settings, as the two admins do.
func (f *AshbyFixture) IssueKey() string {
	f.e.T.Helper()
	k, err := f.e.App.Integrations.IssueInboundKey(context.Background(), f.Admin, f.IntegrationID)
	if err != nil {
		f.e.T.Fatalf("issue inbound key: %v", err)
	}
	f.IssuedKey = k.Key
	f.EndpointBase = f.e.App.Integrations.PartnerEndpointBase("ashby")
	f.Sim.ConfigurePartner(f.EndpointBase, f.IssuedKey)
	return k.Key
}

// Start is a recruiter starting the fixture's vacancy for the fixture's
// application in Ashby.
func (f *AshbyFixture) Start() ashbysim.StartOutcome {
	f.e.T.Helper()
	return f.StartFor(f.Application.ID, f.VacancyID)
}

// StartFor starts assessment type typeID for an application.
func (f *AshbyFixture) StartFor(applicationID, typeID string) ashbysim.StartOutcome {
	f.e.T.Helper()
	out, err := f.Sim.StartAssessment(context.Background(), applicationID, typeID)
	if err != nil {
		f.e.T.Fatalf("ashbysim start: %v", err)
	}
	return out
}

// NewApplication is another candidate applying to the fixture's job.
func (f *AshbyFixture) NewApplication(first, last, email string) ashbysim.Application {
	f.e.T.Helper()
	c := f.Sim.AddCandidate(first, last, email)
	a, err := f.Sim.Apply(c.ID, f.Job.ID)
	if err != nil {
		f.e.T.Fatalf("ashbysim: %v", err)
	}
	return a
}
