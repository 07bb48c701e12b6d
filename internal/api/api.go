// Package api serves Switchboard's JSON admin API under /api/v1 and the
// inbound webhook endpoints ATSs call under /hooks. Admin requests carry an API
// key as a Bearer token, resolved to its user by package identity; each is
// scoped to that user's account and role by the package it calls: identity
// for users and keys, integrations for integrations, the service for the
// rest.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/identity"
	"switchboard/internal/integrations"
	"switchboard/internal/review"
	"switchboard/internal/service"
	"switchboard/internal/strictjson"
	"switchboard/internal/vendors"
)

// maxBody bounds JSON request bodies.
const maxBody = 1 << 20

type handler struct {
	svc *service.Service
	id  *identity.Service
	in  *integrations.Service
	// vendors serves the vendor routes (RegisterVendors).
	vendors *vendors.Service
	// review serves applicant review's routes (RegisterReview).
	review *review.Service
	log    *slog.Logger
	// hookReadTimeout replaces webhookReadTimeout (tests).
	hookReadTimeout time.Duration
}

// Register mounts the admin API and the webhook endpoints on mux.
func Register(mux *http.ServeMux, svc *service.Service, id *identity.Service, in *integrations.Service, log *slog.Logger) {
	h := &handler{svc: svc, id: id, in: in, log: log}
	auth := h.authenticated

	mux.HandleFunc("POST /hooks/{provider}/{integration}", h.webhook)

	mux.Handle("GET /api/v1/me", auth(h.me))
	mux.Handle("GET /api/v1/providers", auth(h.providers))
	mux.Handle("POST /api/v1/users", auth(h.createUser))
	h.registerUsers(mux)

	mux.Handle("GET /api/v1/integrations", auth(h.listIntegrations))
	mux.Handle("POST /api/v1/integrations", auth(h.createIntegration))
	mux.Handle("GET /api/v1/integrations/{id}", auth(h.getIntegration))
	mux.Handle("PATCH /api/v1/integrations/{id}", auth(h.updateIntegration))
	mux.Handle("PUT /api/v1/integrations/{id}/credentials/{name}", auth(h.setCredential))
	mux.Handle("POST /api/v1/integrations/{id}/validate", auth(h.validateIntegration))
	mux.Handle("POST /api/v1/integrations/{id}/enable", auth(h.enableIntegration))
	mux.Handle("POST /api/v1/integrations/{id}/disable", auth(h.disableIntegration))
	mux.Handle("POST /api/v1/integrations/{id}/connection-token", auth(h.connectionToken))
	mux.Handle("POST /api/v1/integrations/{id}/inbound-key", auth(h.inboundKey))
	mux.Handle("POST /api/v1/integrations/{id}/inbound/{event}/retry", auth(h.retryInbound))

	mux.Handle("GET /api/v1/vacancies", auth(h.listVacancies))
	mux.Handle("POST /api/v1/vacancies", auth(h.createVacancy))
	mux.Handle("GET /api/v1/vacancies/{id}", auth(h.getVacancy))
	mux.Handle("PATCH /api/v1/vacancies/{id}", auth(h.updateVacancy))

	mux.Handle("GET /api/v1/orders", auth(h.listOrders))
	mux.Handle("GET /api/v1/orders/{id}", auth(h.getOrder))
	mux.Handle("POST /api/v1/orders/{id}/resend-invitation", auth(h.resendInvitation))
	mux.Handle("POST /api/v1/jobs/{id}/retry", auth(h.retryJob))

	// What no route above matches still answers in the API's error shape.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { unrouted(mux, w, r) })
}

// methods are the methods probed for a path's Allow header.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// unrouted answers a request under /api that only the catch-all matched:
// 405 with Allow when the path has routes for other methods, else 404. It
// asks the mux which pattern each method would reach, so the answer follows
// the routes as registered.
func unrouted(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	_, self := mux.Handler(r)
	var allow []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := mux.Handler(probe); p != self {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		writeError(w, http.StatusNotFound, "there is no API endpoint "+r.URL.Path+": see the API reference in the README", nil)
		return
	}
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, http.StatusMethodNotAllowed, r.URL.Path+" does not take "+r.Method+": use "+strings.Join(allow, " or "), nil)
}

type userKey struct{}

func actor(r *http.Request) core.User { return r.Context().Value(userKey{}).(core.User) }

