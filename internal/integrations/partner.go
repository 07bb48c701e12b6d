package integrations

// The integration side of partner endpoints (ats.PartnerEndpoints): ATSs
// that call Switchboard, such as SmartRecruiters. This package keeps what
// must be stored and verified — one-time connection tokens, the client
// credential an ATS calls with, its short-lived access tokens — the
// connector keeps the wire, and PartnerOrders answers about packages and
// orders.
//
// Everything here is stored as integration credentials under reserved names,
// so it is encrypted at rest like every other secret, never listed by the
// API (which shows only the connector's declared credentials) and never
// handed to connectors.

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// ConnectionTokenValidity is how long a generated connection token can be
// used to connect an integration from the ATS.
const ConnectionTokenValidity = 30 * time.Minute

// partnerAccessTokenTTL is the lifetime of the access tokens an ATS gets for
// its client credential: short, so a leaked token is soon useless, long
// enough that the ATS is not asking for one per call.
const partnerAccessTokenTTL = time.Hour

// Reserved credential names. Connectors never see them: LocalConnectorConfig
// (and so ConnectorConfig) leaves them out, and a connector's exchange may
// not return them.
const (
	credConnectionToken = "switchboard_connection_token"
	credPartnerClient   = "switchboard_partner_client"
	credInboundKey      = "switchboard_inbound_key"
)

// Token prefixes make a leaked token recognisable and tell the kinds apart.
const (
	prefixConnectionToken = "sbct_"
	prefixClientID        = "sbpc_"
	prefixClientSecret    = "sbps_"
	prefixAccessToken     = "sbat_"
	prefixInboundKey      = "sbik_"
)

