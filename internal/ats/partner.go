package ats

import (
	"context"
	"net/http"
	"strings"
	"time"

	"switchboard/internal/core"
)

// PartnerEndpoints is implemented by connectors whose ATS calls the vendor
// rather than (or as well as) sending webhooks: SmartRecruiters' Assessment
// API, Workable's assessment providers, Greenhouse's and Ashby's partner
// APIs. The ATS lists packages and places orders on endpoints Switchboard
// hosts, and, where it pulls results, asks for an order's status there.
//
// The connector owns the wire: it serves those endpoints, authenticates each
// call through the core (which issued the credentials the ATS uses, of the
// kind InboundAuth names) and turns bodies into the core's normalised calls.
// The core owns everything stored: issued keys, connection tokens, the
// credentials the ATS calls with, orders.
type PartnerEndpoints interface {
	// RegisterPartner mounts the endpoints under prefix (e.g.
	// "/partners/smartrecruiters") on mux. Every handler acts through pc.
	RegisterPartner(mux *http.ServeMux, prefix string, pc PartnerCore)
	// InboundAuth is how the ATS proves which integration it calls for.
	InboundAuth() InboundAuth
}

// InboundAuth is a kind of credential an ATS calls Switchboard with. The
// core reads it from the request (PartnerCore.Authenticate), issues it and
// rotates it, so that each kind is written once whichever ATS uses it.
type InboundAuth string

const (
	// InboundOAuthClient: the ATS connects through a consent page with a
	// one-time connection token (the connector is a Consenter), gets a client
	// id and secret, and exchanges them for short-lived bearer access tokens
	// (PartnerCore.IssueToken). SmartRecruiters.
	InboundOAuthClient InboundAuth = "oauth_client"
	// InboundBearer: a key Switchboard issues for the integration (shown
	// once, rotatable), sent as "Authorization: Bearer <key>". Workable.
	InboundBearer InboundAuth = "bearer"
	// InboundBasic: a key Switchboard issues, sent as the HTTP Basic user
	// name with an empty password. Greenhouse, Ashby.
	InboundBasic InboundAuth = "basic"
)

// IssuesKey reports whether the core issues a key for this kind (shown once,
// rotatable), rather than connecting through a consent page.
func (a InboundAuth) IssuesKey() bool { return a == InboundBearer || a == InboundBasic }

// Consenter is implemented by partner connectors whose ATS connects through
// a consent page with a one-time connection token (InboundOAuthClient).
type Consenter interface {
	// PrepareConnect runs when a vendor admin generates a connection token:
	// it checks the settings a connection needs and tells the ATS where the
	// endpoints are, where the ATS wants that (SmartRecruiters' partner
	// configuration). endpointBase is the public URL of prefix.
	PrepareConnect(ctx context.Context, cfg Config, endpointBase string) error
	// ConnectionSettings are the settings that name the ATS account the
	// integration is connected to (SmartRecruiters' companyId). Changing one
	// disconnects an enabled integration until it is connected again.
	ConnectionSettings() []string
}

