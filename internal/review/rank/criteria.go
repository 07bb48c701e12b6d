// Package rank filters a job's applicants by its qualifications and ranks
// the rest, explaining every point of every score.
//
// Criteria are what a recruiter sets per job: required and preferred lines
// (alternatives on a line are OR, required lines are AND, preferred lines
// earn a bonus), minimum years of experience, a minimum degree, statuses
// and a free-text search. Rank applies them to applicants read from an ATS
// (ats.Applicant) together with Switchboard's own assessment result for
// each: the hard filters first, each failure given as a reason in the
// user's words, then a score in integer milli-points made of parts (BM25
// relevance of each matched term, the alternatives of a line sharing one
// document frequency as synonyms do; a bonus per matched preferred line;
// years above the minimum; the assessment score) whose points add up
// exactly to the score. Everything is computed without the clock (now is
// an argument) and without floating-point steps that differ between
// machines, and the order is total, so the same applicants give the same
// Result on every machine, database and input order.
//
// NewCorpus does the work of each applicant that does not depend on the
// criteria once (folding, tokenizing, an inverted index of the words,
// years, degree); Corpus.Rank then ranks the same applicants under each
// new criteria with the Result Rank gives, scoring only the applicants a
// term is found in and quoting only the ranked. Rank is NewCorpus and
// Corpus.Rank in one.
//
// The package is pure: it does no I/O and imports only the ats seam for the
// applicant type.
package rank

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of Criteria beyond those of one line.
const (
	MaxLines      = 20
	MaxStatuses   = 50
	MaxQueryRunes = 200
	MaxYears      = 60
	// MaxTerms bounds the words and phrases of all lines together: Rank
	// keeps a count and a position per term per applicant.
	MaxTerms = 100
)

// Criteria are a job's qualifications and filters, kept by the store as
// JSON per job.
type Criteria struct {
	// Required lines must each be matched; Preferred lines earn a bonus.
	// Each is a line for ParseLine.
	Required  []string `json:"required,omitempty"`
	Preferred []string `json:"preferred,omitempty"`
	// MinYears of work experience; 0 is any.
	MinYears float64 `json:"min_years,omitempty"`
	// Degree is the lowest degree level wanted: one of Degrees, "" is any.
	Degree string `json:"degree,omitempty"`
	// Statuses keeps the applicants whose ATS status is one of them (case
	// folded); empty keeps all.
	Statuses []string `json:"statuses,omitempty"`
	// Query keeps the applicants whose name, email or headline contain
	// every word of it (case and accent folded); empty keeps all.
	Query string `json:"query,omitempty"`
}

// Degree levels, lowest first; the index is the level.
const (
	DegreeAssociate = "associate"
	DegreeBachelor  = "bachelor"
	DegreeMaster    = "master"
	DegreeDoctorate = "doctorate"
)

// degreeNames are the levels, lowest first; the index plus one is the
// level. Read-only.
var degreeNames = [...]string{DegreeAssociate, DegreeBachelor, DegreeMaster, DegreeDoctorate}

// Degrees lists the degree levels Criteria.Degree may name, lowest first;
// a copy the caller may keep.
func Degrees() []string {
	return slices.Clone(degreeNames[:])
}

// degreeLevel is 1 for associate up to 4 for doctorate, 0 for "" and -1
// for a word that is no level.
func degreeLevel(name string) int {
	if name == "" {
		return 0
	}
	for i, d := range degreeNames {
		if d == name {
			return i + 1
		}
	}
	return -1
}

func degreeName(level int) string {
	if level <= 0 {
		return ""
	}
	return degreeNames[level-1]
}

// Validate reports every problem of c, each naming the line or field in
// the words of the qualification form.
func (c Criteria) Validate() error {
	var errs []error
	req, terms1 := validateLines("required", c.Required)
	pref, terms2 := validateLines("preferred", c.Preferred)
	errs = append(append(errs, req...), pref...)
	if n := terms1 + terms2; n > MaxTerms {
		errs = append(errs, fmt.Errorf("the lines have %d words and phrases together, at most %d are allowed", n, MaxTerms))
	}
	switch {
	case math.IsNaN(c.MinYears) || math.IsInf(c.MinYears, 0):
		errs = append(errs, errors.New("years of experience must be a number"))
	case c.MinYears < 0:
		errs = append(errs, fmt.Errorf("years of experience cannot be negative (%g)", c.MinYears))
	case c.MinYears > MaxYears:
		errs = append(errs, fmt.Errorf("years of experience must be at most %d (%g)", MaxYears, c.MinYears))
	}
	if degreeLevel(c.Degree) < 0 {
		errs = append(errs, fmt.Errorf("unknown degree %q: use one of %s, or none", c.Degree, strings.Join(Degrees(), ", ")))
	}
	if len(c.Statuses) > MaxStatuses {
		errs = append(errs, fmt.Errorf("%d statuses, at most %d are allowed", len(c.Statuses), MaxStatuses))
	}
	for i, s := range c.Statuses {
		if strings.TrimSpace(s) == "" {
			errs = append(errs, fmt.Errorf("status %d is empty", i+1))
		}
	}
	if !utf8.ValidString(c.Query) {
		errs = append(errs, errors.New("the search is not valid UTF-8 text"))
	} else if n := utf8.RuneCountInString(c.Query); n > MaxQueryRunes {
		errs = append(errs, fmt.Errorf("the search is %d characters long, at most %d are allowed", n, MaxQueryRunes))
	}
	return errors.Join(errs...)
}

// validateLines reports the problems of each line and counts the terms
// of those that parse.
func validateLines(kind string, lines []string) (errs []error, terms int) {
	if len(lines) > MaxLines {
		errs = append(errs, fmt.Errorf("%d %s lines, at most %d are allowed", len(lines), kind, MaxLines))
	}
	for i, s := range lines {
		l, err := parseLine(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s line %d %w", kind, i+1, err))
			continue
		}
		for _, a := range l.Alternatives {
			terms += len(a.Terms)
		}
	}
	return errs, terms
}
