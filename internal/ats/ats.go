// Package ats is the connector seam: what every ATS connector gives the core
// and nothing more. A connector authenticates and normalises what its ATS
// sends (webhooks, partner calls), writes order state changes back, validates
// its own configuration and declares its capabilities, so that the core never
// asks which ATS it is talking to.
package ats

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"switchboard/internal/core"
)

// Config is what a connector gets to act for one integration.
type Config struct {
	Integration core.Integration
	// Secrets holds the integration's decrypted credentials by name. It lives
	// only for one call and is never logged.
	Secrets map[string]string
	// IssuedKey is the key Switchboard issued for the ATS to call it with
	// (PartnerEndpoints of InboundBearer or InboundBasic), for ATSs that want
	// it back on Switchboard's calls; "" when none was issued.
	IssuedKey string
	// HTTPClient is the outbound client: SSRF-guarded, instrumented. Connectors
	// must use it for every call to the ATS.
	HTTPClient *http.Client
}

// Connector is one ATS.
type Connector interface {
	// Provider is the stable name used in URLs and storage, e.g. "lever".
	Provider() string
	Describe() Description
	// Validate checks that the credentials and settings work, calling the ATS
	// where that is the only way to know. Every check is returned, passing or
	// not, so a user sees the whole picture.
	Validate(ctx context.Context, cfg Config) []Check
	// WriteBack tells the ATS about one state change of one order. Steps that
	// must not be repeated (a note, a file) go through steps, so a retried job
	// skips what already landed.
	WriteBack(ctx context.Context, cfg Config, u Update, steps Steps) error
}

// WebhookReceiver is implemented by connectors whose ATS pushes signed
// webhooks (Lever, Workable…).
type WebhookReceiver interface {
	// VerifyWebhook authenticates one delivery as its ATS signs it and decides
	// what to persist. It does no I/O. Bad input yields an *InboundError whose
	// Status is the 4xx to answer.
	VerifyWebhook(cfg Config, header http.Header, body []byte, now time.Time) (Delivery, error)
	// Resolve turns a persisted delivery into events, re-reading what the
	// webhook only names through the ATS API rather than trusting unsigned data.
	Resolve(ctx context.Context, cfg Config, payload []byte) ([]Event, error)
}

// Delivery is a verified webhook, ready to be stored.
type Delivery struct {
	Kind string // the ATS's event name
	// DedupeKey is equal for redeliveries of the same event, and for anything
	// made from one signed delivery by changing what the signature does not
	// cover, so that such a replay lands on the delivery it was made from.
	DedupeKey string
	// Payload is what Resolve needs of the body, and is stored instead of it:
	// ids, not the whole delivery. Keep it to a few hundred bytes.
	Payload []byte
	// Ignore is set for deliveries that need no work (a signed test ping, an
	// event type the integration did not switch on); they are answered 200,
	// recorded by DedupeKey without a payload, and never processed.
	Ignore bool
	// Unverified is set with Ignore for a delivery that could not be verified
	// because nothing Switchboard holds signs it (an event it does not use);
	// it is not recorded, since its key proves nothing.
	Unverified bool
	Reason     string // why it is ignored
}

// EventKind is what a normalised inbound event asks for.
type EventKind string

const (
	EventOrderRequested EventKind = "order_requested"
	EventOrderCancelled EventKind = "order_cancelled"
	// EventIgnored is a delivery that asks for nothing, with the Reason, so
	// that an admin can see why an event made no order.
	EventIgnored EventKind = "ignored"
)

// Event is one normalised request from an ATS.
type Event struct {
	Kind EventKind
	Mode core.Mode
	// IdempotencyKey is equal for every event that asks for the same order, so
	// the order is created once however often and by whichever event it is asked.
	IdempotencyKey string
	Candidate      Candidate
	ExternalID     string // the ATS's handle for what was ordered
	ExternalJobID  string
	// PackageID names the vacancy directly (ATSs that list our packages);
	// PackageTags route by tag (Lever's vacancy tag on a posting).
	PackageID   string
	PackageTags []string
	ReturnURL   string
	// CallbackURL is where the ATS wants this order's results, and
	// CallbackToken what it wants them sent with, when the ATS gives one per
	// order (Workable's callback_url, Greenhouse's url). Both are stored
	// sealed with the order and handed back in Update.Callback.
	CallbackURL   string
	CallbackToken string
	Reason        string // for cancellations and ignored events
	// Renew asks for a new invitation when the order this event names has
	// expired: a new request in the ATS (Lever: a new move to the trigger
	// stage), not a retry of the one that made the order.
	Renew bool
}

// Candidate is a candidate as the ATS describes them.
type Candidate struct {
	ExternalID string
	Name       string
	Email      string
	ProfileURL string
}

// Update is one order state change to write back.
type Update struct {
	Order     core.Order
	Candidate core.Candidate
	Vacancy   core.Vacancy
	State     core.State
	Result    *core.Result // set when State is completed
	Reports   Reports
	// Callback is the order's callback, unsealed, when the ATS gave one.
	Callback Callback
}

// Callback is where and with what an ATS wants one order's results.
type Callback struct {
	URL   string
	Token string
}

