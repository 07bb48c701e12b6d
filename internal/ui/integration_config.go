package ui

import (
	"net/http"
	"slices"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// The overview's "ATS → Switchboard" settings, "Switchboard → ATS" write-back
// and "Credentials" sections.

func (h *handler) saveSettings(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	v, err := h.in.Integration(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	settings := map[string]string{}
	for _, f := range v.Description.Settings {
		if _, shown := r.PostForm["setting_"+f.Key+"_shown"]; !shown {
			continue
		}
		val := strings.TrimSpace(r.PostFormValue("setting_" + f.Key))
		if f.Default == "true" || f.Default == "false" {
			val = "false"
			if r.PostFormValue("setting_"+f.Key) == "true" {
				val = "true"
			}
		}
		settings[f.Key] = val // "" deletes: the connector's default applies
	}
	h.update(w, r, q, id, integrations.IntegrationPatch{Settings: settings}, "Settings saved.")
}

func (h *handler) saveWriteBack(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	v, err := h.in.Integration(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	mods, err := h.eng.IndicatorModules(r.Context(), q.User)
	if err != nil {
		h.serverError(w, r, q, err)
		return
	}
	f := r.PostFormValue
	wb := v.WriteBack
	// The page offers every kind the ATS can receive; one it cannot (an
	// older default) is switched off, as it would never arrive.
	for kind := range wb.Reports.Kinds() {
		wb.Reports.Set(kind, slices.Contains(v.Description.Reports, kind) && f("report_"+kind) == "on")
	}
	if !v.Description.CustomFields {
		// The page offers no custom fields for this ATS.
		h.update(w, r, q, id, integrations.IntegrationPatch{WriteBack: &wb}, "Write-back configuration saved.")
		return
	}
	if v.Description.StatusField {
		wb.StatusField = core.FieldMapping{Enabled: f("status_enabled") == "on", FieldID: strings.TrimSpace(f("status_field"))}
	}
	wb.ScoreField = core.FieldMapping{Enabled: f("score_enabled") == "on", FieldID: strings.TrimSpace(f("score_field"))}
	wb.LabelField = core.FieldMapping{Enabled: f("label_enabled") == "on", FieldID: strings.TrimSpace(f("label_field"))}
	wb.LabelValues = map[string]string{}
	for _, l := range labelKeys {
		if val := strings.TrimSpace(f("label_" + l.Key)); val != "" {
			wb.LabelValues[string(l.Label)] = val
		}
	}
	wb.IndicatorFields = map[string]core.FieldMapping{}
	for k, m := range v.WriteBack.IndicatorFields {
		wb.IndicatorFields[k] = m
	}
	for _, m := range mods {
		fm := core.FieldMapping{Enabled: f("indicator_"+m.Key+"_enabled") == "on", FieldID: strings.TrimSpace(f("indicator_" + m.Key + "_field"))}
		if !fm.Enabled && fm.FieldID == "" {
			delete(wb.IndicatorFields, m.Key)
			continue
		}
		wb.IndicatorFields[m.Key] = fm
	}
	// A switched-on mapping without a field id would write nowhere.
	var missing []string
	if wb.StatusField.Enabled && wb.StatusField.FieldID == "" {
		missing = append(missing, "the assessment status")
	}
	if wb.ScoreField.Enabled && wb.ScoreField.FieldID == "" {
		missing = append(missing, "the overall matching score")
	}
	if wb.LabelField.Enabled && wb.LabelField.FieldID == "" {
		missing = append(missing, "the overall matching label")
	}
	for _, m := range mods {
		if fm := wb.IndicatorFields[m.Key]; fm.Enabled && fm.FieldID == "" {
			missing = append(missing, "the "+m.Name+" indicator")
		}
	}
	if len(missing) > 0 {
		h.back(w, r, "/integrations/"+id+"#write-back", flash{Kind: "error",
			Message: "Nothing was saved: give an ATS field id for " + strings.Join(missing, ", ") + ", or switch it off."})
		return
	}
	h.update(w, r, q, id, integrations.IntegrationPatch{WriteBack: &wb}, "Write-back configuration saved.")
}

// saveCredential stores one secret. It is write-only: the page never shows
// it again, only when it was set.
func (h *handler) saveCredential(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	name := r.PostFormValue("name")
	err := h.in.SetCredential(r.Context(), q.User, id, name, r.PostFormValue("value"))
	if inv, ok := asValidation(err); ok {
		h.back(w, r, "/integrations/"+id+"#credentials", flash{Kind: "error", Message: "Not saved: " + fieldProblems(inv)})
		return
	}
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	h.back(w, r, "/integrations/"+id+"#credentials", flash{Kind: "ok", Message: "Credential saved. It is stored encrypted and will not be shown again."})
}
