package ats

import (
	"errors"
	"fmt"
	"time"

	"switchboard/internal/ats/atshttp"
	"switchboard/internal/netguard"
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

// CallRules are a connector's exceptions to the usual verdicts on its
// outbound calls' errors (Classify).
type CallRules struct {
	// Config are errors (matched with errors.Is) that a person must fix:
	// missing credentials, a URL the connector will not call.
	Config []error
	// GiveUp are errors that the same call would meet again: a file too
	// large for the ATS, an answer that cannot be read.
	GiveUp []error
	// Status, if set, revises the usual verdict on an ATS's answer (what a
	// status means at one path, or in one state).
	Status func(se *atshttp.StatusError, usual Failure) Failure
}

// Classify turns an outbound call's error into the core's verdict, a
// *CallError: an ATS's answer (*atshttp.StatusError) by ClassifyStatus as
// Status revises it, with its Retry-After; an address the guard refused
// (netguard.ErrBlocked) or one of Config: fix configuration; one of GiveUp:
// give up. A *CallError is a verdict already and is returned as it is, and
// so is anything else (a network error, an *atshttp.WaitError), which the
// package Classify retries.
func (r CallRules) Classify(err error) error {
	var ce *CallError
	var se *atshttp.StatusError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return err
	case errors.As(err, &se):
		f := ClassifyStatus(se.StatusCode)
		if r.Status != nil {
			f = r.Status(se, f)
		}
		return &CallError{Failure: f, RetryAfter: se.RetryAfter, Err: err}
	case errors.Is(err, netguard.ErrBlocked) || isAny(err, r.Config):
		return &CallError{Failure: FailConfig, Err: err}
	case isAny(err, r.GiveUp):
		return &CallError{Failure: FailGiveUp, Err: err}
	}
	return err
}

func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// Answered is what the ATS said of err, for a person: its status and
// message when it answered (*atshttp.StatusError), else the error itself (a
// connection that failed, a missing key).
func Answered(err error) string {
	var se *atshttp.StatusError
	if errors.As(err, &se) {
		if se.Message != "" {
			return fmt.Sprintf("%d, %s", se.StatusCode, se.Message)
		}
		return fmt.Sprintf("HTTP %d", se.StatusCode)
	}
	return err.Error()
}
