package ui

import (
	"net/http"

	"switchboard/internal/store"
)

// vacancyRow is a vacancy in the list, with the name of its vendor when an
// outside vendor fulfils it.
type vacancyRow struct {
	store.EngineVacancy // a built-in vacancy's row shows its modules and thresholds
	VendorName          string
}

func (h *handler) vacanciesPage(w http.ResponseWriter, r *http.Request, q *request) {
	vs, err := h.svc.EngineVacancies(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "vacancy", err)
		return
	}
	names, err := h.vendorNames(r, q)
	if err != nil {
		h.fail(w, r, q, "vacancy", err)
		return
	}
	rows := make([]vacancyRow, 0, len(vs))
	for _, v := range vs {
		row := vacancyRow{EngineVacancy: v}
		if !v.Builtin() {
			row.VendorName = names[v.VendorID]
			if row.VendorName == "" {
				row.VendorName = v.VendorID
			}
		}
		rows = append(rows, row)
	}
	h.render(w, r, http.StatusOK, "vacancies", view{Title: "Vacancies", Nav: "vacancies", Q: q, D: rows})
}

// vendorNames maps the ids of the vendors the account sees to their names.
func (h *handler) vendorNames(r *http.Request, q *request) (map[string]string, error) {
	avs, err := h.vnd.AccountVendors(r.Context(), q.User)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(avs))
	for _, v := range avs {
		m[v.ID] = v.Name
	}
	return m, nil
}
