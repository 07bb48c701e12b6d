// Package integrations is how an account connects to an ATS: integration
// configuration (create, list, update, enable and disable, each checked
// against the acting user's account and role, and the connector's
// validation), the credentials stored for an integration (encrypted with the
// keyring, never shown again), the hosts an integration's API URL may name,
// and what a connector needs to act for one integration (ConnectorConfig,
// LocalConnectorConfig).
//
// It also holds the integration side of partner endpoints (partner.go): the
// one-time connection tokens, the client credential an ATS such as
// SmartRecruiters calls with, and its access tokens. What such an ATS asks
// about packages and orders is the order side's: the partner endpoints hand
// it, with the integration they authenticated, to PartnerOrders, which
// package service implements. Package integrations imports nothing of the
// order side; service takes it through a small interface of its own.
package integrations

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// Deps are what integrations needs.
type Deps struct {
	Store      store.Store
	Connectors *ats.Registry
	Keyring    *secret.Keyring
	// HTTPClient is the guarded, instrumented client for calls to ATSs.
	HTTPClient *http.Client
	// BaseURL is where ATSs reach this Switchboard (webhooks, partner
	// endpoints), e.g. "https://switchboard.example.com".
	BaseURL string
	// AllowATSHosts are hosts an integration's API URL may name besides its
	// ATS's own (the operator's --allow-ats-host): "host" or "host:port".
	AllowATSHosts []string
	Now           func() time.Time
	Logger        *slog.Logger
}

// Service holds the integration operations.
type Service struct {
	d        Deps
	atsHosts ats.AllowedHosts
	// inbound lists an integration's failed webhooks for its view; nil shows none.
	inbound InboundFailures
}

// New builds the integrations service.
func New(d Deps) (*Service, error) {
	switch {
	case d.Store == nil, d.Connectors == nil, d.Keyring == nil, d.HTTPClient == nil:
		return nil, errors.New("integrations: Store, Connectors, Keyring and HTTPClient are required")
	case d.BaseURL == "":
		return nil, errors.New("integrations: BaseURL is required")
	}
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	hosts, err := ats.ParseAllowedHosts(d.AllowATSHosts)
	if err != nil {
		return nil, fmt.Errorf("integrations: %w", err)
	}
	return &Service{d: d, atsHosts: hosts}, nil
}

// UseInbound connects what lists an integration's failed webhooks (the
// service, which needs this package to be built first).
func (s *Service) UseInbound(f InboundFailures) { s.inbound = f }

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// ConnectorConfig loads what a connector needs to call its ATS for an
// integration, decrypting its credentials for the duration of one call. It
// refuses (ats.FailConfig) while an API URL setting names a host neither the
// connector nor the operator allows, whenever that URL was stored, so no
// credential is sent there.
func (s *Service) ConnectorConfig(ctx context.Context, q store.Queries, in core.Integration) (ats.Connector, ats.Config, error) {
	conn, cfg, err := s.LocalConnectorConfig(ctx, q, in)
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

// LocalConnectorConfig is ConnectorConfig for what a connector does without
// calling its ATS (verifying a webhook's signature, answering the ATS's own
// calls): the host check does not apply, and its HTTP client refuses every
// request, so credentials cannot leave by this path.
func (s *Service) LocalConnectorConfig(ctx context.Context, q store.Queries, in core.Integration) (ats.Connector, ats.Config, error) {
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
