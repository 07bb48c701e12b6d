// Package store defines how Switchboard persists its domain, independent of the
// SQL dialect. Each dialect (sqlite, postgres) is its own package implementing
// Store with plain SQL and embedded migrations; storetest holds the conformance
// suite that every dialect must pass.
//
// Both dialects sit on database/sql so that the job queue can enqueue work in
// the same *sql.Tx as the rows that cause it.
package store

import (
	"context"
	"database/sql"
	"time"

	"switchboard/internal/assess"
	"switchboard/internal/core"
)

// Store is a database holding Switchboard's data.
//
// Methods on Store itself read from a reader pool where the dialect has one, so
// they may not see writes of a transaction still open; use InTx for
// read-modify-write.
type Store interface {
	Queries
	// InTx runs fn in one read-write transaction, committing when fn returns
	// nil and rolling back otherwise. Nested calls are not supported: inside fn
	// use only the Tx given.
	InTx(ctx context.Context, fn func(Tx) error) error
	// Writer is the read-write pool, for the job queue's driver.
	Writer() *sql.DB
	// Dialect names the SQL dialect: "sqlite" or "postgres".
	Dialect() string
	// Migrate brings the schema up to date; it is safe to run repeatedly.
	Migrate(ctx context.Context) error
	Close() error
}

// Tx is a transaction. Its SQL tx is exposed so that the job queue can enqueue
// in it.
type Tx interface {
	Queries
	SQL() *sql.Tx
}

