package lever_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
	"switchboard/internal/core"
)

// sourceEnv is a simulator at Lever's real limits (10/s, burst 20) and the
// connector as the app builds it (its 9/s bucket per key), both on one fake
// clock that the connector's waits advance: the limits meet as in real
// time, without real waiting.
type sourceEnv struct {
	sim   *leversim.Server
	clock *fakeClock
	conn  *lever.Connector
	cfg   ats.Config
	owner lever.User
}

func newSourceEnv(t *testing.T, limiters *lever.LimiterPool) *sourceEnv {
	t.Helper()
	e := &sourceEnv{clock: &fakeClock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}}
	e.sim = leversim.New(leversim.WithClock(e.clock.Now))
	e.sim.AddAPIKey(apiKey)
	srv := httptest.NewServer(e.sim.Handler())
	t.Cleanup(srv.Close)
	e.conn = lever.NewConnector(lever.ConnectorOptions{Limiters: limiters, Runtime: ats.Runtime{
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.clock.Advance(d)
			return ctx.Err()
		},
		Now: e.clock.Now,
	}})
	// A review connection: only the source's fields, no assessment settings.
	e.cfg = ats.Config{
		Integration: core.Integration{Provider: "lever", Settings: map[string]string{lever.SettingBaseURL: srv.URL + "/v1"}},
		Secrets:     map[string]string{lever.CredentialAPIKey: apiKey},
		HTTPClient:  srv.Client(),
	}
	e.owner = e.sim.AddUser("Rita Recruiter", "rita@example.com")
	return e
}

// calls is how many requests reached the simulator's handler for each route.
func (e *sourceEnv) calls(routes ...string) []int {
	out := make([]int, len(routes))
	for i, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		out[i] = e.sim.RequestCount(method, path)
	}
	return out
}

// limitsKept fails t when the client was throttled or the simulator saw more
// than Lever's burst in any second.
func (e *sourceEnv) limitsKept(t *testing.T) {
	t.Helper()
	if n := e.sim.ThrottledCount(); n != 0 {
		t.Errorf("the simulator answered 429 %d times; the connector must keep under the limit", n)
	}
	if n := e.sim.MaxRequestsIn(time.Second); n > lever.PublishedBurst {
		t.Errorf("%d requests in one second, over Lever's burst of %d", n, lever.PublishedBurst)
	}
}

func TestSourceImplementsTheSeam(t *testing.T) {
	t.Parallel()
	var c ats.Connector = lever.NewConnector(lever.ConnectorOptions{})
	src, ok := c.(ats.ApplicantSource)
	if !ok {
		t.Fatal("the Lever connector is not an ats.ApplicantSource")
	}
	_, fields := src.SourceFields()
	i := slices.IndexFunc(fields, func(f ats.Field) bool { return f.Key == lever.CredentialAPIKey })
	if i < 0 || !fields[i].Required {
		t.Fatalf("SourceFields = %+v, want a required %q", fields, lever.CredentialAPIKey)
	}
}

