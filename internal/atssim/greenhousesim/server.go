// Package greenhousesim is a stateful in-process simulator of Greenhouse as
// an assessment partner's customer sees it: organisations configured with a
// partner's four URLs and the key the partner issued; candidates'
// applications at the partner stage; a recruiter's "Send Test"; Greenhouse's
// poll of test_status on its own schedule (hourly until complete, hired or
// 8 weeks, on an injected clock) and at once after the partner's PATCH ping,
// served here on the url Greenhouse hands out in send_test; what a
// recruiter sees of a test (status, score, profile link, metadata); and
// response_error when an answer is malformed, judged as Greenhouse judges
// it. It shares its wire types with the connector (internal/ats/greenhouse).
package greenhousesim

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
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/atssim/simkit"
)

// PollInterval and PollFor are Greenhouse's polling schedule: hourly, for
// at most 8 weeks after the test was sent.
const (
	PollInterval = time.Hour
	PollFor      = 8 * 7 * 24 * time.Hour
)

// PingPath is where the ping url of a test instance points, under the
// simulator's base URL: Greenhouse's own path, with the instance's id.
const PingPath = "/integrations/testing_partners/take_home_tests/"

// Partner is what a Greenhouse account manager enters for an organisation:
// the partner's four URLs and the key the customer got from the partner.
type Partner struct {
	ListTestsURL     string
	SendTestURL      string
	TestStatusURL    string
	ResponseErrorURL string
	Key              string
}

// Organization is one Greenhouse customer.
type Organization struct {
	ID      string
	Name    string
	Partner Partner
}

// Application is a candidate's application at the partner stage.
type Application struct {
	ID            string
	OrgID         string
	PersonID      string
	FirstName     string
	LastName      string
	PreferredName string
	Email         string
	Phone         string // "" is sent as null
	Hired         bool
}

// ProfileURL is the candidate's Greenhouse page, as send_test carries it.
func (a Application) ProfileURL() string {
	return "https://app.greenhouse.io/people/" + a.PersonID + "?application_id=" + a.ID
}

// TestInstance is one test sent to one candidate, as Greenhouse keeps it
// and shows it to a recruiter.
type TestInstance struct {
	ID                 string // Greenhouse's take-home test id, in the ping url
	OrgID, AppID       string
	PartnerTestID      string
	PartnerTestName    string
	PartnerInterviewID string // "" until send_test answered well
	SentAt             time.Time
	SendStatus         int // send_test's HTTP answer

	// What the recruiter sees, from the last well-formed test_status.
	Status     string
	Score      *float64
	ProfileURL string
	Metadata   map[string]any
	Complete   bool

	Polls      int       // test_status calls made
	Pings      int       // PATCH pings accepted
	NextPoll   time.Time // the next scheduled poll
	LastStatus int       // test_status' last HTTP answer
	// Malformed lists what Greenhouse found wrong with answers about this
	// test (each reported through response_error).
	Malformed []string
}

// Complaint is one response_error Greenhouse sent, with the answer's status.
type Complaint struct {
	Body   greenhouse.ResponseError
	Status int
}

// Server is the simulator. It is safe for concurrent use.
type Server struct {
	mu         sync.Mutex
	now        func() time.Time
	client     *http.Client
	baseURL    string
	orgs       map[string]*Organization
	apps       map[string]*Application
	tests      map[string]*TestInstance
	order      []string // test ids in the order they were made
	complaints []Complaint
	faults     simkit.Faults
	pingsSeen  int
	refused    int // pings refused for their credentials
	seq        int
	inflight   int        // polls started by pings, not yet done
	idle       *sync.Cond // on mu: inflight reached 0
	pollErrs   []string   // polls after pings that got no answer
	down       bool       // pings answer 503 (Down)
	keyRevoked bool       // pings are refused for their key (RefuseKey)
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock of sending and of the poll schedule.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithPartnerClient sets the client Greenhouse calls the partner with.
func WithPartnerClient(c *http.Client) Option { return func(s *Server) { s.client = c } }

// New returns an empty simulator.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, client: &http.Client{Timeout: 30 * time.Second},
		orgs: map[string]*Organization{}, apps: map[string]*Application{}, tests: map[string]*TestInstance{}}
	s.idle = sync.NewCond(&s.mu)
	for _, o := range opts {
		o(s)
	}
	return s
}

