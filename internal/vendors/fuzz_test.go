package vendors

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"switchboard/internal/core"
)

// FuzzParsePackageList: whatever a vendor's package list endpoint answers,
// parsing never panics; a refusal explains itself (core.PublicError); an
// accepted list holds only what pushed packages may hold: unique, non-empty
// ids of at most MaxPackageIDLength characters, names without surrounding
// space, a known kind, at most MaxPackages packages, all the vendor's.
func FuzzParsePackageList(f *testing.F) {
	for _, s := range []string{
		`{"data": [{"id": "cog-20", "name": "Cognitive ability", "description": "20 minutes", "type": "assessment"}], "next": null}`,
		`{"data": [{"id": "bg", "name": " Basic "}]}`,
		`{"data": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}`,
		`{"data": [{"id": "", "name": "X", "type": "quiz"}]}`,
		`{"data": [], "packages": []}`,
		`<html>`,
	} {
		f.Add([]byte(s))
	}
	v := core.Vendor{ID: "vnd_1", Kind: core.KindBackgroundCheck}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := parsePackageList(v, data)
		if err != nil {
			var pe *core.PublicError
			if !errors.As(err, &pe) || pe.Public == "" || ps != nil {
				t.Fatalf("refusal %v (%d packages) does not explain itself", err, len(ps))
			}
			return
		}
		if len(ps) > MaxPackages {
			t.Fatalf("%d packages accepted", len(ps))
		}
		seen := map[string]bool{}
		for i, p := range ps {
			switch {
			case p.ID == "" || utf8.RuneCountInString(p.ID) > MaxPackageIDLength || seen[p.ID]:
				t.Fatalf("package %d: id %q accepted", i, p.ID)
			case p.Name == "" || strings.TrimSpace(p.Name) != p.Name:
				t.Fatalf("package %d: name %q accepted", i, p.Name)
			case p.Kind != core.KindAssessment && p.Kind != core.KindBackgroundCheck:
				t.Fatalf("package %d: kind %q accepted", i, p.Kind)
			case p.VendorID != v.ID:
				t.Fatalf("package %d: vendor %q", i, p.VendorID)
			}
			seen[p.ID] = true
		}
	})
}
