package review

// Connecting and disconnecting a review source, and the connector
// configuration a source's calls are made with.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/secret"
)

// ConnectInput is what a super admin enters to connect an ATS: either an
// existing assessment integration whose credentials the source reuses, or
// the settings and credentials of the provider's SourceFields.
type ConnectInput struct {
	Provider      string
	Name          string
	IntegrationID string
	Settings      map[string]string
	Credentials   map[string]string
}

// Connect verifies the credentials with a real call, stores the source,
// subscribes to the ATS's change notifications where it pushes them, and
// starts the first (full) sync. Credentials the ATS refuses store nothing.
// Subscriptions the ATS refuses leave the source connected but failing, with
// the ATS's answer as its problem: it is still synced, only without pushed
// deletions and job status changes.
func (s *Service) Connect(ctx context.Context, actor core.User, in ConnectInput) (core.ReviewSource, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return core.ReviewSource{}, fmt.Errorf("connect review source: %w", core.ErrForbidden)
	}
	conn, src, err := s.source(in.Provider)
	if err != nil {
		return core.ReviewSource{}, err
	}
	desc := conn.Describe()
	hook, err := secret.NewToken("sbrh")
	if err != nil {
		return core.ReviewSource{}, fmt.Errorf("connect review source: %w", err)
	}
	now := s.now()
	rs := core.ReviewSource{
		ID: core.NewID("rsrc"), AccountID: actor.AccountID, Provider: conn.Provider(), Name: cmp.Or(strings.TrimSpace(in.Name), desc.Name),
		HookToken: hook, Status: core.ReviewSourceActive, Settings: map[string]string{}, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if in.IntegrationID != "" {
		ig, err := s.d.Store.GetIntegration(ctx, in.IntegrationID)
		if err != nil || ig.AccountID != actor.AccountID {
			return core.ReviewSource{}, core.Invalid("integration_id", "your account has no such integration")
		}
		if ig.Provider != conn.Provider() {
			return core.ReviewSource{}, core.Invalid("integration_id", fmt.Sprintf("that integration is not a %s one", desc.Name))
		}
		rs.IntegrationID = ig.ID
	} else {
		settingFields, credFields := src.SourceFields()
		v := core.Invalid()
		for k, val := range in.Settings {
			f, ok := field(settingFields, k)
			switch {
			case !ok:
				v.Add("settings."+k, fmt.Sprintf("%q is not a setting of %s", k, desc.Name))
			case strings.TrimSpace(val) != "":
				val = strings.TrimSpace(val)
				if len(f.Hosts) > 0 {
					if p := s.hosts.CheckURL(desc.Name, f, val); p != "" {
						v.Add("settings."+k, p)
						continue
					}
				}
				rs.Settings[k] = val
			}
		}
		creds := map[string]string{}
		for k, val := range in.Credentials {
			if _, ok := field(credFields, k); !ok {
				v.Add("credentials."+k, fmt.Sprintf("%q is not a credential of %s", k, desc.Name))
			} else if val = strings.TrimSpace(val); val != "" {
				creds[k] = val
			}
		}
		for _, f := range credFields {
			if f.Required && creds[f.Key] == "" {
				v.Add("credentials."+f.Key, "enter the "+f.Label)
			}
		}
		if err := v.OrNil(); err != nil {
			return core.ReviewSource{}, err
		}
		if rs.Credentials, err = s.seal(rs.ID, "credentials", creds); err != nil {
			return core.ReviewSource{}, fmt.Errorf("connect review source: %w", err)
		}
	}
	cfg, err := s.config(ctx, rs)
	if err != nil {
		return core.ReviewSource{}, err
	}
	if err := src.VerifySource(ctx, cfg); err != nil {
		s.d.Logger.InfoContext(ctx, "review source refused", "provider", rs.Provider, "err", err)
		return core.ReviewSource{}, core.Invalid("credentials", fmt.Sprintf("%s refused the connection: %s", desc.Name, ats.Answered(err)))
	}
	// Stored before subscribing: the ATS's activation handshake arrives at
	// the source's callback while Subscribe runs, and is answered from it.
	if err := s.d.Store.CreateReviewSource(ctx, rs); err != nil {
		if errors.Is(err, core.ErrConflict) {
			return core.ReviewSource{}, core.Explain(err, "your account already reviews applicants from %s: remove that connection first", desc.Name)
		}
		return core.ReviewSource{}, fmt.Errorf("connect review source: %w", err)
	}
	if sub, ok := conn.(ats.ChangeSubscriber); ok {
		subs, err := sub.Subscribe(ctx, cfg, s.HookURL(rs))
		if err != nil {
			s.d.Logger.WarnContext(ctx, "review source: subscribe", "source_id", rs.ID, "err", err)
			rs.Status, rs.Problem = core.ReviewSourceFailing, fmt.Sprintf("%s refused the change webhooks (%s): deletions and job status changes arrive only with each sync", desc.Name, ats.Answered(err))
		} else if rs.Subscriptions, err = s.seal(rs.ID, "subscriptions", subs); err != nil {
			return core.ReviewSource{}, fmt.Errorf("connect review source: %w", err)
		}
		if err := s.d.Store.UpdateReviewSource(ctx, rs); err != nil {
			return core.ReviewSource{}, fmt.Errorf("connect review source: %w", err)
		}
		rs.Version++
	}
	if _, err := s.startSync(ctx, rs, true); err != nil {
		return rs, fmt.Errorf("connect review source: first sync: %w", err)
	}
	return rs, nil
}

