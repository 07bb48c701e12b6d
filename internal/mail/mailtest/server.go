// Package mailtest runs a real, minimal SMTP server on 127.0.0.1 for tests of
// mail senders and of the code that uses them. It records what it receives
// (envelope, raw data, parsed headers and decoded text/html bodies) and can be
// told to reject or stall the next transaction. Optionally it requires AUTH
// PLAIN and speaks STARTTLS or implicit TLS with a throwaway certificate.
//
// The server is deliberately strict where real servers are: lines longer than
// 1000 octets and bare LFs in message data are rejected.
package mailtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Received is one accepted message.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Data []byte   // message as transmitted, dot-unstuffed, CRLF line endings
	// Header is the parsed header; values are raw (RFC 2047 words still
	// encoded; decode with mime.WordDecoder).
	Header mail.Header
	// Text and HTML are the first text/plain and text/html bodies, with
	// transfer encoding removed and CRLF turned into LF.
	Text, HTML string
	TLS        bool   // the transaction ran over TLS
	User       string // the AUTH PLAIN user, "" when not authenticated
}

// Option configures NewServer.
type Option func(*Server)

// WithAuth makes the server advertise AUTH PLAIN and require it, with these
// credentials, before MAIL FROM.
func WithAuth(username, password string) Option {
	return func(s *Server) { s.user, s.pass, s.authRequired = username, password, true }
}

// WithSTARTTLS makes the server offer STARTTLS; see ClientTLSConfig.
func WithSTARTTLS() Option { return func(s *Server) { s.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte (smtps); URL
// then returns an smtps:// URL. See ClientTLSConfig.
func WithImplicitTLS() Option { return func(s *Server) { s.implicitTLS = true } }

// Server is a running test SMTP server. Its methods are safe for concurrent use.
type Server struct {
	tb           testing.TB
	ln           net.Listener
	user, pass   string
	authRequired bool
	startTLS     bool
	implicitTLS  bool
	serverTLS    *tls.Config
	roots        *x509.CertPool

	done chan struct{} // closed on shutdown; releases stalls
	wg   sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	conns   map[net.Conn]struct{}
	msgs    []Received
	arrived chan struct{} // closed and replaced whenever a message is stored
	rejects []reply
	stalls  []*stall
}

type reply struct {
	code int
	text string
}

type stall struct {
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

// NewServer starts a server on 127.0.0.1:0; it is shut down by tb.Cleanup.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{
		tb:      tb,
		done:    make(chan struct{}),
		conns:   make(map[net.Conn]struct{}),
		arrived: make(chan struct{}),
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.startTLS || s.implicitTLS {
		cert, roots, err := selfSignedCert()
		if err != nil {
			tb.Fatalf("mailtest: %v", err)
		}
		s.serverTLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.roots = roots
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s.ln = ln
	tb.Cleanup(s.close)
	s.wg.Go(s.acceptLoop)
	return s
}

// Addr returns the listening address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns "smtp://127.0.0.1:port" ("smtps://..." with WithImplicitTLS),
// without credentials.
func (s *Server) URL() string {
	if s.implicitTLS {
		return "smtps://" + s.Addr()
	}
	return "smtp://" + s.Addr()
}

// ClientTLSConfig returns a new client configuration that trusts the server's
// certificate, which is valid for 127.0.0.1, ::1 and localhost. ServerName is
// "127.0.0.1"; change it when connecting under another name. It is nil unless
// the server speaks TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.roots == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1"}
}

// Messages returns the messages accepted so far, in arrival order. The
// returned values share memory with the server's records; treat them as
// read-only.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// WaitForMessages blocks until at least n messages have arrived and returns
// them, or returns those received so far with an error once ctx ends.
func (s *Server) WaitForMessages(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		msgs, arrived := slices.Clone(s.msgs), s.arrived
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return msgs, fmt.Errorf("mailtest: %d of %d messages arrived: %w", len(msgs), n, ctx.Err())
		}
	}
}

// RejectNext makes the server answer the next MAIL FROM with code and text,
// e.g. 550 for a permanent or 451 for a temporary failure. Calls queue up.
func (s *Server) RejectNext(code int, text string) {
	s.tb.Helper()
	if code < 400 || code > 599 {
		s.tb.Fatalf("mailtest: RejectNext(%d): want a 4xx or 5xx code", code)
	}
	text = strings.NewReplacer("\r", " ", "\n", " ").Replace(text)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects = append(s.rejects, reply{code, text})
}

// StallNext makes the server stop answering when the next MAIL FROM arrives,
// as an overloaded or broken server would. stalled is closed once a client is
// waiting; release (idempotent) lets the transaction continue. Shutdown
// releases too. Calls queue up.
func (s *Server) StallNext() (stalled <-chan struct{}, release func()) {
	st := &stall{reached: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.stalls = append(s.stalls, st)
	s.mu.Unlock()
	return st.reached, func() { st.once.Do(func() { close(st.release) }) }
}

func (s *Server) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) acceptLoop() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // listener closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.wg.Go(func() {
			defer func() {
				conn.Close()
				s.mu.Lock()
				delete(s.conns, conn)
				s.mu.Unlock()
			}()
			s.serve(conn)
		})
		s.mu.Unlock()
	}
}

