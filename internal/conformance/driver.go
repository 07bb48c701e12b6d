// Package conformance is the suite every ATS connector runs against its
// simulator, the way River's riverdrivertest holds every database driver to
// one behaviour: connect, list packages, order, redelivery, refusal, every
// result state, the ATS's rate limit held, bad credentials both ways, and
// the ATS down and recovered, each on SQLite and on PostgreSQL.
//
// A connector takes part by writing a Driver: what the ATS's users do (ask
// for an assessment), what the ATS shows afterwards, and the faults its
// simulator injects. The suite itself knows no ATS.
package conformance

import (
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

// Driver is one connector with its simulator.
type Driver interface {
	// Provider is the connector's provider name ("lever").
	Provider() string
	// Setup does, on e, what the vendor's admin and the ATS's admin do
	// until the integration is enabled and the ATS can order: an account, the
	// ATS's side in the simulator, the integration with its credentials and
	// settings (and for ATSs that call Switchboard, the key or connection
	// handed to the ATS), enabled, and at least one vacancy of the built-in
	// engine that the ATS can order ad hoc (not inline). It orders nothing
	// yet. e.T is t here; in the suite's steps e.T is the step's test, so
	// fixtures that clean up after themselves belong in Setup.
	Setup(t testing.TB, e *apptest.Env) Tenant
}

// Unshown is implemented by drivers whose ATS has no word for some order
// states (SmartRecruiters is not told of a cancellation): for those the
// suite checks that the ATS still shows what it showed before. An ATS
// whose connector describes no progress shown (ats.Shows.InProgress false)
// needs not list in_progress here.
type Unshown interface {
	Unshown() []core.State
}

// Poller is implemented by tenants whose ATS asks Switchboard for results
// (the connector's Description.Results is pulled or both); the suite fails
// a driver of such an ATS that lacks it. Poll is the ATS's own scheduled
// poll of one order (Greenhouse's hourly test_status), after which Shown
// shows what that poll read. Shown itself must not poll: of an ATS that is
// pushed results as well (Greenhouse's ping), the suite checks that a
// result shows before the ATS's own poll, which only the push can bring
// about, and that a result whose push was refused reaches the ATS by that
// poll all the same.
type Poller interface {
	Poll(t testing.TB, r Ref)
}

// Tenant is one customer's integration of the connector, from the ATS's
// side and Switchboard's.
type Tenant interface {
	// APIKey is the account's super admin's admin API key; AccountID and
	// IntegrationID name what Setup made.
	APIKey() string
	AccountID() string
	IntegrationID() string

	// Offer makes the ATS order v from now on: Lever tags the posting with
	// the vacancy's tag; ATSs that list packages pick v's id in the job. v
	// may be an outside vendor's package (which has no tag until the driver
	// gives it one through the admin API).
	Offer(t testing.TB, v core.Vacancy)
	// Packages is what the ATS lists of the account's packages (their ids
	// as the ATS shows them), or ok false for an ATS that lists none.
	Packages(t testing.TB) (ids []string, ok bool)

	// Order asks for an assessment of a new candidate, as the ATS does it
	// (a stage move, a recruiter's click); the ATS got Switchboard's
	// acceptance when it returns. The suite finds Switchboard's order by
	// Ref.OrderID or, when that is "", by the order's external_id equal to
	// Ref.ATS.
	Order(t testing.TB, c Candidate) Ref
	// Redeliver asks again for the same order, as the ATS would after a
	// lost answer (a webhook redelivered, a POST retried); it must land on
	// the order already made.
	Redeliver(t testing.TB, r Ref)
	// OrderRefused asks for something Switchboard must refuse (a package
	// that does not exist, or, for ATSs that route by tag, a job with no
	// vacancy) and returns what the ATS saw of the refusal; nothing is
	// stored.
	OrderRefused(t testing.TB, c Candidate) Refusal

	// Shown is what the ATS shows of the order now, in the suite's words,
	// without asking Switchboard first (see Poller).
	Shown(t testing.TB, r Ref) Shown

	// Faults of the simulator, undone by calling the returned func.
	// Down makes the ATS answer 503 to Switchboard's calls until recover;
	// give a Retry-After longer than a few seconds (a maintenance window),
	// as the Lever and SmartRecruiters drivers do, so that the write-back
	// waits for it instead of spending its attempts, which the tests' fast
	// retries would do in milliseconds. The suite recovers once a
	// write-back failed and then runs what waits for the Retry-After.
	Down(t testing.TB) (recover func())
	// BadOutboundAuth makes the ATS refuse the credentials Switchboard calls
	// it with (a revoked API key). The suite expects the write-back to stop
	// with a job_failed entry naming its job, which it retries (as the
	// admin's Retry button does) once the credential is restored. The
	// validation checklist must then fail, in words, unless Switchboard
	// holds no credential of the ATS's (Description.Credentials empty: it
	// calls with the key it issued, Greenhouse's ping), since no check can
	// tell that the ATS no longer takes that key before a call is refused.
	BadOutboundAuth(t testing.TB) (restore func())
	// InboundWithBadAuth makes the ATS send one order request with wrong
	// credentials (a forged signature, a rotated key) and returns the HTTP
	// status Switchboard answered; it must be refused with nothing stored.
	InboundWithBadAuth(t testing.TB, c Candidate) (status int)
	// Limit is the ATS's rate limit as the simulator enforces it, and
	// OverLimit how many of Switchboard's calls it saw above that limit (it
	// must stay 0).
	Limit() string
	OverLimit() int
}

// Candidate is who is ordered for. The driver makes the rest of the ATS's
// records (an application, a job) as it needs.
type Candidate struct {
	FirstName, LastName, Email string
}

// Ref is a driver's handle of one order as the ATS knows it (Lever's
// opportunity id, SmartRecruiters' order id…); OrderID is Switchboard's,
// once the driver can tell it ("" until then).
type Ref struct {
	ATS     string
	OrderID string
}

// Refusal is how the ATS saw an order refused.
type Refusal struct {
	// Status is the HTTP status Switchboard answered, or 0 where the ATS
	// does not wait for one (Lever's webhooks are answered 200 and the
	// refusal is recorded).
	Status int
	// Shown is what the ATS shows a recruiter of it, if anything.
	Shown string
}

// Shown is what an ATS shows of one order, normalised by its driver.
type Shown struct {
	// State is the order's state as the ATS shows it, in core's words
	// ("invited", "in_progress", "completed", "expired", "cancelled"), or ""
	// when the ATS shows nothing yet.
	State core.State
	// Score and Label are the result's, as shown ("82", "Great fit").
	Score string
	Label string
	// ResultURL is the link to the result the ATS shows.
	ResultURL string
	// Writes counts the ATS-side writes Switchboard made for the order
	// (notes, status updates, results, files, links), so the suite can tell
	// a retried write-back from one done twice: it must not change on a
	// redelivery, and an order written back through an outage must end with
	// as many as one written back without.
	Writes int
}

// Run runs the suite for d on SQLite and PostgreSQL.
func Run(t *testing.T, d Driver) {
	t.Helper()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			run(t, d, dialect)
		})
	}
}