// Disconnect deletes the source's subscriptions in the ATS, then the source
// and everything synced from it. When the ATS cannot be reached, nothing is
// deleted and the error says so.
func (s *Service) Disconnect(ctx context.Context, actor core.User, sourceID string) error {
	rs, conn, err := s.configurable(ctx, actor, sourceID, "disconnect review source")
	if err != nil {
		return err
	}
	if sub, ok := conn.(ats.ChangeSubscriber); ok && len(rs.Subscriptions) > 0 {
		subs, err := s.subscriptions(rs)
		if err != nil {
			return fmt.Errorf("disconnect review source: %w", err)
		}
		cfg, err := s.config(ctx, rs)
		if err != nil {
			return err
		}
		if err := sub.Unsubscribe(ctx, cfg, subs); err != nil {
			return core.Explain(fmt.Errorf("disconnect review source: %w", err),
				"%s did not delete the change webhooks, so the connection is kept: try again (%s)", conn.Describe().Name, err.Error())
		}
	}
	if err := s.d.Store.DeleteReviewSource(ctx, rs.ID); err != nil {
		return fmt.Errorf("disconnect review source: %w", err)
	}
	return nil
}

// configurable is the actor's source with its connector, for what only a
// super admin may do to it.
func (s *Service) configurable(ctx context.Context, actor core.User, sourceID, what string) (core.ReviewSource, ats.Connector, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return core.ReviewSource{}, nil, fmt.Errorf("%s: %w", what, core.ErrForbidden)
	}
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return core.ReviewSource{}, nil, err
	}
	conn, _, err := s.source(rs.Provider)
	return rs, conn, err
}

// Sources lists the account's review sources.
func (s *Service) Sources(ctx context.Context, actor core.User) ([]core.ReviewSource, error) {
	if !actor.Role.CanActOnOrders() {
		return nil, fmt.Errorf("review sources: %w", core.ErrForbidden)
	}
	return s.d.Store.ListReviewSources(ctx, actor.AccountID)
}

// Source is one of the account's review sources; another account's is not
// found.
func (s *Service) Source(ctx context.Context, actor core.User, id string) (core.ReviewSource, error) {
	if !actor.Role.CanActOnOrders() {
		return core.ReviewSource{}, fmt.Errorf("review source: %w", core.ErrForbidden)
	}
	rs, err := s.d.Store.GetReviewSource(ctx, id)
	if err != nil || rs.AccountID != actor.AccountID {
		return core.ReviewSource{}, fmt.Errorf("review source %s: %w", id, core.ErrNotFound)
	}
	return rs, nil
}

// HookURL is where the ATS sends the source's change notifications.
func (s *Service) HookURL(rs core.ReviewSource) string {
	return s.d.BaseURL + HookPath + rs.HookToken
}

// config is what the source's connector calls its ATS with: the
// integration's configuration, or the source's own settings and
// credentials, with its API URLs checked against the hosts allowed.
func (s *Service) config(ctx context.Context, rs core.ReviewSource) (ats.Config, error) {
	if rs.IntegrationID != "" {
		in, err := s.d.Store.GetIntegration(ctx, rs.IntegrationID)
		if err != nil {
			return ats.Config{}, fmt.Errorf("review source %s: integration: %w", rs.ID, err)
		}
		_, cfg, err := s.d.Integrations.ConnectorConfig(ctx, s.d.Store, in)
		return cfg, err
	}
	conn, src, err := s.source(rs.Provider)
	if err != nil {
		return ats.Config{}, err
	}
	settings, _ := src.SourceFields()
	for _, c := range s.hosts.CheckSettings(conn.Describe().Name, settings, rs.Settings) {
		if !c.OK {
			return ats.Config{}, &ats.CallError{Failure: ats.FailConfig, Err: fmt.Errorf("review source %s: nothing is sent: %s", rs.ID, c.Problem)}
		}
	}
	var creds map[string]string
	if err := s.open(rs.ID, "credentials", rs.Credentials, &creds); err != nil {
		return ats.Config{}, err
	}
	in := core.Integration{ID: rs.ID, AccountID: rs.AccountID, Provider: rs.Provider, Name: rs.Name, Settings: rs.Settings}
	return ats.Config{Integration: in, Secrets: creds, HTTPClient: ats.ProviderClient(s.d.HTTPClient, rs.Provider)}, nil
}

