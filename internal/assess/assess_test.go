package assess

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// mod builds a module whose questions have the given max points; each
// question gets options worth 0..max so any earned total is reachable.
func mod(key string, weight int, maxes ...int) Module {
	m := Module{Key: key, Name: strings.ToUpper(key[:1]) + key[1:], Weight: weight}
	for i, mx := range maxes {
		q := Question{ID: key + "-q" + strconv.Itoa(i+1), Prompt: "Prompt?"}
		for p := 0; p <= mx; p++ {
			q.Options = append(q.Options, Option{ID: "o" + strconv.Itoa(p), Text: "Option", Points: p})
		}
		m.Questions = append(m.Questions, q)
	}
	return m
}

// pick answers every question with the option whose points are chosen by f.
func pick(p Package, f func(Question) int) Answers {
	a := Answers{}
	for _, q := range p.Questions() {
		want := f(q)
		for _, o := range q.Options {
			if o.Points == want {
				a[q.ID] = o.ID
				break
			}
		}
	}
	return a
}

func best(q Question) int { return q.MaxPoints() }

func worst(q Question) int {
	w := q.Options[0].Points
	for _, o := range q.Options {
		w = min(w, o.Points)
	}
	return w
}

func TestLabelFor(t *testing.T) {
	th := DefaultThresholds()
	tests := []struct {
		score int
		want  Label
	}{
		{0, PoorFit},
		{49, PoorFit},
		{50, GoodFit},
		{74, GoodFit},
		{75, GreatFit},
		{100, GreatFit},
	}
	for _, tt := range tests {
		if got := th.LabelFor(tt.score); got != tt.want {
			t.Errorf("LabelFor(%d) = %q, want %q", tt.score, got, tt.want)
		}
	}
	// Equal thresholds leave no room for "Good fit".
	eq := Thresholds{GreatFit: 60, GoodFit: 60}
	if got := eq.LabelFor(60); got != GreatFit {
		t.Errorf("equal thresholds: LabelFor(60) = %q, want %q", got, GreatFit)
	}
	if got := eq.LabelFor(59); got != PoorFit {
		t.Errorf("equal thresholds: LabelFor(59) = %q, want %q", got, PoorFit)
	}
}