func (s *Server) store(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// nextMailReply pops the queued reject or stall for a MAIL FROM, if any.
func (s *Server) nextMailReply() (*reply, *stall) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.stalls) > 0 {
		st := s.stalls[0]
		s.stalls = s.stalls[1:]
		return nil, st
	}
	if len(s.rejects) > 0 {
		r := s.rejects[0]
		s.rejects = s.rejects[1:]
		return &r, nil
	}
	return nil, nil
}

// parse fills the parsed fields of r from r.Data. A message that net/mail
// cannot parse fails the test: the sender under test produced it.
func (s *Server) parse(r *Received) {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		s.tb.Errorf("mailtest: received unparsable message: %v", err)
		return
	}
	r.Header = msg.Header
	if err := collectBodies(r, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		s.tb.Errorf("mailtest: received message with unparsable body: %v", err)
	}
}

// collectBodies walks a MIME entity, recording the first text/plain and
// text/html bodies found.
func collectBodies(r *Received, contentType, cte string, body io.Reader) error {
	mediaType, params := "text/plain", map[string]string{}
	if contentType != "" {
		var err error
		if mediaType, params, err = mime.ParseMediaType(contentType); err != nil {
			return fmt.Errorf("content type: %w", err)
		}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		// multipart.Reader removes quoted-printable encoding by itself.
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := collectBodies(r, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	var target *string
	switch mediaType {
	case "text/plain":
		target = &r.Text
	case "text/html":
		target = &r.HTML
	default:
		return nil
	}
	if *target != "" {
		return nil
	}
	switch strings.ToLower(cte) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	*target = strings.ReplaceAll(string(b), "\r\n", "\n")
	return nil
}

// session is one client connection.
type session struct {
	s    *Server
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer

	tls    bool
	helo   bool
	user   string
	from   *string // nil: no transaction
	rcpts  []string
	failed bool // a write failed; stop
}

// maxLine is RFC 5321's limit for a command or text line, CRLF included.
const maxLine = 1000

// maxData caps a message so a broken client cannot exhaust memory.
const maxData = 10 << 20

var errLineTooLong = errors.New("line too long")

func (s *Server) serve(conn net.Conn) {
	ss := &session{s: s, conn: conn}
	if s.implicitTLS {
		tc := tls.Server(conn, s.serverTLS)
		if err := tc.Handshake(); err != nil {
			return // a client that fails verification hangs up here
		}
		ss.conn, ss.tls = tc, true
	}
	ss.r, ss.w = bufio.NewReader(ss.conn), bufio.NewWriter(ss.conn)
	ss.reply(220, "127.0.0.1 mailtest ESMTP ready")
	for !ss.failed {
		line, err := ss.readLine()
		if errors.Is(err, errLineTooLong) {
			ss.reply(500, "5.5.2 line too long")
			continue
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), " ")
		if !ss.command(strings.ToUpper(verb), strings.TrimSpace(arg)) {
			return
		}
	}
}

// command handles one command and reports whether to keep the connection.
func (ss *session) command(verb, arg string) bool {
	switch verb {
	case "EHLO", "HELO":
		if arg == "" {
			ss.reply(501, "5.5.4 "+verb+" needs a domain")
			return true
		}
		ss.helo, ss.from, ss.rcpts = true, nil, nil
		if verb == "HELO" {
			ss.reply(250, "127.0.0.1 mailtest")
			return true
		}
		lines := []string{"127.0.0.1 mailtest", "8BITMIME", "PIPELINING"}
		if ss.s.startTLS && !ss.tls {
			lines = append(lines, "STARTTLS")
		}
		if ss.s.authRequired {
			lines = append(lines, "AUTH PLAIN")
		}
		ss.replyLines(250, lines)
	case "STARTTLS":
		return ss.startTLS()
	case "AUTH":
		ss.auth(arg)
	case "MAIL":
		ss.mail(arg)
	case "RCPT":
		if ss.from == nil {
			ss.reply(503, "5.5.1 need MAIL first")
			return true
		}
		addr, ok := pathArg(arg, "TO:")
		if !ok || addr == "" {
			ss.reply(501, "5.5.4 syntax: RCPT TO:<address>")
			return true
		}
		ss.rcpts = append(ss.rcpts, addr)
		ss.reply(250, "2.1.5 ok")
	case "DATA":
		ss.data()
	case "RSET":
		ss.from, ss.rcpts = nil, nil
		ss.reply(250, "2.0.0 ok")
	case "NOOP":
		ss.reply(250, "2.0.0 ok")
	case "QUIT":
		ss.reply(221, "2.0.0 bye")
		return false
	default:
		ss.reply(500, "5.5.2 command not recognized")
	}
	return true
}

func (ss *session) startTLS() bool {
	switch {
	case !ss.s.startTLS || ss.tls:
		ss.reply(502, "5.5.1 STARTTLS not available")
		return true
	case ss.r.Buffered() > 0:
		// Commands pipelined before the handshake would be injected into the
		// TLS session (CVE-2011-0411); real servers drop such clients.
		ss.reply(554, "5.5.0 data after STARTTLS")
		return false
	}
	ss.reply(220, "2.0.0 ready to start TLS")
	if ss.failed {
		return false
	}
	tc := tls.Server(ss.conn, ss.s.serverTLS)
	if err := tc.Handshake(); err != nil {
		return false
	}
	// RFC 3207: forget everything learned before TLS.
	ss.conn, ss.tls = tc, true
	ss.r, ss.w = bufio.NewReader(tc), bufio.NewWriter(tc)
	ss.helo, ss.user, ss.from, ss.rcpts = false, "", nil, nil
	return true
}

func (ss *session) auth(arg string) {
	mech, initial, _ := strings.Cut(arg, " ")
	switch {
	case !ss.s.authRequired:
		ss.reply(502, "5.5.1 AUTH not available")
		return
	case !ss.helo:
		ss.reply(503, "5.5.1 EHLO first")
		return
	case ss.user != "":
		ss.reply(503, "5.5.1 already authenticated")
		return
	case !strings.EqualFold(mech, "PLAIN"):
		ss.reply(504, "5.5.4 only PLAIN is supported")
		return
	}
	if initial == "" {
		ss.reply(334, "")
		line, err := ss.readLine()
		if err != nil {
			ss.failed = true
			return
		}
		initial = strings.TrimSuffix(line, "\r\n")
	}
	if initial == "*" {
		ss.reply(501, "5.7.0 authentication cancelled")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		ss.reply(501, "5.5.2 bad base64")
		return
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] != ss.s.user || parts[2] != ss.s.pass {
		ss.reply(535, "5.7.8 authentication failed")
		return
	}
	ss.user = parts[1]
	ss.reply(235, "2.7.0 authenticated")
}

func (ss *session) mail(arg string) {
	switch {
	case !ss.helo:
		ss.reply(503, "5.5.1 EHLO first")
		return
	case ss.s.authRequired && ss.user == "":
		ss.reply(530, "5.7.0 authentication required")
		return
	case ss.from != nil:
		ss.reply(503, "5.5.1 nested MAIL")
		return
	}
	from, ok := pathArg(arg, "FROM:")
	if !ok {
		ss.reply(501, "5.5.4 syntax: MAIL FROM:<address>")
		return
	}
	rej, st := ss.s.nextMailReply()
	if st != nil {
		close(st.reached)
		select {
		case <-st.release:
		case <-ss.s.done:
			ss.failed = true
			return
		}
	}
	if rej != nil {
		ss.reply(rej.code, rej.text)
		return
	}
	ss.from, ss.rcpts = &from, nil
	ss.reply(250, "2.1.0 ok")
}

func (ss *session) data() {
	if ss.from == nil || len(ss.rcpts) == 0 {
		ss.reply(503, "5.5.1 need MAIL and RCPT first")
		return
	}
	ss.reply(354, "end data with <CR><LF>.<CR><LF>")
	var data bytes.Buffer
	var problem string
	for {
		line, err := ss.readLine()
		if errors.Is(err, errLineTooLong) {
			problem = "5.6.0 line longer than 1000 octets"
			continue
		}
		if err != nil {
			ss.failed = true
			return
		}
		if line == ".\r\n" {
			break
		}
		if !strings.HasSuffix(line, "\r\n") {
			// A bare LF could smuggle a second message past a server that
			// ends data on "\n.\n" (SMTP smuggling); reject like real servers.
			problem = "5.6.0 bare LF in message data"
		}
		line = strings.TrimPrefix(line, ".") // dot-unstuffing
		if data.Len()+len(line) > maxData {
			problem = "5.3.4 message too big"
			continue
		}
		data.WriteString(line)
	}
	from, rcpts := *ss.from, ss.rcpts
	ss.from, ss.rcpts = nil, nil
	if problem != "" {
		ss.reply(554, problem)
		return
	}
	r := Received{From: from, To: rcpts, Data: data.Bytes(), TLS: ss.tls, User: ss.user}
	ss.s.parse(&r)
	ss.s.store(r)
	ss.reply(250, "2.0.0 ok: queued")
}

// readLine returns one line including its line ending. Overlong lines are
// consumed and reported as errLineTooLong.
func (ss *session) readLine() (string, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := ss.r.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			tooLong = len(line) > maxLine
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil:
			return "", err
		case tooLong:
			return "", errLineTooLong
		default:
			return string(line), nil
		}
	}
}

// pathArg extracts the address from "FROM:<addr> params" or "TO:<addr>".
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	addr, _, ok := strings.Cut(rest[1:], ">")
	return addr, ok
}

func (ss *session) reply(code int, text string) {
	ss.replyLines(code, []string{text})
}

func (ss *session) replyLines(code int, lines []string) {
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l)
	}
	if err := ss.w.Flush(); err != nil {
		ss.failed = true
	}
}