func (s *Service) subscriptions(rs core.ReviewSource) ([]ats.Subscription, error) {
	var subs []ats.Subscription
	if len(rs.Subscriptions) == 0 {
		return nil, nil
	}
	err := s.open(rs.ID, "subscriptions", rs.Subscriptions, &subs)
	return subs, err
}

// seal encrypts v's JSON bound to the source and what it is.
func (s *Service) seal(sourceID, what string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.d.Keyring.Encrypt(b, sealAAD(sourceID, what))
}

func (s *Service) open(sourceID, what string, sealed []byte, v any) error {
	if len(sealed) == 0 {
		return nil
	}
	b, err := s.d.Keyring.Decrypt(sealed, sealAAD(sourceID, what))
	if err != nil {
		return fmt.Errorf("review source %s: decrypt %s: %w", sourceID, what, err)
	}
	return json.Unmarshal(b, v)
}

func sealAAD(sourceID, what string) []byte { return []byte("review-source:" + sourceID + ":" + what) }

func field(fs []ats.Field, key string) (ats.Field, bool) {
	i := slices.IndexFunc(fs, func(f ats.Field) bool { return f.Key == key })
	if i < 0 {
		return ats.Field{}, false
	}
	return fs[i], true
}

// RotateKeys makes new signing keys for the source's subscriptions; the
// ATS keeps signing with the old ones for a while (SmartRecruiters: 24
// hours), and every key it returns verifies until the next rotation.
func (s *Service) RotateKeys(ctx context.Context, actor core.User, sourceID string) error {
	rs, conn, err := s.configurable(ctx, actor, sourceID, "rotate review keys")
	if err != nil {
		return err
	}
	sub, ok := conn.(ats.ChangeSubscriber)
	if !ok || len(rs.Subscriptions) == 0 {
		return core.Invalid("source", conn.Describe().Name+" sends this connection no signed changes")
	}
	subs, err := s.subscriptions(rs)
	if err != nil {
		return err
	}
	cfg, err := s.config(ctx, rs)
	if err != nil {
		return err
	}
	rotated, err := sub.RotateKeys(ctx, cfg, subs)
	if err != nil {
		return core.Explain(fmt.Errorf("rotate review keys: %w", err), "%s did not make new keys: %s", conn.Describe().Name, err.Error())
	}
	if rs.Subscriptions, err = s.seal(rs.ID, "subscriptions", rotated); err != nil {
		return err
	}
	rs.UpdatedAt = s.now()
	return s.d.Store.UpdateReviewSource(ctx, rs)
}

// SendTestProspect adds a test prospect to the source's ATS, outside any
// job, and says where it landed: proof the credentials may write there,
// and a person the admin can find in the ATS (and delete).
func (s *Service) SendTestProspect(ctx context.Context, actor core.User, sourceID string) (ats.Prospect, error) {
	rs, conn, err := s.configurable(ctx, actor, sourceID, "send a test prospect")
	if err != nil {
		return ats.Prospect{}, err
	}
	ps, ok := conn.(ats.ProspectSender)
	if !ok {
		return ats.Prospect{}, core.Invalid("source", conn.Describe().Name+" takes no test prospect from Switchboard")
	}
	cfg, err := s.config(ctx, rs)
	if err != nil {
		return ats.Prospect{}, err
	}
	tag := strings.ToLower(core.NewID("p")[2:10])
	p, err := ps.SendTestProspect(ctx, cfg, ats.Prospect{FirstName: "Switchboard", LastName: "Test Prospect",
		Email: "test-prospect+" + tag + "@switchboard.invalid"})
	if err != nil {
		s.d.Logger.InfoContext(ctx, "review test prospect refused", "source_id", rs.ID, "err", err)
		return ats.Prospect{}, core.Explain(fmt.Errorf("send a test prospect: %w", err), "%s refused the test prospect: %s", conn.Describe().Name, ats.Answered(err))
	}
	return p, nil
}
