package srsim

// The platform side: what SmartRecruiters does to the partner when a
// customer admin connects or disconnects the app and when recruiters and
// candidates act. Every call to the partner carries a bearer token fetched
// from the partner's oauthTokenUrl with the credentials the partner handed
// over in the credential exchange.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"switchboard/internal/ats/atshttp"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
)

const maxPartnerResponse = 1 << 20

// PartnerError is a partner endpoint's non-2xx answer.
type PartnerError struct {
	Op         string
	StatusCode int
	Body       string // the start of the answer
}

func (e *PartnerError) Error() string {
	return fmt.Sprintf("srsim: %s: partner answered HTTP %d: %s", e.Op, e.StatusCode, e.Body)
}

// Placement is the outcome of one order sent to the partner.
type Placement struct {
	OrderID    string
	PackageID  string
	StatusCode int    // the partner's answer; 0 when none arrived
	Body       []byte // the partner's answer body
	// Err is set when the order was not accepted: a *PartnerError for a
	// non-2xx answer, or a token or transport failure.
	Err error
}

// Applicant is a person applying through a job's inline assessment.
type Applicant struct {
	FirstName, LastName, Email string
	Language                   string // default "en"
}

// InlineApplication is the outcome of applying through an inline assessment.
type InlineApplication struct {
	OrderID     string
	CandidateID string
	// CandidateURL is where SmartRecruiters sends the applicant's browser:
	// the url of the partner's answer.
	CandidateURL string
	// ReturnURL is the completedAssessmentCallbackUrl the applicant comes
	// back to; the simulator serves it and records the return.
	ReturnURL  string
	StatusCode int
	Body       []byte
}

