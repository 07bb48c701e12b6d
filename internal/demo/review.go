package demo

// Applicant review on SmartRecruiters, the second half of the product: a
// super admin connects a SmartRecruiters company with an API key, Switchboard
// subscribes to its change webhooks and syncs the open jobs and their
// applicants, a recruiter sets a job's qualifications and reads the ranking
// with its reasons, moves the best applicant on in SmartRecruiters, and a
// candidate deleted in SmartRecruiters leaves the ranking by webhook. All of
// it through the admin API (/api/v1/review/…); the simulator stands in for
// the company's SmartRecruiters.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

// The review company's applicants. Every applicant costs the sync three
// calls (the candidate, the application, the screening answers) at
// SmartRecruiters' 10 requests a second per key, so the demo seeds a dozen
// or so, which sync in about four seconds, rather than hundreds: 200 would
// take a minute.
const (
	reviewMainApplicants  = 200
	reviewOtherApplicants = 2
	reviewTop             = 5
	// reviewTarget is where the best applicant is moved.
	reviewTarget = sr.CandidateInReview
)

// reviewCriteria are the qualifications the recruiter applies: a required
// line with alternatives, a preferred line, minimum years and a degree.
var reviewCriteria = map[string]any{
	"required":  []string{"Go | Rust"},
	"preferred": []string{"kubernetes"},
	"min_years": 2,
	"degree":    "bachelor",
}

// reviewSourceJSON is a review source as the admin API shows it.
type reviewSourceJSON struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Problem    string     `json:"problem"`
	Subscribed bool       `json:"subscribed"`
	LastSyncAt *time.Time `json:"last_sync_at"`
	Sync       *struct {
		State          string     `json:"state"`
		Full           bool       `json:"full"`
		JobsDone       int        `json:"jobs_done"`
		JobsTotal      int        `json:"jobs_total"`
		Applicants     int        `json:"applicants"`
		Pages          int        `json:"pages"`
		PagesPerMinute float64    `json:"pages_per_minute"`
		ETASeconds     *int64     `json:"eta_seconds"`
		Error          string     `json:"error"`
		StartedAt      time.Time  `json:"started_at"`
		FinishedAt     *time.Time `json:"finished_at"`
	} `json:"sync"`
}

type reviewApplicantJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Move   *struct {
		Target string    `json:"target"`
		Error  string    `json:"error"`
		At     time.Time `json:"at"`
	} `json:"move"`
}

type reviewPartJSON struct {
	Kind    string  `json:"kind"`
	Label   string  `json:"label"`
	Field   string  `json:"field"`
	Snippet string  `json:"snippet"`
	Points  float64 `json:"points"`
}

// reviewRankingJSON is a job's ranking as the admin API shows it.
type reviewRankingJSON struct {
	Ranked []struct {
		Rank      int                 `json:"rank"`
		Applicant reviewApplicantJSON `json:"applicant"`
		Score     float64             `json:"score"`
		Years     float64             `json:"years"`
		Degree    string              `json:"degree"`
		Parts     []reviewPartJSON    `json:"parts"`
	} `json:"ranked"`
	Filtered []struct {
		Applicant reviewApplicantJSON `json:"applicant"`
		Reasons   []string            `json:"reasons"`
	} `json:"filtered"`
}

type reviewJobJSON struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	RefNumber  string `json:"ref_number"`
	Status     string `json:"status"`
	Location   string `json:"location"`
	Department string `json:"department"`
	Applicants int    `json:"applicants"`
}

// reviewDemo is the applicant review scenario's state.
type reviewDemo struct {
	sim                  *srsim.Server
	company              srsim.Company
	key                  string
	main, other, filled  sr.Job
	goDev, rustDev, brew string // candidates made to show the ranking's reasons
	connectedAt          time.Time
	sourceID, jobPath    string
	ranking              reviewRankingJSON
	moved, deleted       string
}

