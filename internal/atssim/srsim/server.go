// Package srsim is an in-process, stateful simulator of SmartRecruiters as an
// Assessment API (2021) platform, for tests, `switchboard demo` and
// `validate --sandbox`.
//
// It plays both of SmartRecruiters' roles:
//   - the API Switchboard calls: /identity/oauth/token (client credentials),
//     /assessment-api/v202010 (partner configuration, credential exchange,
//     results PATCH, attachment upload) and the customer API (jobs,
//     candidates, application properties);
//   - the platform that calls Switchboard: consent, package list, ad-hoc,
//     auto-triggered and inline orders, and disable, each authenticated with a
//     token fetched from the partner's oauthTokenUrl, as SmartRecruiters does;
//   - for applicant review (customer.go, webhooks.go): API keys
//     (X-SmartToken) per company beside the OAuth credentials, open jobs
//     paged by id, candidates in full with their applications and screening
//     answers, incremental listing on updatedAfter, status moves with
//     SmartRecruiters' 400s, and the Webhooks API: subscriptions activated by
//     the real X-Hook-Secret handshake with the callback, signed
//     notifications of deleted candidates and job status changes, and key
//     rotation.
//
// It speaks the wire types of switchboard/internal/ats/smartrecruiters, so the two
// cannot drift apart, and it is strict where SmartRecruiters is: bearer tokens
// with scopes (401/403), 404 for orders of other companies, 400 for invalid
// partial updates, 415 for other media types, and per-credential rate limits
// (10 req/s token bucket on an injectable clock, 8 in flight, 1 in flight for
// GET /candidates) answering 429 with Retry-After and the X-RateLimit-*
// headers.
//
// Test and demo controls are plain Go methods (RegisterPartner, AddCompany,
// Connect, OrderAdHoc, MoveToStep, ApplyInline, Disconnect, FailNext,
// Hold, Order, Properties, IssueAPIKey, AddJobWith, SeedApplicants,
// SetJobStatus, DeleteCandidate, RequestCount, ...). A Server is safe for concurrent use; there
// is no package state.
package srsim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"switchboard/internal/atssim/simkit"
	"sync"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
)

// Server is one simulated SmartRecruiters with one partner app (the
// assessment vendor's marketplace listing) and any number of companies.
type Server struct {
	public *http.ServeMux // token endpoint and browser pages: no bearer token
	api    *http.ServeMux // everything behind bearer auth and rate limits

	mu            sync.Mutex
	now           func() time.Time
	baseURL       string
	partnerClient *http.Client
	rps           float64
	burst         int
	concurrent    int
	candidatesMax int
	tokenTTL      time.Duration

	partner     *partnerApp
	creds       map[string]*credential // by client id
	tokens      map[string]*issuedToken
	companies   map[string]*company
	orders      map[string]*order
	orderSeq    int
	attachments map[string]*StoredAttachment

	buckets      *simkit.Buckets
	inFlight     map[string]int
	candInFlight map[string]int
	faults       simkit.Faults
	arrivals     simkit.Arrivals
	counts       map[string]int
	throttled    int
	issued       map[string]int // tokens issued per client id
	partnerCalls []PartnerCall
	hold         *Hold

	// Applicant review (customer.go, webhooks.go).
	apiKeys          map[string]string // API key → credential id
	webhookClient    *http.Client
	handshakeTimeout time.Duration
	httpCallbacks    bool
	deliveries       []Delivery
	eventSeq         int
}

type partnerApp struct {
	clientID, secret string
	config           *sr.PartnerConfiguration
}

// credential is an OAuth client SmartRecruiters knows: the partner's master
// credential, or one company's customer-level credential.
type credential struct {
	clientID, secret string
	scopes           []string
	companyID        string // "" for the master credential
	revoked          bool
}

type issuedToken struct {
	clientID string
	expires  time.Time
}

type company struct {
	id, name  string
	recruiter sr.OrderRequester

	consented    bool
	partnerCreds *sr.ClientCredentials // what the partner gave, to call it
	customerID   string                // client id of the credential given to the partner
	returned     bool                  // the admin's browser came back to the redirect
	redirectURL  string
	partnerToken string
	partnerExp   time.Time

	processes  map[string]*HiringProcess
	jobs       []*job
	candidates []*candidate // in creation order (seq), the list's order
	properties map[string]*PropertyDef

	// Applicant review's state (customer.go, webhooks.go).
	jobByID        map[string]*job
	candByID       map[string]*candidate
	candSeq        int
	appSeq         int
	defaultProcess string
	requiredSub    map[sr.CandidateStatus]bool // statuses whose sub-status must be given
	reasons        map[string]bool             // rejection and withdrawal reason ids
	subs           map[string]*subscription
	subOrder       []string
}