// Queries is every read and write the domain needs. "Get" methods return
// core.ErrNotFound (wrapped) when nothing matches; creates that break a
// uniqueness rule return core.ErrConflict (wrapped); updates with a stale
// Version return core.ErrConflict. Times round-trip in UTC at microsecond
// precision.
type Queries interface {
	CreateAccount(ctx context.Context, a core.Account) error
	GetAccount(ctx context.Context, id string) (core.Account, error)
	ListAccounts(ctx context.Context) ([]core.Account, error)

	// CreateUser fails with ErrConflict when the email (case-insensitive) is taken.
	CreateUser(ctx context.Context, u core.User) error
	GetUser(ctx context.Context, id string) (core.User, error)
	GetUserByEmail(ctx context.Context, email string) (core.User, error)
	ListUsers(ctx context.Context, accountID string) ([]core.User, error)
	// UpdateUser writes a user's name, role and DeactivatedAt.
	UpdateUser(ctx context.Context, u core.User) error
	// SetUserOperator sets or clears a user's Operator flag (UpdateUser
	// leaves it alone).
	SetUserOperator(ctx context.Context, userID string, on bool) error
	// ListActiveSuperAdminIDs returns the IDs of an account's super admins
	// who are not deactivated. On PostgreSQL, inside a transaction, it locks
	// their rows until the transaction ends, so two concurrent demotions
	// cannot both count two super admins and leave none.
	ListActiveSuperAdminIDs(ctx context.Context, accountID string) ([]string, error)
	// EndUserAccess deletes a user's sessions, API keys and set-password
	// links: whatever they could sign in or call the API with.
	EndUserAccess(ctx context.Context, userID string) error

	CreateAPIKey(ctx context.Context, k core.APIKey) error
	GetAPIKey(ctx context.Context, id string) (core.APIKey, error)
	// GetAPIKeyByHash finds a key by the hash of its plaintext.
	GetAPIKeyByHash(ctx context.Context, hash string) (core.APIKey, error)
	// ListAPIKeys returns a user's keys, oldest first.
	ListAPIKeys(ctx context.Context, userID string) ([]core.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	// DeleteAPIKey revokes a key: it stops working at once.
	DeleteAPIKey(ctx context.Context, id string) error

	// CreateIntegration fails with ErrConflict when the account already has an
	// integration with the same provider.
	CreateIntegration(ctx context.Context, in core.Integration) error
	GetIntegration(ctx context.Context, id string) (core.Integration, error)
	ListIntegrations(ctx context.Context, accountID string) ([]core.Integration, error)
	// UpdateIntegration writes every mutable field when in.Version matches the
	// stored version, and stores Version+1.
	UpdateIntegration(ctx context.Context, in core.Integration) error

	// SetCredential inserts or replaces one named credential.
	SetCredential(ctx context.Context, c core.Credential) error
	ListCredentials(ctx context.Context, integrationID string) ([]core.Credential, error)
	// DeleteCredential removes one named credential; a missing one is no error.
	DeleteCredential(ctx context.Context, integrationID, name string) error

	// CreateVacancy fails with ErrConflict when the account has a vacancy with
	// the same non-empty Tag. Vacancies are written with the engine's
	// configuration (empty for an outside vendor's) and read either way: as
	// core.Vacancy, with Parts from the engine's modules, everywhere but
	// where the engine's questions are used or edited.
	CreateVacancy(ctx context.Context, v EngineVacancy) error
	GetVacancy(ctx context.Context, id string) (core.Vacancy, error)
	GetEngineVacancy(ctx context.Context, id string) (EngineVacancy, error)
	ListVacancies(ctx context.Context, accountID string) ([]core.Vacancy, error)
	ListEngineVacancies(ctx context.Context, accountID string) ([]EngineVacancy, error)
	UpdateVacancy(ctx context.Context, v EngineVacancy) error

	// UpsertCandidate inserts the candidate or, when one with the same
	// (IntegrationID, ExternalID) exists, updates its name, email, profile URL
	// and UpdatedAt, and returns the stored row (with the existing ID).
	UpsertCandidate(ctx context.Context, c core.Candidate) (core.Candidate, error)
	GetCandidate(ctx context.Context, id string) (core.Candidate, error)

	// CreateOrder fails with ErrConflict when the integration already has an
	// order with the same IdempotencyKey.
	CreateOrder(ctx context.Context, o core.Order) error
	GetOrder(ctx context.Context, id string) (core.Order, error)
	GetOrderByIdempotencyKey(ctx context.Context, integrationID, key string) (core.Order, error)
	GetOrderByInvitationHash(ctx context.Context, hash string) (core.Order, error)
	// UpdateOrder writes every mutable field when o.Version matches the stored
	// version, and stores Version+1.
	UpdateOrder(ctx context.Context, o core.Order) error
	// MarkOrderTest sets an order's Test flag, which UpdateOrder leaves alone.
	MarkOrderTest(ctx context.Context, id string) error
	// SupersedeOrder hands an order's idempotency key on to its re-invitation:
	// it stores o.SupersededKey() when o.Version matches, and Version+1.
	SupersedeOrder(ctx context.Context, o core.Order) error
	ListOrders(ctx context.Context, accountID string, f OrderFilter) (OrderPage, error)
	// ListExpiredOrderIDs returns up to limit orders that may still expire
	// (invited, in progress) whose invitation expired at or before now,
	// soonest first; limit <= 0 means 500.
	ListExpiredOrderIDs(ctx context.Context, now time.Time, limit int) ([]string, error)

	SaveAnswer(ctx context.Context, a core.Answer) error // insert or replace by (OrderID, QuestionID)
	ListAnswers(ctx context.Context, orderID string) ([]core.Answer, error)

	// SaveResult fails with ErrConflict when the order already has a result.
	SaveResult(ctx context.Context, r core.Result) error
	GetResult(ctx context.Context, orderID string) (core.Result, error)
	// SaveEngineResult fails with ErrConflict when the order already has one.
	SaveEngineResult(ctx context.Context, e EngineResult) error
	GetEngineResult(ctx context.Context, orderID string) (EngineResult, error)

	// AddTimeline appends an entry and returns its ID.
	AddTimeline(ctx context.Context, e core.TimelineEntry) (int64, error)
	// ListTimeline returns an order's entries oldest first.
	ListTimeline(ctx context.Context, orderID string) ([]core.TimelineEntry, error)

	// RecordInbound stores an inbound event. When the integration already has
	// one with the same DedupeKey it stores nothing and returns the existing
	// event with inserted=false.
	RecordInbound(ctx context.Context, e core.InboundEvent) (stored core.InboundEvent, inserted bool, err error)
	GetInbound(ctx context.Context, id string) (core.InboundEvent, error)
	// SetInboundOutcome records what processing an event did at a time, and
	// why it failed ("" when it did not).
	SetInboundOutcome(ctx context.Context, id string, at time.Time, outcome, failure string) error
	// ListInboundFailures returns an integration's events whose last
	// processing failed, most recently processed first, at most limit
	// (clamped like OrderFilter.Limit).
	ListInboundFailures(ctx context.Context, integrationID string, limit int) ([]core.InboundEvent, error)
	// DeleteInboundBefore removes every event received before a time and
	// reports how many; orders and their timelines stay.
	DeleteInboundBefore(ctx context.Context, before time.Time) (int, error)

	// MarkStep records that a named write-back step of an order is done; it
	// returns false when it was already recorded. StepDone asks without
	// recording. Steps make retried write-back jobs skip what already landed.
	MarkStep(ctx context.Context, orderID, step string, at time.Time) (bool, error)
	StepDone(ctx context.Context, orderID, step string) (bool, error)

	// ClaimWriteBack gives holder the write-back claim on an order until
	// until, unless another holder's claim is still live at now; a holder
	// may renew its own. It reports whether holder has the claim.
	// ReleaseWriteBack ends holder's claim (another's is left alone).
	ClaimWriteBack(ctx context.Context, orderID, holder string, now, until time.Time) (bool, error)
	ReleaseWriteBack(ctx context.Context, orderID, holder string) error

	AddOutboxMail(ctx context.Context, m core.OutboxMail) error
	// ListOutboxMail returns one account's mail, newest first, at most limit.
	ListOutboxMail(ctx context.Context, accountID string, limit int) ([]core.OutboxMail, error)

	// GetSetting returns a setting of this Switchboard (not of an account),
	// ErrNotFound when unset; PutSetting sets or replaces one.
	GetSetting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string, at time.Time) error

	SessionQueries
	VendorQueries
	ReviewQueries
}