func TestListOpenJobsPagesPublishedPostings(t *testing.T) {
	t.Parallel()
	e := newSourceEnv(t, nil)
	hm := e.sim.AddUser("Hana Manager", "hana@example.com")
	var want []string
	for i := range 250 {
		p := e.sim.AddPosting(fmt.Sprintf("Job %03d", i), nil, e.owner.ID)
		want = append(want, p.ID)
	}
	for i := range 3 {
		p := e.sim.AddPosting(fmt.Sprintf("Closed %d", i), nil, e.owner.ID)
		if err := e.sim.ClosePosting(p.ID); err != nil {
			t.Fatal(err)
		}
	}
	first, err := e.sim.UpdatePosting(want[0], func(p *lever.Posting) {
		p.Categories = lever.PostingCategories{Team: "Coffee", Department: "Retail", Location: "Amsterdam"}
		p.HiringManager = lever.UserRef{ID: hm.ID}
		p.RequisitionCodes = []string{"REQ-7"}
	})
	if err != nil {
		t.Fatal(err)
	}
	noOwner, err := e.sim.UpdatePosting(want[1], func(p *lever.Posting) {
		p.Owner = lever.UserRef{}
		p.HiringManager = lever.UserRef{ID: hm.ID}
		p.Categories = lever.PostingCategories{Department: "Retail"}
	})
	if err != nil {
		t.Fatal(err)
	}

	var got []ats.Job
	cursor, pages := "", 0
	for {
		page, err := e.conn.ListOpenJobs(context.Background(), e.cfg, cursor)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		got = append(got, page.Jobs...)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	ids := make([]string, len(got))
	for i, j := range got {
		ids[i] = j.ExternalID
		if !j.Open || j.Status != "published" {
			t.Errorf("job %s: Open %v, Status %q; want only open, published postings", j.Title, j.Open, j.Status)
		}
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("got %d jobs, want the 250 published postings in order", len(ids))
	}
	if c := e.calls("GET /postings"); pages != 3 || c[0] != 3 {
		t.Errorf("%d pages in %d calls, want 3 pages of at most 100 in 3 calls", pages, c[0])
	}
	wantFirst := ats.Job{
		ExternalID: first.ID, Title: "Job 000", RefNumber: "REQ-7", Status: "published", Open: true,
		Location: "Amsterdam", Department: "Coffee", RecruiterID: e.owner.ID, RecruiterName: "Rita Recruiter",
		URL: first.URLs.Show, UpdatedAt: lever.TimeFromMillis(first.UpdatedAt),
	}
	if !reflect.DeepEqual(got[0], wantFirst) {
		t.Errorf("job 0 =\n%+v\nwant\n%+v", got[0], wantFirst)
	}
	// Without an owner the hiring manager is the recruiter; without a team
	// the department is the department.
	if g := got[1]; g.RecruiterID != hm.ID || g.RecruiterName != "Hana Manager" || g.Department != "Retail" || g.ExternalID != noOwner.ID {
		t.Errorf("job 1 = %+v, want the hiring manager as recruiter and Retail", g)
	}
	e.limitsKept(t)
}

func TestGetJob(t *testing.T) {
	t.Parallel()
	e := newSourceEnv(t, nil)
	open := e.sim.AddPosting("Barista", nil, e.owner.ID)
	closed := e.sim.AddPosting("Roaster", nil, e.owner.ID)
	if err := e.sim.ClosePosting(closed.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		id       string
		wantOpen bool
		notFound bool
	}{
		{"open", open.ID, true, false},
		{"closed is read, not open", closed.ID, false, false},
		{"unknown", "no-such-posting", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := e.conn.GetJob(context.Background(), e.cfg, tt.id)
			if tt.notFound {
				if !errors.Is(err, ats.ErrNotFound) {
					t.Fatalf("err = %v, want ats.ErrNotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if j.ExternalID != tt.id || j.Open != tt.wantOpen || j.RecruiterName != "Rita Recruiter" {
				t.Errorf("job = %+v, want id %s open %v with its owner's name", j, tt.id, tt.wantOpen)
			}
		})
	}
}

// listAllApplicants pages through a job's applicants from cursor "".
func listAllApplicants(t *testing.T, e *sourceEnv, q ats.ApplicantQuery) ([]ats.Applicant, int) {
	t.Helper()
	var all []ats.Applicant
	pages := 0
	for {
		page, err := e.conn.ListApplicants(context.Background(), e.cfg, q)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		all = append(all, page.Applicants...)
		if page.Next == "" {
			return all, pages
		}
		q.Cursor = page.Next
	}
}

func TestListApplicantsPagesWithResumesAtTheRealLimit(t *testing.T) {
	t.Parallel()
	e := newSourceEnv(t, nil)
	job := e.sim.AddPosting("Barista", nil, e.owner.ID)
	other := e.sim.AddPosting("Roaster", nil, e.owner.ID)
	if _, err := e.sim.SeedOpportunities(other.ID, 30); err != nil {
		t.Fatal(err)
	}
	ids, err := e.sim.SeedOpportunities(job.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now()

	got, pages := listAllApplicants(t, e, ats.ApplicantQuery{JobID: job.ID})

	gotIDs := make([]string, len(got))
	withHistory := 0
	for i, a := range got {
		gotIDs[i] = a.ExternalID
		if a.JobID != job.ID || a.ApplicationID == "" || a.Email == "" || a.Status != "New applicant" {
			t.Fatalf("applicant %d = %+v, want job, application id, email and stage text", i, a)
		}
		if len(a.Experience) > 0 && len(a.Education) > 0 {
			withHistory++
		}
	}
	if !slices.Equal(gotIDs, ids) {
		t.Fatalf("got %d applicants, want the posting's 1000 in order and none of the other posting's", len(got))
	}
	// Every tenth seeded applicant has no resume: not an error, no history.
	if withHistory != 900 {
		t.Errorf("%d applicants with work history and schools, want 900", withHistory)
	}
	c := e.calls("GET /opportunities", "GET /opportunities/{id}/resumes", "GET /postings")
	if pages != 10 || c[0] != 10 || c[1] != 1000 || c[2] != 0 {
		t.Errorf("%d pages; calls: %d list, %d resumes, %d postings; want 10 pages, 10 list calls and one resume call per applicant", pages, c[0], c[1], c[2])
	}
	e.limitsKept(t)
	// 1010 calls at the connector's 9/s after a burst of 10 take at least
	// (1010-10)/9 s; within 10 % of that is keeping pace.
	took := e.clock.Now().Sub(start)
	calls := 1010 - lever.DefaultBurst
	if floor := time.Duration(calls) * time.Second / time.Duration(lever.DefaultRate); took < floor || took > floor*11/10 {
		t.Errorf("listing took %s of simulated time, want between %s and %s", took, floor, floor*11/10)
	}
}

func TestListApplicantsIncremental(t *testing.T) {
	t.Parallel()
	e := newSourceEnv(t, nil)
	job := e.sim.AddPosting("Barista", nil, e.owner.ID)
	ids, err := e.sim.SeedOpportunities(job.ID, 300)
	if err != nil {
		t.Fatal(err)
	}
	stages := e.sim.Stages()
	e.clock.Advance(time.Hour)
	since := e.clock.Now()
	e.clock.Advance(time.Minute)
	changed := []string{ids[3], ids[150], ids[299]}
	if _, err := e.sim.MoveStage(context.Background(), ids[3], stages[3].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.UpdateOpportunity(ids[150], func(o *lever.Opportunity) { o.Tags = append(o.Tags, "referral") }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.AddResume(ids[299], lever.ResumeParsedData{Positions: []lever.ResumePosition{{Org: "Globex", Title: "CTO"}}}); err != nil {
		t.Fatal(err)
	}
	before := e.calls("GET /opportunities", "GET /opportunities/{id}/resumes")

	got, pages := listAllApplicants(t, e, ats.ApplicantQuery{JobID: job.ID, UpdatedAfter: since})

	var gotIDs []string
	for _, a := range got {
		gotIDs = append(gotIDs, a.ExternalID)
	}
	if !slices.Equal(gotIDs, changed) {
		t.Fatalf("incremental listing returned %d applicants, want only the %d changed %v", len(gotIDs), len(changed), changed)
	}
	after := e.calls("GET /opportunities", "GET /opportunities/{id}/resumes")
	if pages != 1 || after[0]-before[0] != 1 || after[1]-before[1] != 3 {
		t.Errorf("%d pages, %d list and %d resume calls; want 1 page, 1 list call, 3 resume calls", pages, after[0]-before[0], after[1]-before[1])
	}
	if got[0].Status != stages[3].Text {
		t.Errorf("moved applicant's status = %q, want %q", got[0].Status, stages[3].Text)
	}
	if ex := got[2].Experience; len(ex) != 1 || ex[0].Title != "CTO" {
		t.Errorf("experience of the applicant with a new resume = %+v, want the newest resume's", ex)
	}
	// The boundary is inclusive: asking from a change's own millisecond finds it.
	at := lever.TimeFromMillis(mustOpportunity(t, e.sim, ids[150]).UpdatedAt)
	got, _ = listAllApplicants(t, e, ats.ApplicantQuery{JobID: job.ID, UpdatedAfter: at})
	if len(got) != 3 {
		t.Errorf("from the changes' own millisecond: %d applicants, want 3", len(got))
	}
}

func mustOpportunity(t *testing.T, sim *leversim.Server, id string) lever.Opportunity {
	t.Helper()
	o, ok := sim.Opportunity(id)
	if !ok {
		t.Fatalf("opportunity %s is gone", id)
	}
	return o
}

func TestGetApplicant(t *testing.T) {
	t.Parallel()
	e := newSourceEnv(t, nil)
	job := e.sim.AddPosting("Barista", nil, e.owner.ID)
	other := e.sim.AddPosting("Roaster", nil, e.owner.ID)
	opp, _, err := e.sim.CreateOpportunity(context.Background(), "Ann Lee", "ann@example.com", job.ID)
	if err != nil {
		t.Fatal(err)
	}
	bare, _, err := e.sim.CreateOpportunity(context.Background(), "Bo Bare", "", job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.UpdateOpportunity(opp.ID, func(o *lever.Opportunity) {
		o.Headline, o.Location = "Barista at Bean There", "Lisbon"
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.AddResume(opp.ID, lever.ResumeParsedData{
		Positions: []lever.ResumePosition{
			{Org: "Bean There", Title: "Barista", Summary: "Latte art", Start: &lever.ResumeDate{Year: 2021, Month: 4}},
			{Org: "Acme", Title: "Cashier", Start: &lever.ResumeDate{Year: 2018}, End: &lever.ResumeDate{Year: 2021, Month: 3}},
		},
		Schools: []lever.ResumeSchool{{Org: "City College", Degree: "Diploma", Field: "Hospitality", Start: &lever.ResumeDate{Year: 2015, Month: 9}, End: &lever.ResumeDate{Year: 2017, Month: 6}}},
	}); err != nil {
		t.Fatal(err)
	}
	now := mustOpportunity(t, e.sim, opp.ID)
	month := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

	tests := []struct {
		name      string
		job, id   string
		want      *ats.Applicant
		wantError error
	}{
		{"with resume", job.ID, opp.ID, &ats.Applicant{
			ExternalID: opp.ID, ApplicationID: now.Applications[0].ID, JobID: job.ID,
			Name: "Ann Lee", Email: "ann@example.com", Headline: "Barista at Bean There", Location: "Lisbon",
			Status: "New applicant", AppliedAt: lever.TimeFromMillis(now.Applications[0].Application.CreatedAt),
			UpdatedAt: lever.TimeFromMillis(now.UpdatedAt), ProfileURL: opp.URLs.Show, Tags: []string{},
			Experience: []ats.Experience{
				{Title: "Barista", Company: "Bean There", Description: "Latte art", Start: month(2021, time.April), Current: true},
				{Title: "Cashier", Company: "Acme", Start: month(2018, time.January), End: month(2021, time.March)},
			},
			Education: []ats.Education{{Institution: "City College", Degree: "Diploma", Field: "Hospitality", Start: month(2015, time.September), End: month(2017, time.June)}},
		}, nil},
		{"without resume", job.ID, bare.ID, nil, nil},
		{"unknown", job.ID, "no-such-opportunity", nil, ats.ErrNotFound},
		{"not on this job", other.ID, opp.ID, nil, ats.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.conn.GetApplicant(context.Background(), e.cfg, tt.job, tt.id)
			if tt.wantError != nil {
				if !errors.Is(err, tt.wantError) {
					t.Fatalf("err = %v, want %v", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if a.ExternalID != tt.id || a.Experience != nil || a.Education != nil {
					t.Errorf("applicant = %+v, want one without history", a)
				}
				return
			}
			if !reflect.DeepEqual(a, *tt.want) {
				t.Errorf("applicant =\n%+v\nwant\n%+v", a, *tt.want)
			}
		})
	}
}

func TestMoveApplicant(t *testing.T) {
	t.Parallel()
	e := newSourceEnv(t, nil)
	job := e.sim.AddPosting("Barista", nil, e.owner.ID)
	opp, _, err := e.sim.CreateOpportunity(context.Background(), "Ann Lee", "ann@example.com", job.ID)
	if err != nil {
		t.Fatal(err)
	}
	targets, err := e.conn.MoveTargets(context.Background(), e.cfg, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want []ats.MoveTarget
	for _, s := range e.sim.Stages() {
		want = append(want, ats.MoveTarget{ID: s.ID, Label: s.Text})
	}
	if !reflect.DeepEqual(targets, want) {
		t.Fatalf("move targets = %+v, want the stages %+v", targets, want)
	}
	screen := targets[3]

	t.Run("moves", func(t *testing.T) {
		if err := e.conn.MoveApplicant(context.Background(), e.cfg, job.ID, opp.ID, screen.ID); err != nil {
			t.Fatal(err)
		}
		if got := mustOpportunity(t, e.sim, opp.ID).Stage.ID; got != screen.ID {
			t.Errorf("stage = %s, want %s", got, screen.ID)
		}
	})
	t.Run("a refusal carries Lever's message", func(t *testing.T) {
		err := e.conn.MoveApplicant(context.Background(), e.cfg, job.ID, opp.ID, "no-such-stage")
		var r *lever.Refusal
		if !errors.As(err, &r) || !strings.Contains(err.Error(), `stage "no-such-stage" does not exist`) {
			t.Fatalf("err = %v, want a *lever.Refusal with Lever's message", err)
		}
		if f, _ := ats.Classify(err); f != ats.FailGiveUp {
			t.Errorf("a refused move is %v, want give up", f)
		}
		if got := mustOpportunity(t, e.sim, opp.ID).Stage.ID; got != screen.ID {
			t.Errorf("a refused move changed the stage to %s", got)
		}
	})
	t.Run("unknown applicant", func(t *testing.T) {
		err := e.conn.MoveApplicant(context.Background(), e.cfg, job.ID, "no-such-opportunity", screen.ID)
		if !errors.Is(err, ats.ErrNotFound) {
			t.Fatalf("err = %v, want ats.ErrNotFound", err)
		}
	})
}

func TestVerifySource(t *testing.T) {
	t.Parallel()
	e := newSourceEnv(t, nil)
	e.sim.AddPosting("Barista", nil, e.owner.ID)
	with := func(key string) ats.Config {
		cfg := e.cfg
		cfg.Secrets = map[string]string{lever.CredentialAPIKey: key}
		return cfg
	}
	tests := []struct {
		name    string
		cfg     ats.Config
		want    ats.Failure
		wantMsg string
		calls   int
	}{
		{"accepted", with(apiKey), 0, "", 1},
		// A refused key is answered before the handler, which counts nothing.
		{"refused key", with("revoked-key"), ats.FailConfig, "Lever refused the API key (401)", 0},
		{"no key", with(""), ats.FailConfig, "no API key", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.calls("GET /postings")[0]
			err := e.conn.VerifySource(context.Background(), tt.cfg)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if f, _ := ats.Classify(err); err == nil || f != tt.want || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("err = %v (%v), want %v saying %q", err, f, tt.want, tt.wantMsg)
				}
			}
			if n := e.calls("GET /postings")[0] - before; n != tt.calls {
				t.Errorf("%d calls, want %d", n, tt.calls)
			}
		})
	}
}

// A credential's budget that another worker spent leaves the wait to the
// caller: the page fails with the *atshttp.WaitError, which ats.Classify
// turns into a retry after the wait.
func TestListApplicantsLeavesALongRateLimitWaitToTheCaller(t *testing.T) {
	t.Parallel()
	slow := atshttp.NewPool(func() *rate.Limiter { return rate.NewLimiter(rate.Every(time.Minute), 2) })
	e := newSourceEnv(t, slow)
	job := e.sim.AddPosting("Barista", nil, e.owner.ID)
	if _, err := e.sim.SeedOpportunities(job.ID, 5); err != nil {
		t.Fatal(err)
	}
	_, err := e.conn.ListApplicants(context.Background(), e.cfg, ats.ApplicantQuery{JobID: job.ID})
	var we *atshttp.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v, want an *atshttp.WaitError", err)
	}
	if f, after := ats.Classify(err); f != ats.FailRetry || after < 30*time.Second {
		t.Errorf("classified %v after %s, want retry after about a minute", f, after)
	}
	if c := e.calls("GET /opportunities", "GET /opportunities/{id}/resumes"); c[0] != 1 || c[1] != 1 {
		t.Errorf("calls %v, want the list and one resume before the budget ran out", c)
	}
}

func TestApplicantFromOpportunity(t *testing.T) {
	t.Parallel()
	const job = "p1"
	month := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	base := lever.Opportunity{ID: "o1", Name: "Ann", Emails: []string{"a@x", "b@x"}, Stage: lever.StageRef{ID: "s1"}, CreatedAt: 1000, UpdatedAt: 2000}
	tests := []struct {
		name    string
		opp     func(o *lever.Opportunity)
		resumes []lever.Resume
		check   func(t *testing.T, a ats.Applicant)
	}{
		{"stage id when not expanded, first email, created as applied", nil, nil, func(t *testing.T, a ats.Applicant) {
			if a.Status != "s1" || a.Email != "a@x" || !a.AppliedAt.Equal(lever.TimeFromMillis(1000)) || a.ApplicationID != "" {
				t.Errorf("%+v", a)
			}
		}},
		{"the application for this job", func(o *lever.Opportunity) {
			o.Applications = []lever.ApplicationRef{
				{ID: "a0", Application: &lever.Application{ID: "a0", Posting: "other", CreatedAt: 1}},
				{ID: "a1", Application: &lever.Application{ID: "a1", Posting: job, CreatedAt: 1500}},
			}
		}, nil, func(t *testing.T, a ats.Applicant) {
			if a.ApplicationID != "a1" || !a.AppliedAt.Equal(lever.TimeFromMillis(1500)) {
				t.Errorf("%+v", a)
			}
		}},
		{"archived", func(o *lever.Opportunity) { o.Archived = &lever.Archived{ArchivedAt: 3000, Reason: "r"} }, nil, func(t *testing.T, a ats.Applicant) {
			if a.SubStatus != "archived" {
				t.Errorf("SubStatus = %q", a.SubStatus)
			}
		}},
		{"the newest resume with data; empty entries and dates dropped", nil, []lever.Resume{
			{ID: "r1", CreatedAt: 10, ParsedData: lever.ResumeParsedData{Positions: []lever.ResumePosition{{Title: "Old"}}}},
			{ID: "r3", CreatedAt: 30},
			{ID: "r2", CreatedAt: 20, ParsedData: lever.ResumeParsedData{
				Positions: []lever.ResumePosition{{}, {Title: "New", End: &lever.ResumeDate{Year: 2020, Month: 2}}, {Org: "Undated"}},
				Schools:   []lever.ResumeSchool{{}, {Org: "Uni"}},
			}},
		}, func(t *testing.T, a ats.Applicant) {
			want := []ats.Experience{{Title: "New", End: month(2020, time.February)}, {Company: "Undated"}}
			if !reflect.DeepEqual(a.Experience, want) || !reflect.DeepEqual(a.Education, []ats.Education{{Institution: "Uni"}}) {
				t.Errorf("experience %+v, education %+v", a.Experience, a.Education)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := base
			if tt.opp != nil {
				tt.opp(&o)
			}
			tt.check(t, lever.ApplicantFromOpportunity(job, o, tt.resumes))
		})
	}
}

// FuzzDecodePostingsPage: whatever Lever answers for a page of postings
// decodes or is refused, never panics, maps to jobs that are open exactly
// when published, and survives a round trip.
func FuzzDecodePostingsPage(f *testing.F) {
	for _, seed := range []string{
		`{"data":[{"id":"p1","text":"Barista","state":"published","owner":{"id":"u1","name":"Rita"},"hiringManager":"u2",` +
			`"categories":{"team":"Coffee","location":"Lisbon"},"urls":{"show":"https://x/p1"},"requisitionCodes":["R1"],"updatedAt":1700000000000}],"hasNext":true,"next":"abc"}`,
		`{"data":[{"id":"p2","state":"closed","owner":null,"categories":{},"requisitionCodes":null}],"hasNext":false}`,
		`{"data":[{"id":"p3","owner":7}]}`, `{"data":null}`, `{"data":[null]}`, `{"hasNext":"yes"}`, `[]`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page lever.ListResponse[lever.Posting]
		if json.Unmarshal(body, &page) != nil {
			return
		}
		for _, p := range page.Data {
			j := lever.JobFromPosting(p)
			if j.ExternalID != p.ID || j.Open != (p.State == lever.PostingPublished) {
				t.Fatalf("posting %+v mapped to %+v", p, j)
			}
			if j.RecruiterID != "" && j.RecruiterID != p.Owner.ID && j.RecruiterID != p.HiringManager.ID {
				t.Fatalf("recruiter %q is neither owner nor hiring manager of %+v", j.RecruiterID, p)
			}
		}
		roundTrip(t, page)
	})
}

// FuzzDecodeOpportunitiesPage: a page of opportunities maps to applicants of
// the job asked for, each with its own id and first email, without panics.
func FuzzDecodeOpportunitiesPage(f *testing.F) {
	for _, seed := range []string{
		`{"data":[{"id":"o1","name":"Ann","emails":["a@x","b@x"],"stage":{"id":"s1","text":"Phone Screen"},` +
			`"applications":[{"id":"a1","posting":"p1","createdAt":5}],"archived":null,"tags":["Go"],"createdAt":1,"updatedAt":2}],"hasNext":true,"next":"n"}`,
		`{"data":[{"id":"o2","stage":"s2","applications":["a2"],"archived":{"archivedAt":9,"reason":"r"}}]}`,
		`{"data":[{"id":"o3","emails":null,"applications":[null,{"posting":"p1"}]}]}`, `{"data":[{"stage":[]}]}`, `{"data":{}}`, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page lever.ListResponse[lever.Opportunity]
		if json.Unmarshal(body, &page) != nil {
			return
		}
		for _, o := range page.Data {
			a := lever.ApplicantFromOpportunity("p1", o, nil)
			if a.ExternalID != o.ID || a.JobID != "p1" || (len(o.Emails) > 0 && a.Email != o.Emails[0]) {
				t.Fatalf("opportunity %+v mapped to %+v", o, a)
			}
		}
	})
}

// FuzzDecodeResumes: a page of resumes decodes or is refused; dates that
// decode are plausible months (or none), never an error that would lose
// the resume; what decodes survives a round trip.
func FuzzDecodeResumes(f *testing.F) {
	for _, seed := range []string{
		`{"data":[{"id":"r1","createdAt":5,"file":{"name":"cv.pdf","uploadedAt":"7","size":"12"},"parsedData":{` +
			`"positions":[{"org":"Acme","title":"Dev","summary":"Go","start":{"year":2019,"month":3},"end":null}],` +
			`"schools":[{"org":"Uni","degree":"BSc","field":"CS","start":{"year":"2012"},"end":{"year":2016,"month":6}}]}}],"hasNext":false}`,
		`{"data":[{"id":"r2","parsedData":{"positions":[{"start":1546300800000,"end":"2020-13"},{"start":"abc","end":{"year":99999}}]}}]}`,
		`{"data":[{"id":"r3","parsedData":{"positions":[{"start":[],"end":true}],"schools":null}}]}`,
		`{"data":[{"id":"r4","parsedData":null,"file":null}]}`, `{"data":[{"parsedData":{"positions":{}}}]}`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page lever.ListResponse[lever.Resume]
		if json.Unmarshal(body, &page) != nil {
			return
		}
		a := lever.ApplicantFromOpportunity("p1", lever.Opportunity{ID: "o1"}, page.Data)
		for _, e := range a.Experience {
			for _, tm := range []time.Time{e.Start, e.End} {
				if !tm.IsZero() && (tm.Year() < 1900 || tm.Year() > 2200 || tm.Day() != 1) {
					t.Fatalf("implausible date %s in %+v", tm, e)
				}
			}
		}
		roundTrip(t, page)
	})
}

// roundTrip fails t when v, encoded, decoded and encoded again, does not
// encode the same: bytes, not values, since omitempty rightly turns an
// empty list into an absent one.
func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode %+v: %v", v, err)
	}
	var again T
	if err := json.Unmarshal(b, &again); err != nil {
		t.Fatalf("re-decode %s: %v", b, err)
	}
	b2, err := json.Marshal(again)
	if err != nil {
		t.Fatalf("re-encode %+v: %v", again, err)
	}
	if !bytes.Equal(b, b2) {
		t.Fatalf("round trip changed the value:\n%s\n%s", b, b2)
	}
}

// A server that says there is more but names no new page gives up the
// listing instead of paging forever.
func TestSourceListsRefuseEndlessPagination(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[],"hasNext":true,"next":"`+r.URL.Query().Get("offset")+`"}`)
	}))
	defer srv.Close()
	conn := lever.NewConnector(lever.ConnectorOptions{})
	cfg := ats.Config{
		Integration: core.Integration{Settings: map[string]string{lever.SettingBaseURL: srv.URL}},
		Secrets:     map[string]string{lever.CredentialAPIKey: apiKey},
		HTTPClient:  srv.Client(),
	}
	for name, list := range map[string]func(cursor string) error{
		"jobs": func(c string) error { _, err := conn.ListOpenJobs(context.Background(), cfg, c); return err },
		"applicants": func(c string) error {
			_, err := conn.ListApplicants(context.Background(), cfg, ats.ApplicantQuery{JobID: "p1", Cursor: c})
			return err
		},
	} {
		for _, cursor := range []string{"", "tok"} {
			err := list(cursor)
			if f, _ := ats.Classify(err); err == nil || f != ats.FailGiveUp || !strings.Contains(err.Error(), "repeated next token") {
				t.Errorf("%s from %q: err = %v (%v), want give up on a repeated next token", name, cursor, err, f)
			}
		}
	}
}

// BenchmarkListApplicantsPage is one page of 100 applicants with their
// resumes (101 calls) over loopback, limits off: the connector's and the
// simulator's own cost, which the rate limit dwarfs (101 calls take 11 s at
// Lever's pace).
func BenchmarkListApplicantsPage(b *testing.B) {
	sim := leversim.New(leversim.WithRateLimit(0, 1))
	sim.AddAPIKey(apiKey)
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	job := sim.AddPosting("Barista", nil, "")
	if _, err := sim.SeedOpportunities(job.ID, 100); err != nil {
		b.Fatal(err)
	}
	conn := lever.NewConnector(lever.ConnectorOptions{Limiters: atshttp.NewPool(func() *rate.Limiter { return rate.NewLimiter(rate.Inf, 1) })})
	cfg := ats.Config{
		Integration: core.Integration{Settings: map[string]string{lever.SettingBaseURL: srv.URL + "/v1"}},
		Secrets:     map[string]string{lever.CredentialAPIKey: apiKey},
		HTTPClient:  srv.Client(),
	}
	for b.Loop() {
		page, err := conn.ListApplicants(context.Background(), cfg, ats.ApplicantQuery{JobID: job.ID})
		if err != nil || len(page.Applicants) != 100 {
			b.Fatalf("%d applicants, %v", len(page.Applicants), err)
		}
	}
}
