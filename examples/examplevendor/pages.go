package examplevendor

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// kindWords is a package kind as a sentence says it, with its article.
func kindWords(kind string) string {
	switch kind {
	case KindBackgroundCheck:
		return "a background check"
	case KindAssessment:
		return "an assessment"
	}
	return fmt.Sprintf("a %q", kind)
}

var pages = template.Must(template.New("candidate").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Acme test for {{.Name}}</title>
<h1>Acme test for {{.Name}}</h1>
<p>{{.Package}}: this is where the candidate would take the test.</p>
{{with .Return}}<p><a href="{{.}}">Back to your application</a></p>{{end}}
</html>`))

var _ = template.Must(pages.New("report").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Acme report for {{.Name}}</title>
<h1>Acme report for {{.Name}}</h1>
<p>{{.Package}}: {{.Outcome}}{{with .Score}}, score {{.}} out of 100{{end}}.</p>
<p><a href="{{.PDF}}">Download the PDF</a></p>
</html>`))

// page is what the candidate and report pages show of an order.
type page struct {
	Name, Package, Outcome, Score, PDF string
	Return                             string // the candidate page's way back, if any
}

// lookup returns what the pages show of an order; ok is false when it is
// unknown or, for a report, has no result yet.
func (v *Vendor) lookup(id string, report bool) (page, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	o, ok := v.orders[id]
	if !ok || o.State == StateRefused || (report && o.result == nil) {
		return page{}, false
	}
	p := page{Name: o.Name(), Package: o.Package.Name, Return: o.ReturnURL}
	if o.result != nil {
		p.Outcome = o.result.Result.Value
		if o.result.Score != nil {
			p.Score = o.result.Score.Value
		}
	}
	return p, true
}

func (v *Vendor) serveCandidate(w http.ResponseWriter, r *http.Request) {
	p, ok := v.lookup(r.PathValue("order"), false)
	if !ok {
		http.NotFound(w, r)
		return
	}
	v.render(w, "candidate", p)
}

// serveReport serves /reports/{order} (HTML) and /reports/{order}.pdf.
func (v *Vendor) serveReport(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, pdf := strings.CutSuffix(file, ".pdf")
	p, ok := v.lookup(id, true)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if pdf {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(reportPDF(p)) // the client hung up if this fails
		return
	}
	p.PDF = file + ".pdf"
	v.render(w, "report", p)
}

func (v *Vendor) render(w http.ResponseWriter, name string, p page) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, p); err != nil {
		v.log.Error("rendering a page", "page", name, "err", err)
		http.Error(w, "cannot show this page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes()) // the client hung up if this fails
}

// reportPDF is a one-page PDF 1.4 with two lines of Helvetica: the smallest
// file a PDF reader (and a content-type sniffer) accepts, with a correct
// cross-reference table.
func reportPDF(p page) []byte {
	line2 := p.Package + ": " + p.Outcome
	if p.Score != "" {
		line2 += ", score " + p.Score + " out of 100"
	}
	text := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj 0 -28 Td /F1 12 Tf (%s) Tj ET",
		pdfString("Acme report for "+p.Name), pdfString(line2))
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, obj := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// pdfString escapes s for a PDF literal string; what is not printable
// ASCII becomes '?', since the standard fonts' encoding is not UTF-8.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < ' ' || r > '~':
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