// OrderFilter narrows ListOrders. Zero fields do not filter.
type OrderFilter struct {
	IntegrationID string
	VacancyID     string
	State         core.State
	// Test, when set, keeps only test orders (true) or only real ones (false).
	Test        *bool
	CreatedFrom time.Time // inclusive
	CreatedTo   time.Time // exclusive
	// Search matches candidate name or email, case-insensitively, as a substring.
	Search string
	Limit  int // default 50, at most 200
	Offset int
}

// EngineVacancy is a vacancy with the built-in engine's configuration of it:
// the questions and scoring thresholds, which only the engine and the
// surfaces that edit them read. They are zero for an outside vendor's
// vacancy. core.Vacancy carries only what every vendor's package has.
type EngineVacancy struct {
	core.Vacancy
	Package    assess.Package
	Thresholds assess.Thresholds
}

// EngineParts lists a package's modules as the vacancy's vendor-neutral
// parts.
func EngineParts(p assess.Package) []core.PackagePart {
	if len(p.Modules) == 0 {
		return nil
	}
	parts := make([]core.PackagePart, 0, len(p.Modules))
	for _, m := range p.Modules {
		parts = append(parts, core.PackagePart{Key: m.Key, Name: m.Name, Description: m.Description})
	}
	return parts
}

// WithParts returns the vacancy with Parts derived from its package, as the
// store reads it back.
func (v EngineVacancy) WithParts() EngineVacancy {
	v.Parts = EngineParts(v.Package)
	return v
}

// EngineResult is the built-in engine's own record of a result: the scored
// outcome and the answers it came from, which its PDF report and pages
// show. The order's result (core.Result) is what everything else reads.
type EngineResult struct {
	OrderID string
	Outcome assess.Outcome
	Answers assess.Answers
}

// OrderPage is one page of orders, newest first, with what a list shows.
type OrderPage struct {
	Items []OrderListItem
	Total int // matching orders across all pages
}

// OrderListItem is an order with the names a list shows beside it.
type OrderListItem struct {
	core.Order
	CandidateName  string
	CandidateEmail string
	VacancyName    string
}

