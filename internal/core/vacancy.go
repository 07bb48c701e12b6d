package core

import (
	"time"

	"switchboard/internal/assess"
)

// Vacancy is what a recruiter can order: an assessment package with its
// scoring thresholds, invitation expiry and end page.
type Vacancy struct {
	ID         string
	AccountID  string
	Name       string
	Package    assess.Package
	Thresholds assess.Thresholds
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
