package service

import (
	"errors"
	"testing"
)

// TestIntegrationSlots: an integration has its share of slots and no more;
// a job over it is told to wait (not blocked), another integration is not
// affected, and a slot given back (once, however often release is called)
// can be taken again.
func TestIntegrationSlots(t *testing.T) {
	t.Parallel()
	p := newIntegrationSlots(2)
	var releases []func()
	for range 2 {
		release, err := p.take("int_a")
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	var we *waitError
	if _, err := p.take("int_a"); !errors.As(err, &we) || we.after <= 0 {
		t.Fatalf("third job of one integration: %v, want a wait", err)
	}
	if _, err := p.take("int_b"); err != nil {
		t.Fatalf("another integration: %v", err)
	}
	releases[0]()
	releases[0]() // a second release gives back nothing more
	if _, err := p.take("int_a"); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := p.take("int_a"); !errors.As(err, &we) {
		t.Fatalf("after one release, two taken again: %v, want a wait", err)
	}
}
