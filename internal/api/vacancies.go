package api

import (
	"net/http"

	"switchboard/internal/assess"
	"switchboard/internal/service"
)

type vacancyIn struct {
	Name       *string            `json:"name"`
	Package    *assess.Package    `json:"package"`
	Thresholds *assess.Thresholds `json:"thresholds"`
	Tag        *string            `json:"tag"`
	Inline     *bool              `json:"inline"`
	ExpiryDays *int               `json:"expiry_days"`
	ReturnURL  *string            `json:"return_url"`
}

func (v vacancyIn) input() service.VacancyInput {
	return service.VacancyInput{Name: v.Name, Package: v.Package, Thresholds: v.Thresholds, Tag: v.Tag,
		Inline: v.Inline, ExpiryDays: v.ExpiryDays, ReturnURL: v.ReturnURL}
}

func (h *handler) listVacancies(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.EngineVacancies(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]vacancyOut, 0, len(vs))
	for _, v := range vs {
		out = append(out, vacancyJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"vacancies": out})
}

func (h *handler) createVacancy(w http.ResponseWriter, r *http.Request) {
	var in vacancyIn
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.svc.CreateVacancy(r.Context(), actor(r), in.input())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, vacancyJSON(v))
}

func (h *handler) getVacancy(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Vacancy(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, vacancyJSON(v))
}

func (h *handler) updateVacancy(w http.ResponseWriter, r *http.Request) {
	var in vacancyIn
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.svc.UpdateVacancy(r.Context(), actor(r), pathID(r), in.input())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, vacancyJSON(v))
}
