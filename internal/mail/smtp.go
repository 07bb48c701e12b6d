package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/secret"
)

// DefaultTimeout bounds a whole Send when the caller's context has no earlier
// deadline, so a server that stops answering cannot hold a worker forever.
const DefaultTimeout = time.Minute

// heloName is announced in EHLO. Submission servers do not check it, and the
// machine's host name is often not a resolvable FQDN anyway.
const heloName = "localhost"

// SMTP sends mail through an SMTP server described by a URL:
//
//	smtp://[user:pass@]host:port   upgraded with STARTTLS
//	smtps://[user:pass@]host:port  implicit TLS (usually port 465)
//
// Query options: from=addr sets the default sender; insecure_skip_verify=1
// disables certificate verification, for test servers only; starttls=optional
// lets smtp:// go on in plain text when the server offers no STARTTLS, and
// starttls=required demands it even on loopback.
//
// Without that opt-out, smtp:// to a host other than loopback requires
// STARTTLS: invitation links are bearer credentials, so an attacker who
// strips STARTTLS gets an error rather than the mail. Credentials are sent
// with AUTH PLAIN, and only over TLS or to a loopback host. An SMTP is safe
// for concurrent use; each Send uses its own connection.
type SMTP struct {
	redacted    string
	host        string // for TLS verification and the loopback check
	addr        string // host:port to dial
	implicitTLS bool
	// plainOK lets the exchange go on unencrypted when the server offers no
	// STARTTLS (requireSTARTTLS).
	plainOK   bool
	username  string
	password  secret.Value
	from      string
	tlsConfig *tls.Config
	dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	timeout   time.Duration
}

var _ Sender = (*SMTP)(nil)

// SMTPOption configures NewSMTP.
type SMTPOption func(*SMTP)

// WithTLSConfig sets the TLS configuration for STARTTLS and smtps, e.g. to trust
// a private CA. It is cloned; ServerName defaults to the URL's host.
func WithTLSConfig(cfg *tls.Config) SMTPOption {
	return func(s *SMTP) {
		if cfg != nil {
			s.tlsConfig = cfg.Clone()
		}
	}
}

// WithDialer replaces the network dialer (a net.Dialer's DialContext by
// default), e.g. to go through a proxy or to reach a test server.
func WithDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) SMTPOption {
	return func(s *SMTP) {
		if dial != nil {
			s.dial = dial
		}
	}
}

// WithTimeout bounds each Send when the context has no earlier deadline
// (DefaultTimeout otherwise). Zero or negative disables the bound.
func WithTimeout(d time.Duration) SMTPOption {
	return func(s *SMTP) { s.timeout = d }
}

// NewSMTP parses rawURL (see SMTP). Errors describe what is wrong without
// quoting the URL, which may hold a password.
func NewSMTP(rawURL string, opts ...SMTPOption) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included; say what to check instead.
		return nil, errors.New("mail: smtp url: cannot parse; want smtp://[user:pass@]host:port or smtps://..., with special characters in user and password percent-encoded")
	}
	s := &SMTP{dial: (&net.Dialer{}).DialContext, timeout: DefaultTimeout}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.implicitTLS = true
	case "":
		return nil, errors.New("mail: smtp url: missing scheme, want smtp:// or smtps://")
	default:
		return nil, fmt.Errorf("mail: smtp url: unsupported scheme %q, want smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" {
		return nil, errors.New("mail: smtp url: want smtp://host:port (missing //)")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("mail: smtp url: missing host")
	}
	port := u.Port()
	if port == "" {
		return nil, errors.New("mail: smtp url: missing port (usually 587 for smtp with STARTTLS, 465 for smtps, 25 for relays)")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, errors.New("mail: smtp url: port out of range")
	}
	s.addr = net.JoinHostPort(s.host, port)
	if (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return nil, errors.New("mail: smtp url: unexpected path or fragment")
	}
	if u.User != nil {
		s.username = u.User.Username()
		pass, ok := u.User.Password()
		if s.username == "" {
			return nil, errors.New("mail: smtp url: empty user name")
		}
		if !ok || pass == "" {
			return nil, errors.New("mail: smtp url: user given without password")
		}
		s.password = secret.NewValue(pass)
	}
	insecure, starttls := false, ""
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errors.New("mail: smtp url: malformed query")
	}
	for key, vals := range q {
		val := vals[len(vals)-1]
		switch key {
		case "from":
			if _, err := netmail.ParseAddress(val); err != nil || hasLineBreak(val) {
				return nil, errors.New("mail: smtp url: from= is not a valid address")
			}
			s.from = val
		case "insecure_skip_verify":
			if insecure, err = strconv.ParseBool(val); err != nil {
				return nil, errors.New("mail: smtp url: insecure_skip_verify= wants 1 or 0")
			}
		case "starttls":
			if val != "required" && val != "optional" {
				return nil, errors.New("mail: smtp url: starttls= wants required or optional")
			}
			starttls = val
		default:
			// The key is not quoted: in a malformed URL it may be a piece of
			// the password.
			return nil, errors.New("mail: smtp url: unknown query option; supported: from, insecure_skip_verify, starttls")
		}
	}
	if starttls != "" && s.implicitTLS {
		return nil, errors.New("mail: smtp url: starttls= is for smtp://; smtps:// is always encrypted")
	}
	s.plainOK = !requireSTARTTLS(s.host, starttls)
	s.redacted = u.Redacted()

	for _, opt := range opts {
		opt(s)
	}
	if s.tlsConfig == nil {
		s.tlsConfig = &tls.Config{}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	if s.tlsConfig.MinVersion == 0 {
		s.tlsConfig.MinVersion = tls.VersionTLS12
	}
	if insecure {
		s.tlsConfig.InsecureSkipVerify = true
	}
	return s, nil
}

