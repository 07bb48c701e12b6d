package integrations

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// IntegrationView is an integration as the API shows it: settings, and for
// each credential only whether and when it was set.
type IntegrationView struct {
	core.Integration
	WebhookURL  string            `json:"webhook_url"`
	Credentials []CredentialState `json:"credentials"`
	Description ats.Description   `json:"description"`
	// InboundFailures are the latest stored webhooks whose processing failed
	// (one integration's view only), so an admin sees why nothing happened.
	InboundFailures []InboundFailure `json:"-"`
	// Inbound is how the ATS calls Switchboard for this integration, for
	// partner connectors (ats.PartnerEndpoints; one integration's view
	// only); nil for the others.
	Inbound *PartnerConnection `json:"-"`
}

// InboundFailure is a stored webhook whose processing failed, with the job
// that processed it last while the queue keeps it (0 once it is gone), for
// `switchboard jobs retry`.
type InboundFailure struct {
	core.InboundEvent
	JobID int64
}

// InboundFailures lists an integration's latest failed webhooks. Processing
// webhooks is the order side's (package service), so it provides this.
type InboundFailures interface {
	InboundFailures(ctx context.Context, integrationID string) ([]InboundFailure, error)
}

// CredentialState tells whether a credential is set, never its value.
type CredentialState struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
	Set      bool   `json:"set"`
	SetAt    string `json:"set_at,omitempty"`
}

// CreateIntegration creates a draft integration of the actor's account.
func (s *Service) CreateIntegration(ctx context.Context, actor core.User, provider, name string) (core.Integration, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return core.Integration{}, fmt.Errorf("create integration: %w", core.ErrForbidden)
	}
	conn, ok := s.d.Connectors.Get(provider)
	if !ok {
		return core.Integration{}, core.Invalid("provider", fmt.Sprintf("unknown ATS %q (available: %s)", provider, strings.Join(s.d.Connectors.Providers(), ", ")))
	}
	desc := conn.Describe()
	if strings.TrimSpace(name) == "" {
		name = desc.Name
	}
	if err := s.checkOneOrNamed(ctx, desc, actor.AccountID, "", provider, strings.TrimSpace(name)); err != nil {
		return core.Integration{}, fmt.Errorf("create integration: %w", err)
	}
	settings := map[string]string{}
	for _, f := range desc.Settings {
		if f.Default != "" {
			settings[f.Key] = f.Default
		}
	}
	now := s.now()
	in := core.Integration{
		ID: core.NewID("int"), AccountID: actor.AccountID, Provider: provider, Name: strings.TrimSpace(name),
		Status: core.IntegrationDraft, Patterns: slices.Clone(desc.Patterns), Settings: settings,
		WriteBack: defaultWriteBack(desc), CreatedAt: now, UpdatedAt: now,
	}
	if err := s.d.Store.CreateIntegration(ctx, in); err != nil {
		if errors.Is(err, core.ErrConflict) {
			return core.Integration{}, core.Explain(fmt.Errorf("create integration: %w", err),
				"your account already has a %s integration named %q: give this one another name", desc.Name, in.Name)
		}
		return core.Integration{}, fmt.Errorf("create integration: %w", err)
	}
	return in, nil
}

// checkOneOrNamed is the rule for several integrations of one ATS in an
// account: only a connector that declares Multiple (Workable: one per
// subdomain) may have more than one, and then each needs its own name, so
// that lists, order filters and pages tell them apart. self is the
// integration being renamed ("" when creating).
func (s *Service) checkOneOrNamed(ctx context.Context, desc ats.Description, accountID, self, provider, name string) error {
	ins, err := s.d.Store.ListIntegrations(ctx, accountID)
	if err != nil {
		return err
	}
	for _, other := range ins {
		if other.ID == self || other.Provider != provider {
			continue
		}
		if !desc.Multiple {
			return core.Explain(core.ErrConflict, "your account already has a %s integration: an account has one integration per ATS", desc.Name)
		}
		if strings.EqualFold(other.Name, name) {
			return core.Explain(core.ErrConflict, "your account already has a %s integration named %q: give each %s integration its own name (for example its subdomain)", desc.Name, other.Name, desc.Name)
		}
	}
	return nil
}

