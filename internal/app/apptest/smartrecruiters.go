package apptest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"switchboard/internal/assess"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// SmartRecruiters fixture values.
const (
	SRPartnerClientID     = "switchboard-marketplace-app"
	SRPartnerClientSecret = "partner-master-secret-for-tests"
	SRCompanyName         = "Acme Coffee"
	SRVacancyName         = "Barista"
	SRSecondVacancyName   = "Shift Lead"
	// SRInlineVacancyName carries "inline" in its name, which alone makes
	// it an inline package (the vacancy's Inline flag stays off).
	SRInlineVacancyName = "Barista inline screening"
	SRJobTitle          = "Barista (Downtown)"
	SRCandidateEmail    = "ann.lee@example.com"
)

// SROptions vary the SmartRecruiters set-up.
type SROptions struct {
	// NoConnect stops before the customer connects the app: the integration
	// is configured but draft, and no connection token was generated.
	NoConnect bool
}

// SRFixture is what SetupSmartRecruiters created, on both sides.
type SRFixture struct {
	e *Env
	// Sim is the SmartRecruiters simulator and URL where it is served.
	Sim *srsim.Server
	URL string
	// Calls records every call SmartRecruiters made to Switchboard.
	Calls *PartnerCalls

	APIKey        string    // the vendor's super admin's admin API key
	Admin         core.User // that super admin
	IntegrationID string
	// Vacancies by name; SRInlineVacancyName's is the hiring process's
	// inline package, SRVacancyName's the Assessment step's automatic one.
	VacancyIDs map[string]string

	Company   srsim.Company
	Process   srsim.HiringProcess
	Job       sr.Job
	Candidate sr.Candidate // applied to Job, at the first step

	// The company's custom application fields and how the integration maps
	// onto them: the score (text), the label (single select, by value id)
	// and one text field per matching indicator (by module key).
	ScoreField      srsim.PropertyDef
	LabelField      srsim.PropertyDef
	LabelValues     map[string]string // "Great fit" → value id
	IndicatorFields map[string]srsim.PropertyDef
}

// AssessmentStep is the id of the hiring-process step that orders
// SRVacancyName automatically.
func (f *SRFixture) AssessmentStep() string { return f.Process.Steps[1].ID }

