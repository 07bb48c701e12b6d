package rank

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Corpus is one job's applicants prepared for ranking: each applicant's
// text folded and tokenized once per field, an inverted index from each
// word to the applicants and positions it occurs at, and their years,
// degree and length. The review service keeps one per job while the job's
// applicants do not change and ranks it again whenever the criteria do.
//
// A Corpus is immutable after NewCorpus, so Rank may be called from
// several goroutines at once.
type Corpus struct {
	docs []doc
	// byID is the applicants' indices ordered by ApplicantID: the order
	// Filtered is in.
	byID []int32
	// vocab numbers every word of the text.
	vocab map[string]int32
	// toks is every applicant's words in appendSegments' order, with
	// noWord between two segments so that a term of several words never
	// spans them; spans are each word's bytes in its segment's text.
	toks  []int32
	spans [][2]int32
	// segs are the segments of all applicants, their texts in text one
	// after the other: one string for the collector to mark rather than
	// one per field, and an applicant's text together in memory. segTok is
	// the index in toks where each one's words start.
	text   string
	segs   []textSegment
	fields []string // of textSegment.field
	segTok []int32
	// plain marks the segments whose every snippet is their text as it is
	// (see plainSnippet).
	plain []bool
	// The postings of word w are postDoc[postOff[w]:postOff[w+1]] (the
	// applicant) and postTok likewise (the index in toks), in toks' order:
	// by applicant, then by position.
	postOff []int32
	postDoc []int32
	postTok []int32
	// avgLen is BM25's average length in words, over every applicant.
	avgLen float64
}

// textSegment is a segment whose text is Corpus.text[lo:hi].
type textSegment struct {
	lo, hi int32
	field  uint8 // in Corpus.fields
}

// noWord separates two segments in Corpus.toks.
const noWord = -1

// doc is what ranking needs of one applicant, whatever the criteria.
type doc struct {
	id, appID    string
	tokLo, tokHi int32 // its words in Corpus.toks
	segLo, segHi int32 // its segments in Corpus.segs
	length       int32 // in words, for BM25
	months       int
	level        int    // the highest degree
	degreeSnip   string // the snippet of the degree's text, when level > 0
	status       string // as the ATS says, for the reason
	foldedStatus string // for Criteria.Statuses
	search       string // folded name, email and headline, for Criteria.Query
	assessment   *Part  // nil without an assessment
}

