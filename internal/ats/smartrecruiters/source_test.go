package smartrecruiters_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/simkit"
	"switchboard/internal/atssim/srsim"
)

// source is a simulator with one company and an API key of it, and a
// connector acting with it. The connector's sleeps advance the shared fake
// clock, so the simulator's limits (at their real values unless an option
// says otherwise) meet the connector's pace without real waiting.
type source struct {
	sim     *srsim.Server
	srv     *httptest.Server
	clock   *fakeClock
	company srsim.Company
	key     string
	conn    *sr.Connector
	cfg     ats.Config
	sleeper
}

type sourceOption struct {
	sim    []srsim.Option
	limits func() *sr.Limits
}

func newSource(t testing.TB, o sourceOption) *source {
	t.Helper()
	s := &source{clock: &fakeClock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}}
	s.sleeper.clock = s.clock
	s.sim = srsim.New(append([]srsim.Option{srsim.WithClock(s.clock.Now)}, o.sim...)...)
	s.srv = httptest.NewServer(s.sim.Handler())
	t.Cleanup(s.srv.Close)
	s.sim.SetBaseURL(s.srv.URL)
	s.company = s.sim.AddCompany("Acme")
	var err error
	if s.key, err = s.sim.IssueAPIKey(s.company.ID); err != nil {
		t.Fatal(err)
	}
	opts := sr.ConnectorOptions{Runtime: ats.Runtime{Now: s.clock.Now, Sleep: s.sleep}}
	if o.limits != nil {
		opts.Limiters = sr.NewLimiterPoolWith(o.limits)
	}
	s.conn = sr.NewConnector(opts)
	s.cfg = s.keyConfig(s.key)
	return s
}

func (s *source) keyConfig(key string) ats.Config {
	cfg := ats.Config{Secrets: map[string]string{sr.CredentialAPIKey: key}, HTTPClient: s.srv.Client()}
	cfg.Integration.Settings = map[string]string{sr.SettingBaseURL: s.srv.URL}
	return cfg
}

// fast are limits that never make a test wait, for tests about something else.
var fast = sourceOption{sim: []srsim.Option{srsim.WithRateLimit(0, 1)}, limits: func() *sr.Limits { return sr.NewLimits(1e6, 1000, 8, 1) }}

func (s *source) job(t testing.TB, spec srsim.JobSpec) string {
	t.Helper()
	j, err := s.sim.AddJobWith(s.company.ID, spec)
	if err != nil {
		t.Fatal(err)
	}
	return string(j.ID)
}

func TestVerifySource(t *testing.T) {
	t.Parallel()
	s := newSource(t, fast)
	if err := s.conn.VerifySource(t.Context(), s.cfg); err != nil {
		t.Fatal(err)
	}
	jobsOnly, err := s.sim.IssueAPIKey(s.company.ID, sr.ScopeJobsRead)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, key, want string }{
		{"unknown key", "nope-nope", "HTTP 401"},
		{"key without candidates_read", jobsOnly, "missed required scope candidates_read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.conn.VerifySource(t.Context(), s.keyConfig(tc.key))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Fatalf("the error shows the key: %v", err)
			}
		})
	}
	if _, f := s.conn.SourceFields(); len(f) == 0 || f[0].Key != sr.CredentialAPIKey || !f[0].Required {
		t.Fatalf("source fields %+v", f)
	}
}

