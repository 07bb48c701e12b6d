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
func Rank(c Criteria, in []Input, now time.Time) Result {
	q, err := compile(c)
	if err != nil {
		reason := "the qualifications are invalid: " + strings.ReplaceAll(err.Error(), "\n", "; ")
		res := Result{Ranked: []Ranked{}, Filtered: make([]Filtered, len(in))}
		for i := range in {
			res.Filtered[i] = Filtered{ApplicantID: in[i].Applicant.ExternalID, Reasons: []string{reason}}
		}
		sortFiltered(res.Filtered)
		return res
	}
	ix := q.index(in)
	type ranked struct {
		r      Ranked
		months int
		appID  string
	}
	rs := make([]ranked, 0, len(in))
	res := Result{Ranked: []Ranked{}, Filtered: []Filtered{}}
	var segs []segment
	for i := range in {
		a := &in[i].Applicant
		months := experienceMonths(a.Experience, now)
		level, edu := q.degreeOf(a.Education)
		if reasons := q.filter(ix, i, a, months, level); len(reasons) > 0 {
			res.Filtered = append(res.Filtered, Filtered{ApplicantID: a.ExternalID, Reasons: reasons})
			continue
		}
		segs = appendSegments(segs[:0], a)
		parts := q.lineParts(ix, i, segs)
		parts = append(parts, q.yearsPart(months))
		if level > 0 {
			parts = append(parts, Part{Kind: KindDegree, Label: degreeName(level), Field: FieldEducationDegree,
				Snippet: q.snip.snippet(a.Education[edu].Degree, 0, 0)})
		}
		if as := in[i].Assessment; as != nil {
			parts = append(parts, assessmentPart(as))
		}
		var score int64
		for _, p := range parts {
			score += p.Points
		}
		rs = append(rs, ranked{
			r: Ranked{ApplicantID: a.ExternalID, Score: score, Years: math.Round(float64(months)/12*100) / 100,
				Degree: degreeName(level), Parts: parts},
			months: months, appID: a.ApplicationID,
		})
	}
	slices.SortFunc(rs, func(x, y ranked) int {
		if c := cmp.Or(cmp.Compare(y.r.Score, x.r.Score), cmp.Compare(y.months, x.months),
			cmp.Compare(x.r.ApplicantID, y.r.ApplicantID), cmp.Compare(x.appID, y.appID)); c != 0 {
			return c
		}
		// The same application given twice with different content: the
		// content decides, so that the input's order never does.
		return cmp.Or(cmp.Compare(x.r.Degree, y.r.Degree), slices.CompareFunc(x.r.Parts, y.r.Parts, compareParts))
	})
	res.Ranked = make([]Ranked, len(rs))
	for i, r := range rs {
		res.Ranked[i] = r.r
	}
	sortFiltered(res.Filtered)
	return res
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

// query is Criteria compiled: the distinct terms of all lines as word ids,
// and which terms start with each word.
type query struct {
	c         Criteria
	required  []compiledLine
	preferred []compiledLine
	vocab     map[string]int32
	firstByte [256]bool // of the vocabulary's words
	maxWord   int       // the longest word's bytes
	terms     [][]int32 // term -> its words' ids
	byFirst   [][]int32 // word id -> terms starting with it
	statuses  map[string]bool
	search    []string
	// degrees caches degreeTextLevel per Degree text: an ATS's applicants
	// share a few spellings.
	degrees map[string]int
	degree  int // the lowest level wanted
	snip    snipper
}

type compiledLine struct {
	line Line
	alts [][]int32 // alternative -> term indices
	idf  float64   // set by query.index
}

// compile validates c and compiles it.
func compile(c Criteria) (*query, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	q := &query{c: c, vocab: map[string]int32{}, degrees: map[string]int{}}
	termOf := map[string]int32{}
	compileLines := func(kind string, lines []string) ([]compiledLine, error) {
		out := make([]compiledLine, len(lines))
		for i, s := range lines {
			l, err := ParseLine(s)
			if err != nil { // Validate has parsed it, so it cannot fail
				return nil, fmt.Errorf("%s line %d: %w", kind, i+1, err)
			}
			cl := compiledLine{line: l, alts: make([][]int32, len(l.Alternatives))}
			for j, a := range l.Alternatives {
				for _, t := range a.Terms {
					ws := words(t.Text)
					key := strings.Join(ws, "\x00")
					ti, ok := termOf[key]
					if !ok {
						ti = int32(len(q.terms))
						termOf[key] = ti
						ids := make([]int32, len(ws))
						for k, w := range ws {
							id, ok := q.vocab[w]
							if !ok {
								id = int32(len(q.vocab))
								q.vocab[w] = id
								q.byFirst = append(q.byFirst, nil)
								q.firstByte[w[0]] = true
								q.maxWord = max(q.maxWord, len(w))
							}
							ids[k] = id
						}
						q.terms = append(q.terms, ids)
						q.byFirst[ids[0]] = append(q.byFirst[ids[0]], ti)
					}
					cl.alts[j] = append(cl.alts[j], ti)
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

// occurrence is where a term is first found in an applicant's text.
type occurrence struct {
	seg        int32 // index in appendSegments' order; -1 for none
	start, end int32 // bytes of the segment's text
}

// index is what BM25 needs of every input: each term's frequency and
// first occurrence per applicant, each applicant's length in words, and
// over all the average length (and each line's idf, in compiledLine).
type index struct {
	nTerms int
	tf     []int32 // input*nTerms + term
	first  []occurrence
	length []int32
	avgLen float64
}

func (q *query) index(in []Input) *index {
	nt := len(q.terms)
	ix := &index{nTerms: nt, tf: make([]int32, len(in)*nt), first: make([]occurrence, len(in)*nt),
		length: make([]int32, len(in))}
	var (
		segs  []segment
		tok   tokenizer
		ids   []int32
		spans [][2]int32
		total int64
	)
	for i := range in {
		tf, first := ix.tf[i*nt:(i+1)*nt], ix.first[i*nt:(i+1)*nt]
		for t := range first {
			first[t].seg = -1
		}
		segs = appendSegments(segs[:0], &in[i].Applicant)
		n := 0
		for si, sg := range segs {
			ids, spans = ids[:0], spans[:0]
			tok.reset(sg.text)
			for {
				w, start, end, ok := tok.next()
				if !ok {
					break
				}
				id := int32(-1)
				// Most words are no term's: a first-byte and length test
				// spares them the map.
				if len(w) <= q.maxWord && q.firstByte[w[0]] {
					if v, known := q.vocab[string(w)]; known {
						id = v
					}
				}
				ids = append(ids, id)
				spans = append(spans, [2]int32{int32(start), int32(end)})
			}
			n += len(ids)
			if nt == 0 {
				continue
			}
			for p, id := range ids {
				if id < 0 {
					continue
				}
				for _, t := range q.byFirst[id] {
					want := q.terms[t]
					if p+len(want) > len(ids) || !slices.Equal(ids[p:p+len(want)], want) {
						continue
					}
					tf[t]++
					if first[t].seg < 0 {
						first[t] = occurrence{seg: int32(si), start: spans[p][0], end: spans[p+len(want)-1][1]}
					}
				}
			}
		}
		ix.length[i] = int32(n)
		total += int64(n)
	}
	// A line's alternatives are synonyms ("Kubernetes | k8s"), so its
	// terms share the line's idf, from the applicants matching any of
	// them: a rare spelling is not worth more than a common one (Lucene's
	// SynonymQuery shares one document frequency likewise). Integer
	// counts make it independent of the input's order.
	N := float64(len(in))
	for _, lines := range [][]compiledLine{q.required, q.preferred} {
		for k := range lines {
			df := 0
			for i := range in {
				for _, terms := range lines[k].alts {
					if ix.matches(i, terms) {
						df++
						break
					}
				}
			}
			// Lucene's idf, never negative: ln(1 + (N - df + 0.5)/(df + 0.5)).
			lines[k].idf = detLog(1 + (N-float64(df)+0.5)/(float64(df)+0.5))
		}
	}
	ix.avgLen = 1
	if total > 0 {
		ix.avgLen = float64(total) / N
	}
	return ix
}

// points is the BM25 relevance of term t to input i, with the idf of the
// term's line, in milli-points. Each product is converted explicitly so
// that no machine fuses it into a multiply-add and rounds differently.
func (ix *index) points(i int, t int32, idf float64) int64 {
	f := float64(ix.tf[i*ix.nTerms+int(t)])
	if f == 0 {
		return 0
	}
	ratio := float64(ix.length[i]) / ix.avgLen
	norm := float64(BM25K1 * (float64(1-BM25B) + float64(BM25B*ratio)))
	sat := float64(f*(BM25K1+1)) / (f + norm)
	bm25 := float64(idf * sat)
	return int64(math.Round(float64(bm25 * (PointsPerBM25 * milli))))
}

// matches reports whether input i has every one of terms.
func (ix *index) matches(i int, terms []int32) bool {
	for _, t := range terms {
		if ix.tf[i*ix.nTerms+int(t)] == 0 {
			return false
		}
	}
	return true
}

// best is the line's alternative input i matches with the most points
// (the first of equals); ok is false when it matches none.
func (ix *index) best(i int, l *compiledLine) (alt int, ok bool) {
	alt = -1
	var bestSum int64
	for a, terms := range l.alts {
		if !ix.matches(i, terms) {
			continue
		}
		var sum int64
		for _, t := range terms {
			sum += ix.points(i, t, l.idf)
		}
		if alt < 0 || sum > bestSum {
			alt, bestSum = a, sum
		}
	}
	return alt, alt >= 0
}

// filter returns every reason the criteria keep input i out.
func (q *query) filter(ix *index, i int, a *ats.Applicant, months, level int) []string {
	var reasons []string
	if q.statuses != nil && !q.statuses[fold(strings.TrimSpace(a.Status))] {
		status := "has no status"
		if strings.TrimSpace(a.Status) != "" {
			status = fmt.Sprintf("status is %q", a.Status)
		}
		reasons = append(reasons, status+", not one of: "+strings.Join(q.c.Statuses, ", "))
	}
	if len(q.search) > 0 {
		text := fold(a.Name) + "\n" + fold(a.Email) + "\n" + fold(a.Headline)
		for _, w := range q.search {
			if !strings.Contains(text, w) {
				reasons = append(reasons, fmt.Sprintf("does not match the search %q", q.c.Query))
				break
			}
		}
	}
	for k := range q.required {
		l := &q.required[k]
		if _, ok := ix.best(i, l); !ok {
			reasons = append(reasons, needs(l.line))
		}
	}
	if q.c.MinYears > 0 && float64(months)/12 < q.c.MinYears {
		reasons = append(reasons, fmt.Sprintf("needs at least %s of experience, has %s",
			// Rounded down: 3.96 years is not shown as the 4 it fails.
			years(q.c.MinYears), years(math.Floor(float64(months)/12*10)/10)))
	}
	if want := q.degree; want > 0 && level < want {
		has := "none found"
		if level > 0 {
			has = "has " + withArticle(degreeName(level))
		}
		reasons = append(reasons, fmt.Sprintf("needs %s degree or higher, %s", withArticle(q.c.Degree), has))
	}
	return reasons
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

// lineParts are the points of the required and preferred lines input i
// matches: each term of the best alternative, and a bonus per preferred
// line.
func (q *query) lineParts(ix *index, i int, segs []segment) []Part {
	// Room for a term per line, a bonus per preferred line and the years,
	// degree and assessment parts.
	parts := make([]Part, 0, len(q.required)+2*len(q.preferred)+3)
	termPart := func(kind string, t Term, ti int32, idf float64) Part {
		p := Part{Kind: kind, Label: t.String(), Points: ix.points(i, ti, idf)}
		if o := ix.first[i*ix.nTerms+int(ti)]; o.seg >= 0 {
			sg := segs[o.seg]
			p.Field, p.Snippet = sg.field, q.snip.snippet(sg.text, int(o.start), int(o.end))
		}
		return p
	}
	for li := range q.required {
		l := &q.required[li]
		alt, ok := ix.best(i, l)
		if !ok {
			continue // filtered out before; kept safe
		}
		for k, t := range l.line.Alternatives[alt].Terms {
			parts = append(parts, termPart(KindRequired, t, l.alts[alt][k], l.idf))
		}
	}
	for li := range q.preferred {
		l := &q.preferred[li]
		alt, ok := ix.best(i, l)
		if !ok {
			continue
		}
		parts = append(parts, Part{Kind: KindPreferred, Label: "bonus for: " + l.line.String(),
			Points: PreferredBonus * milli})
		for k, t := range l.line.Alternatives[alt].Terms {
			parts = append(parts, termPart(KindPreferred, t, l.alts[alt][k], l.idf))
		}
	}
	return parts
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
	add := func(field, text string) {
		if text != "" {
			dst = append(dst, segment{field, text})
		}
	}
	add(FieldHeadline, a.Headline)
	for _, s := range a.Skills {
		add(FieldSkills, s)
	}
	for _, e := range a.Experience {
		add(FieldExperienceTitle, e.Title)
		add(FieldExperienceCompany, e.Company)
		add(FieldExperienceDescription, e.Description)
	}
	for _, e := range a.Education {
		add(FieldEducationDegree, e.Degree)
		add(FieldEducationField, e.Field)
		add(FieldEducationInstitution, e.Institution)
	}
	for _, t := range a.Tags {
		add(FieldTags, t)
	}
	for _, an := range a.Answers {
		add(FieldAnswers, an.Answer)
	}
	return dst
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
