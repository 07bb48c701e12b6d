package rank

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// accents maps the accented and ligature lowercase letters of Latin-1 and
// Latin Extended-A to what a recruiter types on a plain keyboard, so that
// "José" matches "jose" and "Müller" matches "muller". The standard library
// has no Unicode decomposition; decomposed input (a letter followed by a
// combining mark) is folded by dropping the mark, see tokenizer.next.
// Read-only after package initialisation.
var accents = func() map[rune]string {
	m := make(map[rune]string, 200)
	for _, group := range []struct{ from, to string }{
		{"àáâãäåāăą", "a"}, {"çćĉċč", "c"}, {"ďđð", "d"}, {"èéêëēĕėęě", "e"},
		{"ĝğġģ", "g"}, {"ĥħ", "h"}, {"ìíîïĩīĭįı", "i"}, {"ĵ", "j"}, {"ķ", "k"},
		{"ĺļľŀł", "l"}, {"ñńņňŉ", "n"}, {"òóôõöøōŏő", "o"}, {"ŕŗř", "r"},
		{"śŝşšș", "s"}, {"ţťŧț", "t"}, {"ùúûüũūŭůűų", "u"}, {"ŵ", "w"},
		{"ýÿŷ", "y"}, {"źżž", "z"},
		{"ß", "ss"}, {"æ", "ae"}, {"œ", "oe"}, {"þ", "th"}, {"ĳ", "ij"},
	} {
		for _, r := range group.from {
			m[r] = group.to
		}
	}
	return m
}()

// appendFold appends r lowercased and without its accent.
func appendFold(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	r = unicode.ToLower(r)
	if s, ok := accents[r]; ok {
		return append(dst, s...)
	}
	return utf8.AppendRune(dst, r)
}

// fold returns s lowercased and without accents, marks dropped: the form
// the free-text query compares with substrings.
func fold(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if isMark(r) {
			continue
		}
		b = appendFold(b, r)
	}
	return string(b)
}

// asciiFold is each ASCII letter and digit folded, 0 for the other
// characters: the tokenizer's fast path. Read-only after package
// initialisation.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for r := range byte(utf8.RuneSelf) {
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			t[r] = r
		case 'A' <= r && r <= 'Z':
			t[r] = r + 'a' - 'A'
		}
	}
	return t
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiFold[r] != 0
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isMark(r rune) bool {
	return r >= 0x300 && unicode.Is(unicode.Mn, r)
}

// tokenizer splits text into folded words on word boundaries. A word is a
// run of letters and digits; a run of '+' or '#' right after one belongs to
// it, so "C++", "c#" and "F#" are words of their own and "c" does not match
// them. Every other character separates words: "node.js" is the two words
// "node" "js" and a line's "node.js" is the same two in a row, "full-stack"
// matches "full stack", and "go" never matches inside "google".
type tokenizer struct {
	s   string
	i   int
	buf []byte
}

func (t *tokenizer) reset(s string) {
	t.s, t.i = s, 0
}

