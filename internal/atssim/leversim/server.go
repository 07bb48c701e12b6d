// Package leversim is an in-process, stateful simulator of Lever's v1 API
// and of the webhooks Lever sends, for tests, `switchboard demo` and
// `validate --sandbox`.
//
// It speaks the same wire types as the client (switchboard/internal/ats/lever),
// so the two cannot drift apart, and it is strict where Lever is: Basic auth
// with a registered key and a blank password, a per-key token bucket (10/s,
// burst 20) answering 429, opaque pagination tokens with limit 1..100,
// 400/404/405/413 with Lever's error body, perform_as checked against real
// users, and signed webhooks (HMAC-SHA256 of token+triggeredAt). Time comes
// from an injectable clock so rate limiting and timestamps are deterministic.
//
// Test controls are plain Go methods (AddUser, CreateOpportunity, MoveStage,
// FailNext, LoseReplies, RequestCount, ...; for applicant review ClosePosting,
// UpdatePosting, UpdateOpportunity, AddResume and SeedOpportunities). A
// Server is safe for concurrent use; there is no package state.
package leversim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"switchboard/internal/atssim/simkit"
	"sync"
	"time"

	"switchboard/internal/ats/lever"
)

// Server is one simulated Lever account.
type Server struct {
	mux *http.ServeMux

	mu            sync.Mutex
	now           func() time.Time
	limiterNow    func() time.Time // nil: now
	rps           float64
	burst         int
	webhookClient *http.Client

	keys      map[string]bool
	buckets   *simkit.Buckets
	users     []lever.User
	stages    []lever.Stage
	postings  []lever.Posting
	opps      []*opportunity // creation order, which list endpoints follow
	oppByID   map[string]*opportunity
	fileByID  map[string]*StoredFile
	webhooks  []webhook
	faults    simkit.Faults
	lost      map[string]int // route pattern → replies still to lose (LoseReplies)
	arrivals  simkit.Arrivals
	counts    map[string]int
	throttled int
}

// opportunity is the simulator's record; opp holds the unexpanded form.
type opportunity struct {
	opp     lever.Opportunity
	apps    []lever.Application
	notes   []lever.Note
	files   []*StoredFile
	resumes []lever.Resume // source.go
}

// StoredFile is an uploaded file with its bytes.
type StoredFile struct {
	lever.File
	OpportunityID string
	ContentType   string
	UploadedBy    string // perform_as user id, if given
	Data          []byte
}

type webhook struct{ event, url, signatureToken string }

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock used for timestamps, triggeredAt and, unless
// WithLimiterClock says otherwise, the rate limiter (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithLimiterClock sets the clock the rate limiter refills by (default the
// WithClock one). A test whose clients' waits return at once passes the time
// those waits stand for, so that a client pacing itself finds the bucket
// refilled as real waiting would, while timestamps keep the shared clock.
func WithLimiterClock(now func() time.Time) Option {
	return func(s *Server) { s.limiterNow = now }
}

// WithRateLimit sets the per-API-key token bucket (default 10/s, burst 20).
// rps <= 0 disables rate limiting.
func WithRateLimit(rps float64, burst int) Option {
	return func(s *Server) { s.rps, s.burst = rps, max(burst, 1) }
}

// WithWebhookClient sets the HTTP client that delivers webhooks
// (default: 10 s timeout).
func WithWebhookClient(hc *http.Client) Option {
	return func(s *Server) {
		if hc != nil {
			s.webhookClient = hc
		}
	}
}

// New returns a simulator with Lever's default stages and nothing else: no
// API keys, users, postings or webhooks.
func New(opts ...Option) *Server {
	s := &Server{
		now:           time.Now,
		rps:           lever.PublishedRate,
		burst:         lever.PublishedBurst,
		webhookClient: &http.Client{Timeout: 10 * time.Second},
		keys:          map[string]bool{},
		oppByID:       map[string]*opportunity{},
		fileByID:      map[string]*StoredFile{},
		counts:        map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	limiterNow := s.now
	if s.limiterNow != nil {
		limiterNow = s.limiterNow
	}
	s.buckets = simkit.NewBuckets(s.rps, s.burst, limiterNow)
	s.stages = []lever.Stage{
		{ID: lever.StageNewLead, Text: "New lead"},
		{ID: lever.StageNewApplicant, Text: "New applicant"},
		{ID: newID(), Text: "Recruiter screen"},
		{ID: newID(), Text: "Phone Screen"},
		{ID: newID(), Text: "On-site interview"},
		{ID: lever.StageOffer, Text: "Offer"},
	}
	s.mux = s.routes()
	return s
}

// newID returns a random UUID (version 4), the shape of Lever's ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (s *Server) nowMillis() int64 { return lever.Millis(s.now()) }

// AddAPIKey registers an API key that the API accepts.
func (s *Server) AddAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[key] = true
}

