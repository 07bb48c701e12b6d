// Package httpform reads HTML form posts within limits: a body of at most a
// given size, url-encoded only. No Switchboard form uploads files, so a
// multipart body (which net/http would spool to disk) is refused outright.
package httpform

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
)

// Limits for the forms Switchboard serves.
const (
	// SmallMax fits a sign-in or set-password form: an email, a password of
	// at most 1 KiB and a few tokens.
	SmallMax = 8 << 10
	// Max fits every other form: settings, vacancies, answers.
	Max = 64 << 10
)

// Error is a form that was not read; Status is the HTTP status to answer.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// refusal is err as an *Error: what Parse returns, or a 400 for anything
// else, so callers never dereference a nil.
func refusal(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Status: http.StatusBadRequest, Message: "The form could not be read."}
}

// Status is the HTTP status to answer for an error from Parse.
func Status(err error) int { return refusal(err).Status }

// Parse reads r's url-encoded form into r.Form and r.PostForm, reading at
// most max bytes of body. It answers *Error: 415 for any other content type,
// 413 for a body over max, 400 for a malformed one. A body-less request
// (no Content-Type, nothing sent) parses as an empty form.
func Parse(w http.ResponseWriter, r *http.Request, max int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" || r.ContentLength > 0 {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return &Error{Status: http.StatusUnsupportedMediaType,
				Message: "This form must be sent as application/x-www-form-urlencoded; file uploads are not accepted."}
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &Error{Status: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("The form is larger than this page accepts (%d KiB).", max>>10)}
		}
		return &Error{Status: http.StatusBadRequest, Message: "The form could not be read."}
	}
	return nil
}

// Limit parses the form of every request before next sees it (see Parse),
// answering a plain-text error when it cannot. Handlers then read fields
// with r.PostFormValue as usual, and nothing reads the body again.
func Limit(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := Parse(w, r, max); err != nil {
			fe := refusal(err)
			// The connection may hold an unread remainder: do not reuse it.
			w.Header().Set("Connection", "close")
			http.Error(w, fe.Message, fe.Status)
			return
		}
		next.ServeHTTP(w, r)
	})
}