// IntegrationFor loads an integration the actor may see, through q (the
// store or a transaction).
func (s *Service) IntegrationFor(ctx context.Context, q store.Queries, actor core.User, id string) (core.Integration, error) {
	in, err := q.GetIntegration(ctx, id)
	if err == nil && in.AccountID != actor.AccountID {
		// Another account's integration does not exist, as far as this actor can tell.
		err = fmt.Errorf("integration %s: %w", id, core.ErrNotFound)
	}
	if errors.Is(err, core.ErrNotFound) {
		return core.Integration{}, core.Explain(err, "there is no integration %q in your account", id)
	}
	if err != nil {
		return core.Integration{}, err
	}
	return in, nil
}

// Integration returns the view of one integration.
func (s *Service) Integration(ctx context.Context, actor core.User, id string) (IntegrationView, error) {
	if !actor.Role.CanSeeIntegrations() {
		return IntegrationView{}, fmt.Errorf("integration: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, id)
	if err != nil {
		return IntegrationView{}, fmt.Errorf("integration: %w", err)
	}
	v, err := s.integrationView(ctx, in)
	if err != nil {
		return IntegrationView{}, err
	}
	pc, err := s.partnerConnection(ctx, in)
	if err != nil {
		return IntegrationView{}, fmt.Errorf("integration: %w", err)
	}
	if pc.Auth != "" {
		v.Inbound = &pc
	}
	if s.inbound != nil {
		if v.InboundFailures, err = s.inbound.InboundFailures(ctx, in.ID); err != nil {
			return IntegrationView{}, fmt.Errorf("integration: %w", err)
		}
	}
	return v, nil
}

// Integrations lists the actor's account's integrations.
func (s *Service) Integrations(ctx context.Context, actor core.User) ([]IntegrationView, error) {
	if !actor.Role.CanSeeIntegrations() {
		return nil, fmt.Errorf("integrations: %w", core.ErrForbidden)
	}
	ins, err := s.d.Store.ListIntegrations(ctx, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("integrations: %w", err)
	}
	views := make([]IntegrationView, 0, len(ins))
	for _, in := range ins {
		v, err := s.integrationView(ctx, in)
		if err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, nil
}

func (s *Service) integrationView(ctx context.Context, in core.Integration) (IntegrationView, error) {
	conn, ok := s.d.Connectors.Get(in.Provider)
	if !ok {
		return IntegrationView{}, fmt.Errorf("integration %s: no connector for %q", in.ID, in.Provider)
	}
	creds, err := s.d.Store.ListCredentials(ctx, in.ID)
	if err != nil {
		return IntegrationView{}, fmt.Errorf("integration %s: %w", in.ID, err)
	}
	desc := conn.Describe()
	v := IntegrationView{Integration: in, Description: desc}
	if _, ok := conn.(ats.WebhookReceiver); ok {
		v.WebhookURL = s.WebhookURL(in)
	}
	for _, f := range desc.Credentials {
		st := CredentialState{Name: f.Key, Label: f.Label, Required: f.Required}
		for _, c := range creds {
			if c.Name == f.Key {
				st.Set, st.SetAt = true, c.SetAt.Format("2006-01-02 15:04 UTC")
			}
		}
		v.Credentials = append(v.Credentials, st)
	}
	return v, nil
}

// WebhookURL is where an integration's ATS sends its webhooks.
func (s *Service) WebhookURL(in core.Integration) string {
	return s.d.BaseURL + "/hooks/" + in.Provider + "/" + in.ID
}

// IntegrationPatch changes an integration's configuration. Nil fields are left alone.
type IntegrationPatch struct {
	Name      *string
	Patterns  []core.Pattern
	Settings  map[string]string // merged; an empty value deletes the key
	WriteBack *core.WriteBackConfig
}

// IntegrationUpdate is an updated integration and what the update did
// besides, for the user to be told.
type IntegrationUpdate struct {
	core.Integration
	// ClearedCredentials names the credentials removed because the ATS's API
	// host changed: they belonged to the old host and would have gone to the new.
	ClearedCredentials []string
	// Disabled is set when the update disabled an enabled integration (it
	// now points at another ATS account or host).
	Disabled bool
}

// UpdateIntegration applies a patch. A change to an enabled integration is
// validated like enabling is, and if a check fails nothing changes
// (*ValidationFailed). An API URL may name only its ATS's own hosts or ones
// the operator allowed; pointing it at another host clears the stored
// credentials and disconnects the integration. The write is version-checked,
// so a concurrent change is a conflict rather than lost.
func (s *Service) UpdateIntegration(ctx context.Context, actor core.User, id string, p IntegrationPatch) (IntegrationUpdate, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return IntegrationUpdate{}, fmt.Errorf("update integration: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, id)
	if err != nil {
		return IntegrationUpdate{}, fmt.Errorf("update integration: %w", err)
	}
	conn, _ := s.d.Connectors.Get(in.Provider)
	desc := conn.Describe()
	settingsBefore := maps.Clone(in.Settings)
	if err := p.apply(&in, desc); err != nil {
		return IntegrationUpdate{}, err
	}
	if p.Name != nil {
		if err := s.checkOneOrNamed(ctx, desc, in.AccountID, in.ID, in.Provider, in.Name); err != nil {
			return IntegrationUpdate{}, fmt.Errorf("update integration: %w", err)
		}
	}
	moved, err := s.checkHosts(desc, settingsBefore, in.Settings)
	if err != nil {
		return IntegrationUpdate{}, err
	}
	// Pointing the integration at another ATS account or host disconnects it
	// (see partner.go); there is then nothing to validate until it reconnects.
	disconnect := moved || connectionSettingsChanged(conn, settingsBefore, in.Settings)
	res := IntegrationUpdate{}
	if disconnect && in.Status == core.IntegrationEnabled {
		in.Status = core.IntegrationDisabled
		res.Disabled = true
	}
	if in.Status == core.IntegrationEnabled && (p.Settings != nil || p.Patterns != nil) {
		// Validation calls the ATS, so it runs outside any transaction.
		checks, err := s.validate(ctx, in)
		if err != nil {
			return IntegrationUpdate{}, err
		}
		if !ats.Passed(checks) {
			return IntegrationUpdate{}, &ValidationFailed{Checks: checks}
		}
	}
	in.UpdatedAt = s.now()
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.UpdateIntegration(ctx, in); err != nil {
			return err
		}
		if !moved {
			return nil
		}
		res.ClearedCredentials, err = clearCredentials(ctx, tx, in.ID)
		return err
	})
	if err != nil {
		return IntegrationUpdate{}, fmt.Errorf("update integration: %w", err)
	}
	in.Version++
	if disconnect {
		if err := s.disconnected(ctx, in); err != nil {
			return IntegrationUpdate{}, fmt.Errorf("update integration: %w", err)
		}
	}
	res.Integration = in
	return res, nil
}

// checkHosts refuses a changed API URL setting that names a host neither its
// connector nor the operator allows, and reports whether one now names
// another host than before.
func (s *Service) checkHosts(desc ats.Description, before, after map[string]string) (moved bool, err error) {
	v := core.Invalid()
	for _, f := range desc.Settings {
		if len(f.Hosts) == 0 {
			continue
		}
		was, now := cmp.Or(before[f.Key], f.Default), cmp.Or(after[f.Key], f.Default)
		if was == now {
			continue
		}
		// Unset (again), an optional URL is the connector's own, derived
		// from other settings on its ATS's host (Workable's subdomain).
		if now != "" || f.Required {
			if problem := s.atsHosts.CheckURL(desc.Name, f, now); problem != "" {
				v.Add("settings."+f.Key, problem)
				continue
			}
		}
		moved = moved || ats.URLHost(was) != ats.URLHost(now)
	}
	return moved, v.OrNil()
}

// apply changes in as the patch says, refusing what the connector does not
// support.
func (p IntegrationPatch) apply(in *core.Integration, desc ats.Description) error {
	v := core.Invalid()
	if p.Name != nil {
		if strings.TrimSpace(*p.Name) == "" {
			v.Add("name", "must not be empty")
		}
		in.Name = strings.TrimSpace(*p.Name)
	}
	if p.Patterns != nil {
		if len(p.Patterns) == 0 {
			v.Add("patterns", "at least one pattern is required")
		}
		for _, pt := range p.Patterns {
			if !slices.Contains(desc.Patterns, pt) {
				v.Add("patterns", fmt.Sprintf("%s does not support %s", desc.Name, pt))
			}
		}
		in.Patterns = slices.Clone(p.Patterns)
	}
	if p.Settings != nil {
		settings := maps.Clone(in.Settings)
		if settings == nil {
			settings = map[string]string{}
		}
		for k, val := range p.Settings {
			if !slices.ContainsFunc(desc.Settings, func(f ats.Field) bool { return f.Key == k }) {
				v.Add("settings."+k, "is not a setting of "+desc.Name)
				continue
			}
			if val == "" {
				delete(settings, k)
			} else {
				settings[k] = strings.TrimSpace(val)
			}
		}
		in.Settings = settings
	}
	if p.WriteBack != nil {
		checkWriteBack(v, *p.WriteBack, desc)
		in.WriteBack = *p.WriteBack
	}
	return v.OrNil()
}

// defaultWriteBack is core.DefaultWriteBack within what the ATS can
// receive: the PDF goes as a link where it cannot take the file.
func defaultWriteBack(desc ats.Description) core.WriteBackConfig {
	wb := core.DefaultWriteBack()
	for kind, on := range wb.Reports.Kinds() {
		if on && !slices.Contains(desc.Reports, kind) {
			wb.Reports.Set(kind, false)
			if kind == "pdf_file" && slices.Contains(desc.Reports, "pdf_url") {
				wb.Reports.PDFURL = true
			}
		}
	}
	return wb
}

// checkWriteBack refuses custom fields and report kinds the ATS cannot take,
// so a configuration never promises what will not arrive.
func checkWriteBack(v *core.ValidationError, wb core.WriteBackConfig, desc ats.Description) {
	if !desc.CustomFields {
		used := wb.StatusField.Enabled || wb.ScoreField.Enabled || wb.LabelField.Enabled
		for _, f := range wb.IndicatorFields {
			used = used || f.Enabled
		}
		if used {
			v.Add("write_back", desc.Name+" has no custom assessment fields; switch the status, score, label and indicator fields off")
		}
	} else if wb.StatusField.Enabled && !desc.StatusField {
		v.Add("write_back.status_field", desc.Name+" takes no status in a custom field; switch the status field off")
	}
	for kind, on := range wb.Reports.Kinds() {
		if on && !slices.Contains(desc.Reports, kind) {
			v.Add("write_back.reports."+kind, desc.Name+" cannot receive this report")
		}
	}
}

// SetCredential encrypts and stores one credential. The value is never
// returned again.
func (s *Service) SetCredential(ctx context.Context, actor core.User, id, name, value string) error {
	if !actor.Role.CanConfigureIntegrations() {
		return fmt.Errorf("set credential: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, id)
	if err != nil {
		return fmt.Errorf("set credential: %w", err)
	}
	conn, _ := s.d.Connectors.Get(in.Provider)
	if !slices.ContainsFunc(conn.Describe().Credentials, func(f ats.Field) bool { return f.Key == name }) {
		return core.Invalid("name", fmt.Sprintf("%q is not a credential of %s", name, conn.Describe().Name))
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return core.Invalid("value", "must not be empty")
	}
	if err := s.putSecret(ctx, s.d.Store, in.ID, name, value); err != nil {
		return fmt.Errorf("set credential: %w", err)
	}
	return nil
}

// ValidateIntegration runs the connector's checks without changing anything.
func (s *Service) ValidateIntegration(ctx context.Context, actor core.User, id string) ([]ats.Check, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return nil, fmt.Errorf("validate integration: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, id)
	if err != nil {
		return nil, fmt.Errorf("validate integration: %w", err)
	}
	return s.validate(ctx, in)
}

func (s *Service) validate(ctx context.Context, in core.Integration) ([]ats.Check, error) {
	checks := []ats.Check{{Name: "at least one integration pattern is on", OK: len(in.Patterns) > 0}}
	if !checks[0].OK {
		checks[0].Problem = "choose ATS-first ad-hoc and/or inline"
	}
	// A URL stored before its host was refused, or whose host the operator
	// no longer allows, fails here as a check; ConnectorConfig would refuse
	// it too, before the connector sends it anything.
	if conn, ok := s.d.Connectors.Get(in.Provider); ok {
		hosts := s.apiHostChecks(conn.Describe(), in)
		if checks = append(checks, hosts...); !ats.Passed(hosts) {
			return checks, nil
		}
	}
	conn, cfg, err := s.ConnectorConfig(ctx, s.d.Store, in)
	if err != nil {
		return nil, fmt.Errorf("validate integration: %w", err)
	}
	if pe, ok := conn.(ats.PartnerEndpoints); ok && pe.InboundAuth().IssuesKey() {
		// The ATS cannot call without the key Switchboard issues for it.
		name := conn.Describe().Name
		c := ats.Check{Name: "a key was issued for " + name, OK: cfg.IssuedKey != ""}
		if !c.OK {
			c.Problem = "generate a key in the integration's \"" + name + " → Switchboard\" section and enter it in " + name
		}
		checks = append(checks, c)
	}
	return append(checks, conn.Validate(ctx, cfg)...), nil
}

// ValidationFailed is returned by SetEnabled when a check fails; the
// integration stays as it was.
type ValidationFailed struct{ Checks []ats.Check }

func (e *ValidationFailed) Error() string {
	var bad []string
	for _, c := range e.Checks {
		if !c.OK {
			bad = append(bad, c.Name+": "+c.Problem)
		}
	}
	return "validation failed: " + strings.Join(bad, "; ")
}

// SetEnabled enables (after validation) or disables an integration. Disabling
// keeps the configuration.
func (s *Service) SetEnabled(ctx context.Context, actor core.User, id string, enabled bool) (core.Integration, []ats.Check, error) {
	if !actor.Role.CanConfigureIntegrations() {
		return core.Integration{}, nil, fmt.Errorf("enable integration: %w", core.ErrForbidden)
	}
	in, err := s.IntegrationFor(ctx, s.d.Store, actor, id)
	if err != nil {
		return core.Integration{}, nil, fmt.Errorf("enable integration: %w", err)
	}
	if !enabled && in.Status == core.IntegrationDraft {
		return in, nil, nil // never enabled: disabling changes nothing
	}
	var checks []ats.Check
	status := core.IntegrationDisabled
	if enabled {
		// Validation calls the ATS, so it runs outside any transaction.
		checks, err = s.validate(ctx, in)
		if err != nil {
			return core.Integration{}, nil, err
		}
		if !ats.Passed(checks) {
			return in, checks, &ValidationFailed{Checks: checks}
		}
		status = core.IntegrationEnabled
	}
	in.Status = status
	in.UpdatedAt = s.now()
	if err := s.d.Store.UpdateIntegration(ctx, in); err != nil {
		return core.Integration{}, checks, fmt.Errorf("enable integration: %w", err)
	}
	in.Version++
	return in, checks, nil
}

// Provider is a connector the API offers, with what it supports.
type Provider struct {
	Provider string `json:"provider"`
	ats.Description
}

// Providers lists the ATSs this Switchboard connects to.
func (s *Service) Providers() []Provider {
	var out []Provider
	for _, name := range s.d.Connectors.Providers() {
		c, _ := s.d.Connectors.Get(name)
		out = append(out, Provider{Provider: name, Description: c.Describe()})
	}
	return out
}

// IntegrationNames maps the account's integration ids to their names and
// providers, for order filters and lists. Unlike Integrations it reveals no
// settings, so every role may call it.
func (s *Service) IntegrationNames(ctx context.Context, actor core.User) ([]IntegrationName, error) {
	ins, err := s.d.Store.ListIntegrations(ctx, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("integration names: %w", err)
	}
	out := make([]IntegrationName, 0, len(ins))
	for _, in := range ins {
		out = append(out, IntegrationName{ID: in.ID, Name: in.Name, Provider: in.Provider})
	}
	return out, nil
}

// IntegrationName is an integration as a filter shows it.
type IntegrationName struct {
	ID, Name, Provider string
}
