package srsim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

var master = sr.ClientCredentials{ClientID: "partner-master", ClientSecret: "master-secret-1"}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorded is one request the fake partner received.
type recorded struct {
	Method, Path, Auth, ContentType string
	Body                            []byte
}

// fakePartner is an assessment vendor's side of the Assessment API: a token
// endpoint for SmartRecruiters' calls, packages, orders, inline orders and
// the disable endpoint.
type fakePartner struct {
	srv   *httptest.Server
	creds sr.ClientCredentials // what the partner gives SmartRecruiters

	mu            sync.Mutex
	tokens        map[string]bool
	tokenRequests int
	requests      []recorded
	packages      sr.AssessmentPackages
	// beforeAnswer, when set, runs with an order's id inside the partner's
	// order handler, before it answers: a partner that reports on an order
	// while SmartRecruiters waits.
	beforeAnswer func(orderID string)
}

// hookBeforeAnswer sets beforeAnswer.
func (p *fakePartner) hookBeforeAnswer(f func(orderID string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.beforeAnswer = f
}

func (p *fakePartner) runBeforeAnswer(orderID string) {
	p.mu.Lock()
	f := p.beforeAnswer
	p.mu.Unlock()
	if f != nil {
		f(orderID)
	}
}

func newFakePartner(t *testing.T) *fakePartner {
	t.Helper()
	p := &fakePartner{
		creds:  sr.ClientCredentials{ClientID: "hub-sr-acme", ClientSecret: "hub-secret-for-sr"},
		tokens: map[string]bool{},
		packages: sr.AssessmentPackages{
			{ID: "pkg-1", Name: "Barista", Description: "Customer focus", Type: sr.TypeSkillTest, Assessments: []sr.Assessment{{ID: "cf", Description: "Customer focus", Type: sr.TypeSkillTest}}},
			{ID: "pkg-2", Name: "Barista inline", Description: "Quick check", Type: sr.TypeInlineAssessment, Assessments: []sr.Assessment{}},
		},
	}
	m := http.NewServeMux()
	m.HandleFunc("POST /sr/oauth/token", p.token)
	m.HandleFunc("GET /sr/integration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><form>connection token</form>")
	})
	m.HandleFunc("GET /sr/packages", p.authed(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.packages) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, p.packages)
	}))
	m.HandleFunc("GET /sr/packages/{id}", p.authed(func(w http.ResponseWriter, r *http.Request) {
		if pkg, ok := p.pkg(r.PathValue("id")); ok {
			writeJSON(w, http.StatusOK, pkg)
			return
		}
		writeJSON(w, http.StatusNotFound, sr.NewErrorResponse("NOT_FOUND", "No assessment package with given id"))
	}))
	m.HandleFunc("POST /sr/packages/orders", p.authed(func(w http.ResponseWriter, r *http.Request) {
		o, err := sr.DecodeOrder(readAll(r))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse("BAD_REQUEST", err.Error()))
			return
		}
		if _, ok := p.pkg(string(o.AssessmentPackageID)); !ok {
			writeJSON(w, http.StatusNotFound, sr.NewErrorResponse("NOT_FOUND", "There is no package which was ordered"))
			return
		}
		id, _ := o.OrderID()
		p.runBeforeAnswer(id)
		writeJSON(w, http.StatusAccepted, sr.OrderAccepted{})
	}))
	m.HandleFunc("POST /sr/packages/inline/orders", p.authed(func(w http.ResponseWriter, r *http.Request) {
		o, err := sr.DecodeInlineOrder(readAll(r))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse("BAD_REQUEST", err.Error()))
			return
		}
		id, _ := o.OrderID()
		p.runBeforeAnswer(id)
		writeJSON(w, http.StatusOK, sr.NewInlineResponse(p.srv.URL+"/take/"+id))
	}))
	m.HandleFunc("DELETE /sr/integrations/companies/{companyId}", p.authed(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	p.srv = httptest.NewServer(m)
	t.Cleanup(p.srv.Close)
	return p
}

func readAll(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *fakePartner) pkg(id string) (sr.AssessmentPackage, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pkg := range p.packages {
		if string(pkg.ID) == id {
			return pkg, true
		}
	}
	return sr.AssessmentPackage{}, false
}

func (p *fakePartner) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, sr.TokenErrorResponse{Error: sr.TokenErrInvalidRequest})
		return
	}
	in, err := sr.ParseTokenInput(r.PostForm, "", "")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokenRequests++
	if err != nil || in.Credentials() != p.creds || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		writeJSON(w, http.StatusUnauthorized, sr.TokenErrorResponse{Error: sr.TokenErrInvalidClient})
		return
	}
	tok := fmt.Sprintf("partner-token-%d", p.tokenRequests)
	p.tokens[tok] = true
	writeJSON(w, http.StatusOK, sr.AccessToken{AccessToken: tok, ExpiresIn: 3600})
}

// authed records the request and refuses it without a token the partner issued.
func (p *fakePartner) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		p.mu.Lock()
		p.requests = append(p.requests, recorded{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body})
		tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		valid := found && p.tokens[tok]
		p.mu.Unlock()
		if !valid {
			writeJSON(w, http.StatusUnauthorized, sr.NewErrorResponse("UNAUTHORIZED", "bad token"))
			return
		}
		h(w, r)
	}
}

func (p *fakePartner) received(method, path string) []recorded {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []recorded
	for _, rq := range p.requests {
		if rq.Method == method && rq.Path == path {
			out = append(out, rq)
		}
	}
	return out
}

func (p *fakePartner) tokenCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenRequests
}

func (p *fakePartner) revokeTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.tokens)
}

