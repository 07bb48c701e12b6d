package core

import "time"

// Applicant review: a sourcing team connects an ATS (a review source), whose
// open jobs and their applicants Switchboard keeps in sync, filters by each
// job's qualifications, ranks with explanations, and moves on in the ATS.

// ReviewSource is one account's connection of applicant review to one ATS:
// either through an assessment integration's credentials (IntegrationID) or
// with credentials of its own (sealed in Credentials).
type ReviewSource struct {
	ID            string
	AccountID     string
	Provider      string
	Name          string
	IntegrationID string // "" for a source with credentials of its own
	// Settings are the source's own settings (an API URL), by key.
	Settings map[string]string
	// Credentials are the source's own credentials, sealed: JSON of a map
	// by name, encrypted bound to the source.
	Credentials []byte
	// Subscriptions are the change subscriptions made in the ATS with their
	// signing keys, sealed the same way; nil when the ATS pushes nothing.
	Subscriptions []byte
	// HookToken names the source in its change callback's URL, so a
	// notification finds its source before it is verified.
	HookToken string
	Status    ReviewSourceStatus
	// Problem says, in the user's words, why the source is not active.
	Problem string
	// LastSyncAt is when the last finished sync began: what the data is
	// fresh as of, and where the next incremental sync asks from.
	LastSyncAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64
}

// ReviewSourceStatus is where a review source stands.
type ReviewSourceStatus string

const (
	ReviewSourceActive ReviewSourceStatus = "active"
	// ReviewSourceFailing: its credentials or subscriptions were refused;
	// Problem says how.
	ReviewSourceFailing ReviewSourceStatus = "failing"
)

// ReviewJob is an ATS job as applicant review keeps it.
type ReviewJob struct {
	SourceID      string
	ExternalID    string
	Title         string
	RefNumber     string
	Status        string
	Open          bool
	Location      string
	Department    string
	RecruiterID   string
	RecruiterName string
	URL           string
	ATSUpdatedAt  time.Time
	SyncedAt      time.Time
	// Criteria are the job's qualifications as the team set them (JSON),
	// kept across syncs; nil until set.
	Criteria          []byte
	CriteriaUpdatedAt time.Time
	// Applicants is the number of applicants held (read, not written).
	Applicants int
}

// ReviewApplicant is one applicant of one job as applicant review keeps it.
// Profile is what ranking reads (work history, education, skills, answers)
// as the review side encodes it.
type ReviewApplicant struct {
	SourceID      string
	JobID         string // the job's ExternalID
	ExternalID    string // the candidate's id in the ATS
	ApplicationID string
	Name          string
	Email         string
	Status        string
	AppliedAt     time.Time
	ATSUpdatedAt  time.Time
	SyncedAt      time.Time
	Profile       []byte
	// The latest move a recruiter asked for, and how it went.
	MoveTarget string
	MoveError  string // "" when it succeeded (or none was asked)
	MovedAt    time.Time
}

// ReviewSync is one run of a source's sync, with the cursor it resumes from.
type ReviewSync struct {
	ID       string
	SourceID string
	// Full syncs every open job's applicants; an incremental one only those
	// changed since Since.
	Full  bool
	Since time.Time
	State ReviewSyncState
	// Step counts the pages taken; a page's job carries the step it takes,
	// so a job run twice (a crash after its commit) finds it taken.
	Step int64
	// Cursor is where the next page starts (JSON the sync writes).
	Cursor     []byte
	JobsTotal  int
	JobsDone   int
	Applicants int // applicants fetched so far
	Calls      int // pages fetched so far
	Error      string
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

// ReviewSyncState is where a sync stands.
type ReviewSyncState string

const (
	ReviewSyncRunning ReviewSyncState = "running"
	ReviewSyncDone    ReviewSyncState = "done"
	ReviewSyncFailed  ReviewSyncState = "failed"
)

// ReviewChange is a change notification an ATS pushed, stored before it is
// answered and processed once.
type ReviewChange struct {
	SourceID    string
	DedupeKey   string
	Kind        string
	JobID       string
	ApplicantID string
	ReceivedAt  time.Time
	ProcessedAt time.Time
}
