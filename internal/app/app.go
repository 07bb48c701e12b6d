// Package app assembles a running Switchboard from its configuration: the
// store for the chosen dialect, the secret keyring, the job queue, the ATS
// connectors, the service, identity, integrations and the HTTP handler. The
// commands serve, demo and migrate, and end-to-end tests, all build through
// it.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/api"
	"switchboard/internal/ats"
	"switchboard/internal/ats/ashby"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/ats/lever"
	"switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/ats/workable"
	"switchboard/internal/core"
	"switchboard/internal/engine"
	"switchboard/internal/identity"
	"switchboard/internal/integrations"
	"switchboard/internal/mail"
	"switchboard/internal/metrics"
	"switchboard/internal/netguard"
	"switchboard/internal/queue"
	"switchboard/internal/report"
	"switchboard/internal/review"
	"switchboard/internal/secret"
	"switchboard/internal/service"
	"switchboard/internal/store"
	"switchboard/internal/store/postgres"
	"switchboard/internal/store/sqlite"
	"switchboard/internal/ui"
	"switchboard/internal/vendorapi"
	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
	"switchboard/internal/vendors"
	"switchboard/internal/web"
)

// Config is everything an operator can set.
type Config struct {
	DataDir     string // SQLite database and generated secret key; default ./data
	DatabaseURL string // postgres://… to use PostgreSQL instead of SQLite
	SecretKey   string // base64 or hex AES-256 key; empty: <DataDir>/secret.key, generated when absent
	// BaseURL is the public URL of this Switchboard; empty: the one serve
	// last recorded (RecordBaseURL), else http://localhost:8080.
	BaseURL  string
	SMTPURL  string // smtp://… to send email; empty: the dev outbox
	MailFrom string
	// AllowPrivateNetwork lets outbound calls reach loopback and private
	// addresses (simulators, an ATS on the operator's own network).
	AllowPrivateNetwork bool
	// AllowATSHosts are hosts an integration's API URL may name besides its
	// ATS's own: "host" (any port) or "host:port".
	AllowATSHosts []string
	// Work makes this process run jobs (false for CLI commands that only enqueue).
	Work bool
	// MetricsToken, when set, is the bearer token a /metrics scrape must send.
	MetricsToken string
	// MetricsOwnListener serves /metrics only through ServeMetrics (the
	// operator's --metrics-listen), not on the main handler. Without it and
	// without MetricsToken, /metrics is not served.
	MetricsOwnListener bool
	// InboundRetention is how long stored webhooks are kept (0: 30 days).
	InboundRetention time.Duration
	// Workers, EmailWorkers and VendorWorkers are this process's workers on
	// the default, email and vendor queues (0: queue's defaults).
	Workers, EmailWorkers, VendorWorkers int
	// DBMaxConns caps the PostgreSQL pool (0: the store's own cap).
	DBMaxConns int

	Logger *slog.Logger
	// Test and demo hooks.
	Now          func() time.Time
	PollInterval time.Duration
	RetryPolicy  river.ClientRetryPolicy
	// ClientSleep replaces the ATS clients' waits and ClientNow the clock
	// their rate limits and tokens read; a test's ClientSleep should move
	// ClientNow (default: Now).
	ClientSleep func(ctx context.Context, d time.Duration) error
	ClientNow   func() time.Time
	// Connectors are more ATS connectors, after the built-in ones: for tests
	// of what the core does for any connector of a kind.
	Connectors []ats.Connector
	// VendorDisableAfter is how long a vendor's endpoint may fail without
	// a break before it is disabled; 0 means vendors' default (5 days).
	VendorDisableAfter time.Duration
	// ExtraRoutes mounts more handlers (the demo's simulator).
	ExtraRoutes func(mux *http.ServeMux)
	// ExtraWorkers registers more job kinds on a working app: for tests of
	// how serve stops while a job runs.
	ExtraWorkers func(w *river.Workers)
}

// App is a running Switchboard.
type App struct {
	Store   store.Store
	Queue   *queue.Queue
	Service *service.Service
	// Engine is the built-in assessment engine (invitations, expiry, the
	// candidate's journey, its PDF report).
	Engine *engine.Engine
	// Identity is accounts, users, API keys and sign-in.
	Identity *identity.Service
	// Integrations is integration configuration, credentials and connecting.
	Integrations *integrations.Service
	// Vendors is outside vendors: keys, links, endpoints and packages.
	Vendors *vendors.Service
	// Review is applicant review: sources, sync, ranking, moves.
	Review  *review.Service
	Handler http.Handler
	Logger  *slog.Logger
	work    bool
	metrics http.Handler
}