func (p *fakePartner) config(mode sr.ConsentDisplayMode) sr.PartnerConfigurationRequest {
	u := p.srv.URL + "/sr"
	return sr.PartnerConfigurationRequest{
		ConsentURL:                      u + "/integration?app=switchboard",
		ConsentDisplayMode:              mode,
		AssessmentPackageListURL:        u + "/packages",
		SingleAssessmentPackageURL:      u + "/packages/{assessmentPackageId}",
		PackageOrderURL:                 u + "/packages/orders",
		InlineAssessmentPackageOrderURL: u + "/packages/inline/orders",
		OAuthTokenURL:                   u + "/oauth/token",
		IntegrationDisableURL:           u + "/integrations/companies/{companyId}",
		Fields:                          []sr.Field{{ID: "region", Name: "Region", Description: "Where the job is"}},
		SupportedAssessmentTypes:        []sr.AssessmentType{sr.TypeSkillTest, sr.TypeInlineAssessment},
	}
}

// world is a simulator with a configured partner and one connected company
// with a hiring process (Applied, Assessment with pkg-1 auto-triggered,
// Interview; inline package pkg-2), a job and an applicant.
type world struct {
	sim      *srsim.Server
	srv      *httptest.Server
	clock    *clock
	partner  *fakePartner
	master   *sr.Client
	company  srsim.Company
	customer sr.ClientCredentials
	process  srsim.HiringProcess
	job      sr.Job
	cand     sr.Candidate
}

func newWorld(t *testing.T, opts ...srsim.Option) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{clock: &clock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}}
	w.sim = srsim.New(append([]srsim.Option{srsim.WithClock(w.clock.Now)}, opts...)...)
	w.srv = httptest.NewServer(w.sim.Handler())
	t.Cleanup(w.srv.Close)
	w.sim.SetBaseURL(w.srv.URL)
	w.sim.RegisterPartner(master.ClientID, master.ClientSecret)
	w.partner = newFakePartner(t)
	w.master = w.client(master)
	if _, err := w.master.SavePartnerConfiguration(ctx, w.partner.config(sr.ConsentRedirect)); err != nil {
		t.Fatal(err)
	}
	w.company, w.customer = w.connect(t, "Acme")
	var err error
	w.process, err = w.sim.AddHiringProcess(w.company.ID, "Standard", "pkg-2",
		srsim.Step{Name: "Applied"}, srsim.Step{Name: "Assessment", AutoPackageID: "pkg-1"}, srsim.Step{Name: "Interview"})
	if err != nil {
		t.Fatal(err)
	}
	if w.job, err = w.sim.AddJob(w.company.ID, "Barista", w.process.ID, map[string]string{"region": "EU", "unbound": "x"}); err != nil {
		t.Fatal(err)
	}
	if w.cand, err = w.sim.AddCandidate(w.company.ID, "Ann", "Lee", "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.Apply(w.company.ID, string(w.cand.ID), string(w.job.ID)); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) client(c sr.ClientCredentials, opts ...sr.Option) *sr.Client {
	return sr.NewClient(w.srv.URL, c, append([]sr.Option{
		sr.WithHTTPClient(w.srv.Client()), sr.WithClock(w.clock.Now),
		sr.WithSleep(func(ctx context.Context, d time.Duration) error { w.clock.Advance(d); return ctx.Err() }),
	}, opts...)...)
}

// connect adds a company and runs the whole connect flow for it.
func (w *world) connect(t *testing.T, name string) (srsim.Company, sr.ClientCredentials) {
	t.Helper()
	ctx := context.Background()
	c := w.sim.AddCompany(name)
	if _, err := w.sim.Connect(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	creds, err := w.master.SetUpIntegration(ctx, c.ID, w.partner.creds)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.sim.CompleteConnect(c.ID); err != nil {
		t.Fatal(err)
	}
	return c, creds
}

// token fetches an access token for c from the simulator's token endpoint.
func (w *world) token(t *testing.T, c sr.ClientCredentials) string {
	t.Helper()
	resp, err := w.srv.Client().PostForm(w.srv.URL+sr.TokenPath, sr.NewTokenInput(c).Form())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var at sr.AccessToken
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&at) != nil || at.AccessToken == "" {
		t.Fatalf("token for %s: HTTP %d", c.ClientID, resp.StatusCode)
	}
	return at.AccessToken
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request with a bearer token ("" for none).
func (w *world) call(t *testing.T, method, path, token, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return send(t, w.srv, req)
}

// send sends req to srv and reads the whole answer.
func send(t *testing.T, srv *httptest.Server, req *http.Request) response {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// wantError checks SmartRecruiters' error body and status.
func wantError(t *testing.T, r response, status int) {
	t.Helper()
	var eb sr.ErrorResponse
	if r.status != status || json.Unmarshal(r.body, &eb) != nil || eb.Message == "" || len(eb.Errors) == 0 || eb.Errors[0].Code == "" {
		t.Fatalf("got %d %s, want %d with an error body", r.status, r.body, status)
	}
}

func resultsPath(orderID string) string {
	return sr.AssessmentAPIPath + "/orders/" + url.PathEscape(orderID) + "/results"
}

// placeOrder orders pkg-1 ad hoc for the world's applicant and returns its id.
func (w *world) placeOrder(t *testing.T) string {
	t.Helper()
	pls, err := w.sim.OrderAdHoc(context.Background(), w.company.ID, string(w.cand.ID), string(w.job.ID), "pkg-1")
	if err != nil || len(pls) != 1 || pls[0].Err != nil {
		t.Fatalf("order: %+v, %v", pls, err)
	}
	return pls[0].OrderID
}

// newServer serves sim on an httptest server and tells sim its URL.
func newServer(t *testing.T, sim *srsim.Server) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	return srv
}
