package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
	"switchboard/internal/store/sqlite"
)

// fakeATS is an applicant source with pages of two applicants, whose
// calls can be made to fail.
type fakeATS struct {
	mu    sync.Mutex
	jobs  []ats.Job
	apps  map[string][]ats.Applicant // by job
	calls int
	fail  []error // returned by the next calls, in order
}

func (f *fakeATS) Provider() string { return "fake" }
func (f *fakeATS) Describe() ats.Description {
	return ats.Description{Name: "FakeATS"}
}
func (f *fakeATS) Validate(context.Context, ats.Config) []ats.Check { return nil }
func (f *fakeATS) WriteBack(context.Context, ats.Config, ats.Update, ats.Steps) error {
	return nil
}
func (f *fakeATS) SourceFields() (settings, credentials []ats.Field) {
	return nil, []ats.Field{{Key: "api_key", Label: "API key", Required: true}}
}
func (f *fakeATS) VerifySource(_ context.Context, cfg ats.Config) error {
	if cfg.Secrets["api_key"] != "good" {
		return errors.New("401: the key is wrong")
	}
	return nil
}

func (f *fakeATS) call() error {
	f.calls++
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		return err
	}
	return nil
}

// page cuts items into pages of two, the cursor being the index.
func page[T any](items []T, cursor string) ([]T, string) {
	i := 0
	if cursor != "" {
		fmt.Sscan(cursor, &i)
	}
	end := min(i+2, len(items))
	next := ""
	if end < len(items) {
		next = fmt.Sprint(end)
	}
	return slices.Clone(items[i:end]), next
}

func (f *fakeATS) ListOpenJobs(_ context.Context, _ ats.Config, cursor string) (ats.JobPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(); err != nil {
		return ats.JobPage{}, err
	}
	var open []ats.Job
	for _, j := range f.jobs {
		if j.Open {
			open = append(open, j)
		}
	}
	js, next := page(open, cursor)
	return ats.JobPage{Jobs: js, Next: next}, nil
}

func (f *fakeATS) GetJob(_ context.Context, _ ats.Config, id string) (ats.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, j := range f.jobs {
		if j.ExternalID == id {
			return j, nil
		}
	}
	return ats.Job{}, ats.ErrNotFound
}

func (f *fakeATS) ListApplicants(_ context.Context, _ ats.Config, q ats.ApplicantQuery) (ats.ApplicantPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(); err != nil {
		return ats.ApplicantPage{}, err
	}
	var sel []ats.Applicant
	for _, a := range f.apps[q.JobID] {
		if q.UpdatedAfter.IsZero() || !a.UpdatedAt.Before(q.UpdatedAfter) {
			sel = append(sel, a)
		}
	}
	as, next := page(sel, q.Cursor)
	return ats.ApplicantPage{Applicants: as, Next: next}, nil
}

func (f *fakeATS) GetApplicant(context.Context, ats.Config, string, string) (ats.Applicant, error) {
	return ats.Applicant{}, ats.ErrNotFound
}
func (f *fakeATS) MoveTargets(context.Context, ats.Config, string) ([]ats.MoveTarget, error) {
	return nil, nil
}
func (f *fakeATS) MoveApplicant(context.Context, ats.Config, string, string, string) error {
	return nil
}

// jobs records what was enqueued; run works them like the queue would.
type jobs struct {
	mu   sync.Mutex
	args []SyncPageArgs
}

func (q *jobs) Enqueue(_ context.Context, _ store.Tx, a river.JobArgs, _ *river.InsertOpts) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if p, ok := a.(SyncPageArgs); ok {
		q.args = append(q.args, p)
	}
	return nil
}

func (q *jobs) next(after int) (SyncPageArgs, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if after >= len(q.args) {
		return SyncPageArgs{}, false
	}
	return q.args[after], true
}

type noIntegrations struct{}

func (noIntegrations) ConnectorConfig(context.Context, store.Queries, core.Integration) (ats.Connector, ats.Config, error) {
	return nil, ats.Config{}, errors.New("no integrations here")
}

