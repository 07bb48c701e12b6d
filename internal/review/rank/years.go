package rank

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"

	"switchboard/internal/ats"
)

// monthIndex counts months since year 0, in UTC, so that every position's
// bounds are whole months as the ATS gives them.
func monthIndex(t time.Time) int {
	t = t.UTC()
	return t.Year()*12 + int(t.Month()) - 1
}

// experienceMonths is the number of months covered by the work history:
// the union of the positions, so overlapping positions count once. A
// position's End month counts (January to March is three months); a
// current one runs to now's month; a zero End without Current is one
// month. Positions without a Start are unknown and not counted, and no
// month after now's counts.
func experienceMonths(exps []ats.Experience, now time.Time) int {
	last := monthIndex(now) + 1 // exclusive
	type span struct{ from, to int }
	var buf [8]span
	spans := buf[:0]
	for _, e := range exps {
		if e.Start.IsZero() {
			continue
		}
		from := monthIndex(e.Start)
		to := from + 1
		switch {
		case e.Current:
			to = last
		case !e.End.IsZero():
			to = max(monthIndex(e.End)+1, from+1)
		}
		to = min(to, last)
		if from < to {
			spans = append(spans, span{from, to})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	months, end := 0, 0
	for i, s := range spans {
		if i == 0 || s.from > end {
			months += s.to - s.from
			end = s.to
			continue
		}
		if s.to > end {
			months += s.to - end
			end = s.to
		}
	}
	return months
}

// degreeWords names the degrees as they are written in an ATS's education
// entries, folded and without dots ("B.S." is "bs", "Ph.D." is "phd").
// Read-only after package initialisation.
var degreeWords = map[string]int{
	"associate": 1, "associates": 1, "aa": 1, "aas": 1, "asc": 1,
	"bachelor": 2, "bachelors": 2, "baccalaureate": 2, "bsc": 2, "bs": 2, "ba": 2, "beng": 2,
	"bba": 2, "btech": 2, "bfa": 2, "bcom": 2, "bcs": 2, "bse": 2, "llb": 2, "licence": 2, "licenciatura": 2,
	"master": 3, "masters": 3, "msc": 3, "ms": 3, "ma": 3, "mba": 3, "meng": 3, "mphil": 3,
	"mfa": 3, "mpa": 3, "mph": 3, "mres": 3, "mtech": 3, "mcs": 3, "mse": 3, "llm": 3, "magister": 3,
	"phd": 4, "dphil": 4, "doctor": 4, "doctorate": 4, "doctoral": 4, "edd": 4, "dsc": 4,
}

// dottedDegreeWords are abbreviations that are also English words, so they
// name a degree only when written with dots ("A.S.", "B.E.").
var dottedDegreeWords = map[string]int{"as": 1, "be": 2}

// degreeOf is the highest degree level written in the education entries'
// Degree text (0 when none names one) and which entry it is. cache keeps
// degreeTextLevel per Degree text: an ATS's applicants share a few
// spellings.
func degreeOf(edus []ats.Education, cache map[string]int) (level, entry int) {
	entry = -1
	for i, e := range edus {
		l, ok := cache[e.Degree]
		if !ok {
			l = degreeTextLevel(e.Degree)
			cache[e.Degree] = l
		}
		if l > level {
			level, entry = l, i
		}
	}
	return level, entry
}

// degreeTextLevel reads one Degree text: "B.S. Computer Science",
// "Master of Science", "Ph. D.", "MBA".
func degreeTextLevel(s string) int {
	type chunk struct {
		key    string
		dotted bool
	}
	var chunks []chunk
	for _, f := range strings.FieldsFunc(fold(s), func(r rune) bool {
		return r != '.' && !isWordRune(r)
	}) {
		key := strings.ReplaceAll(f, ".", "")
		if key != "" {
			chunks = append(chunks, chunk{key, key != f})
		}
	}
	level := 0
	for i, c := range chunks {
		l := degreeWords[c.key]
		if c.dotted {
			l = max(l, dottedDegreeWords[c.key])
			// "Ph. D.", "B. Sc.": a dotted abbreviation cut in two.
			if i+1 < len(chunks) && len(c.key) <= 2 && len(chunks[i+1].key) <= 3 && allLetters(chunks[i+1].key) {
				joined := c.key + chunks[i+1].key
				l = max(l, degreeWords[joined], dottedDegreeWords[joined])
			}
		}
		level = max(level, l)
	}
	return level
}

func allLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
