package apptest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/core"
)

// Greenhouse fixture values.
const (
	GHCompanyName   = "Acme Robotics"
	GHVacancyName   = "Robotics engineer test"
	GHCandidateMail = "grace.hopper@example.com"
)

// GHOptions vary the Greenhouse set-up.
type GHOptions struct {
	// Company names the account and the Greenhouse organisation (a second
	// customer in one environment); GHCompanyName when empty.
	Company string
}

// GHFixture is what SetupGreenhouse created, on both sides.
type GHFixture struct {
	e *Env
	// Sim is the Greenhouse simulator and URL where it is served (the
	// ping urls it hands out are under it).
	Sim *greenhousesim.Server
	URL string
	// Calls records every call Greenhouse made to Switchboard.
	Calls *PartnerCalls

	APIKey        string    // the vendor's super admin's admin API key
	Admin         core.User // that super admin
	IntegrationID string
	VacancyID     string
	// Key is the key Switchboard issued, as handed to Greenhouse.
	Key string
	// Endpoints are the four URLs handed to Greenhouse.
	Endpoints greenhousesim.Partner

	Org         greenhousesim.Organization
	Application greenhousesim.Application // at the partner stage
}

// SetupGreenhouse does what a vendor's admin, the customer and Greenhouse's
// account manager do: in Switchboard an account with a vacancy and a
// Greenhouse integration created through the admin API, its key issued and
// the integration enabled; in Greenhouse an organisation given the four
// endpoint URLs and that key, and a candidate's application at the partner
// stage. The simulator's clock is the environment's.
func (e *Env) SetupGreenhouse(o GHOptions) *GHFixture {
	e.T.Helper()
	ctx := context.Background()
	f := &GHFixture{e: e, Calls: &PartnerCalls{}}
	f.Sim = greenhousesim.New(
		greenhousesim.WithClock(e.Clock.Now),
		greenhousesim.WithPartnerClient(&http.Client{Timeout: 30 * time.Second, Transport: f.Calls}),
	)
	srv := httptest.NewServer(f.Sim.Handler())
	e.T.Cleanup(srv.Close)
	e.T.Cleanup(f.Sim.Wait)
	f.URL = srv.URL
	f.Sim.SetBaseURL(srv.URL)

	company := GHCompanyName
	if o.Company != "" {
		company = o.Company
	}
	f.APIKey = e.CreateAccount(company, "admin@"+strings.ToLower(strings.ReplaceAll(company, " ", ""))+".example")
	admin, err := e.App.Identity.Authenticate(ctx, f.APIKey)
	if err != nil {
		e.T.Fatalf("authenticate: %v", err)
	}
	f.Admin = admin
	var v struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", map[string]any{"name": GHVacancyName}, &v)
	f.VacancyID = v.ID

	var in struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations", map[string]string{"provider": "greenhouse"}, &in)
	f.IntegrationID = in.ID
	f.Key = f.IssueKey()
	base := e.App.Integrations.PartnerEndpointBase("greenhouse")
	f.Endpoints = greenhousesim.Partner{
		ListTestsURL: base + greenhouse.PathListTests, SendTestURL: base + greenhouse.PathSendTest,
		TestStatusURL: base + greenhouse.PathTestStatus, ResponseErrorURL: base + greenhouse.PathResponseError,
		Key: f.Key,
	}
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)

	if f.Org, err = f.Sim.AddOrganization(company, f.Endpoints); err != nil {
		e.T.Fatalf("greenhousesim: %v", err)
	}
	if f.Application, err = f.Sim.AddApplication(f.Org.ID, "Grace", "Hopper", GHCandidateMail); err != nil {
		e.T.Fatalf("greenhousesim: %v", err)
	}
	return f
}

// IssueKey issues a new key for Greenhouse as the vendor's admin does (the
// previous key stops working at once) and returns it. Greenhouse still has
// the old one until RotateInGreenhouse.
func (f *GHFixture) IssueKey() string {
	f.e.T.Helper()
	k, err := f.e.App.Integrations.IssueInboundKey(context.Background(), f.Admin, f.IntegrationID)
	if err != nil {
		f.e.T.Fatalf("issue inbound key: %v", err)
	}
	return k.Key
}

// RotateInGreenhouse hands a new key to Greenhouse's account manager.
func (f *GHFixture) RotateInGreenhouse(key string) {
	f.e.T.Helper()
	if err := f.Sim.SetKey(f.Org.ID, key); err != nil {
		f.e.T.Fatalf("greenhousesim: %v", err)
	}
	f.Key = key
}

// NewApplication is another candidate at the partner stage.
func (f *GHFixture) NewApplication(first, last, email string) greenhousesim.Application {
	f.e.T.Helper()
	a, err := f.Sim.AddApplication(f.Org.ID, first, last, email)
	if err != nil {
		f.e.T.Fatalf("greenhousesim: %v", err)
	}
	return a
}
