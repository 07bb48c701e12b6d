package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
)

// tokenEncoding is lowercase RFC 4648 base32 without padding: URL-safe,
// case-insensitive-friendly and selectable with a double click, unlike base64url
// whose '-' splits a token in most UIs.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// tokenBytes is the token's entropy: 256 bits, so tokens can be looked up by hash
// without a per-token salt.
const tokenBytes = 32

// NewToken returns prefix followed by 32 random bytes in lowercase base32 (52
// characters), e.g. "sbk_…". Tokens serve as invitation links, API keys and
// generated credentials. The prefix, which makes a leaked token recognisable,
// may contain only ASCII letters, digits, '_' and '-'.
func NewToken(prefix string) (string, error) {
	for _, c := range []byte(prefix) {
		if !isTokenPrefixChar(c) {
			return "", fmt.Errorf("secret: token prefix %q: only ASCII letters, digits, '_' and '-' are allowed", prefix)
		}
	}
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("secret: new token: %w", err)
	}
	return prefix + tokenEncoding.EncodeToString(b), nil
}

func isTokenPrefixChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// HashToken returns the hex SHA-256 of token, which is what gets stored: a token
// can be looked up by its hash, but a database leak does not reveal usable
// tokens. A fast unsalted hash is fine because tokens carry 256 random bits.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