// RevokeAPIKey makes the API refuse key (401), as after the customer
// revoked it in Lever; AddAPIKey accepts it again.
func (s *Server) RevokeAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, key)
}

// AddUser adds a user (a perform_as candidate).
func (s *Server) AddUser(name, email string) lever.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	username, _, _ := strings.Cut(email, "@")
	u := lever.User{ID: newID(), Name: name, Username: username, Email: email, AccessRole: "admin", CreatedAt: s.nowMillis()}
	s.users = append(s.users, u)
	return u
}

// AddStage appends a company-defined stage.
func (s *Server) AddStage(text string) lever.Stage {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := lever.Stage{ID: newID(), Text: text}
	s.stages = append(s.stages, st)
	return st
}

// Stages returns the stages in pipeline order.
func (s *Server) Stages() []lever.Stage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]lever.Stage(nil), s.stages...)
}

// AddPosting adds a published posting owned by ownerID (a user id, or "").
func (s *Server) AddPosting(text string, tags []string, ownerID string) lever.Posting {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := newID()
	now := s.nowMillis()
	p := lever.Posting{
		ID: id, Text: text, CreatedAt: now, UpdatedAt: now,
		User: ownerID, Owner: lever.UserRef{ID: ownerID},
		Tags:  append([]string{}, tags...),
		State: "published",
		URLs: lever.URLs{
			List:  "https://jobs.lever.co/leversim",
			Show:  "https://jobs.lever.co/leversim/" + id,
			Apply: "https://jobs.lever.co/leversim/" + id + "/apply",
		},
	}
	s.postings = append(s.postings, p)
	return clonePosting(p)
}

// RegisterWebhook subscribes url to event, signed with its own signature
// token (one token per webhook, as Lever does since 2021).
func (s *Server) RegisterWebhook(event, url, signatureToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhooks = append(s.webhooks, webhook{event: event, url: url, signatureToken: signatureToken})
}

// FailNext makes the next n authenticated API requests (after the rate
// limiter) answer status, a 4xx or 5xx, with Retry-After when
// retryAfter > 0. Calls queue up: FailNext(1, 429, 0) then
// FailNext(1, 500, 0) fails the next request with 429 and the one after
// with 500.
func (s *Server) FailNext(n int, status int, retryAfter time.Duration) {
	s.Fail(n, simkit.Fault{Status: status, RetryAfter: retryAfter})
}

// Fail queues n answers of f for the authenticated API requests it matches
// (after the rate limiter), in order with FailNext's. The channel is closed
// when the last was answered.
func (s *Server) Fail(n int, f simkit.Fault) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.Add(n, f)
}

