package assess

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrIncomplete is returned (wrapped) by Score when some questions have no
// answer; a partial submission must not be scored as if it were complete.
var ErrIncomplete = errors.New("assessment incomplete")

// ErrInvalidAnswer is returned (wrapped) by Score when an answer names a
// question or option the package does not have.
var ErrInvalidAnswer = errors.New("invalid answer")

// Thresholds are a vacancy's cut-off scores for the fit labels.
type Thresholds struct {
	GreatFit int `json:"great_fit"`
	GoodFit  int `json:"good_fit"`
}

// DefaultThresholds are used when a vacancy does not set its own.
func DefaultThresholds() Thresholds {
	return Thresholds{GreatFit: 75, GoodFit: 50}
}

// Validate checks 0 <= GoodFit <= GreatFit <= 100.
func (t Thresholds) Validate() error {
	switch {
	case t.GoodFit < 0:
		return fmt.Errorf("invalid thresholds: good_fit %d is below 0", t.GoodFit)
	case t.GreatFit > 100:
		return fmt.Errorf("invalid thresholds: great_fit %d is above 100", t.GreatFit)
	case t.GoodFit > t.GreatFit:
		return fmt.Errorf("invalid thresholds: good_fit %d is above great_fit %d", t.GoodFit, t.GreatFit)
	}
	return nil
}

// Label is the human verdict for a score.
type Label string

// The labels, best first.
const (
	GreatFit Label = "Great fit"
	GoodFit  Label = "Good fit"
	PoorFit  Label = "Poor fit"
)

// LabelFor maps a score to its label; thresholds are inclusive lower bounds.
func (t Thresholds) LabelFor(score int) Label {
	switch {
	case score >= t.GreatFit:
		return GreatFit
	case score >= t.GoodFit:
		return GoodFit
	default:
		return PoorFit
	}
}

// Answers maps question id → chosen option id.
type Answers map[string]string

// Indicator is one module's result.
type Indicator struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Score int    `json:"score"` // 0–100
	Label Label  `json:"label"`
}

// Outcome is the scored result of a complete set of answers.
type Outcome struct {
	Score      int         `json:"score"`
	Min        int         `json:"min"` // always 0; explicit because ATSs want the scale
	Max        int         `json:"max"` // always 100
	Label      Label       `json:"label"`
	Indicators []Indicator `json:"indicators"`
	Summary    string      `json:"summary"`
}

// Score turns answers into an outcome.
//
// Each module scores round(100 × earned / maximum possible); the overall
// score is the weighted mean of the module scores. Both round half up, using
// integer arithmetic only so that results are exact and reproducible.
func Score(p Package, t Thresholds, a Answers) (Outcome, error) {
	if err := p.Validate(); err != nil {
		return Outcome{}, fmt.Errorf("score: %w", err)
	}
	if err := t.Validate(); err != nil {
		return Outcome{}, fmt.Errorf("score: %w", err)
	}

	// Reject answers that do not belong to the package before looking at
	// completeness: they indicate a client bug or tampering, not a
	// candidate who has not finished yet.
	ids := make([]string, 0, len(a))
	for qid := range a {
		ids = append(ids, qid)
	}
	slices.Sort(ids) // deterministic error messages
	for _, qid := range ids {
		q, _, ok := p.Question(qid)
		if !ok {
			return Outcome{}, fmt.Errorf("score: %w: unknown question %q", ErrInvalidAnswer, qid)
		}
		if _, ok := q.Option(a[qid]); !ok {
			return Outcome{}, fmt.Errorf("score: %w: question %q has no option %q", ErrInvalidAnswer, qid, a[qid])
		}
	}

	var missing []string
	for _, q := range p.Questions() {
		if _, ok := a[q.ID]; !ok {
			missing = append(missing, q.ID)
		}
	}
	if len(missing) > 0 {
		total := len(p.Questions())
		return Outcome{}, fmt.Errorf("score: %w: %d of %d questions unanswered (%s)",
			ErrIncomplete, len(missing), total, abbreviate(missing, 5))
	}

	out := Outcome{Min: 0, Max: 100, Indicators: make([]Indicator, 0, len(p.Modules))}
	weighted, totalWeight := 0, 0
	for _, m := range p.Modules {
		earned := 0
		for _, q := range m.Questions {
			o, _ := q.Option(a[q.ID]) // existence checked above
			earned += o.Points
		}
		s := roundDiv(100*earned, m.MaxPoints())
		out.Indicators = append(out.Indicators, Indicator{Key: m.Key, Name: m.Name, Score: s, Label: t.LabelFor(s)})
		w := m.EffectiveWeight()
		weighted += w * s
		totalWeight += w
	}
	out.Score = roundDiv(weighted, totalWeight)
	out.Label = t.LabelFor(out.Score)
	out.Summary = summarise(out)
	return out, nil
}

// roundDiv returns n/d rounded half up, for n >= 0 and d > 0.
func roundDiv(n, d int) int {
	return (2*n + d) / (2 * d)
}

func abbreviate(ids []string, keep int) string {
	if len(ids) <= keep {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:keep], ", "), len(ids)-keep)
}

// summarise writes the one-line verdict shown in ATSs that only display
// text, e.g. "Great fit (82/100). Strongest: Situational judgement (90).
// Weakest: Work style (70)." Ties go to the module listed first.
func summarise(o Outcome) string {
	s := fmt.Sprintf("%s (%d/100).", o.Label, o.Score)
	if len(o.Indicators) < 2 {
		return s
	}
	best, worst := o.Indicators[0], o.Indicators[0]
	for _, ind := range o.Indicators[1:] {
		if ind.Score > best.Score {
			best = ind
		}
		if ind.Score < worst.Score {
			worst = ind
		}
	}
	if best.Score == worst.Score {
		return fmt.Sprintf("%s All modules scored %d.", s, best.Score)
	}
	return fmt.Sprintf("%s Strongest: %s (%d). Weakest: %s (%d).", s, best.Name, best.Score, worst.Name, worst.Score)
}