// Open builds the app and migrates the database.
func Open(ctx context.Context, cfg Config) (*App, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.DatabaseURL != "" {
		if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
			return nil, errors.New("app: --database-url must be a postgres:// URL (SQLite is used when it is empty)")
		}
		if cfg.SecretKey == "" {
			// Replicas share the database, so they must share the key: one
			// generated per replica would make each unable to read the others'
			// credentials and links.
			return nil, errors.New("app: with --database-url, set --secret-key (SWITCHBOARD_SECRET_KEY) to the same key on every replica; generate one with: head -c 32 /dev/urandom | base64")
		}
	}
	if cfg.MetricsToken != "" && len(cfg.MetricsToken) < 16 {
		return nil, errors.New("app: --metrics-token (SWITCHBOARD_METRICS_TOKEN) must be at least 16 characters; generate one with: head -c 24 /dev/urandom | base64")
	}
	key, err := loadKey(cfg, log)
	if err != nil {
		return nil, err
	}
	keyring, err := secret.NewKeyring(key)
	if err != nil {
		return nil, fmt.Errorf("app: keyring: %w", err)
	}
	signer, err := report.NewSigner(deriveKey(key, "report-links"), cfg.Now)
	if err != nil {
		return nil, fmt.Errorf("app: signer: %w", err)
	}

	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*App, error) {
		st.Close()
		return nil, err
	}
	if err := Migrate(ctx, st); err != nil {
		return fail(err)
	}
	if cfg.BaseURL == "" {
		if cfg.BaseURL, err = servedBaseURL(ctx, st); err != nil {
			return fail(err)
		}
	}

	var sender mail.Sender
	if cfg.SMTPURL != "" {
		smtp, err := mail.NewSMTP(cfg.SMTPURL)
		if err != nil {
			return fail(fmt.Errorf("app: smtp: %w", err))
		}
		sender = smtp
	}
	mtr := metrics.New()
	httpClient := netguard.NewClient(netguard.Options{
		AllowPrivate: cfg.AllowPrivateNetwork,
		// A backstop only: every ATS request carries its own deadline
		// (atshttp.RequestTimeout, atshttp.UploadTimeout for files), so that
		// an ATS that hangs holds a worker for seconds, not minutes.
		Timeout: atshttp.UploadTimeout,
		Wrap: func(rt http.RoundTripper) http.RoundTripper {
			return ats.RecordingTransport{Base: mtr.Transport(rt, func(r *http.Request) string { return ats.ProviderOf(r.Context()) })}
		},
	})
	clientNow := cfg.ClientNow
	if clientNow == nil {
		clientNow = cfg.Now
	}
	rt := ats.Runtime{Sleep: cfg.ClientSleep, Now: clientNow, Logger: log}
	connectors := ats.NewRegistry(append([]ats.Connector{
		lever.NewConnector(lever.ConnectorOptions{Limiters: lever.NewLimiterPool(), Runtime: rt}),
		smartrecruiters.NewConnector(smartrecruiters.ConnectorOptions{Runtime: rt}),
		ashby.NewConnector(ashby.ConnectorOptions{Runtime: rt}),
		greenhouse.NewConnector(greenhouse.ConnectorOptions{AllowHosts: cfg.AllowATSHosts, Runtime: rt}),
		workable.NewConnector(workable.ConnectorOptions{AllowATSHosts: cfg.AllowATSHosts, Runtime: rt}),
	}, cfg.Connectors...)...)
	integ, err := integrations.New(integrations.Deps{
		Store: st, Connectors: connectors, Keyring: keyring, HTTPClient: httpClient,
		BaseURL: cfg.BaseURL, AllowATSHosts: cfg.AllowATSHosts, Now: cfg.Now, Logger: log,
	})
	if err != nil {
		return fail(err)
	}
	rev, err := review.New(review.Deps{
		Store: st, Connectors: connectors, Integrations: integ, Keyring: keyring, HTTPClient: httpClient,
		BaseURL: cfg.BaseURL, AllowATSHosts: cfg.AllowATSHosts, Now: cfg.Now, Logger: log,
	})
	if err != nil {
		return fail(err)
	}
	eng, err := engine.New(engine.Deps{
		Store: st, Keyring: keyring, Mail: sender, BaseURL: cfg.BaseURL, MailFrom: cfg.MailFrom, Now: cfg.Now,
	})
	if err != nil {
		return fail(err)
	}
	vnd, err := vendors.New(vendors.Deps{
		Store: st, Keyring: keyring, HTTPClient: httpClient, Now: cfg.Now, Logger: log,
		// A vendor on the operator's own network may speak plain http.
		AllowHTTP:    cfg.AllowPrivateNetwork,
		DisableAfter: cfg.VendorDisableAfter,
	})
	if err != nil {
		return fail(err)
	}
	svc, err := service.New(service.Deps{
		Store: st, Connectors: connectors, Signer: signer, Mail: sender,
		HTTPClient: httpClient, BaseURL: cfg.BaseURL, Now: cfg.Now, Logger: log,
		Observer: mtr, Integrations: integ, InboundRetention: cfg.InboundRetention, Engine: eng,
		Vendors: vnd, VendorHTTP: cfg.AllowPrivateNetwork,
	})
	if err != nil {
		return fail(err)
	}
	// The built-in engine is the order path's fulfiller for its vacancies,
	// and moves its orders through the order path.
	eng.UseOrders(svc)
	// An integration's view shows its failed webhooks, which the service processes.
	integ.UseInbound(svc)
	id, err := identity.New(identity.Deps{Store: st, BaseURL: cfg.BaseURL, Now: cfg.Now, Logger: log})
	if err != nil {
		return fail(err)
	}
	qcfg := queue.Config{
		Logger: quietRiver(log), PollInterval: cfg.PollInterval, RetryPolicy: cfg.RetryPolicy,
		DefaultWorkers: cfg.Workers, EmailWorkers: cfg.EmailWorkers, VendorWorkers: cfg.VendorWorkers,
		DatabaseURL: cfg.DatabaseURL, DBMaxConns: cfg.DBMaxConns,
	}
	if cfg.Work {
		qcfg.Workers = river.NewWorkers()
		service.RegisterWorkers(qcfg.Workers, svc)
		engine.RegisterWorkers(qcfg.Workers, eng)
		review.RegisterWorkers(qcfg.Workers, rev)
		qcfg.PeriodicJobs = slices.Concat(service.PeriodicJobs(), engine.PeriodicJobs(), review.PeriodicJobs())
		if cfg.ExtraWorkers != nil {
			cfg.ExtraWorkers(qcfg.Workers)
		}
	}
	q, err := queue.New(st, qcfg)
	if err != nil {
		return fail(err)
	}
	svc.UseQueue(q)
	rev.UseQueue(q)

	mux := http.NewServeMux()
	api.Register(mux, svc, id, integ, log)
	api.RegisterVendors(mux, vnd, svc, id, log)
	api.RegisterReview(mux, rev, svc, id, log)
	vapi, err := vendorapi.New(vendorapi.Config{
		Vendors: vnd, Orders: svc, Connectors: func() []wire.ConnectorMeta { return connectorMeta(connectors) },
		Now: cfg.Now, Logger: log, ResultOptions: result.Options{AllowHTTP: cfg.AllowPrivateNetwork},
	})
	if err != nil {
		return fail(err)
	}
	// The API outside vendors call, StackOne-shaped: results, orders,
	// packages, their webhook endpoint; its OpenAPI document and reference.
	mux.Handle(service.VendorAPIPath+"/", vapi)
	// Applicant review's change callbacks (SmartRecruiters' webhooks).
	mux.Handle("POST "+review.HookPath+"{token}", rev.Hook())
	// Endpoints ATSs such as SmartRecruiters call: /partners/{provider}/….
	integ.RegisterPartnerEndpoints(mux, svc.PartnerOrders())
	if err := web.Register(mux, svc, eng, log); err != nil {
		return fail(err)
	}
	if err := ui.Register(mux, svc, eng, vnd, id, integ, rev, log); err != nil {
		return fail(err)
	}
	// Counts and latencies only: nothing about any account or candidate. Still
	// not for everyone: on its own listener, or behind a token.
	metricsHandler := mtr.Handler(cfg.MetricsToken)
	switch {
	case cfg.MetricsOwnListener:
	case cfg.MetricsToken != "":
		mux.Handle("GET /metrics", metricsHandler)
	default:
		metricsHandler = nil
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	if cfg.ExtraRoutes != nil {
		cfg.ExtraRoutes(mux)
	}
	return &App{Store: st, Queue: q, Service: svc, Engine: eng, Identity: id, Integrations: integ, Vendors: vnd, Review: rev, Handler: logRequests(log, mux), Logger: log, work: cfg.Work, metrics: metricsHandler}, nil
}