// SetBaseURL is where the simulator is served, for the ping urls it hands out.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

func (s *Server) id(prefix string) string {
	s.seq++
	return prefix + strconv.Itoa(1000+s.seq)
}

// ErrKeyTooLong is Greenhouse refusing a key of 171 characters or more.
var ErrKeyTooLong = errors.New("greenhouse: the API key must be shorter than 171 characters")

// AddOrganization is a customer whose account manager entered the partner's
// URLs and key.
func (s *Server) AddOrganization(name string, p Partner) (Organization, error) {
	if len(p.Key) >= greenhouse.MaxKeyLength {
		return Organization{}, ErrKeyTooLong
	}
	for _, u := range []string{p.ListTestsURL, p.SendTestURL, p.TestStatusURL, p.ResponseErrorURL} {
		if pu, err := url.Parse(u); err != nil || pu.Host == "" {
			return Organization{}, fmt.Errorf("greenhouse: partner URL %q is not absolute", u)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &Organization{ID: s.id("org"), Name: name, Partner: p}
	s.orgs[o.ID] = o
	return *o, nil
}

// SetKey is the account manager entering a new key (the partner rotated it).
func (s *Server) SetKey(orgID, key string) error {
	if len(key) >= greenhouse.MaxKeyLength {
		return ErrKeyTooLong
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[orgID]
	if !ok {
		return fmt.Errorf("greenhouse: no organization %s", orgID)
	}
	o.Partner.Key = key
	return nil
}

// AddApplication is a candidate's application that reached the partner stage.
func (s *Server) AddApplication(orgID, first, last, email string) (Application, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[orgID]; !ok {
		return Application{}, fmt.Errorf("greenhouse: no organization %s", orgID)
	}
	a := &Application{ID: s.id(""), OrgID: orgID, PersonID: s.id(""), FirstName: first, LastName: last, PreferredName: first, Email: email}
	s.apps[a.ID] = a
	return *a, nil
}

// Hire marks the candidate hired: Greenhouse stops polling and updating.
func (s *Server) Hire(appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.apps[appID]; ok {
		a.Hired = true
	}
}

// Test is a test instance as the recruiter sees it.
func (s *Server) Test(id string) (TestInstance, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tests[id]
	if !ok {
		return TestInstance{}, false
	}
	return t.copy(), true
}

// Tests lists the test instances in the order they were sent.
func (s *Server) Tests() []TestInstance {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TestInstance, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.tests[id].copy())
	}
	return out
}

func (t *TestInstance) copy() TestInstance {
	c := *t
	c.Malformed = slices.Clone(t.Malformed)
	if t.Metadata != nil {
		c.Metadata = make(map[string]any, len(t.Metadata))
		for k, v := range t.Metadata {
			c.Metadata[k] = v
		}
	}
	if t.Score != nil {
		v := *t.Score
		c.Score = &v
	}
	return c
}

// Complaints are the response_error calls Greenhouse made.
func (s *Server) Complaints() []Complaint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.complaints)
}

// Pings is how many PATCH pings arrived, and Refused how many of them were
// refused for their credentials.
func (s *Server) Pings() (seen, refused int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pingsSeen, s.refused
}

// AddFault queues n injected answers to pings.
func (s *Server) AddFault(n int, f simkit.Fault) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.Add(n, f)
}

// Down makes the ping endpoint answer 503 until recover is called.
func (s *Server) Down() (recover func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.down = false
	}
}

// Outage makes every ping that no queued fault takes answer f (a 503 with
// a Retry-After: a maintenance window), until end is called.
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

// RefuseKey makes the ping endpoint refuse every key with 401 (Greenhouse
// holding another key) until restore is called.
func (s *Server) RefuseKey() (restore func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyRevoked = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.keyRevoked = false
	}
}

// Wait waits until the polls that pings started are done. (A WaitGroup
// would not do: a ping may arrive while a test waits.)
func (s *Server) Wait() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.inflight > 0 {
		s.idle.Wait()
	}
}

// PollErrors are the polls after pings that got no answer at all.
func (s *Server) PollErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pollErrs)
}