type job struct {
	sr.Job
	processID string
	fields    map[string]string
}

type candidate struct {
	sr.Candidate
	language string
	apps     []*application
	seq      int // creation order: the list cursor
	profile  Profile
}

type application struct {
	jobID      string
	stepID     string
	status     sr.CandidateStatus
	inline     bool // applied through an inline assessment not yet returned from
	properties map[string]any

	id        string
	subStatus string
	createdOn time.Time
	updatedOn time.Time
	answers   []sr.ScreeningAnswer
}

// OrderKind is how an order was placed.
type OrderKind string

// Order kinds.
const (
	KindAdHoc     OrderKind = "ad_hoc"
	KindTriggered OrderKind = "triggered"
	KindInline    OrderKind = "inline"
)

type order struct {
	Order
	seq   int            // creation order, for listing
	state map[string]any // the PackageResult as merged JSON
}

// Order is an assessment order as SmartRecruiters holds it.
type Order struct {
	ID          string
	CompanyID   string
	CandidateID string
	JobID       string
	PackageID   string
	Kind        OrderKind
	// SmartRecruiters knows an order before it posts it to the partner, so
	// the partner may report on it while that call is still open. Placed is
	// true once the partner accepted it (2xx); Refused once the partner
	// answered otherwise or not at all, after which SmartRecruiters no longer
	// knows the order (404 to the partner). PlaceStatus is the partner's
	// answer (0 when none arrived yet or ever).
	Placed      bool
	Refused     bool
	PlaceStatus int
	// Result is what the candidate profile shows: the merge of every PATCH.
	Result sr.PackageResult
	// StatusHistory lists each distinct status in the order it was set.
	StatusHistory []sr.Status
	// Patches counts the results PATCHes SmartRecruiters accepted, so a
	// test can tell a write repeated from one done once.
	Patches     int
	Attachments []StoredAttachment
	// Inline orders: where the candidate was sent and where they come back.
	CandidateURL string
	ReturnURL    string
	Returned     bool
	CreatedAt    time.Time
}

// ResultURL is the report link the partner sent with the result: the first
// OTHER_URL attachment (SmartRecruiters has no result URL field).
func (o Order) ResultURL() string {
	for _, a := range o.Result.Attachments {
		if a.Type == sr.AttachmentOtherURL {
			return a.URL
		}
	}
	return ""
}

// StoredAttachment is an uploaded result file with its bytes.
type StoredAttachment struct {
	ID          string
	OrderID     string
	Part        string // the multipart part name used
	FileName    string
	ContentType string
	Data        []byte
	URL         string
}

// HiringProcess is a company's hiring process: its steps in order, and the
// inline package candidates take while applying to its jobs, if any.
type HiringProcess struct {
	ID              string
	Name            string
	InlinePackageID string
	Steps           []Step
}

// Step is a hiring-process step; a candidate reaching a step with an
// AutoPackageID gets that package ordered automatically.
type Step struct {
	ID            string
	Name          string
	AutoPackageID string
}

// PropertyType is the type of a custom application field.
type PropertyType string

// Property types the simulator checks values of.
const (
	PropertyText         PropertyType = "TEXT"
	PropertySingleSelect PropertyType = "SINGLE_SELECT"
)

// PropertyDef is a company's custom application field.
type PropertyDef struct {
	ID       string
	Label    string
	Type     PropertyType
	ValueIDs []string // SINGLE_SELECT: the allowed value ids
}

// Company is a SmartRecruiters customer.
type Company struct {
	ID        string
	Name      string
	Recruiter sr.OrderRequester // the user who places ad-hoc orders
}

// Connection is a company's state of the partner integration.
type Connection struct {
	Consented bool // the admin clicked Connect → "Allow and continue"
	// Integrated is true once the partner exchanged credentials.
	Integrated bool
	// Returned is true once the admin's browser came back to the redirect.
	Returned bool
	// CustomerClientID is the client id of the credentials handed out.
	CustomerClientID string
	// PartnerClientID is the client id the partner gave for calling it.
	PartnerClientID string
}

