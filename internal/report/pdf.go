// Package report produces what Switchboard hands back to an ATS besides the
// bare score: a PDF report of a candidate's assessment, and signed,
// expiring links to that report and to the read-only result page.
//
// The PDF is laid out in Go with gopdf and the embedded Go fonts, so the
// service needs no font files, browser or external renderer at runtime.
package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"switchboard/internal/assess"
)

// Data is everything the PDF report shows. Outcome is expected to be the
// result of assess.Score for Package and Answers; the report does not
// re-score, so it always agrees with what was sent to the ATS.
type Data struct {
	OrderID, CandidateName, CandidateEmail, VacancyName, AccountName string

	Package assess.Package
	Answers assess.Answers
	Outcome assess.Outcome

	StartedAt, SubmittedAt time.Time
}

// Page geometry in points (A4).
const (
	pageW        = 595.28
	pageH        = 841.89
	marginX      = 56.0
	marginTop    = 56.0
	contentW     = pageW - 2*marginX
	contentRight = pageW - marginX
	bodyBottom   = pageH - 64.0 // leaves room for the footer
	footerY      = pageH - 40.0
)

// Font families registered in every document.
const (
	fontRegular = "Go"
	fontBold    = "Go-Bold"
)

type rgb struct{ r, g, b uint8 }

var (
	colInk      = rgb{17, 24, 39}
	colMuted    = rgb{107, 114, 128}
	colFaint    = rgb{156, 163, 175}
	colRule     = rgb{229, 231, 235}
	colPanel    = rgb{243, 244, 246}
	colTrack    = rgb{229, 231, 235}
	colGreat    = rgb{21, 128, 61}
	colGood     = rgb{180, 83, 9}
	colPoor     = rgb{185, 28, 28}
	colNeutral  = rgb{75, 85, 99}
	colWhite    = rgb{255, 255, 255}
	colFullMark = rgb{21, 128, 61}
)

func labelColor(l assess.Label) rgb {
	switch l {
	case assess.GreatFit:
		return colGreat
	case assess.GoodFit:
		return colGood
	case assess.PoorFit:
		return colPoor
	}
	return colNeutral
}

// PDF renders the assessment report. The output is byte-for-byte
// deterministic for the same Data: the document's creation date is taken
// from SubmittedAt (omitted when zero) and gopdf adds no random ids.
func PDF(d Data) ([]byte, error) {
	r, err := newRenderer(d)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.newPage()
	r.header()
	r.details()
	r.scorePanel()
	r.indicators()
	r.answers()
	r.footers()
	if r.err != nil {
		return nil, fmt.Errorf("report: render order %q: %w", d.OrderID, r.err)
	}
	b, err := r.pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("report: encode order %q: %w", d.OrderID, err)
	}
	return b, nil
}

// newRenderer starts an A4 document with the Go fonts and metadata.
func newRenderer(d Data) (*renderer, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	// Substitute glyphs the Go fonts lack (e.g. CJK) with "?" rather than
	// silently dropping them, so a name is never shown misspelt.
	opt := gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return '?' }}
	if err := pdf.AddTTFFontDataWithOption(fontRegular, goregular.TTF, opt); err != nil {
		return nil, fmt.Errorf("load regular font: %w", err)
	}
	if err := pdf.AddTTFFontDataWithOption(fontBold, gobold.TTF, opt); err != nil {
		return nil, fmt.Errorf("load bold font: %w", err)
	}
	info := gopdf.PdfInfo{
		Title:    "Assessment report: " + d.CandidateName,
		Subject:  d.VacancyName,
		Author:   d.AccountName,
		Creator:  "Switchboard",
		Producer: "Switchboard",
	}
	if !d.SubmittedAt.IsZero() {
		info.CreationDate = d.SubmittedAt.UTC()
	}
	pdf.SetInfo(info)
	return &renderer{pdf: pdf, d: d}, nil
}