// SetupSmartRecruiters does what a vendor's admin, SmartRecruiters' partner
// operations and a SmartRecruiters customer do: the partner app's master
// credentials; in SmartRecruiters a company with custom application fields,
// a hiring process (Applied → Assessment, auto-ordering a package →
// Interview; an inline package), a job and an applicant; in Switchboard an
// account with three vacancies and a SmartRecruiters integration configured
// through the admin API (companyId, credentials, custom-field map); and,
// unless NoConnect, the connection: a connection token, Connect in
// SmartRecruiters, the consent page, and the admin's return.
//
// The simulator's clock is Env.ClientNow, so client-side pacing refills
// SmartRecruiters' rate-limit buckets exactly as real waiting would, and a
// client that did not pace would be throttled.
func (e *Env) SetupSmartRecruiters(o SROptions) *SRFixture {
	e.T.Helper()
	ctx := context.Background()
	f := &SRFixture{e: e, Calls: &PartnerCalls{}, VacancyIDs: map[string]string{}}
	f.Sim = srsim.New(
		srsim.WithClock(e.ClientNow),
		srsim.WithPartnerClient(&http.Client{Timeout: 30 * time.Second, Transport: f.Calls}),
	)
	srv := httptest.NewServer(f.Sim.Handler())
	e.T.Cleanup(srv.Close)
	f.URL = srv.URL
	f.Sim.SetBaseURL(srv.URL)
	f.Sim.RegisterPartner(SRPartnerClientID, SRPartnerClientSecret)

	// Switchboard: the vendor's account and vacancies.
	f.APIKey = e.CreateAccount(SRCompanyName, "admin@acmecoffee.example")
	admin, err := e.App.Identity.Authenticate(ctx, f.APIKey)
	if err != nil {
		e.T.Fatalf("authenticate: %v", err)
	}
	f.Admin = admin
	for _, name := range []string{SRVacancyName, SRSecondVacancyName, SRInlineVacancyName} {
		var v struct {
			ID string `json:"id"`
		}
		e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", map[string]any{"name": name}, &v)
		f.VacancyIDs[name] = v.ID
	}

	// SmartRecruiters: the customer's company.
	f.Company = f.Sim.AddCompany(SRCompanyName)
	must := func(err error) {
		if err != nil {
			e.T.Helper()
			e.T.Fatalf("srsim: %v", err)
		}
	}
	f.ScoreField, err = f.Sim.AddProperty(f.Company.ID, "Assessment score", srsim.PropertyText)
	must(err)
	f.LabelValues = map[string]string{string(assess.GreatFit): "val-great", string(assess.GoodFit): "val-good", string(assess.PoorFit): "val-poor"}
	f.LabelField, err = f.Sim.AddProperty(f.Company.ID, "Assessment fit", srsim.PropertySingleSelect, "val-great", "val-good", "val-poor")
	must(err)
	f.IndicatorFields = map[string]srsim.PropertyDef{}
	for _, m := range assess.DefaultPackage().Modules {
		f.IndicatorFields[m.Key], err = f.Sim.AddProperty(f.Company.ID, m.Name, srsim.PropertyText)
		must(err)
	}
	f.Process, err = f.Sim.AddHiringProcess(f.Company.ID, "Baristas", f.VacancyIDs[SRInlineVacancyName],
		srsim.Step{Name: "Applied"}, srsim.Step{Name: "Assessment", AutoPackageID: f.VacancyIDs[SRVacancyName]}, srsim.Step{Name: "Interview"})
	must(err)
	f.Job, err = f.Sim.AddJob(f.Company.ID, SRJobTitle, f.Process.ID, nil)
	must(err)
	f.Candidate, err = f.Sim.AddCandidate(f.Company.ID, "Ann", "Lee", SRCandidateEmail)
	must(err)
	must(f.Sim.Apply(f.Company.ID, string(f.Candidate.ID), string(f.Job.ID)))

	// Switchboard: the integration, through the admin API.
	var in struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations", map[string]string{"provider": "smartrecruiters"}, &in)
	f.IntegrationID = in.ID
	wb := core.DefaultWriteBack()
	wb.ScoreField = core.FieldMapping{Enabled: true, FieldID: f.ScoreField.ID}
	wb.LabelField = core.FieldMapping{Enabled: true, FieldID: f.LabelField.ID}
	wb.LabelValues = f.LabelValues
	wb.IndicatorFields = map[string]core.FieldMapping{}
	for k, p := range f.IndicatorFields {
		wb.IndicatorFields[k] = core.FieldMapping{Enabled: true, FieldID: p.ID}
	}
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, map[string]any{
		"settings":   map[string]string{sr.SettingCompanyID: f.Company.ID, sr.SettingBaseURL: f.URL},
		"write_back": wb,
	}, nil)
	// Credentials after the base URL, whose change would clear them.
	for name, v := range map[string]string{sr.CredentialPartnerClientID: SRPartnerClientID, sr.CredentialPartnerClientSecret: SRPartnerClientSecret} {
		e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+name, map[string]string{"value": v}, nil)
	}
	if o.NoConnect {
		return f
	}
	if res := f.Connect(f.Company.ID, f.Token().Token); res.Status != http.StatusOK || res.FinalURL == "" || !strings.HasPrefix(res.FinalURL, f.URL) {
		e.T.Fatalf("connect: %d at %s:\n%s", res.Status, res.FinalURL, res.Body)
	}
	if c, _ := f.Sim.Connection(f.Company.ID); !c.Returned {
		e.T.Fatalf("connect: SmartRecruiters did not see the admin come back: %+v", c)
	}
	return f
}

