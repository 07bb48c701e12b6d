package examplevendor

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	oldSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	newSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	vendorKey = "svk_example_key"
	account   = "acc_1"
)

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// patchSeen is one request the fake Switchboard received.
type patchSeen struct {
	Method, Path, Auth, Account, ContentType string
	Body                                     map[string]any
}

// fakeSwitchboard answers result PATCHes: script gives the status of each
// request in turn (then 200), with Retry-After from retryAfter when set.
type fakeSwitchboard struct {
	*httptest.Server
	mu         sync.Mutex
	seen       []patchSeen
	script     []int
	retryAfter []string
	gate       chan struct{} // when set, in-progress updates wait for it to close
}

func newFakeSwitchboard(t *testing.T) *fakeSwitchboard {
	sb := &fakeSwitchboard{}
	sb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("PATCH body is not JSON: %v: %s", err, raw)
		}
		if sb.gate != nil && bytes.Contains(raw, []byte(`"in_progress"`)) {
			<-sb.gate
		}
		sb.mu.Lock()
		n := len(sb.seen)
		sb.seen = append(sb.seen, patchSeen{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("x-account-id"), r.Header.Get("Content-Type"), body})
		status, ra := http.StatusOK, ""
		if n < len(sb.script) {
			status = sb.script[n]
		}
		if n < len(sb.retryAfter) {
			ra = sb.retryAfter[n]
		}
		sb.mu.Unlock()
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		msg := "Record updated successfully."
		if status >= 300 {
			msg = "score.value: must be a number"
		}
		fmt.Fprintf(w, `{"statusCode":%d,"message":%q,"timestamp":"2026-12-02T10:00:00Z"}`, status, msg)
	}))
	t.Cleanup(sb.Close)
	return sb
}

func (sb *fakeSwitchboard) requests() []patchSeen {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return slices.Clone(sb.seen)
}

// harness is a vendor served on a loopback port with a fake clock and a
// Sleep that returns at once and records what it was asked to wait.
type harness struct {
	v      *Vendor
	srv    *httptest.Server
	sb     *fakeSwitchboard
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	logBuf *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{sb: newFakeSwitchboard(t), now: t0, logBuf: &syncBuffer{}}
	cfg := Config{
		Secrets:   []string{oldSecret},
		Key:       vendorKey,
		BaseURL:   h.sb.URL + "/api/vendor",
		AllowHTTP: true,
		Now: func() time.Time {
			h.mu.Lock()
			defer h.mu.Unlock()
			return h.now
		},
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.slept = append(h.slept, d)
			return ctx.Err()
		},
		Logger: slog.New(slog.NewTextHandler(h.logBuf, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.v = v
	h.srv = httptest.NewServer(v.Handler())
	t.Cleanup(func() { h.srv.Close(); v.Close() })
	return h
}

func (h *harness) sleeps() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.slept)
}

func (h *harness) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.v.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

// order is a delivery's data; edit changes it before it is sent.
func (h *harness) order(id, pkg, mode, email string) Order {
	kind := KindAssessment
	if p, ok := findPackage(pkg); ok {
		kind = p.Type
	}
	o := Order{
		ID: id, AccountID: account, Kind: kind, Status: "invited", Mode: mode, Provider: "smartrecruiters",
		Package:          Package{ID: pkg, Name: "whatever Switchboard calls it"},
		Candidate:        Candidate{ID: "cnd_" + id, RemoteID: "r-" + id, FirstName: "Ada", LastName: "Lovelace"},
		Application:      Ref{ID: "app-" + id},
		Job:              Ref{ID: "job-1", Title: "Engineer"},
		ResultsUpdateURL: h.sb.URL + "/api/vendor/unified/ats/" + kind + "s/orders/" + id + "/result",
		CreatedAt:        t0,
	}
	if email != "" {
		o.Candidate.Emails = []Email{{Type: "personal", Value: email}}
	}
	return o
}

