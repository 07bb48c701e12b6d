package storetest

import (
	"testing"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// ---- review fixtures ----

func newReviewSource(t *testing.T, q store.Queries, accountID, provider string) core.ReviewSource {
	t.Helper()
	r := core.ReviewSource{
		ID: core.NewID("rsrc"), AccountID: accountID, Provider: provider, Name: provider + " review",
		Settings: map[string]string{"base_url": "https://api." + provider + ".example"}, Credentials: []byte("sealed"),
		HookToken: core.NewID("hook"), Status: core.ReviewSourceActive, CreatedAt: at(1), UpdatedAt: at(1), Version: 1,
	}
	ok(t, q.CreateReviewSource(t.Context(), r), "create review source")
	return r
}

func reviewJob(sourceID, id, title string, synced int) core.ReviewJob {
	return core.ReviewJob{
		SourceID: sourceID, ExternalID: id, Title: title, RefNumber: "REF-" + id, Status: "SOURCING", Open: true,
		Location: "Berlin", Department: "Engineering", RecruiterID: "u1", RecruiterName: "Rita Recruiter",
		URL: "https://ats.example/jobs/" + id, ATSUpdatedAt: at(2), SyncedAt: at(synced),
	}
}

func reviewApplicant(sourceID, jobID, id string, synced int) core.ReviewApplicant {
	return core.ReviewApplicant{
		SourceID: sourceID, JobID: jobID, ExternalID: id, ApplicationID: "app-" + id, Name: "Applicant " + id,
		Email: id + "@example.com", Status: "NEW", AppliedAt: at(3), ATSUpdatedAt: at(4), SyncedAt: at(synced),
		Profile: []byte(`{"skills":["go","“sql”"]}`),
	}
}

// ---- review ----

func testReviewSources(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newAccount(t, s, "acme")
	in := newIntegration(t, s, a.ID, "smartrecruiters")
	src := core.ReviewSource{
		ID: core.NewID("rsrc"), AccountID: a.ID, Provider: "smartrecruiters", Name: "SmartRecruiters",
		IntegrationID: in.ID, Subscriptions: []byte{0, 1, 0xff}, // no settings of its own
		HookToken: "hook_1", Status: core.ReviewSourceActive, CreatedAt: at(1), UpdatedAt: at(1), Version: 1,
	}
	ok(t, s.CreateReviewSource(ctx, src), "create")
	got, err := s.GetReviewSource(ctx, src.ID)
	ok(t, err, "get")
	equal(t, "source", got, src)
	got, err = s.GetReviewSourceByHookToken(ctx, "hook_1")
	ok(t, err, "get by hook token")
	equal(t, "source by hook token", got, src)
	_, err = s.GetReviewSourceByHookToken(ctx, "hook_other")
	isErr(t, err, core.ErrNotFound, "unknown hook token")

	dup := src
	dup.ID, dup.HookToken = core.NewID("rsrc"), "hook_2"
	isErr(t, s.CreateReviewSource(ctx, dup), core.ErrConflict, "second source of one provider")

	src.Status, src.Problem, src.LastSyncAt, src.UpdatedAt = core.ReviewSourceFailing, "the key was refused", at(9), at(9)
	src.Subscriptions = nil
	ok(t, s.UpdateReviewSource(ctx, src), "update")
	src.Version++
	got, err = s.GetReviewSource(ctx, src.ID)
	ok(t, err, "get updated")
	equal(t, "updated source", got, src)
	stale := src
	stale.Version--
	isErr(t, s.UpdateReviewSource(ctx, stale), core.ErrStale, "stale update")

	list, err := s.ListReviewSources(ctx, a.ID)
	ok(t, err, "list")
	equal(t, "sources", idsOf(list, func(r core.ReviewSource) string { return r.ID }), []string{src.ID})
	other, err := s.ListReviewSources(ctx, newAccount(t, s, "other").ID)
	ok(t, err, "list other account")
	equal(t, "other account's sources", len(other), 0)

	// Deleting the source deletes everything synced from it.
	ok(t, s.UpsertReviewJobs(ctx, []core.ReviewJob{reviewJob(src.ID, "j1", "Engineer", 5)}), "upsert job")
	ok(t, s.UpsertReviewApplicants(ctx, []core.ReviewApplicant{reviewApplicant(src.ID, "j1", "c1", 5)}), "upsert applicant")
	ok(t, s.CreateReviewSync(ctx, core.ReviewSync{ID: core.NewID("rsync"), SourceID: src.ID, State: core.ReviewSyncRunning,
		StartedAt: at(5), UpdatedAt: at(5)}), "create sync")
	_, err = s.RecordReviewChange(ctx, core.ReviewChange{SourceID: src.ID, DedupeKey: "e1", Kind: "applicant_deleted", ReceivedAt: at(6)})
	ok(t, err, "record change")
	ok(t, s.DeleteReviewSource(ctx, src.ID), "delete")
	_, err = s.GetReviewJob(ctx, src.ID, "j1")
	isErr(t, err, core.ErrNotFound, "job of a deleted source")
	apps, err := s.ListReviewApplicants(ctx, src.ID, "j1")
	ok(t, err, "list applicants of a deleted source")
	equal(t, "applicants of a deleted source", len(apps), 0)
	_, err = s.LatestReviewSync(ctx, src.ID)
	isErr(t, err, core.ErrNotFound, "sync of a deleted source")
	isErr(t, s.DeleteReviewSource(ctx, src.ID), core.ErrNotFound, "delete twice")
	// With the source gone its provider may be connected again.
	dup.ID = core.NewID("rsrc")
	ok(t, s.CreateReviewSource(ctx, dup), "create again after delete")
}

func testReviewJobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newAccount(t, s, "acme")
	src := newReviewSource(t, s, a.ID, "smartrecruiters")
	other := newReviewSource(t, s, newAccount(t, s, "other").ID, "smartrecruiters")
	b := reviewJob(src.ID, "j2", "backend Engineer", 5)
	b.RecruiterID = "u2"
	jobs := []core.ReviewJob{reviewJob(src.ID, "j1", "Data Scientist", 5), b, reviewJob(src.ID, "j3", "Änalyst", 5)}
	ok(t, s.UpsertReviewJobs(ctx, jobs), "upsert")
	ok(t, s.UpsertReviewJobs(ctx, []core.ReviewJob{reviewJob(other.ID, "j1", "Other's job", 5)}), "upsert other's")
	ok(t, s.UpsertReviewApplicants(ctx, []core.ReviewApplicant{
		reviewApplicant(src.ID, "j1", "c1", 5), reviewApplicant(src.ID, "j1", "c2", 5), reviewApplicant(src.ID, "j2", "c1", 5),
	}), "upsert applicants")

	got, err := s.GetReviewJob(ctx, src.ID, "j1")
	ok(t, err, "get")
	want := jobs[0]
	want.Applicants = 2
	equal(t, "job", got, want)

	// Criteria survive a sync's upsert.
	ok(t, s.SetReviewJobCriteria(ctx, src.ID, "j1", []byte(`{"required":["go"]}`), at(6)), "set criteria")
	resynced := reviewJob(src.ID, "j1", "Data Scientist II", 8)
	ok(t, s.UpsertReviewJobs(ctx, []core.ReviewJob{resynced}), "resync")
	got, err = s.GetReviewJob(ctx, src.ID, "j1")
	ok(t, err, "get resynced")
	equal(t, "title", got.Title, "Data Scientist II")
	equal(t, "criteria", string(got.Criteria), `{"required":["go"]}`)
	equal(t, "criteria at", got.CriteriaUpdatedAt, at(6))
	isErr(t, s.SetReviewJobCriteria(ctx, src.ID, "j9", []byte(`{}`), at(6)), core.ErrNotFound, "criteria of a missing job")

	jobIDs := func(f store.ReviewJobFilter) []string {
		t.Helper()
		l, err := s.ListReviewJobs(ctx, src.ID, f)
		ok(t, err, "list %+v", f)
		return idsOf(l, func(j core.ReviewJob) string { return j.ExternalID })
	}
	// By folded title (in code point order, the same on both dialects), then id.
	equal(t, "all", jobIDs(store.ReviewJobFilter{}), []string{"j2", "j1", "j3"})
	equal(t, "title search", jobIDs(store.ReviewJobFilter{Query: "ENGINEER"}), []string{"j2"})
	equal(t, "unicode title search", jobIDs(store.ReviewJobFilter{Query: "äNAL"}), []string{"j3"})
	equal(t, "id search", jobIDs(store.ReviewJobFilter{Query: "j1"}), []string{"j1"})
	equal(t, "ref search", jobIDs(store.ReviewJobFilter{Query: "ref-j3"}), []string{"j3"})
	equal(t, "wildcards are literal", jobIDs(store.ReviewJobFilter{Query: "%"}), []string{})
	equal(t, "NUL matches nothing", jobIDs(store.ReviewJobFilter{Query: "a\x00"}), []string{})
	equal(t, "recruiter", jobIDs(store.ReviewJobFilter{RecruiterID: "u2"}), []string{"j2"})

	// A full sync that began at 7 saw j1 again (synced at 8), not the others.
	n, err := s.CloseReviewJobsSyncedBefore(ctx, src.ID, at(7))
	ok(t, err, "close")
	equal(t, "closed", n, 2)
	equal(t, "open after close", jobIDs(store.ReviewJobFilter{}), []string{"j1"})
	equal(t, "closed listed on demand", jobIDs(store.ReviewJobFilter{Closed: true}), []string{"j2", "j1", "j3"})
	l, err := s.ListReviewJobs(ctx, other.ID, store.ReviewJobFilter{})
	ok(t, err, "list other's")
	equal(t, "other's jobs untouched", len(l), 1)
}

