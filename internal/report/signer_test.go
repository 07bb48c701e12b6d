package report

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef0123456789abcdef") // 32 bytes

// clock is a settable fake clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestSigner(t testing.TB) (*Signer, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 2, 9, 41, 30, 0, time.UTC)}
	s, err := NewSigner(testKey, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestNewSigner(t *testing.T) {
	if _, err := NewSigner(testKey[:31], nil); err == nil || !strings.Contains(err.Error(), "31 bytes, need at least 32") {
		t.Errorf("short key: err = %v", err)
	}
	key := bytes.Clone(testKey)
	s, err := NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := s.Sign("report", "/p", time.Hour)
	key[0] ^= 1 // the signer must have its own copy
	if err := s.Verify("report", "/p", q); err != nil {
		t.Errorf("nil clock / key copy: %v", err)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s, c := newTestSigner(t)
	q := s.Sign("report", "/orders/o1/report.pdf", 15*time.Minute)
	if got, want := q.Get("exp"), strconv.FormatInt(c.t.Add(15*time.Minute).Unix(), 10); got != want {
		t.Errorf("exp = %s, want %s", got, want)
	}
	if sig := q.Get("sig"); len(sig) != 43 || strings.ContainsAny(sig, "+/=") {
		t.Errorf("sig %q is not unpadded base64url of 32 bytes", sig)
	}
	if err := s.Verify("report", "/orders/o1/report.pdf", q); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// Survives a trip through a real URL.
	raw := s.SignedURL("http://localhost:8080/", "report", "/orders/o 1/report.pdf", time.Hour)
	if want := "http://localhost:8080/orders/o%201/report.pdf?exp="; !strings.HasPrefix(raw, want) {
		t.Errorf("SignedURL = %s, want prefix %s", raw, want)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify("report", u.Path, u.Query()); err != nil {
		t.Errorf("Verify(SignedURL): %v", err)
	}
	// A path without its leading slash is signed as the server will see it.
	u, _ = url.Parse(s.SignedURL("https://sb.example.com", "result", "orders/o1", time.Hour))
	if u.Path != "/orders/o1" {
		t.Errorf("path = %q", u.Path)
	}
	if err := s.Verify("result", "/orders/o1", u.Query()); err != nil {
		t.Errorf("Verify(no leading slash): %v", err)
	}
}

func TestVerifyExpiryBoundary(t *testing.T) {
	s, c := newTestSigner(t)
	start := c.t
	q := s.Sign("report", "/p", time.Minute)
	exp := start.Add(time.Minute)
	tests := []struct {
		at   time.Time
		want error
	}{
		{start, nil},
		{exp.Add(-time.Nanosecond), nil},
		{exp, ErrExpired},
		{exp.Add(time.Second), ErrExpired},
		{start.Add(-time.Hour), nil}, // a clock that went back still honours the link
	}
	for _, tt := range tests {
		c.t = tt.at
		if err := s.Verify("report", "/p", q); !errors.Is(err, tt.want) {
			t.Errorf("at exp%+v: err = %v, want %v", tt.at.Sub(exp), err, tt.want)
		}
	}
	// Sub-second TTLs truncate to whole seconds: exp is a Unix second.
	c.t = start.Add(300 * time.Millisecond)
	q = s.Sign("report", "/p", 500*time.Millisecond) // now+ttl = start+0.8s → exp = start
	if err := s.Verify("report", "/p", q); !errors.Is(err, ErrExpired) {
		t.Errorf("truncated exp: err = %v, want ErrExpired", err)
	}
	// An expired link with a bad signature reports the signature.
	c.t = start
	q = s.Sign("report", "/p", -time.Minute)
	q.Set("sig", q.Get("sig")[:42]+"A")
	if err := s.Verify("report", "/p", q); !errors.Is(err, ErrBadSignature) {
		t.Errorf("expired and forged: err = %v, want ErrBadSignature", err)
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	s, _ := newTestSigner(t)
	const purpose, path = "report", "/orders/o1/report.pdf"
	good := s.Sign(purpose, path, time.Hour)
	exp, sig := good.Get("exp"), good.Get("sig")
	expN, _ := strconv.ParseInt(exp, 10, 64)
	other, _ := NewSigner(bytes.Repeat([]byte("k"), 32), nil)

	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name          string
		purpose, path string
		q             url.Values
	}{
		{"other purpose", "result", path, good},
		{"other path", purpose, "/orders/o2/report.pdf", good},
		{"path suffix", purpose, path + "x", good},
		{"path prefix", purpose, "/orders/o1", good},
		{"purpose/path boundary", "report/orders", "/o1/report.pdf", good},
		{"later exp", purpose, path, url.Values{"exp": {strconv.FormatInt(expN+3600, 10)}, "sig": {sig}}},
		{"exp with leading zero", purpose, path, url.Values{"exp": {"0" + exp}, "sig": {sig}}},
		{"exp with plus", purpose, path, url.Values{"exp": {"+" + exp}, "sig": {sig}}},
		{"exp not a number", purpose, path, url.Values{"exp": {"soon"}, "sig": {sig}}},
		{"first sig char", purpose, path, url.Values{"exp": {exp}, "sig": {flip(sig, 0)}}},
		{"last sig char", purpose, path, url.Values{"exp": {exp}, "sig": {flip(sig, 42)}}},
		{"sig padded", purpose, path, url.Values{"exp": {exp}, "sig": {sig + "="}}},
		{"sig std alphabet", purpose, path, url.Values{"exp": {exp}, "sig": {strings.NewReplacer("-", "+", "_", "/").Replace(sig) + "+/"}}},
		{"sig truncated", purpose, path, url.Values{"exp": {exp}, "sig": {sig[:40]}}},
		{"sig empty", purpose, path, url.Values{"exp": {exp}, "sig": {""}}},
		{"no sig", purpose, path, url.Values{"exp": {exp}}},
		{"no exp", purpose, path, url.Values{"sig": {sig}}},
		{"nil query", purpose, path, nil},
		{"duplicate sig", purpose, path, url.Values{"exp": {exp}, "sig": {sig, sig}}},
		{"duplicate exp", purpose, path, url.Values{"exp": {exp, exp}, "sig": {sig}}},
		{"other key", purpose, path, other.Sign(purpose, path, time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Verify(tt.purpose, tt.path, tt.q); !errors.Is(err, ErrBadSignature) {
				t.Errorf("err = %v, want ErrBadSignature", err)
			}
		})
	}
	if err := s.Verify(purpose, path, good); err != nil {
		t.Fatalf("untampered link rejected: %v", err)
	}
}

type goldenFile struct {
	Source  string `json:"source"`
	Vectors []struct {
		Name    string `json:"name"`
		KeyHex  string `json:"key_hex"`
		Purpose string `json:"purpose"`
		Path    string `json:"path"`
		Exp     int64  `json:"exp"`
		Sig     string `json:"sig"`
	} `json:"vectors"`
}

func TestSignedLinkGoldenVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/signed_links.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Source == "" || len(g.Vectors) == 0 {
		t.Fatal("golden file lacks source or vectors")
	}
	for _, v := range g.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			key, err := hex.DecodeString(v.KeyHex)
			if err != nil {
				t.Fatal(err)
			}
			expAt := time.Unix(v.Exp, 0)
			// Sign at exp-ttl so Sign produces exactly the vector's exp.
			const ttl = time.Hour
			c := &clock{t: expAt.Add(-ttl)}
			s, err := NewSigner(key, c.now)
			if err != nil {
				t.Fatal(err)
			}
			q := s.Sign(v.Purpose, v.Path, ttl)
			if got := q.Get("exp"); got != strconv.FormatInt(v.Exp, 10) {
				t.Errorf("exp = %s, want %d", got, v.Exp)
			}
			if got := q.Get("sig"); got != v.Sig {
				t.Errorf("sig = %s, want %s", got, v.Sig)
			}
			given := url.Values{"exp": {strconv.FormatInt(v.Exp, 10)}, "sig": {v.Sig}}
			if err := s.Verify(v.Purpose, v.Path, given); err != nil {
				t.Errorf("Verify(golden) before exp: %v", err)
			}
			c.t = expAt
			if err := s.Verify(v.Purpose, v.Path, given); !errors.Is(err, ErrExpired) {
				t.Errorf("Verify(golden) at exp: %v, want ErrExpired", err)
			}
		})
	}
}