func envelopeBody(t *testing.T, event string, o Order) []byte {
	t.Helper()
	b, err := json.Marshal(envelope{Type: event, Timestamp: t0, Data: o})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func keysOf(t testing.TB, secrets ...string) []secret {
	t.Helper()
	keys := make([]secret, len(secrets))
	for i, s := range secrets {
		k, err := parseSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	return keys
}

// post sends body to path with headers, returning status and body.
func (h *harness) post(t *testing.T, path string, hdr http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// deliver signs body as Switchboard does, at t0, and posts it to /webhooks.
func (h *harness) deliver(t *testing.T, msgID string, body []byte, secrets ...string) (int, string) {
	t.Helper()
	if len(secrets) == 0 {
		secrets = []string{oldSecret}
	}
	return h.post(t, "/webhooks", signHeaders(msgID, t0, body, keysOf(t, secrets...)...), body)
}

func (h *harness) get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func testURL(t *testing.T, answer string) string {
	t.Helper()
	var a struct {
		TestURL string `json:"test_url"`
	}
	if err := json.Unmarshal([]byte(answer), &a); err != nil || a.TestURL == "" {
		t.Fatalf("answer %s has no test_url (%v)", answer, err)
	}
	return a.TestURL
}

func TestWebhookRefusesWhatIsNotSignedNowBySwitchboard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(h http.Header, body []byte) []byte
		status int
		msg    string
	}{
		{"tampered body", func(_ http.Header, b []byte) []byte { return bytes.Replace(b, []byte("Ada"), []byte("Eve"), 1) }, 401, "invalid signature"},
		{"tampered id", func(h http.Header, b []byte) []byte { h.Set("webhook-id", "msg_other"); return b }, 401, "invalid signature"},
		{"stale", func(h http.Header, b []byte) []byte {
			h.Set("webhook-timestamp", strconv.FormatInt(t0.Add(-Tolerance-time.Second).Unix(), 10))
			return b
		}, 401, "tolerance"},
		{"future", func(h http.Header, b []byte) []byte {
			h.Set("webhook-timestamp", strconv.FormatInt(t0.Add(Tolerance+time.Second).Unix(), 10))
			return b
		}, 401, "tolerance"},
		{"wrong secret", func(h http.Header, b []byte) []byte {
			h.Set("webhook-signature", signHeaders("msg_1", t0, b, keysOf(t, newSecret)...).Get("webhook-signature"))
			return b
		}, 401, "invalid signature"},
		{"no webhook-id", func(h http.Header, b []byte) []byte { h.Del("webhook-id"); return b }, 400, "webhook-id"},
		{"no webhook-timestamp", func(h http.Header, b []byte) []byte { h.Del("webhook-timestamp"); return b }, 400, "webhook-timestamp"},
		{"no webhook-signature", func(h http.Header, b []byte) []byte { h.Del("webhook-signature"); return b }, 400, "webhook-signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			body := envelopeBody(t, eventAssessmentCreated, h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com"))
			hdr := signHeaders("msg_1", t0, body, keysOf(t, oldSecret)...)
			body = tc.mutate(hdr, body)
			status, answer := h.post(t, "/webhooks", hdr, body)
			if status != tc.status || !strings.Contains(answer, tc.msg) {
				t.Fatalf("answered %d %s, want %d with %q", status, answer, tc.status, tc.msg)
			}
			h.drain(t)
			if got := h.v.Received(); len(got) != 0 {
				t.Fatalf("acted on a refused delivery: %+v", got)
			}
			if got := h.sb.requests(); len(got) != 0 {
				t.Fatalf("posted %d updates for a refused delivery", len(got))
			}
			// The genuine delivery still goes through afterwards: the refusal
			// did not mark its id as seen.
			if status, _ := h.deliver(t, "msg_1", envelopeBody(t, eventAssessmentCreated, h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com"))); status != http.StatusAccepted {
				t.Fatalf("the genuine delivery after a refused one: %d", status)
			}
		})
	}
}

func TestRotationAcceptsEitherSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		held     []string // the vendor's secrets
		signedBy []string // Switchboard's
		want     int
	}{
		{"vendor holds both, signed with the old", []string{oldSecret, newSecret}, []string{oldSecret}, http.StatusAccepted},
		{"vendor holds both, signed with the new", []string{oldSecret, newSecret}, []string{newSecret}, http.StatusAccepted},
		{"vendor holds both, signed with both", []string{oldSecret, newSecret}, []string{newSecret, oldSecret}, http.StatusAccepted},
		{"vendor holds the new, signed with both", []string{newSecret}, []string{oldSecret, newSecret}, http.StatusAccepted},
		{"vendor holds the old, signed with both", []string{oldSecret}, []string{newSecret, oldSecret}, http.StatusAccepted},
		{"vendor holds the new, signed with the old", []string{newSecret}, []string{oldSecret}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(c *Config) { c.Secrets = tc.held })
			body := envelopeBody(t, eventAssessmentCreated, h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com"))
			if status, answer := h.deliver(t, "msg_1", body, tc.signedBy...); status != tc.want {
				t.Fatalf("answered %d %s, want %d", status, answer, tc.want)
			}
		})
	}
}

func TestSetSecretsEndsARotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Secrets = []string{oldSecret, newSecret} })
	if err := h.v.SetSecrets(newSecret, "whsec_!"); err == nil {
		t.Fatal("SetSecrets took a secret that does not parse")
	}
	body := envelopeBody(t, eventAssessmentCreated, h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com"))
	if status, _ := h.deliver(t, "msg_1", body, oldSecret); status != http.StatusAccepted {
		t.Fatalf("a failed SetSecrets changed the secrets: %d", status)
	}
	if err := h.v.SetSecrets(newSecret); err != nil {
		t.Fatal(err)
	}
	body = envelopeBody(t, eventAssessmentCreated, h.order("ord_2", "cog-20", "ad_hoc", "ada@example.com"))
	if status, _ := h.deliver(t, "msg_2", body, oldSecret); status != http.StatusUnauthorized {
		t.Fatalf("the retired secret still verifies: %d", status)
	}
}

func TestRepeatedDeliveryIsAnsweredAgainAndDoneOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		second, order string // the repeat's webhook-id and order id
	}{
		{"same webhook-id (a retry or replay)", "msg_1", "ord_1"},
		{"same order under another webhook-id", "msg_2", "ord_1"},
		// Switchboard never does this; the webhook-id alone decides.
		{"same webhook-id with another order", "msg_1", "ord_2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			status, first := h.deliver(t, "msg_1", envelopeBody(t, eventAssessmentCreated, h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com")))
			if status != http.StatusAccepted {
				t.Fatalf("first delivery: %d %s", status, first)
			}
			h.drain(t)
			status, again := h.deliver(t, tc.second, envelopeBody(t, eventAssessmentCreated, h.order(tc.order, "cog-20", "ad_hoc", "ada@example.com")))
			if status != http.StatusOK || testURL(t, again) != testURL(t, first) {
				t.Fatalf("repeat answered %d %s, want 200 with the first answer %s", status, again, first)
			}
			h.drain(t)
			if got := h.v.Received(); len(got) != 1 {
				t.Fatalf("%d orders received, want 1", len(got))
			}
			if got := h.sb.requests(); len(got) != 2 {
				t.Fatalf("%d updates posted, want 2 (in progress, result) once", len(got))
			}
		})
	}
}

func TestRepeatedRefusalIsRefusedAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	body := envelopeBody(t, eventAssessmentCreated, h.order("ord_1", "nope", "ad_hoc", "ada@example.com"))
	for range 2 {
		if status, answer := h.deliver(t, "msg_1", body); status != http.StatusUnprocessableEntity {
			t.Fatalf("answered %d %s, want 422", status, answer)
		}
	}
	if got := h.v.Received(); len(got) != 1 || got[0].State != StateRefused {
		t.Fatalf("received %+v, want one refused order", got)
	}
}

func TestInlineOrderGetsItsCandidatePageAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Manual = true })
	body := envelopeBody(t, eventAssessmentCreated, h.order("ord_in/1", "sjt-1", "inline", "ada@example.com"))
	status, answer := h.deliver(t, "msg_1", body)
	if status != http.StatusOK {
		t.Fatalf("inline order answered %d %s, want 200", status, answer)
	}
	url := testURL(t, answer)
	if want := h.srv.URL + "/candidate/ord_in%2F1"; url != want {
		t.Fatalf("test_url %s, want %s", url, want)
	}
	status, ctype, page := h.get(t, url)
	if status != http.StatusOK || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(page, "Acme test for Ada Lovelace") {
		t.Fatalf("candidate page: %d %s %s", status, ctype, page)
	}
	if got := h.v.Received(); len(got) != 1 || got[0].TestURL != url || got[0].Mode != "inline" {
		t.Fatalf("received %+v", got)
	}
}

