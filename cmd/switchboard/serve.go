package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"switchboard/internal/app"
	"switchboard/internal/ats"
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
	if err := parse(fs, args); err != nil {
		return err
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
	return serve(ctx, cfg, *listen, *metricsListen, stdout)
}

// serve serves until ctx ends; with metricsListen, /metrics there too, and
// when either server fails both stop.
func serve(ctx context.Context, cfg app.Config, listen, metricsListen string, stdout io.Writer) error {
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx))
	if err := a.Start(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Commands run beside the server print the links it answers.
	if err := a.RecordBaseURL(ctx); err != nil {
		ln.Close()
		return err
	}
	if metricsListen == "" {
		if cfg.MetricsToken == "" {
			a.Logger.Info("metrics are off: set --metrics-listen or --metrics-token to serve /metrics")
		}
		a.Logger.Info("serving", "addr", ln.Addr().String(), "base_url", a.Service.BaseURL(), "database", a.Store.Dialect())
		return a.Serve(ctx, ln)
	}
	mln, err := net.Listen("tcp", metricsListen)
	if err != nil {
		ln.Close()
		return fmt.Errorf("listen for metrics: %w", err)
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