func (r *runner) reviewScenario(ctx context.Context) error {
	d := &reviewDemo{sim: r.srSim}
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"in SmartRecruiters: a company with two open jobs and a filled one, seeded applicants, an API key", d.setUp},
		{"connect SmartRecruiters with the API key (admin API): verified, both webhooks subscribed", func() (string, error) {
			return d.connect(ctx, r)
		}},
		{"the first sync brings the open jobs and their applicants", func() (string, error) {
			return d.waitSync(ctx, r)
		}},
		{"the requisitions (admin API)", func() (string, error) {
			return d.requisitions(ctx, r)
		}},
		{"apply qualifications to " + reviewMainTitle + ": Go or Rust required, Kubernetes preferred, 2 years, a bachelor's degree", func() (string, error) {
			return d.applyCriteria(ctx, r)
		}},
		{"the ranking: the top 5 with their reasons, and who was filtered out and why", func() (string, error) {
			return d.showRanking(ctx, r)
		}},
		{"move the top applicant to IN_REVIEW: SmartRecruiters shows it", func() (string, error) {
			return d.moveTop(ctx, r)
		}},
		{"in SmartRecruiters: a candidate is deleted; the webhook takes them out of the ranking", func() (string, error) {
			return d.deleteOne(ctx, r)
		}},
	}
	for _, s := range steps {
		if err := r.step(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}

const reviewMainTitle = "Backend Engineer"

func (d *reviewDemo) setUp() (string, error) {
	d.company = d.sim.AddCompany("Acme Robotics")
	var err error
	if d.key, err = d.sim.IssueAPIKey(d.company.ID); err != nil {
		return "", err
	}
	recruiter := sr.UserRef{ID: "u-riley", FirstName: "Riley", LastName: "Recruiter"}
	if d.main, err = d.sim.AddJobWith(d.company.ID, srsim.JobSpec{Title: reviewMainTitle, RefNumber: "ENG-7", Department: "Engineering", City: "Berlin", Country: "DE", Creator: recruiter}); err != nil {
		return "", err
	}
	if d.other, err = d.sim.AddJobWith(d.company.ID, srsim.JobSpec{Title: "Site Reliability Engineer", RefNumber: "ENG-9", Status: "INTERVIEW", Department: "Engineering", City: "Toronto", Country: "CA", Creator: recruiter}); err != nil {
		return "", err
	}
	if d.filled, err = d.sim.AddJobWith(d.company.ID, srsim.JobSpec{Title: "Office Manager", RefNumber: "OPS-2", Status: "FILLED"}); err != nil {
		return "", err
	}
	ids, err := d.sim.SeedApplicants(d.company.ID, string(d.main.ID), reviewMainApplicants)
	if err != nil {
		return "", err
	}
	if _, err := d.sim.SeedApplicants(d.company.ID, string(d.other.ID), reviewOtherApplicants); err != nil {
		return "", err
	}
	if _, err := d.sim.SeedApplicants(d.company.ID, string(d.filled.ID), 2); err != nil {
		return "", err
	}
	// Seven of the seeded applicants get profiles that show the ranking's
	// reasons plainly and keep the top five filled whatever the others
	// drew: five who know Go or Rust, a barista and a Python developer who
	// know neither. The rest keep their varied seeded profiles.
	d.goDev, d.rustDev, d.brew = ids[0], ids[1], ids[2]
	now := time.Now()
	since := func(years int) sr.ProfileDate {
		t := now.AddDate(-years, 0, 0)
		return sr.Month(t.Year(), t.Month())
	}
	job := func(title, company string, from, to int, desc string) sr.ExperienceEntry {
		e := sr.ExperienceEntry{Title: title, Company: company, StartDate: since(from), Description: desc}
		if to == 0 {
			e.Current = true
		} else {
			e.EndDate = since(to)
		}
		return e
	}
	school := func(name, degree, major string, grad int) []sr.EducationEntry {
		return []sr.EducationEntry{{Institution: name, Degree: degree, Major: major, StartDate: since(grad + 3), EndDate: since(grad)}}
	}
	profiles := []srsim.Profile{
		{Tags: []string{"go", "kubernetes", "grpc"}, Education: school("TU Berlin", "MSc", "Computer Science", 13),
			Experience: []sr.ExperienceEntry{job("Senior Go Developer", "Hooli", 7, 0, "Go services on Kubernetes, gRPC APIs."), job("Backend Engineer", "Globex", 12, 7, "Go and PostgreSQL.")}},
		{Tags: []string{"rust"}, Education: school("MIT", "BSc", "Physics", 4),
			Experience: []sr.ExperienceEntry{job("Backend Engineer", "Initech", 3, 0, "Rust services.")}},
		{Tags: []string{"latte art"},
			Experience: []sr.ExperienceEntry{job("Barista", "Wonka", 1, 0, "Coffee.")}},
		{Tags: []string{"go", "python"}, Education: school("University of Lagos", "BSc", "Mathematics", 6),
			Experience: []sr.ExperienceEntry{job("Data Engineer", "Umbrella", 5, 0, "Pipelines in Go and Python.")}},
		{Tags: []string{"terraform", "kubernetes"}, Education: school("ETH Zürich", "BSc", "Electrical Engineering", 5),
			Experience: []sr.ExperienceEntry{job("Site Reliability Engineer", "Cyberdyne", 4, 0, "Kubernetes clusters and Go tooling.")}},
		{Tags: []string{"rust", "kubernetes"}, Education: school("Sorbonne", "PhD", "Physics", 7),
			Experience: []sr.ExperienceEntry{job("Platform Engineer", "Tyrell", 6, 0, "Rust operators for Kubernetes.")}},
		{Tags: []string{"python", "react"}, Education: school("IIT Bombay", "BSc", "Computer Science", 5),
			Experience: []sr.ExperienceEntry{job("Frontend Developer", "Soylent", 4, 0, "React and Python.")}},
	}
	for i, p := range profiles {
		if err := d.sim.SetProfile(d.company.ID, ids[i], p); err != nil {
			return "", err
		}
	}
	// The job's applicants are new, not yet reviewed: the move is visible.
	for _, id := range ids {
		if err := d.sim.SetApplicationStatus(d.company.ID, id, string(d.main.ID), sr.CandidateNew, ""); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("company %s (companyId %s)\njobs: %s %s (%d applicants), %s %s (%d), %s %s (filled, 2)\nAPI key (SmartToken) %.8s… from Settings › Apps & Integrations › Credentials",
		d.company.Name, d.company.ID, d.main.RefNumber, d.main.Title, reviewMainApplicants, d.other.RefNumber, d.other.Title, reviewOtherApplicants,
		d.filled.RefNumber, d.filled.Title, d.key), nil
}

func (d *reviewDemo) connect(ctx context.Context, r *runner) (string, error) {
	// A key SmartRecruiters refuses is refused with its answer, and stores
	// nothing.
	var bad struct {
		Error string `json:"error"`
	}
	in := map[string]any{"provider": "smartrecruiters", "credentials": map[string]string{sr.CredentialAPIKey: "not-a-key"},
		"settings": map[string]string{sr.SettingBaseURL: d.sim.BaseURL()}}
	code, err := r.api(ctx, "POST", "/review/sources", in, &bad)
	if err != nil {
		return "", err
	}
	if code != http.StatusUnprocessableEntity || bad.Error == "" {
		return "", fmt.Errorf("a wrong key: %d %q, want 422 with SmartRecruiters' answer", code, bad.Error)
	}
	in["credentials"] = map[string]string{sr.CredentialAPIKey: d.key}
	var rs reviewSourceJSON
	if code, err = r.api(ctx, "POST", "/review/sources", in, &rs); err != nil {
		return "", err
	}
	if code != http.StatusCreated || rs.Status != "active" || !rs.Subscribed {
		return "", fmt.Errorf("connect: %d, source %s subscribed=%v %s", code, rs.Status, rs.Subscribed, rs.Problem)
	}
	d.sourceID, d.connectedAt = rs.ID, time.Now()
	subs := d.sim.Subscriptions(d.company.ID)
	var events []string
	for _, s := range subs {
		if !s.Active {
			return "", fmt.Errorf("SmartRecruiters' subscription %s to %v is not active", s.ID, s.Events)
		}
		events = append(events, s.Events...)
	}
	slices.Sort(events)
	if !slices.Equal(events, []string{"candidate.deleted", "job.status.updated"}) {
		return "", fmt.Errorf("SmartRecruiters has subscriptions to %v", events)
	}
	return fmt.Sprintf("a wrong key first: 422 %q\nthe right one: source %s, %s\nSmartRecruiters' subscriptions, both active after the X-Hook-Secret handshake: %s",
		bad.Error, rs.ID, rs.Status, strings.Join(events, ", ")), nil
}

func (d *reviewDemo) waitSync(ctx context.Context, r *runner) (string, error) {
	var rs reviewSourceJSON
	var seen []string
	// 200 applicants are about 600 calls at SmartRecruiters' 10 a second.
	err := waitForUpTo(ctx, "the first sync", 3*time.Minute, func() (bool, error) {
		rs = reviewSourceJSON{}
		if code, err := r.api(ctx, "GET", "/review/sources/"+d.sourceID, nil, &rs); err != nil || code != http.StatusOK {
			return false, fmt.Errorf("GET the source: %d %v", code, err)
		}
		sy := rs.Sync
		if sy == nil {
			return false, nil
		}
		// One line per change of the counts, as a progress bar moves.
		line := "listing the open jobs"
		if sy.JobsTotal > 0 {
			line = fmt.Sprintf("jobs %d of %d, %d applicants, pages read: %d", sy.JobsDone, sy.JobsTotal, sy.Applicants, sy.Pages)
		}
		if len(seen) == 0 || !strings.HasPrefix(seen[len(seen)-1], line) {
			if sy.ETASeconds != nil && *sy.ETASeconds > 0 {
				line += fmt.Sprintf(", about %ds to go", *sy.ETASeconds)
			}
			seen = append(seen, line)
		}
		if sy.State == "failed" {
			return false, fmt.Errorf("the sync failed: %s", sy.Error)
		}
		return sy.State == "done", nil
	})
	if err != nil {
		return "", err
	}
	sy := rs.Sync
	want := reviewMainApplicants + reviewOtherApplicants
	if !sy.Full || sy.JobsTotal != 2 || sy.JobsDone != 2 || sy.Applicants != want || rs.LastSyncAt == nil {
		return "", fmt.Errorf("the sync read jobs %d of %d and %d applicants (full %v), want the 2 open jobs and %d applicants", sy.JobsDone, sy.JobsTotal, sy.Applicants, sy.Full, want)
	}
	// Timed here: the sync's own finish time is its last page's start.
	return fmt.Sprintf("progress as the page shows it:\n  %s\ndone about %.1fs after connecting (three calls an applicant, at SmartRecruiters' 10 a second); the filled job is not synced",
		strings.Join(seen, "\n  "), time.Since(d.connectedAt).Seconds()), nil
}

func (d *reviewDemo) requisitions(ctx context.Context, r *runner) (string, error) {
	var out struct {
		Jobs []reviewJobJSON `json:"jobs"`
	}
	if code, err := r.api(ctx, "GET", "/review/sources/"+d.sourceID+"/jobs", nil, &out); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("GET jobs: %d %v", code, err)
	}
	want := map[string]int{string(d.main.ID): reviewMainApplicants, string(d.other.ID): reviewOtherApplicants}
	if len(out.Jobs) != len(want) {
		return "", fmt.Errorf("%d requisitions listed, want the %d open jobs", len(out.Jobs), len(want))
	}
	var b strings.Builder
	for _, j := range out.Jobs {
		n, ok := want[j.ID]
		if !ok || j.Applicants != n {
			return "", fmt.Errorf("requisition %s %q with %d applicants, want one of the open jobs with its applicants", j.ID, j.Title, j.Applicants)
		}
		fmt.Fprintf(&b, "%-6s %-26s %-9s %-16s %d applicants\n", j.RefNumber, j.Title, j.Status, j.Location, j.Applicants)
	}
	// The search by title or id finds the one job.
	if code, err := r.api(ctx, "GET", "/review/sources/"+d.sourceID+"/jobs?q=ENG-7", nil, &out); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("search jobs: %d %v", code, err)
	}
	if len(out.Jobs) != 1 || out.Jobs[0].ID != string(d.main.ID) {
		return "", fmt.Errorf("searching ENG-7 found %d jobs", len(out.Jobs))
	}
	d.jobPath = "/review/sources/" + d.sourceID + "/jobs/" + string(d.main.ID)
	fmt.Fprintf(&b, "search %q: %s", "ENG-7", out.Jobs[0].Title)
	return b.String(), nil
}

