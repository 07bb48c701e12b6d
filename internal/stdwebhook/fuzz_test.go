package stdwebhook

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"
)

// FuzzVerify: whatever the id, timestamp and body, a message Sign accepts
// verifies, and changing any single byte of its body, id or timestamp makes
// Verify refuse it. The tolerance is the widest there is (292 years), so that
// a changed timestamp is mostly refused for its signature or its shape rather
// than for being stale.
func FuzzVerify(f *testing.F) {
	for _, v := range loadVectors(f) {
		if ts, err := strconv.ParseInt(v.Timestamp, 10, 64); err == nil && v.Sign {
			f.Add(v.ID, ts, []byte(v.Body), uint8(0), uint(0), byte(1))
			f.Add(v.ID, ts, []byte(v.Body), uint8(1), uint(3), byte(0x20))
			f.Add(v.ID, ts, []byte(v.Body), uint8(2), uint(9), byte(1))
		}
	}
	f.Add("msg_x", int64(0), []byte{}, uint8(2), uint(0), byte(0xff))

	secrets := []Secret{NewSecret(), NewSecret()}
	const wide = time.Duration(math.MaxInt64)

	f.Fuzz(func(t *testing.T, id string, unix int64, body []byte, field uint8, pos uint, flip byte) {
		if unix < 0 || unix > 1<<33 { // year 2242: within the tolerance of 1970
			return
		}
		at := time.Unix(unix, 0)
		h, err := Sign(id, at, body, secrets...)
		if err != nil {
			if checkID(id) == nil {
				t.Fatalf("Sign refused a valid id %q: %v", id, err)
			}
			return
		}
		if err := Verify(h, body, at, wide, secrets[1]); err != nil {
			t.Fatalf("a signed message does not verify: %v", err)
		}
		if flip == 0 {
			flip = 1
		}
		mutated, mbody := h.Clone(), append([]byte(nil), body...)
		switch field % 3 {
		case 0:
			if len(mbody) == 0 {
				return
			}
			mbody[pos%uint(len(mbody))] ^= flip
		case 1:
			b := []byte(id)
			b[pos%uint(len(b))] ^= flip
			mutated.Set(HeaderID, string(b))
		case 2:
			b := []byte(h.Get(HeaderTimestamp))
			b[pos%uint(len(b))] ^= flip
			mutated.Set(HeaderTimestamp, string(b))
		}
		err = Verify(mutated, mbody, at, wide, secrets...)
		if err == nil {
			t.Fatalf("a one-byte change (field %d) still verifies", field%3)
		}
		if errors.Is(err, ErrNoSecret) {
			t.Fatalf("unexpected error: %v", err)
		}
	})
}
