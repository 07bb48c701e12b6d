package rank

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// refSnipper is snipper as it was before its ASCII path, the reference
// the faster one must equal (FuzzSnippetEqualsReference); referenceRank
// quotes with it. It has the one fix snipper has: a match of
// maxSnippet-1 runes with context cut on both sides panicked.
type refSnipper struct {
	runes []rune
}

// snippet returns the text around s[start:end] (a match), at most
// maxSnippet runes with whitespace collapsed and "…" where it was cut.
func (sn *refSnipper) snippet(s string, start, end int) string {
	// Only a window around the match can show; a long description is not
	// read whole.
	const window = maxSnippet
	lo, hi := start, end
	for n := 0; lo > 0 && n < window; n++ {
		_, size := utf8.DecodeLastRuneInString(s[:lo])
		lo -= size
	}
	for n := 0; hi < len(s) && n < window; n++ {
		_, size := utf8.DecodeRuneInString(s[hi:])
		hi += size
	}
	// One pass over the window collapses whitespace and finds where the
	// match is in runes.
	rs := sn.runes[:0]
	ms, me := -1, -1
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
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(rs) > 0 {
			rs = append(rs, ' ')
		}
		space = false
		rs = append(rs, r)
	}
	sn.runes = rs
	if ms < 0 {
		ms = len(rs)
	}
	if me < 0 {
		me = len(rs)
	}
	ms, me = min(ms, len(rs)), min(max(me, ms), len(rs))
	before := refTrimRunes(rs[:ms], true, false)
	match := refTrimRunes(rs[ms:me], true, true)
	after := refTrimRunes(rs[me:], false, true)
	return refCut(before, match, after, lo > 0, hi < len(s))
}

// refTrimRunes trims spaces from the left and/or right of rs.
func refTrimRunes(rs []rune, left, right bool) []rune {
	for left && len(rs) > 0 && rs[0] == ' ' {
		rs = rs[1:]
	}
	for right && len(rs) > 0 && rs[len(rs)-1] == ' ' {
		rs = rs[:len(rs)-1]
	}
	return rs
}

// cut joins the context before, the match and the context after into at
// most maxSnippet runes, marking with "…" a side that is cut.
func refCut(before, match, after []rune, cutBefore, cutAfter bool) string {
	if len(match) >= maxSnippet {
		if len(match) == maxSnippet && len(before) == 0 && len(after) == 0 && !cutBefore && !cutAfter {
			return string(match)
		}
		return string(match[:maxSnippet-1]) + "…"
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
			return string(match[:maxSnippet-1]) + "…"
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
	out := make([]rune, 0, maxSnippet)
	if left < len(before) || cutBefore {
		out = append(out, '…')
	}
	out = append(out, before[len(before)-left:]...)
	out = append(out, match...)
	out = append(out, after[:right]...)
	if right < len(after) || cutAfter {
		out = append(out, '…')
	}
	return string(out)
}

// FuzzSnippetEqualsReference: snippet quotes every word and run of words
// of a text as refSnipper does, ASCII or not.
func FuzzSnippetEqualsReference(f *testing.F) {
	long := strings.Repeat("lorem ipsum ", 30)
	for _, s := range []string{"Senior Go developer", "a\n\n\tGo  b", long + "KAFKA" + long, "KAFKA " + long,
		strings.Repeat("x", 200), "Zoë " + long + " Ångström", long + "東京" + long, "a\u00a0b\u0085c", "x\xffy z"} {
		f.Add(s, uint8(0), uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, first, n uint8) {
		var (
			tok   tokenizer
			spans [][2]int
		)
		tok.reset(s)
		for {
			_, start, end, ok := tok.next()
			if !ok {
				break
			}
			spans = append(spans, [2]int{start, end})
		}
		if len(spans) == 0 {
			return
		}
		i := int(first) % len(spans)
		j := min(i+int(n)%4, len(spans)-1)
		start, end := spans[i][0], spans[j][1]
		var sn snipper
		var ref refSnipper
		if got, want := sn.snippet(s, start, end), ref.snippet(s, start, end); got != want {
			t.Fatalf("snippet(%q, %d, %d) = %q, want %q", s, start, end, got, want)
		}
	})
}