func TestListOpenJobsPages(t *testing.T) {
	t.Parallel()
	s := newSource(t, fast)
	open := map[string]bool{}
	for i := range 270 {
		st := []string{sr.JobSourcing, sr.JobInterview, sr.JobOffer, sr.JobCreated, sr.JobSourcing}[i%5]
		if i >= 250 {
			st = []string{sr.JobFilled, sr.JobCancelled, sr.JobOnHold}[i%3]
		}
		id := s.job(t, srsim.JobSpec{
			Title: "Job", Status: st, Department: "Engineering", City: "Berlin", Country: "DE",
			Creator: sr.UserRef{ID: "u-1", FirstName: "Rita", LastName: "Recruiter"},
		})
		if i < 250 {
			open[id] = true
		}
	}
	var got []ats.Job
	cursor := ""
	for range 10 {
		p, err := s.conn.ListOpenJobs(t.Context(), s.cfg, cursor)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Jobs...)
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if len(got) != 250 {
		t.Fatalf("got %d jobs, want the 250 open ones", len(got))
	}
	for _, j := range got {
		if !open[j.ExternalID] || !j.Open {
			t.Fatalf("job %+v is not one of the open ones", j)
		}
		delete(open, j.ExternalID)
	}
	want := ats.Job{ExternalID: got[0].ExternalID, Title: "Job", RefNumber: got[0].RefNumber, Status: got[0].Status, Open: true,
		Location: "Berlin, DE", Department: "Engineering", RecruiterID: "u-1", RecruiterName: "Rita Recruiter", UpdatedAt: s.clock.Now()}
	if !got[0].UpdatedAt.Equal(want.UpdatedAt) || got[0].RefNumber == "" {
		t.Fatalf("job %+v", got[0])
	}
	got[0].UpdatedAt = want.UpdatedAt
	if got[0] != want {
		t.Fatalf("job\n %+v, want\n %+v", got[0], want)
	}
	if n := s.sim.RequestCount("GET", "/jobs"); n != 3 {
		t.Fatalf("%d GET /jobs for 250 open jobs, want 3 pages of 100", n)
	}
}

func TestGetJob(t *testing.T) {
	t.Parallel()
	s := newSource(t, fast)
	id := s.job(t, srsim.JobSpec{Title: "Barista", Status: sr.JobFilled})
	j, err := s.conn.GetJob(t.Context(), s.cfg, id)
	if err != nil || j.ExternalID != id || j.Open || j.Status != sr.JobFilled {
		t.Fatalf("got %+v, %v", j, err)
	}
	if _, err := s.conn.GetJob(t.Context(), s.cfg, "gone"); !errors.Is(err, ats.ErrNotFound) {
		t.Fatalf("unknown job: %v, want ErrNotFound", err)
	}
}

