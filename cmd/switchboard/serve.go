package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"switchboard/internal/app"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]", stderr)
	var c common
	c.register(fs)
	listen := fs.String("listen", "localhost:8080", "address to serve HTTP on")
	smtpURL := fs.String("smtp-url", "", "smtp://user:pass@host:587 or smtps://… to send email (default: keep it in the dev outbox at /dev/outbox)")
	mailFrom := fs.String("mail-from", "", "sender address of invitation emails")
	allowPrivate := fs.Bool("allow-private-network", false, "let outbound calls reach loopback and private addresses (an ATS on your own network)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(stderr)
	if err != nil {
		return err
	}
	cfg.SMTPURL, cfg.MailFrom, cfg.AllowPrivateNetwork, cfg.Work = *smtpURL, *mailFrom, *allowPrivate, true
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
	// Commands run beside the server print the links it answers.
	if err := a.RecordBaseURL(ctx); err != nil {
		return err
	}
	a.Logger.Info("serving", "addr", ln.Addr().String(), "base_url", a.Service.BaseURL(), "database", a.Store.Dialect())
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
