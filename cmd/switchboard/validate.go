package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"switchboard/internal/app"
	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

// cmdValidate is the "validating integration setup" checklist from the
// command line: the configuration checks, and with --vacancy a real test
// order through the ATS, as the UI's buttons run them. It acts as a super
// admin of the integration's account.
func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "validate --integration ID [--vacancy ID] [flags]", stderr)
	var c common
	c.register(fs)
	integration := fs.String("integration", "", "the integration to validate (required)")
	vacancy := fs.String("vacancy", "", "also run a test order for this vacancy: a test candidate in the ATS, an assessment completed, and what came back checked")
	allowPrivate := fs.Bool("allow-private-network", false, "let calls reach loopback and private addresses (an ATS on your own network)")
	// As serve takes it: without it, an integration whose API base URL names
	// a host the server allows would fail here and pass there.
	var atsHosts hostsFlag
	fs.Var(&atsHosts, "allow-ats-host", "a host (any port) or host:port an integration's API base URL may name besides its ATS's own, as given to serve; repeat it or give a comma-separated list")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *integration == "" {
		return &exitError{code: 2, err: errors.New("validate: give --integration ID (and optionally --vacancy ID), nothing else")}
	}
	cfg, err := c.config(stderr)
	if err != nil {
		return err
	}
	// A test order needs its webhooks and write-back jobs worked.
	cfg.Work, cfg.AllowPrivateNetwork = *vacancy != "", *allowPrivate
	cfg.AllowATSHosts = atsHosts
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx))
	if err := a.Start(ctx); err != nil {
		return err
	}
	in, err := a.Store.GetIntegration(ctx, *integration)
	if errors.Is(err, core.ErrNotFound) {
		err = core.Explain(err, "validate: there is no integration %q", *integration)
	}
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	actor, err := superAdminOf(ctx, a, in.AccountID)
	if err != nil {
		return err
	}

	checks, err := a.Integrations.ValidateIntegration(ctx, actor, in.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s): configuration\n", in.Name, in.Status)
	view, err := a.Integrations.Integration(ctx, actor, in.ID)
	if err != nil {
		return err
	}
	if view.WebhookURL != "" {
		// From the base URL serve records, so it is the URL the server answers.
		fmt.Fprintf(stdout, "  webhook URL: %s\n", view.WebhookURL)
	}
	printInbound(stdout, view.Description.Name, view.Inbound)
	ok := printChecks(stdout, checks)
	if *vacancy != "" {
		run, err := a.Service.RunValidation(ctx, actor, in.ID, *vacancy)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\ntest order for vacancy %s (%s)\n", *vacancy, run.Duration.Round(1e6))
		ok = printChecks(stdout, run.Checks) && ok
		if run.OrderID != "" {
			fmt.Fprintf(stdout, "  order %s, test candidate %s\n", run.OrderID, run.Candidate.ProfileURL)
		}
	}
	if !ok {
		return &exitError{code: 1, err: errors.New("validate: some checks failed")}
	}
	return nil
}

// printInbound says how the ATS calls Switchboard, for partner connectors:
// the URLs to hand it (from the base URL serve records, like the webhook
// URL) and whether it has a key, never the key.
func printInbound(w io.Writer, ats string, pc *integrations.PartnerConnection) {
	if pc == nil || pc.Auth == "" {
		return
	}
	for _, u := range pc.HandOver {
		fmt.Fprintf(w, "  %s: %s\n", u.Label, u.URL)
	}
	switch {
	case pc.Auth.IssuesKey() && pc.Connected:
		fmt.Fprintf(w, "  %s → Switchboard: key %s issued %s\n", ats, pc.KeyHint, pc.ConnectedAt.UTC().Format(time.RFC3339))
	case pc.Auth.IssuesKey():
		fmt.Fprintf(w, "  %s → Switchboard: no key issued yet\n", ats)
	case pc.Connected:
		fmt.Fprintf(w, "  %s → Switchboard: connected as %s since %s\n", ats, pc.ClientID, pc.ConnectedAt.UTC().Format(time.RFC3339))
	default:
		fmt.Fprintf(w, "  %s → Switchboard: not connected\n", ats)
	}
}

func printChecks(w io.Writer, checks []ats.Check) bool {
	for _, c := range checks {
		if c.OK {
			fmt.Fprintf(w, "  ✓ %s\n", c.Name)
		} else {
			fmt.Fprintf(w, "  ✗ %s: %s\n", c.Name, c.Problem)
		}
	}
	return ats.Passed(checks)
}

func superAdminOf(ctx context.Context, a *app.App, accountID string) (core.User, error) {
	users, err := a.Store.ListUsers(ctx, accountID)
	if err != nil {
		return core.User{}, fmt.Errorf("validate: %w", err)
	}
	for _, u := range users {
		if u.Role == core.RoleSuperAdmin {
			return u, nil
		}
	}
	return core.User{}, errors.New("validate: the account has no super admin to act as")
}
