package ats

import (
	"context"

	"switchboard/internal/core"
)

// SandboxRunner is implemented by connectors that can run a test order end
// to end against their ATS, for "Run a test order": the connector does what a
// recruiter would do to order an assessment (a test candidate on a job that
// routes to the vacancy, moved to where the ATS orders it) and afterwards
// reads back what Switchboard's write-back left on that candidate. The core
// does everything in between — receiving the order, issuing the invitation,
// completing the assessment, writing back — exactly as for a real order, so
// the run proves the configuration rather than a test double of it.
//
// Both methods report through checks, like Validate: the user sees every
// step, green or red with the reason, and nothing is an opaque error.
type SandboxRunner interface {
	// StartTestOrder creates the test candidate and triggers the order. It
	// returns one check per step taken, in order, stopping at the first that
	// fails; the TestOrder is usable only when every check passed. An ATS
	// whose jobs cannot be created by API needs an existing job routed to the
	// vacancy, and says so in a failing check when there is none.
	StartTestOrder(ctx context.Context, cfg Config, req TestOrderRequest) (TestOrder, []Check)
	// InspectTestOrder reads the test candidate back from the ATS and returns
	// one check per item the write-back should have delivered (status, score
	// and recommendation, report link, report file…), each failing with what
	// is missing or wrong. An item the integration's configuration switches
	// off is reported failing, saying so, rather than left out: a test order
	// shows what a recruiter will and will not see.
	InspectTestOrder(ctx context.Context, cfg Config, t TestOrder, want TestExpectation) []Check
}

// TestOrderRequest is what the core asks a test order for.
type TestOrderRequest struct {
	// Vacancy is what is to be ordered; tag-routed ATSs need a job carrying
	// its tag.
	Vacancy core.Vacancy
	// Candidate is the test candidate to create (name and email).
	Candidate Candidate
}

// TestOrder is the test candidate a connector created.
type TestOrder struct {
	// Candidate is the candidate as created in the ATS; its ExternalID is
	// what the resulting order's ExternalID will be.
	Candidate Candidate
	// ExternalJobID and JobName name the ATS job the candidate was put on.
	ExternalJobID string
	JobName       string
	// NoOrderHint says what to check when the ATS was told to order but no
	// order reached Switchboard (for webhook ATSs: where the webhook must
	// point and which secret signs it).
	NoOrderHint string
}

// TestExpectation is what the ATS should show once the completed order has
// been written back.
type TestExpectation struct {
	// Update is the completed state as it was written back: the order, its
	// candidate, vacancy and result, and freshly built report links. Signed
	// links carry an expiry, so a connector compares links without their
	// query string.
	Update Update
	// ResolveLink opens a report link the way a recruiter's click would and
	// returns why it does not work, or nil. Connectors call it for each
	// report link they find, so the check covers "arrived and opens".
	ResolveLink func(ctx context.Context, link string) error
}
