package report

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// This file is a deliberately small PDF reader, just enough to check what
// PDF() writes without poppler or any other tool: it follows the xref table
// to every object, inflates content streams, and maps the glyph ids in TJ
// operators back to text through each font's ToUnicode CMap.

type pdfDoc struct {
	raw  []byte
	objs map[int][]byte // object number → bytes between "N 0 obj" and "endobj"
}

type pdfPage struct {
	Runs []string  // one entry per text-showing operator, in drawing order
	Y    []float64 // each run's baseline, in PDF units from the page bottom
}

func (p pdfPage) Text() string { return strings.Join(p.Runs, "\n") }

func (p pdfPage) HasRun(s string) bool {
	for _, r := range p.Runs {
		if r == s {
			return true
		}
	}
	return false
}

var (
	reStartXref = regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n?$`)
	reXrefHead  = regexp.MustCompile(`^xref\n0 (\d+)\n`)
	reRef       = regexp.MustCompile(`(\d+) 0 R`)
	reLength    = regexp.MustCompile(`/Length (\d+)`)
	reCount     = regexp.MustCompile(`/Count (\d+)`)
	reKids      = regexp.MustCompile(`/Kids \[([^\]]*)\]`)
	reFontRes   = regexp.MustCompile(`/(F\d+) (\d+) 0 R`)
	reBfRange   = regexp.MustCompile(`<([0-9A-F]{4})><([0-9A-F]{4})><([0-9A-F]{4,})>`)
	reTextOp    = regexp.MustCompile(`/(F\d+) [\d.]+ Tf|\[([^\]]*)\] TJ|[-\d.]+ ([-\d.]+) TD`)
	reHex       = regexp.MustCompile(`<([0-9A-F]*)>`)
)

func parsePDF(t testing.TB, b []byte) *pdfDoc {
	t.Helper()
	m := reStartXref.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no startxref/%%%%EOF trailer")
	}
	off, _ := strconv.Atoi(string(m[1]))
	if off >= len(b) {
		t.Fatalf("startxref %d beyond end of file (%d bytes)", off, len(b))
	}
	xref := b[off:]
	h := reXrefHead.FindSubmatch(xref)
	if h == nil {
		t.Fatalf("startxref %d does not point at an xref table", off)
	}
	n, _ := strconv.Atoi(string(h[1]))
	entries := xref[len(h[0]):]
	doc := &pdfDoc{raw: b, objs: map[int][]byte{}}
	for i := 1; i < n; i++ {
		line := entries[i*20 : i*20+20] // fixed-width 20-byte entries
		o, err := strconv.Atoi(string(line[:10]))
		if err != nil {
			t.Fatalf("xref entry %d: %q", i, line)
		}
		head := fmt.Sprintf("%d 0 obj\n", i)
		if !bytes.HasPrefix(b[o:], []byte(head)) {
			t.Fatalf("xref entry %d points at %q, want %q", i, b[o:min(o+20, len(b))], head)
		}
		body := b[o+len(head):]
		// Streams may contain anything; skip them by /Length rather than
		// searching for "endobj".
		if si := bytes.Index(body, []byte("stream\n")); si >= 0 && !bytes.Contains(body[:si], []byte("endobj")) {
			lm := reLength.FindSubmatch(body[:si])
			if lm == nil {
				t.Fatalf("object %d: stream without /Length", i)
			}
			l, _ := strconv.Atoi(string(lm[1]))
			end := si + len("stream\n") + l
			if !bytes.HasPrefix(bytes.TrimLeft(body[end:], "\r\n"), []byte("endstream")) {
				t.Fatalf("object %d: /Length %d does not end at endstream", i, l)
			}
			doc.objs[i] = body[:end]
			continue
		}
		e := bytes.Index(body, []byte("endobj"))
		if e < 0 {
			t.Fatalf("object %d: no endobj", i)
		}
		doc.objs[i] = body[:e]
	}
	return doc
}

func (d *pdfDoc) obj(t testing.TB, n int) []byte {
	t.Helper()
	o, ok := d.objs[n]
	if !ok {
		t.Fatalf("missing object %d", n)
	}
	return o
}

// stream returns an object's stream data, inflated if needed.
func (d *pdfDoc) stream(t testing.TB, n int) []byte {
	t.Helper()
	o := d.obj(t, n)
	si := bytes.Index(o, []byte("stream\n"))
	if si < 0 {
		t.Fatalf("object %d has no stream", n)
	}
	data := o[si+len("stream\n"):]
	if !bytes.Contains(o[:si], []byte("/FlateDecode")) {
		return data
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("object %d: %v", n, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("object %d: inflate: %v", n, err)
	}
	return out
}

func refs(s []byte) []int {
	var out []int
	for _, m := range reRef.FindAllSubmatch(s, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		out = append(out, n)
	}
	return out
}

// catalogPages returns the page tree root's /Count and its page objects.
func (d *pdfDoc) pages(t testing.TB) (count int, pages []int) {
	t.Helper()
	root := d.obj(t, 1)
	if !bytes.Contains(root, []byte("/Type /Catalog")) {
		t.Fatalf("object 1 is not the catalog: %s", root)
	}
	pagesRef := regexp.MustCompile(`/Pages (\d+) 0 R`).FindSubmatch(root)
	n, _ := strconv.Atoi(string(pagesRef[1]))
	tree := d.obj(t, n)
	c, _ := strconv.Atoi(string(reCount.FindSubmatch(tree)[1]))
	return c, refs(reKids.FindSubmatch(tree)[1])
}

// cmap reads a ToUnicode CMap into glyph id → rune.
func (d *pdfDoc) cmap(t testing.TB, n int) map[int]rune {
	t.Helper()
	m := map[int]rune{}
	for _, r := range reBfRange.FindAllSubmatch(d.stream(t, n), -1) {
		lo, _ := strconv.ParseInt(string(r[1]), 16, 32)
		hi, _ := strconv.ParseInt(string(r[2]), 16, 32)
		dst, _ := strconv.ParseInt(string(r[3]), 16, 32)
		for g := lo; g <= hi; g++ {
			m[int(g)] = rune(dst + g - lo)
		}
	}
	return m
}

// text extracts each page's text runs.
func (d *pdfDoc) text(t testing.TB) []pdfPage {
	t.Helper()
	_, kids := d.pages(t)
	var out []pdfPage
	for _, k := range kids {
		page := d.obj(t, k)
		res := regexp.MustCompile(`/Resources (\d+) 0 R`).FindSubmatch(page)
		resN, _ := strconv.Atoi(string(res[1]))
		fonts := map[string]map[int]rune{}
		for _, f := range reFontRes.FindAllSubmatch(d.obj(t, resN), -1) {
			fn, _ := strconv.Atoi(string(f[2]))
			tu := regexp.MustCompile(`/ToUnicode (\d+) 0 R`).FindSubmatch(d.obj(t, fn))
			tuN, _ := strconv.Atoi(string(tu[1]))
			fonts[string(f[1])] = d.cmap(t, tuN)
		}
		contents := regexp.MustCompile(`/Contents\s+(\d+) 0 R`).FindSubmatch(page)
		cn, _ := strconv.Atoi(string(contents[1]))
		var p pdfPage
		var cur map[int]rune
		var y float64
		for _, op := range reTextOp.FindAllSubmatch(d.stream(t, cn), -1) {
			if op[3] != nil {
				y, _ = strconv.ParseFloat(string(op[3]), 64)
				continue
			}
			if op[1] != nil {
				cur = fonts[string(op[1])]
				if cur == nil {
					t.Fatalf("page %d uses unknown font %s", k, op[1])
				}
				continue
			}
			var sb strings.Builder
			for _, hx := range reHex.FindAllSubmatch(op[2], -1) {
				for i := 0; i+4 <= len(hx[1]); i += 4 {
					g, _ := strconv.ParseInt(string(hx[1][i:i+4]), 16, 32)
					r, ok := cur[int(g)]
					if !ok {
						t.Fatalf("glyph %04X not in the current font's ToUnicode map", g)
					}
					sb.WriteRune(r)
				}
			}
			p.Runs = append(p.Runs, sb.String())
			p.Y = append(p.Y, y)
		}
		out = append(out, p)
	}
	return out
}
