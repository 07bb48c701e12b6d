package vendors

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// Bounds on a vendor's package set, pushed, static or listed by its endpoint.
const (
	MaxPackages          = 500
	MaxPackageIDLength   = 255
	MaxPackageNameLength = 500
	MaxDescriptionLength = 5000
)

// checkPackages validates a package set and returns it normalised: names
// trimmed, each package's kind set (want when given, else the package's
// own, else the vendor's). Fields are named prefix[i].id and so on, as the
// vendor sent them; a package's kind is its "type".
func checkPackages(prefix string, ps []core.VendorPackage, want, vendorKind core.Kind) ([]core.VendorPackage, error) {
	bad := core.Invalid()
	if len(ps) > MaxPackages {
		bad.Add(prefix, fmt.Sprintf("has %d packages: at most %d are allowed", len(ps), MaxPackages))
		return nil, bad
	}
	out := make([]core.VendorPackage, len(ps))
	seen := make(map[string]int, len(ps))
	for i, p := range ps {
		field := func(name string) string { return fmt.Sprintf("%s[%d].%s", prefix, i, name) }
		p.Name = strings.TrimSpace(p.Name)
		switch {
		case p.ID == "":
			bad.Add(field("id"), "is required")
		case utf8.RuneCountInString(p.ID) > MaxPackageIDLength:
			bad.Add(field("id"), fmt.Sprintf("is longer than %d characters", MaxPackageIDLength))
		default:
			if j, dup := seen[p.ID]; dup {
				bad.Add(field("id"), fmt.Sprintf("repeats the id of %s[%d]: ids must be unique", prefix, j))
			}
			seen[p.ID] = i
		}
		switch {
		case p.Name == "":
			bad.Add(field("name"), "is required")
		case utf8.RuneCountInString(p.Name) > MaxPackageNameLength:
			bad.Add(field("name"), fmt.Sprintf("is longer than %d characters", MaxPackageNameLength))
		}
		if utf8.RuneCountInString(p.Description) > MaxDescriptionLength {
			bad.Add(field("description"), fmt.Sprintf("is longer than %d characters", MaxDescriptionLength))
		}
		switch {
		case p.Kind == "" && want != "":
			p.Kind = want
		case p.Kind == "":
			p.Kind = vendorKind
		case !knownKind(p.Kind):
			bad.Add(field("type"), "must be assessment or background_check")
		case want != "" && p.Kind != want:
			bad.Add(field("type"), fmt.Sprintf("is %s, but these are the %s packages: put it with those", p.Kind, want))
		}
		out[i] = p
	}
	if err := bad.OrNil(); err != nil {
		return nil, err
	}
	return out, nil
}

// storedPackages merges a vendor's static and pushed packages, one per id:
// the pushed one (the vendor's own word) wins over a static one of the same
// id.
func storedPackages(all []core.VendorPackage) []core.VendorPackage {
	pushed := map[string]bool{}
	for _, p := range all {
		if p.Source == core.PackagesPushed {
			pushed[p.ID] = true
		}
	}
	out := make([]core.VendorPackage, 0, len(all))
	for _, p := range all {
		if p.Source == core.PackagesStatic && pushed[p.ID] {
			continue
		}
		out = append(out, p)
	}
	return out
}

func packageIDs(ps []core.VendorPackage) map[string]bool {
	ids := make(map[string]bool, len(ps))
	for _, p := range ps {
		ids[p.ID] = true
	}
	return ids
}

// replacePackages makes ps the vendor's packages of source src (of one kind
// when kind is set: the others of that source stay), and mirrors the result
// in every linked account: each stored package is an orderable vacancy,
// and the vacancies of packages no longer stored are archived.
func (s *Service) replacePackages(ctx context.Context, v core.Vendor, src core.PackageSource, kind core.Kind, ps []core.VendorPackage) ([]core.VendorPackage, error) {
	ps, err := checkPackages("packages", ps, kind, v.Kind)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range ps {
		ps[i].VendorID, ps[i].Source, ps[i].UpdatedAt = v.ID, src, now
	}
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		old, err := tx.ListVendorPackages(ctx, v.ID)
		if err != nil {
			return err
		}
		set := ps
		if kind != "" {
			// Only this kind is replaced; the source's other kinds stay.
			ids := packageIDs(ps)
			bad := core.Invalid()
			for _, p := range old {
				if p.Source != src || p.Kind == kind {
					continue
				}
				if ids[p.ID] {
					i := slices.IndexFunc(ps, func(q core.VendorPackage) bool { return q.ID == p.ID })
					bad.Add(fmt.Sprintf("packages[%d].id", i), fmt.Sprintf("is already the id of one of your %s packages: ids must be unique", p.Kind))
				}
				set = append(set, p)
			}
			if err := bad.OrNil(); err != nil {
				return err
			}
		}
		if err := tx.ReplaceVendorPackages(ctx, v.ID, src, set); err != nil {
			return err
		}
		current := slices.DeleteFunc(slices.Clone(old), func(p core.VendorPackage) bool { return p.Source == src })
		current = storedPackages(append(current, set...))
		keep := packageIDs(current)
		var dropped []string
		for id := range packageIDs(storedPackages(old)) {
			if !keep[id] {
				dropped = append(dropped, id)
			}
		}
		links, err := tx.ListVendorLinks(ctx, v.ID)
		if err != nil {
			return err
		}
		for _, l := range links {
			if err := s.mirror(ctx, tx, v.ID, l.AccountID, current, dropped); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// mirror makes a vendor's stored packages orderable in an account and
// archives the vacancies of the dropped ones (nil dropped: none; the
// vacancies of packages its endpoint listed stay).
func (s *Service) mirror(ctx context.Context, q store.Queries, vendorID, accountID string, current []core.VendorPackage, dropped []string) error {
	for _, p := range current {
		if _, err := q.UpsertVendorVacancy(ctx, s.vacancy(vendorID, accountID, p)); err != nil {
			return err
		}
	}
	if len(dropped) == 0 {
		return nil
	}
	vacs, err := q.ListVacancies(ctx, accountID)
	if err != nil {
		return err
	}
	var keep []string
	for _, vac := range vacs {
		if vac.VendorID == vendorID && !slices.Contains(dropped, vac.VendorPackageID) {
			keep = append(keep, vac.VendorPackageID)
		}
	}
	if _, err := q.ArchiveVendorVacancies(ctx, accountID, vendorID, keep); err != nil {
		return err
	}
	return nil
}

// vacancy is a vendor's package as a vacancy of an account, for
// UpsertVendorVacancy.
func (s *Service) vacancy(vendorID, accountID string, p core.VendorPackage) core.Vacancy {
	now := s.now()
	return core.Vacancy{ID: core.NewID("vac"), AccountID: accountID, Name: p.Name, VendorID: vendorID, Kind: p.Kind,
		VendorPackageID: p.ID, Description: p.Description, CreatedAt: now, UpdatedAt: now}
}
