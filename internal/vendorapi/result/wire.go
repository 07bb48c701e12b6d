// Package result reads a vendor's result update: the body of StackOne's
// PATCH /unified/ats/assessments/orders/{id}/result (and the identical
// background_checks one), strictly decoded and validated into an Update.
//
// The wire types (Body and its parts) are StackOne's field for field, so a
// vendor's StackOne code ports with a base-URL change. Parse is a pure
// function: it returns a validated Update or an *Invalid listing every field
// at fault at once (path like "score.value" or "attachments[0].url" and a
// sentence for the vendor's developer), never just the first. Nothing here
// knows about orders, stores or HTTP; the vendor API's handlers call it and
// turn an Update into the core result with Update.Result.
//
// Choices where StackOne leaves room:
//   - result.value is an open enum at StackOne. Here an unknown value is
//     refused, not coerced to unmapped_value, so a typo ("pased") cannot turn
//     a result into an unreadable one; a vendor whose status has no word in
//     the list sends unmapped_value with source_value saying what it is. The
//     same holds for attachments[].content_type.value.
//   - score.value, min and max are strings at StackOne ("80"); JSON numbers
//     are accepted too (Kombo sends numbers). Either way they must be plain
//     decimal numbers (JSON's number syntax), finite, all three or none.
//   - An empty string or null is the same as leaving a field out; an update
//     that sets nothing is refused.
//   - id, candidate and passthrough are StackOne fields that do not change
//     the result; they are read (and checked) so StackOne code is not refused,
//     and handed on in the Update for the handler to use or ignore.
package result

import (
	"bytes"
	"encoding/json"
)

// Body is the wire form of a result update.
type Body struct {
	ID             string          `json:"id,omitempty"`
	Score          *Score          `json:"score,omitempty"`
	StartDate      string          `json:"start_date,omitempty"`
	SubmissionDate string          `json:"submission_date,omitempty"`
	Summary        string          `json:"summary,omitempty"`
	Result         *Enum           `json:"result,omitempty"`
	ResultURL      string          `json:"result_url,omitempty"`
	Attachments    []Attachment    `json:"attachments,omitempty"`
	Candidate      *Candidate      `json:"candidate,omitempty"`
	Passthrough    json.RawMessage `json:"passthrough,omitempty"`
}

// Score is the wire score: each number may be a JSON string or number.
type Score struct {
	Label string `json:"label,omitempty"`
	Value Number `json:"value,omitzero"`
	Min   Number `json:"min,omitzero"`
	Max   Number `json:"max,omitzero"`
}

// Enum is StackOne's {value, source_value} pair: value from a fixed list,
// source_value the vendor's own word for it.
type Enum struct {
	Value       string `json:"value,omitempty"`
	SourceValue string `json:"source_value,omitempty"`
}

// Attachment is a file the vendor hosts, by URL (StackOne has no inline
// bytes).
type Attachment struct {
	URL         string `json:"url,omitempty"`
	ContentType *Enum  `json:"content_type,omitempty"`
}

// Candidate is the vendor's view of the candidate (its profile page).
type Candidate struct {
	ID         string `json:"id,omitempty"`
	ProfileURL string `json:"profile_url,omitempty"`
}

// Number holds a score number as sent, a JSON string or number, unchecked:
// decoding never fails on it, so a bad number is reported with every other
// fault by the validator instead of stopping the decoder at the first one.
type Number struct {
	raw []byte // the JSON token; nil when absent or null
}

// NumberOf is the wire form of a number, as StackOne sends it (a string).
func NumberOf(s string) Number {
	b, _ := json.Marshal(s) // a string always marshals
	return Number{raw: b}
}

// UnmarshalJSON keeps the token for the validator.
func (n *Number) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		n.raw = nil
		return nil
	}
	n.raw = bytes.Clone(b)
	return nil
}

// MarshalJSON writes the token back as it came.
func (n Number) MarshalJSON() ([]byte, error) {
	if n.raw == nil {
		return []byte("null"), nil
	}
	return n.raw, nil
}

// IsZero reports an absent number (for omitzero).
func (n Number) IsZero() bool { return n.raw == nil }
