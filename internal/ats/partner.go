package ats

import (
	"context"
	"net/http"
	"time"

	"switchboard/internal/core"
)

// PartnerEndpoints is implemented by connectors whose ATS calls the vendor
// rather than sending webhooks (SmartRecruiters' Assessment API, Workable's
// assessment providers): the ATS connects through a consent page, fetches a
// token, lists packages and places orders on endpoints Switchboard hosts.
//
// The connector owns the wire: it serves those endpoints, authenticates each
// call through the core (which issued the credentials the ATS uses) and turns
// bodies into the core's normalised calls. The core owns everything stored:
// connection tokens, the credentials the ATS calls with, orders.
type PartnerEndpoints interface {
	// RegisterPartner mounts the endpoints under prefix (e.g.
	// "/partners/smartrecruiters") on mux. Every handler acts through pc.
	RegisterPartner(mux *http.ServeMux, prefix string, pc PartnerCore)
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
	// access token.
	IssueToken(ctx context.Context, clientID, clientSecret string) (AccessToken, error)
	// Authenticate resolves an access token to its integration, with the
	// integration's decrypted configuration.
	Authenticate(ctx context.Context, accessToken string) (Config, error)
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
