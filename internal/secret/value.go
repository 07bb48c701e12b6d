package secret

import (
	"fmt"
	"io"
	"log/slog"
)

const redacted = "[redacted]"

// Value is a string that never prints: String, GoString, every fmt verb,
// MarshalJSON, MarshalText and slog's LogValue all yield "[redacted]". Reveal
// returns the plaintext, which makes every use of the secret greppable.
//
// The plaintext sits behind a pointer so that even printing a struct that holds
// a Value in an unexported field (where fmt cannot call methods) shows an
// address, not the secret. As a consequence == compares identity, not content;
// compare Reveal() results instead. The zero Value is empty.
type Value struct {
	p *string
}

// NewValue wraps s.
func NewValue(s string) Value {
	return Value{p: &s}
}

// Reveal returns the plaintext.
func (v Value) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// IsZero reports whether the value is empty.
func (v Value) IsZero() bool { return v.Reveal() == "" }

// String implements fmt.Stringer.
func (v Value) String() string { return redacted }

// GoString implements fmt.GoStringer.
func (v Value) GoString() string { return "secret.Value(" + redacted + ")" }

// Format implements fmt.Formatter, so that no verb (%x, %q, %#v...) reaches
// the plaintext.
func (v Value) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, v.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), redacted)
}

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler, covering encoders other than
// JSON (and JSON map keys).
func (v Value) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (v Value) LogValue() slog.Value { return slog.StringValue(redacted) }
