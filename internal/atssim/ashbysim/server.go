// Package ashbysim is a stateful in-process simulator of Ashby for the
// assessments partner API: an Ashby organisation with API keys and their
// permissions, candidates, jobs and applications, and the assessment partner
// configured (Switchboard's endpoint base and the key Switchboard issued).
//
// It acts as Ashby does: StartAssessment and Cancel call the partner's
// assessment.start and assessment.cancel as a recruiter's click would, and
// ListAssessments its assessment.list; it serves Ashby's own
// POST /assessment.update and POST /apiKey.info with Ashby's answers (401
// without a key, 403 for a wrong key or a missing permission, 200 with
// success:false and errorInfo for invalid input, checked by the connector's
// own rules in package ashby, whose wire types it shares), and keeps what
// Ashby shows a recruiter of each assessment.
package ashbysim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/internal/ats/ashby"
	"switchboard/internal/atssim/simkit"
)

// Permissions of an Ashby API key that the simulator checks.
const (
	PermCandidatesWrite = "candidatesWrite"
	PermAPIKeysRead     = "apiKeysRead"
)

// Error codes the simulator answers 401 and 403 with besides
// missing_endpoint_permission [inferred: Ashby documents the statuses, not
// these codes].
const (
	CodeUnauthenticated = "unauthenticated"
	CodeInvalidAPIKey   = "invalid_api_key"
	CodeRateLimited     = "rate_limit_exceeded"
	CodeNotFound        = "assessment_not_found"
)

// Candidate, Job and Application are the organisation's records.
type Candidate struct {
	ID, FirstName, LastName, Email string
}

// Job is one of the organisation's jobs.
type Job struct {
	ID, Name, ReqID string
}

// Application is a candidate's application to a job.
type Application struct {
	ID, CandidateID, JobID string
	Status                 string // Active, Hired, Archived, Lead
}

// Assessment is what Ashby shows a recruiter of one started assessment.
type Assessment struct {
	ID            string
	ApplicationID string
	TypeID        string
	// Status is the last assessment_status value; StartedAt is set by
	// "Started", CompletedAt by a result.
	Status          string
	StartedAt       time.Time
	CompletedAt     time.Time
	Result          *ashby.Value
	ProfileURL      string
	Metadata        []ashby.Value
	Cancelled       bool
	CancelledReason string
	// CancelledInAshby is set when a recruiter cancelled it in Ashby.
	CancelledInAshby bool
	// Updates are every assessment.update Ashby took for it, oldest first.
	Updates []ashby.UpdateRequest
}

// StartOutcome is what Ashby saw of a start: the partner's status, the
// assessment id of a 200, and Shown, what Ashby shows the recruiter of a
// refusal (the 422 message; its own words for a 409).
type StartOutcome struct {
	Status       int
	AssessmentID string
	Shown        string
}

// AlreadyAssessed is what Ashby shows for a 409 [inferred wording].
const AlreadyAssessed = "This candidate is already being assessed."

// Refusal is an assessment.update Ashby refused: the status, and for a 200
// with success:false the errorInfo code and message.
type Refusal struct {
	Status  int
	Code    string
	Message string
}

type key struct {
	title string
	perms []string
}

// Server is one Ashby organisation.
type Server struct {
	mu           sync.Mutex
	now          func() time.Time
	client       *http.Client
	keys         map[string]key
	candidates   map[string]Candidate
	jobs         map[string]Job
	applications map[string]Application
	assessments  map[string]*Assessment
	partnerBase  string
	partnerKey   string
	seq          int
	faults       simkit.Faults
	buckets      *simkit.Buckets
	arrivals     simkit.Arrivals
	limit        string
	throttled    int
	refused      []Refusal
	calls        int
	down         bool
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the simulator's clock (rate limits, timestamps shown).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithPartnerClient sets the client the simulator calls the partner with.
func WithPartnerClient(c *http.Client) Option { return func(s *Server) { s.client = c } }

// WithRateLimit makes Ashby's API answer 429 with Retry-After past rps
// requests a second (burst) per API key. Ashby does not document its
// limit for these endpoints; tests choose one.
func WithRateLimit(rps float64, burst int) Option {
	return func(s *Server) {
		s.buckets = simkit.NewBuckets(rps, burst, s.now)
		s.limit = fmt.Sprintf("%g requests/s per API key, burst %d", rps, burst)
	}
}

// New returns an empty organisation.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, client: &http.Client{Timeout: 30 * time.Second},
		keys: map[string]key{}, candidates: map[string]Candidate{}, jobs: map[string]Job{},
		applications: map[string]Application{}, assessments: map[string]*Assessment{},
		limit: "none documented"}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Server) id(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%04d-4000-8000-%012d", prefix, s.seq, s.seq)
}