// Migrate brings Switchboard's and the queue's schema up to date.
func Migrate(ctx context.Context, st store.Store) error {
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("app: migrate: %w", err)
	}
	if err := queue.Migrate(ctx, st); err != nil {
		return fmt.Errorf("app: migrate: %w", err)
	}
	return nil
}

// settingBaseURL is where serve records the base URL it serves with, so
// that commands run beside it (validate, accounts create) print the links
// the server answers.
const settingBaseURL = "base_url"

// servedBaseURL is the base URL serve last recorded, else the default.
func servedBaseURL(ctx context.Context, st store.Store) (string, error) {
	u, err := st.GetSetting(ctx, settingBaseURL)
	switch {
	case errors.Is(err, core.ErrNotFound):
		return "http://localhost:8080", nil
	case err != nil:
		return "", fmt.Errorf("app: base URL: %w", err)
	}
	return u, nil
}

// RecordBaseURL records the base URL this app serves with, for commands
// run later without --base-url (see Config.BaseURL).
func (a *App) RecordBaseURL(ctx context.Context) error {
	if err := a.Store.PutSetting(ctx, settingBaseURL, a.Service.BaseURL(), time.Now()); err != nil {
		return fmt.Errorf("app: record base URL: %w", err)
	}
	return nil
}

func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		st, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("app: %w", err)
		}
		return st, nil
	}
	st, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return st, nil
}