// authenticated resolves the Bearer API key to a user, or answers 401.
func (h *handler) authenticated(next func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 9110 §11.1).
		scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			writeError(w, http.StatusUnauthorized, "send your API key as Authorization: Bearer sbk_…", nil)
			return
		}
		u, err := h.id.Authenticate(r.Context(), strings.TrimSpace(key))
		if err != nil {
			if !errors.Is(err, identity.ErrUnauthenticated) {
				h.fail(w, r, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "unknown API key", nil)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

// decode reads a JSON body strictly (see strictjson); what is wrong with it
// is a 400 in the words of the JSON sent.
func decode(r *http.Request, v any) error {
	return unreadable(strictjson.Decode(io.LimitReader(r.Body, maxBody), v, "the body"))
}

// unreadable makes a strictjson error a badRequest; other errors pass.
func unreadable(err error) error {
	var je *strictjson.Error
	if errors.As(err, &je) {
		bad := &badRequest{msg: je.Message, err: je.Err}
		if je.Field != "" {
			bad.fields = map[string]string{je.Field: je.FieldMessage}
		}
		return bad
	}
	return err
}

// badRequest is a request the API cannot read; msg is for the client, err
// (if any) for the log.
type badRequest struct {
	msg    string
	fields map[string]string
	err    error
}

func (e *badRequest) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing more to do
}

type errorBody struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
	Checks []ats.Check       `json:"checks,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string, fields map[string]string) {
	writeJSON(w, status, errorBody{Error: msg, Fields: fields})
}

// fail maps a service error to its status and a message in the client's
// words: the error's public message (core.Explain) when it has one, else one
// per status. The details (store operations, ids, driver messages) go to the
// log; unexpected errors are answered 500 without detail.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		bad   *badRequest
		inv   *core.ValidationError
		vf    *integrations.ValidationFailed
		inErr *ats.InboundError
	)
	status, msg := 0, ""
	switch {
	case errors.As(err, &bad):
		status, msg = http.StatusBadRequest, bad.msg
		writeError(w, status, msg, bad.fields)
	case errors.As(err, &inv):
		status = http.StatusUnprocessableEntity
		writeError(w, status, inv.Error(), inv.Fields)
	case errors.As(err, &vf):
		status = http.StatusUnprocessableEntity
		writeJSON(w, status, errorBody{Error: vf.Error(), Checks: vf.Checks})
	case errors.As(err, &inErr):
		status = inErr.Status
		writeError(w, status, inErr.Message, nil)
	case errors.Is(err, core.ErrNotFound):
		status, msg = http.StatusNotFound, core.PublicMessage(err, "not found")
		writeError(w, status, msg, nil)
	case errors.Is(err, core.ErrForbidden):
		status, msg = http.StatusForbidden, core.PublicMessage(err, "your role may not do this")
		writeError(w, status, msg, nil)
	case errors.Is(err, core.ErrConflict):
		status, msg = http.StatusConflict, core.PublicMessage(err, "this conflicts with something that exists or was changed meanwhile")
		writeError(w, status, msg, nil)
	default:
		h.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error", nil)
		return
	}
	h.log.InfoContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
}

func (h *handler) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, userJSON(actor(r)))
}

func (h *handler) providers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"providers": h.in.Providers()})
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u, key, err := h.id.CreateUser(r.Context(), actor(r), in.Email, in.Name, core.Role(in.Role))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user": userJSON(u), "api_key": key,
		"note": "the API key is shown once; store it now"})
}

// webhook stores a verified delivery before answering 2xx.
func (h *handler) webhook(w http.ResponseWriter, r *http.Request) {
	body, code, err := readWebhookBody(w, r, h.hookReadTimeout)
	if err != nil {
		if code == http.StatusInternalServerError {
			h.fail(w, r, err)
			return
		}
		writeError(w, code, err.Error(), nil)
		return
	}
	stored, err := h.svc.ReceiveWebhook(r.Context(), r.PathValue("provider"), r.PathValue("integration"), r.Header, body)
	if err != nil {
		var inErr *ats.InboundError
		if errors.As(err, &inErr) {
			h.log.InfoContext(r.Context(), "webhook refused", "provider", r.PathValue("provider"),
				"integration_id", r.PathValue("integration"), "status", inErr.Status, "reason", inErr.Message)
		}
		h.fail(w, r, err)
		return
	}
	status := "ignored"
	if stored {
		status = "accepted"
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": status})
}

func pathID(r *http.Request) string { return r.PathValue("id") }

func parseJobID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, &badRequest{msg: "job id must be a positive integer"}
	}
	return id, nil
}
