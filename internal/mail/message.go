package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// envelope is what the SMTP transaction needs besides the message data.
type envelope struct {
	from string
	to   []string
}

// generatedHeaders are written by buildMessage; allowing them in
// Message.Headers would produce duplicates or let a caller add recipients
// (Cc, Bcc) outside the envelope.
var generatedHeaders = []string{
	"Bcc", "Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From",
	"Message-Id", "Mime-Version", "Subject", "To",
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidMessage}, args...)...)
}

// hasLineBreak reports characters that would end a header line. CR and LF are
// the injection vector; NUL is rejected because servers disagree on it.
func hasLineBreak(s string) bool {
	return strings.ContainsAny(s, "\r\n\x00")
}

// buildMessage validates m and renders it as an RFC 5322 message with CRLF line
// endings. Errors name the offending field but do not echo its value.
func buildMessage(m Message, defaultFrom string, now time.Time) (envelope, []byte, error) {
	var env envelope
	for _, f := range []struct{ name, value string }{{"From", m.From}, {"To", m.To}, {"Subject", m.Subject}} {
		if hasLineBreak(f.value) {
			return env, nil, invalid("%s contains a line break", f.name)
		}
	}
	extra := make([]string, 0, len(m.Headers))
	for name, value := range m.Headers {
		if !validHeaderName(name) {
			return env, nil, invalid("header name %q is not a valid field name", name)
		}
		if slices.Contains(generatedHeaders, textproto.CanonicalMIMEHeaderKey(name)) {
			return env, nil, invalid("header %s is set by the sender and cannot be overridden", name)
		}
		if hasLineBreak(value) {
			return env, nil, invalid("header %s contains a line break", name)
		}
		extra = append(extra, name)
	}
	slices.Sort(extra) // deterministic output

	fromStr := m.From
	if fromStr == "" {
		fromStr = defaultFrom
	}
	if fromStr == "" {
		return env, nil, invalid("no From address (set Message.From or ?from= on the SMTP URL)")
	}
	from, err := netmail.ParseAddress(fromStr)
	if err != nil {
		return env, nil, invalid("From is not a valid address")
	}
	if strings.TrimSpace(m.To) == "" {
		return env, nil, invalid("no To address")
	}
	to, err := netmail.ParseAddressList(m.To)
	if err != nil {
		return env, nil, invalid("To is not a valid address list")
	}
	if m.ID != "" && !validIDLeft(m.ID) {
		return env, nil, invalid("ID is not a dot-atom of at most %d characters", maxIDLeft)
	}
	if m.Text == "" && m.HTML == "" {
		return env, nil, invalid("empty body (neither Text nor HTML set)")
	}
	env.from = from.Address
	toHeader := make([]string, len(to))
	for i, a := range to {
		env.to = append(env.to, a.Address)
		toHeader[i] = a.String()
	}

	var b bytes.Buffer
	writeHeader(&b, "Date", now.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", messageID(m.ID, from.Address))
	writeHeader(&b, "From", from.String())
	writeHeader(&b, "To", strings.Join(toHeader, ", "))
	writeHeader(&b, "Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	writeHeader(&b, "MIME-Version", "1.0")
	for _, name := range extra {
		writeHeader(&b, name, mime.QEncoding.Encode("utf-8", m.Headers[name]))
	}

	switch {
	case m.Text != "" && m.HTML != "":
		mw := multipart.NewWriter(&b)
		writeHeader(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
		b.WriteString("\r\n")
		// Plain text first: multipart/alternative lists parts in increasing
		// order of preference.
		for _, p := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
			w, err := mw.CreatePart(textproto.MIMEHeader{
				"Content-Type":              {p.typ + "; charset=utf-8"},
				"Content-Transfer-Encoding": {"quoted-printable"},
			})
			if err != nil {
				return env, nil, fmt.Errorf("build message: %w", err)
			}
			if err := writeQP(w, p.body); err != nil {
				return env, nil, fmt.Errorf("build message: %w", err)
			}
		}
		if err := mw.Close(); err != nil {
			return env, nil, fmt.Errorf("build message: %w", err)
		}
	default:
		typ, body := "text/plain", m.Text
		if m.Text == "" {
			typ, body = "text/html", m.HTML
		}
		writeHeader(&b, "Content-Type", typ+"; charset=utf-8")
		writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, body); err != nil {
			return env, nil, fmt.Errorf("build message: %w", err)
		}
		// SMTP data always ends with a line break; add it here rather than
		// leave it to the transport.
		if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
			b.WriteString("\r\n")
		}
	}
	return env, b.Bytes(), nil
}

// writeQP quoted-printable encodes body; the encoder turns every line break
// into CRLF and keeps lines within 76 characters, so any text survives 7-bit
// transport unchanged.
func writeQP(w io.Writer, body string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(body)); err != nil {
		return err
	}
	return qp.Close()
}

// messageID is "<left@domain of From>", left being the caller's stable id
// or, when that is empty, a random one.
func messageID(left, fromAddr string) string {
	domain := "switchboard.invalid"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && i < len(fromAddr)-1 {
		domain = fromAddr[i+1:]
	}
	if left == "" {
		var b [16]byte
		rand.Read(b[:]) // never fails, see crypto/rand.Read
		left = hex.EncodeToString(b[:])
	}
	return "<" + left + "@" + domain + ">"
}

// maxIDLeft bounds Message.ID, keeping the header line far below the 998
// characters RFC 5322 allows (it cannot be folded: it has no spaces).
const maxIDLeft = 128

// validIDLeft reports whether s is an RFC 5322 dot-atom (id-left) of at
// most maxIDLeft characters: atext runs separated by single dots.
func validIDLeft(s string) bool {
	if s == "" || len(s) > maxIDLeft || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := range len(s) {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && !strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", rune(c)) {
			return false
		}
	}
	return true
}

// validHeaderName reports whether name is an RFC 5322 field name: printable
// ASCII except colon.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := range len(name) {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// maxLineLen is RFC 5322's recommended line length (without CRLF).
const maxLineLen = 78

// writeHeader writes "name: value" folded at spaces to keep lines within 78
// characters where possible. Folding only inserts CRLF before existing
// whitespace, so unfolding restores the value exactly; a space between two
// RFC 2047 encoded-words is ignored by decoders, so encoded subjects fold
// safely too.
func writeHeader(b *bytes.Buffer, name, value string) {
	line := name + ": " + value
	// The first fold may come right after the colon: an encoded-word is up to
	// 75 characters and cannot be split, so "Subject: " plus one would not fit.
	minCut := len(name) + 1
	for len(line) > maxLineLen {
		cut := strings.LastIndexByte(line[:maxLineLen+1], ' ')
		if cut < minCut {
			// A single word longer than a line: fold after it instead.
			next := strings.IndexByte(line[maxLineLen+1:], ' ')
			if next < 0 {
				break
			}
			cut = maxLineLen + 1 + next
		}
		// Fold before a whole run of spaces, not inside it: lines then never
		// end in whitespace, which some relays strip.
		for cut > minCut && line[cut-1] == ' ' {
			cut--
		}
		if strings.TrimSpace(line[cut:]) == "" {
			break // a whitespace-only continuation line is not allowed
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n")
		line = line[cut:]
		minCut = 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
