package lever

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// Lever signs a webhook with HMAC-SHA256 keyed by the webhook's signature
// token over token+triggeredAt, both read from the JSON body and joined with
// no separator. The body is not signed and there is no signature header;
// pages that describe a "Lever-Signature" header over the body are wrong
// (see the contract doc, L3 and pitfall 1).

var (
	// ErrBadSignature means the payload's signature is missing or does not match.
	ErrBadSignature = errors.New("lever: bad webhook signature")
	// ErrNoSignatureToken means no signature token is configured, so nothing
	// can be verified; it is returned wrapped together with ErrBadSignature.
	ErrNoSignatureToken = errors.New("no signature token configured")
	// ErrStale means triggeredAt is outside the accepted window (a replay, or
	// a badly skewed clock).
	ErrStale = errors.New("lever: stale webhook")
)

// Sign returns hex(HMAC-SHA256(key=signatureToken, msg=token + decimal(triggeredAt))),
// in lower case as Lever sends it.
func Sign(signatureToken, token string, triggeredAt int64) string {
	return hex.EncodeToString(mac(signatureToken, token, triggeredAt))
}

func mac(signatureToken, token string, triggeredAt int64) []byte {
	m := hmac.New(sha256.New, []byte(signatureToken))
	m.Write([]byte(token))
	m.Write([]byte(strconv.FormatInt(triggeredAt, 10)))
	return m.Sum(nil)
}

// VerifySignature checks p.Signature against the webhook's signature token.
// It compares the decoded MAC in constant time, so upper-case hex is accepted;
// anything that is not 64 hex digits is ErrBadSignature.
func VerifySignature(signatureToken string, p WebhookPayload) error {
	if signatureToken == "" {
		// An empty key would make every signature forgeable: refuse.
		return fmt.Errorf("%w: %w", ErrBadSignature, ErrNoSignatureToken)
	}
	if p.Signature == "" {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(p.Signature)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	if !hmac.Equal(got, mac(signatureToken, p.Token, p.TriggeredAt)) {
		return ErrBadSignature
	}
	return nil
}
