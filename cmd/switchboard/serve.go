package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"switchboard/internal/app"
	"switchboard/internal/ats"
	"switchboard/internal/queue"
	"switchboard/internal/service"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]", stderr)
	var c common
	c.register(fs)
	listen := fs.String("listen", "localhost:8080", "address to serve HTTP on")
	smtpURL := fs.String("smtp-url", "", "smtp://user:pass@host:587 or smtps://… to send email (default: keep it in the dev outbox at /dev/outbox)")
	mailFrom := fs.String("mail-from", "", "sender address of invitation emails")
	allowPrivate := fs.Bool("allow-private-network", false, "let outbound calls reach loopback and private addresses (an ATS on your own network)")
	var atsHosts hostsFlag
	metricsListen := fs.String("metrics-listen", "", "address to serve /metrics on, apart from --listen (default: /metrics only with --metrics-token)")
	metricsToken := fs.String("metrics-token", "", "bearer token a /metrics scrape must send (at least 16 characters); with it alone /metrics is served on --listen")
	fs.Var(&atsHosts, "allow-ats-host", "a host (any port) or host:port an integration's API base URL may name besides its ATS's own; repeat it or give a comma-separated list")
	retention := fs.Duration("inbound-retention", service.DefaultInboundRetention, "how long stored webhooks are kept, at least 24h (orders and their timelines stay)")
	workers := fs.Int("workers", queue.DefaultWorkers, "jobs this process runs at once on the default queue (ATS calls, inbound webhooks)")
	emailWorkers := fs.Int("email-workers", queue.EmailWorkers, "invitation emails this process sends at once")
	vendorWorkers := fs.Int("vendor-workers", queue.VendorWorkers, "deliveries to vendors this process makes at once")
	dbMaxConns := fs.Int("db-max-conns", defaultDBMaxConns, "most PostgreSQL connections this process opens (its queue's included, plus one for LISTEN); ignored on SQLite")
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"workers", *workers}, {"email-workers", *emailWorkers}, {"vendor-workers", *vendorWorkers}, {"db-max-conns", *dbMaxConns}} {
		if f.v <= 0 {
			return &exitError{code: 2, err: fmt.Errorf("--%s (or $SWITCHBOARD_%s) %d: must be at least 1", f.name, strings.ToUpper(strings.ReplaceAll(f.name, "-", "_")), f.v)}
		}
	}
	if *retention < service.MinInboundRetention {
		return &exitError{code: 2, err: fmt.Errorf("--inbound-retention (or $SWITCHBOARD_INBOUND_RETENTION) %s: at least %s, since a stored webhook also turns its replays away", *retention, service.MinInboundRetention)}
	}
	cfg, err := c.config(stderr)
	if err != nil {
		return err
	}
	cfg.SMTPURL, cfg.MailFrom, cfg.AllowPrivateNetwork, cfg.Work = *smtpURL, *mailFrom, *allowPrivate, true
	cfg.AllowATSHosts = atsHosts
	cfg.MetricsToken, cfg.MetricsOwnListener = *metricsToken, *metricsListen != ""
	cfg.InboundRetention = *retention
	cfg.Workers, cfg.EmailWorkers, cfg.VendorWorkers, cfg.DBMaxConns = *workers, *emailWorkers, *vendorWorkers, *dbMaxConns
	listenTCP := func() (ln, mln net.Listener, err error) {
		if ln, err = net.Listen("tcp", *listen); err != nil {
			return nil, nil, fmt.Errorf("listen: %w", err)
		}
		if *metricsListen != "" {
			if mln, err = net.Listen("tcp", *metricsListen); err != nil {
				ln.Close()
				return nil, nil, fmt.Errorf("listen for metrics: %w", err)
			}
		}
		return ln, mln, nil
	}
	return serve(ctx, cfg, listenTCP, drainBounds{grace: drainGrace, hard: drainHard}, stdout)
}

// listenFunc opens serve's listener and, when /metrics has its own, that one
// (else nil).
type listenFunc func() (ln, mln net.Listener, err error)

