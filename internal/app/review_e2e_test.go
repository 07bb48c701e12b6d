package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

// errorBody is the admin API's error answer.
type errorBody struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields"`
}

// reviewSource is a review source as the admin API shows it.
type reviewSource struct {
	ID         string `json:"id"`
	Provider   string `json:"provider"`
	Status     string `json:"status"`
	Problem    string `json:"problem"`
	Subscribed bool   `json:"subscribed"`
	LastSyncAt string `json:"last_sync_at"`
	Sync       *struct {
		State      string `json:"state"`
		Full       bool   `json:"full"`
		JobsDone   int    `json:"jobs_done"`
		JobsTotal  int    `json:"jobs_total"`
		Applicants int    `json:"applicants"`
		Error      string `json:"error"`
	} `json:"sync"`
}

type reviewRanking struct {
	Ranked []struct {
		Rank      int `json:"rank"`
		Applicant struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Status string `json:"status"`
			Move   *struct {
				Target string `json:"target"`
				Error  string `json:"error"`
			} `json:"move"`
		} `json:"applicant"`
		Score float64 `json:"score"`
		Years float64 `json:"years"`
		Parts []struct {
			Kind    string  `json:"kind"`
			Label   string  `json:"label"`
			Field   string  `json:"field"`
			Snippet string  `json:"snippet"`
			Points  float64 `json:"points"`
		} `json:"parts"`
		Assessment *struct {
			Score   *float64 `json:"score"`
			Label   string   `json:"label"`
			OrderID string   `json:"order_id"`
		} `json:"assessment"`
	} `json:"ranked"`
	Filtered []struct {
		Applicant struct {
			ID string `json:"id"`
		} `json:"applicant"`
		Reasons []string `json:"reasons"`
	} `json:"filtered"`
}

// srReviewWorld is a SmartRecruiters company with open jobs and applicants,
// and an API key for applicant review.
type srReviewWorld struct {
	sim                 *srsim.Server
	url                 string
	company             srsim.Company
	key                 string
	job                 sr.Job // open, 30 seeded applicants and three made ones
	second              sr.Job // open, 5 applicants
	filled              sr.Job // not open
	go6, rust3, barista string
}

func newSRReviewWorld(t *testing.T, e *apptest.Env, opts ...srsim.Option) *srReviewWorld {
	t.Helper()
	r := e.SetupSRReview(apptest.SRReviewOptions{Applicants: 33, SecondApplicants: 5, Sim: opts})
	return &srReviewWorld{sim: r.Sim, url: r.URL, company: r.Company, key: r.Key, job: r.Job, second: r.Second, filled: r.Filled,
		go6: r.GoDev, rust3: r.RustDev, barista: r.Barista}
}

// connect adds the company as a review source through the admin API, with
// the world's SmartRecruiters key or the one given.
func (w *srReviewWorld) connect(t *testing.T, e *apptest.Env, apiKey string, srKey ...string) reviewSource {
	t.Helper()
	var rs reviewSource
	e.MustAPI(http.StatusCreated, apiKey, "POST", "/review/sources", map[string]any{
		"provider": "smartrecruiters", "credentials": map[string]string{"api_key": append(srKey, w.key)[0]}, "settings": map[string]string{"base_url": w.url},
	}, &rs)
	return rs
}

