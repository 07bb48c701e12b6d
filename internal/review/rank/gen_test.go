package rank

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"switchboard/internal/ats"
)

// The generated applicants of the shuffle, golden and benchmark tests:
// 5 positions, 2 schools and 15 skills each, from pools small enough that
// the criteria below match some and not others.
var (
	genSkills = []string{"Go", "Rust", "C++", "C#", "Node.js", "Python", "Java", "Kubernetes", "Docker",
		"PostgreSQL", "MySQL", "AWS", "GCP", "Azure", "Terraform", "Kafka", "React", "TypeScript", "Scala",
		"Machine Learning", "gRPC", "Redis", "Linux", "Ansible", "Spark", "Elixir", "Haskell", "Swift",
		"Kotlin", "PHP", "Ruby", "Django", "Flask", "GraphQL", "Jenkins", "Prometheus", "Grafana", "Nginx",
		"MongoDB", "Cassandra"}
	genTitles    = []string{"Software Engineer", "Senior Backend Developer", "Site Reliability Engineer", "Data Engineer", "Engineering Manager", "Full-stack Developer", "Platform Engineer", "Intern"}
	genCompanies = []string{"Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Pied Piper", "Stark Industries", "Wayne Enterprises", "Müller GmbH"}
	genDegrees   = []string{"BSc Computer Science", "B.S. Mathematics", "MSc Data Science", "Ph.D. Physics", "MBA", "Associate of Science", "High School Diploma", "Master of Engineering", "Bachelor of Arts"}
	genSchools   = []string{"MIT", "ETH Zürich", "Universidad de Córdoba", "State College", "University of Tokyo"}
	genStatuses  = []string{"New", "In Review", "Interview", "Rejected"}
	genLabels    = []string{"Strong", "Consider", "Weak"}
)

func genApplicants(n int, seed uint64) []Input {
	rng := rand.New(rand.NewPCG(seed, 0x5b))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	in := make([]Input, n)
	for i := range in {
		a := ats.Applicant{
			ExternalID:    fmt.Sprintf("cand-%05d", i),
			ApplicationID: fmt.Sprintf("app-%05d", i),
			JobID:         "job-1",
			Name:          fmt.Sprintf("Applicant %d", i),
			Email:         fmt.Sprintf("applicant%d@example.com", i),
			Headline:      pick(genTitles) + " at " + pick(genCompanies),
			Status:        pick(genStatuses),
		}
		start := time.Date(2008+rng.IntN(16), time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		for p := range 5 {
			e := ats.Experience{
				Title:   pick(genTitles),
				Company: pick(genCompanies),
				Start:   start,
				Description: fmt.Sprintf("Built services in %s and %s; ran %s in production.\nWorked with %s.",
					pick(genSkills), pick(genSkills), pick(genSkills), pick(genSkills)),
			}
			end := start.AddDate(0, 2+rng.IntN(30), 0)
			if p == 4 && rng.IntN(3) == 0 {
				e.Current = true
			} else if end.Before(now) {
				e.End = end
			}
			a.Experience = append(a.Experience, e)
			// Some positions overlap the next.
			start = end.AddDate(0, rng.IntN(8)-3, 0)
		}
		for range 2 {
			a.Education = append(a.Education, ats.Education{Institution: pick(genSchools), Degree: pick(genDegrees), Field: pick(genSkills)})
		}
		for range 15 {
			a.Skills = append(a.Skills, pick(genSkills))
		}
		if rng.IntN(4) == 0 {
			a.Tags = []string{"referral"}
		}
		a.Answers = []ats.Answer{{Question: "Notice period?", Answer: strings.Repeat("one month ", 1+rng.IntN(2))}}
		in[i].Applicant = a
		if rng.IntN(10) < 6 {
			as := &Assessment{Label: pick(genLabels), Package: "Backend"}
			if rng.IntN(6) > 0 {
				s := float64(rng.IntN(1001)) / 10
				as.Score = &s
			}
			in[i].Assessment = as
		}
	}
	return in
}

// benchCriteria are 3 required and 4 preferred lines.
var benchCriteria = Criteria{
	Required:  []string{"Go, Rust, C++", "Kubernetes | Docker", "PostgreSQL OR MySQL"},
	Preferred: []string{"Kafka", `"machine learning", ML`, "AWS, GCP, Azure", "Terraform"},
	MinYears:  3,
	Degree:    DegreeBachelor,
}
