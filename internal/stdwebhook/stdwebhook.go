// Package stdwebhook signs and verifies webhooks as the Standard Webhooks
// specification (standardwebhooks.com, version 1.0.0) defines them, with its
// symmetric scheme only:
//
//   - A secret is "whsec_" followed by the standard, padded base64 of 24 to 64
//     random bytes (NewSecret makes 32).
//   - A delivery carries three headers: webhook-id (the message id, the same
//     on every retry), webhook-timestamp (unix seconds of this attempt) and
//     webhook-signature, a space-separated list of "v1,<base64 HMAC-SHA256>"
//     entries over the bytes "<id>.<timestamp>.<body>", one entry per secret,
//     so that during a rotation a receiver holding either secret accepts it.
//   - Verify accepts a delivery when any v1 entry matches any of the
//     receiver's secrets (compared in constant time) and the timestamp is
//     within the tolerance of now in either direction. Entries of other
//     versions (v1a, the asymmetric scheme, or anything newer) and entries
//     that do not parse are skipped, as the reference libraries do: the
//     specification has the consumer try each signature until one matches.
//
// Some choices are stricter than the reference libraries. ParseSecret
// requires the whsec_ prefix. So that the signed content
// "<id>.<timestamp>.<body>" splits one way only, Sign and Verify refuse a
// message id that is empty, contains '.' (the specification warns against it)
// or has anything but printable ASCII without spaces, and Verify reads the
// timestamp as decimal digits only, signed as received.
//
// Verify's errors wrap sentinels so that a receiver can answer: ErrMissingHeader
// and ErrMalformedHeader are the sender's mistake (400); ErrTimestampTooOld,
// ErrTimestampTooNew and ErrNoMatchingSignature mean the delivery is not
// authentic or is a replay (401); ErrNoSecret is the receiver's own
// misconfiguration (500).
package stdwebhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The header names, as the specification spells them. http.Header
// canonicalises them (Webhook-Id ...); HTTP header names are case-insensitive.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far a timestamp may lie from the receiver's clock,
// in either direction, when Verify is given no tolerance. Five minutes is the
// reference libraries' value.
const DefaultTolerance = 5 * time.Minute

// signatureVersion tags the symmetric HMAC-SHA256 scheme.
const signatureVersion = "v1"

var (
	// ErrMissingHeader: one of the three headers is absent or empty.
	ErrMissingHeader = errors.New("stdwebhook: missing header")
	// ErrMalformedHeader: a header is present but cannot be read (a
	// timestamp that is not unix seconds, an id with a '.', a repeated
	// webhook-id or webhook-timestamp).
	ErrMalformedHeader = errors.New("stdwebhook: malformed header")
	// ErrTimestampTooOld: the timestamp is older than the tolerance (a
	// replay, or a badly skewed clock).
	ErrTimestampTooOld = errors.New("stdwebhook: timestamp too old")
	// ErrTimestampTooNew: the timestamp is further in the future than the
	// tolerance.
	ErrTimestampTooNew = errors.New("stdwebhook: timestamp too far in the future")
	// ErrNoMatchingSignature: no v1 signature in the header matches any of
	// the secrets (tampered body, id or timestamp, or a wrong secret).
	ErrNoMatchingSignature = errors.New("stdwebhook: no matching signature")
	// ErrNoSecret: Sign or Verify was called without a usable secret.
	ErrNoSecret = errors.New("stdwebhook: no secret")
)

// Sign returns the three Standard Webhooks headers for one delivery attempt
// of body under message id, made at ts (truncated to whole seconds), with one
// v1 signature per secret in the order given. The caller must send body
// byte for byte as signed.
//
// id must be non-empty printable ASCII without spaces or '.'; ts must not be
// before 1970; at least one secret is required.
func Sign(id string, ts time.Time, body []byte, secrets ...Secret) (http.Header, error) {
	if err := checkID(id); err != nil {
		return nil, fmt.Errorf("stdwebhook: sign: %w", err)
	}
	unix := ts.Unix()
	if unix < 0 {
		return nil, fmt.Errorf("stdwebhook: sign: timestamp %s is before 1970", ts.UTC().Format(time.RFC3339))
	}
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w given to Sign", ErrNoSecret)
	}
	tsText := strconv.FormatInt(unix, 10)
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		if s.IsZero() {
			return nil, fmt.Errorf("%w: secret %d given to Sign is the zero Secret", ErrNoSecret, i+1)
		}
		sigs[i] = signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(s.key(), id, tsText, body))
	}
	h := make(http.Header, 3)
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, tsText)
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h, nil
}