func testReviewApplicants(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newAccount(t, s, "acme")
	src := newReviewSource(t, s, a.ID, "smartrecruiters")
	ok(t, s.UpsertReviewJobs(ctx, []core.ReviewJob{reviewJob(src.ID, "j1", "A", 5), reviewJob(src.ID, "j2", "B", 5)}), "jobs")
	c1, c2, c3 := reviewApplicant(src.ID, "j1", "c1", 5), reviewApplicant(src.ID, "j1", "c2", 5), reviewApplicant(src.ID, "j2", "c1", 5)
	ok(t, s.UpsertReviewApplicants(ctx, []core.ReviewApplicant{c2, c1, c3}), "upsert")
	if err := s.UpsertReviewApplicants(ctx, []core.ReviewApplicant{reviewApplicant(src.ID, "j9", "c1", 5)}); err == nil {
		t.Fatal("an applicant of a job never synced was stored")
	}

	got, err := s.GetReviewApplicant(ctx, src.ID, "j1", "c1")
	ok(t, err, "get")
	equal(t, "applicant", got, c1)
	list, err := s.ListReviewApplicants(ctx, src.ID, "j1")
	ok(t, err, "list")
	equal(t, "by id", idsOf(list, func(a core.ReviewApplicant) string { return a.ExternalID }), []string{"c1", "c2"})

	// A move is recorded and survives the next sync.
	ok(t, s.SetReviewApplicantMove(ctx, src.ID, "j1", "c1", "IN_REVIEW", "", at(6)), "move")
	isErr(t, s.SetReviewApplicantMove(ctx, src.ID, "j1", "c9", "IN_REVIEW", "", at(6)), core.ErrNotFound, "move of a missing applicant")
	again := c1
	again.Status, again.SyncedAt = "IN_REVIEW", at(8)
	ok(t, s.UpsertReviewApplicants(ctx, []core.ReviewApplicant{again}), "resync")
	got, err = s.GetReviewApplicant(ctx, src.ID, "j1", "c1")
	ok(t, err, "get resynced")
	again.MoveTarget, again.MovedAt = "IN_REVIEW", at(6)
	equal(t, "resynced applicant", got, again)

	// A full sync of j1 begun at 7 saw c1 (synced at 8), not c2.
	n, err := s.DeleteReviewApplicantsSyncedBefore(ctx, src.ID, "j1", at(7))
	ok(t, err, "delete stale")
	equal(t, "stale deleted", n, 1)
	// candidate.deleted removes the candidate from every job.
	n, err = s.DeleteReviewCandidate(ctx, src.ID, "c1")
	ok(t, err, "delete candidate")
	equal(t, "applications deleted", n, 2)
	for _, j := range []string{"j1", "j2"} {
		list, err := s.ListReviewApplicants(ctx, src.ID, j)
		ok(t, err, "list %s", j)
		equal(t, "applicants of "+j, len(list), 0)
	}
}