func TestApplicantInFull(t *testing.T) {
	t.Parallel()
	s := newSource(t, fast)
	jobID := s.job(t, srsim.JobSpec{Title: "Go Developer"})
	cand, err := s.sim.AddCandidate(s.company.ID, "Ann", "Lee", "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	id := string(cand.ID)
	if err := s.sim.Apply(s.company.ID, id, jobID); err != nil {
		t.Fatal(err)
	}
	applied := s.clock.Now()
	s.clock.Advance(time.Hour)
	p := srsim.Profile{
		Location: &sr.Location{City: "Berlin", Country: "DE"},
		Tags:     []string{"go", "kubernetes"},
		Experience: []sr.ExperienceEntry{
			{Title: "Backend Engineer", Company: "Globex", StartDate: sr.Month(2019, 1), EndDate: sr.Month(2022, 6)},
			{Title: "Senior Go Developer", Company: "Initech", StartDate: sr.Month(2022, 7), Current: true, Description: "Go and PostgreSQL"},
		},
		Education: []sr.EducationEntry{{Institution: "TU Berlin", Degree: "MSc", Major: "Computer Science", StartDate: sr.Month(2016, 10), EndDate: sr.Month(2018, 9)}},
	}
	if err := s.sim.SetProfile(s.company.ID, id, p); err != nil {
		t.Fatal(err)
	}
	if err := s.sim.SetAnswers(s.company.ID, id, jobID, sr.TextAnswer("q1", "Years of Go?", "6")); err != nil {
		t.Fatal(err)
	}
	if err := s.sim.SetApplicationStatus(s.company.ID, id, jobID, sr.CandidateInterview, "Onsite"); err != nil {
		t.Fatal(err)
	}
	page, err := s.conn.ListApplicants(t.Context(), s.cfg, ats.ApplicantQuery{JobID: jobID})
	if err != nil || len(page.Applicants) != 1 || page.Next != "" {
		t.Fatalf("page %+v, %v", page, err)
	}
	a := page.Applicants[0]
	if a.ApplicationID == "" || !strings.HasPrefix(a.ProfileURL, s.srv.URL) {
		t.Fatalf("application id %q, profile URL %q", a.ApplicationID, a.ProfileURL)
	}
	a.ApplicationID, a.ProfileURL = "", ""
	want := ats.Applicant{
		ExternalID: id, JobID: jobID, Name: "Ann Lee", Email: "ann@example.com",
		Headline: "Senior Go Developer at Initech", Location: "Berlin, DE",
		Status: "INTERVIEW", SubStatus: "Onsite", AppliedAt: applied, UpdatedAt: s.clock.Now(),
		Experience: []ats.Experience{
			{Title: "Backend Engineer", Company: "Globex", Start: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)},
			{Title: "Senior Go Developer", Company: "Initech", Start: time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC), Current: true, Description: "Go and PostgreSQL"},
		},
		Education: []ats.Education{{Institution: "TU Berlin", Degree: "MSc", Field: "Computer Science", Start: time.Date(2016, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2018, 9, 1, 0, 0, 0, 0, time.UTC)}},
		Tags:      []string{"go", "kubernetes"},
		Answers:   []ats.Answer{{Question: "Years of Go?", Answer: "6"}},
	}
	if !a.AppliedAt.Equal(want.AppliedAt) || !a.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("applied %v updated %v, want %v %v", a.AppliedAt, a.UpdatedAt, want.AppliedAt, want.UpdatedAt)
	}
	a.AppliedAt, a.UpdatedAt = want.AppliedAt, want.UpdatedAt
	if g, w := mustJSON(t, a), mustJSON(t, want); g != w {
		t.Fatalf("applicant\n %s\nwant\n %s", g, w)
	}
	one, err := s.conn.GetApplicant(t.Context(), s.cfg, jobID, id)
	if err != nil || one.Headline != want.Headline || len(one.Answers) != 1 {
		t.Fatalf("get applicant %+v, %v", one, err)
	}
	for _, tc := range []struct{ name, job, cand string }{
		{"unknown candidate", jobID, "nobody"},
		{"not applied to the job", "other-job", id},
	} {
		if _, err := s.conn.GetApplicant(t.Context(), s.cfg, tc.job, tc.cand); !errors.Is(err, ats.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", tc.name, err)
		}
	}
	// Screening answers the key may not read leave the applicant without them.
	s.sim.Fail(1, srsimFault(403, "/screening-answers"))
	one, err = s.conn.GetApplicant(t.Context(), s.cfg, jobID, id)
	if err != nil || len(one.Answers) != 0 || one.Name != "Ann Lee" {
		t.Fatalf("with answers forbidden: %+v, %v", one, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listAll pages through a job's applicants and returns them.
func listAll(t testing.TB, s *source, q ats.ApplicantQuery) []ats.Applicant {
	t.Helper()
	var out []ats.Applicant
	for range 1000 {
		p, err := s.conn.ListApplicants(context.Background(), s.cfg, q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Applicants...)
		if q.Cursor = p.Next; q.Cursor == "" {
			return out
		}
	}
	t.Fatal("paging did not end")
	return nil
}

// TestSyncWithinLimits syncs 2,000 applicants (6,020 calls) at
// SmartRecruiters' real limits in a synctest bubble, whose fake clock moves
// only when every goroutine of the sync waits: concurrent waits overlap as
// they would for real, rather than adding up as on fakeClock, so the
// simulator's clock measures the sync. It must take at most 10 % more than
// the published 10 requests a second allow, with never more than 10 in any
// second as the simulator counts arrivals and nothing refused.
func TestSyncWithinLimits(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := syncAtLimits(t, 2000, time.Now, atshttp.Sleep)
		t.Logf("%d calls took %s on the simulator's clock: %.4f× the least the limit allows; at most %d in any second",
			r.calls, r.took, r.ratio(), r.maxPerSecond)
		if r.throttled != 0 {
			t.Errorf("the simulator refused %d requests over its limits", r.throttled)
		}
		if r.maxPerSecond > sr.RequestsPerSecond {
			t.Errorf("%d requests arrived within one second, want at most %d", r.maxPerSecond, sr.RequestsPerSecond)
		}
		if r.ratio() > 1.10 {
			t.Errorf("the sync took %.3f× the least the limit allows, want at most 1.10", r.ratio())
		}
	})
}

