package rank

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of one qualification line, so that a pasted job description is
// refused with a message rather than ranked slowly.
const (
	MaxLineRunes           = 300
	MaxAlternatives        = 30
	MaxTermsPerAlternative = 10
)

const (
	orWord      = "or"
	phraseQuote = '"'
)

// Line is one parsed qualification line: the applicant must match (a
// required line) or earns a bonus for matching (a preferred line) at least
// one of its Alternatives.
type Line struct {
	Alternatives []Alternative
}

// Alternative is one way to match a line: every one of its Terms must be
// found in the applicant's text, a word anywhere, a quoted phrase as
// written inside one field.
type Alternative struct {
	Terms []Term
}

// Term is a word as the user wrote it ("Go", "c++", "node.js") or a quoted
// phrase ("machine learning"). Matching folds case and accents and is on
// word boundaries: a word of the text is a run of letters and digits, with
// a '+' or '#' run after it ("c++", "c#"), and any other character
// separates words, so "go" is not in "google", "c" is not in "c++", and a
// term of several such words ("node.js", "full-stack") matches them in a
// row ("Node.js", "node js", "Full stack").
type Term struct {
	Text   string
	Phrase bool
}

// ParseLine parses one qualification line: alternatives separated by ",",
// "|" or the word OR (any case); each alternative is words and "quoted
// phrases", inside which separators are plain text.
func ParseLine(s string) (Line, error) {
	l, err := parseLine(s)
	if err != nil {
		return Line{}, &LineError{Problem: err.Error()}
	}
	return l, nil
}

// LineError is why a line does not parse, said of "the line" (Problem is
// the predicate, "is empty"), so a form can name which line it is.
type LineError struct {
	Problem string
}

func (e *LineError) Error() string { return "line " + e.Problem }

func parseLine(s string) (Line, error) {
	if !utf8.ValidString(s) {
		return Line{}, errors.New("is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > MaxLineRunes {
		return Line{}, fmt.Errorf("is %d characters long, at most %d are allowed", n, MaxLineRunes)
	}
	if strings.TrimSpace(s) == "" {
		return Line{}, errors.New("is empty")
	}
	var (
		line  Line
		cur   Alternative
		seps  int
		quote = -1 // byte offset of the open quote
		word  = -1 // byte offset of the word being read
	)
	closeAlt := func() error {
		if len(cur.Terms) == 0 {
			return fmt.Errorf("has an empty alternative (number %d): remove the extra separator", len(line.Alternatives)+1)
		}
		if len(line.Alternatives) == MaxAlternatives {
			return fmt.Errorf("has more than %d alternatives", MaxAlternatives)
		}
		line.Alternatives = append(line.Alternatives, cur)
		cur = Alternative{}
		return nil
	}
	addTerm := func(t Term) error {
		if len(words(t.Text)) == 0 {
			if t.Phrase {
				return fmt.Errorf("has a quoted phrase %q with no letters or digits", t.Text)
			}
			return fmt.Errorf("has %q, which has no letters or digits", t.Text)
		}
		if len(cur.Terms) == MaxTermsPerAlternative {
			return fmt.Errorf("has an alternative of more than %d words", MaxTermsPerAlternative)
		}
		cur.Terms = append(cur.Terms, t)
		return nil
	}
	// endWord ends the unquoted word started at word, at byte i: the word
	// OR is a separator, any other is a term.
	endWord := func(i int) error {
		if word < 0 {
			return nil
		}
		w := s[word:i]
		word = -1
		if strings.EqualFold(w, orWord) {
			seps++
			return closeAlt()
		}
		return addTerm(Term{Text: w})
	}
	for i, r := range s {
		if quote >= 0 {
			if r == phraseQuote {
				text := strings.TrimSpace(collapse(s[quote+1 : i]))
				quote = -1
				if text == "" {
					return Line{}, errors.New("has an empty quoted phrase")
				}
				if err := addTerm(Term{Text: text, Phrase: true}); err != nil {
					return Line{}, err
				}
			}
			continue
		}
		switch {
		case r == phraseQuote:
			if err := endWord(i); err != nil {
				return Line{}, err
			}
			quote = i
		case r == ',' || r == '|':
			if err := endWord(i); err != nil {
				return Line{}, err
			}
			seps++
			if err := closeAlt(); err != nil {
				return Line{}, err
			}
		case unicode.IsSpace(r):
			if err := endWord(i); err != nil {
				return Line{}, err
			}
		default:
			if word < 0 {
				word = i
			}
		}
	}
	if quote >= 0 {
		return Line{}, errors.New("has a quote that is not closed")
	}
	if err := endWord(len(s)); err != nil {
		return Line{}, err
	}
	if err := closeAlt(); err != nil {
		if seps == 0 {
			return Line{}, errors.New("is empty")
		}
		return Line{}, err
	}
	return line, nil
}

// String renders the line so that ParseLine reads it back as it is.
func (l Line) String() string {
	parts := make([]string, len(l.Alternatives))
	for i, a := range l.Alternatives {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

// String renders the alternative as the user wrote it, phrases quoted.
func (a Alternative) String() string {
	parts := make([]string, len(a.Terms))
	for i, t := range a.Terms {
		parts[i] = t.String()
	}
	return strings.Join(parts, " ")
}

// String renders the term, a phrase in quotes.
func (t Term) String() string {
	if t.Phrase {
		return `"` + t.Text + `"`
	}
	return t.Text
}
