package stdwebhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix marks a serialised Standard Webhooks symmetric secret.
const SecretPrefix = "whsec_"

// The specification's bounds on a symmetric secret: at least 192 bits, at
// most 512.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// newSecretBytes is what NewSecret draws: 256 bits, as long as an
// HMAC-SHA256 output; more adds no strength.
const newSecretBytes = 32

// Secret is a symmetric signing secret. It never prints: fmt and slog show
// "whsec_[redacted]"; Reveal returns the serialised form
// to show once or to store (encrypted). The zero Secret is unusable and Sign
// and Verify refuse it.
type Secret struct {
	// Behind a pointer so that printing a struct that holds a Secret in an
	// unexported field shows an address, not the key.
	k *[]byte
}

// NewSecret returns a fresh random secret of 32 bytes.
func NewSecret() Secret {
	b := make([]byte, newSecretBytes)
	rand.Read(b) // never fails: crypto/rand aborts the program rather than return short
	return Secret{k: &b}
}

// ParseSecret reads a secret serialised as "whsec_" + standard padded base64
// of 24 to 64 bytes. Errors say what is wrong without echoing the input, which
// may be a real secret with a typo.
func ParseSecret(s string) (Secret, error) {
	if s == "" {
		return Secret{}, errors.New("stdwebhook: secret is empty")
	}
	if strings.TrimSpace(s) != s {
		return Secret{}, errors.New("stdwebhook: secret has leading or trailing whitespace")
	}
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return Secret{}, fmt.Errorf("stdwebhook: secret does not start with %q", SecretPrefix)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return Secret{}, fmt.Errorf("stdwebhook: secret after %q is not standard padded base64", SecretPrefix)
	}
	if len(b) < MinSecretBytes || len(b) > MaxSecretBytes {
		return Secret{}, fmt.Errorf("stdwebhook: secret decodes to %d bytes, want %d to %d", len(b), MinSecretBytes, MaxSecretBytes)
	}
	return Secret{k: &b}, nil
}

// Reveal returns the serialised secret, "whsec_" + base64; "" for the zero
// Secret. ParseSecret(s.Reveal()) is s.
func (s Secret) Reveal() string {
	if s.IsZero() {
		return ""
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(*s.k)
}

// IsZero reports whether s holds no key.
func (s Secret) IsZero() bool { return s.k == nil || len(*s.k) == 0 }

func (s Secret) key() []byte { return *s.k }

const redactedSecret = SecretPrefix + "[redacted]"

// String implements fmt.Stringer. Every fmt verb that could show text (%v %s
// %q %x) goes through it, and the others print the struct's pointer, so no
// verb reaches the key; slog's handlers format through it as well.
func (s Secret) String() string { return redactedSecret }
