package ui

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// The overview's "General" section: name, patterns, enable and disable.

func (h *handler) saveGeneral(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	name := r.PostFormValue("name")
	p := integrations.IntegrationPatch{Name: &name}
	// A connector with one pattern shows it fixed and posts none.
	if r.PostFormValue("patterns_shown") == "1" {
		p.Patterns = []core.Pattern{}
		for _, s := range r.PostForm["pattern"] {
			p.Patterns = append(p.Patterns, core.Pattern(s))
		}
	}
	h.update(w, r, q, id, p, "General settings saved.")
}

// update applies a patch and goes back to the overview, saying what happened.
func (h *handler) update(w http.ResponseWriter, r *http.Request, q *request, id string, p integrations.IntegrationPatch, ok string) {
	res, err := h.in.UpdateIntegration(r.Context(), q.User, id, p)
	var inv *core.ValidationError
	var vf *integrations.ValidationFailed
	switch {
	case err == nil:
		if len(res.ClearedCredentials) > 0 {
			ok += " The API host changed, so the stored credentials (" + strings.ReplaceAll(strings.Join(res.ClearedCredentials, ", "), "_", " ") +
				") were cleared: enter the ones for the new host."
		}
		if res.Disabled {
			ok += " The integration was disabled; enable it again once it is set up."
		}
		h.back(w, r, "/integrations/"+id, flash{Kind: "ok", Message: ok})
	case errors.As(err, &inv):
		h.back(w, r, "/integrations/"+id, flash{Kind: "error", Message: "Nothing was saved: " + fieldProblems(inv)})
	case errors.As(err, &vf):
		// An enabled integration is re-validated on change; it stays as it was.
		h.back(w, r, "/integrations/"+id, flash{Kind: "error", Checks: vf.Checks,
			Message: "Nothing was saved: with this change the integration would fail these checks, and it is enabled."})
	case errors.Is(err, core.ErrConflict):
		h.back(w, r, "/integrations/"+id, flash{Kind: "error", Message: "Nothing was saved: the integration was changed meanwhile. Check it and save again."})
	default:
		h.fail(w, r, q, "integration", err)
	}
}

func fieldProblems(v *core.ValidationError) string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, strings.ReplaceAll(k, "_", " ")+" "+v.Fields[k])
	}
	return strings.Join(parts, "; ") + "."
}

// enableIntegration validates, then enables; a failed check leaves the
// integration as it was and shows each check's problem.
func (h *handler) enableIntegration(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	_, checks, err := h.in.SetEnabled(r.Context(), q.User, id, true)
	var vf *integrations.ValidationFailed
	switch {
	case err == nil:
		h.back(w, r, "/integrations/"+id, checksFlash("Enabled: every check passed, and orders from the ATS are now accepted.", "", checks))
	case errors.As(err, &vf):
		h.back(w, r, "/integrations/"+id, flash{Kind: "error", Message: "Not enabled: fix the failing checks below, then enable again.", Checks: vf.Checks})
	default:
		h.fail(w, r, q, "integration", err)
	}
}

func (h *handler) disableIntegration(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	if _, _, err := h.in.SetEnabled(r.Context(), q.User, id, false); err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	h.back(w, r, "/integrations/"+id, flash{Kind: "ok", Message: "Disabled. The configuration is kept; orders from the ATS are refused until you enable it again."})
}

// validateIntegration runs the checks and changes nothing.
func (h *handler) validateIntegration(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	checks, err := h.in.ValidateIntegration(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	h.back(w, r, "/integrations/"+id+"#top", checksFlash("Validation passed: every check is green.", "Validation found problems:", checks))
}
