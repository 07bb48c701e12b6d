package ui

import (
	"net/http"

	"switchboard/internal/core"
)

// outboxPage shows the account's emails kept in the dev outbox when no SMTP
// server is set. Invitation links are credentials, so it is a signed-in page
// scoped to the account like every other.
func (h *handler) outboxPage(w http.ResponseWriter, r *http.Request, q *request) {
	if !q.DevOutbox {
		h.render(w, r, http.StatusNotFound, "problem", view{Title: "No dev outbox", Q: q,
			D: problem{Title: "No dev outbox", Message: "Emails are sent over SMTP on this server."}})
		return
	}
	mails, err := h.svc.Outbox(r.Context(), q.User, 100)
	if err != nil {
		h.fail(w, r, q, "outbox", err)
		return
	}
	h.render(w, r, http.StatusOK, "outbox", view{Title: "Dev outbox", Nav: "outbox", Q: q, D: struct{ Mails []core.OutboxMail }{mails}})
}