// BenchmarkSync10k syncs a 10,000-applicant job (30,100 calls) at
// SmartRecruiters' real limits in a synctest bubble, as TestSyncWithinLimits
// does 2,000. synctest runs only tests, so each iteration runs
// TestSync10kInBubble in a child test process and reads its result:
// sim-s/op is the simulator-clock time the sync took, floor-s/op what 10
// requests a second allow for its calls, ratio their quotient, and
// max-per-s the most requests that arrived within any second.
func BenchmarkSync10k(b *testing.B) {
	for b.Loop() {
		r := sync10kInChild(b)
		b.ReportMetric(r.took.Seconds(), "sim-s/op")
		b.ReportMetric(float64(r.calls)/sr.RequestsPerSecond, "floor-s/op")
		b.ReportMetric(float64(r.calls), "calls/op")
		b.ReportMetric(r.ratio(), "ratio")
		b.ReportMetric(float64(r.maxPerSecond), "max-per-s")
		if r.throttled != 0 {
			b.Errorf("the simulator refused %d requests over its limits", r.throttled)
		}
	}
}

func TestApplicantGoneBetweenListAndRead(t *testing.T) {
	t.Parallel()
	s := newSource(t, fast)
	jobID := s.job(t, srsim.JobSpec{Title: "Barista"})
	ids, err := s.sim.SeedApplicants(s.company.ID, jobID, 3)
	if err != nil {
		t.Fatal(err)
	}
	s.sim.Fail(1, srsimFault(http.StatusNotFound, "/candidates/"+ids[1]))
	p, err := s.conn.ListApplicants(t.Context(), s.cfg, ats.ApplicantQuery{JobID: jobID})
	if err != nil || len(p.Applicants) != 2 || p.Applicants[0].ExternalID != ids[0] || p.Applicants[1].ExternalID != ids[2] {
		t.Fatalf("page %+v, %v: want the other two in order", p.Applicants, err)
	}
	// Any other failure ends the page, for the caller to ask again.
	s.sim.Fail(1, srsimFault(http.StatusBadRequest, "/jobs/"+jobID))
	if _, err := s.conn.ListApplicants(t.Context(), s.cfg, ats.ApplicantQuery{JobID: jobID}); err == nil {
		t.Fatal("a refused application read was skipped")
	}
}

func TestOneCandidatesListAtATime(t *testing.T) {
	t.Parallel()
	// Two jobs synced at once on one key share its single GET /candidates slot.
	s := newSource(t, sourceOption{sim: []srsim.Option{srsim.WithRateLimit(0, 1)}, limits: fast.limits})
	var jobs []string
	for range 2 {
		j := s.job(t, srsim.JobSpec{Title: "Barista"})
		if _, err := s.sim.SeedApplicants(s.company.ID, j, 500); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	var wg sync.WaitGroup
	counts := make([]int, len(jobs))
	for i, j := range jobs {
		wg.Go(func() { counts[i] = len(listAll(t, s, ats.ApplicantQuery{JobID: j})) })
	}
	wg.Wait()
	if counts[0] != 500 || counts[1] != 500 || s.sim.ThrottledCount() != 0 {
		t.Fatalf("counts %v, %d throttled", counts, s.sim.ThrottledCount())
	}
}

func TestIncrementalUpdatedAfter(t *testing.T) {
	t.Parallel()
	s := newSource(t, fast)
	jobID := s.job(t, srsim.JobSpec{Title: "Barista"})
	ids, err := s.sim.SeedApplicants(s.company.ID, jobID, 250)
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Hour)
	changedAt := s.clock.Now()
	changed := []string{ids[7], ids[120], ids[249]}
	for _, id := range changed {
		if err := s.sim.SetApplicationStatus(s.company.ID, id, jobID, sr.CandidateHired, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		after time.Time
		want  []string
	}{
		{"all", time.Time{}, ids},
		{"at the change", changedAt, changed},
		{"overlap window", changedAt.Add(-10 * time.Minute), changed},
		{"after the change", changedAt.Add(time.Millisecond), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.sim.RequestCount("GET", "/candidates/{id}")
			got := listAll(t, s, ats.ApplicantQuery{JobID: jobID, UpdatedAfter: tc.after})
			var gotIDs []string
			for _, a := range got {
				gotIDs = append(gotIDs, a.ExternalID)
			}
			if !slices.Equal(gotIDs, tc.want) {
				t.Fatalf("got %d applicants, want %d", len(gotIDs), len(tc.want))
			}
			if n := s.sim.RequestCount("GET", "/candidates/{id}") - before; n != len(tc.want) {
				t.Fatalf("read %d candidates in full for %d changed", n, len(tc.want))
			}
		})
	}
}

