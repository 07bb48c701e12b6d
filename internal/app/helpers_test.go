package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
	"switchboard/internal/mail/mailtest"
)

// The admin API's JSON, as a client reads it.

type apiOrder struct {
	ID             string `json:"id"`
	State          string `json:"state"`
	Mode           string `json:"mode"`
	ExternalID     string `json:"external_id"`
	ExternalJobID  string `json:"external_job_id"`
	CandidateName  string `json:"candidate_name"`
	CandidateEmail string `json:"candidate_email"`
	VacancyName    string `json:"vacancy_name"`
}

type apiTimeline struct {
	At      time.Time         `json:"at"`
	Kind    string            `json:"kind"`
	Message string            `json:"message"`
	Detail  map[string]string `json:"detail"`
}

type apiResult struct {
	Score      int    `json:"score"`
	Min        int    `json:"min"`
	Max        int    `json:"max"`
	Label      string `json:"label"`
	Summary    string `json:"summary"`
	Indicators []struct {
		Name  string `json:"name"`
		Score int    `json:"score"`
		Label string `json:"label"`
	} `json:"indicators"`
}

type apiReports struct {
	DetailPageURL   string `json:"detail_page_url"`
	ReadOnlyPageURL string `json:"read_only_page_url"`
	PDFURL          string `json:"pdf_url"`
}

type apiOrderDetail struct {
	Order    apiOrder      `json:"order"`
	Result   *apiResult    `json:"result"`
	Reports  *apiReports   `json:"reports"`
	Timeline []apiTimeline `json:"timeline"`
}

// entries returns the timeline entries of kind whose message contains substr.
func (d apiOrderDetail) entries(kind, substr string) []apiTimeline {
	var out []apiTimeline
	for _, e := range d.Timeline {
		if e.Kind == kind && strings.Contains(e.Message, substr) {
			out = append(out, e)
		}
	}
	return out
}

func (d apiOrderDetail) dump() string {
	var b strings.Builder
	for _, e := range d.Timeline {
		b.WriteString("\n  " + e.Kind + ": " + e.Message)
		if len(e.Detail) > 0 {
			j, _ := json.Marshal(e.Detail)
			b.WriteString(" " + string(j))
		}
	}
	return b.String()
}

// orders lists the account's orders through the admin API.
func orders(e *apptest.Env, apiKey string) (int, []apiOrder) {
	e.T.Helper()
	var page struct {
		Orders []apiOrder `json:"orders"`
		Total  int        `json:"total"`
	}
	e.MustAPI(http.StatusOK, apiKey, "GET", "/orders", nil, &page)
	return page.Total, page.Orders
}

// order fetches one order with its timeline through the admin API.
func order(e *apptest.Env, apiKey, id string) apiOrderDetail {
	e.T.Helper()
	var d apiOrderDetail
	e.MustAPI(http.StatusOK, apiKey, "GET", "/orders/"+id, nil, &d)
	return d
}

// onlyOrder asserts the account has exactly one order and returns it.
func onlyOrder(t *testing.T, e *apptest.Env, f apptest.LeverFixture) apiOrderDetail {
	t.Helper()
	total, list := orders(e, f.APIKey)
	if total != 1 || len(list) != 1 {
		t.Fatalf("orders: total %d, %+v; want exactly one", total, list)
	}
	return order(e, f.APIKey, list[0].ID)
}

// invitationLink finds the candidate's link in an invitation email.
func invitationLink(t *testing.T, e *apptest.Env, m mailtest.Received) string {
	t.Helper()
	i := strings.Index(m.Text, e.URL+"/a/")
	if i < 0 {
		t.Fatalf("no invitation link in the email text:\n%s", m.Text)
	}
	return strings.Fields(m.Text[i:])[0]
}

func subject(t *testing.T, m mailtest.Received) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	return s
}

// invited creates an applicant for the fixture's posting and moves them to
// the trigger stage, waits until Switchboard is done, and returns the
// opportunity and the candidate's link from the one email they got.
func invited(t *testing.T, e *apptest.Env, f apptest.LeverFixture, name, email string) (lever.Opportunity, string) {
	t.Helper()
	opp := e.LeverToTrigger(f, name, email)
	e.WaitIdle()
	var msgs []mailtest.Received
	for _, m := range e.Mail.Messages() {
		if slices.Contains(m.To, email) {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) != 1 {
		t.Fatalf("emails to %s: %d, want 1", email, len(msgs))
	}
	return opp, invitationLink(t, e, msgs[0])
}

// webhookPayload is a Lever webhook body signed with signToken.
func webhookPayload(event, oppID, toStage, signToken string, triggeredAt time.Time) lever.WebhookPayload {
	var tok [16]byte
	_, _ = rand.Read(tok[:])
	token := hex.EncodeToString(tok[:])
	at := lever.Millis(triggeredAt)
	p := lever.WebhookPayload{
		ID: "whk-" + token[:8], TriggeredAt: at, Event: event, Token: token,
		Signature: lever.Sign(signToken, token, at),
	}
	if oppID != "" {
		p.Data = lever.WebhookData{OpportunityID: oppID, CandidateID: oppID, ToStageID: toStage}
	}
	return p
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends a webhook body as Lever would and returns the status and body.
func post(t testing.TB, u string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// countRows counts a table's rows, to prove that nothing was stored where the
// API shows nothing either (inbound events have no API).
func countRows(t *testing.T, e *apptest.Env, table string) int {
	t.Helper()
	var n int
	if err := e.App.Store.Writer().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// refill lets the simulator's per-key token bucket, which runs on the
// injected clock, refill: a test making more than 20 Lever calls at one
// frozen instant would otherwise be throttled.
func refill(e *apptest.Env) { e.Clock.Advance(2 * time.Second) }

// noteTexts returns the text of each note on an opportunity.
func noteTexts(e *apptest.Env, oppID string) []string {
	var out []string
	for _, n := range e.Lever.Notes(oppID) {
		var parts []string
		for _, f := range n.Fields {
			parts = append(parts, f.Value)
		}
		out = append(out, strings.Join(parts, "\n"))
	}
	return out
}

func countContaining(ss []string, sub string) int {
	n := 0
	for _, s := range ss {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

// withQuery returns u with query parameter k set to v.
func withQuery(t *testing.T, u, k, v string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Set(k, v)
	pu.RawQuery = q.Encode()
	return pu.String()
}

// outcome describes webhook deliveries by their answers, not their bytes.
func outcome(ds []leversim.Delivery) string {
	var parts []string
	for _, d := range ds {
		s := fmt.Sprintf("%s→%d", d.Event, d.StatusCode)
		if d.Err != nil {
			s += " (" + d.Err.Error() + ")"
		}
		parts = append(parts, s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
