package vendors

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"switchboard/internal/core"
	"switchboard/internal/strictjson"
	"switchboard/internal/vendorapi/wire"
)

// The operator's views of the vendors, for the admin UI and API (the CLI
// prints the same from List and ListKeys). An operator is a user with the
// Operator flag; these methods trust their caller to have checked it with
// RequireOperator, as the CLI trusts whoever runs the binary.

// RequireOperator refuses a user who is not an active operator.
func RequireOperator(u core.User) error {
	if !u.IsOperator() {
		return core.Explain(fmt.Errorf("user %s is not an operator: %w", u.ID, core.ErrForbidden),
			"only an operator of this Switchboard may manage vendors (switchboard users set-operator)")
	}
	return nil
}

// Summary is a vendor in the operator's list: how many accounts it serves.
type Summary struct {
	core.Vendor
	Links int
}

// Summaries lists every vendor, by name, with its number of linked accounts.
func (s *Service) Summaries(ctx context.Context) ([]Summary, error) {
	vs, err := s.d.Store.ListVendors(ctx)
	if err != nil {
		return nil, fmt.Errorf("list vendors: %w", err)
	}
	out := make([]Summary, len(vs))
	for i, v := range vs {
		ls, err := s.d.Store.ListVendorLinks(ctx, v.ID)
		if err != nil {
			return nil, fmt.Errorf("list vendors: %w", err)
		}
		out[i] = Summary{Vendor: v, Links: len(ls)}
	}
	return out, nil
}

// Link is a vendor's link to an account, with the account's name.
type Link struct {
	core.VendorLink
	AccountName string
}

// Detail is one vendor as the operator manages it: its keys (never the
// keys themselves), the accounts it serves, its stored packages of both
// sources and its webhook endpoint (without secrets).
type Detail struct {
	core.Vendor
	Keys     []core.VendorKey
	Links    []Link
	Packages []core.VendorPackage
	Webhook  wire.Webhook
}

// Detail returns one vendor with its keys, links, packages and endpoint.
func (s *Service) Detail(ctx context.Context, id string) (Detail, error) {
	v, err := s.getVendor(ctx, s.d.Store, id)
	if err != nil {
		return Detail{}, fmt.Errorf("vendor detail: %w", err)
	}
	d := Detail{Vendor: v}
	if d.Keys, err = s.d.Store.ListVendorKeys(ctx, v.ID); err != nil {
		return Detail{}, fmt.Errorf("vendor detail %s: %w", v.ID, err)
	}
	links, err := s.d.Store.ListVendorLinks(ctx, v.ID)
	if err != nil {
		return Detail{}, fmt.Errorf("vendor detail %s: %w", v.ID, err)
	}
	names := map[string]string{}
	if len(links) > 0 {
		accounts, err := s.d.Store.ListAccounts(ctx)
		if err != nil {
			return Detail{}, fmt.Errorf("vendor detail %s: %w", v.ID, err)
		}
		for _, a := range accounts {
			names[a.ID] = a.Name
		}
	}
	for _, l := range links {
		d.Links = append(d.Links, Link{VendorLink: l, AccountName: names[l.AccountID]})
	}
	if d.Packages, err = s.d.Store.ListVendorPackages(ctx, v.ID); err != nil {
		return Detail{}, fmt.Errorf("vendor detail %s: %w", v.ID, err)
	}
	if d.Webhook, err = s.webhookOf(v); err != nil {
		return Detail{}, fmt.Errorf("vendor detail %s: %w", v.ID, err)
	}
	return d, nil
}

// StaticPackages are the operator-entered packages among ps.
func StaticPackages(ps []core.VendorPackage) []core.VendorPackage {
	var out []core.VendorPackage
	for _, p := range ps {
		if p.Source == core.PackagesStatic {
			out = append(out, p)
		}
	}
	return out
}

// RotateSecret is the operator's RotateWebhookSecret: the new secret is in
// the answer once; the previous one keeps signing for RotationGrace.
func (s *Service) RotateSecret(ctx context.Context, vendorID string) (wire.Webhook, error) {
	v, err := s.getVendor(ctx, s.d.Store, vendorID)
	if err != nil {
		return wire.Webhook{}, fmt.Errorf("rotate webhook secret: %w", err)
	}
	return s.RotateWebhookSecret(ctx, v)
}

// DecodeStaticPackages reads a static package set as the CLI's file, the
// admin API's body and the admin UI's text take it, {"packages": [{"id",
// "name", "description", "type"}]}, strictly: a typo in a field name is an
// error (a *strictjson.Error naming it as what), not a package without a
// description. SetStaticPackages then validates the set.
func DecodeStaticPackages(r io.Reader, what string) ([]core.VendorPackage, error) {
	var in wire.PackageReplace
	if err := strictjson.Decode(r, &in, what); err != nil {
		return nil, err
	}
	ps := make([]core.VendorPackage, len(in.Packages))
	for i, p := range in.Packages {
		ps[i] = core.VendorPackage{ID: p.ID, Name: p.Name, Description: p.Description, Kind: core.Kind(p.Type)}
	}
	return ps, nil
}

// EncodeStaticPackages writes ps as DecodeStaticPackages reads them,
// indented, for the admin UI's editor.
func EncodeStaticPackages(ps []core.VendorPackage) ([]byte, error) {
	in := wire.PackageReplace{Packages: make([]wire.Package, len(ps))}
	for i, p := range ps {
		in.Packages[i] = wire.Package{ID: p.ID, Name: p.Name, Description: p.Description, Type: string(p.Kind)}
	}
	b, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode static packages: %w", err)
	}
	return b, nil
}
