package ui

import (
	"errors"
	"net/http"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// connectionTokenData is the page that shows a generated connection token,
// the one time it is shown.
type connectionTokenData struct {
	ID, Name, ATS string
	Token         string
	ExpiresAt     time.Time
	Minutes       int
}

// generateConnectionToken makes a connection token and shows it on the
// answer to the post itself, never in a redirect or flash, so it is not
// stored anywhere on the way (pages are no-store).
func (h *handler) generateConnectionToken(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	v, err := h.in.Integration(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	tok, err := h.in.GenerateConnectionToken(r.Context(), q.User, id)
	var inv *core.ValidationError
	switch {
	case errors.As(err, &inv):
		h.back(w, r, "/integrations/"+id+"#connection", flash{Kind: "error", Message: "No token generated: " + fieldProblems(inv)})
		return
	case err != nil:
		h.fail(w, r, q, "integration", err)
		return
	}
	h.render(w, r, http.StatusOK, "connection_token", view{Title: "Connection token", Nav: "integrations", Q: q, D: connectionTokenData{
		ID: v.ID, Name: v.Name, ATS: v.Description.Name, Token: tok.Token, ExpiresAt: tok.ExpiresAt,
		Minutes: int(integrations.ConnectionTokenValidity / time.Minute),
	}})
}