// next returns the next word folded (valid until the next call) and its
// byte range in the original text.
func (t *tokenizer) next() (word []byte, start, end int, ok bool) {
	t.buf = t.buf[:0]
	start = -1
	suffix := false // in the '+'/'#' run that ends a word
	for t.i < len(t.s) {
		// ASCII letters and digits, most of the text, take the short way.
		if f := asciiFold[t.s[t.i]&0x7f]; f != 0 && t.s[t.i] < utf8.RuneSelf {
			if suffix {
				return t.buf, start, t.i, true
			}
			if start < 0 {
				start = t.i
			}
			t.buf = append(t.buf, f)
			t.i++
			continue
		}
		r, size := rune(t.s[t.i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(t.s[t.i:])
		}
		switch {
		case isWordRune(r):
			if suffix { // "c#6": the digit starts the next word
				return t.buf, start, t.i, true
			}
			if start < 0 {
				start = t.i
			}
			t.buf = appendFold(t.buf, r)
		case start >= 0 && !suffix && isMark(r):
			// A combining accent of the letter before it: folded away.
		case start >= 0 && (r == '+' || r == '#'):
			suffix = true
			t.buf = append(t.buf, byte(r))
		default:
			if start >= 0 {
				end = t.i
				t.i += size
				return t.buf, start, end, true
			}
		}
		t.i += size
	}
	if start >= 0 {
		return t.buf, start, len(t.s), true
	}
	return nil, 0, 0, false
}

// words returns the folded words of s.
func words(s string) []string {
	var t tokenizer
	t.reset(s)
	var out []string
	for {
		w, _, _, ok := t.next()
		if !ok {
			return out
		}
		out = append(out, string(w))
	}
}

// snipper quotes matches, reusing its buffers.
type snipper struct {
	runes []rune
	bytes []byte
}

// snippet returns the text around s[start:end] (a match), at most
// maxSnippet runes with whitespace collapsed and "…" where it was cut.
func (sn *snipper) snippet(s string, start, end int) string {
	// Only a window around the match can show; a long description is not
	// read whole.
	const window = maxSnippet
	lo, hi := start, end
	ascii := true
	for n := 0; lo > 0 && n < window; n++ {
		if s[lo-1] < utf8.RuneSelf {
			lo--
			continue
		}
		_, size := utf8.DecodeLastRuneInString(s[:lo])
		lo -= size
		ascii = false
	}
	for n := 0; hi < len(s) && n < window; n++ {
		if s[hi] < utf8.RuneSelf {
			hi++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[hi:])
		hi += size
		ascii = false
	}
	if ascii {
		for i := start; i < end; i++ {
			if s[i] >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
	}
	// ASCII, most text, is cut as bytes, which are its runes.
	var out string
	if ascii {
		var ms, me int
		sn.bytes, ms, me = collapseASCII(sn.bytes[:0], s, lo, hi, start, end)
		out = cutAround(sn.bytes, ms, me, lo > 0, hi < len(s))
	} else {
		var ms, me int
		sn.runes, ms, me = collapseRunes(sn.runes[:0], s, lo, hi, start, end)
		out = cutAround(sn.runes, ms, me, lo > 0, hi < len(s))
	}
	return out
}

// collapseASCII is collapseRunes for an ASCII window, a byte a rune.
func collapseASCII(rs []byte, s string, lo, hi, start, end int) (out []byte, ms, me int) {
	ms, me = -1, -1
	space := false
	for i := lo; i < hi; i++ {
		if i == start {
			ms = len(rs)
			if space && len(rs) > 0 {
				ms++
			}
		}
		if i == end {
			me = len(rs)
		}
		if c := s[i]; c == ' ' || '\t' <= c && c <= '\r' {
			space = true
		} else {
			if space && len(rs) > 0 {
				rs = append(rs, ' ')
			}
			space = false
			rs = append(rs, c)
		}
	}
	return rs, ms, me
}

// collapseRunes appends to rs the window s[lo:hi] with its whitespace
// collapsed, and says where the match s[start:end] is in it (-1 for the
// window's end).
func collapseRunes(rs []rune, s string, lo, hi, start, end int) (out []rune, ms, me int) {
	// One pass over the window collapses whitespace and finds where the
	// match is in runes.
	ms, me = -1, -1
	space := false
	for i, r := range s[lo:hi] {
		i += lo
		// A pending space is written before the next rune: before the
		// match it is context, at the match's end it is context after.
		if i >= start && ms < 0 {
			ms = len(rs)
			if space && len(rs) > 0 {
				ms++
			}
		}
		if i >= end && me < 0 {
			me = len(rs)
		}
		if isSpace(r) {
			space = true
			continue
		}
		if space && len(rs) > 0 {
			rs = append(rs, ' ')
		}
		space = false
		rs = append(rs, r)
	}
	return rs, ms, me
}

// cutAround cuts the collapsed window rs around the match rs[ms:me].
func cutAround[T byte | rune](rs []T, ms, me int, cutBefore, cutAfter bool) string {
	if ms < 0 {
		ms = len(rs)
	}
	if me < 0 {
		me = len(rs)
	}
	ms, me = min(ms, len(rs)), min(max(me, ms), len(rs))
	before := trimSpaces(rs[:ms], true, false)
	match := trimSpaces(rs[ms:me], true, true)
	after := trimSpaces(rs[me:], false, true)
	return cut(before, match, after, cutBefore, cutAfter)
}

// isSpace is unicode.IsSpace, ASCII first.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// trimSpaces trims spaces from the left and/or right of rs.
func trimSpaces[T byte | rune](rs []T, left, right bool) []T {
	for left && len(rs) > 0 && rs[0] == ' ' {
		rs = rs[1:]
	}
	for right && len(rs) > 0 && rs[len(rs)-1] == ' ' {
		rs = rs[:len(rs)-1]
	}
	return rs
}

// appendText appends xs, bytes or runes, as UTF-8.
func appendText[T byte | rune](dst []byte, xs []T) []byte {
	switch xs := any(xs).(type) {
	case []byte:
		return append(dst, xs...)
	case []rune:
		for _, r := range xs {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// cut joins the context before, the match and the context after into at
// most maxSnippet runes, marking with "…" a side that is cut.
func cut[T byte | rune](before, match, after []T, cutBefore, cutAfter bool) string {
	if len(match) >= maxSnippet {
		if len(match) == maxSnippet && len(before) == 0 && len(after) == 0 && !cutBefore && !cutAfter {
			return string(appendText(nil, match))
		}
		return string(appendText(nil, match[:maxSnippet-1])) + "…"
	}
	room := maxSnippet - len(match)
	// Give the context before the match half the room, the rest after;
	// whatever one side leaves unused goes to the other.
	left := min(len(before), room/2)
	right := min(len(after), room-left)
	left = min(len(before), room-right)
	for {
		n := left + len(match) + right
		if left < len(before) || cutBefore {
			n++ // the cut mark takes room too
		}
		if right < len(after) || cutAfter {
			n++
		}
		if n <= maxSnippet {
			break
		}
		if left > right {
			left--
		} else if right > 0 {
			right--
		} else {
			// A match of maxSnippet-1 runes and both cut marks: the match
			// is cut instead, as a longer one is.
			return string(appendText(nil, match[:maxSnippet-1])) + "…"
		}
	}
	// A cut side ends at a space rather than inside a word, when one is
	// near.
	const near = 20
	if right < len(after) || cutAfter {
		for k := right; k > 0 && k >= right-near; k-- {
			if k < len(after) && after[k] == ' ' {
				right = k
				break
			}
		}
	}
	if left < len(before) || cutBefore {
		ctx := before[len(before)-left:]
		for k := 0; k < len(ctx) && k <= near; k++ {
			if ctx[k] == ' ' {
				left -= k + 1
				break
			}
		}
	}
	out := make([]byte, 0, maxSnippet*utf8.UTFMax)
	if left < len(before) || cutBefore {
		out = append(out, "…"...)
	}
	out = appendText(out, before[len(before)-left:])
	out = appendText(out, match)
	out = appendText(out, after[:right])
	if right < len(after) || cutAfter {
		out = append(out, "…"...)
	}
	return string(out)
}

// collapse turns every run of whitespace into one space.
func collapse(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) &&
		!strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}