// NewCorpus prepares in for ranking at now (the end of a current
// position). It keeps no reference to in.
func NewCorpus(in []Input, now time.Time) *Corpus {
	c := &Corpus{docs: make([]doc, len(in)), vocab: map[string]int32{}}
	// The segments are counted first, so that their arrays are made at
	// their size at once.
	nSegs, textBytes := 0, 0
	for i := range in {
		eachSegment(&in[i].Applicant, func(_, text string) {
			nSegs++
			textBytes += len(text)
		})
	}
	// The text is limited to what an int32 counts (2 GiB), as the words'
	// indices are: far beyond what one job's applicants write.
	var text strings.Builder
	text.Grow(textBytes)
	c.segs = make([]textSegment, 0, nSegs)
	for i := range in {
		d := &c.docs[i]
		d.segLo = int32(len(c.segs))
		eachSegment(&in[i].Applicant, func(field, s string) {
			f := slices.Index(c.fields, field)
			if f < 0 {
				f = len(c.fields)
				c.fields = append(c.fields, field)
			}
			lo := text.Len()
			text.WriteString(s)
			c.segs = append(c.segs, textSegment{lo: int32(lo), hi: int32(text.Len()), field: uint8(f)})
		})
		d.segHi = int32(len(c.segs))
	}
	c.text = text.String()
	// Words are five bytes or so with their separator.
	c.toks = make([]int32, 0, textBytes/4+len(c.segs))
	c.spans = make([][2]int32, 0, cap(c.toks))
	c.segTok = make([]int32, 0, len(c.segs))
	c.plain = make([]bool, 0, len(c.segs))
	var (
		tok    tokenizer
		sn     snipper
		counts []int32 // word -> occurrences
		total  int64
	)
	// An ATS's applicants share many short texts (a skill, a title, a
	// school): each is tokenized once, its words copied after.
	type tokenized struct {
		lo, hi int32 // in toks and spans
		plain  bool
	}
	const shortText = 64
	short := map[string]tokenized{}
	degrees := map[string]int{}
	for i := range in {
		a := &in[i].Applicant
		d := &c.docs[i]
		d.id, d.appID, d.status = a.ExternalID, a.ApplicationID, a.Status
		d.tokLo = int32(len(c.toks))
		for si := d.segLo; si < d.segHi; si++ {
			if si > d.segLo {
				c.toks = append(c.toks, noWord)
				c.spans = append(c.spans, [2]int32{})
			}
			lo := int32(len(c.toks))
			c.segTok = append(c.segTok, lo)
			text := c.text[c.segs[si].lo:c.segs[si].hi]
			if t, ok := short[text]; ok {
				c.plain = append(c.plain, t.plain)
				c.toks = append(c.toks, c.toks[t.lo:t.hi]...)
				c.spans = append(c.spans, c.spans[t.lo:t.hi]...)
				for _, id := range c.toks[t.lo:t.hi] {
					counts[id]++
				}
				d.length += t.hi - t.lo
				continue
			}
			c.plain = append(c.plain, plainSnippet(text))
			tok.reset(text)
			for {
				w, start, end, ok := tok.next()
				if !ok {
					break
				}
				id, known := c.vocab[string(w)]
				if !known {
					id = int32(len(counts))
					c.vocab[string(w)] = id
					counts = append(counts, 0)
				}
				counts[id]++
				c.toks = append(c.toks, id)
				c.spans = append(c.spans, [2]int32{int32(start), int32(end)})
				d.length++
			}
			if len(text) <= shortText {
				short[text] = tokenized{lo: lo, hi: int32(len(c.toks)), plain: c.plain[si]}
			}
		}
		d.tokHi = int32(len(c.toks))
		total += int64(d.length)
		d.months = experienceMonths(a.Experience, now)
		var edu int
		if d.level, edu = degreeOf(a.Education, degrees); d.level > 0 {
			d.degreeSnip = sn.snippet(a.Education[edu].Degree, 0, 0)
		}
		d.foldedStatus = fold(strings.TrimSpace(a.Status))
		d.search = fold(a.Name) + "\n" + fold(a.Email) + "\n" + fold(a.Headline)
		if as := in[i].Assessment; as != nil {
			p := assessmentPart(as)
			d.assessment = &p
		}
	}
	// The estimate above is generous; a corpus is kept, so it keeps the
	// words' arrays at their size.
	c.toks, c.spans = slices.Clone(c.toks), slices.Clone(c.spans)
	c.postOff = make([]int32, len(counts)+1)
	for w, n := range counts {
		c.postOff[w+1] = c.postOff[w] + n
	}
	fill := slices.Clone(c.postOff[:len(counts)])
	c.postDoc = make([]int32, c.postOff[len(counts)])
	c.postTok = make([]int32, c.postOff[len(counts)])
	for i := range c.docs {
		d := &c.docs[i]
		for p := d.tokLo; p < d.tokHi; p++ {
			if w := c.toks[p]; w != noWord {
				c.postDoc[fill[w]], c.postTok[fill[w]] = int32(i), p
				fill[w]++
			}
		}
	}
	c.avgLen = 1
	if total > 0 {
		c.avgLen = float64(total) / float64(len(in))
	}
	c.byID = make([]int32, len(in))
	for i := range c.byID {
		c.byID[i] = int32(i)
	}
	slices.SortFunc(c.byID, func(x, y int32) int {
		return cmp.Or(cmp.Compare(c.docs[x].id, c.docs[y].id), cmp.Compare(x, y))
	})
	return c
}

