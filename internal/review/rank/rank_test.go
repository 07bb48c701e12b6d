package rank

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/ats"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func ptr(f float64) *float64 { return &f }

func TestFilterReasons(t *testing.T) {
	t.Parallel()
	senior := ats.Applicant{ExternalID: "x", Status: "Interview", Name: "Zoë Ångström", Headline: "Go engineer",
		Skills:     []string{"Go", "Docker"},
		Experience: []ats.Experience{{Start: month(2020, 1), End: month(2022, 12)}},
		Education:  []ats.Education{{Degree: "Associate of Science"}}}
	tests := []struct {
		name string
		c    Criteria
		a    ats.Applicant
		want []string // nil: ranked
	}{
		{"passes", Criteria{Required: []string{"go", "docker"}, MinYears: 3, Degree: DegreeAssociate,
			Statuses: []string{"interview"}, Query: "zoe ANG"}, senior, nil},
		{"one line", Criteria{Required: []string{"Rust"}}, senior, []string{"needs: Rust"}},
		{"alternatives", Criteria{Required: []string{"Rust, Zig|c++"}}, senior, []string{"needs one of: Rust, Zig, c++"}},
		{"phrases in the user's words", Criteria{Required: []string{`"machine learning" or senior ML`}}, senior,
			[]string{`needs one of: "machine learning", senior ML`}},
		{"every failed line", Criteria{Required: []string{"Go", "Rust", "Docker", "AWS, GCP"}}, senior,
			[]string{"needs: Rust", "needs one of: AWS, GCP"}},
		{"years", Criteria{MinYears: 3.5}, senior, []string{"needs at least 3.5 years of experience, has 3 years"}},
		{"years as typed, had rounded down", Criteria{MinYears: 3.25}, ats.Applicant{ExternalID: "x",
			Experience: []ats.Experience{{Start: month(2020, 1), End: month(2023, 2)}}}, // 38 months, 3.1666
			[]string{"needs at least 3.25 years of experience, has 3.1 years"}},
		{"one year", Criteria{MinYears: 1}, ats.Applicant{ExternalID: "x"}, []string{"needs at least 1 year of experience, has 0 years"}},
		{"degree", Criteria{Degree: DegreeBachelor}, senior, []string{"needs a bachelor's degree or higher, has an associate"}},
		{"no degree", Criteria{Degree: DegreeAssociate}, ats.Applicant{ExternalID: "x"}, []string{"needs an associate degree or higher, none found"}},
		{"status", Criteria{Statuses: []string{"New", "In Review"}}, senior, []string{`status is "Interview", not one of: New, In Review`}},
		{"no status", Criteria{Statuses: []string{"New"}}, ats.Applicant{ExternalID: "x"}, []string{"has no status, not one of: New"}},
		{"search", Criteria{Query: "smith"}, senior, []string{`does not match the search "smith"`}},
		{"search by email", Criteria{Query: "@example"}, ats.Applicant{ExternalID: "x", Email: "a@example.com"}, nil},
		{"all of them", Criteria{Required: []string{"Rust"}, MinYears: 5, Degree: DegreeMaster, Statuses: []string{"New"}, Query: "nobody"}, senior,
			[]string{`status is "Interview", not one of: New`, `does not match the search "nobody"`, "needs: Rust",
				"needs at least 5 years of experience, has 3 years", "needs a master's degree or higher, has an associate"}},
		{"invalid criteria", Criteria{Required: []string{"go,,"}, Degree: "phd"}, senior,
			[]string{`the qualifications are invalid: required line 1 has an empty alternative (number 2): remove the extra separator; unknown degree "phd": use one of associate, bachelor, master, doctorate, or none`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Rank(tt.c, []Input{{Applicant: tt.a}}, now)
			if tt.want == nil {
				if len(res.Ranked) != 1 {
					t.Fatalf("filtered out: %+v", res.Filtered)
				}
				return
			}
			if len(res.Filtered) != 1 || len(res.Ranked) != 0 {
				t.Fatalf("Rank = %+v, want one filtered", res)
			}
			if got := res.Filtered[0].Reasons; !slices.Equal(got, tt.want) {
				t.Fatalf("reasons\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestBM25Reference checks the points of a term against BM25 computed
// here from its definition, for a corpus small enough to count by hand.
func TestBM25Reference(t *testing.T) {
	t.Parallel()
	in := []Input{
		{Applicant: ats.Applicant{ExternalID: "a", Headline: "go go go rust"}},        // 4 words, tf(go)=3
		{Applicant: ats.Applicant{ExternalID: "b", Headline: "go java"}},              // 2 words, tf(go)=1
		{Applicant: ats.Applicant{ExternalID: "c", Headline: "java python c++ rust"}}, // 4 words
		{Applicant: ats.Applicant{ExternalID: "d", Headline: "cobol"}},                // 1 word
	}
	res := Rank(Criteria{Preferred: []string{"go"}}, in, now)
	N, df, avg := 4.0, 2.0, 11.0/4
	idf := math.Log(1 + (N-df+0.5)/(df+0.5))
	bm25 := func(tf, dl float64) int64 {
		return int64(math.Round(idf * tf * (BM25K1 + 1) / (tf + BM25K1*(1-BM25B+BM25B*dl/avg)) * PointsPerBM25 * 1000))
	}
	want := map[string]int64{"a": bm25(3, 4), "b": bm25(1, 2), "c": 0, "d": 0}
	for _, r := range res.Ranked {
		var got int64
		for _, p := range r.Parts {
			if p.Kind == KindPreferred && p.Label == "go" {
				got = p.Points
			}
		}
		if got != want[r.ApplicantID] {
			t.Errorf("%s: BM25 points %d, want %d", r.ApplicantID, got, want[r.ApplicantID])
		}
	}
	if want["a"] <= want["b"] {
		t.Fatalf("the reference itself is wrong: %v", want)
	}
}

func TestScoreParts(t *testing.T) {
	t.Parallel()
	in := []Input{
		{Applicant: ats.Applicant{ExternalID: "a", Skills: []string{"Go", "Kafka"},
			Experience: []ats.Experience{{Start: month(2010, 1), End: month(2025, 12)}},
			Education:  []ats.Education{{Degree: "MSc Computer Science"}}},
			Assessment: &Assessment{Score: ptr(80), Label: "Strong", Package: "Backend"}},
		{Applicant: ats.Applicant{ExternalID: "b", Skills: []string{"Go"},
			Experience: []ats.Experience{{Start: month(2022, 1), End: month(2024, 12)}}},
			Assessment: &Assessment{Label: "Pending"}},
		{Applicant: ats.Applicant{ExternalID: "c", Skills: []string{"Go"},
			Experience: []ats.Experience{{Start: month(2024, 1), End: month(2024, 12)}}},
			Assessment: &Assessment{Score: ptr(250)}},
	}
	res := Rank(Criteria{Required: []string{"go"}, Preferred: []string{"kafka"}, MinYears: 1}, in, now)
	byID := map[string]Ranked{}
	for _, r := range res.Ranked {
		byID[r.ApplicantID] = r
	}
	find := func(id, kind string) []Part {
		var ps []Part
		for _, p := range byID[id].Parts {
			if p.Kind == kind {
				ps = append(ps, p)
			}
		}
		return ps
	}
	// a: 16 years, 15 above the minimum, capped at 10.
	if y := find("a", KindYears); len(y) != 1 || y[0].Points != MaxBonusYears*PointsPerYear*1000 ||
		y[0].Label != "16 years of experience, at least 1 year wanted" {
		t.Errorf("a's years part %+v", y)
	}
	if byID["a"].Years != 16 || byID["b"].Years != 3 {
		t.Errorf("years %v and %v, want 16 and 3", byID["a"].Years, byID["b"].Years)
	}
	// b: 3 years, 2 above.
	if y := find("b", KindYears); len(y) != 1 || y[0].Points != 2*PointsPerYear*1000 {
		t.Errorf("b's years part %+v", y)
	}
	if d := find("a", KindDegree); len(d) != 1 || d[0].Label != DegreeMaster || d[0].Points != 0 || d[0].Snippet != "MSc Computer Science" {
		t.Errorf("a's degree part %+v", d)
	}
	if p := find("a", KindPreferred); len(p) != 2 || p[0].Points != PreferredBonus*1000 || p[0].Label != "bonus for: kafka" ||
		p[1].Label != "kafka" || p[1].Field != FieldSkills || p[1].Points <= 0 {
		t.Errorf("a's preferred parts %+v", p)
	}
	if as := find("a", KindAssessment); len(as) != 1 || as[0].Points != 24000 || as[0].Label != "Strong" || as[0].Snippet != "Backend: 80/100" {
		t.Errorf("a's assessment part %+v", as)
	}
	if as := find("b", KindAssessment); len(as) != 1 || as[0].Points != 0 || as[0].Snippet != "assessment: no score" {
		t.Errorf("b's assessment part %+v", as)
	}
	if as := find("c", KindAssessment); len(as) != 1 || as[0].Points != AssessmentPoints*1000 {
		t.Errorf("c's assessment part (score over 100 capped) %+v", as)
	}
	if got := []string{res.Ranked[0].ApplicantID, res.Ranked[1].ApplicantID, res.Ranked[2].ApplicantID}; !slices.Equal(got, []string{"a", "c", "b"}) {
		t.Errorf("order %v, want a c b", got)
	}
	checkParts(t, res)
}

// checkParts asserts the invariant every Ranked keeps.
func checkParts(t *testing.T, res Result) {
	t.Helper()
	for _, r := range res.Ranked {
		var sum int64
		for _, p := range r.Parts {
			sum += p.Points
			if p.Points < 0 {
				t.Errorf("%s: negative part %+v", r.ApplicantID, p)
			}
			if n := len([]rune(p.Snippet)); n > maxSnippet {
				t.Errorf("%s: snippet of %d runes", r.ApplicantID, n)
			}
			if (p.Kind == KindRequired || p.Kind == KindPreferred) && !strings.HasPrefix(p.Label, "bonus for: ") &&
				(p.Field == "" || p.Snippet == "") {
				t.Errorf("%s: term part without where it matched: %+v", r.ApplicantID, p)
			}
		}
		if sum != r.Score {
			t.Errorf("%s: parts sum to %d, score is %d", r.ApplicantID, sum, r.Score)
		}
	}
}

func TestTieBreak(t *testing.T) {
	t.Parallel()
	same := func(id string, from int) Input {
		return Input{Applicant: ats.Applicant{ExternalID: id, Skills: []string{"Go"},
			Experience: []ats.Experience{{Start: month(from, 1), End: month(from, 12)}}}}
	}
	// Equal scores (no years bonus: MinYears 0 caps nothing here, but a
	// year is a year, so give the same year count and differ by ID).
	in := []Input{same("c", 2020), same("a", 2021), same("b", 2019)}
	res := Rank(Criteria{Required: []string{"go"}}, in, now)
	var got []string
	for _, r := range res.Ranked {
		got = append(got, r.ApplicantID)
	}
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("equal scores and years ordered %v, want by ID", got)
	}
	// Equal scores, different years: more years first. The years bonus is
	// capped, so 30 and 20 years above the minimum score the same.
	in = []Input{
		{Applicant: ats.Applicant{ExternalID: "a", Experience: []ats.Experience{{Start: month(1996, 1), End: month(2015, 12)}}}},
		{Applicant: ats.Applicant{ExternalID: "b", Experience: []ats.Experience{{Start: month(1986, 1), End: month(2015, 12)}}}},
	}
	res = Rank(Criteria{}, in, now)
	if res.Ranked[0].Score != res.Ranked[1].Score || res.Ranked[0].ApplicantID != "b" {
		t.Fatalf("ranked %+v, want equal scores with b (30 years) first", res.Ranked)
	}
	// Filtered are by ID.
	res = Rank(Criteria{Required: []string{"rust"}}, []Input{same("z", 2020), same("m", 2020), same("a", 2020)}, now)
	if res.Filtered[0].ApplicantID != "a" || res.Filtered[2].ApplicantID != "z" {
		t.Fatalf("filtered %+v, want by ID", res.Filtered)
	}
}

func TestShuffleInvariance(t *testing.T) {
	t.Parallel()
	in := genApplicants(400, 7)
	// Twins: same content, other IDs, to exercise the tie-break.
	for i := range 20 {
		twin := in[i]
		twin.Applicant.ExternalID += "-twin"
		twin.Applicant.ApplicationID += "-twin"
		in = append(in, twin)
	}
	c := benchCriteria
	c.Statuses = []string{"New", "In Review", "Interview"}
	want := Rank(c, in, now)
	if len(want.Ranked) < 20 || len(want.Filtered) < 20 {
		t.Fatalf("the set ranks %d and filters %d; want a mix", len(want.Ranked), len(want.Filtered))
	}
	checkParts(t, want)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		shuffled := slices.Clone(in)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := Rank(c, shuffled, now); !reflect.DeepEqual(got, want) {
			t.Fatal("a shuffled input ranks differently")
		}
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	in := genApplicants(20, 2026)
	c := benchCriteria
	c.MinYears = 4
	c.Statuses = []string{"New", "In Review", "Interview"}
	res := Rank(c, in, now)
	if len(res.Ranked) == 0 || len(res.Filtered) == 0 {
		t.Fatalf("the golden set ranks %d and filters %d; want both", len(res.Ranked), len(res.Filtered))
	}
	checkParts(t, res)
	got, err := json.MarshalIndent(struct {
		Criteria Criteria `json:"criteria"`
		Result   Result   `json:"result"`
	}{c, res}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "rank_golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Rank differs from %s (run with -update after checking the change):\n%s", path, got)
	}
}

func BenchmarkRank10k(b *testing.B) {
	in := genApplicants(10_000, 42)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := Rank(benchCriteria, in, now)
		if len(res.Ranked) == 0 {
			b.Fatal("nothing ranked")
		}
	}
}

func TestCriteriaJSON(t *testing.T) {
	t.Parallel()
	c := Criteria{Required: []string{"Go, Rust"}, Preferred: []string{`"machine learning"`}, MinYears: 2.5,
		Degree: DegreeMaster, Statuses: []string{"New"}, Query: "ann"}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"required":["Go, Rust"],"preferred":["\"machine learning\""],"min_years":2.5,"degree":"master","statuses":["New"],"query":"ann"}`
	if string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	var back Criteria
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, c) {
		t.Fatalf("read back %+v, %v; want %+v", back, err, c)
	}
	if b, _ := json.Marshal(Criteria{}); string(b) != "{}" {
		t.Fatalf("empty criteria are %s, want {}", b)
	}
}

// FuzzApplicantText ranks text as it comes from an ATS against a line:
// never a panic, and every explanation keeps its invariants.
func FuzzApplicantText(f *testing.F) {
	f.Add("Go, c++", "Senior C++/Go dev", "B.S. Physics", "Built\n\nKafka things")
	f.Add(`"machine learning" | ML`, "ML\u0301 engineer", "Ph. D.", "machine   learning")
	f.Add("José", "jose\xff\xfe", "M.B.A.", "")
	f.Fuzz(func(t *testing.T, line, headline, degree, description string) {
		in := []Input{
			{Applicant: ats.Applicant{ExternalID: "a", Headline: headline,
				Education:  []ats.Education{{Degree: degree}},
				Experience: []ats.Experience{{Start: month(2020, 1), Current: true, Description: description}}}},
			{Applicant: ats.Applicant{ExternalID: "b", Headline: description, Skills: []string{headline}}},
		}
		res := Rank(Criteria{Required: []string{line}, Preferred: []string{line}}, in, now)
		if len(res.Ranked)+len(res.Filtered) != len(in) {
			t.Fatalf("%d ranked and %d filtered of %d", len(res.Ranked), len(res.Filtered), len(in))
		}
		checkParts(t, res)
	})
}

// TestRankingOrder is the ranking table: OR within a line, AND
// across lines, years and degree filters, preferred bonuses, ties.
func TestRankingOrder(t *testing.T) {
	t.Parallel()
	app := func(id string, years int, degree string, skills ...string) Input {
		a := ats.Applicant{ExternalID: id, Skills: skills, Education: []ats.Education{{Degree: degree}}}
		if years > 0 {
			a.Experience = []ats.Experience{{Start: month(2025-years+1, 1), End: month(2025, 12)}}
		}
		return Input{Applicant: a}
	}
	pool := []Input{
		app("ann", 6, "MSc", "Go", "Kafka", "AWS"),
		app("bob", 2, "BSc", "Rust", "Kafka"),
		app("cat", 9, "", "Go"),
		app("dan", 4, "PhD", "Java", "Kafka"),
		app("eve", 4, "BSc", "Go", "Docker"),
		app("fay", 4, "BSc", "Go", "Docker"), // eve's twin
	}
	tests := []struct {
		name     string
		c        Criteria
		ranked   []string
		filtered []string
	}{
		{"OR within a line", Criteria{Required: []string{"Go, Rust"}},
			[]string{"cat", "ann", "eve", "fay", "bob"}, []string{"dan"}},
		{"AND across lines", Criteria{Required: []string{"Go, Rust", "Kafka"}},
			[]string{"ann", "bob"}, []string{"cat", "dan", "eve", "fay"}},
		{"years", Criteria{Required: []string{"Go, Rust, Java"}, MinYears: 5},
			[]string{"cat", "ann"}, []string{"bob", "dan", "eve", "fay"}},
		{"degree", Criteria{Degree: DegreeMaster}, []string{"ann", "dan"}, []string{"bob", "cat", "eve", "fay"}},
		// Each matched preferred line is worth a bonus and its terms: ann
		// matches both and passes cat, whose nine years would otherwise
		// win.
		{"preferred bonuses", Criteria{Required: []string{"Go"}, Preferred: []string{"Kafka", "AWS, GCP"}},
			[]string{"ann", "cat", "eve", "fay"}, []string{"bob", "dan"}},
		{"ties by years then ID", Criteria{Required: []string{"Docker"}}, []string{"eve", "fay"},
			[]string{"ann", "bob", "cat", "dan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Rank(tt.c, slices.Clone(pool), now)
			var ranked, filtered []string
			for _, r := range res.Ranked {
				ranked = append(ranked, r.ApplicantID)
			}
			for _, f := range res.Filtered {
				filtered = append(filtered, f.ApplicantID)
			}
			if !slices.Equal(ranked, tt.ranked) || !slices.Equal(filtered, tt.filtered) {
				t.Fatalf("ranked %v filtered %v; want ranked %v filtered %v", ranked, filtered, tt.ranked, tt.filtered)
			}
			checkParts(t, res)
		})
	}
}
