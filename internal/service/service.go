// Package service moves orders through their life. It is the one place that
// combines the store, the job queue, the ATS connectors, the vendors and
// reports: inbound ATS events become orders, orders go to their vacancy's
// vendor (a Fulfiller: the built-in engine, package engine, or an outside
// vendor), results become write-backs. Every side effect is a job enqueued
// in the same transaction as the change that causes it.
//
// It also holds the account-scoped admin operations on orders, vacancies,
// inbound events and jobs that the admin API and UI call, each checked
// against the acting user's account and role. Who that user is (accounts,
// users, roles, API keys, sessions, sign-in) is package identity's: callers
// pass the core.User it resolved. Integrations (their configuration, stored
// credentials, connecting from the ATS) are package integrations': the
// service loads an integration and its connector's configuration through
// Deps.Integrations, and answers partner endpoints about packages and orders
// (PartnerOrders).
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/mail"
	"switchboard/internal/report"
	"switchboard/internal/store"
)

// Queue is what the service needs of the job queue.
type Queue interface {
	Enqueue(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error
	Retry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	Get(ctx context.Context, id int64) (*rivertype.JobRow, error)
	LatestByArg(ctx context.Context, kind, key string, values []string) (map[string]*rivertype.JobRow, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Store      store.Store
	Connectors *ats.Registry
	Signer     *report.Signer
	// Mail is set when emails go over SMTP; when nil they go to the dev
	// outbox (MailConfigured, Outbox).
	Mail mail.Sender
	// HTTPClient is the guarded, instrumented client for calls to ATSs.
	HTTPClient *http.Client
	// BaseURL is where candidates and ATSs reach this Switchboard, e.g.
	// "https://switchboard.example.com".
	BaseURL string
	// ReportLinkTTL is how long signed report links stay valid; 0 means 30 days.
	ReportLinkTTL time.Duration
	// InboundRetention is how long stored webhooks are kept; 0 means
	// DefaultInboundRetention, and less than MinInboundRetention is refused.
	InboundRetention time.Duration
	Now              func() time.Time
	Logger           *slog.Logger
	// Observer is told what happened, for metrics; nil means nobody listens.
	Observer Observer
	// Integrations loads integrations and what their connectors need.
	Integrations Integrations
	// Engine is the built-in assessment engine: the fulfiller of the
	// vacancies of core.BuiltinVendorID.
	Engine Engine
	// Vendors gives the order path outside vendors' endpoints and
	// packages; nil when this Switchboard has none (only the built-in
	// engine's vacancies can then be ordered).
	Vendors Vendors
	// VendorHTTP lets vendors hand over http:// candidate URLs (a vendor on
	// a private network, development); https only otherwise.
	VendorHTTP bool
}

// Integrations is what the service needs of package integrations (its
// *integrations.Service): an integration the acting user may see, and what a
// connector needs to act for one.
type Integrations interface {
	IntegrationFor(ctx context.Context, q store.Queries, actor core.User, id string) (core.Integration, error)
	// ConnectorConfig is for calls to the ATS; LocalConnectorConfig for what
	// a connector does without calling it (verifying a webhook).
	ConnectorConfig(ctx context.Context, q store.Queries, in core.Integration) (ats.Connector, ats.Config, error)
	LocalConnectorConfig(ctx context.Context, q store.Queries, in core.Integration) (ats.Connector, ats.Config, error)
	WebhookURL(in core.Integration) string
	// SealCallback and OpenCallback seal and open an order's callback (the
	// ATS's URL and token for its results) for the order's integration.
	SealCallback(integrationID string, cb ats.Callback) ([]byte, error)
	OpenCallback(integrationID string, sealed []byte) (ats.Callback, error)
}

// Observer is told of webhooks and job runs by outcome.
type Observer interface {
	Webhook(provider, outcome string)
	Job(kind, outcome string)
}

type noObserver struct{}

func (noObserver) Webhook(string, string) {}
func (noObserver) Job(string, string)     {}

// Service is Switchboard's application core.
type Service struct {
	d     Deps
	queue Queue
	// slots cap each integration's share of the job workers.
	slots *integrationSlots
	// fulfillers are the vendors with a fulfiller of their own, by vendor
	// id; every other vendor is an outside one (vendorFulfiller).
	fulfillers map[string]Fulfiller
}

// New builds a service. Call UseQueue before serving: the queue's workers need
// the service, and the service needs the queue.
func New(d Deps) (*Service, error) {
	switch {
	case d.Store == nil, d.Connectors == nil, d.Signer == nil, d.HTTPClient == nil, d.Integrations == nil, d.Engine == nil:
		return nil, errors.New("service: Store, Connectors, Signer, HTTPClient, Integrations and Engine are required")
	case d.BaseURL == "":
		return nil, errors.New("service: BaseURL is required")
	}
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Observer == nil {
		d.Observer = noObserver{}
	}
	switch {
	case d.InboundRetention == 0:
		d.InboundRetention = DefaultInboundRetention
	case d.InboundRetention < MinInboundRetention:
		return nil, fmt.Errorf("service: inbound retention %s is shorter than the minimum %s: stored webhooks also turn replays away", d.InboundRetention, MinInboundRetention)
	}
	if d.ReportLinkTTL == 0 {
		d.ReportLinkTTL = 30 * 24 * time.Hour
	}
	return &Service{
		d: d, slots: newIntegrationSlots(IntegrationJobs),
		fulfillers: map[string]Fulfiller{core.BuiltinVendorID: d.Engine},
	}, nil
}

// UseQueue connects the job queue.
func (s *Service) UseQueue(q Queue) { s.queue = q }

// BaseURL is the public base URL.
func (s *Service) BaseURL() string { return s.d.BaseURL }

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// enqueue is the only way the service creates jobs, so that every job is in a
// transaction with the row that causes it.
func (s *Service) enqueue(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if s.queue == nil {
		return errors.New("service: no job queue connected")
	}
	return s.queue.Enqueue(ctx, tx, args, opts)
}

func (s *Service) timeline(ctx context.Context, q store.Queries, o core.Order, kind, msg string, detail map[string]string) error {
	_, err := q.AddTimeline(ctx, core.TimelineEntry{
		OrderID: o.ID, AccountID: o.AccountID, At: s.now(), Kind: kind, Message: msg, Detail: detail,
	})
	if err != nil {
		return fmt.Errorf("timeline for order %s: %w", o.ID, err)
	}
	return nil
}

// inTxRetry runs fn in a transaction, and again (three times in all) when
// it lost a race with a concurrent change of the same rows (core.ErrStale):
// the order path and a vendor's updates may touch one order at once, and
// neither may fail for it.
func (s *Service) inTxRetry(ctx context.Context, fn func(store.Tx) error) error {
	var err error
	for range 3 {
		if err = s.d.Store.InTx(ctx, fn); !errors.Is(err, core.ErrStale) {
			return err
		}
	}
	return err
}