func TestPublicURLIsUsedForLinks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.PublicURL = "https://vendor.example/" })
	body := envelopeBody(t, eventAssessmentCreated, h.order("ord_1", "cog-20", "inline", "ada@example.com"))
	_, answer := h.deliver(t, "msg_1", body)
	if url := testURL(t, answer); url != "https://vendor.example/candidate/ord_1" {
		t.Fatalf("test_url %s", url)
	}
	h.drain(t)
	result := h.sb.requests()[1].Body
	if result["result_url"] != "https://vendor.example/reports/ord_1" {
		t.Fatalf("result_url %v", result["result_url"])
	}
}

func TestRefusesWhatItCannotServe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		event string
		edit  func(*Order)
		msg   string
	}{
		{"unknown package", eventAssessmentCreated, func(o *Order) { o.Package.ID = "typing-9" }, `Acme does not offer package "typing-9"`},
		{"background check without an email", eventBackgroundCheckCreated, func(o *Order) {
			o.Package.ID, o.Kind, o.Candidate.Emails = "bg-basic", KindBackgroundCheck, nil
		}, "needs the candidate's email address"},
		{"background check package ordered as an assessment", eventAssessmentCreated, func(o *Order) { o.Package.ID = "bg-basic" }, `Acme package "bg-basic" is a background check, not an assessment`},
		{"event and kind disagree", eventBackgroundCheckCreated, func(*Order) {}, "a background_check.created event cannot carry an assessment order"},
		{"no results_update_url", eventAssessmentCreated, func(o *Order) { o.ResultsUpdateURL = "" }, "no results_update_url"},
		{"results_update_url elsewhere", eventAssessmentCreated, func(o *Order) {
			o.ResultsUpdateURL = "http://elsewhere.example/api/vendor/unified/ats/assessments/orders/ord_1/result"
		}, "not at the Switchboard"},
		{"no order id", eventAssessmentCreated, func(o *Order) { o.ID = "" }, "no id"},
		{"no account id", eventAssessmentCreated, func(o *Order) { o.AccountID = "" }, "no account_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			o := h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com")
			tc.edit(&o)
			status, answer := h.deliver(t, "msg_1", envelopeBody(t, tc.event, o))
			var refusal struct{ Message string }
			json.Unmarshal([]byte(answer), &refusal)
			if status != http.StatusUnprocessableEntity || !strings.Contains(refusal.Message, tc.msg) {
				t.Fatalf("answered %d %s, want 422 with %q", status, answer, tc.msg)
			}
			h.drain(t)
			if got := h.sb.requests(); len(got) != 0 {
				t.Fatalf("posted %d updates for a refused order", len(got))
			}
			if o.ID != "" {
				if status, _, _ := h.get(t, h.srv.URL+"/candidate/"+o.ID); status != http.StatusNotFound {
					t.Fatalf("a refused order has a candidate page: %d", status)
				}
			}
		})
	}
}