func TestThresholdsValidate(t *testing.T) {
	tests := []struct {
		name string
		th   Thresholds
		want string // substring of the error; "" means valid
	}{
		{"default", DefaultThresholds(), ""},
		{"zero", Thresholds{}, ""},
		{"full range", Thresholds{GreatFit: 100, GoodFit: 0}, ""},
		{"equal", Thresholds{GreatFit: 70, GoodFit: 70}, ""},
		{"negative good", Thresholds{GreatFit: 75, GoodFit: -1}, "good_fit -1 is below 0"},
		{"great above 100", Thresholds{GreatFit: 101, GoodFit: 50}, "great_fit 101 is above 100"},
		{"inverted", Thresholds{GreatFit: 40, GoodFit: 60}, "good_fit 60 is above great_fit 40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.th.Validate()
			checkErr(t, err, tt.want)
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want error containing %q, got nil", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

func TestValidate(t *testing.T) {
	valid := func() Package { return Package{Modules: []Module{mod("alpha", 0, 2, 2), mod("beta", 3, 1)}} }
	tests := []struct {
		name   string
		mutate func(p *Package)
		want   string
	}{
		{"valid", func(p *Package) {}, ""},
		{"no modules", func(p *Package) { p.Modules = nil }, "package has no modules"},
		{"empty module key", func(p *Package) { p.Modules[0].Key = " " }, "module 1: empty key"},
		{"duplicate module key", func(p *Package) { p.Modules[1].Key = "alpha" }, `module "alpha": duplicate module key (also module 1)`},
		{"empty module name", func(p *Package) { p.Modules[0].Name = "" }, `module "alpha": empty name`},
		{"negative weight", func(p *Package) { p.Modules[0].Weight = -1 }, `module "alpha": weight -1 out of range`},
		{"huge weight", func(p *Package) { p.Modules[0].Weight = MaxWeight + 1 }, `weight 101 out of range`},
		{"no questions", func(p *Package) { p.Modules[1].Questions = nil }, `module "beta": no questions`},
		{"empty question id", func(p *Package) { p.Modules[0].Questions[1].ID = "" }, `module "alpha": question 2: empty id`},
		{"duplicate question id across modules", func(p *Package) { p.Modules[1].Questions[0].ID = "alpha-q1" },
			`module "beta": question "alpha-q1": duplicate question id (also in module "alpha")`},
		{"empty prompt", func(p *Package) { p.Modules[0].Questions[0].Prompt = "" }, `question "alpha-q1": empty prompt`},
		{"one option", func(p *Package) { p.Modules[0].Questions[0].Options = p.Modules[0].Questions[0].Options[:1] },
			`question "alpha-q1": needs at least 2 options, has 1`},
		{"duplicate option id", func(p *Package) { p.Modules[0].Questions[0].Options[1].ID = "o0" },
			`question "alpha-q1": option "o0": duplicate option id`},
		{"empty option id", func(p *Package) { p.Modules[0].Questions[0].Options[1].ID = "" }, `question "alpha-q1": option 2: empty id`},
		{"empty option text", func(p *Package) { p.Modules[0].Questions[0].Options[1].Text = "" }, `option "o1": empty text`},
		{"negative points", func(p *Package) { p.Modules[0].Questions[0].Options[0].Points = -2 }, `option "o0": negative points (-2)`},
		{"too many points", func(p *Package) { p.Modules[0].Questions[0].Options[0].Points = MaxPoints + 1 }, `points 1001 exceed the maximum of 1000`},
		{"all zero points", func(p *Package) {
			for i := range p.Modules[1].Questions[0].Options {
				p.Modules[1].Questions[0].Options[i].Points = 0
			}
		}, `module "beta": maximum possible points is 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.mutate(&p)
			err := p.Validate()
			checkErr(t, err, tt.want)
			if err != nil && !errors.Is(err, ErrInvalidPackage) {
				t.Errorf("error does not wrap ErrInvalidPackage: %v", err)
			}
		})
	}
}

func TestValidateReportsAllProblems(t *testing.T) {
	p := Package{Modules: []Module{mod("a", -1, 1), mod("a", 0, 1)}}
	err := p.Validate()
	for _, want := range []string{"weight -1", "duplicate module key"} {
		checkErr(t, err, want)
	}
}

func TestDefaultPackage(t *testing.T) {
	p := DefaultPackage()
	if err := p.Validate(); err != nil {
		t.Fatalf("DefaultPackage does not validate: %v", err)
	}
	if len(p.Modules) != 3 {
		t.Fatalf("want 3 modules, got %d", len(p.Modules))
	}
	for _, m := range p.Modules {
		if n := len(m.Questions); n < 3 || n > 4 {
			t.Errorf("module %q has %d questions, want 3–4", m.Key, n)
		}
	}
	th := DefaultThresholds()
	perfect, err := Score(p, th, pick(p, best))
	if err != nil {
		t.Fatal(err)
	}
	if perfect.Score != 100 || perfect.Label != GreatFit {
		t.Errorf("perfect answers: got %d %q, want 100 %q", perfect.Score, perfect.Label, GreatFit)
	}
	if perfect.Summary != "Great fit (100/100). All modules scored 100." {
		t.Errorf("perfect summary = %q", perfect.Summary)
	}
	bad, err := Score(p, th, pick(p, worst))
	if err != nil {
		t.Fatal(err)
	}
	if bad.Score != 0 || bad.Label != PoorFit {
		t.Errorf("worst answers: got %d %q, want 0 %q", bad.Score, bad.Label, PoorFit)
	}
	for _, ind := range append(perfect.Indicators, bad.Indicators...) {
		if ind.Score != 0 && ind.Score != 100 {
			t.Errorf("indicator %q = %d, want 0 or 100", ind.Key, ind.Score)
		}
	}
	// Fresh copy: mutating one result must not affect the next call.
	p.Modules[0].Name = "changed"
	if DefaultPackage().Modules[0].Name == "changed" {
		t.Error("DefaultPackage shares state between calls")
	}
}

func TestScore(t *testing.T) {
	th := DefaultThresholds()
	tests := []struct {
		name       string
		pkg        Package
		points     map[string]int // question id → points of the chosen option
		want       int
		indicators []int
		label      Label
	}{
		{
			name:       "one third rounds down",
			pkg:        Package{Modules: []Module{mod("m", 0, 3)}},
			points:     map[string]int{"m-q1": 1},
			want:       33,
			indicators: []int{33},
			label:      PoorFit,
		},
		{
			name:       "two thirds rounds up",
			pkg:        Package{Modules: []Module{mod("m", 0, 3)}},
			points:     map[string]int{"m-q1": 2},
			want:       67,
			indicators: []int{67},
			label:      GoodFit,
		},
		{
			name:       "module half rounds up",
			pkg:        Package{Modules: []Module{mod("m", 0, 8)}},
			points:     map[string]int{"m-q1": 1}, // 12.5
			want:       13,
			indicators: []int{13},
			label:      PoorFit,
		},
		{
			name:       "max points sum over questions",
			pkg:        Package{Modules: []Module{mod("m", 0, 1, 3)}},
			points:     map[string]int{"m-q1": 1, "m-q2": 2}, // 3 of 4
			want:       75,
			indicators: []int{75},
			label:      GreatFit,
		},
		{
			name:       "zero weight counts as one",
			pkg:        Package{Modules: []Module{mod("a", 0, 4), mod("b", 1, 4)}},
			points:     map[string]int{"a-q1": 4, "b-q1": 1}, // 100 and 25 → 62.5
			want:       63,
			indicators: []int{100, 25},
			label:      GoodFit,
		},
		{
			name:       "weights",
			pkg:        Package{Modules: []Module{mod("a", 3, 1), mod("b", 1, 1)}},
			points:     map[string]int{"a-q1": 1, "b-q1": 0}, // (3×100 + 0) / 4
			want:       75,
			indicators: []int{100, 0},
			label:      GreatFit,
		},
		{
			name:       "weighted mean of rounded module scores",
			pkg:        Package{Modules: []Module{mod("a", 2, 3), mod("b", 1, 8)}},
			points:     map[string]int{"a-q1": 2, "b-q1": 3}, // 67 and 38 (37.5) → (134+38)/3 = 57.33
			want:       57,
			indicators: []int{67, 38},
			label:      GoodFit,
		},
		{
			name:       "just below good fit",
			pkg:        Package{Modules: []Module{mod("a", 0, 100-1)}}, // needs MaxPoints ≥ 99
			points:     map[string]int{"a-q1": 48},                     // 48.48 → 48
			want:       48,
			indicators: []int{48},
			label:      PoorFit,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := pick(tt.pkg, func(q Question) int { return tt.points[q.ID] })
			got, err := Score(tt.pkg, th, a)
			if err != nil {
				t.Fatal(err)
			}
			if got.Score != tt.want || got.Label != tt.label {
				t.Errorf("score = %d %q, want %d %q", got.Score, got.Label, tt.want, tt.label)
			}
			if got.Min != 0 || got.Max != 100 {
				t.Errorf("min/max = %d/%d, want 0/100", got.Min, got.Max)
			}
			var inds []int
			for i, ind := range got.Indicators {
				inds = append(inds, ind.Score)
				if ind.Key != tt.pkg.Modules[i].Key || ind.Name != tt.pkg.Modules[i].Name {
					t.Errorf("indicator %d = %q/%q, want module %q", i, ind.Key, ind.Name, tt.pkg.Modules[i].Key)
				}
				if ind.Label != th.LabelFor(ind.Score) {
					t.Errorf("indicator %q label %q, want %q", ind.Key, ind.Label, th.LabelFor(ind.Score))
				}
			}
			if !reflect.DeepEqual(inds, tt.indicators) {
				t.Errorf("indicators = %v, want %v", inds, tt.indicators)
			}
		})
	}
}

func TestScoreSummary(t *testing.T) {
	p := Package{Modules: []Module{
		{Key: "ca", Name: "Cognitive ability", Questions: []Question{q("c1", 10)}},
		{Key: "sj", Name: "Situational judgement", Questions: []Question{q("s1", 10)}},
		{Key: "ws", Name: "Work style", Questions: []Question{q("w1", 10)}},
	}}
	a := Answers{"c1": "p8", "s1": "p9", "w1": "p7"}
	got, err := Score(p, DefaultThresholds(), a)
	if err != nil {
		t.Fatal(err)
	}
	want := "Great fit (80/100). Strongest: Situational judgement (90). Weakest: Work style (70)."
	if got.Summary != want {
		t.Errorf("summary = %q, want %q", got.Summary, want)
	}

	one := Package{Modules: p.Modules[:1]}
	got, err = Score(one, DefaultThresholds(), Answers{"c1": "p4"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Poor fit (40/100)."; got.Summary != want {
		t.Errorf("single-module summary = %q, want %q", got.Summary, want)
	}
}

// q builds a question with options p0..pN worth 0..N points.
func q(id string, n int) Question {
	qu := Question{ID: id, Prompt: "?"}
	for i := 0; i <= n; i++ {
		qu.Options = append(qu.Options, Option{ID: "p" + strconv.Itoa(i), Text: "t", Points: i})
	}
	return qu
}

func TestScoreErrors(t *testing.T) {
	p := Package{Modules: []Module{mod("a", 0, 1, 1, 1), mod("b", 0, 1, 1, 1)}}
	th := DefaultThresholds()
	tests := []struct {
		name    string
		pkg     Package
		th      Thresholds
		answers Answers
		is      error
		want    string
	}{
		{"incomplete", p, th, Answers{"a-q1": "o1", "b-q2": "o0"}, ErrIncomplete,
			"4 of 6 questions unanswered (a-q2, a-q3, b-q1, b-q3)"},
		{"nothing answered", p, th, Answers{}, ErrIncomplete, "6 of 6 questions unanswered (a-q1, a-q2, a-q3, b-q1, b-q2 and 1 more)"},
		{"unknown option", p, th, Answers{"a-q1": "o9"}, ErrInvalidAnswer, `question "a-q1" has no option "o9"`},
		{"unknown question", p, th, Answers{"zz": "o1"}, ErrInvalidAnswer, `unknown question "zz"`},
		{"invalid package", Package{}, th, Answers{}, ErrInvalidPackage, "package has no modules"},
		{"invalid thresholds", p, Thresholds{GreatFit: 10, GoodFit: 20}, Answers{}, nil, "good_fit 20 is above great_fit 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Score(tt.pkg, tt.th, tt.answers)
			checkErr(t, err, tt.want)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestPackageLookup(t *testing.T) {
	p := DefaultPackage()
	qs := p.Questions()
	if len(qs) != 10 || qs[0].ID != "ca1" || qs[len(qs)-1].ID != "ws3" {
		t.Fatalf("Questions() order unexpected: %d questions, first %q", len(qs), qs[0].ID)
	}
	q, m, ok := p.Question("sj2")
	if !ok || q.ID != "sj2" || m.Key != "situational_judgement" {
		t.Errorf("Question(sj2) = %q, %q, %v", q.ID, m.Key, ok)
	}
	if _, _, ok := p.Question("nope"); ok {
		t.Error("Question(nope) found something")
	}
}

func TestJSONShape(t *testing.T) {
	o, err := Score(DefaultPackage(), DefaultThresholds(), pick(DefaultPackage(), best))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"score":100`, `"min":0`, `"max":100`, `"label":"Great fit"`, `"indicators":[{"key":"cognitive_ability"`, `"summary":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}