func testReviewSyncs(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := newReviewSource(t, s, newAccount(t, s, "acme").ID, "smartrecruiters")
	first := core.ReviewSync{ID: core.NewID("rsync"), SourceID: src.ID, Full: true, State: core.ReviewSyncDone,
		StartedAt: at(1), UpdatedAt: at(2), FinishedAt: at(2)}
	ok(t, s.CreateReviewSync(ctx, first), "create first")
	sy := core.ReviewSync{ID: core.NewID("rsync"), SourceID: src.ID, Since: at(1), State: core.ReviewSyncRunning,
		Cursor: []byte(`{"phase":"jobs"}`), StartedAt: at(5), UpdatedAt: at(5)}
	ok(t, s.CreateReviewSync(ctx, sy), "create")
	got, err := s.LatestReviewSync(ctx, src.ID)
	ok(t, err, "latest")
	equal(t, "latest", got, sy)

	sy.Step, sy.Cursor, sy.JobsTotal, sy.JobsDone, sy.Applicants, sy.Calls, sy.UpdatedAt = 1, []byte(`{"job":1}`), 3, 1, 100, 2, at(6)
	ok(t, s.AdvanceReviewSync(ctx, sy), "advance to 1")
	isErr(t, s.AdvanceReviewSync(ctx, sy), core.ErrConflict, "step 1 taken twice")
	sy.Step, sy.State, sy.FinishedAt, sy.Error = 2, core.ReviewSyncFailed, at(7), "the key was refused"
	ok(t, s.AdvanceReviewSync(ctx, sy), "advance to 2")
	got, err = s.GetReviewSync(ctx, sy.ID)
	ok(t, err, "get")
	equal(t, "advanced", got, sy)
	_, err = s.GetReviewSync(ctx, "rsync_missing")
	isErr(t, err, core.ErrNotFound, "missing sync")
}