func TestAssessmentResultIsPostedToSwitchboard(t *testing.T) {
	t.Parallel()
	for _, email := range []string{"ada@example.com", "grace@example.com", "alan@example.com", "katherine@example.com"} {
		t.Run(email, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			o := h.order("ord_1", "cog-20", "ad_hoc", email)
			if status, answer := h.deliver(t, "msg_1", envelopeBody(t, eventAssessmentCreated, o)); status != http.StatusAccepted {
				t.Fatalf("answered %d %s", status, answer)
			}
			h.drain(t)
			reqs := h.sb.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d updates, want in progress then result", len(reqs))
			}
			wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(vendorKey+":"))
			for _, r := range reqs {
				if r.Method != http.MethodPatch || r.Path != "/api/vendor/unified/ats/assessments/orders/ord_1/result" ||
					r.Auth != wantAuth || r.Account != account || r.ContentType != "application/json" {
					t.Fatalf("update sent as %+v", r)
				}
			}
			start := t0.Format(time.RFC3339)
			if got, want := reqs[0].Body, map[string]any{"result": map[string]any{"value": "in_progress"}, "start_date": start}; !equalJSON(got, want) {
				t.Fatalf("in-progress update %v, want %v", got, want)
			}
			score := ScoreFor(email)
			outcome := "failed"
			if score >= PassMark {
				outcome = "passed"
			}
			res := reqs[1].Body
			base := h.srv.URL + "/reports/ord_1"
			for field, want := range map[string]any{
				"id":              "ord_1",
				"score":           map[string]any{"label": "Cognitive ability", "value": strconv.Itoa(score), "min": "0", "max": "100"},
				"result":          map[string]any{"value": outcome},
				"result_url":      base,
				"attachments":     []any{map[string]any{"url": base + ".pdf", "content_type": map[string]any{"value": "pdf"}}},
				"start_date":      start,
				"submission_date": start,
			} {
				if !equalJSON(res[field], want) {
					t.Errorf("%s = %v, want %v", field, res[field], want)
				}
			}
			if s, _ := res["summary"].(string); !strings.Contains(s, fmt.Sprintf("<strong>Cognitive ability</strong>: %d out of 100", score)) {
				t.Errorf("summary %q", s)
			}
			got := h.v.Received()
			if len(got) != 1 || got[0].State != StateCompleted || len(got[0].Posted) != 2 || got[0].Err != "" {
				t.Fatalf("received %+v", got)
			}

			status, ctype, page := h.get(t, base)
			if status != http.StatusOK || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(page, "score "+strconv.Itoa(score)+" out of 100") {
				t.Fatalf("report page: %d %s %s", status, ctype, page)
			}
			status, ctype, pdf := h.get(t, base+".pdf")
			if status != http.StatusOK || ctype != "application/pdf" {
				t.Fatalf("report PDF: %d %s", status, ctype)
			}
			checkPDF(t, pdf)
		})
	}
}

