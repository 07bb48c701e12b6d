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
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"switchboard/internal/ats"
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