// FuzzVerify checks that Verify never panics on arbitrary input and never
// accepts a link whose purpose, path, exp or sig differs from what was
// signed.
func FuzzVerify(f *testing.F) {
	f.Add("report", "/orders/o1/report.pdf", int64(3600), "report", "/orders/o1/report.pdf", "", "", "")
	f.Add("report", "/p", int64(60), "result", "/p", "", "", "exp=1&sig=x")
	f.Add("a", "b\nc", int64(1), "a\nb", "c", "+1", "AAAA", "sig=%zz&exp=")
	f.Add("", "/", int64(-5), "", "/", "0", "", "exp=9999999999999999999")
	f.Fuzz(func(t *testing.T, purpose, path string, ttlSec int64, vPurpose, vPath, vExp, vSig, rawQuery string) {
		c := &clock{t: time.Unix(1_772_444_490, 0)}
		s, err := NewSigner(testKey, c.now)
		if err != nil {
			t.Fatal(err)
		}
		// Arbitrary queries: must not panic, and a forged query built
		// without the key must not verify.
		if q, err := url.ParseQuery(rawQuery); err == nil {
			if s.Verify(vPurpose, vPath, q) == nil {
				t.Fatalf("accepted unsigned query %q", rawQuery)
			}
		}

		ttl := time.Duration(ttlSec%(10*365*24*3600)) * time.Second
		q := s.Sign(purpose, path, ttl)
		exp, sig := q.Get("exp"), q.Get("sig")
		if vExp == "" {
			vExp = exp
		}
		if vSig == "" {
			vSig = sig
		}
		err = s.Verify(vPurpose, vPath, url.Values{"exp": {vExp}, "sig": {vSig}})
		tampered := vPurpose != purpose || vPath != path || vExp != exp || vSig != sig
		switch {
		case tampered && err == nil:
			t.Fatalf("accepted tampered link: signed (%q, %q, %s, %s), verified (%q, %q, %s, %s)",
				purpose, path, exp, sig, vPurpose, vPath, vExp, vSig)
		case tampered && !errors.Is(err, ErrBadSignature):
			t.Fatalf("tampered link: err = %v, want ErrBadSignature", err)
		case !tampered && ttl >= time.Second && err != nil:
			t.Fatalf("genuine link rejected: %v", err)
		case !tampered && ttl <= 0 && !errors.Is(err, ErrExpired):
			t.Fatalf("genuine link with ttl %v: err = %v, want ErrExpired", ttl, err)
		}
	})
}

