package lever

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Webhook events Switchboard uses (ids per help.lever.co; verified).
const (
	EventApplicationCreated     = "applicationCreated"
	EventCandidateStageChange   = "candidateStageChange"
	EventCandidateArchiveChange = "candidateArchiveChange"
	EventCandidateHired         = "candidateHired"
	EventCandidateDeleted       = "candidateDeleted"
)

// MaxWebhookBytes bounds a webhook body. Lever's payloads carry ids only,
// so anything near this is not Lever.
const MaxWebhookBytes = 1 << 20

// MaxIDLen bounds the ids a signed delivery may name (longer ones are refused
// with 400); Lever's are UUIDs.
const MaxIDLen = 128

// storedWebhook is what Switchboard keeps of a delivery: what Resolve reads.
type storedWebhook struct {
	Event string     `json:"event"`
	Data  storedData `json:"data"`
}

type storedData struct {
	OpportunityID string `json:"opportunityId"`
	ToStageID     string `json:"toStageId,omitempty"`
}

// WebhookPayload is the body Lever POSTs to a webhook URL.
//
// Verified: token, triggeredAt, signature, event, data.opportunityId.
// Inferred: id and the other data fields (see WebhookData).
type WebhookPayload struct {
	ID          string      `json:"id"`
	TriggeredAt int64       `json:"triggeredAt"` // epoch ms; also signed
	Event       string      `json:"event"`
	Token       string      `json:"token"`
	Signature   string      `json:"signature"`
	Data        WebhookData `json:"data"`
}

// WebhookData carries ids only; re-read the opportunity for anything else,
// and do not trust these values: they are not signed.
type WebhookData struct {
	OpportunityID string `json:"opportunityId,omitempty"` // verified
	CandidateID   string `json:"candidateId,omitempty"`   // deprecated alias of opportunityId
	ContactID     string `json:"contactId,omitempty"`     // inferred
	FromStageID   string `json:"fromStageId,omitempty"`   // inferred, candidateStageChange
	ToStageID     string `json:"toStageId,omitempty"`     // inferred, candidateStageChange
	ApplicationID string `json:"applicationId,omitempty"` // inferred, applicationCreated
}

// UnmarshalJSON accepts triggeredAt as a JSON number or a numeric string.
func (p *WebhookPayload) UnmarshalJSON(b []byte) error {
	type plain WebhookPayload
	var aux struct {
		plain
		TriggeredAt flexInt64 `json:"triggeredAt"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*p = WebhookPayload(aux.plain)
	p.TriggeredAt = int64(aux.TriggeredAt)
	return nil
}

// ParseError reports a webhook body that is not a well-formed Lever payload.
// Answer it with 400: redelivering the same bytes cannot help.
type ParseError struct {
	Reason string
	Err    error // the underlying decode error, if any
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return "lever: malformed webhook: " + e.Reason + ": " + e.Err.Error()
	}
	return "lever: malformed webhook: " + e.Reason
}

func (e *ParseError) Unwrap() error { return e.Err }

// ParseWebhook decodes a webhook body and checks its shape: at most
// MaxWebhookBytes, one JSON object, a non-empty event and token, and a
// positive triggeredAt. It does not verify the signature or freshness.
// Unknown fields are ignored, as Lever may add some.
func ParseWebhook(body []byte) (WebhookPayload, error) {
	if len(body) > MaxWebhookBytes {
		return WebhookPayload{}, &ParseError{Reason: fmt.Sprintf("body is %d bytes, limit %d", len(body), MaxWebhookBytes)}
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		// json.Unmarshal would accept null into a struct.
		return WebhookPayload{}, &ParseError{Reason: "body is not a JSON object"}
	}
	var p WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return WebhookPayload{}, &ParseError{Reason: "invalid JSON", Err: err}
	}
	switch {
	case p.Event == "":
		return WebhookPayload{}, &ParseError{Reason: "event is missing"}
	case p.Token == "":
		return WebhookPayload{}, &ParseError{Reason: "token is missing"}
	case p.TriggeredAt <= 0:
		return WebhookPayload{}, &ParseError{Reason: "triggeredAt is missing or not positive"}
	}
	return p, nil
}

// IsPing reports whether the payload is Lever's "test connection" ping:
// signed, but without data.opportunityId. Answer it 200 and do nothing.
func (p WebhookPayload) IsPing() bool { return p.Data.OpportunityID == "" }

// CheckFreshness returns ErrStale when triggeredAt is further than tolerance
// from now, in either direction, to bound replays of captured payloads.
func CheckFreshness(p WebhookPayload, now time.Time, tolerance time.Duration) error {
	d := now.Sub(time.UnixMilli(p.TriggeredAt)) // saturates, never overflows
	if d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: triggeredAt is %s from now, tolerance %s", ErrStale, d.Round(time.Millisecond), tolerance)
	}
	return nil
}

// SignedKey is a hash of what the signature covers (token and triggeredAt),
// and nothing else. Keying stored deliveries on it means a captured signed
// payload, replayed with another opportunityId or event (neither is
// signed), lands on the original delivery instead of ordering for someone
// else. Should Lever change the token on a retry, the retry is stored again
// and the order's own idempotency key keeps it to one order.
func (p WebhookPayload) SignedKey() string {
	return hashParts(p.Token, strconv.FormatInt(p.TriggeredAt, 10))
}

func hashParts(parts ...string) string {
	h := sha256.New()
	for _, s := range parts {
		// Length-prefix each part so no two field combinations collide.
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return "lever:" + hex.EncodeToString(h.Sum(nil))
}
