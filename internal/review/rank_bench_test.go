package review

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/review/rank"
)

// BenchmarkRankJob10k ranks one job of 10,000 applicants on SQLite as the
// job page does: the stamp query, then the ranking of the cached inputs
// with every explanation; p95-ms is over the iterations. ColdRankJob10k is
// the first ranking after a sync: reading and decoding every profile too.
func BenchmarkRankJob10k(b *testing.B) {
	w, rs := rankWorld(b, 10_000)
	crit := &rank.Criteria{Required: []string{"go, rust, python"}, Preferred: []string{"kubernetes | terraform", "postgresql", `"site reliability"`}, MinYears: 2, Degree: rank.DegreeBachelor}
	if _, err := w.s.Rank(b.Context(), w.actor, rs.ID, "j1", crit); err != nil { // warms the cache
		b.Fatal(err)
	}
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		r, err := w.s.Rank(b.Context(), w.actor, rs.ID, "j1", crit)
		took = append(took, time.Since(start))
		if err != nil || len(r.Ranked) == 0 {
			b.Fatalf("%d ranked: %v", len(r.Ranked), err)
		}
	}
	reportP95(b, took)
}

func BenchmarkColdRankJob10k(b *testing.B) {
	w, rs := rankWorld(b, 10_000)
	crit := &rank.Criteria{Required: []string{"go, rust, python"}, Preferred: []string{"kubernetes"}}
	var took []time.Duration
	for b.Loop() {
		w.s.ranks = rankCache{}
		start := time.Now()
		if _, err := w.s.Rank(b.Context(), w.actor, rs.ID, "j1", crit); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	reportP95(b, took)
}

func reportP95(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	if len(took) > 0 {
		b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
	}
}

// rankWorld is a source with one job of n generated applicants.
func rankWorld(b *testing.B, n int) (*world, core.ReviewSource) {
	b.Helper()
	w := newWorld(b)
	ctx := b.Context()
	rs, err := w.s.Connect(ctx, w.actor, ConnectInput{Provider: "fake", Credentials: map[string]string{"api_key": "good"}})
	if err != nil {
		b.Fatal(err)
	}
	w.drain(0)
	rng := rand.New(rand.NewPCG(1, 2))
	skills := []string{"go", "rust", "python", "kubernetes", "terraform", "postgresql", "react", "aws", "kafka", "latte art", "leadership", "sql"}
	titles := []string{"Software Engineer", "Site Reliability Engineer", "Backend Developer", "Data Engineer", "Barista", "Manager"}
	apps := make([]core.ReviewApplicant, 0, n)
	for i := range n {
		a := ats.Applicant{ExternalID: fmt.Sprintf("c%05d", i), Name: fmt.Sprint("Applicant ", i), Headline: titles[rng.IntN(len(titles))]}
		for range 15 {
			a.Skills = append(a.Skills, skills[rng.IntN(len(skills))])
		}
		end := w.now
		for range 5 {
			start := end.AddDate(0, -6-rng.IntN(30), 0)
			a.Experience = append(a.Experience, ats.Experience{Title: titles[rng.IntN(len(titles))], Company: "Acme", Start: start, End: end,
				Description: "Built services in " + skills[rng.IntN(len(skills))] + " and " + skills[rng.IntN(len(skills))] + " for customers."})
			end = start
		}
		a.Education = []ats.Education{{Institution: "TU Berlin", Degree: []string{"BSc", "MSc", "PhD", "Diploma"}[rng.IntN(4)], Field: "Computer Science"},
			{Institution: "School", Degree: "High school"}}
		ra, err := reviewApplicant(rs.ID, "j1", a, w.now)
		if err != nil {
			b.Fatal(err)
		}
		apps = append(apps, ra)
	}
	for chunk := range slices.Chunk(apps, 500) {
		if err := w.st.UpsertReviewApplicants(ctx, chunk); err != nil {
			b.Fatal(err)
		}
	}
	return w, rs
}
