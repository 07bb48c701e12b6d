package ui

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"switchboard/internal/assess"
	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// integrationData is the integration overview: its sections follow from the
// connector's description, so a new connector gets the page for free.
type integrationData struct {
	V            integrations.IntegrationView
	FixedPattern bool // the ATS supports one pattern only: shown, not chosen
	Patterns     []patternChoice
	Settings     []settingField
	Indicators   []indicatorField
	Reports      []reportToggle
	Labels       []labelValue
	VacancyTags  []string
	TriggerStage string
	DisabledAttr bool // read-only for roles that may not configure
	// Partner is the connection state of ATSs that connect from their side
	// with a generated connection token (SmartRecruiters).
	Partner integrations.PartnerConnection
}

type patternChoice struct {
	Pattern core.Pattern
	On      bool
}

type settingField struct {
	ats.Field
	Value   string
	Boolean bool // "true"/"false" settings get a checkbox
}

type indicatorField struct {
	Key, Name string
	core.FieldMapping
}

type reportToggle struct {
	Key, Name, Help string
	On              bool
}

type labelValue struct {
	Label assess.Label
	Key   string
	Value string
}

func (h *handler) integrationPage(w http.ResponseWriter, r *http.Request, q *request) {
	v, err := h.in.Integration(r.Context(), q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	d := integrationData{V: v, FixedPattern: len(v.Description.Patterns) == 1, DisabledAttr: !q.Can().Configure}
	for _, p := range v.Description.Patterns {
		d.Patterns = append(d.Patterns, patternChoice{Pattern: p, On: v.HasPattern(p)})
	}
	for _, f := range v.Description.Settings {
		val, ok := v.Settings[f.Key]
		if !ok {
			val = f.Default
		}
		d.Settings = append(d.Settings, settingField{Field: f, Value: val, Boolean: f.Default == "true" || f.Default == "false"})
	}
	d.TriggerStage = v.Settings["trigger_stage"]
	if d.Partner, err = h.in.PartnerConnection(r.Context(), q.User, v.ID); err != nil {
		h.fail(w, r, q, "integration", err)
		return
	}
	mods, err := h.eng.IndicatorModules(r.Context(), q.User)
	if err != nil {
		h.serverError(w, r, q, err)
		return
	}
	for _, m := range mods {
		d.Indicators = append(d.Indicators, indicatorField{Key: m.Key, Name: m.Name, FieldMapping: v.WriteBack.IndicatorFields[m.Key]})
	}
	for _, k := range reportKinds {
		if slices.Contains(v.Description.Reports, k.Key) {
			d.Reports = append(d.Reports, reportToggle{Key: k.Key, Name: k.Name, Help: k.Help, On: v.WriteBack.Reports.Kinds()[k.Key]})
		}
	}
	for _, l := range labelKeys {
		d.Labels = append(d.Labels, labelValue{Label: l.Label, Key: l.Key, Value: v.WriteBack.LabelValues[string(l.Label)]})
	}
	vacs, err := h.svc.Vacancies(r.Context(), q.User)
	if err != nil {
		h.serverError(w, r, q, err)
		return
	}
	for _, vac := range vacs {
		if vac.Tag != "" {
			d.VacancyTags = append(d.VacancyTags, vac.Tag)
		}
	}
	h.render(w, r, http.StatusOK, "integration", view{Title: v.Name, Nav: "integrations", Q: q, D: d})
}

// retryInbound processes a failed inbound event again (its Retry button).
func (h *handler) retryInbound(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	back := "/integrations/" + id + "#inbound-failures"
	job, err := h.svc.RetryInbound(r.Context(), q.User, id, r.PathValue("event"))
	switch {
	case err == nil:
		msg := "The webhook will be processed again in a moment"
		if job > 0 {
			msg += fmt.Sprintf(" (job %d)", job)
		}
		h.back(w, r, back, flash{Kind: "ok", Message: msg + "; if it fails again, it stays listed here with the reason."})
	case errors.Is(err, core.ErrConflict):
		h.back(w, r, back, flash{Kind: "error", Message: sentence(core.PublicMessage(err, "that webhook cannot be retried now"))})
	default:
		h.fail(w, r, q, "integration", err)
	}
}

// labelKeys are the fit labels with the form keys of their ATS values.
var labelKeys = []struct {
	Label assess.Label
	Key   string
}{{assess.GreatFit, "great"}, {assess.GoodFit, "good"}, {assess.PoorFit, "poor"}}

// reportOn and setReport read and write one report kind by its key.
