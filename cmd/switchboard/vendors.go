package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"switchboard/internal/app"
	"switchboard/internal/core"
	"switchboard/internal/vendors"
)

// runVendors runs the operator's vendor commands: vendors, their keys,
// their links to accounts and their static packages.
func runVendors(ctx context.Context, cmd string, fs *flag.FlagSet, c *common, args []string, stdout, stderr io.Writer) error {
	var name, kind, vendor, account, file *string
	switch cmd {
	case "vendors create":
		name = fs.String("name", "", "the vendor company's name (required)")
		kind = fs.String("kind", string(core.KindAssessment), "what it mainly offers: assessment or background_check")
	case "vendors list", "vendors disable", "vendors enable":
	case "vendors keys create", "vendors keys list", "vendors keys revoke":
		vendor = fs.String("vendor", "", "vendor id (required)")
	case "vendors link", "vendors unlink":
		vendor = fs.String("vendor", "", "vendor id (required)")
		account = fs.String("account", "", "account id (required)")
	case "vendors packages set":
		vendor = fs.String("vendor", "", "vendor id (required)")
		file = fs.String("file", "", `JSON file {"packages": [{"id", "name", "description", "type"}]}; "-" reads stdin (required)`)
	default:
		return &exitError{code: 2, err: fmt.Errorf("unknown command %q", cmd)}
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	usage := usageFor(cmd)
	var k core.Kind
	var ps []core.VendorPackage
	switch {
	case name != nil && *name == "":
		return usage("--name is required")
	case vendor != nil && *vendor == "":
		return usage("--vendor is required")
	case account != nil && *account == "":
		return usage("--account is required")
	case file != nil && *file == "":
		return usage("--file is required")
	}
	if kind != nil {
		if *kind != string(core.KindAssessment) && *kind != string(core.KindBackgroundCheck) {
			return usage("--kind %q: use assessment or background_check", *kind)
		}
		k = core.Kind(*kind)
	}
	if file != nil {
		var err error
		if ps, err = readPackages(*file); err != nil {
			return usage("%w", err)
		}
	}
	cfg, err := c.config(stderr)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close(ctx)
	return vendorCommand(ctx, a, cmd, fs.Args(), vendorArgs{name: deref(name), kind: k, vendor: deref(vendor), account: deref(account), packages: ps}, stdout)
}

type vendorArgs struct {
	name, vendor, account string
	kind                  core.Kind
	packages              []core.VendorPackage
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func vendorCommand(ctx context.Context, a *app.App, cmd string, pos []string, in vendorArgs, stdout io.Writer) error {
	vs := a.Vendors
	switch cmd {
	case "vendors create":
		v, key, err := vs.Create(ctx, in.name, in.kind)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "vendor %s (%s, %s)\nAPI key (shown once): %s\n", v.ID, v.Name, v.Kind, key)
	case "vendors list":
		list, err := vs.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tSTATUS\tWEBHOOK\tPACKAGE LIST")
		for _, v := range list {
			hook, pkgs := orNone(v.WebhookURL), orNone(v.PackagesURL)
			if !v.EndpointDisabledAt.IsZero() {
				hook += " (disabled: " + v.EndpointDisabledReason + ")"
			}
			if v.PackagesError != "" {
				pkgs += " (failing: " + v.PackagesError + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Name, v.Kind, v.Status, hook, pkgs)
		}
		return tw.Flush()
	case "vendors disable", "vendors enable":
		st := core.VendorDisabled
		if cmd == "vendors enable" {
			st = core.VendorActive
		}
		v, err := vs.SetStatus(ctx, pos[0], st)
		if err != nil {
			return err
		}
		if st == core.VendorActive {
			fmt.Fprintf(stdout, "vendor %s (%s) is active\n", v.ID, v.Name)
		} else {
			fmt.Fprintf(stdout, "vendor %s (%s) is disabled: its keys are refused and nothing is delivered to it\n", v.ID, v.Name)
		}
	case "vendors keys create":
		k, key, err := vs.CreateKey(ctx, in.vendor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s of vendor %s\nAPI key (shown once): %s\n", k.ID, k.VendorID, key)
	case "vendors keys list":
		ks, err := vs.ListKeys(ctx, in.vendor)
		if err != nil {
			return err
		}
		rows := make([]keyRow, len(ks))
		for i, k := range ks {
			rows[i] = keyRow{k.ID, k.Prefix, k.CreatedAt, k.LastUsedAt}
		}
		return writeKeys(stdout, rows)
	case "vendors keys revoke":
		if err := vs.RevokeKey(ctx, in.vendor, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s of vendor %s revoked; it stopped working\n", pos[0], in.vendor)
	case "vendors link":
		created, err := vs.LinkAccount(ctx, in.vendor, in.account)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(stdout, "vendor %s linked to account %s: its packages are orderable there\n", in.vendor, in.account)
		} else {
			fmt.Fprintf(stdout, "vendor %s was already linked to account %s\n", in.vendor, in.account)
		}
	case "vendors unlink":
		if err := vs.UnlinkAccount(ctx, in.vendor, in.account); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "vendor %s unlinked from account %s: its packages are no longer orderable there\n", in.vendor, in.account)
	case "vendors packages set":
		ps, err := vs.SetStaticPackages(ctx, in.vendor, in.packages)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "vendor %s has %d static packages\n", in.vendor, len(ps))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// readPackages reads a static package file (see vendors.DecodeStaticPackages).
func readPackages(path string) ([]core.VendorPackage, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--file: %w", err)
		}
		defer f.Close()
		r = f
	}
	ps, err := vendors.DecodeStaticPackages(io.LimitReader(r, 1<<20), path)
	if err != nil {
		return nil, fmt.Errorf("--file: %w", err)
	}
	return ps, nil
}
