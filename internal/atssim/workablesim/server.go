// Package workablesim is an in-process, stateful simulator of Workable for
// tests and `switchboard demo`, in both of its roles towards an assessment
// provider:
//   - the API Switchboard calls: SPI v3 per account (/{subdomain}/spi/v3:
//     jobs, stages, members, candidates, comments, requisitions, custom
//     attributes and their values per candidate), bearer
//     account tokens with scopes (401, 403), 10 requests per token in each
//     10-second window with X-Rate-Limit-Limit/Remaining/Reset on every
//     response and 429 beyond, paging.next as a full URL; and the results
//     callback (PUT, the Workable-issued token, 401 for another);
//   - the ATS that calls Switchboard: the integration card holds
//     Switchboard's URL and the key Switchboard issued, and a recruiter's
//     "send assessment" POSTs /assessments as Workable does, with a callback
//     URL of its own.
//
// It speaks the wire types of switchboard/internal/ats/workable, so the two
// cannot drift apart; where those are inferred the simulator agrees with
// them. The account's host is a path segment (/{subdomain}/…), as a
// simulator on 127.0.0.1 has no subdomains. A Server is safe for concurrent
// use; there is no package state.
package workablesim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/simkit"
)

// Scopes of account tokens [V].
const (
	ScopeReadJobs         = "r_jobs"
	ScopeReadCandidates   = "r_candidates"
	ScopeWriteCandidates  = "w_candidates"
	ScopeWriteComments    = "w_comments"
	ScopeReadRequisitions = "r_requisitions"
)

// AllScopes are the scopes Switchboard asks for.
var AllScopes = []string{ScopeReadJobs, ScopeReadCandidates, ScopeWriteCandidates, ScopeReadRequisitions}

// Server is one simulated Workable with any number of accounts.
type Server struct {
	mux *http.ServeMux

	mu         sync.Mutex
	now        func() time.Time
	partner    *http.Client
	baseURL    string
	accounts   map[string]*account
	tokens     map[string]*token
	windows    map[string]*window
	arrivals   simkit.Arrivals
	faults     simkit.Faults
	overLimit  int
	throttled  int
	spiCalls   int
	callbacks  int
	attrWrites int
	down       bool
	seq        int
}

type token struct {
	subdomain string
	scopes    []string
	revoked   bool
}

type window struct {
	start time.Time
	count int
}

type account struct {
	subdomain, name string
	jobs            []workable.Job
	stages          []Stage
	members         []workable.Member
	candidates      []*workable.Candidate
	comments        map[string][]Comment
	requisitions    []workable.Requisition
	card            Card
	assessments     map[string]*Assessment
	order           []string // assessment ids, in creation order
	attributes      []workable.CustomAttribute
	values          map[string]map[string]json.RawMessage // candidate id → key → value
}

// Stage is one pipeline stage of the account.
type Stage struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// DefaultStages are the stages every account has.
var DefaultStages = []Stage{
	{"sourced", "Sourced", "sourced"}, {"applied", "Applied", "applied"}, {"assessment", "Assessment", "assessment"},
	{"interview", "Interview", "interview"}, {"offer", "Offer", "offer"}, {"hired", "Hired", "hired"},
}

// Comment is a note on a candidate's timeline.
type Comment struct {
	MemberID string
	Body     string
	At       time.Time
}

// Card is the assessment provider's integration card of an account: where
// Workable calls the provider and with what, and the token Workable
// generated for the provider's results.
type Card struct {
	ProviderURL   string // Switchboard's endpoint base
	ProviderKey   string // the key Switchboard issued
	CallbackToken string // Workable-issued, shown when the integration is created
}

