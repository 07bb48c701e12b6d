package conformance_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
	"switchboard/internal/atssim/simkit"
	"switchboard/internal/conformance"
	"switchboard/internal/core"
)

func TestLeverConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, leverDriver{})
}

// leverDriver: Lever orders by webhook (a candidate moved to the trigger
// stage on a posting tagged for a vacancy) and shows tags, notes, files
// and links.
type leverDriver struct{}

func (leverDriver) Provider() string { return "lever" }

func (leverDriver) Setup(t testing.TB, e *apptest.Env) conformance.Tenant {
	t.Helper()
	f := e.SetupLever(apptest.LeverOptions{})
	admin, err := e.App.Identity.Authenticate(context.Background(), f.APIKey)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return &leverTenant{e: e, f: f, account: admin.AccountID, posting: f.PostingID,
		postings: map[string]string{apptest.VacancyTag: f.PostingID}, deliveries: map[string]leversim.Delivery{}}
}

type leverTenant struct {
	e       *apptest.Env
	f       apptest.LeverFixture
	account string

	mu         sync.Mutex
	posting    string            // the posting orders are for now
	postings   map[string]string // posting id by vacancy tag
	deliveries map[string]leversim.Delivery
}

func (l *leverTenant) APIKey() string        { return l.f.APIKey }
func (l *leverTenant) AccountID() string     { return l.account }
func (l *leverTenant) IntegrationID() string { return l.f.IntegrationID }

