package ats

import (
	"errors"
	"fmt"
	"time"

	"switchboard/internal/ats/atshttp"
)

// InboundError is a refusal of inbound input, carrying the HTTP status to
// answer. Its message is safe to show to the sender.
type InboundError struct {
	Status  int
	Message string
}

func (e *InboundError) Error() string { return fmt.Sprintf("%d: %s", e.Status, e.Message) }

// Refuse builds an InboundError.
func Refuse(status int, format string, args ...any) error {
	return &InboundError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// Failure says what to do about a failed outbound call.
type Failure int

const (
	// FailRetry: try again later (rate limited, ATS down, network).
	FailRetry Failure = iota
	// FailGiveUp: the ATS refused this request and will refuse it again.
	FailGiveUp
	// FailConfig: credentials or settings are wrong; a person must fix them.
	FailConfig
)

func (f Failure) String() string {
	switch f {
	case FailRetry:
		return "retry"
	case FailGiveUp:
		return "give up"
	case FailConfig:
		return "fix configuration"
	}
	return "unknown"
}

// CallError is an outbound failure classified by the connector.
type CallError struct {
	Failure    Failure
	RetryAfter time.Duration
	Err        error
}

func (e *CallError) Error() string { return e.Err.Error() }
func (e *CallError) Unwrap() error { return e.Err }

// Classify returns how to handle err: a *CallError's own verdict, retry after
// the wait an *atshttp.WaitError names (a client's rate limit), or retry for
// anything unclassified (a network error, a timeout).
func Classify(err error) (Failure, time.Duration) {
	var ce *CallError
	if errors.As(err, &ce) {
		return ce.Failure, ce.RetryAfter
	}
	var we *atshttp.WaitError
	if errors.As(err, &we) {
		return FailRetry, we.Wait
	}
	return FailRetry, 0
}

// ClassifyStatus gives the usual verdict for an HTTP status code.
func ClassifyStatus(status int) Failure {
	switch {
	case status == 401 || status == 403:
		return FailConfig
	case status == 408 || status == 425 || status == 429 || status >= 500:
		return FailRetry
	default:
		return FailGiveUp
	}
}
