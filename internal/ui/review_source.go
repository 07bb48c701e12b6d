package ui

// One review connection: its status and sync, the sync buttons, removing
// it, and its requisitions with search and a recruiter filter.

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

type recruiter struct{ ID, Name string }

type reviewSourceData struct {
	Source       core.ReviewSource
	ProviderName string
	// TakesProspects: the ATS takes a test prospect.
	TakesProspects bool
	Sync           *syncView
	Jobs           []core.ReviewJob
	// Query and Recruiter are the list's filter as typed; Recruiters are
	// those of the jobs matching Query, so choosing one never empties the
	// choice.
	Query, Recruiter string
	Recruiters       []recruiter
}

func (h *handler) reviewSourcePage(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	rs, err := h.rev.Source(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "review connection", err)
		return
	}
	d := reviewSourceData{Source: rs, ProviderName: rs.Provider,
		Query: strings.TrimSpace(r.URL.Query().Get("q")), Recruiter: r.URL.Query().Get("recruiter")}
	for _, p := range h.rev.Providers() {
		if p.Provider == rs.Provider {
			d.ProviderName, d.TakesProspects = p.Name, p.TakesProspects
		}
	}
	if d.Sync, err = h.latestSync(r, q, rs.ID); err != nil {
		h.fail(w, r, q, "review connection", err)
		return
	}
	jobs, err := h.rev.Jobs(r.Context(), q.User, rs.ID, store.ReviewJobFilter{Query: d.Query})
	if err != nil {
		h.fail(w, r, q, "review connection", err)
		return
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.RecruiterID != "" && !seen[j.RecruiterID] {
			seen[j.RecruiterID] = true
			d.Recruiters = append(d.Recruiters, recruiter{j.RecruiterID, cmp.Or(j.RecruiterName, j.RecruiterID)})
		}
		if d.Recruiter == "" || j.RecruiterID == d.Recruiter {
			d.Jobs = append(d.Jobs, j)
		}
	}
	slices.SortFunc(d.Recruiters, func(a, b recruiter) int { return cmp.Compare(a.Name, b.Name) })
	h.render(w, r, http.StatusOK, "review_source", view{Title: rs.Name, Nav: "review", Q: q, D: d})
}

// syncReview is "Sync changes" and "Full re-sync"; a sync already running
// is kept rather than a second one started.
func (h *handler) syncReview(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	full := r.PostFormValue("full") == "1"
	sy, err := h.rev.StartSync(r.Context(), q.User, id, full)
	if err != nil {
		h.fail(w, r, q, "review connection", err)
		return
	}
	var msg string
	switch {
	case full && !sy.Full:
		msg = "A sync of the changes is already running: start the full re-sync when it has finished."
	case sy.Full:
		msg = "Full re-sync running: every open job's applicants are read again."
	default:
		msg = "Sync of the changes running."
	}
	h.back(w, r, "/review/"+id, flash{Kind: "ok", Message: msg})
}

// sendTestProspect adds a test prospect to the ATS and says where it
// landed.
func (h *handler) sendTestProspect(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	p, err := h.rev.SendTestProspect(r.Context(), q.User, id)
	if err != nil {
		h.back(w, r, "/review/"+id, flash{Kind: "error", Message: sentence("no test prospect: " + core.PublicMessage(err, "it could not be sent"))})
		return
	}
	h.back(w, r, "/review/"+id, flash{Kind: "ok", Message: fmt.Sprintf("Test prospect %s %s (%s) landed in %s.", p.FirstName, p.LastName, p.Email, p.Where)})
}

// removeReview deletes the connection and everything synced from it,
// once the admin has confirmed.
func (h *handler) removeReview(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	rs, err := h.rev.Source(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "review connection", err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		h.back(w, r, "/review/"+id, flash{Kind: "error", Message: "Not removed: tick the box to confirm that the synced jobs and applicants are deleted."})
		return
	}
	if err := h.rev.Disconnect(r.Context(), q.User, id); err != nil {
		if msg := core.PublicMessage(err, ""); msg != "" {
			h.back(w, r, "/review/"+id, flash{Kind: "error", Message: "Not removed: " + msg + "."})
			return
		}
		h.fail(w, r, q, "review connection", err)
		return
	}
	h.back(w, r, "/review", flash{Kind: "ok", Message: fmt.Sprintf("Removed %s and its synced jobs and applicants.", rs.Name)})
}
