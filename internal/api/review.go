package api

// Applicant review's admin API: /api/v1/review/….

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/identity"
	"switchboard/internal/review"
	"switchboard/internal/review/rank"
	"switchboard/internal/service"
	"switchboard/internal/store"
)

// RegisterReview mounts applicant review's routes on mux.
func RegisterReview(mux *http.ServeMux, rev *review.Service, svc *service.Service, id *identity.Service, log *slog.Logger) {
	h := &handler{svc: svc, id: id, review: rev, log: log}
	auth := h.authenticated
	const src = "/api/v1/review/sources/{id}"
	mux.Handle("GET /api/v1/review/providers", auth(h.reviewProviders))
	mux.Handle("GET /api/v1/review/sources", auth(h.listReviewSources))
	mux.Handle("POST /api/v1/review/sources", auth(h.connectReviewSource))
	mux.Handle("GET "+src, auth(h.getReviewSource))
	mux.Handle("DELETE "+src, auth(h.disconnectReviewSource))
	mux.Handle("POST "+src+"/sync", auth(h.syncReviewSource))
	mux.Handle("POST "+src+"/rotate-keys", auth(h.rotateReviewKeys))
	mux.Handle("POST "+src+"/test-prospect", auth(h.reviewTestProspect))
	mux.Handle("GET "+src+"/jobs", auth(h.listReviewJobs))
	mux.Handle("GET "+src+"/jobs/{job}", auth(h.getReviewJob))
	mux.Handle("PUT "+src+"/jobs/{job}/criteria", auth(h.setReviewCriteria))
	mux.Handle("GET "+src+"/jobs/{job}/ranking", auth(h.reviewRanking))
	mux.Handle("GET "+src+"/jobs/{job}/move-targets", auth(h.reviewMoveTargets))
	mux.Handle("POST "+src+"/jobs/{job}/move", auth(h.reviewMove))
}

type fieldOut struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
	Default  string `json:"default,omitempty"`
	Help     string `json:"help,omitempty"`
}

func fieldsJSON(fs []ats.Field) []fieldOut {
	out := make([]fieldOut, 0, len(fs))
	for _, f := range fs {
		out = append(out, fieldOut{Key: f.Key, Label: f.Label, Required: f.Required, Default: f.Default, Help: f.Help})
	}
	return out
}

func (h *handler) reviewProviders(w http.ResponseWriter, r *http.Request) {
	type providerOut struct {
		Provider      string     `json:"provider"`
		Name          string     `json:"name"`
		Settings      []fieldOut `json:"settings"`
		Credentials   []fieldOut `json:"credentials"`
		PushesChanges bool       `json:"pushes_changes"`
	}
	var out []providerOut
	for _, p := range h.review.Providers() {
		out = append(out, providerOut{p.Provider, p.Name, fieldsJSON(p.Settings), fieldsJSON(p.Credentials), p.PushesChanges})
	}
	writeJSON(w, http.StatusOK, map[string]any{"providers": out})
}

type reviewSourceOut struct {
	ID            string                  `json:"id"`
	Provider      string                  `json:"provider"`
	Name          string                  `json:"name"`
	IntegrationID string                  `json:"integration_id,omitempty"`
	Settings      map[string]string       `json:"settings"`
	Status        core.ReviewSourceStatus `json:"status"`
	Problem       string                  `json:"problem,omitempty"`
	Subscribed    bool                    `json:"subscribed"`
	LastSyncAt    *time.Time              `json:"last_sync_at"`
	CreatedAt     time.Time               `json:"created_at"`
	Sync          *reviewSyncOut          `json:"sync,omitempty"`
}

