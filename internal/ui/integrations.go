package ui

import (
	"net/http"
)

func (h *handler) integrationsPage(w http.ResponseWriter, r *http.Request, q *request) {
	list, err := h.in.Integrations(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	h.render(w, r, http.StatusOK, "integrations", view{Title: "Integrations", Nav: "integrations", Q: q, D: list})
}
