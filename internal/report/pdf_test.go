package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"switchboard/internal/assess"
)

var (
	started   = time.Date(2026, 3, 2, 9, 14, 5, 0, time.UTC)
	submitted = time.Date(2026, 3, 2, 9, 41, 30, 0, time.UTC)
)

// sampleData is the demo package answered with a mix of good and weak
// choices, scored for real so the report shows a consistent outcome.
func sampleData(t testing.TB) Data {
	t.Helper()
	p := assess.DefaultPackage()
	a := assess.Answers{
		"ca1": "b", "ca2": "b", "ca3": "b", "ca4": "a",
		"sj1": "a", "sj2": "b", "sj3": "d",
		"ws1": "b", "ws2": "b", "ws3": "c",
	}
	o, err := assess.Score(p, assess.DefaultThresholds(), a)
	if err != nil {
		t.Fatal(err)
	}
	return Data{
		OrderID:        "ord_01JNQ4V6T3",
		CandidateName:  "Jane Doe-Okonkwo",
		CandidateEmail: "jane.doe-okonkwo@example.com",
		VacancyName:    "Senior Account Manager, Benelux",
		AccountName:    "Acme Recruitment B.V.",
		Package:        p,
		Answers:        a,
		Outcome:        o,
		StartedAt:      started,
		SubmittedAt:    submitted,
	}
}

// longData builds a package of n questions with long, wrapping prompts and
// answers, to exercise pagination.
func longData(t testing.TB, n int) Data {
	t.Helper()
	var p assess.Package
	a := assess.Answers{}
	for mi := 0; mi < 4; mi++ {
		m := assess.Module{
			Key:         fmt.Sprintf("m%d", mi),
			Name:        fmt.Sprintf("Module %d with a fairly long descriptive name", mi+1),
			Description: strings.Repeat("This module measures something relevant to the role. ", 3),
			Weight:      mi%2 + 1,
		}
		for qi := 0; qi < n/4; qi++ {
			id := fmt.Sprintf("m%dq%d", mi, qi)
			m.Questions = append(m.Questions, assess.Question{
				ID:     id,
				Prompt: fmt.Sprintf("Question %s: %s", id, strings.Repeat("a rather long prompt that has to wrap over several lines ", 3)),
				Options: []assess.Option{
					{ID: "x", Text: "An answer that is long enough to wrap onto a second line in the report, which is the point of this test case.", Points: 0},
					{ID: "y", Text: "A short answer", Points: 2},
				},
			})
			if qi%3 != 0 {
				a[id] = "y"
			} else {
				a[id] = "x"
			}
		}
		p.Modules = append(p.Modules, m)
	}
	o, err := assess.Score(p, assess.DefaultThresholds(), a)
	if err != nil {
		t.Fatal(err)
	}
	return Data{
		OrderID: "ord_long", CandidateName: "Long Package", VacancyName: "Pagination test",
		AccountName: "Acme", Package: p, Answers: a, Outcome: o,
		StartedAt: started, SubmittedAt: submitted,
	}
}

func render(t testing.TB, d Data) []byte {
	t.Helper()
	b, err := PDF(d)
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	return b
}

func TestPDFStructure(t *testing.T) {
	d := sampleData(t)
	b := render(t, d)
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("does not start with %%PDF-: %q", b[:min(16, len(b))])
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
		t.Errorf("does not end with %%%%EOF: %q", b[max(0, len(b)-16):])
	}
	doc := parsePDF(t, b)
	count, kids := doc.pages(t)
	if count != len(kids) || count < 1 || count > 2 {
		t.Fatalf("page count %d with %d kids, want 1–2 for the demo package", count, len(kids))
	}
	for _, want := range []string{
		"/CreationDate(D:20260302094130+00'00')",
		"/BaseFont /Go\n", "/BaseFont /Go-Bold\n",
		"/FontFile2", // fonts are embedded
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	if !bytes.Contains(b, []byte("/FlateDecode")) {
		t.Error("content is not compressed")
	}
}

func TestPDFText(t *testing.T) {
	d := sampleData(t)
	pages := parsePDF(t, render(t, d)).text(t)
	first := pages[0]
	for _, run := range []string{
		"Assessment report",
		d.CandidateName,
		d.CandidateEmail,
		d.OrderID,
		"ACME RECRUITMENT B.V.",
		"2 March 2026, 09:14 UTC",
		"2 March 2026, 09:41 UTC",
		"27 min",
		fmt.Sprint(d.Outcome.Score),
		"/ 100",
		string(d.Outcome.Label),
		"Matching indicators",
		"Situational judgement",
	} {
		if !first.HasRun(run) {
			t.Errorf("page 1 lacks text run %q; runs:\n%s", run, first.Text())
		}
	}
	all := ""
	for i, p := range pages {
		all += p.Text() + "\n"
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !p.HasRun(want) {
			t.Errorf("page %d lacks footer %q", i+1, want)
		}
	}
	// The summary and vacancy wrap, so compare with whitespace normalised.
	flat := strings.Join(strings.Fields(all), " ")
	for _, want := range []string{d.Outcome.Summary, d.VacancyName} {
		if !strings.Contains(flat, want) {
			t.Errorf("%q not found in:\n%s", want, all)
		}
	}
	// Every question and chosen answer appears, with its points.
	for _, m := range d.Package.Modules {
		for _, q := range m.Questions {
			o, _ := q.Option(d.Answers[q.ID])
			for _, want := range []string{o.Text, fmt.Sprintf("%d / %d pts", o.Points, q.MaxPoints())} {
				if !strings.Contains(all, want) {
					t.Errorf("question %s: %q not in report", q.ID, want)
				}
			}
		}
	}
	for _, ind := range d.Outcome.Indicators {
		if !strings.Contains(all, fmt.Sprintf("%d / 100 · %s", ind.Score, ind.Label)) {
			t.Errorf("module header for %s lacks its score", ind.Key)
		}
	}
}