type reviewSyncOut struct {
	ID         string               `json:"id"`
	Full       bool                 `json:"full"`
	State      core.ReviewSyncState `json:"state"`
	Since      *time.Time           `json:"since,omitempty"`
	JobsDone   int                  `json:"jobs_done"`
	JobsTotal  int                  `json:"jobs_total"`
	Applicants int                  `json:"applicants"`
	Pages      int                  `json:"pages"`
	// PagesPerMinute and ETASeconds estimate from the pages so far; absent
	// until there are some.
	PagesPerMinute float64    `json:"pages_per_minute,omitempty"`
	ETASeconds     *int64     `json:"eta_seconds,omitempty"`
	Error          string     `json:"error,omitempty"`
	StartedAt      time.Time  `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func reviewSourceJSON(rs core.ReviewSource) reviewSourceOut {
	return reviewSourceOut{ID: rs.ID, Provider: rs.Provider, Name: rs.Name, IntegrationID: rs.IntegrationID, Settings: rs.Settings,
		Status: rs.Status, Problem: rs.Problem, Subscribed: len(rs.Subscriptions) > 0, LastSyncAt: optTime(rs.LastSyncAt), CreatedAt: rs.CreatedAt}
}

func reviewSyncJSON(sy core.ReviewSync) *reviewSyncOut {
	p := review.ProgressOf(sy)
	out := &reviewSyncOut{ID: sy.ID, Full: sy.Full, State: sy.State, Since: optTime(sy.Since), JobsDone: sy.JobsDone, JobsTotal: sy.JobsTotal,
		Applicants: sy.Applicants, Pages: sy.Calls, PagesPerMinute: p.PagesPerMinute, Error: sy.Error, StartedAt: sy.StartedAt, FinishedAt: optTime(sy.FinishedAt)}
	if p.ETA > 0 {
		s := int64(p.ETA / time.Second)
		out.ETASeconds = &s
	}
	return out
}

func (h *handler) listReviewSources(w http.ResponseWriter, r *http.Request) {
	rss, err := h.review.Sources(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]reviewSourceOut, 0, len(rss))
	for _, rs := range rss {
		out = append(out, reviewSourceJSON(rs))
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}

func (h *handler) connectReviewSource(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Provider      string            `json:"provider"`
		Name          string            `json:"name"`
		IntegrationID string            `json:"integration_id"`
		Settings      map[string]string `json:"settings"`
		Credentials   map[string]string `json:"credentials"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	rs, err := h.review.Connect(r.Context(), actor(r), review.ConnectInput{Provider: in.Provider, Name: in.Name,
		IntegrationID: in.IntegrationID, Settings: in.Settings, Credentials: in.Credentials})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondReviewSource(w, r, http.StatusCreated, rs.ID)
}

