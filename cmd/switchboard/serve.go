package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"switchboard/internal/app"
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
	cfg.InboundRetention = *retention
	return serve(ctx, cfg, *listen, stdout)
}

func serve(ctx context.Context, cfg app.Config, listen string, stdout io.Writer) error {
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
	a.Logger.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "database", a.Store.Dialect())
	return a.Serve(ctx, ln)
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