func TestPDFPagination(t *testing.T) {
	tests := []struct {
		questions int
		pages     int // golden: checked by eye with pdftoppm when layout changes
	}{
		{4, 2},
		{40, 5},
		{120, 11},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.questions), func(t *testing.T) {
			d := longData(t, tt.questions)
			doc := parsePDF(t, render(t, d))
			count, kids := doc.pages(t)
			if count != tt.pages || len(kids) != tt.pages {
				t.Fatalf("got %d pages (%d kids), want %d", count, len(kids), tt.pages)
			}
			pages := doc.text(t)
			seen := 0
			for i, p := range pages {
				// The footer is drawn last, as two runs; everything else
				// must sit between the top margin and the footer area.
				if n := len(p.Runs); n < 3 || p.Runs[n-1] != fmt.Sprintf("Page %d of %d", i+1, tt.pages) {
					t.Fatalf("page %d does not end with its footer: %q", i+1, p.Runs)
				}
				for j, y := range p.Y {
					footer := j >= len(p.Y)-2
					if footer != (y < pageH-bodyBottom) {
						t.Errorf("page %d: %q at y=%.1f is on the wrong side of the footer line (footer=%v)", i+1, p.Runs[j], y, footer)
					}
					if y > pageH-marginTop {
						t.Errorf("page %d: %q at y=%.1f is above the top margin", i+1, p.Runs[j], y)
					}
				}
				// Every question's text is whole on one page: the
				// "Question id:" opening appears exactly once overall.
				for _, r := range p.Runs {
					if strings.HasPrefix(r, "Question m") {
						seen++
					}
				}
			}
			if seen != tt.questions {
				t.Errorf("found %d question openings, want %d", seen, tt.questions)
			}
		})
	}
}

func TestPDFDeterministic(t *testing.T) {
	d := sampleData(t)
	a, b := render(t, d), render(t, d)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same data differ")
	}
	d.CandidateName += "!"
	if bytes.Equal(a, render(t, d)) {
		t.Fatal("different data rendered identically")
	}
}

// awkwardData has missing fields, glyphs the Go fonts lack, control
// characters, an unbreakable long value and answers that do not match the
// package.
func awkwardData(t testing.TB) Data {
	d := sampleData(t)
	d.CandidateName = "山田 太郎\tRenée\x00"
	d.CandidateEmail = ""
	d.VacancyName = strings.Repeat("https://example.com/very/long/unbroken/path/", 6)
	d.AccountName = ""
	d.OrderID = ""
	d.StartedAt = time.Time{}
	d.Answers = assess.Answers{"ca1": "zz"} // unknown and missing answers
	d.Outcome = assess.Outcome{}            // not scored
	return d
}

func TestPDFAwkwardInput(t *testing.T) {
	pages := parsePDF(t, render(t, awkwardData(t))).text(t)
	text := pages[0].Text()
	for _, want := range []string{"?? ?? Renée", "Not scored", "–", "Unrecognised answer \"zz\"", "No answer recorded", "—"} {
		if !strings.Contains(text, want) && !strings.Contains(pages[len(pages)-1].Text(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestWrap(t *testing.T) {
	r := newTestRenderer(t)
	r.setFont(fontRegular, 10)
	tests := []string{
		"",
		"short",
		"a sentence that is certainly longer than the tiny width we give it here",
		"https://example.com/an/unbroken/path/that/cannot/fit/on/one/line/at/all",
		"two\nparagraphs   with   extra    spaces",
	}
	const w = 120
	for _, s := range tests {
		lines := r.wrap(s, w)
		for _, l := range lines {
			if lw := r.width(l); lw > w {
				t.Errorf("wrap(%q): line %q is %.1fpt wide, over %d", s, l, lw, w)
			}
		}
		joined := strings.Join(lines, "")
		if got, want := strings.ReplaceAll(joined, " ", ""), strings.Join(strings.Fields(s), ""); got != want {
			t.Errorf("wrap(%q) lost text: %q", s, lines)
		}
	}
	if got := r.wrap("two\nparagraphs", 500); len(got) != 2 {
		t.Errorf("newline not kept: %q", got)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		45 * time.Second:                  "45 s",
		27*time.Minute + 25*time.Second:   "27 min",
		time.Hour + 5*time.Minute:         "1 h 5 min",
		time.Hour + 59*time.Minute + 45e9: "2 h 0 min",
	}
	for d, want := range tests {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func BenchmarkPDF(b *testing.B) {
	d := sampleData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

func newTestRenderer(t *testing.T) *renderer {
	t.Helper()
	r, err := newRenderer(Data{})
	if err != nil {
		t.Fatal(err)
	}
	r.newPage()
	return r
}

// The service renders reports from several workers at once; the embedded
// font bytes are shared, so check under -race that nothing mutates them.
func TestPDFConcurrent(t *testing.T) {
	d := sampleData(t)
	want := render(t, d)
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			if got := render(t, d); !bytes.Equal(got, want) {
				t.Error("concurrent render differs")
			}
		})
	}
}
