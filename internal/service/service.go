// Package service moves orders through their life. It is the one place that
// combines the store, the job queue, the ATS connectors, the assessment engine,
// reports and email: inbound ATS events become orders, orders become
// invitations, results become write-backs. Every side effect is a job enqueued
// in the same transaction as the change that causes it.
//
// It also holds the account-scoped admin operations on integrations, orders
// and jobs that the admin API and UI call, each checked against the acting
// user's account and role. Who that user is (accounts, users, roles, API keys,
// sessions, sign-in) is package identity's: callers pass the core.User it
// resolved.
package service

import (
	"cmp"
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
	"switchboard/internal/secret"
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
	Keyring    *secret.Keyring
	Signer     *report.Signer
	// Mail sends invitations; when nil they go to the dev outbox.
	Mail mail.Sender
	// HTTPClient is the guarded, instrumented client for calls to ATSs.
	HTTPClient *http.Client
	// BaseURL is where candidates and ATSs reach this Switchboard, e.g.
	// "https://switchboard.example.com".
	BaseURL string
	// MailFrom is the invitation sender address.
	MailFrom string
	// ReportLinkTTL is how long signed report links stay valid; 0 means 30 days.
	ReportLinkTTL time.Duration
	// InboundRetention is how long stored webhooks are kept; 0 means
	// DefaultInboundRetention, and less than MinInboundRetention is refused.
	InboundRetention time.Duration
	Now              func() time.Time
	Logger           *slog.Logger
	// Observer is told what happened, for metrics; nil means nobody listens.
	Observer Observer
	// AllowATSHosts are hosts an integration's API URL may name besides its
	// ATS's own (the operator's --allow-ats-host): "host" or "host:port".
	AllowATSHosts []string
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
	d        Deps
	queue    Queue
	atsHosts ats.AllowedHosts
	// slots cap each integration's share of the job workers.
	slots *integrationSlots
}

// New builds a service. Call UseQueue before serving: the queue's workers need
// the service, and the service needs the queue.
func New(d Deps) (*Service, error) {
	switch {
	case d.Store == nil, d.Connectors == nil, d.Keyring == nil, d.Signer == nil, d.HTTPClient == nil:
		return nil, errors.New("service: Store, Connectors, Keyring, Signer and HTTPClient are required")
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
	if d.MailFrom == "" {
		d.MailFrom = "Switchboard <no-reply@switchboard.invalid>"
	}
	hosts, err := ats.ParseAllowedHosts(d.AllowATSHosts)
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	return &Service{d: d, atsHosts: hosts, slots: newIntegrationSlots(IntegrationJobs)}, nil
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

// connectorConfig loads what a connector needs to call its ATS for an
// integration, decrypting its credentials for the duration of one call. It
// refuses (ats.FailConfig) while an API URL setting names a host neither the
// connector nor the operator allows, whenever that URL was stored, so no
// credential is sent there.
func (s *Service) connectorConfig(ctx context.Context, q store.Queries, in core.Integration) (ats.Connector, ats.Config, error) {
	conn, cfg, err := s.localConnectorConfig(ctx, q, in)
	if err != nil {
		return nil, ats.Config{}, err
	}
	desc := conn.Describe()
	for _, c := range s.apiHostChecks(desc, in) {
		if !c.OK {
			return nil, ats.Config{}, &ats.CallError{Failure: ats.FailConfig,
				Err: fmt.Errorf("integration %s: nothing is sent to %s: %s", in.ID, desc.Name, c.Problem)}
		}
	}
	cfg.HTTPClient = ats.ProviderClient(s.d.HTTPClient, in.Provider)
	return conn, cfg, nil
}

// apiHostChecks checks each API URL setting of in against the hosts its
// connector and the operator allow, one check per setting.
func (s *Service) apiHostChecks(desc ats.Description, in core.Integration) []ats.Check {
	var checks []ats.Check
	for _, f := range desc.Settings {
		if len(f.Hosts) == 0 {
			continue
		}
		problem := s.atsHosts.CheckURL(desc.Name, f, cmp.Or(in.Settings[f.Key], f.Default))
		checks = append(checks, ats.Check{Name: f.Label + " is an allowed " + desc.Name + " host", OK: problem == "", Problem: problem})
	}
	return checks
}

// localConnectorConfig is connectorConfig for what a connector does without
// calling its ATS (verifying a webhook's signature, answering the ATS's own
// calls): the host check does not apply, and its HTTP client refuses every
// request, so credentials cannot leave by this path.
func (s *Service) localConnectorConfig(ctx context.Context, q store.Queries, in core.Integration) (ats.Connector, ats.Config, error) {
	conn, ok := s.d.Connectors.Get(in.Provider)
	if !ok {
		return nil, ats.Config{}, fmt.Errorf("integration %s: no connector for provider %q", in.ID, in.Provider)
	}
	creds, err := q.ListCredentials(ctx, in.ID)
	if err != nil {
		return nil, ats.Config{}, fmt.Errorf("integration %s: credentials: %w", in.ID, err)
	}
	secrets := make(map[string]string, len(creds))
	for _, c := range creds {
		if isReserved(c.Name) {
			continue // the core's own records (partner.go), not the connector's
		}
		plain, err := s.d.Keyring.Decrypt(c.Ciphertext, credentialAAD(in.ID, c.Name))
		if err != nil {
			return nil, ats.Config{}, fmt.Errorf("integration %s: decrypt credential %s: %w", in.ID, c.Name, err)
		}
		secrets[c.Name] = string(plain)
	}
	return conn, ats.Config{Integration: in, Secrets: secrets, HTTPClient: &http.Client{Transport: refuseTransport{}}}, nil
}

// refuseTransport refuses every request: the client of a local connector
// config.
type refuseTransport struct{}

func (refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("%s %s: this connector configuration makes no calls", r.Method, r.URL.Redacted())
}

func credentialAAD(integrationID, name string) []byte {
	return []byte("integration:" + integrationID + ":credential:" + name)
}

func invitationAAD(orderID string) []byte {
	return []byte("order:" + orderID + ":invitation")
}