// PartnerCall is one request the simulator made to the partner.
type PartnerCall struct {
	Method     string
	URL        string
	StatusCode int // 0 when no response arrived
	Err        string
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock for tokens, rate limits and timestamps (default
// time.Now).
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithRateLimit sets the per-credential token bucket (default 10/s, burst
// 10); rps <= 0 disables it.
func WithRateLimit(rps float64, burst int) Option {
	return func(s *Server) { s.rps, s.burst = rps, max(burst, 1) }
}

// WithConcurrency sets the per-credential in-flight limits (default 8, and
// 1 for GET /candidates).
func WithConcurrency(all, candidates int) Option {
	return func(s *Server) { s.concurrent, s.candidatesMax = max(all, 1), max(candidates, 1) }
}

// WithTokenTTL sets the lifetime of issued access tokens (default 1 hour).
func WithTokenTTL(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.tokenTTL = d
		}
	}
}

// WithPartnerClient sets the HTTP client used to call the partner
// (default: 30 s timeout).
func WithPartnerClient(hc *http.Client) Option {
	return func(s *Server) {
		if hc != nil {
			s.partnerClient = hc
		}
	}
}

// New returns a simulator with no partner and no companies. Call SetBaseURL
// with the URL it is served at before placing orders, since the URLs it
// hands out (result callbacks, redirects) point back at it.
func New(opts ...Option) *Server {
	s := &Server{
		now:              time.Now,
		baseURL:          "http://srsim.invalid",
		partnerClient:    &http.Client{Timeout: 30 * time.Second},
		rps:              sr.RequestsPerSecond,
		burst:            sr.RateBurst,
		concurrent:       sr.MaxConcurrent,
		candidatesMax:    sr.MaxConcurrentCandidates,
		tokenTTL:         time.Hour,
		creds:            map[string]*credential{},
		tokens:           map[string]*issuedToken{},
		companies:        map[string]*company{},
		orders:           map[string]*order{},
		attachments:      map[string]*StoredAttachment{},
		inFlight:         map[string]int{},
		candInFlight:     map[string]int{},
		counts:           map[string]int{},
		issued:           map[string]int{},
		apiKeys:          map[string]string{},
		webhookClient:    &http.Client{Timeout: 30 * time.Second},
		handshakeTimeout: sr.HandshakeDeadline,
	}
	for _, o := range opts {
		o(s)
	}
	s.buckets = simkit.NewBuckets(s.rps, s.burst, s.now)
	s.public, s.api = s.routes()
	return s
}

// SetBaseURL sets the URL the simulator is served at (e.g. an httptest
// server's URL); it is also the base URL a smartrecruiters.Client uses.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

// BaseURL returns the URL set by SetBaseURL.
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// newID returns a random UUID (version 4), the shape of SmartRecruiters' ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randomSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ErrNotFound is returned by the Go controls for unknown ids.
var ErrNotFound = errors.New("srsim: not found")

// ErrNotConnected is returned by recruiter controls for a company that has
// not finished connecting the partner app.
var ErrNotConnected = errors.New("srsim: partner app not connected for company")

// RegisterPartner registers the partner app's master credentials (issued by
// SmartRecruiters' partner operations), scoped partner_configuration_manage.
// Registering again replaces the secret.
func (s *Server) RegisterPartner(clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.partner != nil && s.partner.clientID != clientID {
		delete(s.creds, s.partner.clientID)
		s.partner = nil
	}
	if s.partner == nil {
		s.partner = &partnerApp{}
	}
	s.partner.clientID, s.partner.secret = clientID, secret
	s.creds[clientID] = &credential{clientID: clientID, secret: secret, scopes: []string{sr.ScopePartnerConfigurationManage}}
}

// PartnerConfiguration returns what the partner registered, if anything.
func (s *Server) PartnerConfiguration() (sr.PartnerConfiguration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.partner == nil || s.partner.config == nil {
		return sr.PartnerConfiguration{}, false
	}
	return *s.partner.config, true
}

// AddCompany adds a customer company with one recruiter user.
func (s *Server) AddCompany(name string) Company {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ReplaceAll(newID(), "-", "")[:24]
	c := &company{
		id: id, name: name,
		recruiter:  sr.OrderRequester{UserID: sr.ID(strings.ReplaceAll(newID(), "-", "")[:24]), Email: "recruiter@" + slug(name) + ".example"},
		processes:  map[string]*HiringProcess{},
		properties: map[string]*PropertyDef{},
		jobByID:    map[string]*job{},
		candByID:   map[string]*candidate{},
		reasons:    map[string]bool{},
		subs:       map[string]*subscription{},
	}
	for _, r := range DefaultReasons {
		c.reasons[r] = true
	}
	s.companies[id] = c
	return Company{ID: id, Name: name, Recruiter: c.recruiter}
}

func slug(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "company"
	}
	return b.String()
}