func (d *reviewDemo) applyCriteria(ctx context.Context, r *runner) (string, error) {
	var job struct {
		Criteria struct {
			Required  []string `json:"required"`
			Preferred []string `json:"preferred"`
			MinYears  float64  `json:"min_years"`
			Degree    string   `json:"degree"`
		} `json:"criteria"`
	}
	if code, err := r.api(ctx, "PUT", d.jobPath+"/criteria", reviewCriteria, &job); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("PUT criteria: %d %v", code, err)
	}
	c := job.Criteria
	if !slices.Equal(c.Required, reviewCriteria["required"].([]string)) || !slices.Equal(c.Preferred, reviewCriteria["preferred"].([]string)) || c.MinYears != 2 || c.Degree != "bachelor" {
		return "", fmt.Errorf("the job keeps criteria %+v", c)
	}
	return fmt.Sprintf("required: %s (alternatives on a line are OR, lines are AND)\npreferred: %s\nat least %g years of experience; degree: %s or higher",
		strings.Join(c.Required, "; "), strings.Join(c.Preferred, "; "), c.MinYears, c.Degree), nil
}

func (d *reviewDemo) rank(ctx context.Context, r *runner) (reviewRankingJSON, error) {
	var rk reviewRankingJSON
	if code, err := r.api(ctx, "GET", d.jobPath+"/ranking", nil, &rk); err != nil || code != http.StatusOK {
		return rk, fmt.Errorf("GET ranking: %d %v", code, err)
	}
	return rk, nil
}

