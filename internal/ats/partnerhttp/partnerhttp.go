// Package partnerhttp is the scaffolding every partner connector's endpoints
// share (the endpoints an ATS calls: SmartRecruiters, Workable, Greenhouse,
// Ashby), so that each ATS's handlers write only its wire: authenticating a
// call through the core, reading a bounded body, answering JSON that is
// never cached, and answering a failure in the ATS's own error body — a
// refusal (*ats.InboundError) with its status and message, with a challenge
// on 401; anything else logged and a 500 without detail.
package partnerhttp

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"switchboard/internal/ats"
)

// Server is what the endpoints of one ATS share. Its zero values are safe
// defaults except PC and Body, which a connector must set.
type Server struct {
	// PC is the core the endpoints act through.
	PC ats.PartnerCore
	// Name names the endpoints in the log ("workable provider",
	// "greenhouse partner").
	Name string
	// Auth is the credential the ATS calls with; a 401 challenges for it.
	Auth ats.InboundAuth
	// MaxBody bounds a request body (ReadBody); 0 is 1 MiB.
	MaxBody int64
	// Body is the ATS's error body for status and message.
	Body func(status int, message string) any
	// Status, if set, is the status a refusal of status is answered with
	// (Ashby shows only a 422's message).
	Status func(status int) int
	// Internal is the message of a 500; empty is a generic one.
	Internal string
	// Log records refusals and failures (never credentials); nil discards.
	Log *slog.Logger
}

// DefaultMaxBody bounds a request body when Server.MaxBody is 0.
const DefaultMaxBody = 1 << 20

// DefaultInternal is the message of a 500 when Server.Internal is empty.
const DefaultInternal = "Switchboard could not handle the request; try again later"

// WriteJSON answers v as JSON with status; an answer about an integration
// is never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the caller went away; nothing to do
}

// Fail answers err in the ATS's error body: an *ats.InboundError with its
// status (as Status maps it) and message, anything else as a 500 without
// detail, logged.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	var ie *ats.InboundError
	if !errors.As(err, &ie) {
		s.log().ErrorContext(r.Context(), s.Name+" endpoint failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg := s.Internal
		if msg == "" {
			msg = DefaultInternal
		}
		WriteJSON(w, http.StatusInternalServerError, s.Body(http.StatusInternalServerError, msg))
		return
	}
	s.log().InfoContext(r.Context(), s.Name+" request refused", "method", r.Method, "path", r.URL.Path, "status", ie.Status, "reason", ie.Message)
	if ie.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", Challenge(s.Auth))
	}
	status := ie.Status
	if s.Status != nil {
		status = s.Status(status)
	}
	WriteJSON(w, status, s.Body(status, ie.Message))
}

// Challenge is the WWW-Authenticate value of a 401 for a kind of inbound
// credential.
func Challenge(a ats.InboundAuth) string {
	if a == ats.InboundBasic {
		return `Basic realm="switchboard"`
	}
	return `Bearer realm="switchboard"` // issued keys and OAuth access tokens alike
}

// AuthedFunc is an endpoint of an authenticated integration.
type AuthedFunc func(w http.ResponseWriter, r *http.Request, cfg ats.Config)

// Authed resolves the call's credential to its integration before fn runs:
// a missing, wrong, rotated or revoked one is answered (401) before
// anything is read or stored.
func (s *Server) Authed(fn AuthedFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cfg, err := s.PC.Authenticate(r.Context(), r.Header)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		fn(w, r, cfg)
	}
}

// ReadBody reads the request body up to MaxBody: a larger one is refused
// with 413, an unreadable one with 400.
func (s *Server) ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := s.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ats.Refuse(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", limit)
		}
		return nil, ats.Refuse(http.StatusBadRequest, "could not read the body")
	}
	return b, nil
}

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}
