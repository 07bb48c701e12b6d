package integrations

// An integration's stored credentials: the connector's (set by hand or issued
// by its ATS) and the reserved records of partner.go, all encrypted with the
// keyring under an AAD naming the integration and the credential, and what a
// connector is given of them to act for one integration.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

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
	return s.atsHosts.CheckSettings(desc.Name, desc.Settings, in.Settings)
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
	var issued string
	for _, c := range creds {
		if c.Name == credInboundKey {
			var rec inboundKeyRecord
			if err := s.openRecord(in.ID, c, &rec); err != nil {
				return nil, ats.Config{}, err
			}
			issued = rec.Key
			continue
		}
		if isReserved(c.Name) {
			continue // the core's own records (partner.go), not the connector's
		}
		plain, err := s.d.Keyring.Decrypt(c.Ciphertext, credentialAAD(in.ID, c.Name))
		if err != nil {
			return nil, ats.Config{}, fmt.Errorf("integration %s: decrypt credential %s: %w", in.ID, c.Name, err)
		}
		secrets[c.Name] = string(plain)
	}
	return conn, ats.Config{Integration: in, Secrets: secrets, IssuedKey: issued, HTTPClient: &http.Client{Transport: refuseTransport{}}}, nil
}

// refuseTransport refuses every request: the client of a local connector
// config.
type refuseTransport struct{}

func (refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("%s %s: this connector configuration makes no calls", r.Method, r.URL.Redacted())
}

// credentialAAD binds a sealed credential to its integration and name, so a
// ciphertext copied to another row does not decrypt.
func credentialAAD(integrationID, name string) []byte {
	return []byte("integration:" + integrationID + ":credential:" + name)
}

// isReserved tells the core's own records (partner.go) from the connector's
// credentials.
func isReserved(name string) bool {
	return name == credConnectionToken || name == credPartnerClient || name == credInboundKey
}

// putSecret encrypts and stores one credential of an integration.
func (s *Service) putSecret(ctx context.Context, q store.Queries, integrationID, name, value string) error {
	sealed, err := s.d.Keyring.Encrypt([]byte(value), credentialAAD(integrationID, name))
	if err != nil {
		return fmt.Errorf("store credential %s: %w", name, err)
	}
	if err := q.SetCredential(ctx, core.Credential{IntegrationID: integrationID, Name: name, Ciphertext: sealed, SetAt: s.now()}); err != nil {
		return fmt.Errorf("store credential %s: %w", name, err)
	}
	return nil
}

func (s *Service) putRecord(ctx context.Context, q store.Queries, integrationID, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return s.putSecret(ctx, q, integrationID, name, string(b))
}

// getRecord decrypts and decodes one reserved record; found is false when
// the integration has none.
func (s *Service) getRecord(ctx context.Context, q store.Queries, integrationID, name string, v any) (found bool, err error) {
	creds, err := q.ListCredentials(ctx, integrationID)
	if err != nil {
		return false, fmt.Errorf("integration %s: credentials: %w", integrationID, err)
	}
	for _, c := range creds {
		if c.Name == name {
			if err := s.openRecord(integrationID, c, v); err != nil {
				return false, err
			}
			return true, nil
		}
	}
	return false, nil
}

// openRecord decrypts and decodes one reserved record already read.
func (s *Service) openRecord(integrationID string, c core.Credential, v any) error {
	plain, err := s.d.Keyring.Decrypt(c.Ciphertext, credentialAAD(integrationID, c.Name))
	if err != nil {
		return fmt.Errorf("integration %s: decrypt %s: %w", integrationID, c.Name, err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("integration %s: decode %s: %w", integrationID, c.Name, err)
	}
	return nil
}

// clearCredentials deletes the connector's credentials of an integration (the
// ones set by hand and the ones its ATS issued), keeping the core's own
// records, and returns the names deleted.
func clearCredentials(ctx context.Context, q store.Queries, integrationID string) ([]string, error) {
	creds, err := q.ListCredentials(ctx, integrationID)
	if err != nil {
		return nil, err
	}
	var cleared []string
	for _, c := range creds {
		if isReserved(c.Name) {
			continue
		}
		if err := q.DeleteCredential(ctx, integrationID, c.Name); err != nil {
			return nil, err
		}
		cleared = append(cleared, c.Name)
	}
	return cleared, nil
}