// Assessment is one assessment Workable created for a candidate, and what
// the candidate's page shows of it.
type Assessment struct {
	ID          string // Workable's, in the callback URL
	CandidateID string
	Job         workable.JobRef
	TestID      string
	CallbackURL string
	Request     workable.AssessmentRequest
	// ProviderID is the provider's assessment_id from its answer.
	ProviderID string
	// Status, Result and the rest are what the candidate page shows: the
	// latest results callback.
	Status      workable.Status
	ResultsURL  string
	Result      *workable.Assessment
	Attachments []workable.Attachment
	// Updates are every accepted callback, in order.
	Updates []workable.ResultsUpdate
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock the rate-limit windows read.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithPartnerClient sets the client Workable calls the provider with.
func WithPartnerClient(c *http.Client) Option { return func(s *Server) { s.partner = c } }

// New returns a simulator without accounts.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, partner: &http.Client{Timeout: 30 * time.Second},
		accounts: map[string]*account{}, tokens: map[string]*token{}, windows: map[string]*window{}}
	for _, o := range opts {
		o(s)
	}
	s.mux = http.NewServeMux()
	spi := func(pattern string, scopes []string, h spiHandler) {
		s.mux.HandleFunc(pattern, s.spi(scopes, h))
	}
	spi("GET /{sub}/spi/v3/jobs", []string{ScopeReadJobs}, s.listJobs)
	spi("GET /{sub}/spi/v3/jobs/{shortcode}", []string{ScopeReadJobs}, s.getJob)
	spi("GET /{sub}/spi/v3/stages", []string{ScopeReadJobs}, s.listStages)
	spi("GET /{sub}/spi/v3/members", []string{ScopeReadJobs}, s.listMembers)
	spi("GET /{sub}/spi/v3/candidates", []string{ScopeReadCandidates}, s.listCandidates)
	spi("GET /{sub}/spi/v3/candidates/{id}", []string{ScopeReadCandidates}, s.getCandidate)
	spi("POST /{sub}/spi/v3/candidates/{id}/comments", []string{ScopeWriteCandidates, ScopeWriteComments}, s.addComment)
	spi("GET /{sub}/spi/v3/requisitions", []string{ScopeReadRequisitions}, s.listRequisitions)
	spi("GET /{sub}/spi/v3/custom_attributes", []string{ScopeReadJobs}, s.listCustomAttributes)
	spi("PATCH /{sub}/spi/v3/candidates/{id}/update_custom_attribute_value", []string{ScopeReadJobs}, s.setCustomAttribute)
	s.mux.HandleFunc("PUT /{sub}/assessment-results/{id}", s.callback)
	return s
}

// Handler serves the simulator; a path no route knows is answered in
// Workable's error body.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.mux.Handler(r); pattern != "" {
			s.mux.ServeHTTP(w, r) // which sets the path's values
			return
		}
		status, allow := simkit.Unrouted(s.mux, r)
		if allow != "" {
			w.Header().Set("Allow", allow)
		}
		writeError(w, status, http.StatusText(status))
	})
}

// SetBaseURL is where the simulator is served, for the URLs it hands out
// (callback URLs, paging.next).
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

// APIBase is the SPI base URL of an account, as an integration's base URL
// override names it.
func (s *Server) APIBase(subdomain string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL + "/" + subdomain + "/spi/v3"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in SPI's error body [I].
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, workable.SPIError{Error: msg})
}

// AddAccount creates an account with the default stages.
func (s *Server) AddAccount(subdomain, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[subdomain] = &account{subdomain: subdomain, name: name, stages: slices.Clone(DefaultStages),
		comments: map[string][]Comment{}, assessments: map[string]*Assessment{},
		values: map[string]map[string]json.RawMessage{}}
}

func (s *Server) account(subdomain string) *account {
	a, ok := s.accounts[subdomain]
	if !ok {
		panic(fmt.Sprintf("workablesim: no account %q", subdomain))
	}
	return a
}

// AddToken generates an account access token with scopes (Settings →
// Integrations → Generate new token), shown once.
func (s *Server) AddToken(subdomain string, scopes ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.account(subdomain)
	t := randomHex(16)
	s.tokens[t] = &token{subdomain: subdomain, scopes: slices.Clone(scopes)}
	return t
}

// RevokeToken revokes an access token: every call with it is then a 401.
// RestoreToken undoes it.
func (s *Server) RevokeToken(t string) { s.setRevoked(t, true) }

// RestoreToken makes a revoked token work again.
func (s *Server) RestoreToken(t string) { s.setRevoked(t, false) }

func (s *Server) setRevoked(t string, revoked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tk, ok := s.tokens[t]; ok {
		tk.revoked = revoked
	}
}

