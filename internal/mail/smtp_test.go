package mail_test

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	netmail "net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/internal/mail"
	"switchboard/internal/mail/mailtest"
)

// testCtx bounds a test so that a bug shows up as a failure, not a hang.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newSMTP(t *testing.T, rawURL string, opts ...mail.SMTPOption) *mail.SMTP {
	t.Helper()
	s, err := mail.NewSMTP(rawURL, opts...)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return s
}

func waitOne(t *testing.T, srv *mailtest.Server) mailtest.Received {
	t.Helper()
	msgs, err := srv.WaitForMessages(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// redirect returns a dialer that connects to addr whatever the URL says, so a
// test can use a non-loopback host name against the local server.
func redirect(addr string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
}

func TestSendMultipartNonASCII(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s := newSMTP(t, srv.URL()+"?from=Switchboard+%3Cnoreply@switchboard.test%3E")

	subject := "Einladung zur Prüfung – Zoë, bitte bis Freitag erledigen ✓ " + strings.Repeat("ä", 40)
	text := "Hallo Zoë,\n\n.a line starting with a dot\n.\nand a very long line: " + strings.Repeat("lorem ipsum ", 30) + "\nbye = end\n"
	html := "<p>Hallo Zoë,</p>\n<p><a href=\"https://sb.test/i/abc?x=1&y=2\">Start</a></p>"
	err := s.Send(testCtx(t), mail.Message{
		To:      "Zoë Example <zoe@example.com>",
		Subject: subject,
		Text:    text,
		HTML:    html,
		Headers: map[string]string{"X-Switchboard-Order": "ord_123"},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := waitOne(t, srv)
	if got.From != "noreply@switchboard.test" {
		t.Errorf("envelope from = %q", got.From)
	}
	if len(got.To) != 1 || got.To[0] != "zoe@example.com" {
		t.Errorf("envelope to = %q", got.To)
	}
	h := got.Header
	dec := new(mime.WordDecoder)
	if s, err := dec.DecodeHeader(h.Get("Subject")); err != nil || s != subject {
		t.Errorf("Subject decodes to %q (%v), want %q", s, err, subject)
	}
	if !strings.HasPrefix(h.Get("Subject"), "=?utf-8?q?") {
		t.Errorf("Subject not RFC 2047 encoded: %q", h.Get("Subject"))
	}
	if from, err := h.AddressList("From"); err != nil || from[0].Address != "noreply@switchboard.test" || from[0].Name != "Switchboard" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if to, err := h.AddressList("To"); err != nil || to[0].Address != "zoe@example.com" || to[0].Name != "Zoë Example" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if date, err := h.Date(); err != nil || time.Since(date).Abs() > time.Hour {
		t.Errorf("Date = %q (%v)", h.Get("Date"), err)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@switchboard.test>") {
		t.Errorf("Message-ID = %q", id)
	}
	if v := h.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt != "multipart/alternative" {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	if v := h.Get("X-Switchboard-Order"); v != "ord_123" {
		t.Errorf("X-Switchboard-Order = %q", v)
	}
	if got.Text != text {
		t.Errorf("Text = %q\nwant   %q", got.Text, text)
	}
	if got.HTML != html {
		t.Errorf("HTML = %q\nwant   %q", got.HTML, html)
	}
	data := string(got.Data)
	if strings.Contains(strings.ReplaceAll(data, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(data, "\r\n", ""), "\r") {
		t.Error("message has bare CR or LF line endings")
	}
	for _, line := range strings.Split(data, "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 characters: %q", line)
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("non-ASCII byte in transmitted message: %q", line)
			}
		}
	}
	for _, part := range []string{"text/plain; charset=utf-8", "text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"} {
		if !strings.Contains(data, part) {
			t.Errorf("message lacks %q", part)
		}
	}
	if strings.Index(data, "text/plain") > strings.Index(data, "text/html") {
		t.Error("text/plain part must come before text/html")
	}
}

func TestSendSinglePart(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s := newSMTP(t, srv.URL())
	msg := mail.Message{From: "a@example.com", To: "b@example.com, C <c@example.com>", Subject: "plain", Text: "just text\n"}
	if err := s.Send(testCtx(t), msg); err != nil {
		t.Fatal(err)
	}
	got := waitOne(t, srv)
	if got.Text != "just text\n" || got.HTML != "" {
		t.Errorf("Text = %q, HTML = %q", got.Text, got.HTML)
	}
	if ct := got.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if strings.Join(got.To, " ") != "b@example.com c@example.com" {
		t.Errorf("envelope to = %q", got.To)
	}
	if got.Header.Get("Subject") != "plain" {
		t.Errorf("ASCII subject was encoded: %q", got.Header.Get("Subject"))
	}
}

func TestSendRejectsInvalidMessage(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	var dials atomic.Int32
	s := newSMTP(t, srv.URL()+"?from=noreply@switchboard.test", mail.WithDialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}))
	valid := mail.Message{To: "zoe@example.com", Subject: "hi", Text: "body"}
	cases := map[string]func(m *mail.Message){
		"subject CRLF":      func(m *mail.Message) { m.Subject = "hi\r\nBcc: victim@example.com" },
		"subject LF":        func(m *mail.Message) { m.Subject = "hi\nBcc: victim@example.com" },
		"subject CR":        func(m *mail.Message) { m.Subject = "hi\rBcc: victim@example.com" },
		"to LF":             func(m *mail.Message) { m.To = "zoe@example.com\nBcc: victim@example.com" },
		"from CRLF":         func(m *mail.Message) { m.From = "a@example.com\r\nBcc: victim@example.com" },
		"header value":      func(m *mail.Message) { m.Headers = map[string]string{"X-Order": "1\r\nBcc: victim@example.com"} },
		"header name":       func(m *mail.Message) { m.Headers = map[string]string{"X-Order\r\nBcc": "victim@example.com"} },
		"header name colon": func(m *mail.Message) { m.Headers = map[string]string{"Bcc: v@example.com\r\nX": "1"} },
		"generated header":  func(m *mail.Message) { m.Headers = map[string]string{"bcc": "victim@example.com"} },
		"bad to":            func(m *mail.Message) { m.To = "not an address" },
		"no to":             func(m *mail.Message) { m.To = "" },
		"no body":           func(m *mail.Message) { m.Text = "" },
		"id with CRLF":      func(m *mail.Message) { m.ID = "a\r\nBcc: victim@example.com" },
		"id with @":         func(m *mail.Message) { m.ID = "a@victim.example" },
		"id with >":         func(m *mail.Message) { m.ID = "a>" },
		"id double dot":     func(m *mail.Message) { m.ID = "a..b" },
		"id leading dot":    func(m *mail.Message) { m.ID = ".a" },
		"id too long":       func(m *mail.Message) { m.ID = strings.Repeat("a", 129) },
	}
	for name, mutate := range cases {
		m := valid
		mutate(&m)
		err := s.Send(testCtx(t), m)
		if !errors.Is(err, mail.ErrInvalidMessage) || !mail.IsPermanent(err) {
			t.Errorf("%s: err = %v, want a permanent ErrInvalidMessage", name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "mail: smtp: ") {
			t.Errorf("%s: error %q lacks prefix", name, err)
		}
		if strings.Contains(err.Error(), "victim") {
			t.Errorf("%s: error echoes the value: %v", name, err)
		}
	}
	if n := dials.Load(); n != 0 {
		t.Errorf("invalid messages caused %d connections", n)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
	// Sanity check: the valid message does go through this sender.
	if err := s.Send(testCtx(t), valid); err != nil {
		t.Fatal(err)
	}
	waitOne(t, srv)
}

func TestSendNoFrom(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	err := newSMTP(t, srv.URL()).Send(testCtx(t), mail.Message{To: "b@example.com", Text: "x"})
	if !errors.Is(err, mail.ErrInvalidMessage) {
		t.Fatalf("err = %v, want ErrInvalidMessage", err)
	}
}

func TestSendClassifiesServerRejections(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code      int
		permanent bool
	}{
		{550, true},
		{554, true},
		{451, false},
		{421, false},
	} {
		srv := mailtest.NewServer(t)
		srv.RejectNext(tc.code, "go away")
		s := newSMTP(t, srv.URL())
		m := mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"}
		err := s.Send(testCtx(t), m)
		if err == nil {
			t.Fatalf("%d: Send succeeded", tc.code)
		}
		if got := mail.IsPermanent(err); got != tc.permanent {
			t.Errorf("%d: IsPermanent = %v, want %v (err: %v)", tc.code, got, tc.permanent, err)
		}
		if !strings.HasPrefix(err.Error(), "mail: smtp: MAIL FROM: ") {
			t.Errorf("%d: err = %q", tc.code, err)
		}
		// The rejection was one-off; the server keeps working.
		if err := s.Send(testCtx(t), m); err != nil {
			t.Errorf("%d: second Send: %v", tc.code, err)
		}
	}
}

func TestSendNetworkErrorIsTemporary(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	err = newSMTP(t, "smtp://"+addr).Send(testCtx(t), mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
}

func TestSendCancelWhileServerStalls(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	stalled, release := srv.StallNext()
	defer release()
	s := newSMTP(t, srv.URL())

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- s.Send(ctx, mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	}()
	select {
	case <-stalled:
	case <-testCtx(t).Done():
		t.Fatal("server never stalled")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if mail.IsPermanent(err) {
			t.Errorf("cancellation classified as permanent: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Send did not return after cancel")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSendDeadlineWhileServerStalls(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.StallNext()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := newSMTP(t, srv.URL()).Send(ctx, mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Send took %v after a 50ms deadline", elapsed)
	}
}

func TestSendWithTimeoutOption(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.StallNext()
	s := newSMTP(t, srv.URL(), mail.WithTimeout(50*time.Millisecond))
	err := s.Send(t.Context(), mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestSendAuthPlainLoopback(t *testing.T) {
	t.Parallel()
	const pass = "s3cret p@ss:word"
	srv := mailtest.NewServer(t, mailtest.WithAuth("bob", pass))
	u := "smtp://bob:" + urlEscape(pass) + "@" + srv.Addr()
	if err := newSMTP(t, u).Send(testCtx(t), mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := waitOne(t, srv); got.User != "bob" || got.TLS {
		t.Errorf("User = %q, TLS = %v", got.User, got.TLS)
	}

	// A wrong password is a permanent 535 and is not echoed.
	err := newSMTP(t, "smtp://bob:WrongPassword1@"+srv.Addr()).Send(testCtx(t), mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	if err == nil || !mail.IsPermanent(err) || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: err = %v, want permanent 535", err)
	}
	if err != nil && strings.Contains(err.Error(), "WrongPassword1") {
		t.Errorf("error leaks the password: %v", err)
	}
	// Without credentials the server refuses MAIL FROM.
	err = newSMTP(t, srv.URL()).Send(testCtx(t), mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "530") {
		t.Errorf("no credentials: err = %v, want 530", err)
	}
}

func urlEscape(s string) string {
	r := strings.NewReplacer(" ", "%20", "@", "%40", ":", "%3A")
	return r.Replace(s)
}

func TestSendRefusesPlainAuthWithoutTLS(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithAuth("bob", "pw"))
	// Even with plain text allowed, the password is not sent in it.
	s := newSMTP(t, "smtp://bob:pw@mail.example.test:587?starttls=optional", mail.WithDialer(redirect(srv.Addr())))
	err := s.Send(testCtx(t), mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "credentials over an unencrypted connection") {
		t.Fatalf("err = %v, want refusal to authenticate in plain text", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

// TestSendRequiresSTARTTLSBeyondLoopback: to a host other than loopback a
// server that offers no STARTTLS gets nothing, unless the operator opted out;
// on loopback plain text is fine unless the operator requires TLS.
func TestSendRequiresSTARTTLSBeyondLoopback(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t) // no STARTTLS
	m := mail.Message{From: "a@example.com", To: "b@example.com", Text: "https://sb.example/a/bearer-token"}
	for _, tc := range []struct {
		url       string
		delivered bool
	}{
		{"smtp://mail.example.test:587", false},
		{"smtp://mail.example.test:587?starttls=required", false},
		{"smtp://mail.example.test:587?starttls=optional", true},
		{"smtp://localhost:25", true},
		{"smtp://127.0.0.1:25", true},
		{"smtp://[::1]:25", true},
		{"smtp://127.0.0.1:25?starttls=required", false},
	} {
		before := len(srv.Messages())
		err := newSMTP(t, tc.url, mail.WithDialer(redirect(srv.Addr()))).Send(testCtx(t), m)
		got := len(srv.Messages()) - before
		switch {
		case tc.delivered && (err != nil || got != 1):
			t.Errorf("%s: err = %v, %d delivered; want it sent", tc.url, err, got)
		case !tc.delivered && (err == nil || !strings.Contains(err.Error(), "STARTTLS") || mail.IsPermanent(err) || got != 0):
			t.Errorf("%s: err = %v (permanent %v), %d delivered; want a temporary STARTTLS refusal and nothing sent", tc.url, err, mail.IsPermanent(err), got)
		}
	}
}

func TestSendSTARTTLSWithAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithSTARTTLS(), mailtest.WithAuth("bob", "pw"))
	tlsConfig := srv.ClientTLSConfig()
	tlsConfig.ServerName = "localhost" // the certificate's name; the URL names another host
	s := newSMTP(t, "smtp://bob:pw@mail.example.test:587?from=a@example.com",
		mail.WithDialer(redirect(srv.Addr())), mail.WithTLSConfig(tlsConfig))
	if err := s.Send(testCtx(t), mail.Message{To: "b@example.com", Text: "over tls"}); err != nil {
		t.Fatal(err)
	}
	// SMTP data ends with a line break, so a single-part body gains one.
	if got := waitOne(t, srv); !got.TLS || got.User != "bob" || got.Text != "over tls\n" {
		t.Errorf("TLS = %v, User = %q, Text = %q", got.TLS, got.User, got.Text)
	}
}

func TestSendSTARTTLSBadCertificate(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithSTARTTLS())
	// No WithTLSConfig: the throwaway certificate is not trusted, and an
	// offered STARTTLS that fails must not fall back to plain text.
	err := newSMTP(t, srv.URL()).Send(testCtx(t), mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || mail.IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary STARTTLS error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithImplicitTLS(), mailtest.WithAuth("bob", "pw"))
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL = %q", srv.URL())
	}
	m := mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"}
	withCreds := strings.Replace(srv.URL(), "smtps://", "smtps://bob:pw@", 1)

	if err := newSMTP(t, withCreds, mail.WithTLSConfig(srv.ClientTLSConfig())).Send(testCtx(t), m); err != nil {
		t.Fatalf("trusted: %v", err)
	}
	if err := newSMTP(t, withCreds+"?insecure_skip_verify=1").Send(testCtx(t), m); err != nil {
		t.Fatalf("insecure_skip_verify: %v", err)
	}
	if err := newSMTP(t, withCreds).Send(testCtx(t), m); err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	msgs, err := srv.WaitForMessages(testCtx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range msgs {
		if !got.TLS || got.User != "bob" {
			t.Errorf("TLS = %v, User = %q", got.TLS, got.User)
		}
	}
}

func TestNewSMTPErrors(t *testing.T) {
	t.Parallel()
	const pw = "Hunter2Secret"
	for name, rawURL := range map[string]string{
		"bad scheme":      "http://u:" + pw + "@mail.example.com:587",
		"no scheme":       "u:" + pw + "@mail.example.com:587",
		"missing host":    "smtp://u:" + pw + "@:587",
		"missing port":    "smtp://u:" + pw + "@mail.example.com",
		"port range":      "smtp://u:" + pw + "@mail.example.com:70000",
		"unparsable":      "smtp://u:" + pw + "%zz@mail.example.com:587",
		"unescaped ?":     "smtp://u:pa?" + pw + "@mail.example.com:587",
		"user only":       "smtp://u@mail.example.com:587?x=" + pw,
		"unknown option":  "smtp://u:" + pw + "@mail.example.com:587?" + pw + "=1",
		"bad from":        "smtp://u:" + pw + "@mail.example.com:587?from=nobody",
		"bad insecure":    "smtp://u:" + pw + "@mail.example.com:587?insecure_skip_verify=maybe",
		"path":            "smtp://u:" + pw + "@mail.example.com:587/x",
		"opaque":          "smtp:u:" + pw + "@mail.example.com:587",
		"empty user name": "smtp://:" + pw + "@mail.example.com:587",
		"bad starttls":    "smtp://u:" + pw + "@mail.example.com:587?starttls=off",
		"smtps starttls":  "smtps://u:" + pw + "@mail.example.com:465?starttls=optional",
	} {
		_, err := mail.NewSMTP(rawURL)
		if err == nil {
			t.Errorf("%s: NewSMTP accepted %q", name, rawURL)
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("%s: error leaks the password: %v", name, err)
		}
		if !strings.HasPrefix(err.Error(), "mail: smtp url: ") {
			t.Errorf("%s: error %q lacks prefix", name, err)
		}
	}
}

func TestRedacted(t *testing.T) {
	t.Parallel()
	s := newSMTP(t, "smtps://bob:Hunter2Secret@mail.example.com:465?from=a@example.com")
	got := s.Redacted()
	if strings.Contains(got, "Hunter2Secret") || !strings.Contains(got, "bob:") || !strings.Contains(got, "mail.example.com:465") {
		t.Errorf("Redacted = %q", got)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", s, s, s), "Hunter2Secret") {
		t.Error("printing the SMTP value leaks the password")
	}
}

func TestIsPermanent(t *testing.T) {
	t.Parallel()
	if mail.IsPermanent(nil) || mail.IsPermanent(errors.New("x")) || mail.IsPermanent(context.Canceled) {
		t.Error("unclassified errors must be temporary")
	}
	if _, err := netmail.ParseAddress("x"); mail.IsPermanent(err) {
		t.Error("foreign error classified as permanent")
	}
}

// TestSendMessageID: a message with an ID has the same Message-ID each time
// it is sent, so a resend after a crash is recognisably the same message;
// without one, each send has its own.
func TestSendMessageID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		id   string
		want string // "" for random: two sends differ
	}{
		{"stable", "invitation.ord_abc", "<invitation.ord_abc@switchboard.test>"},
		{"resend attempt", "invitation.ord_abc.resend.3", "<invitation.ord_abc.resend.3@switchboard.test>"},
		{"atext", "a+b=c_d-e", "<a+b=c_d-e@switchboard.test>"},
		{"random", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mailtest.NewServer(t)
			s := newSMTP(t, srv.URL())
			m := mail.Message{From: "Switchboard <noreply@switchboard.test>", To: "zoe@example.com", Subject: "hi", Text: "body", ID: tc.id}
			for range 2 {
				if err := s.Send(testCtx(t), m); err != nil {
					t.Fatal(err)
				}
			}
			msgs, err := srv.WaitForMessages(testCtx(t), 2)
			if err != nil {
				t.Fatal(err)
			}
			first, second := msgs[0].Header.Get("Message-Id"), msgs[1].Header.Get("Message-Id")
			switch {
			case tc.want != "" && (first != tc.want || second != tc.want):
				t.Errorf("Message-IDs %q, %q; want %q both times", first, second, tc.want)
			case tc.want == "" && (first == second || !strings.HasSuffix(first, "@switchboard.test>")):
				t.Errorf("Message-IDs %q, %q; want two random ones at the sender's domain", first, second)
			}
		})
	}
}