// LoseReplies makes the next n requests to the route method pathPattern
// (as RequestCount names it) take effect — the note stored, the file kept —
// and then answer 500, as when the process that called dies or the
// connection drops after Lever accepted: the caller cannot know the write
// landed. A test uses it to crash between the ATS call and recording the
// step.
func (s *Server) LoseReplies(n int, method, pathPattern string) {
	if !strings.HasPrefix(pathPattern, "/v1/") && !strings.HasPrefix(pathPattern, "/files/") {
		pathPattern = "/v1" + pathPattern
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost == nil {
		s.lost = map[string]int{}
	}
	s.lost[method+" "+pathPattern] += n
}

// takeLost reports whether the reply to a request on pattern is to be
// lost, and counts it. Called with s.mu held.
func (s *Server) takeLost(pattern string) bool {
	if s.lost[pattern] <= 0 {
		return false
	}
	s.lost[pattern]--
	return true
}

// Outage makes every authenticated API request (after the rate limiter)
// that no queued failure takes answer f, until end is called: Lever down
// for as long as the test says.
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

// MaxRequestsIn is the most requests of one API key that arrived within
// any window of length d, as an independent rate checker counts them:
// every authenticated request, throttled or not, on the simulator's clock.
func (s *Server) MaxRequestsIn(d time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrivals.MaxIn(d)
}

// RequestCount counts requests that reached the handler for method and
// pathPattern, after auth, rate limiting and FailNext. pathPattern is the
// route as registered, e.g. "/v1/opportunities/{id}/addTags"; the "/v1"
// prefix may be left out.
func (s *Server) RequestCount(method, pathPattern string) int {
	if !strings.HasPrefix(pathPattern, "/v1/") && !strings.HasPrefix(pathPattern, "/files/") {
		pathPattern = "/v1" + pathPattern
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method+" "+pathPattern]
}

// ThrottledCount is the number of 429s the token bucket produced.
func (s *Server) ThrottledCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// ErrNotFound is returned by the Go controls for unknown ids.
var ErrNotFound = errors.New("leversim: not found")

// CreateOpportunity adds an applicant for postingID ("" for a lead without a
// posting) in stage New applicant and sends applicationCreated to the
// webhooks subscribed to it. Failed deliveries are reported in the returned
// deliveries, not as the error: the opportunity exists either way.
func (s *Server) CreateOpportunity(ctx context.Context, name, email, postingID string) (lever.Opportunity, []Delivery, error) {
	if name == "" {
		return lever.Opportunity{}, nil, errors.New("leversim: create opportunity: empty name")
	}
	s.mu.Lock()
	var posting *lever.Posting
	if postingID != "" {
		if posting = s.posting(postingID); posting == nil {
			s.mu.Unlock()
			return lever.Opportunity{}, nil, fmt.Errorf("leversim: create opportunity: posting %q: %w", postingID, ErrNotFound)
		}
	}
	now := s.nowMillis()
	id, contact := newID(), newID()
	o := &opportunity{opp: lever.Opportunity{
		ID: id, Name: name, Contact: contact,
		Emails: nonEmpty(email), Phones: []lever.Phone{}, Links: []string{},
		CreatedAt: now, UpdatedAt: now, LastInteractionAt: now, LastAdvancedAt: now,
		Stage:        lever.StageRef{ID: lever.StageNewApplicant},
		StageChanges: []lever.StageChange{{ToStageID: lever.StageNewApplicant, ToStageIndex: s.stageIndex(lever.StageNewApplicant), UpdatedAt: now}},
		Tags:         []string{}, Sources: []string{}, Origin: "applied",
		Followers: []string{},
		URLs:      lever.URLs{List: "https://hire.lever.co/candidates", Show: "https://hire.lever.co/candidates/" + id},
	}}
	data := lever.WebhookData{OpportunityID: id, CandidateID: id, ContactID: contact}
	if posting != nil {
		app := lever.Application{
			ID: newID(), OpportunityID: id, CandidateID: id, CreatedAt: now, Type: "posting",
			Posting: posting.ID, PostingOwner: posting.Owner.ID, PostingHiringManager: posting.HiringManager.ID,
			Name: name, Email: email,
		}
		o.apps = append(o.apps, app)
		o.opp.Owner = lever.UserRef{ID: posting.Owner.ID}
		data.ApplicationID = app.ID
	}
	s.opps = append(s.opps, o)
	s.oppByID[id] = o
	out := s.render(o, nil)
	pending := s.payloads(lever.EventApplicationCreated, data)
	s.mu.Unlock()
	return out, s.deliverAll(ctx, pending), nil
}

// MoveStage moves an opportunity, records the stage change and sends
// candidateStageChange. Moving to the current stage changes nothing.
func (s *Server) MoveStage(ctx context.Context, opportunityID, stageID string) ([]Delivery, error) {
	s.mu.Lock()
	o := s.oppByID[opportunityID]
	if o == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("leversim: move stage: opportunity %q: %w", opportunityID, ErrNotFound)
	}
	if s.stageIndex(stageID) < 0 {
		s.mu.Unlock()
		return nil, fmt.Errorf("leversim: move stage: stage %q: %w", stageID, ErrNotFound)
	}
	pending := s.moveStage(o, stageID, "")
	s.mu.Unlock()
	return s.deliverAll(ctx, pending), nil
}

// moveStage updates o and returns the webhooks to send. Caller holds s.mu.
func (s *Server) moveStage(o *opportunity, stageID, userID string) []pending {
	from := o.opp.Stage.ID
	if from == stageID {
		return nil
	}
	now := s.nowMillis()
	o.opp.Stage = lever.StageRef{ID: stageID}
	o.opp.LastAdvancedAt, o.opp.UpdatedAt = now, now
	o.opp.StageChanges = append(o.opp.StageChanges, lever.StageChange{
		ToStageID: stageID, ToStageIndex: s.stageIndex(stageID), UserID: userID, UpdatedAt: now,
	})
	return s.payloads(lever.EventCandidateStageChange, lever.WebhookData{
		OpportunityID: o.opp.ID, CandidateID: o.opp.ID, ContactID: o.opp.Contact,
		FromStageID: from, ToStageID: stageID,
	})
}

