package ui

import (
	"errors"
	"net/http"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// inboundKeyData is the page that shows a newly issued inbound key, the one
// time it is shown.
type inboundKeyData struct {
	ID, Name, ATS string
	Key           string
	IssuedAt      time.Time
	Auth          ats.InboundAuth
	HowSent       string
	HandOver      []ats.HandOverLink
	Rotated       bool // it replaced a key the ATS may still hold
}

// issueInboundKey issues the key the integration's ATS calls Switchboard
// with (connectors whose ATS is given a key: Workable's bearer token,
// Greenhouse's and Ashby's Basic key) and shows it on the answer to the
// post itself, never in a redirect or flash, so it is not stored anywhere
// on the way (pages are no-store). Replacing a key the ATS holds must be
// confirmed: the old key stops working at once.
func (h *handler) issueInboundKey(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	pc, err := h.in.PartnerConnection(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	if pc.Connected && r.PostFormValue("confirm") != "rotate" {
		h.back(w, r, "/integrations/"+id+"#inbound-key", flash{Kind: "error",
			Message: "No key generated: tick the box to confirm that the current key stops working at once."})
		return
	}
	v, err := h.in.Integration(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	k, err := h.in.IssueInboundKey(r.Context(), q.User, id)
	var inv *core.ValidationError
	switch {
	case errors.As(err, &inv):
		h.back(w, r, "/integrations/"+id+"#inbound", flash{Kind: "error", Message: "No key generated: " + fieldProblems(inv)})
		return
	case err != nil:
		h.fail(w, r, q, "integration", err)
		return
	}
	h.render(w, r, http.StatusOK, "inbound_key", view{Title: v.Description.Name + " key", Nav: "integrations", Q: q, D: inboundKeyData{
		ID: v.ID, Name: v.Name, ATS: v.Description.Name, Key: k.Key, IssuedAt: k.IssuedAt, Auth: k.Auth,
		HowSent: integrations.HowSent(k.Auth), HandOver: k.HandOver, Rotated: pc.Connected,
	}})
}
