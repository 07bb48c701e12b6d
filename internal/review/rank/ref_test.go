package rank

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
)

// referenceRank is Rank as it was before Corpus: every applicant's text
// tokenized again for the criteria, every term counted in every applicant.
// It is kept as the straightforward reference the corpus must equal
// (TestCorpusEqualsReference); it shares the compiled query, the
// tokenizer, the snippets and the parts' and reasons' wording, not the
// matching and scoring.
func referenceRank(c Criteria, in []Input, now time.Time) Result {
	q, err := compile(c)
	if err != nil {
		reason := invalidReason(err)
		res := Result{Ranked: []Ranked{}, Filtered: make([]Filtered, len(in))}
		for i := range in {
			res.Filtered[i] = Filtered{ApplicantID: in[i].Applicant.ExternalID, Reasons: []string{reason}}
		}
		sortFiltered(res.Filtered)
		return res
	}
	ix := refIndex(q, in)
	rs := make([]rankedEntry, 0, len(in))
	res := Result{Ranked: []Ranked{}, Filtered: []Filtered{}}
	var (
		segs []segment
		sn   refSnipper
	)
	degrees := map[string]int{}
	for i := range in {
		a := &in[i].Applicant
		months := experienceMonths(a.Experience, now)
		level, edu := degreeOf(a.Education, degrees)
		if reasons := ix.filter(q, i, a, months, level); len(reasons) > 0 {
			res.Filtered = append(res.Filtered, Filtered{ApplicantID: a.ExternalID, Reasons: reasons})
			continue
		}
		segs = appendSegments(segs[:0], a)
		parts := ix.lineParts(q, &sn, i, segs)
		parts = append(parts, q.yearsPart(months))
		if level > 0 {
			parts = append(parts, Part{Kind: KindDegree, Label: degreeName(level), Field: FieldEducationDegree,
				Snippet: sn.snippet(a.Education[edu].Degree, 0, 0)})
		}
		if as := in[i].Assessment; as != nil {
			parts = append(parts, assessmentPart(as))
		}
		var score int64
		for _, p := range parts {
			score += p.Points
		}
		rs = append(rs, rankedEntry{
			r: Ranked{ApplicantID: a.ExternalID, Score: score, Years: math.Round(float64(months)/12*100) / 100,
				Degree: degreeName(level), Parts: parts},
			months: months, appID: a.ApplicationID,
		})
	}
	res.Ranked = sortRanked(rs)
	sortFiltered(res.Filtered)
	return res
}

// refOccurrence is where a term is first found in an applicant's text.
type refOccurrence struct {
	seg        int32 // index in appendSegments' order; -1 for none
	start, end int32 // bytes of the segment's text
}

// refIdx is each term's frequency and first occurrence per applicant,
// each applicant's length, and each line's idf.
type refIdx struct {
	nTerms int
	tf     []int32 // input*nTerms + term
	first  []refOccurrence
	length []int32
	avgLen float64
	idf    map[*compiledLine]float64
}

func refIndex(q *query, in []Input) *refIdx {
	vocab := map[string]int32{}
	var byFirst [][]int32 // word id -> terms starting with it
	terms := make([][]int32, len(q.terms))
	for t, ws := range q.terms {
		for _, w := range ws {
			id, ok := vocab[w]
			if !ok {
				id = int32(len(vocab))
				vocab[w] = id
				byFirst = append(byFirst, nil)
			}
			terms[t] = append(terms[t], id)
		}
		byFirst[terms[t][0]] = append(byFirst[terms[t][0]], int32(t))
	}
	nt := len(q.terms)
	ix := &refIdx{nTerms: nt, tf: make([]int32, len(in)*nt), first: make([]refOccurrence, len(in)*nt),
		length: make([]int32, len(in)), idf: map[*compiledLine]float64{}}
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
				if v, known := vocab[string(w)]; known {
					id = v
				}
				ids = append(ids, id)
				spans = append(spans, [2]int32{int32(start), int32(end)})
			}
			n += len(ids)
			for p, id := range ids {
				if id < 0 {
					continue
				}
				for _, t := range byFirst[id] {
					want := terms[t]
					if p+len(want) > len(ids) || !slices.Equal(ids[p:p+len(want)], want) {
						continue
					}
					tf[t]++
					if first[t].seg < 0 {
						first[t] = refOccurrence{seg: int32(si), start: spans[p][0], end: spans[p+len(want)-1][1]}
					}
				}
			}
		}
		ix.length[i] = int32(n)
		total += int64(n)
	}
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
			ix.idf[&lines[k]] = lineIDF(len(in), df)
		}
	}
	ix.avgLen = 1
	if total > 0 {
		ix.avgLen = float64(total) / N
	}
	return ix
}

