// Package strictjson reads JSON that a person wrote or a client sent, strictly
// (one value, no unknown fields, so a typo does not silently change nothing),
// and says what is wrong with it in the words of the JSON, not of the Go
// types it is read into. The admin API and the admin UI's JSON fields use it.
package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Error is JSON that could not be read. Message is a sentence for the person;
// Field and FieldMessage name the field at fault when there is one ("a.b" for
// nested fields); Err is the decoder's own error, for the log.
type Error struct {
	Message      string
	Field        string
	FieldMessage string
	Err          error
}

func (e *Error) Error() string { return e.Message + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Decode reads exactly one JSON value from r into v. Every error it returns
// is an *Error; its message calls the JSON what ("the body", "the package").
func Decode(r io.Reader, v any, what string) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describe(err, what)
	}
	// Anything but space after the value is refused: More alone lets a
	// stray '}' or ']' through.
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Message: what + " holds more than one JSON value: send one object", Err: errors.New("trailing data")}
	}
	return nil
}

func describe(err error, what string) *Error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return &Error{Message: what + " is empty: send a JSON object", Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Message: what + " is not valid JSON: it ends in the middle of a value", Err: err}
	case errors.As(err, &syn):
		return &Error{Message: fmt.Sprintf("%s is not valid JSON (at byte %d)", what, syn.Offset), Err: err}
	case errors.As(err, &typ) && typ.Field == "":
		return &Error{Message: what + " must be a JSON object", Err: err}
	case errors.As(err, &typ):
		msg := fmt.Sprintf("must be %s, not %s", kind(typ.Type), value(typ.Value))
		return &Error{Message: fmt.Sprintf("field %q %s", typ.Field, msg), Field: typ.Field, FieldMessage: msg, Err: err}
	}
	// The decoder has no type for an unknown field; its message is the API.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return &Error{Message: fmt.Sprintf("unknown field %q: check its spelling", name),
			Field: name, FieldMessage: "is not a known field", Err: err}
	}
	// A value's own check (a custom UnmarshalJSON) speaks for itself.
	return &Error{Message: what + " does not have the expected shape: " + err.Error(), Err: err}
}

// kind names the JSON value a Go type is read from.
func kind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

// value turns the decoder's description of a value ("number 1.5",
// "string") into words.
func value(v string) string {
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return n // a number that does not fit: say which
	}
	switch v {
	case "number":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "array":
		return "a list"
	case "object":
		return "an object"
	}
	return v
}
