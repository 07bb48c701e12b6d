package ui

import (
	"errors"
	"net/http"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

type newIntegrationData struct {
	Providers []integrations.Provider
	Chosen    string
	Name      string
	Error     string
}

// newIntegrationPage is "Add new integration": choose the ATS.
func (h *handler) newIntegrationPage(w http.ResponseWriter, r *http.Request, q *request) {
	h.render(w, r, http.StatusOK, "integration_new", view{Title: "Add new integration", Nav: "integrations", Q: q,
		D: newIntegrationData{Providers: h.in.Providers()}})
}

func (h *handler) createIntegration(w http.ResponseWriter, r *http.Request, q *request) {
	provider, name := r.PostFormValue("provider"), r.PostFormValue("name")
	in, err := h.in.CreateIntegration(r.Context(), q.User, provider, name)
	var inv *core.ValidationError
	switch {
	case err == nil:
		http.Redirect(w, r, "/integrations/"+in.ID+"/created", http.StatusSeeOther)
	case errors.As(err, &inv), errors.Is(err, core.ErrConflict):
		msg := "Choose one of the ATSs."
		var pe *core.PublicError
		switch {
		case errors.As(err, &pe) && errors.Is(err, core.ErrConflict):
			msg = strings.ToUpper(pe.Public[:1]) + pe.Public[1:] + "."
		case errors.Is(err, core.ErrConflict):
			msg = "Your account already has an integration with this ATS; open it from the integrations list."
		}
		h.render(w, r, http.StatusUnprocessableEntity, "integration_new", view{Title: "Add new integration", Nav: "integrations", Q: q,
			D: newIntegrationData{Providers: h.in.Providers(), Chosen: provider, Name: name, Error: msg}})
	default:
		h.fail(w, r, q, "integration", err)
	}
}

// integrationCreatedPage is the progress view after creating: what was set
// up, and the way on to the overview.
func (h *handler) integrationCreatedPage(w http.ResponseWriter, r *http.Request, q *request) {
	v, err := h.in.Integration(r.Context(), q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	h.render(w, r, http.StatusOK, "integration_created", view{Title: "Integration created", Nav: "integrations", Q: q, D: v})
}
