package atshttp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"switchboard/internal/ats/atshttp"
)

// maxRetryAfter is the bound ParseRetryAfter keeps both of its forms under.
const maxRetryAfter = (1 << 31) * time.Second

// FuzzParseRetryAfter: the delay is never negative, never above the bound,
// exactly the seconds given (or the time to the date given) when the header
// is well formed, and 0 when it is not.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, seed := range []string{
		"", "0", "-3", " 12 ", "+7", "120", "99999999999999", "9223372036854775807", "-9223372036854775808",
		"1.5", "1e3", "0x10", "soon",
		now.Add(90 * time.Second).Format(http.TimeFormat),
		"Wed, 21 Oct 2015 07:28:00 GMT",
		"Fri, 31 Dec 9999 23:59:59 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
	} {
		f.Add(seed, now.Unix())
	}
	f.Add("Fri, 31 Dec 9999 23:59:59 GMT", int64(-62135596800)) // now = year 1
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		now := time.Unix(nowUnix, 0).UTC()
		got := atshttp.ParseRetryAfter(v, now)
		if got < 0 || got > maxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q, %v) = %v, outside [0, %v]", v, now, got, maxRetryAfter)
		}
		s := strings.TrimSpace(v)
		if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
			want := time.Duration(0)
			if secs > 0 {
				want = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
			}
			if got != want {
				t.Fatalf("ParseRetryAfter(%q) = %v, want %v", v, got, want)
			}
			return
		}
		if when, err := http.ParseTime(s); err == nil {
			want := min(max(when.Sub(now), 0), maxRetryAfter)
			if got != want {
				t.Fatalf("ParseRetryAfter(%q, %v) = %v, want %v", v, now, got, want)
			}
			return
		}
		if got != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v for a value that is neither seconds nor a date", v, got)
		}
	})
}

// FuzzSnippet: an error body becomes at most 200 bytes of valid, printable
// UTF-8 with no surrounding space, and a printable body's start is kept.
func FuzzSnippet(f *testing.F) {
	for _, seed := range []string{
		"  <html>oops</html>\n", "a\x00b\tc", "bad \xff utf8", strings.Repeat("x", 300),
		"esc \x1b[31mred\x1b[0m", "line\u2028sep",
		strings.Repeat("é", 150), `{"message":"Internal Server Error"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := atshttp.Snippet(b)
		if len(s) > 200 {
			t.Fatalf("Snippet is %d bytes, want at most 200: %q", len(s), s)
		}
		if !utf8.ValidString(s) {
			t.Fatalf("Snippet is not valid UTF-8: %q", s)
		}
		if s != strings.TrimSpace(s) {
			t.Fatalf("Snippet has surrounding space: %q", s)
		}
		for _, r := range s {
			if r != ' ' && !unicode.IsPrint(r) {
				t.Fatalf("Snippet keeps the unprintable %U: %q", r, s)
			}
		}
		// A body of printable ASCII keeps its first 200 bytes, trimmed.
		printable := true
		for _, c := range b {
			printable = printable && c >= ' ' && c < 0x7f
		}
		if printable {
			want := strings.TrimSpace(string(b[:min(len(b), 200)]))
			if s != want {
				t.Fatalf("Snippet(%q) = %q, want %q", b, s, want)
			}
		}
	})
}

// FuzzStatusError: whatever an ATS (or a proxy in front of it) answers, a
// 2xx is a response of that body and anything else a *StatusError of that
// status, its retry classification and exactly the Retry-After the header
// says, and no text of the error (nor its Body) carries the credential,
// wherever the answer echoes it.
func FuzzStatusError(f *testing.F) {
	const user, pass = "ats-key-0123456789", "pw-abcdef"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	for _, seed := range []struct {
		status           int
		retryAfter, body string
		echo             uint8
	}{
		{404, "", `{"code":"NotFound","message":"no such job"}`, 0},
		{429, "3", `{"message":"slow down"}`, 0},
		{503, "Wed, 21 Oct 2015 07:28:00 GMT", "<html>down</html>", 1},
		{401, "", `{"code":"Unauthorized","message":"bad key %s"}`, 2},
		{403, "", `{"message":"Authorization: %s"}`, 3},
		{500, "-1", "\x00\xff%s", 4},
		{200, "", `{"id":"x"}`, 0},
		{204, "", ``, 0},
	} {
		f.Add(seed.status, seed.retryAfter, []byte(seed.body), seed.echo)
	}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, echo uint8) {
		if status < 200 || status > 599 || (status >= 300 && status < 400) {
			return
		}
		hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			// The answer may echo a form of the credential where the body says %s.
			forms := []string{"", user, pass, basic, r.Header.Get("Authorization")}
			b := bytes.ReplaceAll(body, []byte("%s"), []byte(forms[int(echo)%len(forms)]))
			h := http.Header{"Retry-After": {retryAfter}}
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(b)), Request: r}, nil
		})}
		now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
		c := &atshttp.Client{BaseURL: "https://ats.example", HTTP: hc, Auth: atshttp.Basic(user, pass), MaxRetries: -1,
			Now: func() time.Time { return now },
			DecodeError: func(b []byte) (string, string, bool) {
				var eb struct{ Code, Message string }
				return eb.Code, eb.Message, json.Unmarshal(b, &eb) == nil
			}}
		resp, err := c.Do(context.Background(), atshttp.Request{Method: http.MethodGet, Path: "/jobs/1"})
		if status < 300 {
			if err != nil || resp.StatusCode != status {
				t.Fatalf("HTTP %d: %v", status, err)
			}
			return
		}
		var se *atshttp.StatusError
		if !errors.As(err, &se) {
			t.Fatalf("HTTP %d: %v is not a *StatusError", status, err)
		}
		if se.StatusCode != status || se.Temporary() != (status == 429 || status >= 500) || se.RetryAfter != atshttp.ParseRetryAfter(retryAfter, now) {
			t.Fatalf("HTTP %d, Retry-After %q: %+v (temporary %v)", status, retryAfter, se, se.Temporary())
		}
		text := fmt.Sprintf("%v|%+v|%s", err, *se, se.Body)
		for _, secret := range []string{user, pass, basic} {
			if strings.Contains(text, secret) {
				t.Fatalf("error carries %q: %s", secret, text)
			}
		}
	})
}