// Offer tags a posting with the vacancy's tag, giving the vacancy one
// first if it has none (an outside vendor's package).
func (l *leverTenant) Offer(t testing.TB, v core.Vacancy) {
	t.Helper()
	tag := v.Tag
	if tag == "" {
		tag = "Conformance: " + v.Name
		l.e.MustAPI(http.StatusOK, l.f.APIKey, "PATCH", "/vacancies/"+v.ID, map[string]any{"tag": tag}, nil)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	id, ok := l.postings[tag]
	if !ok {
		id = l.e.Lever.AddPosting(v.Name+" (conformance)", []string{tag}, l.f.OwnerID).ID
		l.postings[tag] = id
	}
	l.posting = id
}

func (l *leverTenant) Packages(testing.TB) ([]string, bool) { return nil, false }

// toTrigger makes an applicant for posting and moves them to the trigger
// stage; Lever sends the signed webhook.
func (l *leverTenant) toTrigger(t testing.TB, c conformance.Candidate, posting string) (lever.Opportunity, leversim.Delivery) {
	t.Helper()
	ctx := context.Background()
	opp, _, err := l.e.Lever.CreateOpportunity(ctx, c.FirstName+" "+c.LastName, c.Email, posting)
	if err != nil {
		t.Fatalf("leversim: %v", err)
	}
	ds, err := l.e.Lever.MoveStage(ctx, opp.ID, l.f.TriggerStage)
	if err != nil || len(ds) != 1 || ds[0].Err != nil || ds[0].StatusCode != http.StatusOK {
		var got []string
		for _, d := range ds {
			got = append(got, fmt.Sprintf("%s → %d (%v)", d.Event, d.StatusCode, d.Err))
		}
		t.Fatalf("stage change delivery: %v, %v", got, err)
	}
	return opp, ds[0]
}

func (l *leverTenant) Order(t testing.TB, c conformance.Candidate) conformance.Ref {
	t.Helper()
	l.mu.Lock()
	posting := l.posting
	l.mu.Unlock()
	opp, d := l.toTrigger(t, c, posting)
	l.mu.Lock()
	l.deliveries[opp.ID] = d
	l.mu.Unlock()
	return conformance.Ref{ATS: opp.ID}
}

func (l *leverTenant) Redeliver(t testing.TB, r conformance.Ref) {
	t.Helper()
	l.mu.Lock()
	d, ok := l.deliveries[r.ATS]
	l.mu.Unlock()
	if !ok {
		t.Fatalf("no webhook was sent for opportunity %s", r.ATS)
	}
	again, err := l.e.Lever.Redeliver(context.Background(), d)
	if err != nil || again.StatusCode != http.StatusOK {
		t.Fatalf("redelivery: %d %v", again.StatusCode, err)
	}
}

// OrderRefused moves a candidate on a posting whose tags name no vacancy:
// Lever's webhook is answered 200 (Lever waits for nothing more) and the
// candidate gets nothing.
func (l *leverTenant) OrderRefused(t testing.TB, c conformance.Candidate) conformance.Refusal {
	t.Helper()
	posting := l.e.Lever.AddPosting("Office Manager", []string{"Onsite"}, l.f.OwnerID).ID
	opp, _ := l.toTrigger(t, c, posting)
	return conformance.Refusal{Shown: strings.Join(l.notes(opp.ID), "\n")}
}

// InboundWithBadAuth sends a stage change for a real opportunity signed
// with a token that is not the webhook's.
func (l *leverTenant) InboundWithBadAuth(t testing.TB, c conformance.Candidate) int {
	t.Helper()
	l.mu.Lock()
	posting := l.posting
	l.mu.Unlock()
	opp, _, err := l.e.Lever.CreateOpportunity(context.Background(), c.FirstName+" "+c.LastName, c.Email, posting)
	if err != nil {
		t.Fatalf("leversim: %v", err)
	}
	var tok [16]byte
	_, _ = rand.Read(tok[:])
	token := hex.EncodeToString(tok[:])
	at := lever.Millis(l.e.Clock.Now())
	p := lever.WebhookPayload{ID: "whk-" + token[:8], TriggeredAt: at, Event: lever.EventCandidateStageChange, Token: token,
		Signature: lever.Sign("a-token-from-another-webhook", token, at),
		Data:      lever.WebhookData{OpportunityID: opp.ID, CandidateID: opp.ID, ToStageID: l.f.TriggerStage}}
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(l.f.WebhookURL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", l.f.WebhookURL, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (l *leverTenant) notes(oppID string) []string {
	var out []string
	for _, n := range l.e.Lever.Notes(oppID) {
		var parts []string
		for _, f := range n.Fields {
			parts = append(parts, f.Value)
		}
		out = append(out, strings.Join(parts, "\n"))
	}
	return out
}

var (
	leverScoreTag  = regexp.MustCompile(`^` + regexp.QuoteMeta(apptest.DefaultTagPrefix) + `: (\d+)%$`)
	leverScoreLine = regexp.MustCompile(`(?m)^Score: [0-9.]+/[0-9.]+ \((.+)\)$`)
)

// Shown reads the opportunity as a recruiter does: the state tags, the
// latest note's words, the score tag, the note's score line and the links.
func (l *leverTenant) Shown(t testing.TB, r conformance.Ref) conformance.Shown {
	t.Helper()
	opp, ok := l.e.Lever.Opportunity(r.ATS)
	if !ok {
		t.Fatalf("Lever has no opportunity %s", r.ATS)
	}
	notes := l.notes(r.ATS)
	var s conformance.Shown
	for _, tag := range opp.Tags {
		if m := leverScoreTag.FindStringSubmatch(tag); m != nil {
			s.State, s.Score = core.StateCompleted, m[1]
		}
	}
	has := func(tag string) bool {
		for _, t := range opp.Tags {
			if t == apptest.DefaultTagPrefix+": "+tag {
				return true
			}
		}
		return false
	}
	switch {
	case s.State != "":
	case len(notes) > 0 && strings.Contains(notes[len(notes)-1], "was cancelled."):
		s.State = core.StateCancelled
	case len(notes) > 0 && strings.Contains(notes[len(notes)-1], "was rejected"):
		s.State = core.StateRejected
	case has("expired"):
		s.State = core.StateExpired
	case has("invited"):
		s.State = core.StateInvited
	}
	for _, n := range notes {
		if m := leverScoreLine.FindStringSubmatch(n); m != nil {
			s.Label = m[1]
		}
	}
	if len(opp.Links) > 0 {
		s.ResultURL = opp.Links[0]
	}
	s.Writes = len(notes) + len(l.e.Lever.Files(r.ATS)) + len(opp.Links)
	return s
}

// Down: Lever answers 503 with a Retry-After of a minute, as in a
// maintenance window.
func (l *leverTenant) Down(testing.TB) func() {
	return l.e.Lever.Outage(simkit.Fault{Status: http.StatusServiceUnavailable, RetryAfter: time.Minute})
}

// BadOutboundAuth: the customer revokes the API key in Lever.
func (l *leverTenant) BadOutboundAuth(testing.TB) func() {
	l.e.Lever.RevokeAPIKey(apptest.LeverAPIKey)
	return func() { l.e.Lever.AddAPIKey(apptest.LeverAPIKey) }
}

func (l *leverTenant) Limit() string  { return "10 requests/s per API key, burst 20" }
func (l *leverTenant) OverLimit() int { return l.e.Lever.ThrottledCount() }
