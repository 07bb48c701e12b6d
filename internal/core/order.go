package core

import (
	"fmt"
	"strings"
	"time"
)

// State is where an order is in its life.
//
//	received ──> invited ──> in_progress ──> completed
//	   │            │             │
//	   │            └──> expired <┘
//	   ├──> rejected
//	   └──> cancelled (also from invited and in_progress)
type State string

const (
	StateReceived   State = "received"
	StateInvited    State = "invited"
	StateInProgress State = "in_progress"
	StateCompleted  State = "completed"
	StateExpired    State = "expired"
	StateRejected   State = "rejected"
	StateCancelled  State = "cancelled"
)

// States lists every state in life order.
var States = []State{StateReceived, StateInvited, StateInProgress, StateCompleted, StateExpired, StateRejected, StateCancelled}

var transitions = map[State][]State{
	StateReceived:   {StateInvited, StateRejected, StateCancelled},
	StateInvited:    {StateInProgress, StateExpired, StateCancelled},
	StateInProgress: {StateCompleted, StateExpired, StateCancelled},
}

// ParseState validates a state name.
func ParseState(s string) (State, error) {
	for _, st := range States {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown order state %q", s)
}

// Terminal reports whether no transition leaves s.
func (s State) Terminal() bool { return len(transitions[s]) == 0 }

// CanTransition reports whether an order may move from s to next.
func (s State) CanTransition(next State) bool {
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// TransitionError is returned for a move the state machine does not allow.
type TransitionError struct {
	From, To State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("order cannot go from %s to %s", e.From, e.To)
}

// Is makes errors.Is(err, ErrConflict) true: an illegal transition is a
// conflict with the order's current state.
func (e *TransitionError) Is(target error) bool { return target == ErrConflict }

// Mode is how an ATS ordered the assessment.
type Mode string

const (
	ModeAdHoc     Mode = "ad_hoc"    // a recruiter clicked "order"
	ModeTriggered Mode = "triggered" // a pipeline stage ordered it
	ModeInline    Mode = "inline"    // taken mid-application; no email
)

// Order is one request to assess one candidate for one job with one vacancy.
type Order struct {
	ID            string
	AccountID     string
	IntegrationID string
	VacancyID     string
	CandidateID   string
	State         State
	Mode          Mode
	// ExternalID is the ATS's handle for what was ordered (Lever: opportunity id).
	ExternalID string
	// ExternalJobID is the ATS's job (Lever: posting id).
	ExternalJobID string
	// IdempotencyKey makes a redelivered order land on the same row.
	IdempotencyKey string
	// InvitationHash is the SHA-256 of the candidate's link token; the token
	// itself is kept only encrypted, for resending.
	InvitationHash      string
	InvitationSealed    []byte
	InvitationExpiresAt time.Time
	ReturnURL           string // where the candidate goes after finishing (ATS-given or the vacancy's)
	// CandidateURL is where an outside vendor takes the candidate (its
	// test_url), when the vendor gave one; the built-in engine's link is the
	// invitation's.
	CandidateURL string
	// CallbackURL is where the ATS wanted results, on orders stored before
	// callbacks were sealed; read only. Newer orders keep the ATS's URL and
	// token in CallbackSealed, sealed by package integrations (they are
	// credentials: a token, and a URL that may carry one).
	CallbackURL    string
	CallbackSealed []byte
	Reason         string // why it was rejected or cancelled
	StartedAt      time.Time
	CompletedAt    time.Time
	// Test marks an order a validation run placed for a test candidate, so
	// lists can tell it from real ones. Set once (MarkOrderTest), never cleared.
	Test      bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Transition moves the order to next at time now, or says why it cannot.
func (o *Order) Transition(next State, now time.Time) error {
	if !o.State.CanTransition(next) {
		return &TransitionError{From: o.State, To: next}
	}
	o.State = next
	o.UpdatedAt = now
	switch next {
	case StateInProgress:
		o.StartedAt = now
	case StateCompleted:
		o.CompletedAt = now
	}
	return nil
}

// Candidate is a person an ATS asked us to assess, as that ATS knows them.
type Candidate struct {
	ID            string
	AccountID     string
	IntegrationID string
	ExternalID    string // the ATS's id (Lever: opportunity id)
	Name          string
	Email         string
	ProfileURL    string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// SupersededKey is the idempotency key an order keeps once a re-invitation
// has taken its own over: unique, and never a key an ATS sends.
func (o Order) SupersededKey() string { return "superseded:" + o.ID + ":" + o.IdempotencyKey }

// Superseded reports whether a re-invitation has replaced the order.
func (o Order) Superseded() bool { return strings.HasPrefix(o.IdempotencyKey, "superseded:"+o.ID+":") }