// Reports are the links and files an integration may send back. Which of
// them go is the integration's WriteBack.Reports choice.
type Reports struct {
	DetailPageURL   string // needs a Switchboard sign-in
	ReadOnlyPageURL string // signed, expiring
	PDFURL          string // signed, expiring
	SignedReportURL string // signed, expiring
	// PDF renders the report; called only by connectors that upload it.
	PDF func(ctx context.Context) ([]byte, error)
}

// Steps runs write-back steps at most once per order.
type Steps interface {
	// Do runs fn unless key is already done for this order, and records key as
	// done when fn succeeds.
	Do(ctx context.Context, key string, fn func(ctx context.Context) error) error
}

// Check is one line of a validation checklist.
type Check struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Problem string `json:"problem,omitempty"`
}

// Checklist collects a validation's checks in order.
type Checklist []Check

// Add appends a check, with its problem only when it failed, and reports ok,
// so that later checks can depend on it.
func (l *Checklist) Add(name string, ok bool, problem string) bool {
	c := Check{Name: name, OK: ok}
	if !ok {
		c.Problem = problem
	}
	*l = append(*l, c)
	return ok
}

// Setting is an integration setting, trimmed, or def when it is empty.
func (c Config) Setting(key, def string) string {
	if v := strings.TrimSpace(c.Integration.Settings[key]); v != "" {
		return v
	}
	return def
}

// Passed reports whether every check passed.
func Passed(checks []Check) bool {
	for _, c := range checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Description says what a connector supports and needs, so that the API, the
// UI and validation follow from data.
type Description struct {
	Name         string         `json:"name"`
	Patterns     []core.Pattern `json:"patterns"`
	Settings     []Field        `json:"settings"`
	Credentials  []Field        `json:"credentials"`
	Reports      []string       `json:"reports"` // which core.ReportConfig kinds it can send
	CustomFields bool           `json:"custom_fields"`
	// StatusField is set for ATSs whose custom fields also take the
	// order's status (Workable's Assessments tab), on every state change.
	StatusField bool `json:"status_field"`
	// RoutesByTag is set for ATSs whose jobs pick a vacancy by a tag
	// (Lever's posting tag) rather than by ordering a listed package.
	RoutesByTag bool `json:"routes_by_tag"`
	// TestOrders is set by connectors that run "Run a test order"
	// (SandboxRunner), so pages offer only what the connector does.
	TestOrders bool `json:"test_orders"`
	// Reinvite is set for ATSs where an expired order can be re-invited (a
	// new Switchboard order for the same candidate and job, written back as
	// invited again); others end an order at its expiry and order anew.
	Reinvite bool `json:"reinvite"`
	// Shows is what the ATS shows a recruiter of a result, for vendors
	// deciding what to send (the vendor API's connector meta).
	Shows Shows `json:"shows"`
	// Results says how results reach the ATS: pushed by write-back jobs,
	// pulled by the ATS from a status endpoint Switchboard serves
	// (PartnerCore.Status), or both (Greenhouse: pulled, after a ping that is
	// itself a write-back). The zero value is ResultsPushed.
	Results Results `json:"results"`
	// Multiple is set for ATSs where one account may need more than one
	// integration (Workable: one per subdomain).
	Multiple bool `json:"multiple"`
}

// Results is how results reach an ATS.
type Results string

const (
	ResultsPushed Results = "pushed"
	ResultsPulled Results = "pulled"
	ResultsBoth   Results = "both"
)

// Pushed reports whether write-back jobs run for the ATS.
func (r Results) Pushed() bool { return r != ResultsPulled }

// Pulled reports whether the ATS asks Switchboard for results.
func (r Results) Pulled() bool { return r == ResultsPulled || r == ResultsBoth }

// Shows lists the parts of a result an ATS shows a recruiter.
type Shows struct {
	Status      bool `json:"status"`
	Score       bool `json:"score"`
	Label       bool `json:"label"`
	Summary     bool `json:"summary"`
	Components  bool `json:"components"`
	Attachments bool `json:"attachments"`
	ResultURL   bool `json:"result_url"`
	InProgress  bool `json:"in_progress"`
}

// Field describes one setting or credential.
type Field struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Help     string `json:"help,omitempty"`
	Required bool   `json:"required"`
	Default  string `json:"default,omitempty"`
	// Hosts makes the setting a URL of the ATS's API that may name only these
	// hosts (production and sandbox), over https, or a host the operator
	// allowed (AllowedHosts). Credentials go to that host, so changing it
	// clears them.
	Hosts []string `json:"hosts,omitempty"`
}

// Runtime is what the app hands every connector besides its own options:
// its clients' waits and clock, which tests replace, and its log. Each
// connector's ConnectorOptions embeds it.
type Runtime struct {
	// Sleep replaces the clients' waits, between retries and for rate
	// limits (tests); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clients' clock (rate limits, an HTTP-date Retry-After),
	// which a test's Sleep should advance; nil is the wall clock.
	Now func() time.Time
	// Logger records refused and failed partner requests (never secrets);
	// nil discards.
	Logger *slog.Logger
}

// WithDefaults fills what r leaves unset, so that a connector reads Now and
// Logger without checking: the wall clock, a logger that discards. Sleep
// stays nil, which the clients take as waiting for real.
func (r Runtime) WithDefaults() Runtime {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	return r
}