type world struct {
	t     testing.TB
	st    store.Store
	s     *Service
	q     *jobs
	ats   *fakeATS
	now   time.Time
	actor core.User
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.OpenPath(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, _ := secret.GenerateKey()
	kr, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, st: st, q: &jobs{}, now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	base := w.now.Add(-time.Hour)
	w.ats = &fakeATS{apps: map[string][]ats.Applicant{}}
	w.ats.jobs = []ats.Job{{ExternalID: "j1", Title: "Go developer", Open: true}, {ExternalID: "j2", Title: "Closed", Open: false},
		{ExternalID: "j3", Title: "Barista", Open: true}}
	for i := range 5 {
		w.ats.apps["j1"] = append(w.ats.apps["j1"], ats.Applicant{ExternalID: fmt.Sprint("a", i), Name: fmt.Sprint("Applicant ", i), UpdatedAt: base})
	}
	w.ats.apps["j3"] = []ats.Applicant{{ExternalID: "b0", Name: "Bea", UpdatedAt: base}}
	w.s, err = New(Deps{Store: st, Connectors: ats.NewRegistry(w.ats), Integrations: noIntegrations{}, Keyring: kr,
		HTTPClient: http.DefaultClient, BaseURL: "https://sb.example", Now: func() time.Time { return w.now }})
	if err != nil {
		t.Fatal(err)
	}
	w.s.UseQueue(w.q)
	acc := core.Account{ID: core.NewID("acc"), Name: "Acme", CreatedAt: w.now}
	if err := st.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	w.actor = core.User{ID: "u1", AccountID: acc.ID, Role: core.RoleSuperAdmin}
	return w
}

// drain works every enqueued page job from the i-th on, each twice (a
// redelivery after a crash past its commit), and returns how many ran.
func (w *world) drain(from int) int {
	w.t.Helper()
	n := from
	for ; ; n++ {
		a, ok := w.q.next(n)
		if !ok {
			return n
		}
		for range 2 {
			if err := w.s.syncPage(w.t.Context(), a); err != nil {
				w.t.Fatalf("page %d: %v", a.Step, err)
			}
		}
	}
}

func (w *world) applicants(sourceID, job string) []string {
	w.t.Helper()
	as, err := w.st.ListReviewApplicants(w.t.Context(), sourceID, job)
	if err != nil {
		w.t.Fatal(err)
	}
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ExternalID)
	}
	return ids
}

