package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrDecrypt is returned (wrapped) for every decryption failure. The reasons are
// deliberately not distinguished beyond a short hint, so callers cannot be turned
// into a decryption oracle and logs reveal nothing about the data.
var ErrDecrypt = errors.New("secret: decrypt failed")

const (
	// KeySize is the length of an AES-256 key.
	KeySize = 32

	formatV1   = 1
	keyIDSize  = 4
	nonceSize  = 12
	headerSize = 1 + keyIDSize + nonceSize
)

// Keyring encrypts small secrets at rest with AES-256-GCM. The first key
// encrypts; all keys decrypt, so a key can be rotated by prepending the new one
// and re-encrypting at leisure.
//
// Ciphertext format: version byte, 4-byte key id (first 4 bytes of SHA-256 of the
// key), 12-byte random nonce, sealed data. The header is authenticated together
// with aad. The additional data binds a ciphertext to its row (e.g.
// "integration:<id>:api_key") so a ciphertext copied to another row fails to
// decrypt.
//
// A Keyring is safe for concurrent use.
type Keyring struct {
	keys []keyringKey
}

type keyringKey struct {
	id   [keyIDSize]byte
	aead cipher.AEAD
}

// NewKeyring builds a keyring from one or more 32-byte keys, the first being the
// encryption key. The keys are not retained beyond their cipher state.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: keyring needs at least one key")
	}
	k := &Keyring{keys: make([]keyringKey, 0, len(keys))}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("secret: key %d is %d bytes, want %d", i, len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i, err)
		}
		k.keys = append(k.keys, keyringKey{id: keyID(key), aead: aead})
	}
	return k, nil
}

func keyID(key []byte) [keyIDSize]byte {
	sum := sha256.Sum256(key)
	return [keyIDSize]byte(sum[:keyIDSize])
}

// Encrypt seals plaintext with the first key, bound to aad.
func (k *Keyring) Encrypt(plaintext, aad []byte) ([]byte, error) {
	if len(k.keys) == 0 {
		return nil, errors.New("secret: encrypt: keyring has no keys (use NewKeyring)")
	}
	key := k.keys[0]
	out := make([]byte, headerSize, headerSize+len(plaintext)+key.aead.Overhead())
	out[0] = formatV1
	copy(out[1:], key.id[:])
	// Random nonces are safe here: secrets are rewritten rarely, far below the
	// ~2^32 messages per key at which 96-bit random nonces start to collide.
	if _, err := rand.Read(out[1+keyIDSize : headerSize]); err != nil {
		return nil, fmt.Errorf("secret: encrypt: nonce: %w", err)
	}
	return key.aead.Seal(out, out[1+keyIDSize:headerSize], plaintext, additionalData(out[:1+keyIDSize], aad)), nil
}

// Decrypt opens a ciphertext produced by Encrypt with any key of the ring. Every
// failure (short input, unknown version or key id, tampering, wrong aad) wraps
// ErrDecrypt.
func (k *Keyring) Decrypt(ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < headerSize+16 { // 16: GCM tag
		return nil, fmt.Errorf("%w: ciphertext too short", ErrDecrypt)
	}
	if ciphertext[0] != formatV1 {
		return nil, fmt.Errorf("%w: unknown format version", ErrDecrypt)
	}
	id := [keyIDSize]byte(ciphertext[1 : 1+keyIDSize])
	nonce := ciphertext[1+keyIDSize : headerSize]
	ad := additionalData(ciphertext[:1+keyIDSize], aad)
	known := false
	// Several keys may share an id prefix (by accident or because a key was
	// listed twice); try each rather than trusting the first match.
	for _, key := range k.keys {
		if key.id != id {
			continue
		}
		known = true
		if pt, err := key.aead.Open(nil, nonce, ciphertext[headerSize:], ad); err == nil {
			return pt, nil
		}
	}
	if !known {
		return nil, fmt.Errorf("%w: unknown key id", ErrDecrypt)
	}
	return nil, fmt.Errorf("%w: authentication failed", ErrDecrypt)
}

// additionalData authenticates the version and key id along with the caller's
// aad. The header has a fixed length, so the concatenation is unambiguous.
func additionalData(header, aad []byte) []byte {
	ad := make([]byte, 0, len(header)+len(aad))
	ad = append(ad, header...)
	return append(ad, aad...)
}
