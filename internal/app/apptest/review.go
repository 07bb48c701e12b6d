package apptest

import (
	"net/http/httptest"

	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

// SRReviewOptions vary the SmartRecruiters company SetupSRReview makes.
type SRReviewOptions struct {
	// Applicants of Job (at least 3, default 12) and of Second (default 3).
	Applicants, SecondApplicants int
	// Sim are more simulator options (its clock is the env's ClientNow,
	// and it takes http callbacks: Switchboard's test server is plain).
	Sim []srsim.Option
}

// SRReview is a SmartRecruiters company for applicant review, with an API
// key: two open jobs of two recruiters, a filled one, seeded applicants,
// and three applicants of Job, all NEW, whose profiles a qualification
// tells apart.
type SRReview struct {
	Sim     *srsim.Server
	URL     string
	Company srsim.Company
	Key     string // an API key (SmartToken) with every scope review uses
	Job     sr.Job // ENG-7, Backend Engineer, Riley Recruiter's
	Second  sr.Job // CAF-1, Barista, Sam Sourcer's
	Filled  sr.Job // not open
	// GoDev has 6 years as a Go developer on Kubernetes and an MSc;
	// RustDev 3 years of Rust and a BSc; Barista neither language.
	GoDev, RustDev, Barista string
}

// SetupSRReview makes the company in a simulator of its own.
func (e *Env) SetupSRReview(o SRReviewOptions) *SRReview {
	e.T.Helper()
	if o.Applicants == 0 {
		o.Applicants = 12
	}
	o.Applicants = max(o.Applicants, 3)
	if o.SecondApplicants == 0 {
		o.SecondApplicants = 3
	}
	w := &SRReview{Sim: srsim.New(append([]srsim.Option{srsim.WithClock(e.ClientNow), srsim.WithHTTPCallbacks()}, o.Sim...)...)}
	srv := httptest.NewServer(w.Sim.Handler())
	e.T.Cleanup(srv.Close)
	w.URL = srv.URL
	w.Sim.SetBaseURL(srv.URL)
	w.Company = w.Sim.AddCompany("Acme Robotics")
	must := func(err error) {
		if err != nil {
			e.T.Helper()
			e.T.Fatalf("srsim: %v", err)
		}
	}
	var err error
	w.Key, err = w.Sim.IssueAPIKey(w.Company.ID)
	must(err)
	w.Job, err = w.Sim.AddJobWith(w.Company.ID, srsim.JobSpec{Title: "Backend Engineer", RefNumber: "ENG-7", Department: "Engineering", City: "Berlin",
		Creator: sr.UserRef{ID: "u-riley", FirstName: "Riley", LastName: "Recruiter"}})
	must(err)
	w.Second, err = w.Sim.AddJobWith(w.Company.ID, srsim.JobSpec{Title: "Barista", RefNumber: "CAF-1",
		Creator: sr.UserRef{ID: "u-sam", FirstName: "Sam", LastName: "Sourcer"}})
	must(err)
	w.Filled, err = w.Sim.AddJobWith(w.Company.ID, srsim.JobSpec{Title: "Office Manager", Status: "FILLED"})
	must(err)
	ids, err := w.Sim.SeedApplicants(w.Company.ID, string(w.Job.ID), o.Applicants)
	must(err)
	_, err = w.Sim.SeedApplicants(w.Company.ID, string(w.Second.ID), o.SecondApplicants)
	must(err)
	_, err = w.Sim.SeedApplicants(w.Company.ID, string(w.Filled.ID), 2)
	must(err)
	now := e.ClientNow()
	month := func(yearsAgo int) sr.ProfileDate {
		d := now.AddDate(-yearsAgo, 0, 0)
		return sr.Month(d.Year(), d.Month())
	}
	w.GoDev, w.RustDev, w.Barista = ids[0], ids[1], ids[2]
	for _, id := range ids[:3] {
		must(w.Sim.SetApplicationStatus(w.Company.ID, id, string(w.Job.ID), sr.CandidateNew, ""))
	}
	must(w.Sim.SetProfile(w.Company.ID, w.GoDev, srsim.Profile{Tags: []string{"go", "kubernetes"},
		Experience: []sr.ExperienceEntry{{Title: "Senior Go Developer", Company: "Hooli", StartDate: month(6), Current: true, Description: "Go services on Kubernetes."}},
		Education:  []sr.EducationEntry{{Institution: "TU Berlin", Degree: "MSc", Major: "Computer Science", StartDate: month(9), EndDate: month(7)}}}))
	must(w.Sim.SetProfile(w.Company.ID, w.RustDev, srsim.Profile{Tags: []string{"rust"},
		Experience: []sr.ExperienceEntry{{Title: "Backend Engineer", Company: "Initech", StartDate: month(3), Current: true, Description: "Rust services."}},
		Education:  []sr.EducationEntry{{Institution: "MIT", Degree: "BSc", Major: "Physics", StartDate: month(7), EndDate: month(4)}}}))
	must(w.Sim.SetProfile(w.Company.ID, w.Barista, srsim.Profile{Tags: []string{"latte art"},
		Experience: []sr.ExperienceEntry{{Title: "Barista", Company: "Wonka", StartDate: month(2), Current: true, Description: "Coffee."}}}))
	return w
}
