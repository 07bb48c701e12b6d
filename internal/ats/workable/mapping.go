package workable

// The mapping between Switchboard's domain and Workable's wire format, one
// function per direction, so the connector holds no wire details.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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

// StatusText is the order's state as the status field shows it to a
// recruiter.
func StatusText(s core.State) string {
	switch s {
	case core.StateReceived:
		return "Sent"
	case core.StateInvited:
		return "Invited"
	case core.StateInProgress:
		return "In progress"
	case core.StateCompleted:
		return "Completed"
	case core.StateExpired:
		return "Expired"
	case core.StateRejected:
		return "Rejected"
	case core.StateCancelled:
		return "Cancelled"
	}
	return string(s)
}

// ErrField is wrapped when a mapped field cannot take its value: Workable
// has no such custom attribute, it is disabled, or of a type that cannot
// hold it. Someone must fix the mapping.
var ErrField = errors.New("workable: custom field")

// AttributeValuesFor is what the Assessments tab writes for one state
// change, in order: the status (every state), and on completion the overall
// score, the label (its mapped value, else its text) and one score per
// mapped component. A score goes as a number to a numeric attribute and as
// text to a text one, on Workable's 0–100 scale like ScoreFor; what the
// result lacks is left out. attrs are the account's custom attributes.
func AttributeValuesFor(state core.State, r *core.Result, wb core.WriteBackConfig, attrs []CustomAttribute) ([]AttributeValue, error) {
	byID := make(map[string]CustomAttribute, len(attrs))
	for _, a := range attrs {
		byID[a.ID] = a
	}
	var out []AttributeValue
	text := func(what string, f core.FieldMapping, s string) error {
		a, err := attribute(byID, what, f, AttrShortText, AttrFreeText)
		if err != nil {
			return err
		}
		if a.Type == AttrShortText {
			s = truncateRunes(s, MaxShortText)
		}
		out = append(out, TextValue(a.ID, s))
		return nil
	}
	score := func(what string, f core.FieldMapping, s core.Score) error {
		a, err := attribute(byID, what, f, AttrNumeric, AttrShortText, AttrFreeText)
		if err != nil {
			return err
		}
		n := s.Value
		if s.Min != 0 || s.Max != 100 {
			n = float64(s.Percent())
		}
		if a.Type == AttrNumeric {
			out = append(out, NumberValue(a.ID, n))
		} else {
			out = append(out, TextValue(a.ID, core.FormatNumber(n)))
		}
		return nil
	}
	if f := wb.StatusField; f.Enabled && f.FieldID != "" {
		if err := text("the status", f, StatusText(state)); err != nil {
			return nil, err
		}
	}
	if state != core.StateCompleted || r == nil {
		return out, nil
	}
	if f := wb.ScoreField; f.Enabled && f.FieldID != "" && r.Score != nil {
		if err := score("the score", f, *r.Score); err != nil {
			return nil, err
		}
	}
	if f := wb.LabelField; f.Enabled && f.FieldID != "" && r.Label != "" {
		if err := text("the label", f, cmpOr(wb.LabelValues[r.Label], r.Label)); err != nil {
			return nil, err
		}
	}
	for _, c := range r.Components {
		if f, ok := wb.IndicatorFields[c.Key]; ok && f.Enabled && f.FieldID != "" && c.Score != nil {
			if err := score("the "+cmpOr(c.Name, c.Key)+" score", f, *c.Score); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// attribute is the mapped custom attribute, if it can take a value of one of
// types.
func attribute(byID map[string]CustomAttribute, what string, f core.FieldMapping, types ...string) (CustomAttribute, error) {
	a, ok := byID[f.FieldID]
	switch {
	case !ok:
		return a, fmt.Errorf("%w: Workable has no custom field %q for %s: copy its id from Workable, or switch it off", ErrField, f.FieldID, what)
	case !a.Enabled:
		return a, fmt.Errorf("%w: the Workable field %q (%s) for %s is disabled: enable it in Workable, or switch it off", ErrField, a.ID, a.Label, what)
	case !slices.Contains(types, a.Type):
		return a, fmt.Errorf("%w: the Workable field %q (%s) for %s is a %s field; it needs a %s field", ErrField, a.ID, a.Label, what,
			strings.ReplaceAll(a.Type, "_", " "), strings.ReplaceAll(strings.Join(types, " or "), "_", " "))
	}
	return a, nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// FieldsWanted reports whether the Assessments tab writes anything for a
// change to state.
func FieldsWanted(state core.State, wb core.WriteBackConfig) bool {
	if wb.StatusField.Enabled {
		return true
	}
	if state != core.StateCompleted {
		return false
	}
	on := wb.ScoreField.Enabled || wb.LabelField.Enabled
	for _, f := range wb.IndicatorFields {
		on = on || f.Enabled
	}
	return on
}

// FieldProblems says, per switched-on mapping, what keeps its Workable field
// from taking the value: the Assessments tab's part of validation.
func FieldProblems(wb core.WriteBackConfig, attrs []CustomAttribute) []string {
	byID := make(map[string]CustomAttribute, len(attrs))
	for _, a := range attrs {
		byID[a.ID] = a
	}
	var problems []string
	check := func(what string, f core.FieldMapping, types ...string) {
		if !f.Enabled {
			return
		}
		if _, err := attribute(byID, what, f, types...); err != nil {
			problems = append(problems, strings.TrimPrefix(err.Error(), ErrField.Error()+": "))
		}
	}
	check("the status", wb.StatusField, AttrShortText, AttrFreeText)
	check("the score", wb.ScoreField, AttrNumeric, AttrShortText, AttrFreeText)
	check("the label", wb.LabelField, AttrShortText, AttrFreeText)
	keys := slices.Sorted(maps.Keys(wb.IndicatorFields))
	for _, k := range keys {
		check("the "+k+" score", wb.IndicatorFields[k], AttrNumeric, AttrShortText, AttrFreeText)
	}
	return problems
}