// Connect is the customer admin clicking Connect → "Allow and continue" in
// Apps & Integrations: the company consents to the partner app, and the
// returned URL is where the admin's browser is sent: the partner's consentUrl
// with companyId and, in REDIRECT mode, redirect (the simulator's page that
// records the admin's return) as query parameters.
func (s *Server) Connect(ctx context.Context, companyID string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.partner == nil || s.partner.config == nil {
		return "", errors.New("srsim: connect: the partner has no configuration (PUT /partner/configuration)")
	}
	c := s.companies[companyID]
	if c == nil {
		return "", fmt.Errorf("srsim: connect: company %q: %w", companyID, ErrNotFound)
	}
	if c.partnerCreds != nil {
		return "", fmt.Errorf("srsim: connect: company %q is already connected", companyID)
	}
	u, err := url.Parse(s.partner.config.ConsentURL)
	if err != nil {
		return "", fmt.Errorf("srsim: connect: consent URL: %w", err)
	}
	c.consented, c.returned = true, false
	q := u.Query()
	q.Set("companyId", c.id)
	if s.partner.config.ConsentDisplayMode == sr.ConsentRedirect {
		c.redirectURL = s.baseURL + "/marketplace/companies/" + url.PathEscape(c.id) + "/connected"
		q.Set("redirect", c.redirectURL)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CompleteConnect is the admin's browser arriving back at SmartRecruiters
// after the consent page (what the redirect URL's page does): it fails unless
// the partner has exchanged credentials for the company.
func (s *Server) CompleteConnect(companyID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	switch {
	case c == nil:
		return fmt.Errorf("srsim: complete connect: company %q: %w", companyID, ErrNotFound)
	case !c.consented:
		return fmt.Errorf("srsim: complete connect: company %q did not consent", companyID)
	case c.partnerCreds == nil:
		return fmt.Errorf("srsim: complete connect: the partner has not set up the integration for company %q", companyID)
	}
	c.returned = true
	return nil
}

// connected returns the company and configuration for a recruiter action.
// Caller holds s.mu.
func (s *Server) connected(companyID string) (*company, sr.PartnerConfiguration, error) {
	c := s.companies[companyID]
	if c == nil {
		return nil, sr.PartnerConfiguration{}, fmt.Errorf("company %q: %w", companyID, ErrNotFound)
	}
	if s.partner == nil || s.partner.config == nil || c.partnerCreds == nil {
		return nil, sr.PartnerConfiguration{}, fmt.Errorf("company %q: %w", companyID, ErrNotConnected)
	}
	return c, *s.partner.config, nil
}

// newOrder records an order about to be sent: like SmartRecruiters, the
// simulator knows it before the partner does, so a result the partner
// sends before answering the placement finds it. Caller holds s.mu.
func (s *Server) newOrder(c *company, candidateID, jobID, packageID string, kind OrderKind) *order {
	s.orderSeq++
	o := &order{seq: s.orderSeq, state: map[string]any{}, Order: Order{
		ID: newID(), CompanyID: c.id, CandidateID: candidateID, JobID: jobID, PackageID: packageID,
		Kind: kind, CreatedAt: s.now(),
	}}
	s.orders[o.ID] = o
	return o
}

// placed records the partner's answer to the order's placement. Caller
// holds s.mu.
func (o *order) placed(status int, accepted bool) {
	o.PlaceStatus = status
	o.Placed = accepted
	o.Refused = !accepted
}

func (s *Server) resultCallbackURL(orderID string) string {
	return s.baseURL + sr.AssessmentAPIPath + "/orders/" + url.PathEscape(orderID) + "/results"
}

// fieldsFor is the job's values of the partner's configured fields.
func fieldsFor(cfg sr.PartnerConfiguration, j *job) sr.FieldValues {
	var out sr.FieldValues
	for _, f := range cfg.Fields {
		if v := j.fields[f.ID]; v != "" {
			if out == nil {
				out = sr.FieldValues{}
			}
			out[f.ID] = v
		}
	}
	return out
}

// orderRequest builds the body SmartRecruiters posts for an order. Caller
// holds s.mu.
func (s *Server) orderRequest(c *company, cfg sr.PartnerConfiguration, cand *candidate, j *job, o *order) sr.AssessmentPackageOrderRequest {
	req := sr.AssessmentPackageOrderRequest{
		ResultCallbackURL:   s.resultCallbackURL(o.ID),
		AssessmentPackageID: sr.ID(o.PackageID),
		CompanyID:           sr.ID(c.id),
		JobID:               j.ID,
		Job:                 sr.OrderJob{ID: j.ID, Title: j.Title},
		Candidate: sr.OrderCandidate{
			ID: cand.ID, Email: cand.Email, FirstName: cand.FirstName, LastName: cand.LastName,
			ApplicationLanguage: cand.language,
		},
		Fields: fieldsFor(cfg, j),
	}
	if o.Kind == KindAdHoc {
		rq := c.recruiter
		req.Requester = &rq
	}
	return req
}

type pendingOrder struct {
	o    *order
	url  string
	body []byte
}

// OrderAdHoc is a recruiter ordering packages from a candidate's profile in
// the context of their application to a job: one order per package, each
// posted to the partner's packageOrderUrl.
func (s *Server) OrderAdHoc(ctx context.Context, companyID, candidateID, jobID string, packageIDs ...string) ([]Placement, error) {
	if len(packageIDs) == 0 {
		return nil, errors.New("srsim: order ad hoc: no package")
	}
	s.mu.Lock()
	c, cfg, err := s.connected(companyID)
	if err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: order ad hoc: %w", err)
	}
	_, cand, j, err := s.lookup(companyID, candidateID, jobID)
	if err == nil && findApp(cand, jobID) == nil {
		err = fmt.Errorf("candidate %q has no application to job %q: %w", candidateID, jobID, ErrNotFound)
	}
	if err == nil && cfg.PackageOrderURL == "" {
		err = errors.New("the partner configured no packageOrderUrl")
	}
	if err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: order ad hoc: %w", err)
	}
	var pending []pendingOrder
	for _, pkg := range packageIDs {
		o := s.newOrder(c, candidateID, jobID, pkg, KindAdHoc)
		body, _ := json.Marshal(s.orderRequest(c, cfg, cand, j, o)) // plain strings cannot fail
		pending = append(pending, pendingOrder{o: o, url: cfg.PackageOrderURL, body: body})
	}
	s.mu.Unlock()
	return s.sendOrders(ctx, companyID, pending), nil
}

