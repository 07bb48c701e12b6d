package rank

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"switchboard/internal/ats"
)

var now = time.Date(2026, time.December, 2, 14, 0, 0, 0, time.UTC)

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

// requiredParts ranks the one applicant by one required line and returns
// the parts of that line, or ok false when the applicant is filtered out.
func requiredParts(t *testing.T, line string, a ats.Applicant) (parts []Part, ok bool) {
	t.Helper()
	if a.ExternalID == "" {
		a.ExternalID = "a1"
	}
	res := Rank(Criteria{Required: []string{line}}, []Input{{Applicant: a}}, now)
	if len(res.Ranked)+len(res.Filtered) != 1 {
		t.Fatalf("Rank returned %d ranked and %d filtered for one applicant", len(res.Ranked), len(res.Filtered))
	}
	if len(res.Ranked) == 0 {
		return nil, false
	}
	for _, p := range res.Ranked[0].Parts {
		if p.Kind == KindRequired {
			parts = append(parts, p)
		}
	}
	return parts, true
}

func TestMatching(t *testing.T) {
	t.Parallel()
	headline := func(s string) ats.Applicant { return ats.Applicant{Headline: s} }
	tests := []struct {
		name  string
		line  string
		a     ats.Applicant
		match bool
		field string // of the first part, when matched
		snip  string // a substring of its snippet
	}{
		{"word", "Go", headline("Senior Go developer"), true, FieldHeadline, "Senior Go developer"},
		{"case folded", "GOLANG", headline("golang"), true, FieldHeadline, "golang"},
		{"not inside a word", "go", headline("Google, Django, ergo, gopher"), false, "", ""},
		{"word at the ends", "go", headline("go"), true, FieldHeadline, "go"},
		{"punctuation is a boundary", "go", headline("(Go/Rust)."), true, FieldHeadline, "Go"},
		{"c++", "c++", headline("Expert in C++ and Python"), true, FieldHeadline, "C++"},
		{"c is not c++", "c", headline("C++ and C# only"), false, "", ""},
		{"c++ is not c", "c++", headline("C and Java"), false, "", ""},
		{"c#", "C#", headline("C#/.NET engineer"), true, FieldHeadline, "C#"},
		{"c# is not c++", "c#", headline("C++"), false, "", ""},
		{"c# then a version", "c#", headline("C#10"), true, FieldHeadline, "C#"},
		{".net", ".NET", headline("C#/.NET engineer"), true, FieldHeadline, ".NET"},
		{"node.js", "node.js", headline("Node.js backend"), true, FieldHeadline, "Node.js"},
		{"node.js written apart", "node.js", headline("Node JS backend"), true, FieldHeadline, "Node JS"},
		{"node.js is not node alone", "node.js", headline("Node backend, JS frontend"), false, "", ""},
		{"accents folded in the text", "jose", headline("José Müller"), true, FieldHeadline, "José"},
		{"accents folded in the line", "Müller", headline("jose muller"), true, FieldHeadline, "muller"},
		{"decomposed accent", "jose", headline("Jose\u0301"), true, FieldHeadline, "Jose\u0301"},
		{"eszett", "strasse", headline("Hauptstraße 1"), false, "", ""},
		{"eszett word", "strasse", headline("Straße"), true, FieldHeadline, "Straße"},
		{"hyphen splits", "full stack", headline("Full-stack engineer"), true, FieldHeadline, "Full-stack"},
		{"phrase in order", `"machine learning"`, headline("Machine  learning at scale"), true, FieldHeadline, "Machine learning"},
		{"phrase out of order", `"machine learning"`, headline("learning machine"), false, "", ""},
		{"words anywhere", "machine learning", headline("learning machine"), true, FieldHeadline, ""},
		{"words in two fields", "kubernetes python", ats.Applicant{Headline: "Python dev", Skills: []string{"Kubernetes"}}, true, FieldSkills, "Kubernetes"},
		{"a word missing", "kubernetes python", ats.Applicant{Skills: []string{"Kubernetes"}}, false, "", ""},
		{"phrase does not span skills", `"go rust"`, ats.Applicant{Skills: []string{"Go", "Rust"}}, false, "", ""},
		{"second alternative", "Rust, Go", headline("Go"), true, FieldHeadline, "Go"},
		{"or word", "Rust OR Go", headline("Go"), true, FieldHeadline, "Go"},
		{"no alternative", "Rust | Zig", headline("Go"), false, "", ""},
		{"experience title", "architect", ats.Applicant{Experience: []ats.Experience{{Title: "Solutions Architect"}}}, true, FieldExperienceTitle, "Solutions Architect"},
		{"experience company", "acme", ats.Applicant{Experience: []ats.Experience{{Company: "ACME Corp"}}}, true, FieldExperienceCompany, "ACME"},
		{"experience description", "kafka", ats.Applicant{Experience: []ats.Experience{{Description: "Ran Kafka\nclusters"}}}, true, FieldExperienceDescription, "Ran Kafka clusters"},
		{"education degree", "physics", ats.Applicant{Education: []ats.Education{{Degree: "BSc Physics"}}}, true, FieldEducationDegree, "BSc Physics"},
		{"education field", "mathematics", ats.Applicant{Education: []ats.Education{{Field: "Mathematics"}}}, true, FieldEducationField, "Mathematics"},
		{"education institution", "mit", ats.Applicant{Education: []ats.Education{{Institution: "MIT"}}}, true, FieldEducationInstitution, "MIT"},
		{"tags", "referral", ats.Applicant{Tags: []string{"Referral"}}, true, FieldTags, "Referral"},
		{"answers, not questions", "yes", ats.Applicant{Answers: []ats.Answer{{Question: "Yes or no?", Answer: "No"}}}, false, "", ""},
		{"answers", "permit", ats.Applicant{Answers: []ats.Answer{{Question: "Visa?", Answer: "I hold a work permit"}}}, true, FieldAnswers, "work permit"},
		{"name is not matched", "smith", ats.Applicant{Name: "Ann Smith"}, false, "", ""},
		{"digits", "5g", headline("5G networks"), true, FieldHeadline, "5G"},
		{"non-latin", "東京", headline("東京 office"), true, FieldHeadline, "東京"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parts, ok := requiredParts(t, tt.line, tt.a)
			if ok != tt.match {
				t.Fatalf("%q on %+v: matched %v, want %v", tt.line, tt.a, ok, tt.match)
			}
			if !ok {
				return
			}
			if len(parts) == 0 || parts[0].Field != tt.field || !strings.Contains(parts[0].Snippet, tt.snip) {
				t.Fatalf("%q: parts %+v, want the first in %s quoting %q", tt.line, parts, tt.field, tt.snip)
			}
			for _, p := range parts {
				if p.Points <= 0 {
					t.Errorf("%q: part %+v earns no points", tt.line, p)
				}
			}
		})
	}
}