func (d *reviewDemo) showRanking(ctx context.Context, r *runner) (string, error) {
	rk, err := d.rank(ctx, r)
	if err != nil {
		return "", err
	}
	d.ranking = rk
	if n := len(rk.Ranked) + len(rk.Filtered); n != reviewMainApplicants {
		return "", fmt.Errorf("%d ranked and %d filtered of %d applicants", len(rk.Ranked), len(rk.Filtered), reviewMainApplicants)
	}
	// Five of the applicants were made to pass; the seeded rest may add more.
	if len(rk.Ranked) < reviewTop {
		return "", fmt.Errorf("only %d applicants ranked", len(rk.Ranked))
	}
	// The score is explained: its parts add up to it, and the order follows it.
	for i, ra := range rk.Ranked {
		var sum float64
		for _, p := range ra.Parts {
			sum += p.Points
		}
		if math.Abs(sum-ra.Score) > 0.0015 || ra.Rank != i+1 || (i > 0 && rk.Ranked[i-1].Score < ra.Score) {
			return "", fmt.Errorf("rank %d (%s): score %v, parts summing to %v", ra.Rank, ra.Applicant.Name, ra.Score, sum)
		}
	}
	// The Go developer with Kubernetes and twelve years ranks, above the
	// Rust engineer with three, with the Kubernetes they matched shown.
	pos := map[string]int{}
	for i, ra := range rk.Ranked {
		pos[ra.Applicant.ID] = i + 1
	}
	if pos[d.goDev] == 0 || pos[d.rustDev] == 0 || pos[d.goDev] > pos[d.rustDev] {
		return "", fmt.Errorf("the Go developer ranks %d, the Rust engineer %d: want both ranked (Go | Rust), the Go developer first", pos[d.goDev], pos[d.rustDev])
	}
	if !slices.ContainsFunc(rk.Ranked[pos[d.goDev]-1].Parts, func(p reviewPartJSON) bool {
		return p.Kind == "preferred" && strings.Contains(strings.ToLower(p.Snippet), "kubernetes")
	}) {
		return "", errors.New("the Go developer's reasons do not show the Kubernetes they matched")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d ranked, %d filtered out\n", len(rk.Ranked), len(rk.Filtered))
	for _, ra := range rk.Ranked[:reviewTop] {
		deg := cmp.Or(ra.Degree, "no degree")
		fmt.Fprintf(&b, "%d. %s — score %.1f, %.1f years, %s\n", ra.Rank, ra.Applicant.Name, ra.Score, ra.Years, deg)
		for _, p := range topParts(ra.Parts, 4) {
			fmt.Fprintf(&b, "     %+6.1f %s\n", p.Points, describePart(p))
		}
	}
	i := slices.IndexFunc(rk.Filtered, func(f struct {
		Applicant reviewApplicantJSON `json:"applicant"`
		Reasons   []string            `json:"reasons"`
	}) bool {
		return f.Applicant.ID == d.brew
	})
	if i < 0 || !strings.Contains(strings.Join(rk.Filtered[i].Reasons, "; "), "Go") {
		return "", fmt.Errorf("the barista is not filtered out for lacking Go or Rust (filtered: %d)", len(rk.Filtered))
	}
	f := rk.Filtered[i]
	fmt.Fprintf(&b, "filtered out: %s\n", f.Applicant.Name)
	for _, reason := range f.Reasons {
		fmt.Fprintf(&b, "     - %s\n", reason)
	}
	return b.String(), nil
}

// topParts are the n parts earning the most points, in that order (the
// first on ties, so the order is the API's); parts earning none (a degree
// that only passes the filter) are left out.
func topParts(ps []reviewPartJSON, n int) []reviewPartJSON {
	ps = slices.DeleteFunc(slices.Clone(ps), func(p reviewPartJSON) bool { return p.Points == 0 })
	slices.SortStableFunc(ps, func(a, b reviewPartJSON) int { return cmp.Compare(b.Points, a.Points) })
	return ps[:min(n, len(ps))]
}

// describePart is one reason in a line: what matched, where and on what
// text.
func describePart(p reviewPartJSON) string {
	switch {
	case p.Field == "" && p.Snippet == "":
		return p.Label // a preferred line's bonus
	case p.Kind == "required" || p.Kind == "preferred":
		s := fmt.Sprintf("%s %q", p.Kind, p.Label)
		if p.Field != "" {
			s += " in " + p.Field
		}
		if p.Snippet != "" {
			s += fmt.Sprintf(": %q", p.Snippet)
		}
		return s
	case p.Kind == "degree":
		return fmt.Sprintf("degree: %s (%q)", p.Label, p.Snippet)
	}
	return p.Kind + ": " + p.Label
}

func (d *reviewDemo) moveTop(ctx context.Context, r *runner) (string, error) {
	var targets struct {
		Targets []struct {
			ID    string `json:"id"`
			Label string `json:"label"`
		} `json:"targets"`
	}
	if code, err := r.api(ctx, "GET", d.jobPath+"/move-targets", nil, &targets); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("GET move-targets: %d %v", code, err)
	}
	var labels []string
	for _, t := range targets.Targets {
		labels = append(labels, t.Label)
	}
	if !slices.ContainsFunc(targets.Targets, func(t struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	}) bool {
		return t.ID == string(reviewTarget)
	}) {
		return "", fmt.Errorf("%s is not among the move targets %v", reviewTarget, labels)
	}
	top := d.ranking.Ranked[0].Applicant
	before, ok := d.sim.ApplicantState(d.company.ID, top.ID, string(d.main.ID))
	if !ok {
		return "", fmt.Errorf("SmartRecruiters has no application of %s", top.Name)
	}
	var moved struct {
		Results []struct {
			ApplicantID string `json:"applicant_id"`
			Moved       bool   `json:"moved"`
			Error       string `json:"error"`
		} `json:"results"`
	}
	if code, err := r.api(ctx, "POST", d.jobPath+"/move", map[string]any{"applicant_ids": []string{top.ID}, "target": reviewTarget}, &moved); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("POST move: %d %v", code, err)
	}
	if len(moved.Results) != 1 || !moved.Results[0].Moved {
		return "", fmt.Errorf("move: %+v", moved.Results)
	}
	after, ok := d.sim.ApplicantState(d.company.ID, top.ID, string(d.main.ID))
	if !ok || after.Status != reviewTarget {
		return "", fmt.Errorf("SmartRecruiters shows %s's application as %s, want %s", top.Name, after.Status, reviewTarget)
	}
	rk, err := d.rank(ctx, r)
	if err != nil {
		return "", err
	}
	row := rk.Ranked[0].Applicant
	if row.ID != top.ID || row.Move == nil || row.Move.Target != string(reviewTarget) || row.Move.Error != "" {
		return "", fmt.Errorf("the ranking's row for %s shows move %+v", top.Name, row.Move)
	}
	d.ranking, d.moved = rk, top.ID
	return fmt.Sprintf("targets: %s\nSwitchboard: %s moved\nSmartRecruiters: %s's application to %s is %s (was %s), updated %s\nthe ranking's row: moved to %s at %s",
		strings.Join(labels, ", "), top.Name, top.Name, d.main.Title, after.Status, before.Status, after.UpdatedOn.Format("15:04:05"),
		row.Move.Target, row.Move.At.Format("15:04:05")), nil
}

