package ui

// One requisition: its qualifications form ("Apply criteria"), the ranked
// applicants with why, the filtered-out ones with their reasons, and
// moving applicants on in the ATS.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/review"
	"switchboard/internal/review/rank"
)

// criteriaForm is the qualifications form as typed: lines one per row of
// a textarea, so a refused form comes back as the recruiter left it.
type criteriaForm struct {
	Required, Preferred string
	MinYears            string
	Degree              string
	Statuses            []string
	Query               string
	Error               string
}

func formFromCriteria(c rank.Criteria) criteriaForm {
	return criteriaForm{Required: strings.Join(c.Required, "\n"), Preferred: strings.Join(c.Preferred, "\n"),
		MinYears: strconv.FormatFloat(c.MinYears, 'f', -1, 64), Degree: c.Degree, Statuses: c.Statuses, Query: c.Query}
}

// read takes the posted form; what cannot be read as a number is an error
// here, the rest is rank.Criteria.Validate's.
func (f *criteriaForm) read(r *http.Request) (rank.Criteria, bool) {
	p := r.PostFormValue
	f.Required, f.Preferred, f.MinYears, f.Degree, f.Query = p("required"), p("preferred"), p("min_years"), p("degree"), p("query")
	f.Statuses = r.PostForm["status"]
	c := rank.Criteria{Required: lines(f.Required), Preferred: lines(f.Preferred), Degree: f.Degree, Statuses: f.Statuses, Query: strings.TrimSpace(f.Query)}
	if s := strings.TrimSpace(f.MinYears); s != "" {
		y, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f.Error = "years of experience must be a number"
			return c, false
		}
		c.MinYears = y
	}
	return c, true
}

// lines are a textarea's non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// partView is one Part of a score, its milli-points shown as points.
type partView struct {
	rank.Part
	Points string
}

type rankedRow struct {
	Rank int
	review.RankedApplicant
	Score, Years string
	Why          []partView
	Move         moveView
}

// AssessmentScore is Switchboard's score of the candidate, "" when the
// assessment has none.
func (r rankedRow) AssessmentScore() string {
	if r.Assessment == nil || r.Assessment.Score == nil {
		return ""
	}
	return strconv.FormatFloat(*r.Assessment.Score, 'f', 0, 64)
}

type filteredRow struct {
	review.FilteredApplicant
	Move moveView
}

// moveView is an applicant's latest move as its row shows it.
type moveView struct {
	Asked  bool
	Target string // its label
	Error  string
	At     string
}

type reviewJobData struct {
	Source   core.ReviewSource
	Job      core.ReviewJob
	Form     criteriaForm
	Degrees  []string
	MaxYears int
	// Statuses are those present among the job's applicants, with any the
	// criteria name, for the status filter.
	Statuses []string
	Ranked   []rankedRow
	Filtered []filteredRow
	Targets  []ats.MoveTarget
	// TargetsError says why there is no move form (the ATS did not answer).
	TargetsError string
}

// Checked says whether a status box is ticked.
func (d reviewJobData) Checked(status string) bool { return slices.Contains(d.Form.Statuses, status) }

func (h *handler) reviewJobPage(w http.ResponseWriter, r *http.Request, q *request) {
	h.renderReviewJob(w, r, q, http.StatusOK, nil)
}

// renderReviewJob shows the job ranked by its stored qualifications, with
// the form as typed when typed is not nil (a refused "Apply criteria").
func (h *handler) renderReviewJob(w http.ResponseWriter, r *http.Request, q *request, status int, typed *criteriaForm) {
	id, jobID := r.PathValue("id"), r.PathValue("job")
	rs, err := h.rev.Source(r.Context(), q.User, id)
	if err != nil {
		h.fail(w, r, q, "review connection", err)
		return
	}
	rk, err := h.rev.Rank(r.Context(), q.User, id, jobID, nil)
	if err != nil {
		h.fail(w, r, q, "requisition", err)
		return
	}
	d := reviewJobData{Source: rs, Job: rk.Job, Form: formFromCriteria(rk.Criteria), Degrees: rank.Degrees(), MaxYears: rank.MaxYears}
	if typed != nil {
		d.Form = *typed
	}
	labels := map[string]string{}
	d.Targets, err = h.rev.MoveTargets(r.Context(), q.User, id, jobID)
	if err != nil {
		// The ranking stands without the ATS; only moving waits for it.
		h.log.WarnContext(r.Context(), "review: move targets", "source_id", id, "job_id", jobID, "err", err)
		d.TargetsError = "Moving is not available right now: the ATS did not list where applicants can go (" + core.PublicMessage(err, "try again shortly") + ")."
	}
	for _, t := range d.Targets {
		labels[t.ID] = t.Label
	}
	present := map[string]bool{}
	for i, ra := range rk.Ranked {
		row := rankedRow{Rank: i + 1, RankedApplicant: ra, Score: points(ra.Score), Years: strconv.FormatFloat(ra.Years, 'f', 1, 64),
			Move: moveOf(ra.Applicant, labels)}
		for _, p := range ra.Parts {
			row.Why = append(row.Why, partView{Part: p, Points: points(p.Points)})
		}
		d.Ranked = append(d.Ranked, row)
		present[ra.Applicant.Status] = true
	}
	for _, f := range rk.Filtered {
		d.Filtered = append(d.Filtered, filteredRow{FilteredApplicant: f, Move: moveOf(f.Applicant, labels)})
		present[f.Applicant.Status] = true
	}
	for _, s := range d.Form.Statuses {
		present[s] = true
	}
	delete(present, "")
	for s := range present {
		d.Statuses = append(d.Statuses, s)
	}
	slices.Sort(d.Statuses)
	h.render(w, r, status, "review_job", view{Title: rk.Job.Title, Nav: "review", Q: q, D: d})
}