// TestSignUntilAndVerifyExpiry: a link signed until a time verifies with
// that expiry, so a page can sign what it links to no longer than itself.
func TestSignUntilAndVerifyExpiry(t *testing.T) {
	s, c := newTestSigner(t)
	until := c.t.Add(90 * time.Minute)
	q := s.SignUntil("report", "/p", until)
	got, err := s.VerifyExpiry("report", "/p", q)
	if err != nil || !got.Equal(until) {
		t.Fatalf("VerifyExpiry = %v, %v; want %v", got, err, until)
	}
	if want := s.Sign("report", "/p", 90*time.Minute); q.Encode() != want.Encode() {
		t.Errorf("SignUntil(now+d) %v differs from Sign(d) %v", q, want)
	}
	link := s.SignedURLUntil("https://sb.example", "report", "/p", until)
	if u, _ := url.Parse(link); u.Query().Get("exp") != strconv.FormatInt(until.Unix(), 10) {
		t.Errorf("SignedURLUntil %s: exp is not %d", link, until.Unix())
	}
	c.t = until
	if got, err := s.VerifyExpiry("report", "/p", q); !errors.Is(err, ErrExpired) || !got.IsZero() {
		t.Errorf("at expiry: %v, %v; want ErrExpired and no time", got, err)
	}
	if _, err := s.VerifyExpiry("report", "/q", q); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other path: %v", err)
	}
}
