package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MinKeyLen is the shortest HMAC key NewSigner accepts: 32 bytes matches
// SHA-256's output size, below which the key, not the hash, is the weak
// point.
const MinKeyLen = 32

// Errors returned by Signer.Verify. A request with a bad signature must not
// learn whether it has also expired, so expiry is only checked (and
// ErrExpired only returned) for a genuine signature.
var (
	ErrBadSignature = errors.New("signed link: bad signature")
	ErrExpired      = errors.New("signed link: expired")
)

// Signer issues and checks links that grant read-only access to one path
// for one purpose until an expiry time, without server-side state: ATSs
// store the links, so they must verify on their own.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a Signer using key for HMAC-SHA256 and now as its clock
// (time.Now if nil). The key is copied.
func NewSigner(key []byte, now func() time.Time) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("signed link: key is %d bytes, need at least %d", len(key), MinKeyLen)
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{key: append([]byte(nil), key...), now: now}, nil
}

// mac computes the signature over purpose, path and exp.
//
// The message is "switchboard-link-v1\n<len(purpose)>:<purpose>\n<path>\n<exp>".
// The length prefix makes the split between purpose and path unambiguous
// whatever characters they contain; exp is last and all digits, so the last
// newline delimits it. The version tag lets the format change later without
// old signatures verifying under new rules.
func (s *Signer) mac(purpose, path, exp string) []byte {
	h := hmac.New(sha256.New, s.key)
	fmt.Fprintf(h, "switchboard-link-v1\n%d:%s\n%s\n%s", len(purpose), purpose, path, exp)
	return h.Sum(nil)
}

// Sign returns the query parameters that authorise path for purpose until
// now+ttl: "exp" (unix seconds) and "sig" (base64url, no padding). The link
// is valid while the clock is before exp.
func (s *Signer) Sign(purpose, path string, ttl time.Duration) url.Values {
	return s.SignUntil(purpose, path, s.now().Add(ttl))
}

// SignUntil is Sign with an absolute expiry: the link is valid while the
// clock is before exp (to the second).
func (s *Signer) SignUntil(purpose, path string, until time.Time) url.Values {
	exp := strconv.FormatInt(until.Unix(), 10)
	return url.Values{
		"exp": {exp},
		"sig": {base64.RawURLEncoding.EncodeToString(s.mac(purpose, path, exp))},
	}
}

// SignedURL joins baseURL (e.g. "https://sb.example.com") with the escaped
// path and its signature. path is the URL path as a server will see it
// after decoding (r.URL.Path); a missing leading slash is added before
// signing so that what is signed is what the server receives.
func (s *Signer) SignedURL(baseURL, purpose, path string, ttl time.Duration) string {
	return s.SignedURLUntil(baseURL, purpose, path, s.now().Add(ttl))
}

// SignedURLUntil is SignedURL with an absolute expiry.
func (s *Signer) SignedURLUntil(baseURL, purpose, path string, exp time.Time) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	q := s.SignUntil(purpose, path, exp)
	u := url.URL{Path: path}
	return strings.TrimRight(baseURL, "/") + u.EscapedPath() + "?" + q.Encode()
}

// Verify checks that q carries a valid, unexpired signature for purpose and
// path. It returns ErrBadSignature for a missing, malformed or wrong
// signature (including a signature for another purpose or path, or an
// altered exp) and ErrExpired once the clock reaches exp.
func (s *Signer) Verify(purpose, path string, q url.Values) error {
	_, err := s.VerifyExpiry(purpose, path, q)
	return err
}

// VerifyExpiry is Verify that also returns, for a valid link, when it
// expires: what a page reached by it may grant must not outlive it.
func (s *Signer) VerifyExpiry(purpose, path string, q url.Values) (time.Time, error) {
	exps, sigs := q["exp"], q["sig"]
	// Exactly one of each: with duplicates, which value a handler would
	// read is ambiguous.
	if len(exps) != 1 || len(sigs) != 1 {
		return time.Time{}, ErrBadSignature
	}
	exp, err := strconv.ParseInt(exps[0], 10, 64)
	// Only the canonical spelling was signed; "+5" or "05" are forgeries
	// even though they parse to the same number.
	if err != nil || strconv.FormatInt(exp, 10) != exps[0] {
		return time.Time{}, ErrBadSignature
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(sigs[0])
	if err != nil || len(got) != sha256.Size {
		return time.Time{}, ErrBadSignature
	}
	if !hmac.Equal(got, s.mac(purpose, path, exps[0])) {
		return time.Time{}, ErrBadSignature
	}
	until := time.Unix(exp, 0)
	if !s.now().Before(until) {
		return time.Time{}, ErrExpired
	}
	return until, nil
}
