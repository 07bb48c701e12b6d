package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"switchboard/internal/strictjson"
)

// Limits on what a vendor may send. They are generous for real results and
// keep one update from filling a row or an ATS field.
const (
	MaxBodyBytes       = 256 << 10 // the whole body
	MaxAttachments     = 20
	MaxURLLength       = 2048  // characters, result_url, attachment and profile URLs
	MaxSummaryLength   = 20000 // characters of summary as sent, markup included
	MaxLabelLength     = 100   // score.label
	MaxSourceLength    = 200   // every source_value
	MaxIDLength        = 255   // id, candidate.id
	MaxPassthroughSize = 16 << 10
)

// Outcome is result.value.
type Outcome string

// The outcomes StackOne lists.
const (
	Initiated     Outcome = "initiated"
	InProgress    Outcome = "in_progress"
	Cancelled     Outcome = "cancelled"
	Completed     Outcome = "completed"
	Expired       Outcome = "expired"
	Failed        Outcome = "failed"
	Passed        Outcome = "passed"
	UnmappedValue Outcome = "unmapped_value"
)

var outcomes = []string{string(Initiated), string(InProgress), string(Cancelled), string(Completed),
	string(Expired), string(Failed), string(Passed), string(UnmappedValue)}

// The attachment content types StackOne lists.
const (
	ContentText     = "text"
	ContentPDF      = "pdf"
	ContentVideo    = "video"
	ContentOther    = "other"
	ContentUnmapped = "unmapped_value"
)

var contentTypes = []string{ContentText, ContentPDF, ContentVideo, ContentOther, ContentUnmapped}

// Options are the operator's choices for validation.
type Options struct {
	// AllowHTTP accepts http:// URLs for result_url, attachments and the
	// candidate's profile (a vendor on a private network); https otherwise.
	AllowHTTP bool
}

// Update is a validated result update. Zero fields were not sent.
type Update struct {
	ID            string  // the order id the vendor repeated, if it did
	Outcome       Outcome // result.value; "" when not sent
	OutcomeSource string  // result.source_value
	Score         *ValidScore
	Summary       *Summary
	ResultURL     string
	Attachments   []ValidAttachment
	StartedAt     time.Time // UTC
	SubmittedAt   time.Time // UTC
	CandidateID   string
	ProfileURL    string          // candidate.profile_url
	Passthrough   json.RawMessage // a JSON object, unread
}

// ValidScore is a checked score: Min < Max and Min ≤ Value ≤ Max.
type ValidScore struct {
	Label           string
	Value, Min, Max float64
}

// Summary is the sanitised summary: HTML for ATSs that render markup, Text
// for those that show plain text.
type Summary struct {
	HTML string
	Text string
}

// ValidAttachment is a checked attachment.
type ValidAttachment struct {
	URL               string
	ContentType       string // one of the content types above
	ContentTypeSource string
}

// FieldError is one fault. Field is the JSON path ("score.value",
// "attachments[0].url"; "" for the body as a whole).
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Invalid is a refused update: every fault found, in body order.
type Invalid struct {
	Fields []FieldError
	err    error // the decoder's own error, for the log
}

func (e *Invalid) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return "invalid result update: " + strings.Join(parts, "; ")
}

func (e *Invalid) Unwrap() error { return e.err }

func (f FieldError) String() string {
	if f.Field == "" {
		return f.Message
	}
	return f.Field + " " + f.Message
}

// Parse reads one result update from r and validates it. Its error is an
// *Invalid, or the reader's own error.
func Parse(r io.Reader, opt Options) (Update, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if err != nil {
		return Update{}, fmt.Errorf("read result update: %w", err)
	}
	if len(data) > MaxBodyBytes {
		return Update{}, &Invalid{Fields: []FieldError{{Message: fmt.Sprintf("the body is larger than %d KiB", MaxBodyBytes>>10)}}}
	}
	var b Body
	if err := strictjson.Decode(bytes.NewReader(data), &b, "the body"); err != nil {
		var se *strictjson.Error
		if !errors.As(err, &se) { // Decode promises one; keep any other for the log
			return Update{}, fmt.Errorf("decode result update: %w", err)
		}
		msg := se.Message
		if se.Field != "" {
			msg = se.FieldMessage
		}
		return Update{}, &Invalid{Fields: []FieldError{{Field: se.Field, Message: msg}}, err: err}
	}
	return b.Validate(opt)
}

