package ui

import (
	"errors"
	"net/http"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/integrations"
	"switchboard/internal/service"
)

// "Run a test order": the integration's validation done for real (see
// service.RunValidation). The form picks a vacancy; posting it runs the
// order and answers with the checklist on the same page. The result is not
// stored, so there is nothing to redirect to, and a run takes seconds, which
// a reload would repeat: the browser asks before re-posting.

type testOrderData struct {
	V         integrations.IntegrationView
	Supported bool
	Enabled   bool
	Vacancies []core.Vacancy
	Selected  string
	Candidate string // the name test candidates get
	Run       *service.ValidationRun
	Error     string
}

func (h *handler) testOrderPage(w http.ResponseWriter, r *http.Request, q *request) {
	h.renderTestOrder(w, r, q, r.URL.Query().Get("vacancy"), nil, "")
}

func (h *handler) runTestOrder(w http.ResponseWriter, r *http.Request, q *request) {
	vacancyID := strings.TrimSpace(r.PostFormValue("vacancy"))
	if vacancyID == "" {
		h.renderTestOrder(w, r, q, "", nil, "Choose the vacancy to order.")
		return
	}
	run, err := h.svc.RunValidation(r.Context(), q.User, r.PathValue("id"), vacancyID)
	var inv *core.ValidationError
	switch {
	case err == nil:
		h.renderTestOrder(w, r, q, vacancyID, &run, "")
	case errors.Is(err, service.ErrNotEnabled):
		h.renderTestOrder(w, r, q, vacancyID, nil, "Enable the integration first: a disabled integration refuses orders, the test order's too.")
	case errors.As(err, &inv):
		h.renderTestOrder(w, r, q, vacancyID, nil, "Not run: "+fieldProblems(inv))
	case errors.Is(err, core.ErrNotFound):
		// The page checks the integration; what is left is the vacancy.
		h.renderTestOrder(w, r, q, "", nil, "That vacancy does not exist (any more): choose another.")
	default:
		h.fail(w, r, q, "integration", err)
	}
}

func (h *handler) renderTestOrder(w http.ResponseWriter, r *http.Request, q *request, selected string, run *service.ValidationRun, problem string) {
	v, err := h.in.Integration(r.Context(), q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	vacs, err := h.svc.Vacancies(r.Context(), q.User)
	if err != nil {
		h.serverError(w, r, q, err)
		return
	}
	d := testOrderData{
		V: v, Supported: v.Description.TestOrders, Enabled: v.Status == core.IntegrationEnabled,
		Vacancies: vacs, Selected: selected, Candidate: service.TestCandidateName, Run: run, Error: problem,
	}
	h.render(w, r, http.StatusOK, "integration_validate", view{Title: "Test order · " + v.Name, Nav: "integrations", Q: q, D: d})
}