// Redacted returns the server URL with the password masked, for logs.
func (s *SMTP) Redacted() string { return s.redacted }

// Send validates m, then delivers it in one SMTP transaction. Nothing is sent
// when m is invalid. The context bounds the whole exchange, including reads
// and writes on the connection. Errors start with "mail: smtp:" and are
// classified by IsPermanent.
//
// Once the server has accepted the message, Send reports success even if the
// closing QUIT fails: reporting an error would make the caller retry and
// deliver the message twice.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	env, data, err := buildMessage(m, s.from, time.Now())
	if err != nil {
		return fmt.Errorf("mail: smtp: %w", err)
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	return s.transact(ctx, env, data)
}

func (s *SMTP) transact(ctx context.Context, env envelope, data []byte) error {
	fail := func(step string, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			// The cancellation surfaced as an i/o error on the connection;
			// report the cause so callers can match context.Canceled.
			return fmt.Errorf("mail: smtp: %s: %w (%v)", step, ctxErr, err)
		}
		return fmt.Errorf("mail: smtp: %s: %w", step, err)
	}

	raw, err := s.dial(ctx, "tcp", s.addr)
	if err != nil {
		return fail("connect", err)
	}
	defer raw.Close()
	// net/smtp knows nothing of contexts. When ctx ends (cancelled or past its
	// deadline), a connection deadline in the past unblocks whatever read or
	// write is in progress at once. Deliberately not ctx's deadline itself: the
	// i/o error could then race ahead of ctx.Err() and hide the cause.
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	conn, encrypted := raw, false
	if s.implicitTLS {
		tlsConn := tls.Client(raw, s.tlsConfig)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			return fail("TLS handshake", err)
		}
		conn, encrypted = tlsConn, true
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fail("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(heloName); err != nil {
		return fail("EHLO", err)
	}
	if !encrypted {
		ok, _ := c.Extension("STARTTLS")
		switch {
		case ok:
			// Once offered, TLS is mandatory: a certificate problem is an
			// error, not a reason to continue in plain text.
			if err := c.StartTLS(s.tlsConfig); err != nil {
				return fail("STARTTLS", err)
			}
			encrypted = true
		case !s.plainOK:
			return fail("STARTTLS", errNoSTARTTLS)
		}
	}
	if s.username != "" {
		if err := s.auth(c, encrypted); err != nil {
			return fail("AUTH", err)
		}
	}
	if err := c.Mail(env.from); err != nil {
		return fail("MAIL FROM", err)
	}
	for _, rcpt := range env.to {
		if err := c.Rcpt(rcpt); err != nil {
			return fail("RCPT TO", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(data); err != nil {
		return fail("DATA", err)
	}
	// Close ends the data and returns the server's verdict on the message.
	if err := w.Close(); err != nil {
		return fail("DATA", err)
	}
	_ = c.Quit() // accepted; see Send
	return nil
}

func (s *SMTP) auth(c *smtp.Client, encrypted bool) error {
	if !encrypted && !isLoopback(s.host) {
		return errors.New("refusing to send credentials over an unencrypted connection (the server did not offer STARTTLS; use smtps:// if it expects implicit TLS)")
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return errors.New("server does not offer AUTH, but the URL has credentials")
	}
	if !slices.ContainsFunc(strings.Fields(mechs), func(m string) bool { return strings.EqualFold(m, "PLAIN") }) {
		return fmt.Errorf("server does not offer AUTH PLAIN (offers %s)", mechs)
	}
	return c.Auth(plainAuth{username: s.username, password: s.password})
}

// errNoSTARTTLS is a temporary error: the server, or whoever sits between,
// may offer STARTTLS again on the next attempt.
var errNoSTARTTLS = errors.New("the server offers no STARTTLS, and mail is not sent unencrypted to a host other than loopback (invitation links are credentials); use smtps:// for implicit TLS, or add ?starttls=optional to allow plain text")

// requireSTARTTLS decides whether smtp:// must be upgraded: always when the
// operator says required, never when they opted out (optional), and by
// default unless the server is on this machine, where no one is between.
func requireSTARTTLS(host, mode string) bool {
	switch mode {
	case "required":
		return true
	case "optional":
		return false
	}
	return !isLoopback(host)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainAuth is AUTH PLAIN (RFC 4616). net/smtp's PlainAuth would do, but it
// has its own, narrower idea of loopback; the policy lives in SMTP.auth.
type plainAuth struct {
	username string
	password secret.Value
}

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.username + "\x00" + a.password.Reveal()), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}