// AddHiringProcess adds a hiring process with its steps in order; steps
// without an id get one. inlinePackageID ("" for none) is the inline package
// of every job using the process.
func (s *Server) AddHiringProcess(companyID, name, inlinePackageID string, steps ...Step) (HiringProcess, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return HiringProcess{}, fmt.Errorf("srsim: add hiring process: company %q: %w", companyID, ErrNotFound)
	}
	if len(steps) == 0 {
		return HiringProcess{}, errors.New("srsim: add hiring process: no steps")
	}
	hp := &HiringProcess{ID: newID(), Name: name, InlinePackageID: inlinePackageID}
	for _, st := range steps {
		if st.ID == "" {
			st.ID = newID()
		}
		hp.Steps = append(hp.Steps, st)
	}
	c.processes[hp.ID] = hp
	return cloneProcess(*hp), nil
}

func cloneProcess(hp HiringProcess) HiringProcess {
	hp.Steps = slices.Clone(hp.Steps)
	return hp
}

// AddJob adds a job using a hiring process. fields are the job's values of
// the partner's fields (by partner field id), sent with every order.
func (s *Server) AddJob(companyID, title, processID string, fields map[string]string) (sr.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return sr.Job{}, fmt.Errorf("srsim: add job: company %q: %w", companyID, ErrNotFound)
	}
	if c.processes[processID] == nil {
		return sr.Job{}, fmt.Errorf("srsim: add job: hiring process %q: %w", processID, ErrNotFound)
	}
	now := sr.At(s.now())
	j := &job{
		Job:       sr.Job{ID: sr.ID(newID()), Title: title, RefNumber: fmt.Sprintf("REF%d", len(c.jobs)+1), Status: "SOURCING", PostingStatus: "PUBLIC", CreatedOn: now, UpdatedOn: now},
		processID: processID,
		fields:    cloneMap(fields),
	}
	c.jobs = append(c.jobs, j)
	c.jobByID[string(j.ID)] = j
	return j.Job, nil
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// AddCandidate adds a candidate (with no application yet).
func (s *Server) AddCandidate(companyID, firstName, lastName, email string) (sr.Candidate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return sr.Candidate{}, fmt.Errorf("srsim: add candidate: company %q: %w", companyID, ErrNotFound)
	}
	cand := s.newCandidate(c, firstName, lastName, email, "en")
	return s.renderCandidate(c, cand), nil
}

func (s *Server) newCandidate(c *company, first, last, email, lang string) *candidate {
	now := sr.At(s.now())
	cand := &candidate{
		Candidate: sr.Candidate{ID: sr.ID(newID()), FirstName: first, LastName: last, Email: email, CreatedOn: now, UpdatedOn: now},
		language:  lang,
	}
	c.candSeq++
	cand.seq = c.candSeq
	c.candidates = append(c.candidates, cand)
	c.candByID[string(cand.ID)] = cand
	return cand
}

// Apply makes a candidate apply to a job (outside any inline assessment):
// the application starts at the job's first hiring-process step.
func (s *Server) Apply(companyID, candidateID, jobID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, cand, j, err := s.lookup(companyID, candidateID, jobID)
	if err != nil {
		return fmt.Errorf("srsim: apply: %w", err)
	}
	if findApp(cand, jobID) != nil {
		return nil
	}
	hp := c.processes[j.processID]
	cand.apps = append(cand.apps, s.newApplication(c, jobID, hp.Steps[0].ID, false))
	cand.UpdatedOn = sr.At(s.now())
	return nil
}

// AddProperty defines a custom application field. SINGLE_SELECT fields take
// their allowed value ids.
func (s *Server) AddProperty(companyID, label string, typ PropertyType, valueIDs ...string) (PropertyDef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return PropertyDef{}, fmt.Errorf("srsim: add property: company %q: %w", companyID, ErrNotFound)
	}
	if typ != PropertyText && typ != PropertySingleSelect {
		return PropertyDef{}, fmt.Errorf("srsim: add property: unsupported type %q", typ)
	}
	p := &PropertyDef{ID: newID(), Label: label, Type: typ, ValueIDs: slices.Clone(valueIDs)}
	c.properties[p.ID] = p
	out := *p
	out.ValueIDs = slices.Clone(p.ValueIDs)
	return out, nil
}