// Session is a signed-in browser session of the admin UI. Only the SHA-256 of
// its cookie token is stored, so a database leak does not let anyone sign in.
type Session struct {
	TokenHash string
	UserID    string
	AccountID string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PasswordReset is a one-time set-password link. Only the SHA-256 of its
// token is stored.
type PasswordReset struct {
	TokenHash string
	UserID    string
	AccountID string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionQueries are the reads and writes of sign-in: passwords, sessions and
// set-password links. They are part of Queries.
type SessionQueries interface {
	// SetUserPassword replaces a user's password hash (a KDF string) and ends
	// the user's sessions and set-password links; "" makes the user API-only
	// again.
	SetUserPassword(ctx context.Context, userID, hash string) error
	// CreatePasswordReset stores a set-password link, replacing the user's
	// earlier ones: only the newest link works.
	CreatePasswordReset(ctx context.Context, p PasswordReset) error
	// GetPasswordReset finds a link by the hash of its token, expired or not.
	GetPasswordReset(ctx context.Context, tokenHash string) (PasswordReset, error)
	// UsePasswordReset deletes a link and returns it, expired or not; when
	// two requests race for one link only one gets it, the other
	// ErrNotFound.
	UsePasswordReset(ctx context.Context, tokenHash string) (PasswordReset, error)
	// CreateSession fails with ErrConflict when the token hash is taken.
	CreateSession(ctx context.Context, s Session) error
	// GetSession finds a session by the hash of its token, expired or not.
	GetSession(ctx context.Context, tokenHash string) (Session, error)
	// DeleteSession removes a session; removing an absent one is not an error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteExpiredSessions removes sessions that expired at or before now and
	// reports how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// ReviewQueries are the reads and writes of applicant review: sources, the
// jobs and applicants synced from them, the syncs with their cursors, and the
// change notifications an ATS pushed. Deleting a source deletes everything
// synced from it.
type ReviewQueries interface {
	// CreateReviewSource fails with ErrConflict when the account has a
	// source of the same provider.
	CreateReviewSource(ctx context.Context, s core.ReviewSource) error
	GetReviewSource(ctx context.Context, id string) (core.ReviewSource, error)
	GetReviewSourceByHookToken(ctx context.Context, token string) (core.ReviewSource, error)
	// ListReviewSources returns an account's sources, oldest first.
	ListReviewSources(ctx context.Context, accountID string) ([]core.ReviewSource, error)
	// UpdateReviewSource writes every mutable field when s.Version matches,
	// and stores Version+1.
	UpdateReviewSource(ctx context.Context, s core.ReviewSource) error
	DeleteReviewSource(ctx context.Context, id string) error

	// UpsertReviewJobs inserts or updates jobs by (SourceID, ExternalID),
	// keeping their criteria.
	UpsertReviewJobs(ctx context.Context, jobs []core.ReviewJob) error
	GetReviewJob(ctx context.Context, sourceID, jobID string) (core.ReviewJob, error)
	// ListReviewJobs returns a source's open jobs matching f, with their
	// applicant counts, by title then id.
	ListReviewJobs(ctx context.Context, sourceID string, f ReviewJobFilter) ([]core.ReviewJob, error)
	// SetReviewJobCriteria stores a job's qualifications.
	SetReviewJobCriteria(ctx context.Context, sourceID, jobID string, criteria []byte, at time.Time) error
	// CloseReviewJobsSyncedBefore marks the open jobs a full sync did not see
	// again (synced before it began) as closed, and returns how many.
	CloseReviewJobsSyncedBefore(ctx context.Context, sourceID string, before time.Time) (int, error)

	// UpsertReviewApplicants inserts or updates applicants by (SourceID,
	// JobID, ExternalID), keeping their latest move.
	UpsertReviewApplicants(ctx context.Context, apps []core.ReviewApplicant) error
	GetReviewApplicant(ctx context.Context, sourceID, jobID, applicantID string) (core.ReviewApplicant, error)
	// ListReviewApplicants returns a job's applicants by ExternalID.
	ListReviewApplicants(ctx context.Context, sourceID, jobID string) ([]core.ReviewApplicant, error)
	// DeleteReviewCandidate deletes a candidate's applications to every job
	// of the source, and returns how many.
	DeleteReviewCandidate(ctx context.Context, sourceID, applicantID string) (int, error)
	// DeleteReviewApplicantsSyncedBefore deletes a job's applicants that a
	// full sync of it did not see again, and returns how many.
	DeleteReviewApplicantsSyncedBefore(ctx context.Context, sourceID, jobID string, before time.Time) (int, error)
	// SetReviewApplicantMove records the latest move asked for an applicant
	// and its outcome ("" when it succeeded).
	SetReviewApplicantMove(ctx context.Context, sourceID, jobID, applicantID, target, moveError string, at time.Time) error

	CreateReviewSync(ctx context.Context, s core.ReviewSync) error
	GetReviewSync(ctx context.Context, id string) (core.ReviewSync, error)
	// LatestReviewSync returns a source's most recently started sync.
	LatestReviewSync(ctx context.Context, sourceID string) (core.ReviewSync, error)
	// AdvanceReviewSync writes s when the stored Step is s.Step-1 (the step
	// it takes was not taken yet), and ErrConflict otherwise.
	AdvanceReviewSync(ctx context.Context, s core.ReviewSync) error

	// RecordReviewChange stores a notification; created is false when one
	// with the same (SourceID, DedupeKey) is stored already.
	RecordReviewChange(ctx context.Context, c core.ReviewChange) (created bool, err error)
	MarkReviewChangeProcessed(ctx context.Context, sourceID, dedupeKey string, at time.Time) error

	// ListCandidateResults returns the results of an account's completed
	// orders from integrations of provider, for the candidates with these
	// ATS ids, newest first: what ranking shows of the assessment half.
	ListCandidateResults(ctx context.Context, accountID, provider string, externalIDs []string) ([]CandidateResult, error)
	// ReviewRankStamp is what a job's ranking reads, in summary: it changes
	// whenever the job's applicants are synced, deleted or moved, or an
	// order of the account from provider is completed or changed.
	ReviewRankStamp(ctx context.Context, sourceID, jobID, accountID, provider string) (ReviewStamp, error)
}

// ReviewStamp summarises what a job's ranking reads (ReviewRankStamp).
type ReviewStamp struct {
	Applicants int
	SyncedAt   time.Time // the latest applicant's sync
	MovedAt    time.Time // the latest move asked
	ResultsAt  time.Time // the latest change of the account's orders from the provider
}

// ReviewJobFilter narrows a source's job list.
type ReviewJobFilter struct {
	// Query matches a title (ignoring case) or an id or reference number.
	Query       string
	RecruiterID string
	// Closed lists closed jobs too.
	Closed bool
}

// CandidateResult is one completed order's result for an ATS candidate.
type CandidateResult struct {
	ExternalID  string
	OrderID     string
	Result      core.Result
	CompletedAt time.Time
}

// VendorQueries are the reads and writes of outside vendors: the vendors,
// their keys and account links, their packages, the deliveries of orders to
// them with every attempt, and files they hand over. They are part of
// Queries.
type VendorQueries interface {
	// CreateVendor fails with ErrConflict when the name (case-insensitive)
	// is taken.
	CreateVendor(ctx context.Context, v core.Vendor) error
	GetVendor(ctx context.Context, id string) (core.Vendor, error)
	// ListVendors returns every vendor, by name.
	ListVendors(ctx context.Context) ([]core.Vendor, error)
	// UpdateVendor writes every mutable field when v.Version matches the
	// stored version, and stores Version+1.
	UpdateVendor(ctx context.Context, v core.Vendor) error

	CreateVendorKey(ctx context.Context, k core.VendorKey) error
	// GetVendorKeyByHash finds a key by the hash of its plaintext.
	GetVendorKeyByHash(ctx context.Context, hash string) (core.VendorKey, error)
	// ListVendorKeys returns a vendor's keys, oldest first.
	ListVendorKeys(ctx context.Context, vendorID string) ([]core.VendorKey, error)
	TouchVendorKey(ctx context.Context, id string, at time.Time) error
	// DeleteVendorKey revokes a key of a vendor; ErrNotFound when the vendor
	// has no such key.
	DeleteVendorKey(ctx context.Context, vendorID, keyID string) error

	// LinkVendor links a vendor to an account; linking again changes
	// nothing and reports false.
	LinkVendor(ctx context.Context, l core.VendorLink) (bool, error)
	// UnlinkVendor removes a link; ErrNotFound when there is none.
	UnlinkVendor(ctx context.Context, vendorID, accountID string) error
	// GetVendorLink returns ErrNotFound when the vendor is not linked to the
	// account.
	GetVendorLink(ctx context.Context, vendorID, accountID string) (core.VendorLink, error)
	// ListVendorLinks returns a vendor's links, oldest first.
	ListVendorLinks(ctx context.Context, vendorID string) ([]core.VendorLink, error)
	// ListAccountVendors returns the vendors linked to an account, by name.
	ListAccountVendors(ctx context.Context, accountID string) ([]core.Vendor, error)

	// ReplaceVendorPackages makes ps (all with source src) the vendor's
	// stored packages of that source, deleting its others of that source,
	// in one statement set. Each source is its own set: the same package ID
	// may stand in two. An ID twice in ps is ErrConflict, and changes
	// nothing.
	ReplaceVendorPackages(ctx context.Context, vendorID string, src core.PackageSource, ps []core.VendorPackage) error
	// ListVendorPackages returns a vendor's stored packages of every
	// source, by name.
	ListVendorPackages(ctx context.Context, vendorID string) ([]core.VendorPackage, error)

	// UpsertVendorVacancy makes a vendor's package orderable in an account:
	// it inserts v or, when the account has a vacancy of the same vendor and
	// VendorPackageID, updates its name, kind, description and Archived=false
	// and returns the stored row (with its existing ID). When none of those
	// differ the row, its UpdatedAt and Version stay as they are.
	UpsertVendorVacancy(ctx context.Context, v core.Vacancy) (core.Vacancy, error)
	// ArchiveVendorVacancies archives an account's vacancies of a vendor
	// whose VendorPackageID is not in keep, and reports how many changed;
	// each one archived gets Version+1.
	ArchiveVendorVacancies(ctx context.Context, accountID, vendorID string, keep []string) (int, error)

	// CreateDelivery fails with ErrConflict when the ID is taken.
	CreateDelivery(ctx context.Context, d core.Delivery) error
	GetDelivery(ctx context.Context, id string) (core.Delivery, error)
	// UpdateDelivery writes status, attempts, message, the attempt times,
	// DeliveredAt and UpdatedAt.
	UpdateDelivery(ctx context.Context, d core.Delivery) error
	// ListDeliveries returns a vendor's deliveries, newest first, narrowed
	// by f.
	ListDeliveries(ctx context.Context, vendorID string, f DeliveryFilter) ([]core.Delivery, error)
	// ListOrderDeliveries returns an order's deliveries, oldest first.
	ListOrderDeliveries(ctx context.Context, orderID string) ([]core.Delivery, error)
	// AddDeliveryAttempt appends an attempt and returns its ID.
	AddDeliveryAttempt(ctx context.Context, a core.DeliveryAttempt) (int64, error)
	// ListDeliveryAttempts returns a delivery's attempts, oldest first.
	ListDeliveryAttempts(ctx context.Context, deliveryID string) ([]core.DeliveryAttempt, error)

	// ListVendorOrders returns the orders of a vendor's vacancies in one
	// account, oldest first, after the cursor, narrowed by f; ErrNotFound
	// when the cursor is not one of those orders (in any state or kind).
	ListVendorOrders(ctx context.Context, vendorID, accountID string, f VendorOrderFilter) ([]core.Order, error)

	// SaveFile stores a file; GetFile reads it back.
	SaveFile(ctx context.Context, f core.StoredFile) error
	GetFile(ctx context.Context, id string) (core.StoredFile, error)
}

// DeliveryFilter narrows ListDeliveries. Zero fields do not filter.
type DeliveryFilter struct {
	AccountID string
	Status    core.DeliveryStatus
	Limit     int // default 50, at most 200
}

// VendorOrderFilter narrows ListVendorOrders. Zero fields do not filter.
type VendorOrderFilter struct {
	Kind core.Kind
	// Open keeps only orders still waiting for a result: received, invited
	// or in progress.
	Open bool
	// After is the cursor: the ID of the last order of the previous page;
	// orders are paged by (CreatedAt, ID).
	After string
	Limit int // default 25, at most 250
}
