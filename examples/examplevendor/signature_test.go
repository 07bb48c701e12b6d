package examplevendor

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vector is one case of testdata/vectors.json, a copy of the Standard
// Webhooks vectors Switchboard's own signer is tested against (the spec's
// reference libraries' fixed vectors and cases derived from them).
type vector struct {
	Name      string   `json:"name"`
	Source    string   `json:"source"`
	ID        string   `json:"id"`
	Timestamp string   `json:"timestamp"`
	Signature string   `json:"signature"`
	Omit      []string `json:"omit"`
	Body      string   `json:"body"`
	Secrets   []string `json:"secrets"`
	Now       *int64   `json:"now"`
	Sign      bool     `json:"sign"`
	Want      string   `json:"want"`
}

func loadVectors(tb testing.TB) []vector {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		tb.Fatal(err)
	}
	var file struct {
		Description string   `json:"description"`
		Cases       []vector `json:"cases"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		tb.Fatalf("testdata/vectors.json: %v", err)
	}
	if len(file.Cases) == 0 {
		tb.Fatal("testdata/vectors.json has no cases")
	}
	return file.Cases
}

// The vectors name the errors of Switchboard's signer; these are the
// example vendor's equivalents.
var wantErr = map[string]error{
	"":                       nil,
	"ErrMissingHeader":       errMissingHeader,
	"ErrMalformedHeader":     errMalformedHeader,
	"ErrTimestampTooOld":     errStale,
	"ErrTimestampTooNew":     errFuture,
	"ErrNoMatchingSignature": errNoMatch,
}

func (c vector) keys(t *testing.T) []secret {
	keys := make([]secret, len(c.Secrets))
	for i, s := range c.Secrets {
		k, err := parseSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	return keys
}

func (c vector) now(t *testing.T) time.Time {
	if c.Now != nil {
		return time.Unix(*c.Now, 0)
	}
	ts, err := strconv.ParseInt(c.Timestamp, 10, 64)
	if err != nil {
		t.Fatalf("no now and timestamp %q is not a number", c.Timestamp)
	}
	return time.Unix(ts, 0)
}

func TestVerifyAgainstTheSpecVectors(t *testing.T) {
	t.Parallel()
	signCases := 0
	for _, c := range loadVectors(t) {
		t.Run(c.Name, func(t *testing.T) {
			want, known := wantErr[c.Want]
			if !known {
				t.Fatalf("unknown want %q", c.Want)
			}
			h := http.Header{}
			h.Set("webhook-id", c.ID)
			h.Set("webhook-timestamp", c.Timestamp)
			h.Set("webhook-signature", c.Signature)
			for _, name := range c.Omit {
				h.Del(name)
			}
			id, err := verify(h, []byte(c.Body), c.now(t), c.keys(t))
			switch {
			case want == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case want == nil && id != c.ID:
				t.Fatalf("id %q, want %q", id, c.ID)
			case want != nil && !errors.Is(err, want):
				t.Fatalf("error %v, want %v", err, want)
			}
			if c.Sign {
				signCases++
				ts, _ := strconv.ParseInt(c.Timestamp, 10, 64)
				got := signHeaders(c.ID, time.Unix(ts, 0), []byte(c.Body), c.keys(t)...)
				if got.Get("webhook-signature") != c.Signature || got.Get("webhook-timestamp") != c.Timestamp || got.Get("webhook-id") != c.ID {
					t.Fatalf("signed %v, want signature %q", got, c.Signature)
				}
			}
		})
	}
	if signCases < 2 {
		t.Fatalf("%d sign cases: the spec's vectors are missing", signCases)
	}
}

func TestParseSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, wantErr string
	}{
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ""},
		{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", `does not start with "whsec_"`},
		{"whsec_not base64!", "not base64"},
		{"whsec_", "empty"},
	} {
		_, err := parseSecret(tc.in)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("parseSecret(%q) = %v, want %q", tc.in, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), tc.in) {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
}

// FuzzVerify: a delivery signed as Switchboard signs it (one secret, or two
// during a rotation, the receiver holding the older) verifies; one changed
// byte of the body, id or timestamp is refused; and after one changed byte
// of webhook-signature the verdict is exactly whether the header still holds
// the receiver's "v1,<mac>" as a space-separated entry.
func FuzzVerify(f *testing.F) {
	for _, c := range loadVectors(f) {
		if ts, err := strconv.ParseInt(c.Timestamp, 10, 64); err == nil && c.Sign {
			for field := range uint8(4) {
				f.Add(c.ID, ts, []byte(c.Body), field, uint(3), byte(1), false)
				f.Add(c.ID, ts, []byte(c.Body), field, uint(60), byte(0x20), true)
			}
		}
	}
	old, _ := parseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	next, _ := parseSecret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")

	f.Fuzz(func(t *testing.T, id string, unix int64, body []byte, field uint8, pos uint, flip byte, rotating bool) {
		if id == "" || strings.ContainsAny(id, ". ") || unix < 0 || unix > 1e12 {
			return // not what a sender may send
		}
		at := time.Unix(unix, 0)
		signers := []secret{old}
		if rotating {
			signers = []secret{next, old}
		}
		h := signHeaders(id, at, body, signers...)
		got, err := verify(h, body, at, []secret{old})
		if err != nil || got != id {
			t.Fatalf("a signed delivery is refused: %q, %v", got, err)
		}
		if flip == 0 {
			flip = 1
		}
		change := func(s string) string {
			b := []byte(s)
			b[pos%uint(len(b))] ^= flip
			return string(b)
		}
		mbody, accept := bytes.Clone(body), false
		switch field % 4 {
		case 0:
			if len(body) == 0 {
				return
			}
			mbody = []byte(change(string(body)))
		case 1:
			h.Set("webhook-id", change(id))
		case 2:
			h.Set("webhook-timestamp", change(h.Get("webhook-timestamp")))
		case 3:
			sig := change(h.Get("webhook-signature"))
			h.Set("webhook-signature", sig)
			want := "v1," + signature(old, id, strconv.FormatInt(unix, 10), body)
			accept = strings.Contains(" "+sig+" ", " "+want+" ")
		}
		_, err = verify(h, mbody, at, []secret{old})
		if accept != (err == nil) {
			t.Fatalf("field %d changed: verify = %v, want accepted %v", field%4, err, accept)
		}
	})
}
