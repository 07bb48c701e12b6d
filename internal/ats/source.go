package ats

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// ApplicantSource is implemented by connectors whose ATS's open jobs and
// applicants can be reviewed (applicant review): listed, read, and moved on
// to another status or stage. It is optional; the review core asks for it
// with a type assertion, never by provider name.
//
// Every method acts with cfg, which is either an assessment integration's
// (its settings and credentials) or a review connection's, made of
// SourceFields; the connector uses whichever credentials cfg holds.
type ApplicantSource interface {
	// SourceFields are the settings (an API URL) and credentials (a
	// SmartRecruiters or Lever API key) a review connection needs when it
	// is not made from an existing integration. Settings reach the connector
	// as cfg.Integration.Settings, credentials as cfg.Secrets.
	SourceFields() (settings, credentials []Field)
	// VerifySource makes one real call that proves cfg may read jobs and
	// applicants; the error says what the ATS answered.
	VerifySource(ctx context.Context, cfg Config) error
	// ListOpenJobs returns one page of the ATS's open jobs; cursor "" is the
	// first page and an empty Next the last.
	ListOpenJobs(ctx context.Context, cfg Config, cursor string) (JobPage, error)
	// GetJob reads one job, open or not; ErrNotFound when the ATS has none.
	GetJob(ctx context.Context, cfg Config, jobID string) (Job, error)
	// ListApplicants returns one page of a job's applicants, each in full
	// (experience, education, skills: what ranking reads), changed at or
	// after q.UpdatedAfter when it is set.
	ListApplicants(ctx context.Context, cfg Config, q ApplicantQuery) (ApplicantPage, error)
	// GetApplicant reads one applicant of one job; ErrNotFound when the ATS
	// has no such application any more.
	GetApplicant(ctx context.Context, cfg Config, jobID, applicantID string) (Applicant, error)
	// MoveTargets lists what an applicant of the job can be moved to.
	MoveTargets(ctx context.Context, cfg Config, jobID string) ([]MoveTarget, error)
	// MoveApplicant moves one applicant of one job to target (a
	// MoveTarget.ID). A refusal is an error whose message is the ATS's.
	MoveApplicant(ctx context.Context, cfg Config, jobID, applicantID, target string) error
}

// ChangeSubscriber is implemented by applicant sources whose ATS pushes
// changes (SmartRecruiters' candidate.deleted and job.status.updated): the
// connector creates and activates the subscriptions itself.
type ChangeSubscriber interface {
	// Subscribe creates the subscriptions that tell callbackURL of deleted
	// applicants and jobs whose status changed, activates them and returns
	// them with their signing keys. An activation handshake arrives at
	// callbackURL while Subscribe runs; it is answered by Handshake.
	Subscribe(ctx context.Context, cfg Config, callbackURL string) ([]Subscription, error)
	// Unsubscribe deletes them; a subscription the ATS no longer has is not
	// an error.
	Unsubscribe(ctx context.Context, cfg Config, subs []Subscription) error
	// RotateKeys makes a new signing key for each subscription, keeping the
	// old ones the ATS still signs with, and returns the subscriptions with
	// all their keys.
	RotateKeys(ctx context.Context, cfg Config, subs []Subscription) ([]Subscription, error)
	// Handshake answers an activation request at the callback: ok is true
	// when the request is one, and reply is the header to answer 200 with.
	// It does no I/O, so it answers within the ATS's deadline.
	Handshake(header http.Header) (reply http.Header, ok bool)
	// VerifyChange authenticates one notification with the subscriptions'
	// keys and returns what changed; it does no I/O. Bad or stale input is
	// an *InboundError. What the notification only names is re-read through
	// the API by whoever acts on it.
	VerifyChange(subs []Subscription, header http.Header, body []byte, now time.Time) (Change, error)
}

// ProspectSender is implemented by applicant sources that can add a test
// prospect when a connection is made: proof that the credentials may
// write, and a person the admin can find in the ATS.
type ProspectSender interface {
	// SendTestProspect adds p to the ATS outside any job and reads it back;
	// the answer has the ATS's id for it and Where it landed, in the
	// admin's words.
	SendTestProspect(ctx context.Context, cfg Config, p Prospect) (Prospect, error)
}

// Prospect is a test prospect.
type Prospect struct {
	ID        string
	FirstName string
	LastName  string
	Email     string
	Where     string
}

// ErrNotFound is wrapped by an ApplicantSource's reads when the ATS has no
// such job or application (deleted, or never there).
var ErrNotFound = errors.New("not found in the ATS")

// Job is an ATS job (a SmartRecruiters job, a Lever posting) as review
// shows and filters it.
type Job struct {
	ExternalID string
	Title      string
	RefNumber  string
	Status     string // the ATS's word, e.g. SOURCING
	Open       bool
	Location   string
	Department string
	// Recruiter is who owns the job in the ATS, for the recruiter filter.
	RecruiterID   string
	RecruiterName string
	URL           string
	UpdatedAt     time.Time
}

// JobPage is one page of jobs.
type JobPage struct {
	Jobs []Job
	Next string
}

// ApplicantQuery selects a page of one job's applicants.
type ApplicantQuery struct {
	JobID string
	// UpdatedAfter, when set, keeps applicants changed at or after it: the
	// incremental sync, which asks with an overlap window.
	UpdatedAfter time.Time
	Cursor       string
}

// ApplicantPage is one page of applicants.
type ApplicantPage struct {
	Applicants []Applicant
	Next       string
}

// Applicant is one candidate's application to one job, with what ranking
// reads.
type Applicant struct {
	ExternalID    string // the candidate's id in the ATS
	ApplicationID string // the application's, where the ATS has one
	JobID         string
	Name          string
	Email         string
	Headline      string
	Location      string
	Status        string // the ATS's status or stage, as shown
	SubStatus     string
	AppliedAt     time.Time
	UpdatedAt     time.Time
	ProfileURL    string
	Experience    []Experience
	Education     []Education
	Skills        []string
	Tags          []string
	Answers       []Answer
}

// Experience is one position of an applicant's work history. Start and End
// are the first day of their months; a zero End with Current is ongoing.
type Experience struct {
	Title       string
	Company     string
	Start       time.Time
	End         time.Time
	Current     bool
	Description string
}

// Education is one school or degree.
type Education struct {
	Institution string
	Degree      string
	Field       string
	Start       time.Time
	End         time.Time
}

// Answer is one screening question and its answer.
type Answer struct {
	Question string
	Answer   string
}

// MoveTarget is a status or stage an applicant can be moved to.
type MoveTarget struct {
	ID    string
	Label string
}

// Subscription is one change subscription the connector made, stored by the
// review core (its keys sealed) and handed back as it was returned.
type Subscription struct {
	ID     string
	Events []string
	// Keys sign notifications; more than one while a rotated key is still
	// valid. Newest first.
	Keys []string
}

// ChangeKind is what a change notification reports.
type ChangeKind string

const (
	ChangeApplicantDeleted ChangeKind = "applicant_deleted"
	ChangeJobStatus        ChangeKind = "job_status"
	// ChangeIgnored is a verified notification review has no use for.
	ChangeIgnored ChangeKind = "ignored"
)

// Change is one verified change notification.
type Change struct {
	Kind ChangeKind
	// DedupeKey is equal for redeliveries of one notification.
	DedupeKey   string
	JobID       string
	ApplicantID string // the candidate's id in the ATS
}
