package ui

// The "Applicant review" page: the account's connections to ATSs with their
// syncs' progress, and, for super admins, "Connect an ATS".

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/integrations"
	"switchboard/internal/review"
)

// syncView is a sync as its progress bar shows it.
type syncView struct {
	core.ReviewSync
	Running bool
	// Rate and ETA are "" until review.ProgressOf can estimate them.
	Rate, ETA string
}

func newSyncView(sy core.ReviewSync) *syncView {
	p := review.ProgressOf(sy)
	v := &syncView{ReviewSync: sy, Running: sy.State == core.ReviewSyncRunning}
	if p.PagesPerMinute > 0 {
		v.Rate = fmt.Sprintf("%.1f pages a minute", p.PagesPerMinute)
	}
	if p.ETA > 0 {
		v.ETA = "about " + roughDuration(p.ETA) + " left"
	}
	return v
}

// roughDuration is an estimate in the words a person reads at a glance.
func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(math.Ceil(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
	}
	return fmt.Sprintf("%.1f hours", d.Hours())
}

// reviewSourceRow is one connection in the list.
type reviewSourceRow struct {
	core.ReviewSource
	ProviderName string
	Sync         *syncView
}

// connectForm is "Connect an ATS" as typed, so a refused connection comes
// back as the admin left it. Credentials are never echoed back.
type connectForm struct {
	Provider      *review.Provider
	Name          string
	IntegrationID string
	Settings      map[string]string
	// Integrations are the account's integrations of the chosen provider,
	// whose credentials a connection may use instead of its own.
	Integrations []integrations.IntegrationView
	Errors       map[string]string
}

type reviewListData struct {
	Sources   []reviewSourceRow
	Providers []review.Provider
	Connect   *connectForm // nil until a provider is chosen (super admins only)
}

func (h *handler) reviewPage(w http.ResponseWriter, r *http.Request, q *request) {
	var cf *connectForm
	if p := r.URL.Query().Get("provider"); p != "" && q.Can().Configure {
		f, ok := h.newConnectForm(w, r, q, p)
		if !ok {
			return
		}
		cf = f
	}
	h.renderReviewList(w, r, q, http.StatusOK, cf)
}

// newConnectForm is the empty form for provider, with its settings'
// defaults; a provider review does not know is a 404.
func (h *handler) newConnectForm(w http.ResponseWriter, r *http.Request, q *request, provider string) (*connectForm, bool) {
	providers := h.rev.Providers()
	i := slices.IndexFunc(providers, func(p review.Provider) bool { return p.Provider == provider })
	if i < 0 {
		h.notFound(w, r, q, "ATS for applicant review")
		return nil, false
	}
	f := &connectForm{Provider: &providers[i], Settings: map[string]string{}, Errors: map[string]string{}}
	for _, s := range f.Provider.Settings {
		f.Settings[s.Key] = s.Default
	}
	all, err := h.in.Integrations(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "integration", err)
		return nil, false
	}
	for _, in := range all {
		if in.Provider == provider {
			f.Integrations = append(f.Integrations, in)
		}
	}
	return f, true
}

func (h *handler) renderReviewList(w http.ResponseWriter, r *http.Request, q *request, status int, cf *connectForm) {
	sources, err := h.rev.Sources(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "review connection", err)
		return
	}
	d := reviewListData{Providers: h.rev.Providers(), Connect: cf}
	names := map[string]string{}
	for _, p := range d.Providers {
		names[p.Provider] = p.Name
	}
	for _, rs := range sources {
		row := reviewSourceRow{ReviewSource: rs, ProviderName: names[rs.Provider]}
		if row.ProviderName == "" {
			row.ProviderName = rs.Provider
		}
		if row.Sync, err = h.latestSync(r, q, rs.ID); err != nil {
			h.fail(w, r, q, "review connection", err)
			return
		}
		d.Sources = append(d.Sources, row)
	}
	h.render(w, r, status, "review", view{Title: "Applicant review", Nav: "review", Q: q, D: d})
}

// latestSync is the source's latest sync for its progress bar; nil before
// the first.
func (h *handler) latestSync(r *http.Request, q *request, sourceID string) (*syncView, error) {
	sy, err := h.rev.LatestSync(r.Context(), q.User, sourceID)
	switch {
	case errors.Is(err, core.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return newSyncView(sy), nil
}

// connectReview is "Connect": verified by the service with a real call;
// a refusal comes back on the form with the ATS's words.
func (h *handler) connectReview(w http.ResponseWriter, r *http.Request, q *request) {
	f, ok := h.newConnectForm(w, r, q, r.PostFormValue("provider"))
	if !ok {
		return
	}
	f.Name = strings.TrimSpace(r.PostFormValue("name"))
	f.IntegrationID = r.PostFormValue("integration_id")
	in := review.ConnectInput{Provider: f.Provider.Provider, Name: f.Name, IntegrationID: f.IntegrationID}
	if in.IntegrationID == "" {
		in.Settings, in.Credentials = map[string]string{}, map[string]string{}
		for _, s := range f.Provider.Settings {
			v := r.PostFormValue("setting." + s.Key)
			f.Settings[s.Key], in.Settings[s.Key] = v, v
		}
		for _, c := range f.Provider.Credentials {
			in.Credentials[c.Key] = r.PostFormValue("cred." + c.Key)
		}
	}
	rs, err := h.rev.Connect(r.Context(), q.User, in)
	if err == nil {
		h.back(w, r, "/review/"+rs.ID, flash{Kind: "ok", Message: fmt.Sprintf("Connected %s: the first sync has started.", rs.Name)})
		return
	}
	var pe *core.PublicError
	if inv, ok := asValidation(err); ok {
		f.Errors = inv.Fields
		msgs := make([]string, 0, len(inv.Fields))
		for _, k := range slices.Sorted(maps.Keys(inv.Fields)) {
			msgs = append(msgs, inv.Fields[k])
		}
		q.Flash = &flash{Kind: "error", Message: "Not connected: " + strings.Join(msgs, "; ") + "."}
	} else if errors.As(err, &pe) && errors.Is(err, core.ErrConflict) {
		q.Flash = &flash{Kind: "error", Message: "Not connected: " + pe.Public + "."}
	} else if rs.ID != "" {
		// Connected, but the first sync did not start: the page offers it.
		h.log.ErrorContext(r.Context(), "review: first sync", "source_id", rs.ID, "err", err)
		h.back(w, r, "/review/"+rs.ID, flash{Kind: "error", Message: "Connected, but the first sync could not be started: start it with “Sync changes”."})
		return
	} else {
		h.fail(w, r, q, "review connection", err)
		return
	}
	h.renderReviewList(w, r, q, http.StatusUnprocessableEntity, f)
}
