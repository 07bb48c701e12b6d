package identity

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry its parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !VerifyPassword(h, "correct horse battery") {
		t.Fatal("the right password does not verify")
	}
	for _, bad := range []string{"", "correct horse batter", "Correct horse battery"} {
		if VerifyPassword(h, bad) {
			t.Fatalf("%q verifies", bad)
		}
	}
	for _, malformed := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", h + "$x"} {
		if VerifyPassword(malformed, "x") {
			t.Fatalf("malformed hash %q verifies", malformed)
		}
	}
}
