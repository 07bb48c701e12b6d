package api

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// failingBody yields some bytes, then err.
type failingBody struct {
	head string
	err  error
}

func (b *failingBody) Read(p []byte) (int, error) {
	if b.head != "" {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	return 0, b.err
}

func (b *failingBody) Close() error { return nil }

// TestWebhookBodyErrors: a webhook body that arrives too slowly is answered
// 408, one too large 413, one cut off 400; none reaches the service (the
// handler has none here, so reaching it would panic).
func TestWebhookBodyErrors(t *testing.T) {
	t.Parallel()
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	for _, tc := range []struct {
		name   string
		body   io.ReadCloser
		status int
	}{
		{"read deadline passed", &failingBody{head: `{"event":`, err: timeout}, http.StatusRequestTimeout},
		{"too large", io.NopCloser(strings.NewReader(strings.Repeat("x", maxBody+1))), http.StatusRequestEntityTooLarge},
		{"cut off", &failingBody{head: `{"event":`, err: io.ErrUnexpectedEOF}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &handler{log: slog.New(slog.DiscardHandler)}
			req := httptest.NewRequest(http.MethodPost, "/hooks/lever/int_x", tc.body)
			rec := httptest.NewRecorder()
			h.webhook(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), `"error"`) {
				t.Errorf("status %d %s, want %d with an error body", rec.Code, rec.Body, tc.status)
			}
		})
	}
}

// TestSlowWebhookBodyOverTheNetwork: through a real server, when the read
// deadline passes while the client still owes most of the body, the answer
// is 408. The client never sends the rest, so the outcome does not depend on
// how fast the machine is.
func TestSlowWebhookBodyOverTheNetwork(t *testing.T) {
	t.Parallel()
	h := &handler{log: slog.New(slog.DiscardHandler), hookReadTimeout: 50 * time.Millisecond}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(h.webhook))
	srv.Start()
	t.Cleanup(srv.Close)

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "POST /hooks/lever/int_x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"event\":"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		if errors.Is(err, io.EOF) {
			t.Fatal("the server closed the connection without an answer")
		}
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d, want 408", resp.StatusCode)
	}
}
