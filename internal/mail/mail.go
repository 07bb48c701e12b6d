// Package mail sends Switchboard's outgoing email, chiefly candidate
// invitations. Sender is what the rest of the service depends on; SMTP is the
// implementation that talks to a real server, and mailtest provides a real
// in-process SMTP server for tests.
package mail

import (
	"context"
	"errors"
	"net/textproto"
)

// Message is one email. From may be empty when the Sender has a default. To
// holds one address or a comma-separated list, with optional display names
// ("Zoë Example <zoe@example.com>"). Text and HTML are the two renderings of the
// body; at least one is required, and when both are set the message is sent as
// multipart/alternative.
type Message struct {
	From    string
	To      string
	Subject string
	Text    string
	HTML    string
	// Headers are extra header fields, e.g. X-Switchboard-Order. Fields the
	// sender generates itself (From, To, Date, Content-Type...) are rejected.
	Headers map[string]string
	// ID, when set, is the left part of the Message-ID, "<ID@domain of
	// From>": a message sent again under the same ID (a retry after a
	// crash) is recognisably the same message to the recipient's mail
	// system. It is a dot-atom (letters, digits, . _ - and RFC 5322's other
	// atext). Empty gives a random Message-ID.
	ID string
}

// Sender delivers a message. Implementations wrap their errors so that
// IsPermanent can tell a rejected message from a failure worth retrying.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage is wrapped by Send errors caused by the message itself (a
// line break in a header, a malformed address, no body). Such a message is
// never transmitted.
var ErrInvalidMessage = errors.New("invalid message")

// IsPermanent reports whether retrying the same message cannot succeed: the
// server rejected it with a 5xx reply, or the message itself is invalid.
// Everything else (network failures, timeouts, 4xx replies, TLS or
// authentication set-up problems an operator can fix) is temporary.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	if tpErr, ok := errors.AsType[*textproto.Error](err); ok {
		return tpErr.Code >= 500 && tpErr.Code <= 599
	}
	return false
}
