// Package review is applicant review, the second half of Switchboard: a
// sourcing team connects an ATS (a review source), Switchboard keeps its
// open jobs and their applicants in sync (a durable job per page, resumable
// after a crash, within the ATS's limits), takes the deletions and job
// status changes the ATS pushes, filters and ranks each job's applicants
// against the team's qualifications with the reasons shown (package rank),
// including the candidate's result from Switchboard's own assessments, and
// moves applicants on in the ATS.
//
// It reaches an ATS only through the optional connector capabilities
// ats.ApplicantSource and ats.ChangeSubscriber, never by provider name.
package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// Integrations gives the connector configuration of an assessment
// integration, for a source that reuses its credentials.
type Integrations interface {
	ConnectorConfig(ctx context.Context, q store.Queries, in core.Integration) (ats.Connector, ats.Config, error)
}

// Enqueuer inserts a job in the transaction that causes it.
type Enqueuer interface {
	Enqueue(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Deps are what review needs.
type Deps struct {
	Store        store.Store
	Connectors   *ats.Registry
	Integrations Integrations
	Keyring      *secret.Keyring
	// HTTPClient is the guarded, instrumented client for calls to ATSs.
	HTTPClient *http.Client
	// BaseURL is where ATSs reach this Switchboard: change callbacks go to
	// BaseURL + HookPath + a source's hook token.
	BaseURL string
	// AllowATSHosts are hosts a source's API URL may name besides its ATS's
	// own (the operator's --allow-ats-host).
	AllowATSHosts []string
	Now           func() time.Time
	Logger        *slog.Logger
}

// HookPath is where an ATS sends a source's change notifications.
const HookPath = "/hooks/review/"

// Service holds applicant review's operations.
type Service struct {
	d     Deps
	hosts ats.AllowedHosts
	queue Enqueuer
	ranks rankCache
}

// New builds the review service; UseQueue must be called before syncs run.
func New(d Deps) (*Service, error) {
	switch {
	case d.Store == nil, d.Connectors == nil, d.Integrations == nil, d.Keyring == nil, d.HTTPClient == nil:
		return nil, errors.New("review: Store, Connectors, Integrations, Keyring and HTTPClient are required")
	case d.BaseURL == "":
		return nil, errors.New("review: BaseURL is required")
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
		return nil, fmt.Errorf("review: %w", err)
	}
	return &Service{d: d, hosts: hosts}, nil
}

// UseQueue connects the job queue, which is built after the service.
func (s *Service) UseQueue(q Enqueuer) { s.queue = q }

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// Providers are the ATSs whose connectors are applicant sources, with the
// settings and credentials a connection of its own needs.
func (s *Service) Providers() []Provider {
	var out []Provider
	for _, name := range s.d.Connectors.Providers() {
		c, _ := s.d.Connectors.Get(name)
		src, ok := c.(ats.ApplicantSource)
		if !ok {
			continue
		}
		settings, creds := src.SourceFields()
		_, pushes := c.(ats.ChangeSubscriber)
		_, prospects := c.(ats.ProspectSender)
		out = append(out, Provider{Provider: c.Provider(), Name: c.Describe().Name, Settings: settings, Credentials: creds,
			PushesChanges: pushes, TakesProspects: prospects})
	}
	return out
}

// Provider is an ATS applicant review can connect.
type Provider struct {
	Provider    string
	Name        string
	Settings    []ats.Field
	Credentials []ats.Field
	// PushesChanges: the ATS tells Switchboard of deletions and job status
	// changes (webhooks Switchboard subscribes on connecting).
	PushesChanges bool
	// TakesProspects: a test prospect can be sent (SendTestProspect).
	TakesProspects bool
}

func (s *Service) source(provider string) (ats.Connector, ats.ApplicantSource, error) {
	c, ok := s.d.Connectors.Get(provider)
	if !ok {
		return nil, nil, core.Invalid("provider", fmt.Sprintf("%q is not an ATS Switchboard knows", provider))
	}
	src, ok := c.(ats.ApplicantSource)
	if !ok {
		return nil, nil, core.Invalid("provider", c.Describe().Name+" cannot be used for applicant review")
	}
	return c, src, nil
}