// Len is the number of applicants.
func (c *Corpus) Len() int { return len(c.docs) }

// termHits are the applicants a term is found in, ascending, with how
// often (tf) and where first (the index in Corpus.toks of its first word).
type termHits struct {
	docs, tf, first []int32
}

// hits finds the term of words ws: its rarest word's postings, each
// checked for the other words around it in toks.
func (c *Corpus) hits(ws []string) termHits {
	ids := make([]int32, len(ws))
	rare := 0
	for k, w := range ws {
		id, ok := c.vocab[w]
		if !ok {
			return termHits{}
		}
		ids[k] = id
		if c.postOff[id+1]-c.postOff[id] < c.postOff[ids[rare]+1]-c.postOff[ids[rare]] {
			rare = k
		}
	}
	lo, hi := c.postOff[ids[rare]], c.postOff[ids[rare]+1]
	h := termHits{docs: make([]int32, 0, hi-lo), tf: make([]int32, 0, hi-lo), first: make([]int32, 0, hi-lo)}
	for k := lo; k < hi; k++ {
		d, p := c.postDoc[k], c.postTok[k]-int32(rare)
		if len(ids) > 1 && !c.wordsAt(d, p, ids) {
			continue
		}
		if n := len(h.docs); n > 0 && h.docs[n-1] == d {
			h.tf[n-1]++
			continue
		}
		h.docs, h.tf, h.first = append(h.docs, d), append(h.tf, 1), append(h.first, p)
	}
	return h
}

// wordsAt reports whether applicant d's words from index p in toks are
// ids.
func (c *Corpus) wordsAt(d, p int32, ids []int32) bool {
	dc := &c.docs[d]
	if p < dc.tokLo || p+int32(len(ids)) > dc.tokHi {
		return false
	}
	for k, id := range ids {
		if c.toks[p+int32(k)] != id {
			return false
		}
	}
	return true
}

// altHits are the applicants that have every term of an alternative,
// ascending, with the index of each term's entry in its termHits: at[e*n+j]
// for the e-th applicant and the j-th of n terms; nil for one term, whose
// entries are the applicants'.
type altHits struct {
	docs, at []int32
}

func (a *altHits) entry(e, j, n int) int32 {
	if a.at == nil {
		return int32(e)
	}
	return a.at[e*n+j]
}