// renderer keeps a cursor and a sticky error so that the layout code reads
// top to bottom without an error check after every drawing call.
type renderer struct {
	pdf   *gopdf.GoPdf
	d     Data
	y     float64
	pages int
	font  string
	size  float64
	err   error
}

func (r *renderer) fail(err error) {
	if r.err == nil && err != nil {
		r.err = err
	}
}

func (r *renderer) newPage() {
	r.pdf.AddPage()
	r.pages++
	r.y = marginTop
}

// ensure starts a new page unless h more points fit on the current one.
func (r *renderer) ensure(h float64) {
	if r.y+h > bodyBottom {
		r.newPage()
	}
}

func (r *renderer) setFont(family string, size float64) {
	if r.err != nil {
		return
	}
	r.font, r.size = family, size
	r.fail(r.pdf.SetFont(family, "", size))
}

// text draws s with its top-left corner at (x, y) in the current font.
func (r *renderer) text(x, y float64, c rgb, s string) {
	if r.err != nil || s == "" {
		return
	}
	r.pdf.SetTextColor(c.r, c.g, c.b)
	r.pdf.SetXY(x, y)
	r.fail(r.pdf.Cell(nil, s))
}

// textRight draws s so that it ends at x.
func (r *renderer) textRight(x, y float64, c rgb, s string) {
	r.text(x-r.width(s), y, c, s)
}

func (r *renderer) width(s string) float64 {
	if r.err != nil || s == "" {
		return 0
	}
	w, err := r.pdf.MeasureTextWidth(s)
	r.fail(err)
	return w
}

func (r *renderer) fillRect(x, y, w, h, radius float64, c rgb) {
	if r.err != nil || w <= 0 || h <= 0 {
		return
	}
	r.pdf.SetFillColor(c.r, c.g, c.b)
	if radius <= 0 {
		r.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "F")
		return
	}
	radius = min(radius, w/2, h/2)
	r.fail(r.pdf.Rectangle(x, y, x+w, y+h, "F", radius, 8))
}

func (r *renderer) rule(y float64, c rgb) {
	if r.err != nil {
		return
	}
	r.pdf.SetStrokeColor(c.r, c.g, c.b)
	r.pdf.SetLineWidth(0.75)
	r.pdf.Line(marginX, y, contentRight, y)
}