// TestSyncIsOnceAndResumable: a full sync pages through the open jobs and
// their applicants one durable job per page; every page run twice stores
// nothing twice and starts no second chain; a failing page is retried from
// where it stood; a later incremental sync reads only what changed since
// the last one began (less the overlap) and a full one drops what the ATS
// no longer has.
func TestSyncIsOnceAndResumable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	if _, err := w.s.Connect(ctx, w.actor, ConnectInput{Provider: "fake", Credentials: map[string]string{"api_key": "bad"}}); err == nil {
		t.Fatal("a refused key connected")
	}
	rs, err := w.s.Connect(ctx, w.actor, ConnectInput{Provider: "fake", Credentials: map[string]string{"api_key": "good"}})
	if err != nil {
		t.Fatal(err)
	}
	// The first page fails once with what a retry may cure.
	w.ats.fail = []error{&atshttp.StatusError{StatusCode: 503}}
	first, _ := w.q.next(0)
	if err := w.s.syncPage(ctx, first); err == nil {
		t.Fatal("the failing page reported success")
	}
	ran := w.drain(0)
	sy, err := w.st.LatestReviewSync(ctx, rs.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Pages: 1 of jobs (two open), 3 of j1's five, 1 of j3's one.
	if sy.State != core.ReviewSyncDone || sy.Step != 5 || ran != 5 || sy.JobsTotal != 2 || sy.JobsDone != 2 || sy.Applicants != 6 {
		t.Fatalf("sync %+v after %d page jobs, want done in 5 steps with 2 jobs and 6 applicants", sy, ran)
	}
	if got := w.applicants(rs.ID, "j1"); len(got) != 5 {
		t.Fatalf("j1's applicants %v", got)
	}
	if js, _ := w.st.ListReviewJobs(ctx, rs.ID, store.ReviewJobFilter{}); len(js) != 2 {
		t.Fatalf("open jobs %+v", js)
	}
	rs, _ = w.st.GetReviewSource(ctx, rs.ID)
	if !rs.LastSyncAt.Equal(sy.StartedAt) {
		t.Errorf("last sync at %v, want the sync's start %v", rs.LastSyncAt, sy.StartedAt)
	}

	// An hour later one applicant changed and one is gone.
	w.now = w.now.Add(time.Hour)
	w.ats.mu.Lock()
	w.ats.apps["j1"][2].UpdatedAt = w.now.Add(-time.Minute)
	w.ats.apps["j1"][2].Name = "Renamed"
	w.ats.apps["j1"] = slices.Delete(w.ats.apps["j1"], 4, 5)
	w.ats.calls = 0
	w.ats.mu.Unlock()
	inc, err := w.s.StartSync(ctx, w.actor, rs.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Full || !inc.Since.Equal(rs.LastSyncAt.Add(-Overlap)) {
		t.Fatalf("incremental sync %+v, want since the last start less %s", inc, Overlap)
	}
	if again, err := w.s.StartSync(ctx, w.actor, rs.ID, true); err != nil || again.ID != inc.ID {
		t.Fatalf("a second start while one runs: %+v %v, want the running one", again, err)
	}
	ran = w.drain(ran)
	if w.ats.calls != 3 { // jobs, j1's one changed, j3's none
		t.Errorf("the incremental sync made %d calls, want 3", w.ats.calls)
	}
	a, err := w.st.GetReviewApplicant(ctx, rs.ID, "j1", "a2")
	if err != nil || a.Name != "Renamed" {
		t.Errorf("the changed applicant: %+v %v", a, err)
	}
	if got := w.applicants(rs.ID, "j1"); len(got) != 5 {
		t.Errorf("after an incremental sync j1 holds %v: it does not drop", got)
	}
	// The periodic sweep starts an incremental one; a full one drops.
	if n, err := w.s.SyncDue(ctx); err != nil || n != 1 {
		t.Fatalf("SyncDue: %d %v, want one sync started", n, err)
	}
	ran = w.drain(ran)
	if _, err := w.s.StartSync(ctx, w.actor, rs.ID, true); err != nil {
		t.Fatal(err)
	}
	w.drain(ran)
	if got := w.applicants(rs.ID, "j1"); len(got) != 4 || slices.Contains(got, "a4") {
		t.Errorf("after a full sync j1 holds %v, want a4 gone", got)
	}
}

// TestSyncFailsWithTheReason: a credential the ATS refuses fails the sync
// at once with the reason on the source; a wait the ATS asks for snoozes
// the page instead of failing it.
func TestSyncFailsWithTheReason(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	rs, err := w.s.Connect(ctx, w.actor, ConnectInput{Provider: "fake", Credentials: map[string]string{"api_key": "good"}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := w.q.next(0)
	job := &river.Job[SyncPageArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10}, Args: a}
	w.ats.fail = []error{&atshttp.StatusError{StatusCode: 429, RetryAfter: 30 * time.Second}}
	err = w.s.syncOutcome(ctx, job, w.s.syncPage(ctx, a))
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration != 30*time.Second {
		t.Fatalf("a 429 with Retry-After: %v, want a 30s snooze", err)
	}
	w.ats.fail = []error{&atshttp.StatusError{StatusCode: 401, Message: "token revoked"}}
	err = w.s.syncOutcome(ctx, job, w.s.syncPage(ctx, a))
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("a 401: %v, want the job cancelled", err)
	}
	sy, _ := w.st.LatestReviewSync(ctx, rs.ID)
	rs, _ = w.st.GetReviewSource(ctx, rs.ID)
	if sy.State != core.ReviewSyncFailed || rs.Status != core.ReviewSourceFailing || rs.Problem == "" {
		t.Fatalf("sync %+v, source %+v: want failed, and failing with the reason", sy, rs)
	}
	// The next sync that finishes clears the problem it left.
	if _, err := w.s.StartSync(ctx, w.actor, rs.ID, true); err != nil {
		t.Fatal(err)
	}
	w.drain(1)
	if rs, _ = w.st.GetReviewSource(ctx, rs.ID); rs.Status != core.ReviewSourceActive || rs.Problem != "" {
		t.Errorf("after a good sync the source is %s: %q", rs.Status, rs.Problem)
	}
}
