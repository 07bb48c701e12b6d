package core

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Result is what an assessment or check concluded about a candidate, in
// Switchboard's own terms: every vendor's result, the built-in engine's
// included, is mapped onto it, and connectors write back from it alone. The
// order's state is the result's status; Value is the verdict a vendor may
// give on top (passed, failed, …).
type Result struct {
	OrderID     string       `json:"-"`
	Value       ResultValue  `json:"value,omitempty"`
	Score       *Score       `json:"score,omitempty"`
	Label       string       `json:"label,omitempty"`   // e.g. "Great fit"
	Summary     string       `json:"summary,omitempty"` // plain text
	Components  []Component  `json:"components,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	ResultURL   string       `json:"result_url,omitempty"`
	StartedAt   time.Time    `json:"-"`
	SubmittedAt time.Time    `json:"-"`
}

// ResultValue is a vendor's verdict, StackOne's result.value: an open set,
// empty when the vendor gives none.
type ResultValue string

// The verdicts Switchboard knows.
const (
	ResultPassed ResultValue = "passed"
	ResultFailed ResultValue = "failed"
)

// Score is a number on a scale: Value between Min and Max, both inclusive,
// and Min below Max (a scale without width says nothing: no engine makes
// one, and the vendor API refuses it).
// A result or component either has all three or no score (a nil *Score).
type Score struct {
	Value float64 `json:"value"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
}

// Component is one part of a result, such as one module of an assessment.
// Key identifies it within the package (ATSs key per-part results and custom
// fields by it); Score is optional.
type Component struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Score *Score `json:"score,omitempty"`
	Label string `json:"label,omitempty"`
}

// Attachment is a file that goes with a result: either a file Switchboard
// stores (FileID) or a link (URL), never both. ContentType is a MIME type
// ("application/pdf", "video/mp4"), which connectors map to what their ATS
// distinguishes.
type Attachment struct {
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type"`
	FileID      string `json:"file_id,omitempty"`
	URL         string `json:"url,omitempty"`
}

// Validate checks Min < Max, Min ≤ Value ≤ Max and that all three are numbers.
func (s Score) Validate() error {
	for _, f := range []float64{s.Value, s.Min, s.Max} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("score %s is not a number", FormatNumber(f))
		}
	}
	switch {
	case s.Min >= s.Max:
		return fmt.Errorf("min %s is not below max %s", FormatNumber(s.Min), FormatNumber(s.Max))
	case s.Value < s.Min || s.Value > s.Max:
		return fmt.Errorf("score %s is outside %s–%s", FormatNumber(s.Value), FormatNumber(s.Min), FormatNumber(s.Max))
	}
	return nil
}

// Percent is the score's position on its scale, 0–100, rounded half up; a
// scale without width (never valid, but Percent does not divide by zero)
// counts as 100.
func (s Score) Percent() int {
	if s.Max == s.Min {
		return 100
	}
	return int(math.Floor((s.Value-s.Min)/(s.Max-s.Min)*100 + 0.5))
}

// FormatNumber writes a score number as people write it: 82, 4.5.
func FormatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Validate checks that an attachment is exactly one of a stored file or a
// link, and says what it contains.
func (a Attachment) Validate() error {
	switch {
	case a.FileID == "" && a.URL == "":
		return fmt.Errorf("an attachment needs a url or a stored file")
	case a.FileID != "" && a.URL != "":
		return fmt.Errorf("an attachment is a url or a stored file, not both")
	case a.ContentType == "":
		return fmt.Errorf("an attachment needs a content type")
	}
	return nil
}

// Validate checks the result's domain rules and names each offending field.
func (r Result) Validate() error {
	v := Invalid()
	if r.Score != nil {
		if err := r.Score.Validate(); err != nil {
			v.Add("score", err.Error())
		}
	}
	for i, c := range r.Components {
		f := fmt.Sprintf("components[%d]", i)
		if c.Key == "" {
			v.Add(f+".key", "a component needs a key")
		}
		if c.Name == "" {
			v.Add(f+".name", "a component needs a name")
		}
		if c.Score != nil {
			if err := c.Score.Validate(); err != nil {
				v.Add(f+".score", err.Error())
			}
		}
	}
	for i, a := range r.Attachments {
		if err := a.Validate(); err != nil {
			v.Add(fmt.Sprintf("attachments[%d]", i), err.Error())
		}
	}
	if !r.StartedAt.IsZero() && !r.SubmittedAt.IsZero() && r.SubmittedAt.Before(r.StartedAt) {
		v.Add("submitted_at", "the result was submitted before it was started")
	}
	return v.OrNil()
}

// Answer is one answered question while the assessment is in progress.
type Answer struct {
	OrderID    string
	QuestionID string
	OptionID   string
	AnsweredAt time.Time
}

// NewScore makes a score from its optional parts: all three or none (nil),
// with Min < Max and Min ≤ Value ≤ Max.
func NewScore(value, min, max *float64) (*Score, error) {
	switch n := countSet(value, min, max); n {
	case 0:
		return nil, nil
	case 3:
	default:
		return nil, fmt.Errorf("a score needs value, min and max together (%d of 3 given)", n)
	}
	s := Score{Value: *value, Min: *min, Max: *max}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func countSet(fs ...*float64) int {
	n := 0
	for _, f := range fs {
		if f != nil {
			n++
		}
	}
	return n
}