// Validate checks a decoded body. Its error is an *Invalid.
func (b Body) Validate(opt Options) (Update, error) {
	v := validator{opt: opt}
	var u Update
	u.ID = v.line("id", b.ID, MaxIDLength)
	if b.Score != nil {
		u.Score = v.score(*b.Score)
	}
	u.StartedAt = v.date("start_date", b.StartDate)
	u.SubmittedAt = v.date("submission_date", b.SubmissionDate)
	if !u.StartedAt.IsZero() && !u.SubmittedAt.IsZero() && u.SubmittedAt.Before(u.StartedAt) {
		v.add("submission_date", "is before start_date: the submission cannot come before the start")
	}
	if b.Summary != "" {
		u.Summary = v.summary(b.Summary)
	}
	if b.Result != nil {
		u.Outcome, u.OutcomeSource = v.result(*b.Result)
	}
	u.ResultURL = v.url("result_url", b.ResultURL)
	u.Attachments = v.attachments(b.Attachments)
	if b.Candidate != nil {
		u.CandidateID = v.line("candidate.id", b.Candidate.ID, MaxIDLength)
		u.ProfileURL = v.url("candidate.profile_url", b.Candidate.ProfileURL)
	}
	u.Passthrough = v.passthrough(b.Passthrough)
	if len(v.errs) == 0 && u.Outcome == "" && u.Score == nil && u.Summary == nil && u.ResultURL == "" &&
		len(u.Attachments) == 0 && u.StartedAt.IsZero() && u.SubmittedAt.IsZero() {
		v.add("", "the update sets nothing: send at least one of result, score, summary, result_url, attachments, start_date or submission_date")
	}
	if len(v.errs) > 0 {
		return Update{}, &Invalid{Fields: v.errs}
	}
	return u, nil
}

// validator collects faults; its methods return the checked value (zero when
// at fault) so Validate reads as the body does.
type validator struct {
	opt  Options
	errs []FieldError
}

func (v *validator) add(field, msg string) {
	v.errs = append(v.errs, FieldError{Field: field, Message: msg})
}

// line checks a one-line text field.
func (v *validator) line(field, s string, max int) string {
	switch {
	case s == "":
		return ""
	case utf8.RuneCountInString(s) > max:
		v.add(field, fmt.Sprintf("is longer than %d characters", max))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.add(field, "must be one line of text, without control characters such as line breaks or tabs")
	default:
		return s
	}
	return ""
}

func (v *validator) score(s Score) *ValidScore {
	label := v.line("score.label", s.Label, MaxLabelLength)
	nums := [3]struct {
		field string
		n     Number
		f     float64
		ok    bool
	}{{field: "score.value", n: s.Value}, {field: "score.min", n: s.Min}, {field: "score.max", n: s.Max}}
	all := true
	for i := range nums {
		if nums[i].n.IsZero() {
			v.add(nums[i].field, "is missing: a score needs value, min and max together (or no score at all)")
			all = false
			continue
		}
		nums[i].f, nums[i].ok = v.number(nums[i].field, nums[i].n)
		all = all && nums[i].ok
	}
	if !all {
		return nil
	}
	val, lo, hi := nums[0].f, nums[1].f, nums[2].f
	switch {
	case lo >= hi:
		v.add("score.max", fmt.Sprintf("must be greater than score.min (%s)", formatNumber(lo)))
	case val < lo:
		v.add("score.value", fmt.Sprintf("must be at least score.min (%s)", formatNumber(lo)))
	case val > hi:
		v.add("score.value", fmt.Sprintf("must be at most score.max (%s)", formatNumber(hi)))
	default:
		return &ValidScore{Label: label, Value: val, Min: lo, Max: hi}
	}
	return nil
}

// number reads a score number: a JSON number, or a string holding one in
// JSON's syntax (so no "NaN", "Inf", hex or spaces), finite as a float64.
func (v *validator) number(field string, n Number) (float64, bool) {
	text := string(n.raw)
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(n.raw, &text); err != nil {
			v.add(field, "must be a number, like 80 or \"80\"")
			return 0, false
		}
		if !isJSONNumber(text) {
			v.add(field, fmt.Sprintf("must be a number, like 80 or \"80\", not %q", truncate(text, 40)))
			return 0, false
		}
	} else if !isJSONNumber(text) {
		v.add(field, "must be a number, like 80 or \"80\"")
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		v.add(field, "is too large a number")
		return 0, false
	}
	return f, true
}