func (ix *refIdx) points(i int, t int32, idf float64) int64 {
	return bm25Points(ix.tf[i*ix.nTerms+int(t)], ix.length[i], ix.avgLen, idf)
}

func (ix *refIdx) matches(i int, terms []int32) bool {
	for _, t := range terms {
		if ix.tf[i*ix.nTerms+int(t)] == 0 {
			return false
		}
	}
	return true
}

func (ix *refIdx) best(i int, l *compiledLine) (alt int, ok bool) {
	alt = -1
	var bestSum int64
	for a, terms := range l.alts {
		if !ix.matches(i, terms) {
			continue
		}
		var sum int64
		for _, t := range terms {
			sum += ix.points(i, t, ix.idf[l])
		}
		if alt < 0 || sum > bestSum {
			alt, bestSum = a, sum
		}
	}
	return alt, alt >= 0
}

func (ix *refIdx) filter(q *query, i int, a *ats.Applicant, months, level int) []string {
	var reasons []string
	if q.statuses != nil && !q.statuses[fold(strings.TrimSpace(a.Status))] {
		reasons = append(reasons, q.statusReason(a.Status))
	}
	if len(q.search) > 0 {
		text := fold(a.Name) + "\n" + fold(a.Email) + "\n" + fold(a.Headline)
		for _, w := range q.search {
			if !strings.Contains(text, w) {
				reasons = append(reasons, q.searchReason())
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
		reasons = append(reasons, q.yearsReason(months))
	}
	if want := q.degree; want > 0 && level < want {
		reasons = append(reasons, q.degreeReason(level))
	}
	return reasons
}

func (ix *refIdx) lineParts(q *query, sn *refSnipper, i int, segs []segment) []Part {
	var parts []Part
	termPart := func(kind string, t Term, ti int32, idf float64) Part {
		p := Part{Kind: kind, Label: t.String(), Points: ix.points(i, ti, idf)}
		if o := ix.first[i*ix.nTerms+int(ti)]; o.seg >= 0 {
			sg := segs[o.seg]
			p.Field, p.Snippet = sg.field, sn.snippet(sg.text, int(o.start), int(o.end))
		}
		return p
	}
	for li := range q.required {
		l := &q.required[li]
		alt, ok := ix.best(i, l)
		if !ok {
			continue
		}
		for k, t := range l.line.Alternatives[alt].Terms {
			parts = append(parts, termPart(KindRequired, t, l.alts[alt][k], ix.idf[l]))
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
			parts = append(parts, termPart(KindPreferred, t, l.alts[alt][k], ix.idf[l]))
		}
	}
	return parts
}

// BenchmarkReferenceRank10k is the old path, to compare with
// BenchmarkRank10k (a corpus made and ranked once) and
// BenchmarkCorpusRank10k.
func BenchmarkReferenceRank10k(b *testing.B) {
	in := genApplicants(10_000, 42)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if res := referenceRank(benchCriteria, in, now); len(res.Ranked) == 0 {
			b.Fatal("nothing ranked")
		}
	}
}