// Token generates a connection token as the vendor's admin does, through
// the admin API.
func (f *SRFixture) Token() integrations.ConnectionToken {
	f.e.T.Helper()
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	f.e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/connection-token", nil, &out)
	return integrations.ConnectionToken{Token: out.Token, ExpiresAt: out.ExpiresAt, Validity: out.ExpiresAt.Sub(f.e.Clock.Now().UTC().Truncate(time.Microsecond))}
}

// SRConnectResult is what the customer admin's browser ended on.
type SRConnectResult struct {
	Status   int
	FinalURL string
	Body     string
}

// Connect is the customer admin of companyID connecting the app: Connect →
// "Allow and continue" in SmartRecruiters, which opens Switchboard's consent
// page; entering token there; and following where Switchboard sends them.
func (f *SRFixture) Connect(companyID, token string) SRConnectResult {
	f.e.T.Helper()
	consentURL, err := f.Sim.Connect(context.Background(), companyID)
	if err != nil {
		f.e.T.Fatalf("srsim connect: %v", err)
	}
	resp, page := f.e.Get(consentURL)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="token"`) {
		f.e.T.Fatalf("consent page %s: %d\n%s", consentURL, resp.StatusCode, page)
	}
	u, err := url.Parse(consentURL)
	if err != nil {
		f.e.T.Fatalf("consent URL: %v", err)
	}
	q := u.Query()
	u.RawQuery = ""
	resp, body := f.e.PostForm(u.String(), url.Values{"companyId": {q.Get("companyId")}, "redirect": {q.Get("redirect")}, "token": {token}})
	return SRConnectResult{Status: resp.StatusCode, FinalURL: resp.Request.URL.String(), Body: body}
}

// CompanyClientID is the client id SmartRecruiters issued to Switchboard for
// the company (what its rate limits count by).
func (f *SRFixture) CompanyClientID() string {
	c, _ := f.Sim.Connection(f.Company.ID)
	return c.CustomerClientID
}

// PartnerCall is one request SmartRecruiters made to Switchboard, with its
// answer.
type PartnerCall struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	Status int
}

// PartnerCalls is the simulator's transport to Switchboard: it records each
// call so tests can inspect it or send it again, as SmartRecruiters does
// when it retries.
type PartnerCalls struct {
	mu    sync.Mutex
	calls []PartnerCall
	// forged replaces the bearer token of every call while set (ForgeAuth).
	forged string
}

// ForgeAuth makes every call SmartRecruiters sends with a bearer token
// carry authorization instead (a token Switchboard never issued), retries
// included, until undo: a caller that is not the SmartRecruiters
// Switchboard connected to. Token requests keep their client credentials.
func (p *PartnerCalls) ForgeAuth(authorization string) (undo func()) {
	p.mu.Lock()
	p.forged = authorization
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.forged = ""
		p.mu.Unlock()
	}
}

// RoundTrip implements http.RoundTripper.
func (p *PartnerCalls) RoundTrip(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	forged := p.forged
	p.mu.Unlock()
	if forged != "" && strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
		req = req.Clone(req.Context()) // a RoundTripper leaves the caller's request alone
		req.Header.Set("Authorization", forged)
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	c := PartnerCall{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body}
	if err == nil {
		c.Status = resp.StatusCode
	}
	p.mu.Lock()
	p.calls = append(p.calls, c)
	p.mu.Unlock()
	return resp, err
}

// Find returns the calls whose method matches and whose URL path ends in
// suffix, oldest first.
func (p *PartnerCalls) Find(method, suffix string) []PartnerCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []PartnerCall
	for _, c := range p.calls {
		u, err := url.Parse(c.URL)
		if err == nil && c.Method == method && strings.HasSuffix(u.Path, suffix) {
			out = append(out, c)
		}
	}
	return out
}

// Replay sends a recorded call again, with its headers (the same bearer
// token) and body, and returns the answer's status and body.
func (p *PartnerCalls) Replay(c PartnerCall) (int, []byte, error) {
	req, err := http.NewRequest(c.Method, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = c.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
