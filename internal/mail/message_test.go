package mail

import (
	"bufio"
	"bytes"
	"mime"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func TestWriteHeaderFolds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		value string
		short bool // every line fits in 78 characters
	}{
		{"short", "hello", true},
		{"words", strings.TrimSpace(strings.Repeat("word ", 40)), true},
		{"encoded", mime.QEncoding.Encode("utf-8", strings.Repeat("Prüfung ", 30)), true},
		{"double spaces", strings.Repeat("ab  ", 40) + "z", true},
		{"leading space", " x" + strings.Repeat(" y", 60), true},
		{"empty", "", true},
		{"trailing spaces", "abc" + strings.Repeat(" ", 100), false},
		{"one huge word", strings.Repeat("x", 200), false},
		{"huge then words", strings.Repeat("x", 100) + " a b c", false},
	} {
		var b bytes.Buffer
		writeHeader(&b, "Subject", tc.value)
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Errorf("%s: no CRLF at end: %q", tc.name, out)
		}
		// RFC 5322 unfolding is removing every CRLF that precedes whitespace.
		if got, want := strings.ReplaceAll(out, "\r\n", ""), "Subject: "+tc.value; got != want {
			t.Errorf("%s: unfolded = %q, want %q", tc.name, got, want)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		for i, l := range lines {
			if i > 0 && (strings.TrimSpace(l) == "" || l[0] != ' ') {
				t.Errorf("%s: bad continuation line %q", tc.name, l)
			}
			if tc.short && len(l) > 78 {
				t.Errorf("%s: line longer than 78: %q", tc.name, l)
			}
			if i < len(lines)-1 && strings.HasSuffix(l, " ") {
				t.Errorf("%s: folded line ends in whitespace: %q", tc.name, l)
			}
		}
		if _, err := textproto.NewReader(bufio.NewReader(strings.NewReader(out + "\r\n"))).ReadMIMEHeader(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestBuildMessageIsDeterministicApartFromIDs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := Message{
		From: "a@example.com", To: "b@example.com", Subject: "s", Text: "t",
		Headers: map[string]string{"X-B": "2", "X-A": "1", "X-Note": "Grüße"},
	}
	_, raw, err := buildMessage(m, "", now)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if !strings.HasPrefix(s, "Date: Sun, 01 Mar 2026 12:00:00 +0000\r\n") {
		t.Errorf("Date header: %q", s[:40])
	}
	if strings.Index(s, "X-A: 1") > strings.Index(s, "X-B: 2") {
		t.Error("extra headers not sorted")
	}
	if !strings.Contains(s, "X-Note: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n") {
		t.Errorf("non-ASCII header value not encoded:\n%s", s)
	}
}