// lookup finds a company's candidate and job. Caller holds s.mu.
func (s *Server) lookup(companyID, candidateID, jobID string) (*company, *candidate, *job, error) {
	c := s.companies[companyID]
	if c == nil {
		return nil, nil, nil, fmt.Errorf("company %q: %w", companyID, ErrNotFound)
	}
	cand := findCandidate(c, candidateID)
	if cand == nil {
		return nil, nil, nil, fmt.Errorf("candidate %q: %w", candidateID, ErrNotFound)
	}
	j := findJob(c, jobID)
	if j == nil {
		return nil, nil, nil, fmt.Errorf("job %q: %w", jobID, ErrNotFound)
	}
	return c, cand, j, nil
}

func findCandidate(c *company, id string) *candidate { return c.candByID[id] }

func findJob(c *company, id string) *job { return c.jobByID[id] }

// newApplication starts an application at stepID, status NEW. Caller
// holds s.mu.
func (s *Server) newApplication(c *company, jobID, stepID string, inline bool) *application {
	c.appSeq++
	now := s.now()
	return &application{
		jobID: jobID, stepID: stepID, status: sr.CandidateNew, inline: inline,
		id: fmt.Sprintf("%s-app-%d", c.id[:8], c.appSeq), createdOn: now, updatedOn: now,
	}
}

func findApp(cand *candidate, jobID string) *application {
	for _, a := range cand.apps {
		if a.jobID == jobID {
			return a
		}
	}
	return nil
}

// renderCandidate is a candidate as the customer API shows it. Caller holds s.mu.
func (s *Server) renderCandidate(c *company, cand *candidate) sr.Candidate {
	out := cand.Candidate
	out.PrimaryAssignment, out.SecondaryAssignments = nil, nil
	for i, a := range cand.apps {
		as := sr.Assignment{Job: sr.AssignmentJob{ID: sr.ID(a.jobID)}, Status: a.status, SubStatus: a.subStatus}
		if j := findJob(c, a.jobID); j != nil {
			as.Job.Title = j.Title
		}
		if i == 0 {
			out.PrimaryAssignment = &as
		} else {
			out.SecondaryAssignments = append(out.SecondaryAssignments, as)
		}
	}
	return out
}

// Application is a candidate's application to a job.
type Application struct {
	CandidateID string
	JobID       string
	StepID      string
	Status      sr.CandidateStatus
	// Inline is true while an inline applicant has not come back from the
	// assessment (their application is not finished).
	Inline bool
}

// Application returns a candidate's application to a job.
func (s *Server) Application(companyID, candidateID, jobID string) (Application, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return Application{}, false
	}
	cand := findCandidate(c, candidateID)
	if cand == nil {
		return Application{}, false
	}
	a := findApp(cand, jobID)
	if a == nil {
		return Application{}, false
	}
	return Application{CandidateID: candidateID, JobID: jobID, StepID: a.stepID, Status: a.status, Inline: a.inline}, true
}

// Properties returns the custom application fields set on a candidate's
// application, by property id: a string for TEXT and the value id for
// SINGLE_SELECT.
func (s *Server) Properties(companyID, candidateID, jobID string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return nil
	}
	cand := findCandidate(c, candidateID)
	if cand == nil {
		return nil
	}
	a := findApp(cand, jobID)
	if a == nil {
		return nil
	}
	return cloneMap(a.properties)
}

// Connection returns a company's integration state.
func (s *Server) Connection(companyID string) (Connection, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return Connection{}, false
	}
	conn := Connection{Consented: c.consented, Integrated: c.partnerCreds != nil, Returned: c.returned, CustomerClientID: c.customerID}
	if c.partnerCreds != nil {
		conn.PartnerClientID = c.partnerCreds.ClientID
	}
	return conn, true
}

// Order returns an order's current state.
func (s *Server) Order(id string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return Order{}, false
	}
	return cloneOrder(o.Order), true
}

// Orders returns a company's orders, oldest first.
func (s *Server) Orders(companyID string) []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	var os []*order
	for _, o := range s.orders {
		if o.CompanyID == companyID {
			os = append(os, o)
		}
	}
	slices.SortFunc(os, func(a, b *order) int { return a.seq - b.seq })
	out := make([]Order, len(os))
	for i, o := range os {
		out[i] = cloneOrder(o.Order)
	}
	return out
}