// The scores the e2e tests and the demo can rely on.
func TestScoreForIsStable(t *testing.T) {
	t.Parallel()
	seen := map[bool]bool{}
	for _, email := range []string{"ada@example.com", "grace@example.com", "alan@example.com", "katherine@example.com"} {
		s := ScoreFor(email)
		if s < 40 || s > 100 || s != ScoreFor(" "+strings.ToUpper(email)+" ") {
			t.Fatalf("ScoreFor(%q) = %d: outside 40..100 or depends on case and spaces", email, s)
		}
		seen[s >= PassMark] = true
	}
	if !seen[true] || !seen[false] {
		t.Fatal("the test emails all pass or all fail: pick others so both outcomes are covered")
	}
	if got := ScoreFor("ada@example.com"); got != ScoreFor("ada@example.com") {
		t.Fatal("not deterministic")
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// checkPDF checks the PDF's frame: header, every xref offset at its object,
// startxref at the xref table, and %%EOF.
func checkPDF(t *testing.T, pdf string) {
	t.Helper()
	if !strings.HasPrefix(pdf, "%PDF-1.") || !strings.HasSuffix(pdf, "%%EOF\n") {
		t.Fatalf("not a PDF: %.40q…", pdf)
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindStringSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(m[1])
	if !strings.HasPrefix(pdf[xref:], "xref\n") {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllStringSubmatch(pdf[xref:], -1)
	if len(entries) == 0 {
		t.Fatal("no objects in the xref table")
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(e[1])
		if !strings.HasPrefix(pdf[off:], fmt.Sprintf("%d 0 obj\n", i+1)) {
			t.Fatalf("xref entry %d (offset %d) does not point at object %d", i+1, off, i+1)
		}
	}
}

func TestBackgroundCheckResult(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		email, outcome, source, summary string
	}{
		{"ada@example.com", "passed", "clear", "Clear</strong> — no records found"},
		{"ada+consider@example.com", "failed", "consider", "Consider</strong> — one record needs review"},
	} {
		t.Run(tc.email, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			o := h.order("ord_bg", "bg-basic", "ad_hoc", tc.email)
			if status, answer := h.deliver(t, "msg_1", envelopeBody(t, eventBackgroundCheckCreated, o)); status != http.StatusAccepted {
				t.Fatalf("answered %d %s", status, answer)
			}
			h.drain(t)
			reqs := h.sb.requests()
			if len(reqs) != 2 || reqs[1].Path != "/api/vendor/unified/ats/background_checks/orders/ord_bg/result" {
				t.Fatalf("updates %+v", reqs)
			}
			res := reqs[1].Body
			if _, has := res["score"]; has {
				t.Errorf("a background check result has a score: %v", res["score"])
			}
			if !equalJSON(res["result"], map[string]any{"value": tc.outcome, "source_value": tc.source}) {
				t.Errorf("result %v, want %s", res["result"], tc.outcome)
			}
			if s, _ := res["summary"].(string); !strings.Contains(s, tc.summary) {
				t.Errorf("summary %q, want %q", s, tc.summary)
			}
		})
	}
}

func TestResultPatchRetries(t *testing.T) {
	t.Parallel()
	retryDate := t0.Add(90 * time.Second).Format(http.TimeFormat)
	for _, tc := range []struct {
		name       string
		script     []int // statuses of the result PATCH attempts
		retryAfter []string
		wantSleeps []time.Duration // waits between them
		wantState  State
		wantErr    string
	}{
		{"503 with Retry-After seconds", []int{503, 200}, []string{"7"}, []time.Duration{7 * time.Second}, StateCompleted, ""},
		{"429 with Retry-After date", []int{429, 200}, []string{retryDate}, []time.Duration{90 * time.Second}, StateCompleted, ""},
		{"500s back off doubling", []int{500, 502, 200}, nil, []time.Duration{time.Second, 2 * time.Second}, StateCompleted, ""},
		{"400 is not retried", []int{400}, nil, nil, StateFailed, "400 Bad Request: score.value: must be a number"},
		{"409 is not retried", []int{409}, nil, nil, StateFailed, "409 Conflict"},
		{"gives up after 5 attempts", []int{503, 503, 503, 503, 503}, nil, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, StateFailed, "attempt 5"},
		{"Retry-After beyond the bound", []int{503}, []string{"86400"}, nil, StateFailed, "longer than 5m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			// The first request is the in-progress update, answered 200.
			h.sb.script = append([]int{200}, tc.script...)
			h.sb.retryAfter = append([]string{""}, tc.retryAfter...)
			o := h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com")
			if status, _ := h.deliver(t, "msg_1", envelopeBody(t, eventAssessmentCreated, o)); status != http.StatusAccepted {
				t.Fatal(status)
			}
			h.drain(t)
			if got := len(h.sb.requests()); got != 1+len(tc.script) {
				t.Errorf("%d requests, want %d", got, 1+len(tc.script))
			}
			// The first sleep is ResultDelay (0).
			if got := h.sleeps(); !slices.Equal(got[1:], tc.wantSleeps) {
				t.Errorf("waited %v, want ResultDelay then %v", got, tc.wantSleeps)
			}
			got := h.v.Received()[0]
			if got.State != tc.wantState || !strings.Contains(got.Err, tc.wantErr) {
				t.Errorf("state %s, err %q; want %s, %q", got.State, got.Err, tc.wantState, tc.wantErr)
			}
			if tc.wantState == StateFailed && !strings.Contains(h.logBuf.String(), "score.value: must be a number") {
				t.Errorf("Switchboard's error body is not logged:\n%s", h.logBuf.String())
			}
		})
	}
}

func TestResultDelayAndManualCompletion(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.ResultDelay = 30 * time.Minute })
	o := h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com")
	h.deliver(t, "msg_1", envelopeBody(t, eventAssessmentCreated, o))
	h.drain(t)
	if got := h.sleeps(); !slices.Equal(got, []time.Duration{30 * time.Minute}) {
		t.Fatalf("waited %v, want the result delay", got)
	}

	m := newHarness(t, func(c *Config) { c.Manual = true })
	o = m.order("ord_2", "cog-20", "ad_hoc", "ada@example.com")
	m.deliver(t, "msg_2", envelopeBody(t, eventAssessmentCreated, o))
	m.drain(t)
	if got := m.sb.requests(); len(got) != 1 {
		t.Fatalf("a manual vendor posted %d updates before Complete, want the in-progress one", len(got))
	}
	if status, _, _ := m.get(t, m.srv.URL+"/reports/ord_2.pdf"); status != http.StatusNotFound {
		t.Fatalf("a report before the result: %d", status)
	}
	if err := m.v.Complete(context.Background(), "ord_2"); err != nil {
		t.Fatal(err)
	}
	if got := m.sb.requests(); len(got) != 2 || !equalJSON(got[1].Body["result"], map[string]any{"value": ScoreOutcome(ScoreFor("ada@example.com"))}) {
		t.Fatalf("after Complete: %+v", got)
	}
	if err := m.v.Complete(context.Background(), "ord_2"); err == nil {
		t.Fatal("Complete posted a second result")
	}
	if err := m.v.Complete(context.Background(), "ord_nope"); err == nil {
		t.Fatal("Complete of an unknown order")
	}
}