func testReviewChanges(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := newReviewSource(t, s, newAccount(t, s, "acme").ID, "smartrecruiters")
	c := core.ReviewChange{SourceID: src.ID, DedupeKey: "evt-1", Kind: "job_status", JobID: "j1", ReceivedAt: at(1)}
	created, err := s.RecordReviewChange(ctx, c)
	ok(t, err, "record")
	equal(t, "created", created, true)
	created, err = s.RecordReviewChange(ctx, c)
	ok(t, err, "record again")
	equal(t, "created again", created, false)
	ok(t, s.MarkReviewChangeProcessed(ctx, src.ID, "evt-1", at(2)), "processed")
	isErr(t, s.MarkReviewChangeProcessed(ctx, src.ID, "evt-2", at(2)), core.ErrNotFound, "unknown change")
}

func testCandidateResults(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme") // a Lever integration
	done := func(w world, n int, score float64) core.Order {
		t.Helper()
		o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(n))
		o.State, o.UpdatedAt = core.StateCompleted, at(n+1)
		ok(t, s.UpdateOrder(ctx, o), "complete order")
		ok(t, s.SaveResult(ctx, core.Result{OrderID: o.ID, Score: &core.Score{Value: score, Max: 100}, Label: "Good fit"}), "result")
		return o
	}
	old := done(w, 10, 40)
	newer := done(w, 20, 80)
	newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(30)) // not completed: no result
	other := newWorld(t, s, "other")
	done(other, 10, 99)

	got, err := s.ListCandidateResults(ctx, w.account.ID, "lever", []string{w.candidate.ExternalID, other.candidate.ExternalID, "nobody"})
	ok(t, err, "list")
	equal(t, "orders, newest first, this account's only", idsOf(got, func(r store.CandidateResult) string { return r.OrderID }),
		[]string{newer.ID, old.ID})
	equal(t, "candidate", got[0].ExternalID, w.candidate.ExternalID)
	equal(t, "score", got[0].Result.Score.Value, 80.0)
	equal(t, "completed at", got[0].CompletedAt, at(21))
	got, err = s.ListCandidateResults(ctx, w.account.ID, "smartrecruiters", []string{w.candidate.ExternalID})
	ok(t, err, "list other provider")
	equal(t, "another provider's", len(got), 0)
}

func testReviewRankStamp(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme") // a Lever integration
	src := newReviewSource(t, s, w.account.ID, "lever")
	stamp := func(what string) store.ReviewStamp {
		t.Helper()
		st, err := s.ReviewRankStamp(ctx, src.ID, "j1", w.account.ID, "lever")
		ok(t, err, "stamp %s", what)
		return st
	}
	equal(t, "nothing yet", stamp("empty"), store.ReviewStamp{})
	ok(t, s.UpsertReviewJobs(ctx, []core.ReviewJob{reviewJob(src.ID, "j1", "A", 5)}), "jobs")
	ok(t, s.UpsertReviewApplicants(ctx, []core.ReviewApplicant{reviewApplicant(src.ID, "j1", "c1", 5), reviewApplicant(src.ID, "j1", "c2", 6)}), "upsert")
	equal(t, "synced", stamp("synced"), store.ReviewStamp{Applicants: 2, SyncedAt: at(6)})
	ok(t, s.SetReviewApplicantMove(ctx, src.ID, "j1", "c1", "IN_REVIEW", "", at(7)), "move")
	equal(t, "moved", stamp("moved").MovedAt, at(7))
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(8))
	equal(t, "an order", stamp("order").ResultsAt, o.UpdatedAt)
	_, err := s.DeleteReviewCandidate(ctx, src.ID, "c2")
	ok(t, err, "delete")
	equal(t, "deleted", stamp("deleted").Applicants, 1)
}