func cloneOrder(o Order) Order {
	o.StatusHistory = slices.Clone(o.StatusHistory)
	o.Attachments = slices.Clone(o.Attachments)
	for i := range o.Attachments {
		o.Attachments[i].Data = slices.Clone(o.Attachments[i].Data)
	}
	o.Result = cloneResult(o.Result)
	return o
}

func cloneResult(r sr.PackageResult) sr.PackageResult {
	if r.Score != nil {
		sc := *r.Score
		r.Score = &sc
	}
	r.Attachments = slices.Clone(r.Attachments)
	r.AssessmentResults = slices.Clone(r.AssessmentResults)
	for i, ar := range r.AssessmentResults {
		if ar.Score != nil {
			sc := *ar.Score
			r.AssessmentResults[i].Score = &sc
		}
		r.AssessmentResults[i].Attachments = slices.Clone(ar.Attachments)
	}
	return r
}

// FailNext makes the next n authenticated API requests (after auth and the
// rate limits) answer status, a 4xx or 5xx, with Retry-After when
// retryAfter > 0. Calls queue up in order.
func (s *Server) FailNext(n int, status int, retryAfter time.Duration) {
	s.Fail(n, simkit.Fault{Status: status, RetryAfter: retryAfter})
}

// Fail queues n answers of f for the authenticated API requests it matches
// (after auth and the rate limits), in order with FailNext's. The channel
// is closed when the last was answered.
func (s *Server) Fail(n int, f simkit.Fault) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.Add(n, f)
}

// Outage makes every authenticated API request (after auth and the rate
// limits) that no queued failure takes answer f, until end is called:
// SmartRecruiters down for as long as the test says.
func (s *Server) Outage(f simkit.Fault) (end func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.SetStanding(&f)
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.faults.SetStanding(nil)
	}
}

// RevokeClient revokes a client credential (a company's customer-level
// one, say) and the access tokens issued to it, as SmartRecruiters does when
// the credential is withdrawn: the token endpoint refuses it (401) and so
// does the API. restore makes it valid again; tokens stay revoked.
func (s *Server) RevokeClient(clientID string) (restore func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cred := s.creds[clientID]
	if cred == nil {
		return nil, fmt.Errorf("srsim: revoke client %q: %w", clientID, ErrNotFound)
	}
	cred.revoked = true
	for tok, it := range s.tokens {
		if it.clientID == clientID {
			delete(s.tokens, tok)
		}
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		cred.revoked = false
	}, nil
}

// MaxRequestsIn is the most API requests of one credential that arrived
// within any window of length d, as an independent rate checker counts
// them: every authenticated request, throttled or not, on the simulator's
// clock.
func (s *Server) MaxRequestsIn(d time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrivals.MaxIn(d)
}

// RequestCount counts API requests that reached the handler for a route as
// registered, e.g. "PATCH", "/assessment-api/v202010/orders/{orderId}/results".
func (s *Server) RequestCount(method, pathPattern string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method+" "+pathPattern]
}

// ThrottledCount is the number of 429s the rate limits produced.
func (s *Server) ThrottledCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// TokensIssued is the number of access tokens issued to clientID.
func (s *Server) TokensIssued(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[clientID]
}

// InFlight is the number of API requests being handled for clientID.
func (s *Server) InFlight(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight[clientID]
}

// PartnerCalls returns the requests made to the partner, oldest first.
func (s *Server) PartnerCalls() []PartnerCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.partnerCalls)
}

// RevokeTokens invalidates every access token issued so far (as an expired
// or revoked token would be), so clients must fetch new ones.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Hold makes API requests that pass auth and the rate limits wait inside
// the simulator until Release, so tests can fill the concurrency limits
// deterministically. Each held request's route is sent on Entered.
type Hold struct {
	entered chan string
	release chan struct{}
	once    sync.Once
	s       *Server
}

// Hold starts holding requests; it replaces any earlier hold.
func (s *Server) Hold() *Hold {
	h := &Hold{entered: make(chan string, 256), release: make(chan struct{}), s: s}
	s.mu.Lock()
	s.hold = h
	s.mu.Unlock()
	return h
}

// Entered receives the route of each request as it starts waiting.
func (h *Hold) Entered() <-chan string { return h.entered }

// Release lets every held request go on and stops holding new ones.
func (h *Hold) Release() {
	h.once.Do(func() {
		h.s.mu.Lock()
		if h.s.hold == h {
			h.s.hold = nil
		}
		h.s.mu.Unlock()
		close(h.release)
	})
}