// MoveToStep moves a candidate's application to a hiring-process step. When
// the step has an auto-triggered package and the app is connected, that
// package is ordered (with no requester: no recruiter placed it). Moving to
// the current step triggers nothing.
func (s *Server) MoveToStep(ctx context.Context, companyID, candidateID, jobID, stepID string) ([]Placement, error) {
	s.mu.Lock()
	c, cand, j, err := s.lookup(companyID, candidateID, jobID)
	if err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: move to step: %w", err)
	}
	app := findApp(cand, jobID)
	if app == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: move to step: candidate %q has no application to job %q: %w", candidateID, jobID, ErrNotFound)
	}
	hp := c.processes[j.processID]
	i := slices.IndexFunc(hp.Steps, func(st Step) bool { return st.ID == stepID })
	if i < 0 {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: move to step: step %q of hiring process %q: %w", stepID, hp.Name, ErrNotFound)
	}
	if app.stepID == stepID {
		s.mu.Unlock()
		return nil, nil
	}
	app.stepID = stepID
	if i > 0 && app.status == sr.CandidateNew {
		app.status = sr.CandidateInReview
	}
	step := hp.Steps[i]
	_, cfg, cerr := s.connected(companyID)
	if step.AutoPackageID == "" || cerr != nil || cfg.PackageOrderURL == "" {
		s.mu.Unlock()
		return nil, nil
	}
	o := s.newOrder(c, candidateID, jobID, step.AutoPackageID, KindTriggered)
	body, _ := json.Marshal(s.orderRequest(c, cfg, cand, j, o))
	s.mu.Unlock()
	return s.sendOrders(ctx, companyID, []pendingOrder{{o: o, url: cfg.PackageOrderURL, body: body}}), nil
}

func (s *Server) sendOrders(ctx context.Context, companyID string, pending []pendingOrder) []Placement {
	out := make([]Placement, 0, len(pending))
	for _, p := range pending {
		pl := Placement{OrderID: p.o.ID, PackageID: p.o.PackageID}
		pl.StatusCode, pl.Body, pl.Err = s.callPartner(ctx, companyID, http.MethodPost, p.url, p.body)
		if pl.Err == nil && (pl.StatusCode < 200 || pl.StatusCode > 299) {
			pl.Err = &PartnerError{Op: "order " + p.o.PackageID, StatusCode: pl.StatusCode, Body: atshttp.Snippet(pl.Body)}
		}
		s.mu.Lock()
		p.o.placed(pl.StatusCode, pl.Err == nil)
		s.mu.Unlock()
		out = append(out, pl)
	}
	return out
}

// ApplyInline is a candidate applying to a job whose hiring process has an
// inline package: SmartRecruiters creates the candidate and application,
// posts the inline order, and sends the applicant's browser to the URL the
// partner answers with. The applicant finishes applying when their browser
// reaches ReturnURL.
func (s *Server) ApplyInline(ctx context.Context, companyID, jobID string, a Applicant) (InlineApplication, error) {
	if a.Email == "" || a.FirstName == "" || a.LastName == "" {
		return InlineApplication{}, errors.New("srsim: apply inline: applicant needs first name, last name and email")
	}
	if a.Language == "" {
		a.Language = "en"
	}
	s.mu.Lock()
	c, cfg, err := s.connected(companyID)
	var j *job
	var hp *HiringProcess
	if err == nil {
		if j = findJob(c, jobID); j == nil {
			err = fmt.Errorf("job %q: %w", jobID, ErrNotFound)
		}
	}
	if err == nil {
		if hp = c.processes[j.processID]; hp.InlinePackageID == "" {
			err = fmt.Errorf("hiring process %q has no inline package", hp.Name)
		}
	}
	if err == nil && cfg.InlineAssessmentPackageOrderURL == "" {
		err = errors.New("the partner configured no inlineAssessmentPackageOrderUrl")
	}
	if err != nil {
		s.mu.Unlock()
		return InlineApplication{}, fmt.Errorf("srsim: apply inline: %w", err)
	}
	cand := s.newCandidate(c, a.FirstName, a.LastName, a.Email, a.Language)
	cand.apps = append(cand.apps, s.newApplication(c, jobID, hp.Steps[0].ID, true))
	o := s.newOrder(c, string(cand.ID), jobID, hp.InlinePackageID, KindInline)
	o.ReturnURL = s.baseURL + "/oneclick-ui/company/" + url.PathEscape(c.id) + "/job/" + url.PathEscape(jobID) + "/assessment-return/" + url.PathEscape(o.ID)
	req := sr.InlineAssessmentPackageOrderRequest{
		ResultCallbackURL:   s.resultCallbackURL(o.ID),
		AssessmentPackageID: sr.ID(o.PackageID),
		CompanyID:           sr.ID(c.id),
		JobID:               j.ID,
		Job:                 sr.InlineJob{ID: j.ID},
		Candidate: sr.InlineCandidate{
			Email: a.Email, FirstName: a.FirstName, LastName: a.LastName, ApplicationLanguage: a.Language,
		},
		CompletedAssessmentCallbackURL: o.ReturnURL,
		Fields:                         fieldsFor(cfg, j),
	}
	body, _ := json.Marshal(req)
	app := InlineApplication{OrderID: o.ID, CandidateID: string(cand.ID), ReturnURL: o.ReturnURL}
	s.mu.Unlock()

	status, resp, err := s.callPartner(ctx, companyID, http.MethodPost, cfg.InlineAssessmentPackageOrderURL, body)
	app.StatusCode, app.Body = status, resp
	if err == nil && status != http.StatusOK {
		err = &PartnerError{Op: "inline order " + o.PackageID, StatusCode: status, Body: atshttp.Snippet(resp)}
	}
	var ir sr.InlineAssessmentPackageResponse
	if err == nil {
		if jerr := json.Unmarshal(resp, &ir); jerr != nil || ir.CandidateURL() == "" {
			err = fmt.Errorf("srsim: inline order %s: the partner's answer has no url: %s", o.PackageID, atshttp.Snippet(resp))
		}
	}
	s.mu.Lock()
	o.placed(status, err == nil)
	o.CandidateURL = ir.CandidateURL()
	s.mu.Unlock()
	app.CandidateURL = ir.CandidateURL()
	return app, err
}