// isJSONNumber is JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func (v *validator) date(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.add(field, fmt.Sprintf("must be a date and time in RFC 3339 form, like 2021-01-01T01:01:01.000Z, not %q", truncate(s, 40)))
		return time.Time{}
	}
	// Far dates are typos, and beyond year 9999 in UTC one has no RFC 3339 form.
	if t = t.UTC(); t.Year() < 1900 || t.Year() > 9999 {
		v.add(field, "is out of range: send a date between the years 1900 and 9999")
		return time.Time{}
	}
	return t
}

func (v *validator) result(e Enum) (Outcome, string) {
	value := v.enum("result", e, outcomes)
	return Outcome(value), e.SourceValue
}

// enum checks a {value, source_value} pair at field against the list.
func (v *validator) enum(field string, e Enum, list []string) string {
	source := v.line(field+".source_value", e.SourceValue, MaxSourceLength)
	switch {
	case e.Value == "":
		v.add(field+".value", "is required: one of "+strings.Join(list, ", "))
	case !slices.Contains(list, e.Value):
		v.add(field+".value", fmt.Sprintf("must be one of %s, not %q (for a value of your own, send unmapped_value with it in source_value)",
			strings.Join(list, ", "), truncate(e.Value, 40)))
	case e.Value == "unmapped_value" && e.SourceValue == "":
		v.add(field+".source_value", "is required with unmapped_value: say what the value is")
	case source == "" && e.SourceValue != "":
		// source_value at fault, already reported
	default:
		return e.Value
	}
	return ""
}

// url checks a link the ATS will show or Switchboard will fetch: absolute,
// https (http when allowed), a host, no user name or password.
func (v *validator) url(field, s string) string {
	if s == "" {
		return ""
	}
	if utf8.RuneCountInString(s) > MaxURLLength {
		v.add(field, fmt.Sprintf("is longer than %d characters", MaxURLLength))
		return ""
	}
	schemes := "https"
	if v.opt.AllowHTTP {
		schemes = "http or https"
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		v.add(field, "must be a URL without spaces or control characters (percent-encode them)")
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		v.add(field, fmt.Sprintf("must be an absolute %s URL with a host, like https://example.com/result", schemes))
		return ""
	}
	switch {
	case u.Scheme == "https", u.Scheme == "http" && v.opt.AllowHTTP:
	default:
		v.add(field, fmt.Sprintf("must be an %s URL, not %s", schemes, u.Scheme))
		return ""
	}
	if u.User != nil {
		v.add(field, "must not hold a user name or password: put credentials in a token in the path or query")
		return ""
	}
	return s
}

// CheckURL applies the rule for a result's links (absolute, https unless
// opt allows http, a host, no user name or password) to another URL a vendor
// sends, such as its webhook endpoint, so both are refused in the same words.
// An empty s passes: whether the field is required is the caller's rule.
func CheckURL(field, s string, opt Options) []FieldError {
	v := validator{opt: opt}
	v.url(field, s)
	return v.errs
}

func (v *validator) attachments(as []Attachment) []ValidAttachment {
	if len(as) > MaxAttachments {
		v.add("attachments", fmt.Sprintf("has %d items: at most %d are allowed", len(as), MaxAttachments))
		return nil
	}
	var out []ValidAttachment
	seen := map[string]int{}
	for i, a := range as {
		field := fmt.Sprintf("attachments[%d]", i)
		var ok = true
		var va ValidAttachment
		if a.URL == "" {
			v.add(field+".url", "is required: the URL Switchboard fetches the file from")
			ok = false
		} else if va.URL = v.url(field+".url", a.URL); va.URL == "" {
			ok = false
		} else if j, dup := seen[va.URL]; dup {
			v.add(field+".url", fmt.Sprintf("is the same as attachments[%d].url: send each file once", j))
			ok = false
		} else {
			seen[va.URL] = i
		}
		if a.ContentType == nil {
			v.add(field+".content_type", "is required: say what the file is, like {\"value\": \"pdf\"}")
			ok = false
		} else if va.ContentType = v.enum(field+".content_type", *a.ContentType, contentTypes); va.ContentType == "" {
			ok = false
		} else {
			va.ContentTypeSource = a.ContentType.SourceValue
		}
		if ok {
			out = append(out, va)
		}
	}
	return out
}

func (v *validator) passthrough(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	// Compact, so the value and its size are the same however it was spaced.
	var b bytes.Buffer
	switch err := json.Compact(&b, raw); {
	case err != nil || raw[0] != '{': // the decoder read it, so only the latter
		v.add("passthrough", "must be an object")
	case b.Len() > MaxPassthroughSize:
		v.add("passthrough", fmt.Sprintf("is larger than %d KiB", MaxPassthroughSize>>10))
	default:
		return b.Bytes()
	}
	return nil
}