// Verify checks that h and body are a delivery signed with one of secrets,
// made within tolerance of now (tolerance ≤ 0 means DefaultTolerance). The
// signed timestamp is the header's text as received. It returns nil or an
// error wrapping one of the package's sentinels.
//
// Verify does not remember ids: a receiver that must not act twice on a
// retried or replayed message deduplicates on the webhook-id itself.
func Verify(h http.Header, body []byte, now time.Time, tolerance time.Duration, secrets ...Secret) error {
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		if !s.IsZero() {
			keys = append(keys, s.key())
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w to verify with", ErrNoSecret)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}

	id, err := single(h, HeaderID)
	if err != nil {
		return err
	}
	if err := checkID(id); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrMalformedHeader, HeaderID, err)
	}
	tsText, err := single(h, HeaderTimestamp)
	if err != nil {
		return err
	}
	ts, err := parseTimestamp(tsText)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrMalformedHeader, HeaderTimestamp, err)
	}
	sigHeader := strings.Join(h.Values(HeaderSignature), " ")
	if strings.TrimSpace(sigHeader) == "" {
		return fmt.Errorf("%w: %s", ErrMissingHeader, HeaderSignature)
	}

	// The clock is checked before the signature so that a stale delivery is
	// reported as stale whether or not it was also tampered with.
	at := time.Unix(ts, 0)
	if now.Sub(at) > tolerance {
		return fmt.Errorf("%w: sent %s, %s before now (tolerance %s)", ErrTimestampTooOld,
			at.UTC().Format(time.RFC3339), now.Sub(at).Round(time.Second), tolerance)
	}
	if at.Sub(now) > tolerance {
		return fmt.Errorf("%w: sent %s, %s after now (tolerance %s)", ErrTimestampTooNew,
			at.UTC().Format(time.RFC3339), at.Sub(now).Round(time.Second), tolerance)
	}

	want := make([][]byte, len(keys))
	for i, k := range keys {
		want[i] = mac(k, id, tsText, body)
	}
	for _, entry := range strings.Fields(sigHeader) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion {
			continue // another scheme, or not a signature at all
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		for _, w := range want {
			// hmac.Equal is constant-time and false on a length mismatch,
			// so a truncated or empty signature never matches.
			if hmac.Equal(got, w) {
				return nil
			}
		}
	}
	return ErrNoMatchingSignature
}

// mac is HMAC-SHA256(key, id "." timestamp "." body).
func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// single returns the one non-empty value of header name.
func single(h http.Header, name string) (string, error) {
	vs := h.Values(name)
	switch {
	case len(vs) == 0 || (len(vs) == 1 && vs[0] == ""):
		return "", fmt.Errorf("%w: %s", ErrMissingHeader, name)
	case len(vs) > 1:
		return "", fmt.Errorf("%w: %s given %d times", ErrMalformedHeader, name, len(vs))
	}
	return vs[0], nil
}

// checkID enforces what the signed content needs of an id: something, no
// '.', and nothing a header cannot carry verbatim.
func checkID(id string) error {
	if id == "" {
		return errors.New("message id is empty")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c == '.' {
			return errors.New("message id contains '.'")
		}
		if c <= ' ' || c > '~' {
			return fmt.Errorf("message id has a character that is not printable ASCII at byte %d", i+1)
		}
	}
	return nil
}

// parseTimestamp reads unix seconds: decimal digits only, no sign or space,
// so that one timestamp has one spelling in the signed content.
func parseTimestamp(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not unix seconds (decimal digits only)")
		}
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("unix seconds out of range")
	}
	return ts, nil
}