func loadKey(cfg Config, log *slog.Logger) ([]byte, error) {
	if cfg.SecretKey != "" {
		key, err := secret.ParseKey(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("app: SWITCHBOARD_SECRET_KEY: %w", err)
		}
		return key, nil
	}
	path := filepath.Join(cfg.DataDir, "secret.key")
	key, created, err := secret.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("app: secret key: %w", err)
	}
	if created {
		log.Warn("SWITCHBOARD_SECRET_KEY is not set: generated a key; back it up, credentials cannot be decrypted without it, and every replica needs the same one", "path", path)
	}
	return key, nil
}

// deriveKey gives each use of the master key its own key, so that, for
// example, a report-link signature can never double as a ciphertext tag.
func deriveKey(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("switchboard:" + purpose))
	return m.Sum(nil)
}

// Start starts working jobs, if this app works jobs.
func (a *App) Start(ctx context.Context) error {
	if !a.work {
		return nil
	}
	if err := a.Queue.Start(ctx); err != nil {
		return fmt.Errorf("app: start queue: %w", err)
	}
	return nil
}

// Close stops the queue (letting running jobs finish until ctx ends) and the store.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	if a.work {
		if err := a.Queue.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := a.Store.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Serve serves HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	return a.serve(ctx, ln, a.Handler)
}

// ServeMetrics serves /metrics alone on ln (the operator's --metrics-listen)
// until ctx ends.
func (a *App) ServeMetrics(ctx context.Context, ln net.Listener) error {
	if a.metrics == nil {
		return errors.New("app: metrics are not configured for their own listener")
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics)
	return a.serve(ctx, ln, mux)
}

func (a *App) serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("app: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	return nil
}

// quietRiver keeps River's own info chatter out of the service log.
func quietRiver(log *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{h: log.Handler(), min: slog.LevelWarn})
}

func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rw, r)
		// Paths only: query strings may hold signed-link signatures.
		log.Debug("http", "method", r.Method, "path", redactPath(r.URL.Path), "status", rw.status, "duration", time.Since(start))
	})
}

// redactPath hides candidates' invitation tokens, which are bearer credentials.
func redactPath(p string) string {
	if strings.HasPrefix(p, "/a/") {
		return "/a/…"
	}
	return p
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type levelFilter struct {
	h   slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.h.Enabled(ctx, l)
}
func (f levelFilter) Handle(ctx context.Context, r slog.Record) error { return f.h.Handle(ctx, r) }
func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{h: f.h.WithAttrs(a), min: f.min}
}
func (f levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{h: f.h.WithGroup(n), min: f.min}
}

// connectorMeta says, per connector, what its ATS shows of a result (the
// vendor API's connector meta).
func connectorMeta(r *ats.Registry) []wire.ConnectorMeta {
	var out []wire.ConnectorMeta
	for _, p := range r.Providers() {
		c, _ := r.Get(p)
		d := c.Describe()
		out = append(out, wire.ConnectorMeta{Provider: p, Name: d.Name, Shows: wire.Shows(d.Shows)})
	}
	return out
}