// defaultDBMaxConns is the PostgreSQL store's own pool cap.
const defaultDBMaxConns = 25

// drainBounds bound a shutdown's job phase: running jobs get grace to finish,
// then are cancelled (River retries them later, here or on another replica)
// and get hard more to return. HTTP's bound is the app's (20s).
type drainBounds struct{ grace, hard time.Duration }

// Serve's drain bounds. Jobs keep running while HTTP drains (up to the app's
// 20s), so most finish before their grace starts; the worst case is 20s +
// 25s + 5s, which an orchestrator's kill timeout should allow for (a replica
// killed sooner loses nothing: its jobs are rescued, see queue.RescueAfter).
const (
	drainGrace = 25 * time.Second
	drainHard  = 5 * time.Second
)

// serve opens the app, then listens (so that a replica still migrating
// refuses connections rather than holding them) and serves until ctx ends or
// a server fails; then it drains in order: HTTP stops taking requests and
// finishes those in flight; the queue stops taking jobs and finishes (or,
// past drain's bounds, cancels) those running; the store closes. A drain
// that completes is a clean exit, nil.
func serve(ctx context.Context, cfg app.Config, listen listenFunc, drain drainBounds, stdout io.Writer) error {
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	// Not ctx: River cancels its jobs at once when Start's context ends, and
	// a signal must let them finish first (the drain below stops the queue).
	if err := a.Start(context.WithoutCancel(ctx)); err != nil {
		return errors.Join(err, a.Close(context.WithoutCancel(ctx)))
	}
	ln, mln, err := listen()
	if err != nil {
		return errors.Join(err, a.Close(context.WithoutCancel(ctx)))
	}
	errs := []error{serveHTTP(ctx, a, cfg, ln, mln)}
	a.Logger.Info("draining: HTTP stopped; finishing running jobs", "grace", drain.grace)
	after := context.WithoutCancel(ctx)
	if cfg.Work {
		errs = append(errs, a.Queue.Drain(after, drain.grace, drain.hard))
	}
	errs = append(errs, a.Close(after))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	a.Logger.Info("drained")
	return nil
}

// serveHTTP serves until ctx ends or a server fails, and returns when both
// servers have shut down.
func serveHTTP(ctx context.Context, a *app.App, cfg app.Config, ln, mln net.Listener) error {
	// Commands run beside the server print the links it answers.
	if err := a.RecordBaseURL(ctx); err != nil {
		ln.Close()
		if mln != nil {
			mln.Close()
		}
		return err
	}
	if mln == nil {
		if cfg.MetricsToken == "" {
			a.Logger.Info("metrics are off: set --metrics-listen or --metrics-token to serve /metrics")
		}
		a.Logger.Info("serving", "addr", ln.Addr().String(), "base_url", a.Service.BaseURL(), "database", a.Store.Dialect())
		return a.Serve(ctx, ln)
	}
	a.Logger.Info("serving", "addr", ln.Addr().String(), "metrics_addr", mln.Addr().String(), "base_url", a.Service.BaseURL(), "database", a.Store.Dialect())
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 2)
	go func() { errc <- a.Serve(ctx, ln) }()
	go func() { errc <- a.ServeMetrics(ctx, mln) }()
	first := <-errc
	stop() // the other server shuts down too
	return errors.Join(first, <-errc)
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate [flags]", stderr)
	var c common
	c.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(stderr)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg) // Open migrates
	if err != nil {
		return err
	}
	defer a.Close(ctx)
	fmt.Fprintf(stdout, "database (%s) is up to date\n", a.Store.Dialect())
	return nil
}

// hostsFlag collects a repeatable flag whose every value may be a
// comma-separated list, as its environment variable is.
type hostsFlag []string

func (h *hostsFlag) String() string { return strings.Join(*h, ",") }

func (h *hostsFlag) Set(v string) error {
	list := strings.Split(v, ",")
	if _, err := ats.ParseAllowedHosts(list); err != nil {
		return err
	}
	*h = append(*h, list...)
	return nil
}
