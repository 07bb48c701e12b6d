package secret

import (
	"regexp"
	"testing"
)

func TestNewToken(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^sbk_[a-z2-7]{52}$`)
	seen := make(map[string]bool)
	for range 1000 {
		tok, err := NewToken("sbk_")
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(tok) {
			t.Fatalf("token %q does not match %v", tok, re)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestNewTokenPrefix(t *testing.T) {
	t.Parallel()
	if tok, err := NewToken(""); err != nil || len(tok) != 52 {
		t.Errorf("NewToken(\"\") = %q, %v", tok, err)
	}
	for _, p := range []string{"a/b", "inv ", "x?", "é_"} {
		if _, err := NewToken(p); err == nil {
			t.Errorf("NewToken(%q) accepted a non URL-safe prefix", p)
		}
	}
}

func TestHashToken(t *testing.T) {
	t.Parallel()
	// SHA-256("abc"), a published test vector.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashToken("abc"); got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
	if HashToken("sbk_a") == HashToken("sbk_b") {
		t.Error("distinct tokens share a hash")
	}
}