// connectionTokenRecord is the stored state of an integration's current
// connection token: its hash only, when it expires and whether it was used.
type connectionTokenRecord struct {
	Hash      string    `json:"hash"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedAt    time.Time `json:"used_at,omitzero"`
}

// partnerClientRecord is the client credential an ATS calls Switchboard
// with; the secret is kept as its hash, as nobody needs to read it again.
type partnerClientRecord struct {
	ClientID   string    `json:"client_id"`
	SecretHash string    `json:"secret_hash"`
	IssuedAt   time.Time `json:"issued_at"`
	Revoked    bool      `json:"revoked,omitempty"`
}

// accessTokenClaims are sealed (AES-GCM with the keyring) into an access
// token, which is thus stateless, unforgeable and unreadable outside.
type accessTokenClaims struct {
	Integration string `json:"i"`
	ClientID    string `json:"c"`
	Expires     int64  `json:"e"`
}

func accessTokenAAD(provider string) []byte { return []byte("partner:" + provider + ":access-token") }

// idPart is the part of an integration id carried inside tokens and client
// ids, so that they name their integration without a lookup table.
func idPart(integrationID string) string { return strings.TrimPrefix(integrationID, "int_") }

// integrationIn parses "<prefix><idPart>_<rest>" back to an integration id.
func integrationIn(prefix, s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return "", false
	}
	id, tail, ok := strings.Cut(rest, "_")
	if !ok || id == "" || tail == "" || strings.IndexFunc(id, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '2' <= r && r <= '7')
	}) >= 0 {
		return "", false
	}
	return "int_" + id, true
}

// ConnectionToken is a freshly generated connection token: shown once.
type ConnectionToken struct {
	Token     string
	ExpiresAt time.Time
	Validity  time.Duration
}

// GenerateConnectionToken makes a one-time token with which the customer
// connects the integration from the ATS (its consent page). Only its hash is
// stored; a new token replaces the previous one. The connector first checks
// the settings a connection needs and registers Switchboard's endpoints with
// the ATS where the ATS wants that.
func (s *Service) GenerateConnectionToken(ctx context.Context, actor core.User, integrationID string) (ConnectionToken, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return ConnectionToken{}, fmt.Errorf("connection token: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, integrationID)
	if err != nil {
		return ConnectionToken{}, fmt.Errorf("connection token: %w", err)
	}
	conn, cfg, err := s.ConnectorConfig(ctx, s.d.Store, in)
	if err != nil {
		return ConnectionToken{}, fmt.Errorf("connection token: %w", err)
	}
	pe, ok := conn.(ats.Consenter)
	if !ok {
		return ConnectionToken{}, core.Invalid("integration", conn.Describe().Name+" is not connected from a consent page; it takes no connection token")
	}
	// Registering with the ATS is a call out: outside any transaction.
	if err := pe.PrepareConnect(ctx, cfg, s.PartnerEndpointBase(in.Provider)); err != nil {
		return ConnectionToken{}, err
	}
	random, err := secret.NewToken("")
	if err != nil {
		return ConnectionToken{}, fmt.Errorf("connection token: %w", err)
	}
	token := prefixConnectionToken + idPart(in.ID) + "_" + random
	now := s.now()
	rec := connectionTokenRecord{Hash: secret.HashToken(token), ExpiresAt: now.Add(ConnectionTokenValidity)}
	if err := s.putRecord(ctx, s.d.Store, in.ID, credConnectionToken, rec); err != nil {
		return ConnectionToken{}, fmt.Errorf("connection token: %w", err)
	}
	s.d.Logger.InfoContext(ctx, "connection token generated", "integration_id", in.ID, "user_id", actor.ID, "expires_at", rec.ExpiresAt)
	return ConnectionToken{Token: token, ExpiresAt: rec.ExpiresAt, Validity: ConnectionTokenValidity}, nil
}

// PartnerConnection is an integration's connection state, for the UI.
type PartnerConnection struct {
	// Auth is how the ATS calls this integration; "" for connectors whose
	// ATS does not call Switchboard.
	Auth ats.InboundAuth
	// Supported is set for connectors that connect from a consent page with
	// a connection token (ats.Consenter).
	Supported bool
	// EndpointBase is where the ATS reaches this integration's provider.
	EndpointBase string
	// HandOver are the URLs an admin gives the ATS (ats.HandOverURLs).
	HandOver    []ats.HandOverLink
	Connected   bool // the ATS holds a credential that works
	ConnectedAt time.Time
	ClientID    string // the id (not a secret) the ATS calls with
	// The current connection token, if any: when it expires, whether it was used.
	TokenExpiresAt time.Time
	TokenUsed      bool
	TokenValidity  time.Duration
	// KeyHint is the start of the issued key (Auth.IssuesKey), enough to
	// tell which key the ATS holds, never enough to use it.
	KeyHint string
}

// PartnerConnection tells whether and since when an integration is
// connected from its ATS.
func (s *Service) PartnerConnection(ctx context.Context, actor core.User, integrationID string) (PartnerConnection, error) {
	if !actor.Role.CanSeeIntegrations() {
		return PartnerConnection{}, fmt.Errorf("partner connection: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, integrationID)
	if err != nil {
		return PartnerConnection{}, fmt.Errorf("partner connection: %w", err)
	}
	return s.partnerConnection(ctx, in)
}

func (s *Service) partnerConnection(ctx context.Context, in core.Integration) (PartnerConnection, error) {
	conn, ok := s.d.Connectors.Get(in.Provider)
	if !ok {
		return PartnerConnection{}, fmt.Errorf("partner connection: no connector for %q", in.Provider)
	}
	pe, ok := conn.(ats.PartnerEndpoints)
	if !ok {
		return PartnerConnection{}, nil
	}
	base := s.PartnerEndpointBase(in.Provider)
	pc := PartnerConnection{Auth: pe.InboundAuth(), EndpointBase: base, HandOver: ats.HandOverURLs(conn, base)}
	if pc.Auth.IssuesKey() {
		var k inboundKeyRecord
		if found, err := s.getRecord(ctx, s.d.Store, in.ID, credInboundKey, &k); err != nil {
			return PartnerConnection{}, fmt.Errorf("partner connection: %w", err)
		} else if found {
			pc.Connected, pc.ConnectedAt, pc.KeyHint = true, k.IssuedAt, k.Hint
		}
		return pc, nil
	}
	if _, ok := conn.(ats.Consenter); !ok {
		return pc, nil
	}
	pc.Supported, pc.TokenValidity = true, ConnectionTokenValidity
	var tok connectionTokenRecord
	if found, err := s.getRecord(ctx, s.d.Store, in.ID, credConnectionToken, &tok); err != nil {
		return PartnerConnection{}, fmt.Errorf("partner connection: %w", err)
	} else if found {
		pc.TokenExpiresAt, pc.TokenUsed = tok.ExpiresAt, !tok.UsedAt.IsZero()
	}
	var cl partnerClientRecord
	if found, err := s.getRecord(ctx, s.d.Store, in.ID, credPartnerClient, &cl); err != nil {
		return PartnerConnection{}, fmt.Errorf("partner connection: %w", err)
	} else if found && !cl.Revoked {
		pc.Connected, pc.ConnectedAt, pc.ClientID = true, cl.IssuedAt, cl.ClientID
	}
	return pc, nil
}

// inboundKeyRecord is the key an ATS calls Switchboard with (InboundBearer,
// InboundBasic). It is compared by its hash; the key itself is kept (the
// record is encrypted at rest like every credential) because some ATSs
// want it back on Switchboard's calls (Greenhouse's PATCH ping carries the
// same Basic key), and is handed only to its own integration's connector
// (ats.Config.IssuedKey), never shown again.
type inboundKeyRecord struct {
	Key      string    `json:"key"`
	Hash     string    `json:"hash"`
	Hint     string    `json:"hint"`
	IssuedAt time.Time `json:"issued_at"`
}

// InboundKey is a freshly issued key: shown once.
type InboundKey struct {
	Key      string
	IssuedAt time.Time
	// Auth says how the ATS sends it, for the page that shows it.
	Auth ats.InboundAuth
	// EndpointBase is where the ATS reaches Switchboard with it.
	EndpointBase string
	// HandOver are the URLs to enter in the ATS with the key.
	HandOver []ats.HandOverLink
}

// HowSent says, in a user's words, how an ATS sends a key of kind a, for
// the page and the answer that show the key.
func HowSent(a ats.InboundAuth) string {
	switch a {
	case ats.InboundBearer:
		return `the ATS sends it as "Authorization: Bearer <key>"`
	case ats.InboundBasic:
		return "the ATS sends it as the HTTP Basic user name, with an empty password"
	}
	return ""
}

// IssueInboundKey makes the key the integration's ATS calls Switchboard
// with, for connectors whose InboundAuth issues one. A new key replaces the
// previous one at once: from then on the old key is refused (rotation).
func (s *Service) IssueInboundKey(ctx context.Context, actor core.User, integrationID string) (InboundKey, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return InboundKey{}, fmt.Errorf("inbound key: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, integrationID)
	if err != nil {
		return InboundKey{}, fmt.Errorf("inbound key: %w", err)
	}
	conn, ok := s.d.Connectors.Get(in.Provider)
	if !ok {
		return InboundKey{}, fmt.Errorf("inbound key: no connector for %q", in.Provider)
	}
	pe, ok := conn.(ats.PartnerEndpoints)
	if !ok || !pe.InboundAuth().IssuesKey() {
		return InboundKey{}, core.Invalid("integration", conn.Describe().Name+" does not call Switchboard with a key Switchboard issues")
	}
	random, err := secret.NewToken("")
	if err != nil {
		return InboundKey{}, fmt.Errorf("inbound key: %w", err)
	}
	key := prefixInboundKey + idPart(in.ID) + "_" + random
	now := s.now()
	rec := inboundKeyRecord{Key: key, Hash: secret.HashToken(key), Hint: key[:len(prefixInboundKey)+len(idPart(in.ID))+5] + "…", IssuedAt: now}
	if err := s.putRecord(ctx, s.d.Store, in.ID, credInboundKey, rec); err != nil {
		return InboundKey{}, fmt.Errorf("inbound key: %w", err)
	}
	s.d.Logger.InfoContext(ctx, "inbound key issued", "integration_id", in.ID, "user_id", actor.ID)
	base := s.PartnerEndpointBase(in.Provider)
	return InboundKey{Key: key, IssuedAt: now, Auth: pe.InboundAuth(), EndpointBase: base, HandOver: ats.HandOverURLs(conn, base)}, nil
}

// PartnerEndpointBase is the public URL of a provider's partner endpoints.
func (s *Service) PartnerEndpointBase(provider string) string {
	return s.d.BaseURL + partnerPrefix(provider)
}

func partnerPrefix(provider string) string { return "/partners/" + provider }

// PartnerOrders is the order side of partner endpoints: what an ATS asks
// about packages and orders, for an integration the endpoints authenticated
// and found enabled (Cancel: found only, as an order may be cancelled after
// its integration was disabled). Package service implements it. Its errors
// reach the ATS as they are: ats.Refuse for what the ATS did wrong.
type PartnerOrders interface {
	Packages(ctx context.Context, in core.Integration) ([]core.Vacancy, error)
	Package(ctx context.Context, in core.Integration, id string) (core.Vacancy, error)
	Order(ctx context.Context, in core.Integration, e ats.Event) (ats.OrderReceipt, error)
	Cancel(ctx context.Context, in core.Integration, e ats.Event) error
	Status(ctx context.Context, in core.Integration, orderID string) (ats.Update, error)
	Complaint(ctx context.Context, in core.Integration, c ats.Complaint) error
}

// RegisterPartnerEndpoints mounts the partner endpoints of every connector
// that has them, under /partners/{provider}; orders answers what is about
// packages and orders.
func (s *Service) RegisterPartnerEndpoints(mux *http.ServeMux, orders PartnerOrders) {
	for _, name := range s.d.Connectors.Providers() {
		conn, _ := s.d.Connectors.Get(name)
		if pe, ok := conn.(ats.PartnerEndpoints); ok {
			pe.RegisterPartner(mux, partnerPrefix(name), &partnerCore{s: s, orders: orders, provider: name, auth: pe.InboundAuth()})
		}
	}
}

// connectionSettingsChanged reports whether an update changes a setting that
// names the ATS account an integration is connected to.
func connectionSettingsChanged(conn ats.Connector, before, after map[string]string) bool {
	pe, ok := conn.(ats.Consenter)
	if !ok {
		return false
	}
	return slices.ContainsFunc(pe.ConnectionSettings(), func(k string) bool { return before[k] != after[k] })
}

// disconnected is UpdateIntegration's rule for connection settings: once
// the integration points at another ATS account, the credential the old
// account's ATS calls with must not act for it, so it is revoked (and the
// integration was disabled) until it is connected again.
func (s *Service) disconnected(ctx context.Context, in core.Integration) error {
	s.d.Logger.InfoContext(ctx, "integration disconnected: its ATS account setting changed", "integration_id", in.ID, "status", in.Status)
	return s.revokePartnerClient(ctx, s.d.Store, in.ID)
}

func (s *Service) revokePartnerClient(ctx context.Context, q store.Queries, integrationID string) error {
	var cl partnerClientRecord
	found, err := s.getRecord(ctx, q, integrationID, credPartnerClient, &cl)
	if err != nil || !found || cl.Revoked {
		return err
	}
	cl.Revoked = true
	return s.putRecord(ctx, q, integrationID, credPartnerClient, cl)
}

// partnerCore implements ats.PartnerCore for one provider, so that a token
// or credential of one provider's integration never works on another's
// endpoints.
type partnerCore struct {
	s        *Service
	orders   PartnerOrders
	provider string
	auth     ats.InboundAuth
}

var _ ats.PartnerCore = (*partnerCore)(nil)

// integration loads an integration of this provider; anything else is as
// good as absent.
func (p *partnerCore) integration(ctx context.Context, q store.Queries, id string) (core.Integration, bool, error) {
	in, err := q.GetIntegration(ctx, id)
	if errors.Is(err, core.ErrNotFound) || (err == nil && in.Provider != p.provider) {
		return core.Integration{}, false, nil
	}
	if err != nil {
		return core.Integration{}, false, err
	}
	return in, true, nil
}

// badClient is the one answer to every wrong client credential, so that the
// token endpoint does not tell which part was wrong.
func badClient() error { return ats.Refuse(http.StatusUnauthorized, "invalid client credentials") }

// IssueToken implements ats.PartnerCore.
func (p *partnerCore) IssueToken(ctx context.Context, clientID, clientSecret string) (ats.AccessToken, error) {
	id, ok := integrationIn(prefixClientID, clientID)
	if !ok {
		return ats.AccessToken{}, badClient()
	}
	in, ok, err := p.integration(ctx, p.s.d.Store, id)
	if err != nil {
		return ats.AccessToken{}, fmt.Errorf("issue token: %w", err)
	}
	if !ok {
		return ats.AccessToken{}, badClient()
	}
	var cl partnerClientRecord
	found, err := p.s.getRecord(ctx, p.s.d.Store, in.ID, credPartnerClient, &cl)
	if err != nil {
		return ats.AccessToken{}, fmt.Errorf("issue token: %w", err)
	}
	if !found || cl.Revoked || subtle.ConstantTimeCompare([]byte(cl.ClientID), []byte(clientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(cl.SecretHash), []byte(secret.HashToken(clientSecret))) != 1 {
		return ats.AccessToken{}, badClient()
	}
	claims, err := json.Marshal(accessTokenClaims{Integration: in.ID, ClientID: clientID, Expires: p.s.now().Add(partnerAccessTokenTTL).Unix()})
	if err != nil {
		return ats.AccessToken{}, fmt.Errorf("issue token: %w", err)
	}
	sealed, err := p.s.d.Keyring.Encrypt(claims, accessTokenAAD(p.provider))
	if err != nil {
		return ats.AccessToken{}, fmt.Errorf("issue token: %w", err)
	}
	return ats.AccessToken{Token: prefixAccessToken + base64.RawURLEncoding.EncodeToString(sealed), ExpiresIn: partnerAccessTokenTTL}, nil
}

// Authenticate implements ats.PartnerCore with the credential of the
// provider's kind.
func (p *partnerCore) Authenticate(ctx context.Context, h http.Header) (ats.Config, error) {
	refuse := func(why string) (ats.Config, error) {
		return ats.Config{}, ats.Refuse(http.StatusUnauthorized, "%s", why)
	}
	switch p.auth {
	case ats.InboundOAuthClient:
		tok, ok := bearer(h)
		if !ok {
			return refuse("a bearer token from the token endpoint is required")
		}
		return p.authenticateAccessToken(ctx, tok)
	case ats.InboundBearer:
		key, ok := bearer(h)
		if !ok {
			return refuse("the key Switchboard issued for this integration is required, as \"Authorization: Bearer <key>\"")
		}
		return p.authenticateKey(ctx, key)
	case ats.InboundBasic:
		key, pass, ok := (&http.Request{Header: h}).BasicAuth()
		if !ok || key == "" || pass != "" {
			return refuse("the key Switchboard issued for this integration is required, as the HTTP Basic user name with an empty password")
		}
		return p.authenticateKey(ctx, key)
	}
	return ats.Config{}, fmt.Errorf("authenticate: provider %s has no inbound auth kind %q", p.provider, p.auth)
}

// bearer is the token of an "Authorization: Bearer" header.
func bearer(h http.Header) (string, bool) {
	scheme, tok, ok := strings.Cut(h.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// authenticateKey resolves an issued key: the integration it names must
// hold it as its current key, so a rotated key stops working at once.
func (p *partnerCore) authenticateKey(ctx context.Context, key string) (ats.Config, error) {
	invalid := ats.Refuse(http.StatusUnauthorized, "invalid key: use the key Switchboard showed for this integration (a new key replaces the previous one)")
	id, ok := integrationIn(prefixInboundKey, key)
	if !ok {
		return ats.Config{}, invalid
	}
	in, ok, err := p.integration(ctx, p.s.d.Store, id)
	if err != nil {
		return ats.Config{}, fmt.Errorf("authenticate: %w", err)
	}
	if !ok {
		return ats.Config{}, invalid
	}
	var rec inboundKeyRecord
	found, err := p.s.getRecord(ctx, p.s.d.Store, in.ID, credInboundKey, &rec)
	if err != nil {
		return ats.Config{}, fmt.Errorf("authenticate: %w", err)
	}
	if !found || subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(secret.HashToken(key))) != 1 {
		return ats.Config{}, invalid
	}
	_, cfg, err := p.s.LocalConnectorConfig(ctx, p.s.d.Store, in)
	if err != nil {
		return ats.Config{}, fmt.Errorf("authenticate: %w", err)
	}
	return cfg, nil
}

// authenticateAccessToken resolves an access token of InboundOAuthClient. A
// token stops working when it expires and when its client credential is
// revoked or replaced (the integration was disconnected, or connected again).
func (p *partnerCore) authenticateAccessToken(ctx context.Context, accessToken string) (ats.Config, error) {
	refuse := func(why string) (ats.Config, error) {
		return ats.Config{}, ats.Refuse(http.StatusUnauthorized, "%s", why)
	}
	raw, ok := strings.CutPrefix(accessToken, prefixAccessToken)
	if !ok {
		return refuse("invalid access token")
	}
	// Strict: unused trailing bits must be zero, so that one token has one
	// spelling and no variant of an issued token authenticates.
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(raw)
	if err != nil {
		return refuse("invalid access token")
	}
	plain, err := p.s.d.Keyring.Decrypt(sealed, accessTokenAAD(p.provider))
	if err != nil {
		return refuse("invalid access token")
	}
	var c accessTokenClaims
	if err := json.Unmarshal(plain, &c); err != nil {
		return refuse("invalid access token")
	}
	if !p.s.now().Before(time.Unix(c.Expires, 0)) {
		return refuse("access token expired")
	}
	in, ok, err := p.integration(ctx, p.s.d.Store, c.Integration)
	if err != nil {
		return ats.Config{}, fmt.Errorf("authenticate: %w", err)
	}
	if !ok {
		return refuse("invalid access token")
	}
	var cl partnerClientRecord
	found, err := p.s.getRecord(ctx, p.s.d.Store, in.ID, credPartnerClient, &cl)
	if err != nil {
		return ats.Config{}, fmt.Errorf("authenticate: %w", err)
	}
	if !found || cl.Revoked || cl.ClientID != c.ClientID {
		return refuse("access token revoked: the integration was disconnected")
	}
	// The ATS's own calls are answered without calling it back.
	_, cfg, err := p.s.LocalConnectorConfig(ctx, p.s.d.Store, in)
	if err != nil {
		return ats.Config{}, fmt.Errorf("authenticate: %w", err)
	}
	return cfg, nil
}

// enabled re-reads the integration: a token may outlive its enabling.
func (p *partnerCore) enabled(ctx context.Context, cfg ats.Config) (core.Integration, error) {
	in, ok, err := p.integration(ctx, p.s.d.Store, cfg.Integration.ID)
	if err != nil {
		return core.Integration{}, err
	}
	if !ok {
		return core.Integration{}, ats.Refuse(http.StatusUnauthorized, "no such integration")
	}
	if in.Status != core.IntegrationEnabled {
		return core.Integration{}, ats.Refuse(http.StatusForbidden,
			"the Switchboard integration %q for this company is %s: the assessment vendor must enable it before packages can be listed or ordered", in.Name, in.Status)
	}
	return in, nil
}

// Packages implements ats.PartnerCore.
func (p *partnerCore) Packages(ctx context.Context, cfg ats.Config) ([]core.Vacancy, error) {
	in, err := p.enabled(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return p.orders.Packages(ctx, in)
}

// Package implements ats.PartnerCore.
func (p *partnerCore) Package(ctx context.Context, cfg ats.Config, id string) (core.Vacancy, error) {
	in, err := p.enabled(ctx, cfg)
	if err != nil {
		return core.Vacancy{}, err
	}
	return p.orders.Package(ctx, in, id)
}

// Order implements ats.PartnerCore.
func (p *partnerCore) Order(ctx context.Context, cfg ats.Config, e ats.Event) (ats.OrderReceipt, error) {
	in, err := p.enabled(ctx, cfg)
	if err != nil {
		return ats.OrderReceipt{}, err
	}
	return p.orders.Order(ctx, in, e)
}

// Cancel implements ats.PartnerCore.
func (p *partnerCore) Cancel(ctx context.Context, cfg ats.Config, e ats.Event) error {
	in, ok, err := p.integration(ctx, p.s.d.Store, cfg.Integration.ID)
	if err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	if !ok {
		return ats.Refuse(http.StatusUnauthorized, "no such integration")
	}
	return p.orders.Cancel(ctx, in, e)
}

// Status implements ats.PartnerCore. An ATS may ask about its orders after
// its integration was disabled, as for Cancel.
func (p *partnerCore) Status(ctx context.Context, cfg ats.Config, orderID string) (ats.Update, error) {
	in, ok, err := p.integration(ctx, p.s.d.Store, cfg.Integration.ID)
	if err != nil {
		return ats.Update{}, fmt.Errorf("status: %w", err)
	}
	if !ok {
		return ats.Update{}, ats.Refuse(http.StatusUnauthorized, "no such integration")
	}
	return p.orders.Status(ctx, in, orderID)
}

// Complaint implements ats.PartnerCore.
func (p *partnerCore) Complaint(ctx context.Context, cfg ats.Config, c ats.Complaint) error {
	in, ok, err := p.integration(ctx, p.s.d.Store, cfg.Integration.ID)
	if err != nil {
		return fmt.Errorf("complaint: %w", err)
	}
	if !ok {
		return ats.Refuse(http.StatusUnauthorized, "no such integration")
	}
	return p.orders.Complaint(ctx, in, c)
}

// Connect implements ats.PartnerCore.
func (p *partnerCore) Connect(ctx context.Context, token string, exchange ats.Exchange) (ats.ConnectResult, error) {
	invalid := ats.Refuse(http.StatusBadRequest,
		"this is not a valid connection token: copy the whole token from the integration's page in Switchboard, or generate a new one there (a new token replaces the previous one)")
	token = strings.TrimSpace(token)
	id, ok := integrationIn(prefixConnectionToken, token)
	if !ok {
		return ats.ConnectResult{}, invalid
	}
	in, ok, err := p.integration(ctx, p.s.d.Store, id)
	if err != nil {
		return ats.ConnectResult{}, fmt.Errorf("connect: %w", err)
	}
	if !ok {
		return ats.ConnectResult{}, invalid
	}
	hash := secret.HashToken(token)
	check := func(q store.Queries) (connectionTokenRecord, error) {
		var rec connectionTokenRecord
		found, err := p.s.getRecord(ctx, q, in.ID, credConnectionToken, &rec)
		switch {
		case err != nil:
			return rec, fmt.Errorf("connect: %w", err)
		case !found || subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hash)) != 1:
			return rec, invalid
		case !rec.UsedAt.IsZero():
			return rec, ats.Refuse(http.StatusConflict,
				"this connection token was already used, on %s: each token connects once; generate a new one in Switchboard to connect again", rec.UsedAt.Format("2 Jan 2006 15:04 MST"))
		case !p.s.now().Before(rec.ExpiresAt):
			return rec, ats.Refuse(http.StatusGone,
				"this connection token expired at %s (tokens are valid for %d minutes): generate a new one in Switchboard", rec.ExpiresAt.Format("2 Jan 2006 15:04 MST"), int(ConnectionTokenValidity.Minutes()))
		}
		return rec, nil
	}
	if _, err := check(p.s.d.Store); err != nil {
		return ats.ConnectResult{}, err
	}
	_, cfg, err := p.s.ConnectorConfig(ctx, p.s.d.Store, in)
	if err != nil {
		return ats.ConnectResult{}, fmt.Errorf("connect: %w", err)
	}
	client, err := newPartnerClient(in.ID)
	if err != nil {
		return ats.ConnectResult{}, fmt.Errorf("connect: %w", err)
	}
	// The exchange calls the ATS, so it runs outside any transaction; the
	// token is consumed only once it succeeded, so a failed exchange can be
	// tried again with the same token. Once started, the exchange and the
	// saving of its result finish even if the browser gives up (a double
	// click aborts the first request): the ATS would otherwise hold
	// credentials Switchboard never stored.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Minute)
	defer cancel()
	secrets, err := exchange(ctx, cfg, client)
	if err != nil {
		return ats.ConnectResult{}, err
	}
	now := p.s.now()
	err = p.s.d.Store.InTx(ctx, func(tx store.Tx) error {
		rec, err := check(tx)
		if err != nil {
			return err
		}
		// Claim the integration row first: its version-checked update makes a
		// concurrent connect with the same token wait here and then fail,
		// rather than both consuming the one-time token (PostgreSQL reads
		// committed data, so the check above alone cannot see the race).
		cur, err := tx.GetIntegration(ctx, in.ID)
		if err != nil {
			return err
		}
		cur.UpdatedAt = now
		if err := tx.UpdateIntegration(ctx, cur); err != nil {
			if errors.Is(err, core.ErrConflict) {
				return ats.Refuse(http.StatusConflict, "this connection token is being used by another connection right now; try again in a moment")
			}
			return err
		}
		if rec, err = check(tx); err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(secrets)) {
			if isReserved(name) {
				return fmt.Errorf("connect: connector returned reserved credential %q", name)
			}
			if err := p.s.putSecret(ctx, tx, in.ID, name, secrets[name]); err != nil {
				return err
			}
		}
		if err := p.s.putRecord(ctx, tx, in.ID, credPartnerClient, partnerClientRecord{
			ClientID: client.ID, SecretHash: secret.HashToken(client.Secret), IssuedAt: now,
		}); err != nil {
			return err
		}
		rec.UsedAt = now
		return p.s.putRecord(ctx, tx, in.ID, credConnectionToken, rec)
	})
	if err != nil {
		return ats.ConnectResult{}, fmt.Errorf("connect: %w", err)
	}
	p.s.d.Logger.InfoContext(ctx, "integration connected from its ATS", "provider", p.provider, "integration_id", in.ID)

	// Connected: enable it if it validates, as the admin's enable would.
	if in, err = p.s.d.Store.GetIntegration(ctx, in.ID); err != nil {
		return ats.ConnectResult{}, fmt.Errorf("connect: %w", err)
	}
	checks, err := p.s.validate(ctx, in)
	if err != nil {
		return ats.ConnectResult{}, err
	}
	if ats.Passed(checks) && in.Status != core.IntegrationEnabled {
		in.Status, in.UpdatedAt = core.IntegrationEnabled, p.s.now()
		if err := p.s.d.Store.UpdateIntegration(ctx, in); err != nil {
			return ats.ConnectResult{}, fmt.Errorf("connect: enable: %w", err)
		}
		in.Version++
	}
	return ats.ConnectResult{Integration: in, Checks: checks}, nil
}

func newPartnerClient(integrationID string) (ats.ClientCredential, error) {
	tag, err := secret.NewToken("")
	if err != nil {
		return ats.ClientCredential{}, err
	}
	sec, err := secret.NewToken(prefixClientSecret)
	if err != nil {
		return ats.ClientCredential{}, err
	}
	// A fresh id per connection: tokens of an earlier connection name the
	// old id and stop working.
	return ats.ClientCredential{ID: prefixClientID + idPart(integrationID) + "_" + tag[:12], Secret: sec}, nil
}

// Disconnect implements ats.PartnerCore.
func (p *partnerCore) Disconnect(ctx context.Context, cfg ats.Config, reason string) error {
	err := p.s.d.Store.InTx(ctx, func(tx store.Tx) error {
		in, ok, err := p.integration(ctx, tx, cfg.Integration.ID)
		if err != nil || !ok {
			return err
		}
		if in.Status == core.IntegrationEnabled {
			in.Status, in.UpdatedAt = core.IntegrationDisabled, p.s.now()
			if err := tx.UpdateIntegration(ctx, in); err != nil {
				return err
			}
		}
		return p.s.revokePartnerClient(ctx, tx, in.ID)
	})
	if err != nil {
		return fmt.Errorf("disconnect: %w", err)
	}
	p.s.d.Logger.InfoContext(ctx, "integration disconnected by its ATS", "provider", p.provider, "integration_id", cfg.Integration.ID, "reason", reason)
	return nil
}