func TestBestAlternativeWins(t *testing.T) {
	t.Parallel()
	// Only the best alternative of a line counts, not every one matched:
	// Rust, written twice, is worth more than Go once.
	in := []Input{
		{Applicant: ats.Applicant{ExternalID: "both", Headline: "Rust and Rust", Skills: []string{"Go"}}},
		{Applicant: ats.Applicant{ExternalID: "go1", Headline: "Java and Java", Skills: []string{"Go"}}},
	}
	res := Rank(Criteria{Required: []string{"Go, Rust"}}, in, now)
	var labels []string
	for _, p := range res.Ranked[0].Parts {
		if p.Kind == KindRequired {
			labels = append(labels, p.Label)
		}
	}
	if res.Ranked[0].ApplicantID != "both" || strings.Join(labels, ",") != "Rust" {
		t.Fatalf("ranked %s first with required parts %v, want both with only Rust", res.Ranked[0].ApplicantID, labels)
	}
}

// TestSynonymsShareIDF: the alternatives of a line are one concept, so a
// rare spelling is worth what a common one is.
func TestSynonymsShareIDF(t *testing.T) {
	t.Parallel()
	in := []Input{
		{Applicant: ats.Applicant{ExternalID: "k8s", Skills: []string{"k8s"}}},
		{Applicant: ats.Applicant{ExternalID: "kube1", Skills: []string{"Kubernetes"}}},
		{Applicant: ats.Applicant{ExternalID: "kube2", Skills: []string{"Kubernetes"}}},
		{Applicant: ats.Applicant{ExternalID: "none", Skills: []string{"Java"}}},
	}
	res := Rank(Criteria{Preferred: []string{"Kubernetes | k8s"}}, in, now)
	score := map[string]int64{}
	for _, r := range res.Ranked {
		score[r.ApplicantID] = r.Score
	}
	if score["k8s"] != score["kube1"] || score["kube1"] != score["kube2"] || score["kube1"] <= score["none"] {
		t.Fatalf("scores %v, want k8s = kube1 = kube2 > none", score)
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("lorem ipsum ", 30)
	tests := []struct {
		name, text, match string
		want              string
	}{
		{"short whole", "Senior Go developer", "Go", "Senior Go developer"},
		{"whitespace collapsed", "a\n\n\tGo  b", "Go", "a Go b"},
		{"cut both sides", long + "KAFKA" + long, "KAFKA", ""},
		{"cut after", "KAFKA " + long, "KAFKA", ""},
		{"match too long", strings.Repeat("x", 200), strings.Repeat("x", 200), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := strings.Index(tt.text, tt.match)
			var sn snipper
			got := sn.snippet(tt.text, start, start+len(tt.match))
			if n := utf8.RuneCountInString(got); n > maxSnippet {
				t.Fatalf("snippet has %d runes, more than %d: %q", n, maxSnippet, got)
			}
			if tt.want != "" && got != tt.want {
				t.Fatalf("snippet = %q, want %q", got, tt.want)
			}
			if tt.want == "" && !strings.Contains(got, "…") {
				t.Fatalf("snippet = %q, want a cut mark", got)
			}
			if len(tt.match) < maxSnippet && !strings.Contains(got, tt.match) {
				t.Fatalf("snippet = %q, want it to quote %q", got, tt.match)
			}
		})
	}
	// Around a match in the middle, both sides get context.
	var sn snipper
	got := sn.snippet(long+"KAFKA"+long, len(long), len(long)+5)
	if i := strings.Index(got, "KAFKA"); i < 20 || len(got)-i < 20 {
		t.Fatalf("snippet %q is not around the match", got)
	}
}