// ListPackages is SmartRecruiters fetching the partner's packages for a
// company (GET assessmentPackageListUrl); 204 is an empty list.
func (s *Server) ListPackages(ctx context.Context, companyID string) (sr.AssessmentPackages, error) {
	s.mu.Lock()
	_, cfg, err := s.connected(companyID)
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("srsim: list packages: %w", err)
	}
	status, body, err := s.callPartner(ctx, companyID, http.MethodGet, cfg.AssessmentPackageListURL, nil)
	switch {
	case err != nil:
		return nil, fmt.Errorf("srsim: list packages: %w", err)
	case status == http.StatusNoContent:
		return sr.AssessmentPackages{}, nil
	case status != http.StatusOK:
		return nil, &PartnerError{Op: "list packages", StatusCode: status, Body: atshttp.Snippet(body)}
	}
	var ps sr.AssessmentPackages
	if err := json.Unmarshal(body, &ps); err != nil {
		return nil, fmt.Errorf("srsim: list packages: the answer is not a JSON array of packages: %w", err)
	}
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("srsim: list packages: %w", err)
		}
	}
	return ps, nil
}

// GetPackage is SmartRecruiters fetching one package
// (GET singleAssessmentPackageUrl).
func (s *Server) GetPackage(ctx context.Context, companyID, packageID string) (sr.AssessmentPackage, error) {
	s.mu.Lock()
	_, cfg, err := s.connected(companyID)
	s.mu.Unlock()
	if err != nil {
		return sr.AssessmentPackage{}, fmt.Errorf("srsim: get package: %w", err)
	}
	u := sr.ExpandURL(cfg.SingleAssessmentPackageURL, "{assessmentPackageId}", packageID)
	status, body, err := s.callPartner(ctx, companyID, http.MethodGet, u, nil)
	switch {
	case err != nil:
		return sr.AssessmentPackage{}, fmt.Errorf("srsim: get package: %w", err)
	case status != http.StatusOK:
		return sr.AssessmentPackage{}, &PartnerError{Op: "get package", StatusCode: status, Body: atshttp.Snippet(body)}
	}
	var p sr.AssessmentPackage
	if err := json.Unmarshal(body, &p); err != nil {
		return sr.AssessmentPackage{}, fmt.Errorf("srsim: get package: %w", err)
	}
	if err := p.Validate(); err != nil {
		return sr.AssessmentPackage{}, fmt.Errorf("srsim: get package: %w", err)
	}
	return p, nil
}

