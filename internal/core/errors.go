package core

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Sentinel errors shared by the store, the service and the HTTP layers, so that
// each layer can map them (404, 409, 422) without knowing who produced them.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
	// ErrStale is the conflict of an update made from an outdated copy:
	// another change landed first. Reading again and redoing the change
	// may well succeed, unlike other conflicts.
	ErrStale = fmt.Errorf("stale version: %w", ErrConflict)
)

// ValidationError reports bad input, field by field. It is the error behind a 4xx
// that "changes nothing".
type ValidationError struct {
	Fields map[string]string
}

// Invalid builds a ValidationError from field/message pairs.
func Invalid(fieldMessages ...string) *ValidationError {
	v := &ValidationError{Fields: map[string]string{}}
	for i := 0; i+1 < len(fieldMessages); i += 2 {
		v.Fields[fieldMessages[i]] = fieldMessages[i+1]
	}
	return v
}

// Add records a problem with one field.
func (v *ValidationError) Add(field, msg string) { v.Fields[field] = msg }

// OrNil returns v when it holds a problem and nil otherwise, so callers can
// collect problems and return them in one go.
func (v *ValidationError) OrNil() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	parts := make([]string, 0, len(v.Fields))
	for _, k := range slices.Sorted(maps.Keys(v.Fields)) {
		parts = append(parts, fmt.Sprintf("%s: %s", k, v.Fields[k]))
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// PublicError is an error whose Public message is written for the person
// whose request failed, in their words; Err keeps the details (ids, store
// operations, driver messages) for the log. errors.Is still finds the
// sentinel inside Err, so the HTTP layers pick the status as before.
type PublicError struct {
	Public string
	Err    error
}

// Explain gives err a message for the person; a nil err stays nil.
func Explain(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &PublicError{Public: fmt.Sprintf(format, args...), Err: err}
}

func (e *PublicError) Error() string { return e.Public + " (" + e.Err.Error() + ")" }
func (e *PublicError) Unwrap() error { return e.Err }

// PublicMessage returns the message for the person of the outermost
// PublicError in err's chain, or fallback when there is none.
func PublicMessage(err error, fallback string) string {
	var pe *PublicError
	if errors.As(err, &pe) {
		return pe.Public
	}
	return fallback
}