// wrap breaks s into lines no wider than w in the current font. Explicit
// newlines are kept; words too long for a line (URLs, e-mail addresses)
// are broken between characters.
func (r *renderer) wrap(s string, w float64) []string {
	s = r.clean(s)
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		space := r.width(" ")
		line, lineW := "", 0.0
		for _, word := range words {
			ww := r.width(word)
			switch {
			case line == "" && ww <= w:
				line, lineW = word, ww
			case line != "" && lineW+space+ww <= w:
				line, lineW = line+" "+word, lineW+space+ww
			default:
				if line != "" {
					lines = append(lines, line)
				}
				// Break an overlong word into chunks that fit.
				for ww > w {
					head, tail := r.splitWord(word, w)
					lines = append(lines, head)
					word = tail
					ww = r.width(word)
				}
				line, lineW = word, ww
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// splitWord returns the longest prefix of word (at least one rune) that fits
// in w, and the rest.
func (r *renderer) splitWord(word string, w float64) (string, string) {
	runes := []rune(word)
	n := 1
	for n < len(runes) && r.width(string(runes[:n+1])) <= w {
		n++
	}
	return string(runes[:n]), string(runes[n:])
}

// clean makes arbitrary user text safe to draw: control characters become
// spaces and runes missing from the Go fonts become "?".
func (r *renderer) clean(s string) string {
	if r.err != nil {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(c rune) rune {
		switch {
		case c == '\n':
			return c
		case unicode.IsControl(c) || unicode.IsSpace(c):
			return ' '
		}
		ok, err := r.pdf.IsCurrFontContainGlyph(c)
		r.fail(err)
		if !ok {
			return '?'
		}
		return c
	}, s)
}

// paragraph draws wrapped text at x, advancing the cursor and paginating
// line by line.
func (r *renderer) paragraph(x, w float64, family string, size, lineH float64, c rgb, s string) {
	r.setFont(family, size)
	for _, line := range r.wrap(s, w) {
		r.ensure(lineH)
		r.text(x, r.y, c, line)
		r.y += lineH
	}
}

func (r *renderer) header() {
	r.setFont(fontBold, 8.5)
	r.text(marginX, r.y, colMuted, strings.ToUpper(r.truncate(r.d.AccountName, contentW*0.6)))
	r.setFont(fontRegular, 8.5)
	r.textRight(contentRight, r.y, colMuted, "Switchboard assessment")
	r.y += 18
	r.setFont(fontBold, 22)
	r.text(marginX, r.y, colInk, "Assessment report")
	r.y += 34
	r.rule(r.y, colRule)
	r.y += 16
}

// details is a grid of small labelled fields: who, for what, and when.
// The candidate column is widest because e-mail addresses are long.
func (r *renderer) details() {
	type field struct{ label, value, sub string }
	duration := "—"
	if !r.d.StartedAt.IsZero() && !r.d.SubmittedAt.IsZero() && !r.d.SubmittedAt.Before(r.d.StartedAt) {
		duration = formatDuration(r.d.SubmittedAt.Sub(r.d.StartedAt))
	}
	colW := [3]float64{contentW * 0.40, contentW * 0.36, contentW * 0.24}
	rows := [][3]field{
		{
			{"Candidate", orDash(r.d.CandidateName), r.d.CandidateEmail},
			{"Vacancy", orDash(r.d.VacancyName), ""},
			{"Order", orDash(r.d.OrderID), ""},
		},
		{
			{"Started", formatTime(r.d.StartedAt), ""},
			{"Submitted", formatTime(r.d.SubmittedAt), ""},
			{"Time taken", duration, ""},
		},
	}
	for _, row := range rows {
		top, bottom := r.y, r.y
		x := marginX
		for i, f := range row {
			r.y = top
			r.setFont(fontBold, 7.5)
			r.text(x, r.y, colMuted, strings.ToUpper(f.label))
			r.y += 12
			r.paragraph(x, colW[i]-14, fontRegular, 10.5, 14, colInk, f.value)
			if f.sub != "" {
				r.paragraph(x, colW[i]-14, fontRegular, 9.5, 13, colMuted, f.sub)
			}
			bottom = max(bottom, r.y)
			x += colW[i]
		}
		r.y = bottom + 10
	}
	r.y += 4
}

// scorePanel shows the overall score, its label and the summary sentence.
func (r *renderer) scorePanel() {
	o := r.d.Outcome
	const pad = 18.0
	leftW := 170.0
	textX := marginX + pad + leftW
	textW := contentRight - pad - textX

	r.setFont(fontRegular, 10.5)
	summary := r.wrap(o.Summary, textW)
	h := max(96, pad+22+8+float64(len(summary))*14+pad)
	r.ensure(h)
	top := r.y
	r.fillRect(marginX, top, contentW, h, 8, colPanel)

	r.setFont(fontBold, 7.5)
	r.text(marginX+pad, top+pad, colMuted, "MATCHING SCORE")
	// An outcome without a label was never scored; "0" would be a lie.
	score := "–"
	if o.Label != "" {
		score = strconv.Itoa(o.Score)
	}
	r.setFont(fontBold, 40)
	r.text(marginX+pad, top+pad+14, colInk, score)
	sw := r.width(score)
	r.setFont(fontRegular, 16)
	// Align the smaller "/ 100" on the big number's baseline.
	r.text(marginX+pad+sw+6, top+pad+14+(40-16)*0.78, colMuted, fmt.Sprintf("/ %d", scaleMax(o)))

	// Label pill.
	label := string(o.Label)
	if label == "" {
		label = "Not scored"
	}
	r.setFont(fontBold, 11)
	lw := r.width(label)
	r.fillRect(textX, top+pad, lw+20, 22, 11, labelColor(o.Label))
	r.text(textX+10, top+pad+5, colWhite, r.clean(label))

	r.y = top + pad + 22 + 10
	r.setFont(fontRegular, 10.5)
	for _, line := range summary {
		r.text(textX, r.y, colInk, line)
		r.y += 14
	}
	r.y = top + h + 24
}

func scaleMax(o assess.Outcome) int {
	if o.Max > 0 {
		return o.Max
	}
	return 100
}

// indicators draws one horizontal bar per module score.
func (r *renderer) indicators() {
	inds := r.d.Outcome.Indicators
	if len(inds) == 0 {
		return
	}
	r.sectionTitle("Matching indicators", 24*float64(min(len(inds), 2)))
	const (
		nameW  = 150.0
		rowH   = 24.0
		barH   = 8.0
		trailW = 92.0 // score and label after the bar
	)
	barX := marginX + nameW
	barW := contentW - nameW - trailW
	for _, ind := range inds {
		r.setFont(fontRegular, 10.5)
		names := r.wrap(ind.Name, nameW-12)
		h := max(rowH, float64(len(names))*14+10)
		r.ensure(h)
		for i, line := range names {
			r.text(marginX, r.y+float64(i)*14, colInk, line)
		}
		mid := r.y + 7 // centre of the first text line
		r.fillRect(barX, mid-barH/2, barW, barH, barH/2, colTrack)
		frac := math.Max(0, math.Min(1, float64(ind.Score)/100))
		if fw := barW * frac; fw > 0 {
			r.fillRect(barX, mid-barH/2, math.Max(fw, barH), barH, barH/2, labelColor(ind.Label))
		}
		r.setFont(fontBold, 10.5)
		scoreX := barX + barW + 30
		r.textRight(scoreX, r.y, colInk, strconv.Itoa(ind.Score))
		r.setFont(fontRegular, 9)
		r.text(scoreX+8, r.y+1.5, labelColor(ind.Label), r.clean(string(ind.Label)))
		r.y += h
	}
	r.y += 14
}

// sectionTitle draws a heading, keeping it on the same page as at least
// keep points of what follows it.
func (r *renderer) sectionTitle(title string, keep float64) {
	r.ensure(28 + keep)
	r.setFont(fontBold, 13)
	r.text(marginX, r.y, colInk, title)
	r.y += 20
	r.rule(r.y, colRule)
	r.y += 10
}

// answers lists every question with the chosen option and its points, so a
// recruiter can see why a module scored as it did.
func (r *renderer) answers() {
	if len(r.d.Package.Modules) == 0 {
		return
	}
	r.sectionTitle("Answers", 60)
	byKey := make(map[string]assess.Indicator, len(r.d.Outcome.Indicators))
	for _, ind := range r.d.Outcome.Indicators {
		byKey[ind.Key] = ind
	}
	n := 0
	for mi, m := range r.d.Package.Modules {
		if mi > 0 {
			r.y += 8
		}
		r.moduleHeader(m, byKey)
		for _, q := range m.Questions {
			n++
			r.question(n, q)
		}
	}
}

func (r *renderer) moduleHeader(m assess.Module, byKey map[string]assess.Indicator) {
	meta := fmt.Sprintf("%d questions", len(m.Questions))
	if ind, ok := byKey[m.Key]; ok {
		meta = fmt.Sprintf("%d / 100 · %s", ind.Score, ind.Label)
	}
	if w := m.EffectiveWeight(); w != 1 {
		meta += fmt.Sprintf(" · weight %d", w)
	}
	r.setFont(fontRegular, 9)
	metaW := r.width(meta)
	r.setFont(fontBold, 12)
	names := r.wrap(m.Name, contentW-metaW-16)
	// Keep the heading with its description and first question.
	r.ensure(float64(len(names))*16 + 60)
	for i, line := range names {
		r.text(marginX, r.y+float64(i)*16, colInk, line)
	}
	r.setFont(fontRegular, 9)
	r.textRight(contentRight, r.y+2.5, colMuted, r.clean(meta))
	r.y += float64(len(names))*16 + 2
	if m.Description != "" {
		r.paragraph(marginX, contentW, fontRegular, 9, 12, colMuted, m.Description)
	}
	r.y += 6
}

func (r *renderer) question(n int, q assess.Question) {
	const (
		indent = 20.0
		ptsW   = 64.0
		lineH  = 14.0
	)
	x := marginX + indent
	r.setFont(fontBold, 10)
	prompt := r.wrap(q.Prompt, contentW-indent)

	answer, pts, full := "No answer recorded", fmt.Sprintf("– / %d pts", q.MaxPoints()), false
	answerColor := colFaint
	if id, ok := r.d.Answers[q.ID]; ok {
		if o, ok := q.Option(id); ok {
			answer, answerColor = o.Text, colInk
			pts = fmt.Sprintf("%d / %d pts", o.Points, q.MaxPoints())
			full = o.Points == q.MaxPoints()
		} else {
			answer = fmt.Sprintf("Unrecognised answer %q", id)
		}
	}
	r.setFont(fontRegular, 10)
	ans := r.wrap(answer, contentW-indent-ptsW)

	// Keep a question together when it fits on a page at all.
	block := float64(len(prompt)+len(ans))*lineH + 10
	if block <= bodyBottom-marginTop {
		r.ensure(block)
	}

	r.setFont(fontBold, 10)
	for i, line := range prompt {
		r.ensure(lineH)
		if i == 0 {
			r.text(marginX, r.y, colMuted, fmt.Sprintf("%d.", n))
		}
		r.text(x, r.y, colInk, line)
		r.y += lineH
	}
	r.y += 1
	for i, line := range ans {
		r.ensure(lineH)
		r.setFont(fontRegular, 10)
		r.text(x, r.y, answerColor, line)
		if i == 0 {
			c := colMuted
			if full {
				c = colFullMark
			}
			r.setFont(fontBold, 9)
			r.textRight(contentRight, r.y+1, c, pts)
		}
		r.y += lineH
	}
	r.y += 9
}

// footers stamps every page once the page count is known.
func (r *renderer) footers() {
	var parts []string
	for _, p := range []string{r.d.CandidateName, r.d.VacancyName} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	if r.d.OrderID != "" {
		parts = append(parts, "Order "+r.d.OrderID)
	}
	left := strings.Join(parts, " · ")
	for p := 1; p <= r.pages; p++ {
		if r.err != nil {
			return
		}
		r.fail(r.pdf.SetPage(p))
		r.pdf.SetStrokeColor(colRule.r, colRule.g, colRule.b)
		r.pdf.SetLineWidth(0.75)
		r.pdf.Line(marginX, footerY-8, contentRight, footerY-8)
		r.setFont(fontRegular, 8)
		pageNo := fmt.Sprintf("Page %d of %d", p, r.pages)
		avail := contentW - r.width(pageNo) - 24
		r.text(marginX, footerY, colMuted, r.truncate(left, avail))
		r.textRight(contentRight, footerY, colMuted, pageNo)
	}
}

// truncate shortens s with an ellipsis to fit in w.
func (r *renderer) truncate(s string, w float64) string {
	s = strings.Join(strings.Fields(r.clean(s)), " ")
	if r.width(s) <= w {
		return s
	}
	runes := []rune(s)
	for len(runes) > 0 && r.width(string(runes)+"…") > w {
		runes = runes[:len(runes)-1]
	}
	return strings.TrimSpace(string(runes)) + "…"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// formatTime prints plain UTC, e.g. "2 March 2026, 09:14 UTC".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 January 2006, 15:04") + " UTC"
}

func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute).Minutes()))
	default:
		h := int(d.Hours())
		m := int((d - time.Duration(h)*time.Hour).Round(time.Minute).Minutes())
		if m == 60 {
			h, m = h+1, 0
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
}
