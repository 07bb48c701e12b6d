package workable

// The mapping between Switchboard's domain and Workable's wire format, one
// function per direction, so the connector holds no wire details.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
)

// StatusFor is what Workable is told of an order state (DESIGN.md):
// pending until it ends; false for cancelled, which Workable has no status
// for.
func StatusFor(s core.State) (Status, bool) {
	switch s {
	case core.StateReceived, core.StateInvited, core.StateInProgress:
		return StatusPending, true
	case core.StateCompleted:
		return StatusCompleted, true
	case core.StateExpired:
		return StatusExpired, true
	case core.StateRejected:
		return StatusRejected, true
	}
	return "", false
}

// GradeFor is the grade of a result: its label (Great fit → excelled, Good
// fit → passed, Poor fit → failed), else its verdict; "" when it has
// neither.
func GradeFor(r core.Result) Grade {
	switch strings.ToLower(strings.TrimSpace(r.Label)) {
	case "great fit":
		return GradeExcelled
	case "good fit":
		return GradePassed
	case "poor fit":
		return GradeFailed
	}
	switch r.Value {
	case core.ResultPassed:
		return GradePassed
	case core.ResultFailed:
		return GradeFailed
	}
	return ""
}

// ScoreFor is the score as Workable shows it, a string [V2]: the value
// itself on a 0–100 scale, else the percentage of the scale; "" without a
// score.
func ScoreFor(s *core.Score) FlexString {
	if s == nil {
		return ""
	}
	if s.Min == 0 && s.Max == 100 {
		return FlexString(core.FormatNumber(s.Value))
	}
	return FlexString(fmt.Sprint(s.Percent()))
}

// Duration is how long the candidate took, as Workable writes it
// ("00:41:17"); "" when either time is unknown.
func Duration(started, submitted time.Time) string {
	if started.IsZero() || submitted.IsZero() || submitted.Before(started) {
		return ""
	}
	d := submitted.Sub(started).Round(time.Second)
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	s := int(d % time.Minute / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
}

// Links are the report links an integration sends, as switched on in its
// Reports settings.
type Links struct {
	ResultsURL  string
	Attachments []Attachment
}

// LinksFor picks the results URL Workable requires on completion and the
// attachments, from the reports the integration switched on: the read-only
// page (no sign-in needed), else the signed report, else the detail page,
// else the vendor's own result page, is the results URL; every other
// switched-on link, the PDF as a URL, and the vendor's link attachments go
// as attachments. Workable takes links only, so a PDF file is sent as its
// URL.
func LinksFor(rc core.ReportConfig, r ats.Reports, res core.Result) Links {
	type link struct {
		on         bool
		url, descr string
	}
	candidates := []link{
		{rc.ReadOnlyPageURL, r.ReadOnlyPageURL, "Assessment report (read-only page)"},
		{rc.SignedReportURL, r.SignedReportURL, "Signed assessment report"},
		{rc.DetailPageURL, r.DetailPageURL, "Candidate detail page (Switchboard sign-in)"},
		{true, res.ResultURL, "Result page"},
	}
	var l Links
	seen := map[string]bool{}
	add := func(url, descr string) {
		if url == "" || seen[url] {
			return
		}
		seen[url] = true
		if l.ResultsURL == "" {
			l.ResultsURL = url
			return
		}
		l.Attachments = append(l.Attachments, Attachment{Description: descr, URL: url})
	}
	for _, c := range candidates {
		if c.on {
			add(c.url, c.descr)
		}
	}
	if (rc.PDFURL || rc.PDFFile) && r.PDFURL != "" && !seen[r.PDFURL] {
		seen[r.PDFURL] = true
		l.Attachments = append(l.Attachments, Attachment{Description: "Assessment report (PDF)", URL: r.PDFURL})
	}
	for _, a := range res.Attachments {
		if a.URL != "" && !seen[a.URL] {
			seen[a.URL] = true
			l.Attachments = append(l.Attachments, Attachment{Description: cmpOr(a.Name, "Attachment"), URL: a.URL})
		}
	}
	return l
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// CompletedUpdate is the update of a completed order: links, score, grade,
// summary, one detail per component (its score, else its label) and the
// duration.
func CompletedUpdate(res core.Result, l Links) ResultsUpdate {
	a := &Assessment{Score: ScoreFor(res.Score), Grade: GradeFor(res), Summary: res.Summary,
		Duration: Duration(res.StartedAt, res.SubmittedAt)}
	for _, c := range res.Components {
		var v any
		switch {
		case c.Score != nil:
			v = c.Score.Value
		case c.Label != "":
			v = c.Label
		default:
			continue
		}
		if a.Details == nil {
			a.Details = map[string]any{}
		}
		a.Details[c.Key] = v
	}
	return ResultsUpdate{Status: StatusCompleted, ResultsURL: l.ResultsURL, Assessment: a, Attachments: l.Attachments}
}

// IdempotencyKey is the key of an assessment request. Workable makes one
// callback URL per assessment it creates, so a retried POST carries the
// same one and lands on the same order, while a test sent again later (a
// new assessment in Workable, with its own callback) is a new order, as
// Workable then waits on both. The URL is hashed: keys stay short and hold
// nothing of it.
func IdempotencyKey(callbackURL string) string {
	return "workable:callback:" + callbackHash(callbackURL)
}

func callbackHash(callbackURL string) string {
	sum := sha256.Sum256([]byte(callbackURL))
	return hex.EncodeToString(sum[:])
}

// CandidateKey identifies a Workable candidate by email: the request names
// no candidate id.
func CandidateKey(email string) string { return "email:" + strings.ToLower(strings.TrimSpace(email)) }

// OrderEvent turns an assessment request into the core's event: an ad-hoc
// order of the test for the candidate, with the callback URL.
func OrderEvent(r AssessmentRequest) ats.Event {
	return ats.Event{
		Kind:           ats.EventOrderRequested,
		Mode:           core.ModeAdHoc,
		IdempotencyKey: IdempotencyKey(r.CallbackURL),
		Candidate: ats.Candidate{
			ExternalID: CandidateKey(r.Candidate.Email),
			Name:       r.Candidate.Name(),
			Email:      r.Candidate.Email,
		},
		ExternalID:    "assessment:" + callbackHash(r.CallbackURL)[:24],
		ExternalJobID: r.JobShortcode,
		PackageID:     string(r.TestID),
		CallbackURL:   r.CallbackURL,
	}
}

// NoteFor is the timeline note of a sent assessment.
func NoteFor(u ats.Update) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Switchboard: the assessment %q was sent to %s", u.Vacancy.Name, cmpOr(u.Candidate.Name, u.Candidate.Email))
	if u.Candidate.Email != "" && u.Candidate.Name != "" {
		fmt.Fprintf(&b, " (%s)", u.Candidate.Email)
	}
	b.WriteString(".")
	if !u.Order.InvitationExpiresAt.IsZero() {
		fmt.Fprintf(&b, " The invitation is valid until %s.", u.Order.InvitationExpiresAt.UTC().Format("2 Jan 2006 15:04 MST"))
	}
	return b.String()
}