func TestExperienceMonths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		exps []ats.Experience
		want int
	}{
		{"none", nil, 0},
		{"one, end month counts", []ats.Experience{{Start: month(2020, 1), End: month(2020, 3)}}, 3},
		{"whole years", []ats.Experience{{Start: month(2018, 1), End: month(2020, 12)}}, 36},
		{"overlap counted once", []ats.Experience{
			{Start: month(2018, 1), End: month(2019, 12)},
			{Start: month(2019, 1), End: month(2020, 12)},
		}, 36},
		{"contained", []ats.Experience{
			{Start: month(2018, 1), End: month(2020, 12)},
			{Start: month(2019, 1), End: month(2019, 6)},
		}, 36},
		{"gap not counted", []ats.Experience{
			{Start: month(2015, 1), End: month(2015, 12)},
			{Start: month(2018, 1), End: month(2018, 12)},
		}, 24},
		{"adjacent", []ats.Experience{
			{Start: month(2018, 1), End: month(2018, 6)},
			{Start: month(2018, 7), End: month(2018, 12)},
		}, 12},
		{"order does not matter", []ats.Experience{
			{Start: month(2019, 1), End: month(2020, 12)},
			{Start: month(2010, 1), End: month(2010, 1)},
			{Start: month(2018, 1), End: month(2019, 12)},
		}, 37},
		{"current to now's month", []ats.Experience{{Start: month(2026, 1), Current: true}}, 12},
		{"current ignores an end", []ats.Experience{{Start: month(2026, 1), End: month(2026, 2), Current: true}}, 12},
		{"current overlapping a past one", []ats.Experience{
			{Start: month(2025, 1), End: month(2026, 6)},
			{Start: month(2026, 1), Current: true},
		}, 24},
		{"zero end is one month", []ats.Experience{{Start: month(2020, 5)}}, 1},
		{"end before start is one month", []ats.Experience{{Start: month(2020, 5), End: month(2019, 1)}}, 1},
		{"no start is unknown", []ats.Experience{{End: month(2020, 5)}}, 0},
		{"future months cut", []ats.Experience{{Start: month(2026, 6), End: month(2027, 12)}}, 7},
		{"starts in the future", []ats.Experience{{Start: month(2027, 1), Current: true}}, 0},
		{"mid-month and zones are months", []ats.Experience{{
			Start: time.Date(2020, 1, 31, 23, 0, 0, 0, time.FixedZone("x", -3600*5)),
			End:   time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC),
		}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := experienceMonths(tt.exps, now); got != tt.want {
				t.Fatalf("experienceMonths = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDegree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"High School Diploma", 0},
		{"Certificate in Welding", 0},
		{"Associate of Science", 1},
		{"A.S. Nursing", 1},
		{"AAS", 1},
		{"Same as above", 0},
		{"BSc Computer Science", 2},
		{"B.S. Computer Science", 2},
		{"B. Sc.", 2},
		{"BA (Hons) History", 2},
		{"Bachelor's degree", 2},
		{"Bachelor of Engineering", 2},
		{"B.E.", 2},
		{"to be completed", 0},
		{"Licenciatura en Informática", 2},
		{"MSc", 3},
		{"M.S. Statistics", 3},
		{"Master's", 3},
		{"Master of Science", 3},
		{"MBA", 3},
		{"M.B.A.", 3},
		{"MEng", 3},
		{"PhD", 4},
		{"Ph.D. Physics", 4},
		{"Ph. D.", 4},
		{"Doctor of Philosophy", 4},
		{"Doctorate", 4},
		{"BSc and MSc", 3},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			if got := degreeTextLevel(tt.text); got != tt.want {
				t.Fatalf("degreeTextLevel(%q) = %d (%s), want %d (%s)", tt.text, got, degreeName(got), tt.want, degreeName(tt.want))
			}
		})
	}
	// The highest of the entries wins.
	level, entry := degreeOf([]ats.Education{{Degree: "MSc"}, {Degree: "PhD"}, {Degree: "BSc"}}, map[string]int{})
	if level != 4 || entry != 1 {
		t.Fatalf("degreeOf = %d, %d; want 4 (doctorate) from entry 1", level, entry)
	}
}

func TestDetLog(t *testing.T) {
	t.Parallel()
	for _, x := range []float64{1, 1.0000001, 1.5, math.Sqrt2, 2, math.E, 3.3, 10, 1234.5, 20001, 1e9} {
		got, want := detLog(x), math.Log(x)
		if math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
			t.Errorf("detLog(%g) = %.17g, math.Log = %.17g", x, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // words joined by |
	}{
		{"", ""},
		{"Senior Go developer", "senior|go|developer"},
		{"C++, C#, F# and c++17", "c++|c#|f#|and|c++|17"},
		{"C#10", "c#|10"},
		{"+1 (555) #tag", "1|555|tag"},
		{"Node.js / ASP.NET", "node|js|asp|net"},
		{"full-stack_dev", "full|stack|dev"},
		{"José Müller ÆØÅ straße", "jose|muller|aeoa|strasse"},
		{"Jose\u0301", "jose"},
		{"\u0301x", "x"},
		{"İstanbul ĞÜŞ", "istanbul|gus"},
		{"東京 Москва", "東京|москва"},
		{"don't", "don|t"},
		{"a\xffb", "a|b"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := strings.Join(words(tt.in), "|"); got != tt.want {
				t.Fatalf("words(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