// AddMember adds a member with a role ("admin", "simple", …).
func (s *Server) AddMember(subdomain, name, email, role string) workable.Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(subdomain)
	m := workable.Member{ID: workable.FlexString(randomHex(4)), Name: name, Email: email, Role: role}
	a.members = append(a.members, m)
	return m
}

// AddJob publishes a job; its shortcode is made from the title.
func (s *Server) AddJob(subdomain, title string) workable.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(subdomain)
	s.seq++
	code := strings.ToUpper(strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return r
		}
		return -1
	}, title))
	if len(code) > 5 {
		code = code[:5]
	}
	j := workable.Job{ID: workable.FlexString(randomHex(3)), Title: title, Shortcode: fmt.Sprintf("%s%03d", code, s.seq), State: "published"}
	a.jobs = append(a.jobs, j)
	return j
}

// AddCandidate adds a candidate to a job, in the applied stage.
func (s *Server) AddCandidate(subdomain, shortcode, first, last, email string) workable.Candidate {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(subdomain)
	j, ok := a.job(shortcode)
	if !ok {
		panic(fmt.Sprintf("workablesim: no job %q", shortcode))
	}
	id := randomHex(4)
	c := &workable.Candidate{ID: workable.FlexString(id), Name: strings.TrimSpace(first + " " + last), Firstname: first, Lastname: last,
		Email: email, Job: workable.JobRef{Shortcode: j.Shortcode, Title: j.Title}, Stage: "applied",
		ProfileURL: s.baseURL + "/" + subdomain + "/candidates/" + id}
	a.candidates = append(a.candidates, c)
	return *c
}

// AddRequisition adds a requisition to the hiring plan.
func (s *Server) AddRequisition(subdomain, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(subdomain)
	a.requisitions = append(a.requisitions, workable.Requisition{ID: workable.FlexString(randomHex(3)), Code: code})
}

func (a *account) job(shortcode string) (workable.Job, bool) {
	for _, j := range a.jobs {
		if j.Shortcode == shortcode {
			return j, true
		}
	}
	return workable.Job{}, false
}

func (a *account) candidate(id string) (*workable.Candidate, bool) {
	for _, c := range a.candidates {
		if string(c.ID) == id {
			return c, true
		}
	}
	return nil, false
}

// CreateIntegration creates the assessment provider's integration card:
// Workable generates the token it expects results with, and shows it once.
func (s *Server) CreateIntegration(subdomain string) (callbackToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(subdomain)
	a.card.CallbackToken = randomHex(16)
	return a.card.CallbackToken
}

// SetCallbackToken replaces the token Workable expects results with (as
// recreating the integration would): callbacks with the old one are then
// refused 401.
func (s *Server) SetCallbackToken(subdomain, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.account(subdomain).card.CallbackToken = token
}

// ConfigureProvider enters the provider's URL and the key it issued on the
// integration card, as the customer's admin does.
func (s *Server) ConfigureProvider(subdomain, providerURL, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(subdomain)
	a.card.ProviderURL, a.card.ProviderKey = strings.TrimRight(providerURL, "/"), key
}

// Card is the account's integration card.
func (s *Server) Card(subdomain string) Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.account(subdomain).card
}

// Comments are the notes on a candidate's timeline.
func (s *Server) Comments(subdomain, candidateID string) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.account(subdomain).comments[candidateID])
}

// Assessment is an assessment as the candidate's page shows it.
func (s *Server) Assessment(subdomain, id string) (Assessment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	as, ok := s.account(subdomain).assessments[id]
	if !ok {
		return Assessment{}, false
	}
	c := *as
	c.Updates = slices.Clone(as.Updates)
	c.Attachments = slices.Clone(as.Attachments)
	return c, true
}

// Down makes every SPI call and callback answer 503 until recover is called.
func (s *Server) Down() (recover func()) {
	s.mu.Lock()
	s.down = true
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.down = false
		s.mu.Unlock()
	}
}

// FailNext answers the next n matching SPI calls or callbacks with f.
func (s *Server) FailNext(n int, f simkit.Fault) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.Add(n, f)
}

