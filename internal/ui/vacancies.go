package ui

import (
	"net/http"
)

func (h *handler) vacanciesPage(w http.ResponseWriter, r *http.Request, q *request) {
	vs, err := h.svc.Vacancies(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "vacancy", err)
		return
	}
	h.render(w, r, http.StatusOK, "vacancies", view{Title: "Vacancies", Nav: "vacancies", Q: q, D: vs})
}
