package rank

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/ats"
)

// Scoring. Every part of a score is rounded once to integer milli-points;
// the score is their sum.
const (
	// BM25's parameters, as Lucene and Robertson's defaults.
	BM25K1 = 1.2
	BM25B  = 0.75
	// PointsPerBM25 turns one unit of a term's BM25 relevance into points.
	PointsPerBM25 = 10
	// PreferredBonus is the points for each matched preferred line, on top
	// of its terms' relevance.
	PreferredBonus = 5
	// PointsPerYear are earned for each year of experience above MinYears,
	// up to MaxBonusYears of them.
	PointsPerYear = 2
	MaxBonusYears = 10
	// AssessmentPoints are earned for an assessment score of 100, in
	// proportion below.
	AssessmentPoints = 30

	milli = 1000
	// maxSnippet is the most runes of text a Part quotes.
	maxSnippet = 80
)

// Kinds of Part.
const (
	KindRequired   = "required"
	KindPreferred  = "preferred"
	KindYears      = "years"
	KindDegree     = "degree"
	KindAssessment = "assessment"
)

// Fields of the applicant a match is found in, as Part.Field names them.
const (
	FieldHeadline              = "headline"
	FieldSkills                = "skills"
	FieldExperienceTitle       = "experience.title"
	FieldExperienceCompany     = "experience.company"
	FieldExperienceDescription = "experience.description"
	FieldEducationDegree       = "education.degree"
	FieldEducationField        = "education.field"
	FieldEducationInstitution  = "education.institution"
	FieldTags                  = "tags"
	FieldAnswers               = "answers"
	// FieldExperience and FieldAssessment are where the years and the
	// assessment parts come from.
	FieldExperience = "experience"
	FieldAssessment = "assessment"
)

// Input is one applicant to rank, with Switchboard's assessment of them
// when there is one.
type Input struct {
	Applicant  ats.Applicant
	Assessment *Assessment
}

// Assessment is Switchboard's own result for the applicant.
type Assessment struct {
	// Score is 0 to 100; nil when the assessment has none (yet).
	Score   *float64
	Label   string
	Package string
}

// Result is the ranked applicants, best first, and those the criteria
// filtered out, by ApplicantID.
type Result struct {
	Ranked   []Ranked   `json:"ranked"`
	Filtered []Filtered `json:"filtered"`
}

// Ranked is one applicant that passed the filters, with their score
// explained: the Parts' Points sum exactly to Score.
type Ranked struct {
	// ApplicantID is the applicant's ExternalID.
	ApplicantID string `json:"applicant_id"`
	// Score is in milli-points.
	Score int64 `json:"score"`
	// Years of experience from the work history, to two decimals.
	Years float64 `json:"years"`
	// Degree is the highest level found in the education, "" for none.
	Degree string `json:"degree,omitempty"`
	Parts  []Part `json:"parts"`
}

// Part is one reason for points: a matched term of a line (Field and
// Snippet say where), a preferred line's bonus, the years, the degree, the
// assessment.
type Part struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Field   string `json:"field,omitempty"`
	Snippet string `json:"snippet,omitempty"`
	// Points in milli-points.
	Points int64 `json:"points"`
}

// Filtered is an applicant the criteria keep out, with every reason, in
// the words of the qualification form.
type Filtered struct {
	ApplicantID string   `json:"applicant_id"`
	Reasons     []string `json:"reasons"`
}

// Rank filters and ranks in by c at now (the end of a current position).
// BM25's document frequencies and average length are over all of in,
// before any filter, so that narrowing by status or search does not change
// anyone's score. Criteria that do not Validate filter everyone out, with
// why. Equal scores are ordered by years (more first), then ApplicantID,
// then ApplicationID (then content), so the order does not depend on in's.
//
// It is NewCorpus(in, now).Rank(c); to rank the same applicants under
// several criteria, keep the Corpus.
func Rank(c Criteria, in []Input, now time.Time) Result {
	return NewCorpus(in, now).Rank(c)
}

// rankedEntry is a Ranked with what orders equal scores.
type rankedEntry struct {
	r      Ranked
	months int
	appID  string
}

// sortRanked orders rs by score, best first; equal scores by years (more
// first), then ApplicantID, then ApplicationID, then content.
func sortRanked(rs []rankedEntry) []Ranked {
	slices.SortFunc(rs, func(x, y rankedEntry) int {
		if c := cmp.Or(cmp.Compare(y.r.Score, x.r.Score), cmp.Compare(y.months, x.months),
			cmp.Compare(x.r.ApplicantID, y.r.ApplicantID), cmp.Compare(x.appID, y.appID)); c != 0 {
			return c
		}
		// The same application given twice with different content: the
		// content decides, so that the input's order never does.
		return cmp.Or(cmp.Compare(x.r.Degree, y.r.Degree), slices.CompareFunc(x.r.Parts, y.r.Parts, compareParts))
	})
	out := make([]Ranked, len(rs))
	for i, r := range rs {
		out[i] = r.r
	}
	return out
}