// OverLimit is how many requests arrived when their token's window was
// already spent (each answered 429). A client that keeps the limit sees 0.
func (s *Server) OverLimit() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overLimit
}

// MaxIn is the most SPI requests of one token that arrived within any
// window of length d (an independent check of the pace).
func (s *Server) MaxIn(d time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrivals.MaxIn(d)
}

// Calls counts the SPI requests and the results callbacks received.
func (s *Server) Calls() (spi, callbacks int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spiCalls, s.callbacks
}

// take counts a request of tk in its 10-second window (aligned to Unix
// time): false when the window is spent. The caller holds s.mu.
func (s *Server) take(tk string, now time.Time) (remaining int, reset time.Time, ok bool) {
	start := now.Truncate(workable.Window)
	w := s.windows[tk]
	if w == nil || !w.start.Equal(start) {
		w = &window{start: start}
		s.windows[tk] = w
	}
	reset = start.Add(workable.Window)
	if w.count >= workable.WindowMax {
		return 0, reset, false
	}
	w.count++
	return workable.WindowMax - w.count, reset, true
}

func rateHeaders(h http.Header, remaining int, reset time.Time) {
	h.Set(workable.HeaderLimit, strconv.Itoa(workable.WindowMax))
	h.Set(workable.HeaderRemaining, strconv.Itoa(remaining))
	h.Set(workable.HeaderReset, strconv.FormatInt(reset.Unix(), 10))
}

func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

type spiHandler func(w http.ResponseWriter, r *http.Request, a *account) // called with s.mu held

// spi authenticates an SPI call, counts it against its token's window and
// checks its scopes (any one of scopes suffices).
func (s *Server) spi(scopes []string, h spiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := simkit.PeekBody(r, 4096)
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set(workable.HeaderLimit, strconv.Itoa(workable.WindowMax))
		tk, ok := s.tokens[bearer(r)]
		sub := r.PathValue("sub")
		if !ok || tk.revoked || tk.subdomain != sub {
			writeError(w, http.StatusUnauthorized, "Not authorized")
			return
		}
		a := s.accounts[sub]
		now := s.now()
		s.spiCalls++
		s.arrivals.Add(bearer(r), now)
		remaining, reset, ok := s.take(bearer(r), now)
		rateHeaders(w.Header(), remaining, reset)
		if !ok {
			s.overLimit++
			w.Header().Set("Retry-After", strconv.FormatInt(int64((reset.Sub(now)+time.Second-1)/time.Second), 10))
			writeError(w, http.StatusTooManyRequests, "Too many requests: 10 requests per 10 seconds")
			return
		}
		if s.down {
			writeError(w, http.StatusServiceUnavailable, "Service unavailable")
			return
		}
		if f, ok := s.faults.Take(r, body); ok {
			f.Header(w.Header())
			writeError(w, f.Status, http.StatusText(f.Status))
			return
		}
		if !slices.ContainsFunc(scopes, func(sc string) bool { return slices.Contains(tk.scopes, sc) }) {
			writeError(w, http.StatusForbidden, "The token does not have the required scope: "+strings.Join(scopes, " or "))
			return
		}
		h(w, r, a)
	}
}

// page cuts items (whose ids ids gives) at the request's since_id and
// limit (default 50, at most 100 [V]) and makes paging.next, a full URL
// with the same query, when more follow.
func page[T any](s *Server, r *http.Request, items []T, id func(T) string) ([]T, *workable.Paging, error) {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, nil, fmt.Errorf("limit %q is not a positive number", v)
		}
		limit = min(n, 100)
	}
	start := 0
	if since := q.Get("since_id"); since != "" {
		start = len(items)
		for i, it := range items {
			if id(it) == since {
				start = i + 1
				break
			}
		}
	}
	rest := items[start:]
	if len(rest) <= limit {
		return rest, nil, nil
	}
	out := rest[:limit]
	q.Set("since_id", id(out[len(out)-1]))
	base := s.baseURL
	if base == "" {
		base = "http://" + r.Host
	}
	return out, &workable.Paging{Next: base + r.URL.Path + "?" + q.Encode()}, nil
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, a *account) {
	var jobs []workable.Job
	for _, j := range a.jobs {
		if st := r.URL.Query().Get("state"); st == "" || st == j.State {
			jobs = append(jobs, j)
		}
	}
	out, p, err := page(s, r, jobs, func(j workable.Job) string { return string(j.ID) })
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, workable.JobsPage{Jobs: nonNil(out), Paging: p})
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request, a *account) {
	j, ok := a.job(r.PathValue("shortcode"))
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	writeJSON(w, http.StatusOK, j)
}