// TestReviewSmartRecruiters walks applicant review on SmartRecruiters with
// an API key: connecting verifies the key and subscribes both webhooks
// (activated by the real handshake); the first sync brings the open jobs
// and every applicant; the qualifications filter and rank them with
// reasons, identically on SQLite and PostgreSQL; a move lands in
// SmartRecruiters and a refusal shows on the row; a deleted candidate and
// a closed job arrive by webhook; a forged notification changes nothing;
// disconnecting deletes the subscriptions and the data.
func TestReviewSmartRecruiters(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		key := e.CreateAccount("Acme Robotics", "admin@acme.example")
		// The request rate is held in the connector's own tests, on a clock
		// of its own (synctest); here the sync's concurrent reads share the
		// environment's fake clock, which would count their waits twice.
		// What stays enforced is what no clock decides: 8 in flight and one
		// GET /candidates at a time.
		w := newSRReviewWorld(t, e, srsim.WithRateLimit(1000, 1000))

		// A key SmartRecruiters refuses stores nothing.
		var bad errorBody
		if st := e.API(key, "POST", "/review/sources", map[string]any{"provider": "smartrecruiters",
			"credentials": map[string]string{"api_key": "wrong"}, "settings": map[string]string{"base_url": w.url}}, &bad); st != http.StatusUnprocessableEntity ||
			!strings.Contains(bad.Error, "SmartRecruiters refused the connection: 401") || strings.Count(bad.Error, "smartrecruiters") > 0 {
			t.Fatalf("a wrong key: %d %+v", st, bad)
		}

		rs := w.connect(t, e, key)
		if !rs.Subscribed || rs.Status != "active" {
			t.Fatalf("connected source %+v, want active and subscribed", rs)
		}
		subs := w.sim.Subscriptions(w.company.ID)
		if len(subs) != 2 || !subs[0].Active || !subs[1].Active {
			t.Fatalf("SmartRecruiters' subscriptions %+v, want two active", subs)
		}
		e.WaitIdle()
		e.MustAPI(http.StatusOK, key, "GET", "/review/sources/"+rs.ID, nil, &rs)
		if rs.Sync == nil || rs.Sync.State != "done" || !rs.Sync.Full || rs.Sync.JobsTotal != 2 || rs.Sync.JobsDone != 2 || rs.Sync.Applicants != 38 || rs.LastSyncAt == "" {
			t.Fatalf("after the first sync: %+v %+v", rs, rs.Sync)
		}
		var jobs struct {
			Jobs []struct {
				ID         string `json:"id"`
				Title      string `json:"title"`
				Applicants int    `json:"applicants"`
			} `json:"jobs"`
		}
		// SmartRecruiters refused nothing: never over 8 in flight, never two
		// GET /candidates at once.
		if n := w.sim.ThrottledCount(); n != 0 {
			t.Errorf("the sync was throttled %d times", n)
		}
		e.MustAPI(http.StatusOK, key, "GET", "/review/sources/"+rs.ID+"/jobs", nil, &jobs)
		if len(jobs.Jobs) != 2 {
			t.Fatalf("open jobs %+v, want the two open ones", jobs.Jobs)
		}
		e.MustAPI(http.StatusOK, key, "GET", "/review/sources/"+rs.ID+"/jobs?q=ENG-7", nil, &jobs)
		if len(jobs.Jobs) != 1 || jobs.Jobs[0].ID != string(w.job.ID) || jobs.Jobs[0].Applicants != 33 {
			t.Fatalf("jobs matching ENG-7: %+v", jobs.Jobs)
		}

		// A test prospect lands in the talent pool, outside every job.
		var prospect struct{ ID, Email, Where string }
		e.MustAPI(http.StatusCreated, key, "POST", "/review/sources/"+rs.ID+"/test-prospect", nil, &prospect)
		pool := w.sim.TalentPool(w.company.ID)
		if len(pool) != 1 || string(pool[0].ID) != prospect.ID || pool[0].Email != prospect.Email || !strings.Contains(prospect.Where, prospect.ID) {
			t.Fatalf("test prospect %+v; SmartRecruiters' talent pool %+v", prospect, pool)
		}

		// Qualifications: invalid ones change nothing; valid ones rank.
		jobPath := "/review/sources/" + rs.ID + "/jobs/" + string(w.job.ID)
		var inv errorBody
		if st := e.API(key, "PUT", jobPath+"/criteria", map[string]any{"required": []string{"go, "}, "degree": "wizard"}, &inv); st != http.StatusUnprocessableEntity {
			t.Fatalf("invalid criteria: %d %+v", st, inv)
		}
		e.MustAPI(http.StatusOK, key, "PUT", jobPath+"/criteria", map[string]any{
			"required": []string{"Go | Rust"}, "preferred": []string{"kubernetes"}, "min_years": 2, "degree": "bachelor",
		}, nil)
		var rk reviewRanking
		e.MustAPI(http.StatusOK, key, "GET", jobPath+"/ranking", nil, &rk)
		pos := map[string]int{}
		for i, r := range rk.Ranked {
			pos[r.Applicant.ID] = i + 1
			var sum float64
			for _, p := range r.Parts {
				sum += p.Points
			}
			if d := sum - r.Score; d > 0.0015 || d < -0.0015 || r.Rank != i+1 {
				t.Errorf("%s: parts sum to %v, score %v, rank %d", r.Applicant.ID, sum, r.Score, r.Rank)
			}
			if i > 0 && rk.Ranked[i-1].Score < r.Score {
				t.Errorf("rank %d scores %v above rank %d's %v", i+1, r.Score, i, rk.Ranked[i-1].Score)
			}
		}
		if pos[w.go6] == 0 || pos[w.rust3] == 0 || pos[w.go6] > pos[w.rust3] {
			t.Fatalf("the Go developer at %d, the Rust engineer at %d: want both ranked, Go (preferred Kubernetes, 6 years) first", pos[w.go6], pos[w.rust3])
		}
		top := rk.Ranked[pos[w.go6]-1]
		if top.Years < 5.9 || top.Years > 6.1 || !slices.ContainsFunc(top.Parts, func(p struct {
			Kind    string  `json:"kind"`
			Label   string  `json:"label"`
			Field   string  `json:"field"`
			Snippet string  `json:"snippet"`
			Points  float64 `json:"points"`
		}) bool {
			return p.Kind == "preferred" && strings.Contains(strings.ToLower(p.Snippet), "kubernetes")
		}) {
			t.Errorf("the Go developer: %v years, parts %+v; want 6 years and the matched Kubernetes shown", top.Years, top.Parts)
		}
		i := slices.IndexFunc(rk.Filtered, func(f struct {
			Applicant struct {
				ID string `json:"id"`
			} `json:"applicant"`
			Reasons []string `json:"reasons"`
		}) bool {
			return f.Applicant.ID == w.barista
		})
		if i < 0 || !strings.Contains(strings.Join(rk.Filtered[i].Reasons, "; "), "Go") {
			t.Fatalf("the barista: filtered %v, want filtered out for lacking Go or Rust", rk.Filtered)
		}
		if len(rk.Ranked)+len(rk.Filtered) != 33 {
			t.Errorf("%d ranked and %d filtered of 33 applicants", len(rk.Ranked), len(rk.Filtered))
		}
		// Move: one lands, a refusal shows on its row.
		if err := w.sim.RequireSubStatus(w.company.ID, sr.CandidateInterview); err != nil {
			t.Fatal(err)
		}
		var moved struct {
			Results []struct {
				ApplicantID string `json:"applicant_id"`
				Moved       bool   `json:"moved"`
				Error       string `json:"error"`
			} `json:"results"`
		}
		e.MustAPI(http.StatusOK, key, "POST", jobPath+"/move", map[string]any{"applicant_ids": []string{w.go6}, "target": "IN_REVIEW"}, &moved)
		if len(moved.Results) != 1 || !moved.Results[0].Moved {
			t.Fatalf("move: %+v", moved)
		}
		if st, ok := w.sim.ApplicantState(w.company.ID, w.go6, string(w.job.ID)); !ok || st.Status != sr.CandidateInReview {
			t.Fatalf("SmartRecruiters has %+v, want IN_REVIEW", st)
		}
		e.MustAPI(http.StatusOK, key, "GET", jobPath+"/ranking", nil, &rk)
		for _, r := range rk.Ranked {
			if r.Applicant.ID == w.go6 && r.Applicant.Status != string(sr.CandidateInReview) {
				t.Errorf("the moved applicant's row shows status %q, want IN_REVIEW as SmartRecruiters now has it", r.Applicant.Status)
			}
		}
		e.MustAPI(http.StatusOK, key, "POST", jobPath+"/move", map[string]any{"applicant_ids": []string{w.rust3}, "target": "INTERVIEW"}, &moved)
		if len(moved.Results) != 1 || moved.Results[0].Moved || !strings.Contains(moved.Results[0].Error, "SmartRecruiters refused") {
			t.Fatalf("a move SmartRecruiters refuses: %+v", moved)
		}
		e.MustAPI(http.StatusOK, key, "GET", jobPath+"/ranking", nil, &rk)
		for _, r := range rk.Ranked {
			if r.Applicant.ID == w.rust3 && (r.Applicant.Move == nil || r.Applicant.Move.Error == "") {
				t.Errorf("the refused move is not on the row: %+v", r.Applicant.Move)
			}
		}

		// Webhooks: a deleted candidate goes, a closed job leaves the list.
		ds, err := w.sim.DeleteCandidate(context.Background(), w.company.ID, w.go6)
		if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusAccepted {
			t.Fatalf("candidate.deleted delivered: %+v %v", ds, err)
		}
		// A redelivery is answered the same and changes nothing more.
		if st := redeliver(t, ds[0]); st != http.StatusAccepted {
			t.Errorf("a redelivery answered %d", st)
		}
		forged := ds[0]
		forged.Body = bytes.Replace(forged.Body, []byte(w.go6), []byte(w.rust3), 1)
		if st := redeliver(t, forged); st < 400 {
			t.Errorf("a notification changed after signing answered %d", st)
		}
		// After a key rotation both the new key and the old one verify.
		e.MustAPI(http.StatusOK, key, "POST", "/review/sources/"+rs.ID+"/rotate-keys", nil, nil)
		if subs := w.sim.Subscriptions(w.company.ID); len(subs) != 2 || len(subs[0].LiveKeys) != 2 {
			t.Fatalf("after rotating, subscriptions %+v, want two live keys each", subs)
		}
		if st := redeliver(t, ds[0]); st != http.StatusAccepted {
			t.Errorf("a notification signed with the rotated-out key answered %d", st)
		}
		ds, err = w.sim.SetJobStatus(context.Background(), w.company.ID, string(w.second.ID), "CANCELLED")
		if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusAccepted {
			t.Fatalf("job.status.updated delivered: %+v %v", ds, err)
		}
		e.WaitIdle()
		e.MustAPI(http.StatusOK, key, "GET", jobPath+"/ranking", nil, &rk)
		for _, r := range rk.Ranked {
			if r.Applicant.ID == w.go6 {
				t.Error("the deleted candidate is still ranked")
			}
			if r.Applicant.ID == w.rust3 && r.Applicant.Move == nil {
				t.Error("the forged notification deleted another candidate")
			}
		}
		e.MustAPI(http.StatusOK, key, "GET", "/review/sources/"+rs.ID+"/jobs", nil, &jobs)
		if len(jobs.Jobs) != 1 || jobs.Jobs[0].ID != string(w.job.ID) {
			t.Errorf("after the job was cancelled, open jobs %+v", jobs.Jobs)
		}

		// Disconnect: the subscriptions and the synced data go.
		e.MustAPI(http.StatusNoContent, key, "DELETE", "/review/sources/"+rs.ID, nil, nil)
		if subs := w.sim.Subscriptions(w.company.ID); len(subs) != 0 {
			t.Errorf("subscriptions left in SmartRecruiters: %+v", subs)
		}
		e.MustAPI(http.StatusNotFound, key, "GET", jobPath+"/ranking", nil, nil)
		// Connecting again works: nothing of the old source is left.
		w.connect(t, e, key)
	})
}