// sortFiltered orders by ApplicantID, then by reasons for the rare equal
// IDs, so the order does not depend on the input's.
func sortFiltered(fs []Filtered) {
	slices.SortFunc(fs, func(x, y Filtered) int {
		return cmp.Or(cmp.Compare(x.ApplicantID, y.ApplicantID), slices.Compare(x.Reasons, y.Reasons))
	})
}

func compareParts(x, y Part) int {
	return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Label, y.Label), cmp.Compare(x.Field, y.Field),
		cmp.Compare(x.Snippet, y.Snippet), cmp.Compare(x.Points, y.Points))
}

// query is Criteria compiled: the distinct terms of all lines as their
// folded words, and the filters.
type query struct {
	c         Criteria
	required  []compiledLine
	preferred []compiledLine
	terms     [][]string // term -> its words
	statuses  map[string]bool
	search    []string
	degree    int // the lowest level wanted
}

type compiledLine struct {
	line   Line
	alts   [][]int32  // alternative -> term indices
	labels [][]string // alternative -> its terms as Part.Label shows them
	bonus  string     // the preferred line's bonus Part.Label
	needs  string     // the required line's reason when it is not matched
}

// compile validates c and compiles it.
func compile(c Criteria) (*query, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	q := &query{c: c}
	termOf := map[string]int32{}
	compileLines := func(kind string, lines []string) ([]compiledLine, error) {
		out := make([]compiledLine, len(lines))
		for i, s := range lines {
			l, err := ParseLine(s)
			if err != nil { // Validate has parsed it, so it cannot fail
				return nil, fmt.Errorf("%s line %d: %w", kind, i+1, err)
			}
			cl := compiledLine{line: l, alts: make([][]int32, len(l.Alternatives)),
				labels: make([][]string, len(l.Alternatives)), bonus: "bonus for: " + l.String(), needs: needs(l)}
			for j, a := range l.Alternatives {
				for _, t := range a.Terms {
					ws := words(t.Text)
					key := strings.Join(ws, "\x00")
					ti, ok := termOf[key]
					if !ok {
						ti = int32(len(q.terms))
						termOf[key] = ti
						q.terms = append(q.terms, ws)
					}
					cl.alts[j] = append(cl.alts[j], ti)
					cl.labels[j] = append(cl.labels[j], t.String())
				}
			}
			out[i] = cl
		}
		return out, nil
	}
	var err error
	if q.required, err = compileLines("required", c.Required); err != nil {
		return nil, err
	}
	if q.preferred, err = compileLines("preferred", c.Preferred); err != nil {
		return nil, err
	}
	if len(c.Statuses) > 0 {
		q.statuses = map[string]bool{}
		for _, s := range c.Statuses {
			q.statuses[fold(strings.TrimSpace(s))] = true
		}
	}
	q.search = strings.Fields(fold(c.Query))
	q.degree = degreeLevel(c.Degree)
	return q, nil
}

// invalidReason is why criteria that do not Validate filter everyone out.
func invalidReason(err error) string {
	return "the qualifications are invalid: " + strings.ReplaceAll(err.Error(), "\n", "; ")
}

// lineIDF is a line's idf over n applicants of which df match it.
//
// A line's alternatives are synonyms ("Kubernetes | k8s"), so its terms
// share the line's idf, from the applicants matching any of them: a rare
// spelling is not worth more than a common one (Lucene's SynonymQuery
// shares one document frequency likewise). Integer counts make it
// independent of the input's order.
func lineIDF(n, df int) float64 {
	N := float64(n)
	// Lucene's idf, never negative: ln(1 + (N - df + 0.5)/(df + 0.5)).
	return detLog(1 + (N-float64(df)+0.5)/(float64(df)+0.5))
}

// bm25Points is the BM25 relevance of a term found tf times in an
// applicant of length words, with the idf of the term's line, in
// milli-points. Each product is converted explicitly so that no machine
// fuses it into a multiply-add and rounds differently.
func bm25Points(tf, length int32, avgLen, idf float64) int64 {
	f := float64(tf)
	if f == 0 {
		return 0
	}
	ratio := float64(length) / avgLen
	norm := float64(BM25K1 * (float64(1-BM25B) + float64(BM25B*ratio)))
	sat := float64(f*(BM25K1+1)) / (f + norm)
	bm25 := float64(idf * sat)
	return int64(math.Round(float64(bm25 * (PointsPerBM25 * milli))))
}

// statusReason is why an applicant of that (ATS) status is filtered out.
func (q *query) statusReason(status string) string {
	s := "has no status"
	if strings.TrimSpace(status) != "" {
		s = fmt.Sprintf("status is %q", status)
	}
	return s + ", not one of: " + strings.Join(q.c.Statuses, ", ")
}