// Ping sends Lever's signed "test connection" ping, which has no
// opportunityId, to the webhooks of event ("" for every webhook).
func (s *Server) Ping(ctx context.Context, event string) ([]Delivery, error) {
	s.mu.Lock()
	var pending []pending
	triggeredAt := s.nowMillis()
	for _, wh := range s.webhooks {
		if event == "" || wh.event == event {
			pending = append(pending, s.payload(wh, triggeredAt, lever.WebhookData{}))
		}
	}
	s.mu.Unlock()
	if len(pending) == 0 {
		return nil, fmt.Errorf("leversim: ping %q: no webhook registered: %w", event, ErrNotFound)
	}
	return s.deliverAll(ctx, pending), nil
}

// Redeliver sends d's exact bytes to d's URL again, as a retrying Lever would.
func (s *Server) Redeliver(ctx context.Context, d Delivery) (Delivery, error) {
	if d.URL == "" || len(d.Body) == 0 {
		return Delivery{}, errors.New("leversim: redeliver: delivery has no URL or body")
	}
	return s.deliver(ctx, pending{event: d.Event, url: d.URL, body: d.Body}), nil
}

// Opportunity returns the current state of an opportunity (stage, tags,
// links, ...): stage and owner as ids, applications expanded.
func (s *Server) Opportunity(id string) (lever.Opportunity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oppByID[id]
	if o == nil {
		return lever.Opportunity{}, false
	}
	return s.render(o, map[string]bool{"applications": true}), true
}

// Notes returns the notes on an opportunity, oldest first.
func (s *Server) Notes(opportunityID string) []lever.Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oppByID[opportunityID]
	if o == nil {
		return nil
	}
	out := make([]lever.Note, len(o.notes))
	for i, n := range o.notes {
		out[i] = cloneNote(n)
	}
	return out
}

// Files returns the files on an opportunity with their bytes, oldest first.
func (s *Server) Files(opportunityID string) []StoredFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oppByID[opportunityID]
	if o == nil {
		return nil
	}
	out := make([]StoredFile, len(o.files))
	for i, f := range o.files {
		out[i] = *f
		out[i].Data = append([]byte(nil), f.Data...)
	}
	return out
}

// Helpers below expect s.mu to be held.

func (s *Server) user(id string) *lever.User {
	for i := range s.users {
		if s.users[i].ID == id {
			return &s.users[i]
		}
	}
	return nil
}

func (s *Server) posting(id string) *lever.Posting {
	for i := range s.postings {
		if s.postings[i].ID == id {
			return &s.postings[i]
		}
	}
	return nil
}

func (s *Server) stageIndex(id string) int {
	for i, st := range s.stages {
		if st.ID == id {
			return i
		}
	}
	return -1
}

// render returns a copy of o as the API shows it with the given expansions.
func (s *Server) render(o *opportunity, expand map[string]bool) lever.Opportunity {
	out := o.opp
	out.Emails = clone(o.opp.Emails)
	out.Phones = clone(o.opp.Phones)
	out.Links = clone(o.opp.Links)
	out.Tags = clone(o.opp.Tags)
	out.Sources = clone(o.opp.Sources)
	out.Followers = clone(o.opp.Followers)
	out.StageChanges = clone(o.opp.StageChanges)
	if o.opp.Archived != nil {
		a := *o.opp.Archived
		out.Archived = &a
	}
	if expand["stage"] {
		if i := s.stageIndex(o.opp.Stage.ID); i >= 0 {
			st := s.stages[i]
			out.Stage = lever.StageRef{ID: st.ID, Stage: &st}
		}
	}
	if expand["owner"] {
		if u := s.user(o.opp.Owner.ID); u != nil {
			uc := *u
			out.Owner = lever.UserRef{ID: uc.ID, User: &uc}
		}
	}
	out.Applications = make([]lever.ApplicationRef, len(o.apps))
	for i, a := range o.apps {
		out.Applications[i] = lever.ApplicationRef{ID: a.ID}
		if expand["applications"] {
			ac := a
			out.Applications[i].Application = &ac
		}
	}
	return out
}

func clone[T any](s []T) []T { return append(make([]T, 0, len(s)), s...) }

func clonePosting(p lever.Posting) lever.Posting {
	p.Tags = clone(p.Tags)
	if p.RequisitionCodes != nil {
		p.RequisitionCodes = clone(p.RequisitionCodes)
	}
	return p
}

func cloneNote(n lever.Note) lever.Note {
	n.Fields = clone(n.Fields)
	return n
}

func nonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}
