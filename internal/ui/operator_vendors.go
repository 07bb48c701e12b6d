package ui

import (
	"net/http"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/vendors"
)

// operatorOnly lets operators through to fn and answers everyone else 403:
// the operator pages are no role's.
func (h *handler) operatorOnly(fn pageFunc) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, q *request) {
		if err := vendors.RequireOperator(q.User); err != nil {
			h.log.InfoContext(r.Context(), "operator page refused", "path", r.URL.Path, "err", err)
			h.render(w, r, http.StatusForbidden, "problem", view{Title: "For operators only", Q: q, D: problem{
				Title:   "For operators only",
				Message: "This page is for the operators of this Switchboard, who manage the vendors.",
				Hint:    "Whoever runs Switchboard makes an operator with switchboard users set-operator.",
			}})
			return
		}
		fn(w, r, q)
	}
}

// operatorVendorsData is the operator's vendor list and the create form.
type operatorVendorsData struct {
	Vendors []vendors.Summary
	Kinds   []core.Kind
	Form    struct{ Name, Kind string }
	Errors  map[string]string
}

func (h *handler) operatorVendorsPage(w http.ResponseWriter, r *http.Request, q *request) {
	h.renderOperatorVendors(w, r, q, http.StatusOK, operatorVendorsData{})
}

func (h *handler) renderOperatorVendors(w http.ResponseWriter, r *http.Request, q *request, status int, d operatorVendorsData) {
	var err error
	if d.Vendors, err = h.vnd.Summaries(r.Context()); err != nil {
		h.serverError(w, r, q, err)
		return
	}
	d.Kinds = []core.Kind{core.KindAssessment, core.KindBackgroundCheck}
	if d.Form.Kind == "" {
		d.Form.Kind = string(core.KindAssessment)
	}
	h.render(w, r, status, "operator_vendors", view{Title: "Vendors · operator", Nav: "operator", Q: q, D: d})
}

// operatorCreateVendor creates a vendor and shows its page with the first
// API key, this once.
func (h *handler) operatorCreateVendor(w http.ResponseWriter, r *http.Request, q *request) {
	var d operatorVendorsData
	d.Form.Name, d.Form.Kind = strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("kind")
	v, key, err := h.vnd.Create(r.Context(), d.Form.Name, core.Kind(d.Form.Kind))
	if inv, ok := asValidation(err); ok {
		d.Errors = inv.Fields
		h.renderOperatorVendors(w, r, q, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		h.serverError(w, r, q, err)
		return
	}
	h.renderOperatorVendor(w, r, q, http.StatusCreated, v.ID, operatorVendorData{Shown: &shownOnce{
		ID: "new-vendor-key", What: "Created " + v.Name + ". Its API key", Note: "Give it to the vendor: it authenticates their calls to the vendor API.", Value: key}})
}