func TestMoveApplicant(t *testing.T) {
	t.Parallel()
	s := newSource(t, fast)
	jobID := s.job(t, srsim.JobSpec{Title: "Barista"})
	ids, err := s.sim.SeedApplicants(s.company.ID, jobID, 1)
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	if err := s.sim.SetApplicationStatus(s.company.ID, id, jobID, sr.CandidateNew, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.sim.RequireSubStatus(s.company.ID, sr.CandidateInterview); err != nil {
		t.Fatal(err)
	}
	targets, err := s.conn.MoveTargets(t.Context(), s.cfg, jobID)
	if err != nil || len(targets) != len(sr.MoveStatuses) || targets[1] != (ats.MoveTarget{ID: "IN_REVIEW", Label: "In review"}) {
		t.Fatalf("targets %+v, %v", targets, err)
	}
	for _, tc := range []struct {
		name, job, cand, target string
		refusal                 string // SmartRecruiters' message; "" for success
		noCall, notFound        bool
		status                  sr.CandidateStatus
	}{
		{name: "in review", target: "IN_REVIEW", status: sr.CandidateInReview},
		{name: "same again", target: "IN_REVIEW", refusal: "Candidate already has status IN_REVIEW", status: sr.CandidateInReview},
		{name: "sub-status required", target: "INTERVIEW", refusal: "There is a required sub status before the status you want to move a candidate to", status: sr.CandidateInReview},
		{name: "with sub-status", target: "INTERVIEW:Onsite", status: sr.CandidateInterview},
		{name: "lead is no target", target: "LEAD", noCall: true, status: sr.CandidateInterview},
		{name: "nonsense", target: "PROMOTED", noCall: true, status: sr.CandidateInterview},
		{name: "not applied", job: "other-job", target: "HIRED", refusal: "Candidate is not assigned to given job", notFound: true, status: sr.CandidateInterview},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job, cand := cmpOr(tc.job, jobID), cmpOr(tc.cand, id)
			before := s.sim.RequestCount("PUT", "/candidates/{id}/jobs/{jobId}/status")
			err := s.conn.MoveApplicant(t.Context(), s.cfg, job, cand, tc.target)
			calls := s.sim.RequestCount("PUT", "/candidates/{id}/jobs/{jobId}/status") - before
			switch {
			case tc.noCall:
				if err == nil || calls != 0 {
					t.Fatalf("err %v after %d calls, want a refusal without a call", err, calls)
				}
			case tc.refusal == "":
				if err != nil {
					t.Fatal(err)
				}
			default:
				var re *sr.RefusedError
				if !errors.As(err, &re) || err.Error() != tc.refusal {
					t.Fatalf("got %v, want SmartRecruiters' %q", err, tc.refusal)
				}
				if f, _ := ats.Classify(err); f != ats.FailGiveUp {
					t.Fatalf("classified %v", f)
				}
				if errors.Is(err, ats.ErrNotFound) != tc.notFound {
					t.Fatalf("ErrNotFound %v, want %v", errors.Is(err, ats.ErrNotFound), tc.notFound)
				}
			}
			if st, _ := s.sim.ApplicantState(s.company.ID, id, jobID); st.Status != tc.status {
				t.Fatalf("status %s, want %s", st.Status, tc.status)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func srsimFault(status int, pathSuffix string) simkit.Fault {
	return simkit.Fault{Status: status, Match: func(r *http.Request, _ []byte) bool { return strings.HasSuffix(r.URL.Path, pathSuffix) }}
}

func TestRateLimitAnswers(t *testing.T) {
	t.Parallel()
	t.Run("429 within the in-call wait is retried", func(t *testing.T) {
		t.Parallel()
		s := newSource(t, fast)
		s.job(t, srsim.JobSpec{Title: "Barista"})
		s.sim.FailNext(1, http.StatusTooManyRequests, time.Second)
		p, err := s.conn.ListOpenJobs(t.Context(), s.cfg, "")
		if err != nil || len(p.Jobs) != 1 || !slices.Contains(s.slept(), time.Second) {
			t.Fatalf("jobs %d, %v, slept %v", len(p.Jobs), err, s.slept())
		}
	})
	t.Run("a long Retry-After ends the call with it", func(t *testing.T) {
		t.Parallel()
		s := newSource(t, fast)
		s.sim.FailNext(1, http.StatusTooManyRequests, 30*time.Second)
		_, err := s.conn.ListOpenJobs(t.Context(), s.cfg, "")
		var se *atshttp.StatusError
		if !errors.As(err, &se) || se.StatusCode != 429 || se.RetryAfter != 30*time.Second {
			t.Fatalf("got %v", err)
		}
		if f, after := ats.Classify(&ats.CallError{Failure: ats.ClassifyStatus(se.StatusCode), RetryAfter: se.RetryAfter, Err: err}); f != ats.FailRetry || after != 30*time.Second {
			t.Fatalf("classified %v %v", f, after)
		}
	})
	t.Run("a long wait for the pace is a WaitError", func(t *testing.T) {
		t.Parallel()
		// One request every 5 s: the second page's wait is past MaxInCallWait.
		s := newSource(t, sourceOption{sim: fast.sim, limits: func() *sr.Limits { return sr.NewLimits(0.2, 1, 8, 1) }})
		jobID := s.job(t, srsim.JobSpec{Title: "Barista"})
		if _, err := s.sim.SeedApplicants(s.company.ID, jobID, 3); err != nil {
			t.Fatal(err)
		}
		_, err := s.conn.ListApplicants(t.Context(), s.cfg, ats.ApplicantQuery{JobID: jobID})
		var we *atshttp.WaitError
		if !errors.As(err, &we) || we.Wait <= atshttp.MaxInCallWait {
			t.Fatalf("got %v, want a *atshttp.WaitError", err)
		}
		if f, after := ats.Classify(err); f != ats.FailRetry || after != we.Wait {
			t.Fatalf("classified %v %v", f, after)
		}
	})
}

func TestOAuthCompanyCredentialsAsSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t, srsim.WithRateLimit(0, 1))
	conn := sr.NewConnector(sr.ConnectorOptions{Runtime: ats.Runtime{Now: f.clock.Now, Sleep: f.sleep}})
	cc, _ := json.Marshal(map[string]string{"companyId": f.company.ID, "clientId": f.customer.ClientID, "clientSecret": f.customer.ClientSecret})
	cfg := ats.Config{Secrets: map[string]string{sr.CredentialCompanyClient: string(cc)}, HTTPClient: f.srv.Client()}
	cfg.Integration.Settings = map[string]string{sr.SettingBaseURL: f.srv.URL, sr.SettingCompanyID: f.company.ID}
	p, err := conn.ListOpenJobs(t.Context(), cfg, "")
	if err != nil || len(p.Jobs) != 1 || p.Jobs[0].ExternalID != f.jobID {
		t.Fatalf("jobs %+v, %v", p, err)
	}
	ap, err := conn.ListApplicants(t.Context(), cfg, ats.ApplicantQuery{JobID: f.jobID})
	if err != nil || len(ap.Applicants) != 1 || ap.Applicants[0].ExternalID != f.candID {
		t.Fatalf("applicants %+v, %v", ap, err)
	}
	// The assessment credential was not given candidates_manage: the move
	// is refused with SmartRecruiters' message until it is.
	err = conn.MoveApplicant(t.Context(), cfg, f.jobID, f.candID, "IN_REVIEW")
	if f, _ := ats.Classify(err); err == nil || f != ats.FailConfig || !strings.Contains(err.Error(), "candidates_manage") {
		t.Fatalf("move without the scope: %v", err)
	}
	if err := f.sim.GrantScopes(f.customer.ClientID, sr.ScopeCandidatesManage); err != nil {
		t.Fatal(err)
	}
	if err := conn.MoveApplicant(t.Context(), cfg, f.jobID, f.candID, "IN_REVIEW"); err != nil {
		t.Fatal(err)
	}
	// Without either credential there is nothing to act with.
	if err := conn.VerifySource(t.Context(), ats.Config{HTTPClient: f.srv.Client()}); err == nil {
		t.Fatal("verified a config without credentials")
	}
}

func BenchmarkListApplicantsPage(b *testing.B) {
	s := newSource(b, fast)
	jobID := s.job(b, srsim.JobSpec{Title: "Go Developer"})
	if _, err := s.sim.SeedApplicants(s.company.ID, jobID, 100); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := s.conn.ListApplicants(b.Context(), s.cfg, ats.ApplicantQuery{JobID: jobID})
		if err != nil || len(p.Applicants) != 100 {
			b.Fatalf("%d, %v", len(p.Applicants), err)
		}
	}
}
