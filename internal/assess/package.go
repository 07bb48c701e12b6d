// Package assess is Switchboard's built-in assessment engine: it describes a
// vacancy's package of scored modules, validates it, and turns a candidate's
// multiple-choice answers into a matching score, a fit label and one
// matching indicator per module.
//
// The package is pure: no I/O, no clock, no globals that change. Storage,
// HTTP and ATS delivery live elsewhere and call into it.
package assess

import (
	"errors"
	"fmt"
	"strings"
)

// Limits keep the integer arithmetic in Score far from overflow and catch
// obvious typos in hand-written packages (a weight of 1000000 is never meant).
const (
	MaxWeight = 100
	MaxPoints = 1000
)

// ErrInvalidPackage is wrapped by Package.Validate so callers can map any
// package problem to a client error with errors.Is.
var ErrInvalidPackage = errors.New("invalid assessment package")

// Package is the set of scored modules a vacancy's candidates take.
type Package struct {
	Modules []Module `json:"modules"`
}

// Module is one scored part of a package, e.g. "Cognitive ability". Its
// score becomes one matching indicator.
type Module struct {
	Key         string     `json:"key"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Weight      int        `json:"weight,omitempty"` // 0 means 1
	Questions   []Question `json:"questions"`
}

// Question is a multiple-choice question; exactly one option is chosen.
type Question struct {
	ID      string   `json:"id"`
	Prompt  string   `json:"prompt"`
	Options []Option `json:"options"`
}

// Option is one answer to a question and the points it earns.
type Option struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Points int    `json:"points"`
}

// EffectiveWeight is the weight used for scoring: an omitted (zero) weight
// counts as 1 so that unweighted packages average their modules evenly.
func (m Module) EffectiveWeight() int {
	if m.Weight == 0 {
		return 1
	}
	return m.Weight
}

// MaxPoints is the most a candidate can earn in the module: the sum over
// its questions of the best option's points.
func (m Module) MaxPoints() int {
	total := 0
	for _, q := range m.Questions {
		total += q.MaxPoints()
	}
	return total
}

// MaxPoints is the points of the question's best option.
func (q Question) MaxPoints() int {
	best := 0
	for _, o := range q.Options {
		best = max(best, o.Points)
	}
	return best
}

// Option returns the option with the given id.
func (q Question) Option(id string) (Option, bool) {
	for _, o := range q.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// Validate reports every problem in the package at once, so that whoever
// edits a package can fix it in one go. The error wraps ErrInvalidPackage.
func (p Package) Validate() error {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	if len(p.Modules) == 0 {
		add("package has no modules")
	}
	moduleKeys := make(map[string]int)
	questionIDs := make(map[string]string) // question id → key of the module that has it
	for mi, m := range p.Modules {
		where := fmt.Sprintf("module %d", mi+1)
		if strings.TrimSpace(m.Key) == "" {
			add("%s: empty key", where)
		} else {
			where = fmt.Sprintf("module %q", m.Key)
			if prev, dup := moduleKeys[m.Key]; dup {
				add("%s: duplicate module key (also module %d)", where, prev+1)
			} else {
				moduleKeys[m.Key] = mi
			}
		}
		if strings.TrimSpace(m.Name) == "" {
			add("%s: empty name", where)
		}
		if m.Weight < 0 || m.Weight > MaxWeight {
			add("%s: weight %d out of range (0–%d, 0 means 1)", where, m.Weight, MaxWeight)
		}
		if len(m.Questions) == 0 {
			add("%s: no questions", where)
			continue
		}
		for qi, q := range m.Questions {
			qwhere := fmt.Sprintf("%s: question %d", where, qi+1)
			if strings.TrimSpace(q.ID) == "" {
				add("%s: empty id", qwhere)
			} else {
				qwhere = fmt.Sprintf("%s: question %q", where, q.ID)
				if other, dup := questionIDs[q.ID]; dup {
					add("%s: duplicate question id (also in module %q)", qwhere, other)
				} else {
					questionIDs[q.ID] = m.Key
				}
			}
			if strings.TrimSpace(q.Prompt) == "" {
				add("%s: empty prompt", qwhere)
			}
			if len(q.Options) < 2 {
				add("%s: needs at least 2 options, has %d", qwhere, len(q.Options))
			}
			optionIDs := make(map[string]bool, len(q.Options))
			for oi, o := range q.Options {
				owhere := fmt.Sprintf("%s: option %d", qwhere, oi+1)
				if strings.TrimSpace(o.ID) == "" {
					add("%s: empty id", owhere)
				} else {
					owhere = fmt.Sprintf("%s: option %q", qwhere, o.ID)
					if optionIDs[o.ID] {
						add("%s: duplicate option id", owhere)
					}
					optionIDs[o.ID] = true
				}
				if strings.TrimSpace(o.Text) == "" {
					add("%s: empty text", owhere)
				}
				if o.Points < 0 {
					add("%s: negative points (%d)", owhere, o.Points)
				} else if o.Points > MaxPoints {
					add("%s: points %d exceed the maximum of %d", owhere, o.Points, MaxPoints)
				}
			}
		}
		// A module nobody can score in would divide by zero; it is always
		// an authoring mistake.
		if m.MaxPoints() <= 0 {
			add("%s: maximum possible points is 0 (every option scores 0)", where)
		}
	}

	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidPackage, strings.Join(problems, "; "))
}

// Questions returns every question of the package in order, module by
// module; this is the order a candidate sees them in.
func (p Package) Questions() []Question {
	var qs []Question
	for _, m := range p.Modules {
		qs = append(qs, m.Questions...)
	}
	return qs
}

// Question finds a question by id together with the module it belongs to.
func (p Package) Question(id string) (Question, Module, bool) {
	for _, m := range p.Modules {
		for _, q := range m.Questions {
			if q.ID == id {
				return q, m, true
			}
		}
	}
	return Question{}, Module{}, false
}