// PartnerCore is what the core does for partner endpoints. It knows
// integrations, credentials and orders, never wire formats. Its errors for
// the ATS are *InboundError with the status to answer; anything else is a
// failure on Switchboard's side (answer 500).
type PartnerCore interface {
	// IssueToken exchanges a client credential that Switchboard generated for
	// an integration (and gave the ATS when it connected) for a short-lived
	// access token (InboundOAuthClient only).
	IssueToken(ctx context.Context, clientID, clientSecret string) (AccessToken, error)
	// Authenticate reads the credential of the connector's InboundAuth from a
	// request's header and resolves it to its integration, with the
	// integration's decrypted configuration. A missing, wrong, rotated or
	// revoked credential is a 401 whatever the kind.
	Authenticate(ctx context.Context, h http.Header) (Config, error)
	// Packages lists what the integration's account offers, and Package one of
	// them (404 when the account has no such vacancy).
	Packages(ctx context.Context, cfg Config) ([]core.Vacancy, error)
	Package(ctx context.Context, cfg Config, id string) (core.Vacancy, error)
	// Order persists an order request, unless an order with the same
	// idempotency key exists. A disabled integration, an unknown package or a
	// pattern that is off is refused and stores nothing.
	Order(ctx context.Context, cfg Config, e Event) (OrderReceipt, error)
	// Cancel withdraws the order with e's idempotency key, if any.
	Cancel(ctx context.Context, cfg Config, e Event) error
	// Status is an order of the integration as it stands, for ATSs that pull
	// results (Description.Results): the same Update a write-back gets, with
	// the result and reports once completed. An order of another integration
	// is as absent as an unknown one: 404.
	Status(ctx context.Context, cfg Config, orderID string) (Update, error)
	// Complaint records what the ATS says was wrong with one of Switchboard's
	// answers (Greenhouse's response_error) on the order's timeline, or in the
	// log when it names no order of the integration.
	Complaint(ctx context.Context, cfg Config, c Complaint) error
	// Connect verifies and consumes a one-time connection token: it generates
	// the client credential the ATS will call with, runs exchange (which hands
	// it to the ATS and returns the ATS's own credentials to store), stores
	// both, then validates and enables the integration. An unknown, expired or
	// used token is refused before exchange runs.
	Connect(ctx context.Context, token string, exchange Exchange) (ConnectResult, error)
	// Disconnect disables the integration because the ATS disconnected it,
	// and revokes the credential the ATS called with.
	Disconnect(ctx context.Context, cfg Config, reason string) error
}

// Complaint is an ATS's report that an answer of Switchboard's was wrong.
type Complaint struct {
	OrderID string   // the order the answer was about, when the ATS says
	Call    string   // which call of the ATS's got the answer (e.g. "test_status")
	Errors  []string // the ATS's words
}

// Exchange hands the ATS the client credential Switchboard generated for it
// and returns the secrets to store for the integration (the credentials the
// ATS gave back), by credential name. cfg is the integration the token was
// generated for; a request that does not belong to it is refused here.
type Exchange func(ctx context.Context, cfg Config, client ClientCredential) (map[string]string, error)

// ClientCredential is an OAuth 2.0 client id and secret that Switchboard
// generated for an ATS to call it with.
type ClientCredential struct {
	ID     string
	Secret string
}

// AccessToken is a short-lived bearer token issued to an ATS.
type AccessToken struct {
	Token     string
	ExpiresIn time.Duration
}

// OrderReceipt is what the core did with an order request.
type OrderReceipt struct {
	OrderID string
	// Created is false when the idempotency key matched an existing order
	// (the ATS retried).
	Created bool
	// CandidateURL is where an inline candidate is sent; empty otherwise.
	CandidateURL string
}

// ConnectResult is how a connection ended.
type ConnectResult struct {
	Integration core.Integration
	// Checks are the validation run after storing the credentials; the
	// integration is enabled only when all of them passed.
	Checks []Check
}

// HandOver is implemented by partner connectors whose ATS is given more than
// the endpoint base (Greenhouse takes one URL per call), so that the pages
// and the API show an admin exactly the URLs to enter in the ATS.
type HandOver interface {
	// HandOver lists the URLs the ATS is given, as paths under the prefix the
	// endpoints are mounted at ("" for the prefix itself).
	HandOver() []HandOverURL
}

// HandOverURL is one URL an admin enters in the ATS, labelled as the ATS's
// settings name it, with its path under the endpoint base.
type HandOverURL struct {
	Label string
	Path  string
}

// HandOverLink is a HandOverURL resolved to the URL an admin copies.
type HandOverLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// HandOverURLs are the URLs c's ATS is given, resolved against endpointBase:
// the connector's HandOver, or the base alone for other partner connectors;
// none for a connector whose ATS does not call Switchboard.
func HandOverURLs(c Connector, endpointBase string) []HandOverLink {
	if _, ok := c.(PartnerEndpoints); !ok {
		return nil
	}
	h, ok := c.(HandOver)
	if !ok {
		return []HandOverLink{{Label: "Endpoint URL", URL: endpointBase}}
	}
	base := strings.TrimRight(endpointBase, "/")
	var out []HandOverLink
	for _, u := range h.HandOver() {
		out = append(out, HandOverLink{Label: u.Label, URL: base + u.Path})
	}
	return out
}
