package rank

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func w(s string) Term            { return Term{Text: s} }
func ph(s string) Term           { return Term{Text: s, Phrase: true} }
func alt(ts ...Term) Alternative { return Alternative{Terms: ts} }

func TestParseLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Line
		wantErr string
	}{
		{in: "Go", want: Line{[]Alternative{alt(w("Go"))}}},
		{in: "Go, Rust", want: Line{[]Alternative{alt(w("Go")), alt(w("Rust"))}}},
		{in: "Go|Rust", want: Line{[]Alternative{alt(w("Go")), alt(w("Rust"))}}},
		{in: "Go or Rust OR Zig oR c++", want: Line{[]Alternative{alt(w("Go")), alt(w("Rust")), alt(w("Zig")), alt(w("c++"))}}},
		{in: "  senior   go  , c#  ", want: Line{[]Alternative{alt(w("senior"), w("go")), alt(w("c#"))}}},
		{in: `"machine learning", ML`, want: Line{[]Alternative{alt(ph("machine learning")), alt(w("ML"))}}},
		{in: `"rock,  or | roll"`, want: Line{[]Alternative{alt(ph("rock, or | roll"))}}},
		{in: `python "data   science"`, want: Line{[]Alternative{alt(w("python"), ph("data science"))}}},
		{in: `go"lang"`, want: Line{[]Alternative{alt(w("go"), ph("lang"))}}},
		{in: "node.js, .NET", want: Line{[]Alternative{alt(w("node.js")), alt(w(".NET"))}}},
		{in: "orange, oracle", want: Line{[]Alternative{alt(w("orange")), alt(w("oracle"))}}},
		{in: "José", want: Line{[]Alternative{alt(w("José"))}}},
		{in: "", wantErr: "line is empty"},
		{in: "   ", wantErr: "line is empty"},
		{in: "Go,,Rust", wantErr: "empty alternative (number 2)"},
		{in: "Go,", wantErr: "empty alternative (number 2)"},
		{in: "| Go", wantErr: "empty alternative (number 1)"},
		{in: "Go or", wantErr: "empty alternative (number 2)"},
		{in: "OR", wantErr: "empty alternative (number 1)"},
		{in: `""`, wantErr: "empty quoted phrase"},
		{in: `"  "`, wantErr: "empty quoted phrase"},
		{in: `"go`, wantErr: "quote that is not closed"},
		{in: "+, Go", wantErr: `"+", which has no letters or digits`},
		{in: `"--"`, wantErr: `quoted phrase "--" with no letters`},
		{in: strings.Repeat("a", MaxLineRunes+1), wantErr: "at most 300"},
		{in: strings.Repeat("a,", MaxAlternatives) + "b", wantErr: "more than 30 alternatives"},
		{in: strings.Repeat("a ", MaxTermsPerAlternative+1), wantErr: "more than 10 words"},
		{in: "go\xff", wantErr: "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseLine(tt.in)
			if tt.wantErr != "" {
				var le *LineError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &le) {
					t.Fatalf("ParseLine(%q) = %v, %v; want a *LineError containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLine(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseLine(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			again, err := ParseLine(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("ParseLine(%q) (the rendering) = %#v, %v; want %#v", got.String(), again, err, got)
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"Go, Rust", `"machine learning" | ML or AI`, `go"lang" c++ c#`, "a,,b", `"x`, "José OR ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLine(s)
		if err != nil {
			return
		}
		r := l.String()
		again, err := ParseLine(r)
		if err != nil {
			t.Fatalf("ParseLine(%q) parsed, but its rendering %q does not: %v", s, r, err)
		}
		if !reflect.DeepEqual(again, l) {
			t.Fatalf("ParseLine(%q) = %#v, its rendering %q parses to %#v", s, l, r, again)
		}
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	many := make([]string, MaxLines+1)
	for i := range many {
		many[i] = "go"
	}
	tests := []struct {
		name string
		c    Criteria
		want []string // substrings of the error; none for valid
	}{
		{name: "empty is valid", c: Criteria{}},
		{name: "full is valid", c: Criteria{Required: []string{"Go, Rust"}, Preferred: []string{`"machine learning"`},
			MinYears: 2.5, Degree: DegreeMaster, Statuses: []string{"New"}, Query: "smith"}},
		{name: "bad lines named", c: Criteria{Required: []string{"go", "go,,rust"}, Preferred: []string{""}},
			want: []string{"required line 2 has an empty alternative (number 2)", "preferred line 1 is empty"}},
		{name: "too many lines", c: Criteria{Preferred: many}, want: []string{"21 preferred lines, at most 20"}},
		{name: "line too long", c: Criteria{Required: []string{strings.Repeat("x", 301)}},
			want: []string{"required line 1 is 301 characters long, at most 300"}},
		{name: "too many terms", c: Criteria{Required: []string{strings.Repeat("w, ", 29) + "w"},
			Preferred: []string{strings.Repeat("x y z, ", 24) + "x"}},
			want: []string{"the lines have 103 words and phrases together, at most 100"}},
		{name: "negative years", c: Criteria{MinYears: -1}, want: []string{"cannot be negative"}},
		{name: "too many years", c: Criteria{MinYears: 61}, want: []string{"at most 60"}},
		{name: "unknown degree", c: Criteria{Degree: "bsc"}, want: []string{`unknown degree "bsc": use one of associate, bachelor, master, doctorate`}},
		{name: "empty status", c: Criteria{Statuses: []string{"New", " "}}, want: []string{"status 2 is empty"}},
		{name: "long query", c: Criteria{Query: strings.Repeat("q", 201)}, want: []string{"search is 201 characters"}},
		{name: "all at once", c: Criteria{Required: []string{`"a`}, MinYears: -2, Degree: "x"},
			want: []string{"quote that is not closed", "negative", "unknown degree"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: nil, want %q", tt.want)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Validate: %q, want it to contain %q", err, s)
				}
			}
		})
	}
}