func (h *handler) respondReviewSource(w http.ResponseWriter, r *http.Request, status int, id string) {
	rs, err := h.review.Source(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := reviewSourceJSON(rs)
	sy, err := h.review.LatestSync(r.Context(), actor(r), id)
	switch {
	case err == nil:
		out.Sync = reviewSyncJSON(sy)
	case !errors.Is(err, core.ErrNotFound):
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

func (h *handler) getReviewSource(w http.ResponseWriter, r *http.Request) {
	h.respondReviewSource(w, r, http.StatusOK, pathID(r))
}

func (h *handler) disconnectReviewSource(w http.ResponseWriter, r *http.Request) {
	if err := h.review.Disconnect(r.Context(), actor(r), pathID(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) reviewTestProspect(w http.ResponseWriter, r *http.Request) {
	p, err := h.review.SendTestProspect(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": p.ID, "first_name": p.FirstName, "last_name": p.LastName, "email": p.Email, "where": p.Where})
}

func (h *handler) rotateReviewKeys(w http.ResponseWriter, r *http.Request) {
	if err := h.review.RotateKeys(r.Context(), actor(r), pathID(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondReviewSource(w, r, http.StatusOK, pathID(r))
}

func (h *handler) syncReviewSource(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Full bool `json:"full"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	sy, err := h.review.StartSync(r.Context(), actor(r), pathID(r), in.Full)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, reviewSyncJSON(sy))
}

type reviewJobOut struct {
	ID            string         `json:"id"`
	Title         string         `json:"title"`
	RefNumber     string         `json:"ref_number,omitempty"`
	Status        string         `json:"status"`
	Open          bool           `json:"open"`
	Location      string         `json:"location,omitempty"`
	Department    string         `json:"department,omitempty"`
	RecruiterID   string         `json:"recruiter_id,omitempty"`
	RecruiterName string         `json:"recruiter_name,omitempty"`
	URL           string         `json:"url,omitempty"`
	Applicants    int            `json:"applicants"`
	SyncedAt      time.Time      `json:"synced_at"`
	Criteria      *rank.Criteria `json:"criteria,omitempty"`
}

func reviewJobJSON(j core.ReviewJob) reviewJobOut {
	return reviewJobOut{ID: j.ExternalID, Title: j.Title, RefNumber: j.RefNumber, Status: j.Status, Open: j.Open, Location: j.Location,
		Department: j.Department, RecruiterID: j.RecruiterID, RecruiterName: j.RecruiterName, URL: j.URL, Applicants: j.Applicants, SyncedAt: j.SyncedAt}
}

func (h *handler) listReviewJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	closed, _ := strconv.ParseBool(q.Get("closed"))
	jobs, err := h.review.Jobs(r.Context(), actor(r), pathID(r), store.ReviewJobFilter{Query: q.Get("q"), RecruiterID: q.Get("recruiter"), Closed: closed})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]reviewJobOut, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, reviewJobJSON(j))
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out})
}

func (h *handler) getReviewJob(w http.ResponseWriter, r *http.Request) {
	j, c, err := h.review.Job(r.Context(), actor(r), pathID(r), r.PathValue("job"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := reviewJobJSON(j)
	out.Criteria = &c
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) setReviewCriteria(w http.ResponseWriter, r *http.Request) {
	var c rank.Criteria
	if err := decode(r, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.review.SetCriteria(r.Context(), actor(r), pathID(r), r.PathValue("job"), c); err != nil {
		h.fail(w, r, err)
		return
	}
	h.getReviewJob(w, r)
}

type reviewApplicantOut struct {
	ID            string     `json:"id"`
	ApplicationID string     `json:"application_id,omitempty"`
	Name          string     `json:"name"`
	Email         string     `json:"email,omitempty"`
	Status        string     `json:"status"`
	AppliedAt     *time.Time `json:"applied_at,omitempty"`
	Move          *moveOut   `json:"move,omitempty"`
}

type moveOut struct {
	Target string    `json:"target"`
	Error  string    `json:"error,omitempty"`
	At     time.Time `json:"at"`
}

func reviewApplicantJSON(a core.ReviewApplicant) reviewApplicantOut {
	out := reviewApplicantOut{ID: a.ExternalID, ApplicationID: a.ApplicationID, Name: a.Name, Email: a.Email, Status: a.Status, AppliedAt: optTime(a.AppliedAt)}
	if a.MoveTarget != "" {
		out.Move = &moveOut{Target: a.MoveTarget, Error: a.MoveError, At: a.MovedAt}
	}
	return out
}

func (h *handler) reviewRanking(w http.ResponseWriter, r *http.Request) {
	rk, err := h.review.Rank(r.Context(), actor(r), pathID(r), r.PathValue("job"), nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type partOut struct {
		Kind    string  `json:"kind"`
		Label   string  `json:"label"`
		Field   string  `json:"field,omitempty"`
		Snippet string  `json:"snippet,omitempty"`
		Points  float64 `json:"points"`
	}
	type assessmentOut struct {
		Score   *float64 `json:"score"`
		Label   string   `json:"label,omitempty"`
		OrderID string   `json:"order_id"`
	}
	type rankedOut struct {
		Rank       int                `json:"rank"`
		Applicant  reviewApplicantOut `json:"applicant"`
		Score      float64            `json:"score"`
		Years      float64            `json:"years"`
		Degree     string             `json:"degree,omitempty"`
		Parts      []partOut          `json:"parts"`
		Assessment *assessmentOut     `json:"assessment,omitempty"`
	}
	type filteredOut struct {
		Applicant reviewApplicantOut `json:"applicant"`
		Reasons   []string           `json:"reasons"`
	}
	ranked := make([]rankedOut, 0, len(rk.Ranked))
	for i, ra := range rk.Ranked {
		o := rankedOut{Rank: i + 1, Applicant: reviewApplicantJSON(ra.Applicant), Score: points(ra.Score), Years: ra.Years, Degree: ra.Degree, Parts: []partOut{}}
		for _, p := range ra.Parts {
			o.Parts = append(o.Parts, partOut{p.Kind, p.Label, p.Field, p.Snippet, points(p.Points)})
		}
		if a := ra.Assessment; a != nil {
			o.Assessment = &assessmentOut{Score: a.Score, Label: a.Label, OrderID: ra.OrderID}
		}
		ranked = append(ranked, o)
	}
	filtered := make([]filteredOut, 0, len(rk.Filtered))
	for _, f := range rk.Filtered {
		filtered = append(filtered, filteredOut{reviewApplicantJSON(f.Applicant), f.Reasons})
	}
	writeJSON(w, http.StatusOK, map[string]any{"job": reviewJobJSON(rk.Job), "criteria": rk.Criteria, "ranked": ranked, "filtered": filtered})
}

// points shows milli-points as points.
func points(milli int64) float64 { return float64(milli) / 1000 }

func (h *handler) reviewMoveTargets(w http.ResponseWriter, r *http.Request) {
	ts, err := h.review.MoveTargets(r.Context(), actor(r), pathID(r), r.PathValue("job"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type targetOut struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	}
	out := make([]targetOut, 0, len(ts))
	for _, t := range ts {
		out = append(out, targetOut{t.ID, t.Label})
	}
	writeJSON(w, http.StatusOK, map[string]any{"targets": out})
}

func (h *handler) reviewMove(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ApplicantIDs []string `json:"applicant_ids"`
		Target       string   `json:"target"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	moved, err := h.review.Move(r.Context(), actor(r), pathID(r), r.PathValue("job"), in.ApplicantIDs, in.Target)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type movedOut struct {
		ApplicantID string `json:"applicant_id"`
		Moved       bool   `json:"moved"`
		Error       string `json:"error,omitempty"`
	}
	out := make([]movedOut, 0, len(moved))
	for _, m := range moved {
		out = append(out, movedOut{m.ApplicantID, m.Error == "", m.Error})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}