func (d *reviewDemo) deleteOne(ctx context.Context, r *runner) (string, error) {
	gone := d.ranking.Ranked[1].Applicant
	before := len(d.ranking.Ranked)
	ds, err := d.sim.DeleteCandidate(ctx, d.company.ID, gone.ID)
	if err != nil {
		return "", err
	}
	if len(ds) != 1 || ds[0].StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("candidate.deleted deliveries %+v, want one answered 202", ds)
	}
	var rk reviewRankingJSON
	err = waitFor(ctx, gone.Name+" to leave the ranking", func() (bool, error) {
		var err error
		rk, err = d.rank(ctx, r)
		if err != nil {
			return false, err
		}
		for _, ra := range rk.Ranked {
			if ra.Applicant.ID == gone.ID {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return "", err
	}
	if len(rk.Ranked) != before-1 {
		return "", fmt.Errorf("%d ranked after one deletion, want %d", len(rk.Ranked), before-1)
	}
	d.deleted = gone.ID
	// BM25 weighs a term by how few applicants have it, so one fewer
	// applicant can reorder close scores.
	return fmt.Sprintf("SmartRecruiters deleted %s and sent candidate.deleted (signed) → Switchboard answered %d\nthe ranking: %d applicants, %s is gone; 2. is now %s (score %.1f)",
		gone.Name, ds[0].StatusCode, len(rk.Ranked), gone.Name, rk.Ranked[1].Applicant.Name, rk.Ranked[1].Score), nil
}
