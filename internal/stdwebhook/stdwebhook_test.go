package stdwebhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

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

var sentinels = map[string]error{
	"ErrMissingHeader":       ErrMissingHeader,
	"ErrMalformedHeader":     ErrMalformedHeader,
	"ErrTimestampTooOld":     ErrTimestampTooOld,
	"ErrTimestampTooNew":     ErrTimestampTooNew,
	"ErrNoMatchingSignature": ErrNoMatchingSignature,
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Description string   `json:"description"`
		Cases       []vector `json:"cases"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("testdata/vectors.json: %v", err)
	}
	if doc.Description == "" || len(doc.Cases) == 0 {
		t.Fatal("testdata/vectors.json: no description or no cases")
	}
	return doc.Cases
}

func (v vector) secrets(t *testing.T) []Secret {
	t.Helper()
	out := make([]Secret, len(v.Secrets))
	for i, s := range v.Secrets {
		sec, err := ParseSecret(s)
		if err != nil {
			t.Fatalf("secret %d: %v", i, err)
		}
		out[i] = sec
	}
	return out
}

func (v vector) header() http.Header {
	h := http.Header{}
	h.Set(HeaderID, v.ID)
	h.Set(HeaderTimestamp, v.Timestamp)
	h.Set(HeaderSignature, v.Signature)
	for _, name := range v.Omit {
		h.Del(name)
	}
	return h
}

func (v vector) now(t *testing.T) time.Time {
	if v.Now != nil {
		return time.Unix(*v.Now, 0)
	}
	ts, err := strconv.ParseInt(v.Timestamp, 10, 64)
	if err != nil {
		t.Fatalf("case has no now and timestamp %q is not a number", v.Timestamp)
	}
	return time.Unix(ts, 0)
}

func TestVectorsVerify(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			if v.Source == "" {
				t.Fatal("case does not say where it came from")
			}
			want, ok := sentinels[v.Want]
			if !ok && v.Want != "" {
				t.Fatalf("unknown want %q", v.Want)
			}
			checkVerify(t, Verify(v.header(), []byte(v.Body), v.now(t), 0, v.secrets(t)...), want)
		})
	}
}

// checkVerify fails t unless err is nil when want is, or wraps want.
func checkVerify(t *testing.T, err, want error) {
	t.Helper()
	if want == nil && err != nil {
		t.Fatalf("Verify: %v, want accepted", err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("Verify: %v, want %v", err, want)
	}
}

func TestVectorsSign(t *testing.T) {
	t.Parallel()
	n := 0
	for _, v := range loadVectors(t) {
		if !v.Sign {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			got, err := Sign(v.ID, v.now(t), []byte(v.Body), v.secrets(t)...)
			if err != nil {
				t.Fatal(err)
			}
			want := v.header()
			if len(got) != len(want) {
				t.Errorf("Sign gave %d headers, want %d: %v", len(got), len(want), got)
			}
			for _, name := range []string{HeaderID, HeaderTimestamp, HeaderSignature} {
				if g, w := got.Values(name), want.Values(name); len(g) != 1 || g[0] != w[0] {
					t.Errorf("%s = %q, want %q", name, g, w)
				}
			}
		})
	}
	if n < 2 {
		t.Fatalf("%d sign cases, want the spec's vectors", n)
	}
}

func TestVerifyTolerance(t *testing.T) {
	t.Parallel()
	sec := NewSecret()
	sent := time.Unix(1_700_000_000, 0)
	h, err := Sign("msg_1", sent, []byte("{}"), sec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		now       time.Time
		tolerance time.Duration
		want      error
	}{
		{"on time", sent, 0, nil},
		{"default tolerance, old edge", sent.Add(DefaultTolerance), 0, nil},
		{"default tolerance, past it", sent.Add(DefaultTolerance + time.Second), 0, ErrTimestampTooOld},
		{"default tolerance, future edge", sent.Add(-DefaultTolerance), 0, nil},
		{"default tolerance, beyond it", sent.Add(-DefaultTolerance - time.Second), 0, ErrTimestampTooNew},
		{"negative tolerance is the default", sent.Add(DefaultTolerance + time.Second), -time.Minute, ErrTimestampTooOld},
		{"custom tolerance, stale", sent.Add(31 * time.Second), 30 * time.Second, ErrTimestampTooOld},
		{"custom tolerance, future", sent.Add(-31 * time.Second), 30 * time.Second, ErrTimestampTooNew},
		{"custom tolerance, wider", sent.Add(time.Hour), 2 * time.Hour, nil},
		{"sub-second now is not rounded in the sender's favour", sent.Add(DefaultTolerance + time.Millisecond), 0, ErrTimestampTooOld},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkVerify(t, Verify(h, []byte("{}"), tc.now, tc.tolerance, sec), tc.want)
		})
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	old, cur, other := NewSecret(), NewSecret(), NewSecret()
	at := time.Unix(1_700_000_000, 0)
	body := []byte(`{"type":"assessment.created"}`)
	h, err := Sign("msg_rot", at, body, cur, old)
	if err != nil {
		t.Fatal(err)
	}
	entries := strings.Fields(h.Get(HeaderSignature))
	if len(entries) != 2 {
		t.Fatalf("signature header %q: want one entry per secret", h.Get(HeaderSignature))
	}
	for i, e := range entries {
		if !strings.HasPrefix(e, "v1,") {
			t.Errorf("entry %d %q is not v1", i, e)
		}
	}
	if entries[0] == entries[1] {
		t.Error("both secrets gave the same signature")
	}
	for _, tc := range []struct {
		name    string
		secrets []Secret
		ok      bool
	}{
		{"receiver has the old secret only", []Secret{old}, true},
		{"receiver has the new secret only", []Secret{cur}, true},
		{"receiver has both", []Secret{other, old, cur}, true},
		{"receiver has neither", []Secret{other}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(h, body, at, 0, tc.secrets...)
			if tc.ok && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrNoMatchingSignature) {
				t.Fatalf("Verify: %v, want ErrNoMatchingSignature", err)
			}
		})
	}
}

func TestVerifyHeaderShape(t *testing.T) {
	t.Parallel()
	sec := NewSecret()
	at := time.Unix(1_700_000_000, 0)
	body := []byte("x")
	good, err := Sign("msg_1", at, body, sec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		modify func(http.Header)
		want   error
	}{
		{"signature split over two header lines", func(h http.Header) {
			h.Set(HeaderSignature, "v1,AAAA")
			h.Add(HeaderSignature, good.Get(HeaderSignature))
		}, nil},
		{"extra spaces between entries", func(h http.Header) {
			h.Set(HeaderSignature, "  v1a,xyz   "+good.Get(HeaderSignature)+"  ")
		}, nil},
		{"entry without a comma is skipped", func(h http.Header) {
			h.Set(HeaderSignature, "garbage "+good.Get(HeaderSignature))
		}, nil},
		{"empty webhook-id", func(h http.Header) { h.Set(HeaderID, "") }, ErrMissingHeader},
		{"repeated webhook-id", func(h http.Header) { h.Add(HeaderID, "msg_2") }, ErrMalformedHeader},
		{"repeated webhook-timestamp", func(h http.Header) { h.Add(HeaderTimestamp, "1700000000") }, ErrMalformedHeader},
		{"id with a space", func(h http.Header) { h.Set(HeaderID, "msg 1") }, ErrMalformedHeader},
		{"timestamp with spaces", func(h http.Header) { h.Set(HeaderTimestamp, " 1700000000") }, ErrMalformedHeader},
		{"timestamp beyond int64", func(h http.Header) { h.Set(HeaderTimestamp, "99999999999999999999") }, ErrMalformedHeader},
		{"timestamp with a leading zero signs other bytes", func(h http.Header) { h.Set(HeaderTimestamp, "01700000000") }, ErrNoMatchingSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := good.Clone()
			tc.modify(h)
			checkVerify(t, Verify(h, body, at, 0, sec), tc.want)
		})
	}
}

func TestVerifyNeedsASecret(t *testing.T) {
	t.Parallel()
	h, err := Sign("msg_1", time.Unix(1_700_000_000, 0), nil, NewSecret())
	if err != nil {
		t.Fatal(err)
	}
	for _, secrets := range [][]Secret{nil, {{}}} {
		if err := Verify(h, nil, time.Unix(1_700_000_000, 0), 0, secrets...); !errors.Is(err, ErrNoSecret) {
			t.Errorf("Verify with %d zero secrets: %v, want ErrNoSecret", len(secrets), err)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	t.Parallel()
	sec := NewSecret()
	at := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name    string
		id      string
		at      time.Time
		secrets []Secret
		want    string
	}{
		{"empty id", "", at, []Secret{sec}, "message id is empty"},
		{"id with a full stop", "msg.1", at, []Secret{sec}, "contains '.'"},
		{"id with a newline", "msg\n1", at, []Secret{sec}, "not printable ASCII"},
		{"id with non-ASCII", "msg_é", at, []Secret{sec}, "not printable ASCII"},
		{"before 1970", "msg_1", time.Unix(-1, 0), []Secret{sec}, "before 1970"},
		{"no secret", "msg_1", at, nil, "no secret"},
		{"zero secret", "msg_1", at, []Secret{sec, {}}, "secret 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := Sign(tc.id, tc.at, []byte("{}"), tc.secrets...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Sign = %v, %v; want an error containing %q", h, err, tc.want)
			}
			if h != nil {
				t.Errorf("Sign returned headers %v with its error", h)
			}
		})
	}
}

func TestSignTruncatesToSeconds(t *testing.T) {
	t.Parallel()
	sec := NewSecret()
	at := time.Unix(1_700_000_000, 999_999_999)
	h, err := Sign("msg_1", at, []byte("b"), sec)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Get(HeaderTimestamp); got != "1700000000" {
		t.Fatalf("webhook-timestamp = %q, want whole seconds", got)
	}
	if err := Verify(h, []byte("b"), at, 0, sec); err != nil {
		t.Fatal(err)
	}
}

func TestParseSecret(t *testing.T) {
	t.Parallel()
	b64 := func(n int) string {
		return strings.Repeat("A", (n+2)/3*4-pad(n)) + strings.Repeat("=", pad(n))
	}
	for _, tc := range []struct {
		name string
		in   string
		want string // "" means accepted
	}{
		{"24 bytes", "whsec_" + b64(24), ""},
		{"64 bytes", "whsec_" + b64(64), ""},
		{"spec vector secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ""},
		{"empty", "", "empty"},
		{"no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", `does not start with "whsec_"`},
		{"other prefix", "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", `does not start with "whsec_"`},
		{"prefix only", "whsec_", "0 bytes"},
		{"surrounding space", " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whitespace"},
		{"trailing newline", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", "whitespace"},
		{"not base64", "whsec_not*base64*at*all*here*!!!", "not standard padded base64"},
		{"url alphabet", "whsec_" + strings.Repeat("-", 32), "not standard padded base64"},
		{"missing padding", "whsec_" + strings.TrimRight(b64(25), "="), "not standard padded base64"},
		{"23 bytes", "whsec_" + b64(23), "23 bytes, want 24 to 64"},
		{"65 bytes", "whsec_" + b64(65), "65 bytes, want 24 to 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSecret(tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ParseSecret: %v", err)
				}
				if s.Reveal() != tc.in {
					t.Fatalf("Reveal() = %q, want the input back", s.Reveal())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseSecret = %v; want an error containing %q", err, tc.want)
			}
			if !s.IsZero() {
				t.Error("a refused secret is not the zero Secret")
			}
			if k := strings.TrimPrefix(strings.TrimSpace(tc.in), SecretPrefix); k != "" && strings.Contains(err.Error(), k) {
				t.Errorf("error %q echoes the secret", err)
			}
		})
	}
}

// pad is the number of '=' in the padded base64 of n bytes.
func pad(n int) int { return (3 - n%3) % 3 }

func TestNewSecret(t *testing.T) {
	t.Parallel()
	a, b := NewSecret(), NewSecret()
	if a.Reveal() == b.Reveal() {
		t.Fatal("two new secrets are equal")
	}
	p, err := ParseSecret(a.Reveal())
	if err != nil {
		t.Fatalf("a new secret does not parse: %v", err)
	}
	if p.Reveal() != a.Reveal() {
		t.Fatal("parse(reveal) is not the same secret")
	}
	if n := len(p.key()); n != 32 {
		t.Fatalf("new secret has %d bytes, want 32", n)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := NewSecret()
	key := strings.TrimPrefix(s.Reveal(), SecretPrefix)
	holder := struct {
		name string
		s    Secret
	}{"x", s}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("m", "secret", s)
	for _, out := range []string{
		s.String(), logged.String(), fmt.Sprint([]Secret{s}),
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x %X", s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", holder, holder, holder),
	} {
		k := s.key()
		if strings.Contains(out, key) || strings.Contains(out, fmt.Sprintf("%x", k)) ||
			strings.Contains(out, strings.Trim(fmt.Sprint(k[:4]), "[]")) ||
			strings.Contains(out, strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", k[:4]), "[]byte{"), "}")) {
			t.Errorf("printed the key: %q", out)
		}
	}
	if !strings.Contains(fmt.Sprint(s), "redacted") {
		t.Errorf("Sprint = %q, want it to say redacted", fmt.Sprint(s))
	}
}