// Call is one call Greenhouse made to the partner, with the answer.
type Call struct {
	Status int
	Body   []byte
}

// Auth sets the credentials of one call; nil is the organisation's key.
type Auth func(req *http.Request)

// BasicAuth is a call with another user name and password.
func BasicAuth(user, password string) Auth {
	return func(req *http.Request) { req.SetBasicAuth(user, password) }
}

// NoAuth is a call without credentials.
func NoAuth() Auth { return func(*http.Request) {} }

// call sends one request to the partner with the organisation's key (or auth).
func (s *Server) call(ctx context.Context, o Organization, method, u string, body any, auth Auth) (Call, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Call{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return Call{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Greenhouse-Assessment-Simulator")
	if auth == nil {
		req.SetBasicAuth(o.Partner.Key, "")
	} else {
		auth(req)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return Call{}, fmt.Errorf("greenhouse: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Call{}, fmt.Errorf("greenhouse: %s %s: read: %w", method, u, err)
	}
	return Call{Status: resp.StatusCode, Body: b}, nil
}

func (s *Server) org(id string) (Organization, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[id]
	if !ok {
		return Organization{}, fmt.Errorf("greenhouse: no organization %s", id)
	}
	return *o, nil
}

// ListTests is Greenhouse asking which tests the organisation has (when a
// partner stage is added to a hiring plan). A malformed answer is reported
// through response_error.
func (s *Server) ListTests(ctx context.Context, orgID string) ([]greenhouse.Test, Call, error) {
	o, err := s.org(orgID)
	if err != nil {
		return nil, Call{}, err
	}
	c, err := s.call(ctx, o, http.MethodGet, o.Partner.ListTestsURL, nil, nil)
	if err != nil || c.Status != http.StatusOK {
		return nil, c, err
	}
	tests, problems := greenhouse.CheckTests(c.Body)
	if len(problems) > 0 {
		s.complain(ctx, o, greenhouse.ResponseError{APICall: "list_tests", Errors: problems})
		return nil, c, nil
	}
	return tests, c, nil
}

// SendTest is a recruiter's "Send Test" for an application: POST send_test,
// keeping the partner_interview_id. A refusal leaves the instance unsent
// (the recruiter sees the error); a malformed answer is reported.
func (s *Server) SendTest(ctx context.Context, appID, partnerTestID string) (TestInstance, Call, error) {
	return s.SendTestWith(ctx, appID, partnerTestID, nil)
}

// SendTestWith is SendTest with other credentials (auth nil: the key).
func (s *Server) SendTestWith(ctx context.Context, appID, partnerTestID string, auth Auth) (TestInstance, Call, error) {
	s.mu.Lock()
	a, ok := s.apps[appID]
	if !ok {
		s.mu.Unlock()
		return TestInstance{}, Call{}, fmt.Errorf("greenhouse: no application %s", appID)
	}
	if a.Hired {
		s.mu.Unlock()
		return TestInstance{}, Call{}, fmt.Errorf("greenhouse: application %s is hired: tests are sent at the partner stage only", appID)
	}
	if s.baseURL == "" {
		s.mu.Unlock()
		return TestInstance{}, Call{}, errors.New("greenhouse: SetBaseURL first: the ping url needs it")
	}
	t := &TestInstance{ID: s.id(""), OrgID: a.OrgID, AppID: a.ID, PartnerTestID: partnerTestID, SentAt: s.now()}
	s.tests[t.ID] = t
	s.order = append(s.order, t.ID)
	s.mu.Unlock()
	return s.send(ctx, t.ID, auth)
}

// Resend sends the same send_test for a test instance again, as Greenhouse
// does when it did not get the answer.
func (s *Server) Resend(ctx context.Context, testID string) (TestInstance, Call, error) {
	return s.send(ctx, testID, nil)
}

func (s *Server) sendBody(t *TestInstance) greenhouse.SendTest {
	a := s.apps[t.AppID]
	return greenhouse.SendTest{
		PartnerTestID: t.PartnerTestID,
		Candidate: greenhouse.Candidate{FirstName: a.FirstName, LastName: a.LastName, PreferredName: a.PreferredName,
			ResumeURL: "https://app.greenhouse.io/resumes/" + a.PersonID, PhoneNumber: a.Phone, Email: a.Email,
			GreenhouseProfileURL: a.ProfileURL()},
		SentBy: "recruiter@" + strings.ToLower(strings.ReplaceAll(s.orgs[t.OrgID].Name, " ", "")) + ".example",
		URL:    s.baseURL + PingPath + t.ID,
	}
}

// sendTestWire is send_test's body with null for empty optional
// properties, as Greenhouse writes it.
func sendTestWire(b greenhouse.SendTest) map[string]any {
	null := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	c := b.Candidate
	return map[string]any{
		"partner_test_id": b.PartnerTestID,
		"candidate": map[string]any{
			"first_name": c.FirstName, "last_name": c.LastName, "preferred_name": null(c.PreferredName),
			"resume_url": null(c.ResumeURL), "phone_number": null(c.PhoneNumber), "email": c.Email,
			"greenhouse_profile_url": c.GreenhouseProfileURL,
		},
		"sent_by": null(b.SentBy),
		"url":     b.URL,
	}
}

func (s *Server) send(ctx context.Context, testID string, auth Auth) (TestInstance, Call, error) {
	s.mu.Lock()
	t, ok := s.tests[testID]
	if !ok {
		s.mu.Unlock()
		return TestInstance{}, Call{}, fmt.Errorf("greenhouse: no test instance %s", testID)
	}
	o := *s.orgs[t.OrgID]
	body := sendTestWire(s.sendBody(t))
	s.mu.Unlock()

	c, err := s.call(ctx, o, http.MethodPost, o.Partner.SendTestURL, body, auth)
	if err != nil {
		return TestInstance{}, c, err
	}
	var problems []string
	var id string
	if c.Status == http.StatusOK {
		id, problems = greenhouse.CheckSendTestResponse(c.Body)
	}
	s.mu.Lock()
	t.SendStatus = c.Status
	if c.Status == http.StatusOK && len(problems) == 0 {
		t.PartnerInterviewID = id
		if t.NextPoll.IsZero() {
			t.NextPoll = t.SentAt.Add(PollInterval)
		}
	}
	t.Malformed = append(t.Malformed, problems...)
	email := s.apps[t.AppID].Email
	out := t.copy()
	s.mu.Unlock()
	if len(problems) > 0 {
		s.complain(ctx, o, greenhouse.ResponseError{APICall: "send_test", Errors: problems, PartnerTestID: out.PartnerTestID, CandidateEmail: email})
	}
	return out, c, nil
}

// Poll is one test_status call for a test instance, updating what the
// recruiter sees from a well-formed answer and reporting a malformed one.
// Greenhouse no longer polls a completed test or a hired candidate's.
func (s *Server) Poll(ctx context.Context, testID string) (Call, error) {
	s.mu.Lock()
	t, ok := s.tests[testID]
	if !ok {
		s.mu.Unlock()
		return Call{}, fmt.Errorf("greenhouse: no test instance %s", testID)
	}
	if t.PartnerInterviewID == "" || t.Complete || s.apps[t.AppID].Hired {
		s.mu.Unlock()
		return Call{}, nil
	}
	o := *s.orgs[t.OrgID]
	u := o.Partner.TestStatusURL + "?" + url.Values{"partner_interview_id": {t.PartnerInterviewID}}.Encode()
	t.Polls++
	s.mu.Unlock()

	c, err := s.call(ctx, o, http.MethodGet, u, nil, nil)
	if err != nil {
		return c, err
	}
	var ts greenhouse.TestStatus
	var problems []string
	if c.Status == http.StatusOK {
		ts, problems = greenhouse.CheckTestStatus(c.Body)
	}
	s.mu.Lock()
	t.LastStatus = c.Status
	if c.Status == http.StatusOK && len(problems) == 0 {
		t.Status, t.Score, t.Metadata = ts.PartnerStatus, ts.PartnerScore, ts.Metadata
		if ts.PartnerProfileURL != nil {
			t.ProfileURL = *ts.PartnerProfileURL
		}
		t.Complete = ts.PartnerStatus == greenhouse.StatusComplete
	}
	t.Malformed = append(t.Malformed, problems...)
	re := greenhouse.ResponseError{APICall: "test_status", Errors: problems, PartnerTestID: t.PartnerTestID,
		PartnerInterviewID: t.PartnerInterviewID, CandidateEmail: s.apps[t.AppID].Email}
	s.mu.Unlock()
	if len(problems) > 0 {
		s.complain(ctx, o, re)
	}
	return c, nil
}

// PollDue runs Greenhouse's own schedule once: every sent test that is not
// complete, whose candidate is not hired, sent less than 8 weeks ago and
// due, is polled, and its next poll is an hour later. It returns how many
// were polled.
func (s *Server) PollDue(ctx context.Context) (int, error) {
	now := s.now()
	s.mu.Lock()
	var due []string
	for _, id := range s.order {
		t := s.tests[id]
		if t.PartnerInterviewID == "" || t.Complete || s.apps[t.AppID].Hired || now.Sub(t.SentAt) >= PollFor || now.Before(t.NextPoll) {
			continue
		}
		t.NextPoll = now.Add(PollInterval)
		due = append(due, id)
	}
	s.mu.Unlock()
	for _, id := range due {
		if _, err := s.Poll(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// complain is POST response_error.
func (s *Server) complain(ctx context.Context, o Organization, re greenhouse.ResponseError) {
	c, err := s.call(ctx, o, http.MethodPost, o.Partner.ResponseErrorURL, re, nil)
	if err != nil {
		c.Status = 0
	}
	s.mu.Lock()
	s.complaints = append(s.complaints, Complaint{Body: re, Status: c.Status})
	s.mu.Unlock()
}

// Complain sends one response_error as Greenhouse would (a test's handle).
func (s *Server) Complain(ctx context.Context, orgID string, re greenhouse.ResponseError) (Call, error) {
	o, err := s.org(orgID)
	if err != nil {
		return Call{}, err
	}
	c, err := s.call(ctx, o, http.MethodPost, o.Partner.ResponseErrorURL, re, nil)
	if err != nil {
		return c, err
	}
	s.mu.Lock()
	s.complaints = append(s.complaints, Complaint{Body: re, Status: c.Status})
	s.mu.Unlock()
	return c, nil
}

// Handler serves the ping endpoint: PATCH on a test instance's url with the
// organisation's key as the Basic user name and an empty password. It
// answers 200 without a body (Greenhouse "returns only the HTTP status
// code"; which one is not documented), and then asks test_status at once.
// A candidate who is hired or no longer active is not updated (Greenhouse:
// only active, unhired candidates show the completed status).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PATCH "+PingPath+"{id}", s.ping)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			status, allow := simkit.Unrouted(mux, r)
			if allow != "" {
				w.Header().Set("Allow", allow)
			}
			writeError(w, status, http.StatusText(status))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"message": msg}}})
}

func (s *Server) ping(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.pingsSeen++
	if f, ok := s.faults.Take(r, nil); ok {
		s.mu.Unlock()
		f.Header(w.Header())
		writeError(w, f.Status, http.StatusText(f.Status))
		return
	}
	if s.down {
		s.mu.Unlock()
		writeError(w, http.StatusServiceUnavailable, "Greenhouse is down for maintenance")
		return
	}
	t, ok := s.tests[r.PathValue("id")]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Take home test not found")
		return
	}
	o := s.orgs[t.OrgID]
	if user, pass, hasAuth := r.BasicAuth(); !hasAuth || pass != "" || user != o.Partner.Key || s.keyRevoked {
		s.refused++
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="Greenhouse"`)
		writeError(w, http.StatusUnauthorized, "Invalid Basic Auth credentials")
		return
	}
	if t.PartnerInterviewID == "" {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Take home test not found")
		return
	}
	t.Pings++
	s.inflight++
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
	go func() {
		defer func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.inflight--; s.inflight == 0 {
				s.idle.Broadcast()
			}
		}()
		// Greenhouse's own request, not the ping's: it outlives the ping.
		if _, err := s.Poll(context.Background(), t.ID); err != nil {
			s.mu.Lock()
			s.pollErrs = append(s.pollErrs, err.Error())
			s.mu.Unlock()
		}
	}()
}