func (s *Server) listStages(w http.ResponseWriter, _ *http.Request, a *account) {
	writeJSON(w, http.StatusOK, map[string]any{"stages": a.stages})
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, a *account) {
	out, p, err := page(s, r, a.members, func(m workable.Member) string { return string(m.ID) })
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, workable.MembersPage{Members: nonNil(out), Paging: p})
}

func (s *Server) listCandidates(w http.ResponseWriter, r *http.Request, a *account) {
	q := r.URL.Query()
	var cs []workable.Candidate
	for _, c := range a.candidates {
		if (q.Get("job") == "" || q.Get("job") == c.Job.Shortcode) && (q.Get("stage") == "" || q.Get("stage") == c.Stage) &&
			(q.Get("email") == "" || strings.EqualFold(q.Get("email"), c.Email)) {
			cs = append(cs, *c)
		}
	}
	out, p, err := page(s, r, cs, func(c workable.Candidate) string { return string(c.ID) })
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, workable.CandidatesPage{Candidates: nonNil(out), Paging: p})
}

func (s *Server) getCandidate(w http.ResponseWriter, r *http.Request, a *account) {
	c, ok := a.candidate(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"candidate": c})
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request, a *account) {
	c, ok := a.candidate(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	var in workable.CommentRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON: "+err.Error())
		return
	}
	if !slices.ContainsFunc(a.members, func(m workable.Member) bool { return string(m.ID) == in.MemberID }) {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("member_id %q is not a member of the account", in.MemberID))
		return
	}
	if strings.TrimSpace(in.Comment.Body) == "" {
		writeError(w, http.StatusUnprocessableEntity, "comment body can't be blank")
		return
	}
	a.comments[string(c.ID)] = append(a.comments[string(c.ID)], Comment{MemberID: in.MemberID, Body: in.Comment.Body, At: s.now()})
	writeJSON(w, http.StatusCreated, map[string]any{})
}

func (s *Server) listRequisitions(w http.ResponseWriter, r *http.Request, a *account) {
	out, p, err := page(s, r, a.requisitions, func(q workable.Requisition) string { return string(q.ID) })
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, workable.RequisitionsPage{Requisitions: nonNil(out), Paging: p})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// callback is PUT {callback_url}: the provider's results, with the token
// Workable generated for the integration. A finished assessment keeps its
// status: a different one afterwards is refused (409), the same one again
// replaces its details.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	body := simkit.PeekBody(r, 4096)
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[r.PathValue("sub")]
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	if a.card.CallbackToken == "" || bearer(r) != a.card.CallbackToken {
		writeError(w, http.StatusUnauthorized, "Not authorized")
		return
	}
	s.callbacks++
	if s.down {
		writeError(w, http.StatusServiceUnavailable, "Service unavailable")
		return
	}
	if f, ok := s.faults.Take(r, body); ok {
		f.Header(w.Header())
		writeError(w, f.Status, http.StatusText(f.Status))
		return
	}
	as, ok := a.assessments[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "could not read the body")
		return
	}
	u, err := workable.DecodeResultsUpdate(raw)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if final(as.Status) && u.Status != as.Status {
		writeError(w, http.StatusConflict, fmt.Sprintf("the assessment is %s already", as.Status))
		return
	}
	as.Status, as.ResultsURL, as.Result, as.Attachments = u.Status, u.ResultsURL, u.Assessment, u.Attachments
	as.Updates = append(as.Updates, u)
	writeJSON(w, http.StatusOK, map[string]any{})
}

func final(st workable.Status) bool {
	return st == workable.StatusCompleted || st == workable.StatusRejected || st == workable.StatusExpired
}
