package core

import "time"

// TimelineEntry is one thing that happened to an order: a webhook received, a
// state change, an email sent, an ATS call and its status code, a retry.
type TimelineEntry struct {
	ID        int64
	OrderID   string
	AccountID string
	At        time.Time
	Kind      string            // e.g. "state", "email", "ats_call", "job_failed"
	Message   string            // one human sentence
	Detail    map[string]string // status codes, job ids, attempts…
}

// InboundEvent is an authenticated request from an ATS, stored before it is
// acknowledged so that nothing accepted is lost. DedupeKey makes a redelivery
// land on the same row. Payload is only what processing needs, never the
// whole body.
type InboundEvent struct {
	ID            string
	AccountID     string
	IntegrationID string
	Kind          string
	DedupeKey     string
	Payload       []byte
	ReceivedAt    time.Time
	// ProcessedAt is when processing last ran (or, for a delivery that needs
	// no work, when it was ignored); zero until then.
	ProcessedAt time.Time
	// Outcome says in a sentence what processing did, e.g. "1 order created"
	// or "ignored: test ping".
	Outcome string
	// Failure is why the last processing attempt failed; "" when it did not.
	Failure string
}

// OutboxMail is an email kept in the dev outbox when no SMTP server is set.
type OutboxMail struct {
	ID        string
	AccountID string
	OrderID   string
	To        string
	Subject   string
	Text      string
	HTML      string
	CreatedAt time.Time
}