// intersect finds the applicants having each of terms, led by the term
// found in the fewest.
func intersect(hits []termHits, terms []int32) altHits {
	if len(terms) == 1 {
		return altHits{docs: hits[terms[0]].docs}
	}
	lead := 0
	for j, t := range terms {
		if len(hits[t].docs) < len(hits[terms[lead]].docs) {
			lead = j
		}
	}
	cur := make([]int32, len(terms))
	var out altHits
	for e, d := range hits[terms[lead]].docs {
		all := true
		for j, t := range terms {
			if j == lead {
				continue
			}
			ds := hits[t].docs
			k := cur[j]
			for int(k) < len(ds) && ds[k] < d {
				k++
			}
			cur[j] = k
			if int(k) == len(ds) || ds[k] != d {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		cur[lead] = int32(e)
		out.docs = append(out.docs, d)
		out.at = append(out.at, cur...)
	}
	return out
}

// The best alternative of a line is kept in a byte, plus one.
const _ = uint8(MaxAlternatives + 1)

// Rank filters and ranks the corpus by cr, as Rank does its input: only
// the applicants a term is found in are scored, and snippets are made
// only for the ranked. A short field's snippet is the corpus's own text,
// so a Result kept keeps that text too.
func (c *Corpus) Rank(cr Criteria) Result {
	q, err := compile(cr)
	if err != nil {
		reason := invalidReason(err)
		res := Result{Ranked: []Ranked{}, Filtered: make([]Filtered, len(c.docs))}
		for k, i := range c.byID {
			res.Filtered[k] = Filtered{ApplicantID: c.docs[i].id, Reasons: []string{reason}}
		}
		sortFiltered(res.Filtered)
		return res
	}
	N := len(c.docs)
	hits := make([]termHits, len(q.terms))
	for t, ws := range q.terms {
		hits[t] = c.hits(ws)
	}
	lines := make([]*compiledLine, 0, len(q.required)+len(q.preferred))
	for k := range q.required {
		lines = append(lines, &q.required[k])
	}
	for k := range q.preferred {
		lines = append(lines, &q.preferred[k])
	}
	// Per line and applicant (line*N + applicant): the best alternative
	// matched plus one, 0 for none, and the applicant's entry in that
	// alternative's altHits.
	best := make([]uint8, len(lines)*N)
	entry := make([]int32, len(lines)*N)
	alts := make([][]altHits, len(lines))
	idf := make([]float64, len(lines))
	mark := make([]int32, N)    // the last line + 1 that counted the applicant in its df
	bestSum := make([]int64, N) // the best alternative's points, where best is set
	for k, l := range lines {
		alts[k] = make([]altHits, len(l.alts))
		df := 0
		for a, terms := range l.alts {
			alts[k][a] = intersect(hits, terms)
			for _, d := range alts[k][a].docs {
				if mark[d] != int32(k+1) {
					mark[d] = int32(k + 1)
					df++
				}
			}
		}
		idf[k] = lineIDF(N, df)
		b, en := best[k*N:(k+1)*N], entry[k*N:(k+1)*N]
		// Alternatives in order, a later one only when worth more: the
		// first of equals wins.
		for a, terms := range l.alts {
			ah := &alts[k][a]
			for e, d := range ah.docs {
				var sum int64
				for j, t := range terms {
					sum += bm25Points(hits[t].tf[ah.entry(e, j, len(terms))], c.docs[d].length, c.avgLen, idf[k])
				}
				if b[d] == 0 || sum > bestSum[d] {
					b[d], en[d], bestSum[d] = uint8(a+1), int32(e), sum
				}
			}
		}
	}

	res := Result{Ranked: []Ranked{}, Filtered: []Filtered{}}
	var (
		// All Filtered.Reasons and Ranked.Parts are cut from these, each
		// capped so that appending to one never writes into the next.
		reasons []string
		parts   []Part
		sn      snipper
		// The reasons and years parts depend on little: made once each.
		statusReasons = map[string]string{}
		yearsReasons  = map[int]string{}
		degreeReasons [len(degreeNames) + 1]string
		yearsParts    = map[int]Part{}
		// passed are the applicants the filters keep, nParts their parts.
		passed []int32
		nParts int
	)
	nReq := len(q.required)
	for _, i := range c.byID {
		d := &c.docs[i]
		r0 := len(reasons)
		if q.statuses != nil && !q.statuses[d.foldedStatus] {
			s, ok := statusReasons[d.status]
			if !ok {
				s = q.statusReason(d.status)
				statusReasons[d.status] = s
			}
			reasons = append(reasons, s)
		}
		for _, w := range q.search {
			if !strings.Contains(d.search, w) {
				reasons = append(reasons, q.searchReason())
				break
			}
		}
		for k := range nReq {
			if best[k*N+int(i)] == 0 {
				reasons = append(reasons, lines[k].needs)
			}
		}
		if q.c.MinYears > 0 && float64(d.months)/12 < q.c.MinYears {
			s, ok := yearsReasons[d.months]
			if !ok {
				s = q.yearsReason(d.months)
				yearsReasons[d.months] = s
			}
			reasons = append(reasons, s)
		}
		if want := q.degree; want > 0 && d.level < want {
			if degreeReasons[d.level] == "" {
				degreeReasons[d.level] = q.degreeReason(d.level)
			}
			reasons = append(reasons, degreeReasons[d.level])
		}
		if len(reasons) > r0 {
			res.Filtered = append(res.Filtered, Filtered{ApplicantID: d.id, Reasons: reasons[r0:len(reasons):len(reasons)]})
			continue
		}
		passed = append(passed, i)
		nParts += 3 // years, degree, assessment at most
		for k, l := range lines {
			if a := int(best[k*N+int(i)]) - 1; a >= 0 {
				nParts += 1 + len(l.alts[a]) // a preferred line's bonus, at most
			}
		}
	}

	// Only the ranked are quoted, into parts made once.
	parts = make([]Part, 0, nParts)
	rs := make([]rankedEntry, 0, len(passed))
	for _, i := range passed {
		d := &c.docs[i]
		p0 := len(parts)
		for k, l := range lines {
			a := int(best[k*N+int(i)]) - 1
			if a < 0 {
				continue
			}
			kind := KindRequired
			if k >= nReq {
				kind = KindPreferred
				parts = append(parts, Part{Kind: KindPreferred, Label: l.bonus, Points: PreferredBonus * milli})
			}
			ah, e, terms := &alts[k][a], int(entry[k*N+int(i)]), l.alts[a]
			for j, t := range terms {
				h, x := &hits[t], ah.entry(e, j, len(terms))
				p := Part{Kind: kind, Label: l.labels[a][j], Points: bm25Points(h.tf[x], d.length, c.avgLen, idf[k])}
				p.Field, p.Snippet = c.quote(d, h.first[x], len(q.terms[t]), &sn)
				parts = append(parts, p)
			}
		}
		yp, ok := yearsParts[d.months]
		if !ok {
			yp = q.yearsPart(d.months)
			yearsParts[d.months] = yp
		}
		parts = append(parts, yp)
		if d.level > 0 {
			parts = append(parts, Part{Kind: KindDegree, Label: degreeName(d.level), Field: FieldEducationDegree,
				Snippet: d.degreeSnip})
		}
		if d.assessment != nil {
			parts = append(parts, *d.assessment)
		}
		ps := parts[p0:len(parts):len(parts)]
		var score int64
		for _, p := range ps {
			score += p.Points
		}
		rs = append(rs, rankedEntry{
			r: Ranked{ApplicantID: d.id, Score: score, Years: math.Round(float64(d.months)/12*100) / 100,
				Degree: degreeName(d.level), Parts: ps},
			months: d.months, appID: d.appID,
		})
	}
	res.Ranked = sortRanked(rs)
	// Already by ApplicantID; this orders the rare equal IDs.
	sortFiltered(res.Filtered)
	return res
}

// quote is the field and snippet of a match of n words from index p in
// toks, in applicant d.
func (c *Corpus) quote(d *doc, p int32, n int, sn *snipper) (field, snippet string) {
	// The segment is the last one starting at or before p.
	si := d.segLo + int32(atOrBefore(c.segTok[d.segLo:d.segHi], p)) - 1
	sg := c.segs[si]
	field, text := c.fields[sg.field], c.text[sg.lo:sg.hi]
	if c.plain[si] {
		return field, text
	}
	return field, sn.snippet(text, int(c.spans[p][0]), int(c.spans[p+int32(n)-1][1]))
}

// plainSnippet reports whether every snippet of s is s: it is valid UTF-8
// of at most maxSnippet runes, so that nothing is cut, and its whitespace
// is single spaces between other runes, so that nothing is collapsed or
// trimmed. Most fields but descriptions are (a skill, a title, a school),
// and quoting them then costs nothing.
func plainSnippet(s string) bool {
	if len(s) > maxSnippet && (len(s) > maxSnippet*utf8.UTFMax || utf8.RuneCountInString(s) > maxSnippet) {
		return false
	}
	n := 0
	prevSpace := true // no space first
	for _, r := range s {
		n++
		space := r == ' '
		if n > maxSnippet || space && prevSpace || r == utf8.RuneError || !space && isSpace(r) {
			return false
		}
		prevSpace = space
	}
	return !prevSpace
}

// atOrBefore is the number of xs (ascending) at or before p.
func atOrBefore(xs []int32, p int32) int {
	n, _ := slices.BinarySearch(xs, p+1)
	return n
}
