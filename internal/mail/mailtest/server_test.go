package mailtest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"switchboard/internal/mail/mailtest"
)

func dial(t *testing.T, srv *mailtest.Server) *textproto.Conn {
	t.Helper()
	c, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	expect(t, c, 220)
	return c
}

func expect(t *testing.T, c *textproto.Conn, code int) string {
	t.Helper()
	_, msg, err := c.ReadResponse(code)
	if err != nil {
		t.Fatalf("want %d: %v", code, err)
	}
	return msg
}

func cmd(t *testing.T, c *textproto.Conn, code int, line string) string {
	t.Helper()
	if err := c.PrintfLine("%s", line); err != nil {
		t.Fatal(err)
	}
	return expect(t, c, code)
}

func TestRawSession(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	c := dial(t, srv)
	cmd(t, c, 503, "MAIL FROM:<a@example.com>")
	cmd(t, c, 250, "HELO client.test")
	cmd(t, c, 250, "NOOP")
	cmd(t, c, 503, "RCPT TO:<b@example.com>")
	cmd(t, c, 250, "MAIL FROM:<a@example.com> BODY=8BITMIME")
	cmd(t, c, 250, "RSET")
	cmd(t, c, 503, "DATA")
	cmd(t, c, 250, "mail from:<a@example.com>")
	cmd(t, c, 250, "RCPT TO:<b@example.com>")
	cmd(t, c, 250, "RCPT TO:<c@example.com>")
	cmd(t, c, 354, "DATA")
	if _, err := c.W.WriteString("Subject: dots\r\n\r\n..leading dot\r\n\r\n..\r\nend\r\n.\r\n"); err != nil {
		t.Fatal(err)
	}
	c.W.Flush()
	expect(t, c, 250)
	cmd(t, c, 500, "VRFY b@example.com")
	cmd(t, c, 221, "QUIT")

	msgs, err := srv.WaitForMessages(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	got := msgs[0]
	if got.From != "a@example.com" || strings.Join(got.To, ",") != "b@example.com,c@example.com" {
		t.Errorf("envelope = %q -> %q", got.From, got.To)
	}
	if want := "Subject: dots\r\n\r\n.leading dot\r\n\r\n.\r\nend\r\n"; string(got.Data) != want {
		t.Errorf("Data = %q, want %q (dot-unstuffed)", got.Data, want)
	}
	if got.Header.Get("Subject") != "dots" || got.Text != ".leading dot\n\n.\nend\n" {
		t.Errorf("Subject = %q, Text = %q", got.Header.Get("Subject"), got.Text)
	}
}

func TestRejectsBareLFAndLongLines(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	c := dial(t, srv)
	cmd(t, c, 250, "EHLO client.test")
	for _, body := range []string{"a\nb\r\n", strings.Repeat("x", 1001) + "\r\n"} {
		cmd(t, c, 250, "MAIL FROM:<a@example.com>")
		cmd(t, c, 250, "RCPT TO:<b@example.com>")
		cmd(t, c, 354, "DATA")
		c.W.WriteString("Subject: x\r\n\r\n" + body + ".\r\n")
		c.W.Flush()
		expect(t, c, 554)
	}
	cmd(t, c, 500, strings.Repeat("N", 1200))
	cmd(t, c, 250, "NOOP")
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("stored %d malformed messages", n)
	}
}

func TestAuthPlain(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithAuth("bob", "pw"))
	c := dial(t, srv)
	if ext := cmd(t, c, 250, "EHLO client.test"); !strings.Contains(ext, "AUTH PLAIN") {
		t.Errorf("EHLO does not advertise AUTH PLAIN: %q", ext)
	}
	cmd(t, c, 530, "MAIL FROM:<a@example.com>")
	cmd(t, c, 535, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00bob\x00nope")))
	// Without an initial response the server asks for it.
	cmd(t, c, 334, "AUTH PLAIN")
	cmd(t, c, 235, base64.StdEncoding.EncodeToString([]byte("\x00bob\x00pw")))
	cmd(t, c, 250, "MAIL FROM:<a@example.com>")
}

func TestSTARTTLSRejectsPipelinedCommands(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithSTARTTLS())
	c := dial(t, srv)
	cmd(t, c, 250, "EHLO client.test")
	c.W.WriteString("STARTTLS\r\nNOOP\r\n")
	c.W.Flush()
	expect(t, c, 554)
}

func TestWithNetSMTP(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithSTARTTLS(), mailtest.WithAuth("bob", "pw"))
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(srv.ClientTLSConfig()); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "bob", "pw", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("b@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: hi\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	msgs, err := srv.WaitForMessages(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := msgs[0]; !got.TLS || got.User != "bob" || got.HTML != "<b>hi</b>" || got.Text != "" {
		t.Errorf("TLS = %v, User = %q, HTML = %q, Text = %q", got.TLS, got.User, got.HTML, got.Text)
	}
}

func TestRejectNext(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.RejectNext(550, "no such user")
	srv.RejectNext(451, "try later")
	c := dial(t, srv)
	cmd(t, c, 250, "EHLO client.test")
	if msg := cmd(t, c, 550, "MAIL FROM:<a@example.com>"); msg != "no such user" {
		t.Errorf("reply text = %q", msg)
	}
	cmd(t, c, 451, "MAIL FROM:<a@example.com>")
	cmd(t, c, 250, "MAIL FROM:<a@example.com>")
}

func TestStallNextRelease(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	stalled, release := srv.StallNext()
	c := dial(t, srv)
	cmd(t, c, 250, "EHLO client.test")
	c.PrintfLine("MAIL FROM:<a@example.com>")
	<-stalled
	release()
	release() // idempotent
	expect(t, c, 250)
}

func TestWaitForMessagesHonoursContext(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	msgs, err := srv.WaitForMessages(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) || len(msgs) != 0 {
		t.Fatalf("WaitForMessages = %d messages, %v", len(msgs), err)
	}
}

func TestWaitForMessagesWakesUp(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	done := make(chan error, 1)
	go func() {
		_, err := srv.WaitForMessages(t.Context(), 2)
		done <- err
	}()
	for range 2 {
		if err := smtp.SendMail(srv.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte("Subject: x\r\n\r\nbody\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestClientTLSConfigNilWithoutTLS(t *testing.T) {
	t.Parallel()
	if mailtest.NewServer(t).ClientTLSConfig() != nil {
		t.Error("plain server returned a TLS config")
	}
}
