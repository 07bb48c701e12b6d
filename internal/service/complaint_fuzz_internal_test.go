package service

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzPrintable: whatever an ATS puts in a complaint, what reaches the
// timeline and the log is valid UTF-8, printable, without leading,
// trailing or doubled spaces, at most max runes, unchanged when cleaned
// again, and the input itself when it was already such a line.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "partner_score must be a number", "bad\x00\n\tthing", "\xff\xfe", "a\u200bb", strings.Repeat("é", 400), " x  y "} {
		f.Add(s, 80)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 2 || max > 1000 {
			max = 80
		}
		got := printable(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("printable(%q) = %q: not UTF-8", s, got)
		}
		if n := utf8.RuneCountInString(got); n > max {
			t.Fatalf("printable(%q, %d) has %d runes", s, max, n)
		}
		for _, r := range got {
			if !unicode.IsPrint(r) {
				t.Fatalf("printable(%q) = %q holds %U", s, got, r)
			}
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Fatalf("printable(%q) = %q: stray spaces", s, got)
		}
		if again := printable(got, max); again != got {
			t.Fatalf("printable is not stable: %q → %q → %q", s, got, again)
		}
		clean := utf8.ValidString(s) && strings.TrimSpace(s) == s && !strings.Contains(s, "  ") &&
			utf8.RuneCountInString(s) <= max && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || (unicode.IsSpace(r) && r != ' ') }) < 0
		if clean && got != s {
			t.Fatalf("printable(%q) = %q, want it unchanged", s, got)
		}
	})
}