// AddAPIKey creates an API key with permissions.
func (s *Server) AddAPIKey(apiKey, title string, perms ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[apiKey] = key{title: title, perms: perms}
}

// RevokeAPIKey deletes an API key: Ashby answers 403 to it from then on.
func (s *Server) RevokeAPIKey(apiKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, apiKey)
}

// AddCandidate, AddJob and Apply create the organisation's records.
func (s *Server) AddCandidate(first, last, email string) Candidate {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Candidate{ID: s.id("c0000000"), FirstName: first, LastName: last, Email: email}
	s.candidates[c.ID] = c
	return c
}

// AddJob creates a job.
func (s *Server) AddJob(name, reqID string) Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := Job{ID: s.id("j0000000"), Name: name, ReqID: reqID}
	s.jobs[j.ID] = j
	return j
}

// Apply makes an active application of a candidate to a job.
func (s *Server) Apply(candidateID, jobID string) (Application, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.candidates[candidateID]; !ok {
		return Application{}, fmt.Errorf("ashbysim: no candidate %s", candidateID)
	}
	if _, ok := s.jobs[jobID]; !ok {
		return Application{}, fmt.Errorf("ashbysim: no job %s", jobID)
	}
	a := Application{ID: s.id("a0000000"), CandidateID: candidateID, JobID: jobID, Status: ashby.ApplicationActive}
	s.applications[a.ID] = a
	return a, nil
}

// SetApplicationStatus moves an application (Hired, Archived…).
func (s *Server) SetApplicationStatus(applicationID, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.applications[applicationID]
	a.Status = status
	s.applications[applicationID] = a
}

// ConfigurePartner is the Ashby admin entering the partner's endpoint base
// and the key the partner gave them.
func (s *Server) ConfigurePartner(endpointBase, partnerKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partnerBase, s.partnerKey = strings.TrimRight(endpointBase, "/"), partnerKey
}

// Fail queues n injected answers of f for Ashby's API.
func (s *Server) Fail(n int, f simkit.Fault) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.Add(n, f)
}

// Assessment is what Ashby shows of one assessment.
func (s *Server) Assessment(id string) (Assessment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assessments[id]
	if !ok {
		return Assessment{}, false
	}
	c := *a
	c.Metadata = slices.Clone(a.Metadata)
	c.Updates = slices.Clone(a.Updates)
	return c, true
}

// Refused lists the assessment.update calls Ashby refused, oldest first.
func (s *Server) Refused() []Refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refused)
}

// Limit is the rate limit the simulator enforces; Throttled how many
// requests it answered 429; MaxIn the most requests of one key it saw in a
// window of d.
func (s *Server) Limit() string { return s.limit }

// Throttled counts 429s.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// MaxIn is the most requests of one key within any window of d.
func (s *Server) MaxIn(d time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrivals.MaxIn(d)
}

// Calls counts the requests Ashby's API received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Handler serves Ashby's API: POST /assessment.update and POST /apiKey.info.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ashby.PathUpdate, s.update)
	mux.HandleFunc("POST "+ashby.PathAPIKeyInfo, s.apiKeyInfo)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			status, allow := simkit.Unrouted(mux, r)
			if allow != "" {
				w.Header().Set("Allow", allow)
			}
			writeEnvelope(w, status, fail("not_found", "no such endpoint"))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func fail(code, msg string) ashby.Envelope {
	return ashby.Envelope{Success: false, Errors: []string{code}, ErrorInfo: &ashby.ErrorInfo{Code: code, Message: msg, RequestID: "01SIMREQUEST"}}
}

func writeEnvelope(w http.ResponseWriter, status int, e ashby.Envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(e)
}