// Disconnect is the customer admin disconnecting the app: SmartRecruiters
// calls the partner's integrationDisableUrl (DELETE, expected 204) and drops
// the integration on its side whatever the answer, revoking the
// customer-level credentials.
func (s *Server) Disconnect(ctx context.Context, companyID string) error {
	s.mu.Lock()
	_, cfg, err := s.connected(companyID)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("srsim: disconnect: %w", err)
	}
	var callErr error
	if cfg.IntegrationDisableURL != "" {
		u := sr.ExpandURL(cfg.IntegrationDisableURL, "{companyId}", companyID)
		status, body, err := s.callPartner(ctx, companyID, http.MethodDelete, u, nil)
		switch {
		case err != nil:
			callErr = fmt.Errorf("srsim: disconnect: %w", err)
		case status < 200 || status > 299:
			callErr = &PartnerError{Op: "disconnect", StatusCode: status, Body: atshttp.Snippet(body)}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if cred := s.creds[c.customerID]; cred != nil {
		cred.revoked = true
		for tok, it := range s.tokens {
			if it.clientID == cred.clientID {
				delete(s.tokens, tok)
			}
		}
	}
	c.partnerCreds, c.customerID = nil, ""
	c.consented, c.returned = false, false
	c.partnerToken, c.partnerExp = "", time.Time{}
	return callErr
}

// callPartner sends one authenticated request to the partner. A 401 drops
// the cached partner token and tries once more with a fresh one.
func (s *Server) callPartner(ctx context.Context, companyID, method, u string, body []byte) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		token, err := s.partnerAccessToken(ctx, companyID, attempt > 0)
		if err != nil {
			return 0, nil, err
		}
		status, resp, err := s.send(ctx, method, u, body, "application/json", token)
		if err != nil || status != http.StatusUnauthorized || attempt > 0 {
			return status, resp, err
		}
	}
}

// partnerAccessToken returns a token for calling the partner on behalf of
// companyID, fetching one from oauthTokenUrl when there is none, it is near
// expiry, or force is set.
func (s *Server) partnerAccessToken(ctx context.Context, companyID string, force bool) (string, error) {
	s.mu.Lock()
	c, cfg, err := s.connected(companyID)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	if !force && c.partnerToken != "" && s.now().Before(c.partnerExp) {
		tok := c.partnerToken
		s.mu.Unlock()
		return tok, nil
	}
	in := sr.NewTokenInput(*c.partnerCreds)
	s.mu.Unlock()

	status, resp, err := s.send(ctx, http.MethodPost, cfg.OAuthTokenURL, []byte(in.Form().Encode()), "application/x-www-form-urlencoded", "")
	if err != nil {
		return "", fmt.Errorf("srsim: partner token: %w", err)
	}
	if status != http.StatusOK {
		return "", &PartnerError{Op: "partner token", StatusCode: status, Body: atshttp.Snippet(resp)}
	}
	var at sr.AccessToken
	if err := json.Unmarshal(resp, &at); err != nil || at.AccessToken == "" {
		return "", fmt.Errorf("srsim: partner token: answer has no access_token: %s", atshttp.Snippet(resp))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.partnerCreds != nil {
		lifetime := time.Duration(at.ExpiresIn) * time.Second
		c.partnerToken, c.partnerExp = at.AccessToken, s.now().Add(lifetime-lifetime/10)
	}
	return at.AccessToken, nil
}

// send makes one request to the partner and records it.
func (s *Server) send(ctx context.Context, method, u string, body []byte, contentType, token string) (int, []byte, error) {
	call := PartnerCall{Method: method, URL: u}
	defer func() {
		s.mu.Lock()
		s.partnerCalls = append(s.partnerCalls, call)
		s.mu.Unlock()
	}()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		call.Err = err.Error()
		return 0, nil, fmt.Errorf("srsim: %s %s: %w", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "srsim")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.partnerClient.Do(req) // set once in New; no lock needed
	if err != nil {
		call.Err = err.Error()
		return 0, nil, fmt.Errorf("srsim: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	call.StatusCode = resp.StatusCode
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPartnerResponse))
	if err != nil {
		call.Err = err.Error()
		return resp.StatusCode, nil, fmt.Errorf("srsim: %s %s: read answer: %w", method, u, err)
	}
	return resp.StatusCode, data, nil
}
