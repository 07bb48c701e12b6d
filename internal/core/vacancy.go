package core

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// Vacancy is what a recruiter can order in one account: a package of one
// vendor. For the built-in engine (VendorID BuiltinVendorID) it is one of the
// engine's packages, whose questions and thresholds are the engine's own
// (store.EngineVacancy); for an outside vendor it is that vendor's package
// (VendorPackageID) made orderable in the account.
type Vacancy struct {
	ID        string
	AccountID string
	Name      string
	// VendorID is the vendor that fulfils orders of this vacancy.
	VendorID string
	Kind     Kind
	// VendorPackageID is the vendor's own id of the package; "" for the
	// built-in engine, whose packages are the vacancies themselves.
	VendorPackageID string
	Description     string
	// Archived vacancies are no longer offered (their vendor dropped the
	// package); orders already placed go on.
	Archived bool
	// Parts are the package's scored parts as an ATS lists them (the
	// engine's modules; StackOne's tests of a package), read-only here: the
	// vendor defines them.
	Parts []PackagePart
	// Tag routes ATS jobs to this vacancy where the ATS routes by tag (Lever:
	// the vacancy tag put on a job posting).
	Tag string
	// Inline vacancies are taken mid-application and skip the email.
	Inline     bool
	ExpiryDays int    // invitation validity; 0 means DefaultExpiryDays
	ReturnURL  string // where the end page sends the candidate, if set
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64
}

// PackagePart is one scored part of a package, e.g. "Cognitive ability".
type PackagePart struct {
	Key         string
	Name        string
	Description string
}

// IsInline reports whether the vacancy is taken mid-application: its Inline
// flag is set, or its name carries the word "inline" (an ATS lists inline
// packages by name, DESIGN.md), matched as a whole word in any case, so
// "Support (inline)" and "Inline-Test" are inline and "Mainline Support" is
// not. Package lists and pages use this one rule.
func (v Vacancy) IsInline() bool {
	if v.Inline {
		return true
	}
	words := strings.FieldsFunc(v.Name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(w, "inline") })
}

// Builtin reports whether the built-in engine fulfils the vacancy's orders.
func (v Vacancy) Builtin() bool { return v.VendorID == "" || v.VendorID == BuiltinVendorID }

// DefaultExpiryDays is how long an invitation stays valid when a vacancy does
// not say.
const DefaultExpiryDays = 7

// Expiry returns how long an invitation to this vacancy stays valid.
func (v Vacancy) Expiry() time.Duration {
	days := v.ExpiryDays
	if days <= 0 {
		days = DefaultExpiryDays
	}
	return time.Duration(days) * 24 * time.Hour
}