// authorize checks the injected faults, the Basic key, the rate limit and
// the permission, under s.mu; when it refuses, it has answered and returns
// the status.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, body []byte, perm string) (user string, refused int) {
	s.calls++
	if s.down {
		w.Header().Set("Retry-After", "1")
		writeEnvelope(w, http.StatusServiceUnavailable, fail("service_unavailable", "Ashby is unavailable"))
		return "", http.StatusServiceUnavailable
	}
	if f, ok := s.faults.Take(r, body); ok {
		f.Header(w.Header())
		writeEnvelope(w, f.Status, fail("injected_fault", http.StatusText(f.Status)))
		return "", f.Status
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="Ashby"`)
		writeEnvelope(w, http.StatusUnauthorized, fail(CodeUnauthenticated, "No API key was given"))
		return "", http.StatusUnauthorized
	}
	k, known := s.keys[user]
	if !known || pass != "" {
		writeEnvelope(w, http.StatusForbidden, fail(CodeInvalidAPIKey, "The API key is invalid"))
		return "", http.StatusForbidden
	}
	s.arrivals.Add(user, s.now())
	if s.buckets != nil {
		if wait, ok := s.buckets.Take(user); !ok {
			s.throttled++
			w.Header().Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
			writeEnvelope(w, http.StatusTooManyRequests, fail(CodeRateLimited, "Rate limit exceeded"))
			return "", http.StatusTooManyRequests
		}
	}
	if !slices.Contains(k.perms, perm) {
		writeEnvelope(w, http.StatusForbidden, fail(ashby.CodeMissingEndpointPermission, "The API key is missing the "+perm+" permission"))
		return "", http.StatusForbidden
	}
	return user, 0
}

func (s *Server) apiKeyInfo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	user, refused := s.authorize(w, r, body, PermAPIKeysRead)
	if refused != 0 {
		return
	}
	k := s.keys[user]
	res, _ := json.Marshal(ashby.APIKeyInfo{Title: k.title, CreatedAt: "2026-01-05T09:00:00.000Z", Scopes: k.perms})
	writeEnvelope(w, http.StatusOK, ashby.Envelope{Success: true, Results: res})
}

// update is assessment.update with Ashby's checks. An assessment a
// recruiter cancelled takes no more updates [inferred: Ashby shows it
// cancelled; the simulator refuses, so a write-back after a cancel shows].
func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, status := s.authorize(w, r, body, PermCandidatesWrite); status != 0 {
		s.refused = append(s.refused, Refusal{Status: status})
		return
	}
	refuse := func(code, msg string) {
		s.refused = append(s.refused, Refusal{Status: http.StatusOK, Code: code, Message: msg})
		writeEnvelope(w, http.StatusOK, fail(code, msg))
	}
	u, err := ashby.DecodeUpdate(body)
	if err != nil {
		refuse(ashby.CodeInvalidInput, err.Error())
		return
	}
	a, ok := s.assessments[u.AssessmentID]
	switch {
	case !ok:
		refuse(CodeNotFound, "No assessment with id "+u.AssessmentID)
		return
	case a.Cancelled:
		refuse(ashby.CodeInvalidInput, "The assessment was cancelled")
		return
	}
	at := time.UnixMilli(u.Timestamp).UTC()
	if v := u.AssessmentStatus; v != nil {
		a.Status = fmt.Sprint(v.Value)
		if a.Status == ashby.StatusStarted && a.StartedAt.IsZero() {
			a.StartedAt = at
		}
	}
	if v := u.AssessmentProfileURL; v != nil {
		a.ProfileURL = fmt.Sprint(v.Value)
	}
	if u.AssessmentResult != nil {
		a.Result = u.AssessmentResult
		a.CompletedAt = at
	}
	if u.Metadata != nil {
		a.Metadata = u.Metadata
	}
	if v := u.CancelledReason; v != nil {
		a.Cancelled, a.CancelledReason = true, fmt.Sprint(v.Value)
	}
	a.Updates = append(a.Updates, u)
	writeEnvelope(w, http.StatusOK, ashby.Envelope{Success: true})
}

// partnerCall POSTs v to the partner's path with the partner key, as Ashby
// does [inferred: HTTP Basic, key as user name].
func (s *Server) partnerCall(ctx context.Context, path string, v any) (int, []byte, error) {
	s.mu.Lock()
	base, k, client := s.partnerBase, s.partnerKey, s.client
	s.mu.Unlock()
	if base == "" {
		return 0, nil, fmt.Errorf("ashbysim: no assessment partner is configured")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(k, "")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("ashbysim: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, out, err
}

// ListAssessments is Ashby listing the partner's assessments, as it does
// when an admin adds one to an interview plan.
func (s *Server) ListAssessments(ctx context.Context) ([]ashby.AssessmentType, int, error) {
	status, body, err := s.partnerCall(ctx, ashby.PathList, struct{}{})
	if err != nil || status != http.StatusOK {
		return nil, status, err
	}
	var lr ashby.ListResponse
	if err := json.Unmarshal(body, &lr); err != nil || !lr.Success {
		return nil, status, fmt.Errorf("ashbysim: assessment.list answered %s", body)
	}
	return lr.Results, status, nil
}

// StartRequestFor is the assessment.start Ashby sends for an application.
func (s *Server) StartRequestFor(applicationID, typeID string) (ashby.StartRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.applications[applicationID]
	if !ok {
		return ashby.StartRequest{}, fmt.Errorf("ashbysim: no application %s", applicationID)
	}
	c, j := s.candidates[a.CandidateID], s.jobs[a.JobID]
	hiringTeam := json.RawMessage(`{"email":"rita.recruiter@example.com","firstName":"Rita","lastName":"Recruiter","role":"Recruiter","userId":"u-0001"}`)
	return ashby.StartRequest{
		AssessmentTypeID: typeID,
		Candidate: ashby.StartCandidate{AshbyID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
			AshbyProfileURL: "https://app.ashbyhq.com/candidates/" + c.ID},
		Application: ashby.StartApplication{AshbyID: a.ID, Status: a.Status},
		Job: ashby.StartJob{AshbyID: j.ID, Name: j.Name, ReqID: j.ReqID, AshbyJobURL: "https://app.ashbyhq.com/jobs/" + j.ID,
			HiringTeam: []json.RawMessage{hiringTeam}},
	}, nil
}

// StartAssessment is a recruiter (or a stage) starting assessment type
// typeID for an application: Ashby calls assessment.start and shows what it
// got back.
func (s *Server) StartAssessment(ctx context.Context, applicationID, typeID string) (StartOutcome, error) {
	req, err := s.StartRequestFor(applicationID, typeID)
	if err != nil {
		return StartOutcome{}, err
	}
	return s.Send(ctx, req)
}

// Send sends a start as it is (a test may alter it first) and records the
// assessment a 200 names.
func (s *Server) Send(ctx context.Context, req ashby.StartRequest) (StartOutcome, error) {
	status, body, err := s.partnerCall(ctx, ashby.PathStart, req)
	if err != nil {
		return StartOutcome{}, err
	}
	out := StartOutcome{Status: status}
	switch status {
	case http.StatusOK:
		var sr ashby.StartResponse
		if err := json.Unmarshal(body, &sr); err != nil || !sr.Success || sr.Results.AssessmentID == "" {
			return out, fmt.Errorf("ashbysim: assessment.start answered 200 with %s", body)
		}
		out.AssessmentID = sr.Results.AssessmentID
		// A 200 starts an assessment: one the partner named before (an
		// expired one it invites anew) starts over.
		s.mu.Lock()
		s.assessments[out.AssessmentID] = &Assessment{ID: out.AssessmentID, ApplicationID: req.Application.AshbyID, TypeID: req.AssessmentTypeID}
		s.mu.Unlock()
	case http.StatusConflict:
		out.Shown = AlreadyAssessed
	case http.StatusUnprocessableEntity:
		var em ashby.ErrorMessage
		if err := json.Unmarshal(body, &em); err != nil || em.Message == "" {
			return out, fmt.Errorf("ashbysim: a 422 without a message Ashby could show: %s", body)
		}
		out.Shown = em.Message
	default:
		out.Shown = "The assessment could not be started."
	}
	return out, nil
}

// Cancel is a recruiter cancelling an assessment in Ashby: Ashby calls
// assessment.cancel and shows it cancelled once the partner took it.
func (s *Server) Cancel(ctx context.Context, assessmentID string) (int, error) {
	status, body, err := s.partnerCall(ctx, ashby.PathCancel, ashby.CancelRequest{AssessmentID: assessmentID})
	if err != nil {
		return 0, err
	}
	if status != http.StatusOK {
		return status, nil
	}
	var sr ashby.StartResponse
	if err := json.Unmarshal(body, &sr); err != nil || !sr.Success {
		return status, fmt.Errorf("ashbysim: assessment.cancel answered %s", body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.assessments[assessmentID]; ok && !a.Cancelled {
		a.Cancelled, a.CancelledInAshby, a.CancelledReason = true, true, "Cancelled by a recruiter in Ashby"
	}
	return status, nil
}

// Forget deletes an assessment on Ashby's side (its application was
// deleted), so that Ashby answers updates for it with success:false.
func (s *Server) Forget(assessmentID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.assessments, assessmentID)
}

// SetDown makes Ashby's API answer 503 to everything until SetDown(false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}
