package examplevendor

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how far a delivery's webhook-timestamp may lie from the
// vendor's clock, either way: the Standard Webhooks reference value.
const Tolerance = 5 * time.Minute

// What a signature check can find wrong. A missing or malformed header is
// the sender's mistake (400); the others mean the request is not authentic
// or not fresh (401).
var (
	errMissingHeader   = errors.New("missing header")
	errMalformedHeader = errors.New("malformed header")
	errStale           = errors.New("timestamp too old")
	errFuture          = errors.New("timestamp too far in the future")
	errNoMatch         = errors.New("no matching signature")
)

// secret is one decoded whsec_ signing secret.
type secret []byte

// parseSecret reads "whsec_" + standard padded base64, as Switchboard shows
// a secret. The error never repeats the input: it may be a real secret.
func parseSecret(s string) (secret, error) {
	enc, ok := strings.CutPrefix(strings.TrimSpace(s), "whsec_")
	if !ok {
		return nil, errors.New(`signing secret does not start with "whsec_"`)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New(`signing secret after "whsec_" is not base64`)
	}
	if len(key) == 0 {
		return nil, errors.New("signing secret is empty")
	}
	return key, nil
}

// signature is the base64 text of HMAC-SHA256(key, id "." ts "." body), as
// a v1 entry of webhook-signature carries it.
func signature(key secret, id, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%s.", id, ts)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signHeaders returns the Standard Webhooks headers for body signed with
// each key: what Switchboard sends, for this package's tests and for anyone
// driving the vendor by hand.
func signHeaders(id string, at time.Time, body []byte, keys ...secret) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	entries := make([]string, len(keys))
	for i, k := range keys {
		entries[i] = "v1," + signature(k, id, ts, body)
	}
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", ts)
	h.Set("webhook-signature", strings.Join(entries, " "))
	return h
}

// verify checks a request's Standard Webhooks signature against any of keys
// and its timestamp against now, and returns the webhook-id.
//
// The signature is compared as text: each space-separated entry of
// webhook-signature must be exactly "v1," followed by the canonical base64
// of a MAC. Entries of other versions (v1a, v2) are skipped. The
// comparison is constant-time so a forger learns nothing from the timing.
func verify(h http.Header, body []byte, now time.Time, keys []secret) (string, error) {
	if len(keys) == 0 {
		return "", errors.New("no signing secret configured")
	}
	id, err := oneHeader(h, "webhook-id")
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(id, ". ") {
		return "", fmt.Errorf("%w: webhook-id contains '.' or a space", errMalformedHeader)
	}
	ts, err := oneHeader(h, "webhook-timestamp")
	if err != nil {
		return "", err
	}
	if ts == "" || strings.Trim(ts, "0123456789") != "" || len(ts) > 18 {
		return "", fmt.Errorf("%w: webhook-timestamp is not unix seconds", errMalformedHeader)
	}
	unix, _ := strconv.ParseInt(ts, 10, 64) // at most 18 digits: always fits
	sent := time.Unix(unix, 0)
	if now.Sub(sent) > Tolerance {
		return "", fmt.Errorf("%w: sent %s, now %s", errStale, sent.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if sent.Sub(now) > Tolerance {
		return "", fmt.Errorf("%w: sent %s, now %s", errFuture, sent.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	sigs := strings.Join(h.Values("webhook-signature"), " ")
	if strings.TrimSpace(sigs) == "" {
		return "", fmt.Errorf("%w: webhook-signature", errMissingHeader)
	}
	for _, k := range keys {
		want := "v1," + signature(k, id, ts, body)
		for entry := range strings.SplitSeq(sigs, " ") {
			if subtle.ConstantTimeCompare([]byte(entry), []byte(want)) == 1 {
				return id, nil
			}
		}
	}
	return "", errNoMatch
}

// oneHeader returns the single non-empty value of a header.
func oneHeader(h http.Header, name string) (string, error) {
	switch vs := h.Values(name); {
	case len(vs) == 0 || vs[0] == "":
		return "", fmt.Errorf("%w: %s", errMissingHeader, name)
	case len(vs) > 1:
		return "", fmt.Errorf("%w: %s given %d times", errMalformedHeader, name, len(vs))
	default:
		return vs[0], nil
	}
}

// verifyStatus is the HTTP status and the short message for a failed check.
func verifyStatus(err error) (int, string) {
	switch {
	case errors.Is(err, errMissingHeader), errors.Is(err, errMalformedHeader):
		return http.StatusBadRequest, "bad signature headers: " + err.Error()
	case errors.Is(err, errStale), errors.Is(err, errFuture):
		return http.StatusUnauthorized, "signature timestamp outside the 5 minute tolerance"
	case errors.Is(err, errNoMatch):
		return http.StatusUnauthorized, "invalid signature"
	default:
		return http.StatusInternalServerError, "vendor cannot verify signatures"
	}
}
