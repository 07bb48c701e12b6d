package secret

import (
	"bytes"
	"errors"
	"testing"
)

func mustKey(t testing.TB) []byte {
	t.Helper()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func mustKeyring(t testing.TB, keys ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyringRoundTrip(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	aad := []byte("integration:42:api_key")
	for _, pt := range [][]byte{nil, []byte("x"), []byte("sk_live_0123456789"), bytes.Repeat([]byte{0xff}, 4096)} {
		ct, err := k.Encrypt(pt, aad)
		if err != nil {
			t.Fatal(err)
		}
		if len(pt) >= 8 && bytes.Contains(ct, pt) { // shorter ones may occur by chance
			t.Errorf("ciphertext contains plaintext")
		}
		got, err := k.Decrypt(ct, aad)
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Decrypt = %q, want %q", got, pt)
		}
	}
}

func TestKeyringNonceIsRandom(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	a, _ := k.Encrypt([]byte("same"), nil)
	b, _ := k.Encrypt([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of the same plaintext are identical")
	}
}

func TestKeyringRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := mustKey(t), mustKey(t)
	aad := []byte("row:1")
	oldCT, err := mustKeyring(t, oldKey).Encrypt([]byte("old secret"), aad)
	if err != nil {
		t.Fatal(err)
	}

	rotated := mustKeyring(t, newKey, oldKey)
	got, err := rotated.Decrypt(oldCT, aad)
	if err != nil || string(got) != "old secret" {
		t.Fatalf("rotated keyring Decrypt(old) = %q, %v", got, err)
	}
	newCT, err := rotated.Encrypt([]byte("new secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if id := newCT[1:5]; !bytes.Equal(id, keyIDSlice(newKey)) {
		t.Errorf("new ciphertext key id = %x, want the new key's", id)
	}
	if _, err := mustKeyring(t, oldKey).Decrypt(newCT, aad); !errors.Is(err, ErrDecrypt) {
		t.Errorf("old-only keyring decrypted a new ciphertext: %v", err)
	}
	if got, err := mustKeyring(t, newKey).Decrypt(newCT, aad); err != nil || string(got) != "new secret" {
		t.Errorf("new-only keyring Decrypt = %q, %v", got, err)
	}
}

func keyIDSlice(key []byte) []byte {
	id := keyID(key)
	return id[:]
}

func TestKeyringTamper(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	aad := []byte("integration:7:api_key")
	ct, err := k.Encrypt([]byte("attack at dawn"), aad)
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]int{
		"version": 0,
		"key id":  2,
		"nonce":   1 + keyIDSize + 3,
		"body":    headerSize + 1,
		"tag":     len(ct) - 1,
	}
	for name, i := range regions {
		t.Run(name, func(t *testing.T) {
			bad := bytes.Clone(ct)
			bad[i] ^= 0x01
			if _, err := k.Decrypt(bad, aad); !errors.Is(err, ErrDecrypt) {
				t.Errorf("Decrypt after flipping a bit in %s: err = %v, want ErrDecrypt", name, err)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		for n := range len(ct) {
			if _, err := k.Decrypt(ct[:n], aad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Decrypt(ct[:%d]): err = %v, want ErrDecrypt", n, err)
			}
		}
	})
	t.Run("appended", func(t *testing.T) {
		if _, err := k.Decrypt(append(bytes.Clone(ct), 0), aad); !errors.Is(err, ErrDecrypt) {
			t.Errorf("err = %v, want ErrDecrypt", err)
		}
	})
}

func TestKeyringWrongAAD(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, mustKey(t))
	ct, err := k.Encrypt([]byte("token"), []byte("integration:1:api_key"))
	if err != nil {
		t.Fatal(err)
	}
	for _, aad := range []string{"integration:2:api_key", "integration:1:api_ke", "", "integration:1:api_key\x00"} {
		if _, err := k.Decrypt(ct, []byte(aad)); !errors.Is(err, ErrDecrypt) {
			t.Errorf("Decrypt with aad %q: err = %v, want ErrDecrypt", aad, err)
		}
	}
}

func TestKeyringUnknownKey(t *testing.T) {
	t.Parallel()
	ct, _ := mustKeyring(t, mustKey(t)).Encrypt([]byte("x"), nil)
	if _, err := mustKeyring(t, mustKey(t)).Decrypt(ct, nil); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("err = %v, want ErrDecrypt", err)
	}
}

func TestNewKeyringRejectsBadKeys(t *testing.T) {
	t.Parallel()
	for name, keys := range map[string][][]byte{
		"none":      nil,
		"short":     {make([]byte, 16)},
		"long":      {make([]byte, 33)},
		"second ok": {make([]byte, 32), make([]byte, 31)},
	} {
		if _, err := NewKeyring(keys...); err == nil {
			t.Errorf("%s: NewKeyring succeeded", name)
		}
	}
}

func TestZeroKeyring(t *testing.T) {
	t.Parallel()
	var k Keyring
	if _, err := k.Encrypt([]byte("x"), nil); err == nil {
		t.Error("zero Keyring encrypted")
	}
	if _, err := k.Decrypt(make([]byte, 64), nil); !errors.Is(err, ErrDecrypt) {
		t.Errorf("zero Keyring Decrypt: %v", err)
	}
}

func FuzzDecrypt(f *testing.F) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	k := mustKeyring(f, key)
	valid, err := k.Encrypt([]byte("hello"), []byte("aad"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid, []byte("aad"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{formatV1}, []byte("aad"))
	f.Add(valid[:headerSize], []byte("aad"))
	f.Fuzz(func(t *testing.T, ct, aad []byte) {
		pt, err := k.Decrypt(ct, aad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("error does not wrap ErrDecrypt: %v", err)
			}
			return
		}
		// Forging a ciphertext is infeasible, so only a seed can open. (Compare
		// contents, not the valid variable: fuzz workers re-run this function
		// and get a different random nonce.)
		if len(ct) != len(valid) || string(aad) != "aad" || string(pt) != "hello" {
			t.Fatalf("unexpected successful decrypt: %q", pt)
		}
	})
}