// TestReviewRankingSameOnBothDatabases: one SmartRecruiters company
// reviewed by a Switchboard on SQLite and one on PostgreSQL gives the same
// ranking, score for score, and the same filtered applicants.
func TestReviewRankingSameOnBothDatabases(t *testing.T) {
	t.Parallel()
	lite := apptest.New(t, apptest.Options{Dialect: "sqlite"})
	pg := apptest.New(t, apptest.Options{Dialect: "postgres"})
	// The simulator keeps one clock, lite's; pg's client paces by its own,
	// so SmartRecruiters' rate is raised here rather than pg refused.
	w := newSRReviewWorld(t, lite, srsim.WithRateLimit(1000, 1000))
	var got [2]string
	for i, e := range []*apptest.Env{lite, pg} {
		key := e.CreateAccount("Acme Robotics", "admin@acme.example")
		// A key of its own: two deployments do not share one budget.
		srKey, err := w.sim.IssueAPIKey(w.company.ID)
		if err != nil {
			t.Fatal(err)
		}
		rs := w.connect(t, e, key, srKey)
		e.WaitIdle()
		e.MustAPI(http.StatusOK, key, "GET", "/review/sources/"+rs.ID, nil, &rs)
		if rs.Sync == nil || rs.Sync.State != "done" {
			t.Fatalf("env %d: the sync %+v of %+v did not finish", i, rs.Sync, rs)
		}
		jobPath := "/review/sources/" + rs.ID + "/jobs/" + string(w.job.ID)
		e.MustAPI(http.StatusOK, key, "PUT", jobPath+"/criteria", map[string]any{
			"required": []string{"go, rust, python, typescript"}, "preferred": []string{"kubernetes | terraform", "\"site reliability\""}, "min_years": 1,
		}, nil)
		var rk reviewRanking
		e.MustAPI(http.StatusOK, key, "GET", jobPath+"/ranking", nil, &rk)
		var b strings.Builder
		for _, r := range rk.Ranked {
			b.WriteString(r.Applicant.ID + "=" + num(r.Score) + " ")
		}
		b.WriteString("| filtered:")
		for _, f := range rk.Filtered {
			b.WriteString(" " + f.Applicant.ID + " " + strings.Join(f.Reasons, ";"))
		}
		if len(rk.Ranked) < 5 || len(rk.Filtered) == 0 {
			t.Fatalf("%d ranked, %d filtered: the data does not tell the databases apart", len(rk.Ranked), len(rk.Filtered))
		}
		got[i] = b.String()
	}
	if got[0] != got[1] {
		t.Errorf("the ranking differs:\nsqlite   %s\npostgres %s", got[0], got[1])
	}
}

// redeliver posts a delivery again as SmartRecruiters would, with its
// headers, and returns the status answered.
func redeliver(t *testing.T, d srsim.Delivery) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = d.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func num(f float64) string { b, _ := json.Marshal(f); return string(b) }