// Complete waits for the in-progress update, so the result cannot overtake
// it (Switchboard would refuse the late in-progress update with 409).
func TestCompleteWaitsForTheInProgressUpdate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Manual = true })
	h.sb.gate = make(chan struct{})
	open := sync.OnceFunc(func() { close(h.sb.gate) })
	t.Cleanup(open) // before the servers close, so a failed test does not hang
	o := h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com")
	h.deliver(t, "msg_1", envelopeBody(t, eventAssessmentCreated, o))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.v.Complete(ctx, "ord_1"); err == nil || !strings.Contains(err.Error(), "waiting for its in-progress update") {
		t.Fatalf("Complete while the in-progress update is in flight: %v", err)
	}
	open()
	if err := h.v.Complete(context.Background(), "ord_1"); err != nil {
		t.Fatalf("Complete once the update went through: %v", err)
	}
	reqs := h.sb.requests()
	if len(reqs) != 2 || !equalJSON(reqs[0].Body["result"], map[string]any{"value": "in_progress"}) {
		t.Fatalf("updates %+v, want in progress then the result", reqs)
	}
	if got := h.v.Received()[0]; got.State != StateCompleted || got.Err != "" {
		t.Fatalf("order %+v", got)
	}
}

func TestCancelledOrderGetsNoResult(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Manual = true })
	o := h.order("ord_1", "cog-20", "ad_hoc", "ada@example.com")
	h.deliver(t, "msg_1", envelopeBody(t, eventAssessmentCreated, o))
	h.drain(t)
	if status, answer := h.deliver(t, "msg_2", envelopeBody(t, eventAssessmentCancelled, o)); status != http.StatusOK {
		t.Fatalf("cancellation answered %d %s", status, answer)
	}
	if err := h.v.Complete(context.Background(), "ord_1"); err == nil {
		t.Fatal("completed a cancelled order")
	}
	if got := h.v.Received()[0].State; got != StateCancelled {
		t.Fatalf("state %s", got)
	}
	if got := h.sb.requests(); len(got) != 1 {
		t.Fatalf("%d updates, want only the in-progress one", len(got))
	}
}

func TestUnknownEventIsAcknowledged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	body := []byte(`{"type":"vendor.updated","timestamp":"2026-12-02T10:00:00Z","data":{}}`)
	if status, _ := h.deliver(t, "msg_1", body); status != http.StatusOK {
		t.Fatalf("unknown event: %d", status)
	}
	if status, _ := h.deliver(t, "msg_2", []byte(`not json`)); status != http.StatusBadRequest {
		t.Fatalf("a signed body that is not JSON: %d", status)
	}
}

func TestPackageListCallout(t *testing.T) {
	t.Parallel()
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	all := []string{"cog-20", "sjt-1", "bg-basic"}
	for _, tc := range []struct {
		name    string
		auth    string
		signed  bool
		jobID   string
		status  int
		wantIDs []string
	}{
		{"key and signature", basic("pk_list", ""), true, "job-1", 200, all},
		{"job without background checks", basic("pk_list", ""), true, "job-no-bg-7", 200, []string{"cog-20", "sjt-1"}},
		{"no key", "", true, "job-1", 401, nil},
		{"wrong key", basic("pk_wrong", ""), true, "job-1", 401, nil},
		{"key with a password", basic("pk_list", "x"), true, "job-1", 401, nil},
		{"the vendor API key instead", basic(vendorKey, ""), true, "job-1", 401, nil},
		{"key but unsigned", basic("pk_list", ""), false, "job-1", 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(c *Config) { c.PackagesKey = "pk_list" })
			body := fmt.Appendf(nil, `{"job_id":%q,"account_id":"acc_1","provider":"lever"}`, tc.jobID)
			hdr := http.Header{}
			if tc.signed {
				hdr = signHeaders("msg_pk", t0, body, keysOf(t, oldSecret)...)
			}
			if tc.auth != "" {
				hdr.Set("Authorization", tc.auth)
			}
			status, answer := h.post(t, "/packages", hdr, body)
			if status != tc.status {
				t.Fatalf("answered %d %s, want %d", status, answer, tc.status)
			}
			if tc.status != 200 {
				return
			}
			var list struct{ Data []Package }
			if err := json.Unmarshal([]byte(answer), &list); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range list.Data {
				if p.Name == "" || p.Description == "" || (p.Type != KindAssessment && p.Type != KindBackgroundCheck) {
					t.Errorf("package %+v lacks a field", p)
				}
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, tc.wantIDs) {
				t.Fatalf("packages %v, want %v", ids, tc.wantIDs)
			}
		})
	}
}

func TestPackageCalloutRefusesATamperedBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	body := []byte(`{"job_id":"job-1","account_id":"acc_1","provider":"lever"}`)
	hdr := signHeaders("msg_pk", t0, body, keysOf(t, oldSecret)...)
	hdr.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(vendorKey+":")))
	if status, _ := h.post(t, "/packages", hdr, bytes.Replace(body, []byte("job-1"), []byte("job-2"), 1)); status != http.StatusUnauthorized {
		t.Fatalf("tampered callout: %d, want 401", status)
	}
	if status, _ := h.post(t, "/packages", hdr, body); status != http.StatusOK {
		t.Fatalf("the genuine callout (PackagesKey defaults to Key): %d", status)
	}
}

func TestNewRefusesABadConfig(t *testing.T) {
	t.Parallel()
	ok := Config{Secrets: []string{oldSecret}, Key: vendorKey}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no key", func(c *Config) { c.Key = "" }, "key is required"},
		{"no secret", func(c *Config) { c.Secrets = nil }, "at least one signing secret"},
		{"bad secret", func(c *Config) { c.Secrets = []string{oldSecret, "hunter2"} }, `secret 2: signing secret does not start with "whsec_"`},
		{"http Switchboard", func(c *Config) { c.BaseURL = "http://sb.example/api/vendor" }, "must use https"},
		{"relative public URL", func(c *Config) { c.PublicURL = "/vendor" }, "not an absolute URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tc.edit(&cfg)
			v, err := New(cfg)
			if err == nil {
				v.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want %q", err, tc.want)
			}
		})
	}
	v, err := New(ok)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
}

// FuzzWebhook: whatever a correctly signed body holds, the delivery
// endpoint answers 400 exactly when the body is not a JSON delivery, and
// otherwise 200, 202 or 422: never a 5xx and never a panic.
func FuzzWebhook(f *testing.F) {
	o := Order{ID: "ord_1", AccountID: account, Kind: KindAssessment, Mode: "inline", Package: Package{ID: "cog-20"},
		ResultsUpdateURL: "http://127.0.0.1:1/api/vendor/unified/ats/assessments/orders/ord_1/result"}
	good, _ := json.Marshal(envelope{Type: eventAssessmentCreated, Data: o})
	f.Add(good)
	f.Add([]byte(`{"type":"background_check.created","data":{"id":"x","kind":"background_check","package":{"id":"bg-basic"}}}`))
	f.Add([]byte(`{"type":"assessment.cancelled","data":{"id":"ord_1"}}`))
	f.Add([]byte(`[]`))
	keys := keysOf(f, oldSecret)
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := New(Config{Secrets: []string{oldSecret}, Key: vendorKey, BaseURL: "http://127.0.0.1:1/api/vendor", AllowHTTP: true,
			Manual: true, Now: func() time.Time { return t0 }, Logger: slog.New(slog.DiscardHandler),
			HTTPClient: &http.Client{Transport: refuseTransport{}}})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		req := httptest.NewRequest(http.MethodPost, "http://vendor.test/webhooks", bytes.NewReader(body))
		for k, vs := range signHeaders("msg_1", t0, body, keys...) {
			req.Header[k] = vs
		}
		rec := httptest.NewRecorder()
		v.Handler().ServeHTTP(rec, req)
		var env envelope
		notJSON := json.Unmarshal(body, &env) != nil
		switch got := rec.Code; {
		case notJSON && got != http.StatusBadRequest, !notJSON && got != 200 && got != 202 && got != 422:
			t.Fatalf("answered %d %s (body is JSON: %v)", got, rec.Body, !notJSON)
		}
	})
}

// refuseTransport answers no request: the fuzzed vendor posts nowhere.
type refuseTransport struct{}

func (refuseTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("no network in this test")
}