func moveOf(a core.ReviewApplicant, labels map[string]string) moveView {
	if a.MoveTarget == "" {
		return moveView{}
	}
	l := labels[a.MoveTarget]
	if l == "" {
		l = a.MoveTarget
	}
	return moveView{Asked: true, Target: l, Error: a.MoveError, At: fmtTime(a.MovedAt, "2 Jan 2006 15:04 MST")}
}

// points shows milli-points as points, exactly: the parts add up to the
// score on the page too.
func points(milli int64) string { return strconv.FormatFloat(float64(milli)/1000, 'f', -1, 64) }

// applyCriteria stores the qualifications; refused ones change nothing and
// come back on the form with the reasons.
func (h *handler) applyCriteria(w http.ResponseWriter, r *http.Request, q *request) {
	id, jobID := r.PathValue("id"), r.PathValue("job")
	var f criteriaForm
	c, ok := f.read(r)
	if ok {
		err := h.rev.SetCriteria(r.Context(), q.User, id, jobID, c)
		if err == nil {
			h.back(w, r, jobPath(id, jobID), flash{Kind: "ok", Message: "Criteria applied."})
			return
		}
		inv, isInv := asValidation(err)
		if !isInv {
			h.fail(w, r, q, "requisition", err)
			return
		}
		f.Error = inv.Fields["criteria"]
	}
	q.Flash = &flash{Kind: "error", Message: "Criteria not applied: " + strings.ReplaceAll(f.Error, "\n", "; ") + "."}
	h.renderReviewJob(w, r, q, http.StatusUnprocessableEntity, &f)
}

// moveApplicants moves the ticked applicants; how each went is stored on
// its row, which the page shows after the redirect.
func (h *handler) moveApplicants(w http.ResponseWriter, r *http.Request, q *request) {
	id, jobID := r.PathValue("id"), r.PathValue("job")
	moved, err := h.rev.Move(r.Context(), q.User, id, jobID, r.PostForm["applicant"], r.PostFormValue("target"))
	if inv, ok := asValidation(err); ok {
		msgs := make([]string, 0, len(inv.Fields))
		for _, v := range inv.Fields {
			msgs = append(msgs, v)
		}
		slices.Sort(msgs)
		h.back(w, r, jobPath(id, jobID)+"#ranking", flash{Kind: "error", Message: "Nothing moved: " + strings.Join(msgs, "; ") + "."})
		return
	}
	if err != nil && len(moved) == 0 {
		h.fail(w, r, q, "requisition", err)
		return
	}
	refused := 0
	for _, m := range moved {
		if m.Error != "" {
			refused++
		}
	}
	f := flash{Kind: "ok", Message: fmt.Sprintf("Moved %d of %d: the status here changes with the next sync.", len(moved)-refused, len(moved))}
	if refused > 0 {
		f = flash{Kind: "error", Message: fmt.Sprintf("Moved %d of %d; %d refused: the reason is on the row.", len(moved)-refused, len(moved), refused)}
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "review: record move", "source_id", id, "job_id", jobID, "err", err)
		f = flash{Kind: "error", Message: "Some moves were made but not recorded here: sync the connection to see where the applicants are."}
	}
	h.back(w, r, jobPath(id, jobID)+"#ranking", f)
}

func jobPath(sourceID, jobID string) string {
	return "/review/" + url.PathEscape(sourceID) + "/jobs/" + url.PathEscape(jobID)
}