func (q *query) searchReason() string {
	return fmt.Sprintf("does not match the search %q", q.c.Query)
}

// yearsReason is why months of experience are too few.
func (q *query) yearsReason(months int) string {
	return fmt.Sprintf("needs at least %s of experience, has %s",
		// Rounded down: 3.96 years is not shown as the 4 it fails.
		years(q.c.MinYears), years(math.Floor(float64(months)/12*10)/10))
}

// degreeReason is why the degree level found is too low.
func (q *query) degreeReason(level int) string {
	has := "none found"
	if level > 0 {
		has = "has " + withArticle(degreeName(level))
	}
	return fmt.Sprintf("needs %s degree or higher, %s", withArticle(q.c.Degree), has)
}

// needs says what a failed required line asks for.
func needs(l Line) string {
	if len(l.Alternatives) == 1 {
		return "needs: " + l.Alternatives[0].String()
	}
	alts := make([]string, len(l.Alternatives))
	for i, a := range l.Alternatives {
		alts[i] = a.String()
	}
	return "needs one of: " + strings.Join(alts, ", ")
}

func withArticle(degree string) string {
	if degree == DegreeAssociate {
		return "an associate"
	}
	return "a " + degree + "'s"
}

// years renders a number of years as the form shows it: "5 years",
// "1 year", "3.2 years". Callers round it first.
func years(y float64) string {
	s := strconv.FormatFloat(y, 'f', -1, 64)
	if s == "1" {
		return "1 year"
	}
	return s + " years"
}

func (q *query) yearsPart(months int) Part {
	y := float64(months) / 12
	label := years(math.Round(y*10)/10) + " of experience"
	if q.c.MinYears > 0 {
		label += ", at least " + years(q.c.MinYears) + " wanted"
	}
	above := min(max(y-q.c.MinYears, 0), MaxBonusYears)
	return Part{Kind: KindYears, Label: label, Field: FieldExperience,
		Points: int64(math.Round(float64(above * (PointsPerYear * milli))))}
}

func assessmentPart(a *Assessment) Part {
	label := a.Label
	if label == "" {
		label = "assessed"
	}
	p := Part{Kind: KindAssessment, Label: label, Field: FieldAssessment}
	what := a.Package
	if what == "" {
		what = "assessment"
	}
	if a.Score == nil || math.IsNaN(*a.Score) || math.IsInf(*a.Score, 0) {
		p.Snippet = what + ": no score"
		return p
	}
	s := min(max(*a.Score, 0), 100)
	p.Snippet = what + ": " + strconv.FormatFloat(s, 'f', -1, 64) + "/100"
	p.Points = int64(math.Round(float64(s * (AssessmentPoints * milli / 100))))
	return p
}

// segment is one piece of an applicant's text and the field it is from.
type segment struct {
	field, text string
}

// appendSegments lists the applicant's text, each skill, position, school
// and answer apart so that a phrase never spans two. The order is fixed:
// it is the order first occurrences are searched in.
func appendSegments(dst []segment, a *ats.Applicant) []segment {
	eachSegment(a, func(field, text string) {
		dst = append(dst, segment{field, text})
	})
	return dst
}

// eachSegment calls add with each of appendSegments' segments, in order.
func eachSegment(a *ats.Applicant, add func(field, text string)) {
	addText := func(field, text string) {
		if text != "" {
			add(field, text)
		}
	}
	addText(FieldHeadline, a.Headline)
	for _, s := range a.Skills {
		addText(FieldSkills, s)
	}
	for _, e := range a.Experience {
		addText(FieldExperienceTitle, e.Title)
		addText(FieldExperienceCompany, e.Company)
		addText(FieldExperienceDescription, e.Description)
	}
	for _, e := range a.Education {
		addText(FieldEducationDegree, e.Degree)
		addText(FieldEducationField, e.Field)
		addText(FieldEducationInstitution, e.Institution)
	}
	for _, t := range a.Tags {
		addText(FieldTags, t)
	}
	for _, an := range a.Answers {
		addText(FieldAnswers, an.Answer)
	}
}

// detLog is the natural logarithm for x > 0 with only IEEE basic
// operations, each rounded on its own: math.Log is assembly on amd64 and
// Go on arm64, which may differ in the last bit and so, rarely, in a
// rounded milli-point. ln x = e·ln 2 + 2·atanh(s), s = (m-1)/(m+1), with x
// = m·2^e and m in [√½, √2).
func detLog(x float64) float64 {
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	// 2·(s + s³/3 + s⁵/5 + …); |s| < 0.172, so 14 terms reach 1e-17.
	sum := 0.0
	for k := 27; k >= 1; k -= 2 {
		sum = float64(sum*s2) + 1/float64(k)
	}
	return float64(float64(e)*math.Ln2) + float64(2*float64(s*sum))
}
