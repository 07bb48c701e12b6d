package api

import (
	"io"
	"net/http"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/vendors"
)

// The operator routes, /api/v1/operator/…: what the CLI's vendors commands
// do, for a user with the Operator flag (their account role does not
// matter; everyone else gets 403). Keys and signing secrets are in the
// answer that makes them, once; nothing reads them again.
func (h *handler) registerOperator(mux *http.ServeMux) {
	op := h.operator
	mux.Handle("GET /api/v1/operator/vendors", op(h.opListVendors))
	mux.Handle("POST /api/v1/operator/vendors", op(h.opCreateVendor))
	mux.Handle("GET /api/v1/operator/vendors/{id}", op(h.opGetVendor))
	mux.Handle("POST /api/v1/operator/vendors/{id}/keys", op(h.opCreateKey))
	mux.Handle("DELETE /api/v1/operator/vendors/{id}/keys/{key}", op(h.opRevokeKey))
	mux.Handle("POST /api/v1/operator/vendors/{id}/disable", op(h.opSetStatus(core.VendorDisabled)))
	mux.Handle("POST /api/v1/operator/vendors/{id}/enable", op(h.opSetStatus(core.VendorActive)))
	mux.Handle("PUT /api/v1/operator/vendors/{id}/packages", op(h.opSetPackages))
	mux.Handle("POST /api/v1/operator/vendors/{id}/webhook/rotate", op(h.opRotateSecret))
	mux.Handle("PUT /api/v1/operator/vendors/{id}/links/{account}", op(h.opLink))
	mux.Handle("DELETE /api/v1/operator/vendors/{id}/links/{account}", op(h.opUnlink))
}

// operator is authenticated for operators only.
func (h *handler) operator(next func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return h.authenticated(func(w http.ResponseWriter, r *http.Request) {
		if err := vendors.RequireOperator(actor(r)); err != nil {
			h.fail(w, r, err)
			return
		}
		next(w, r)
	})
}

// opVendorOut is a vendor as the operator sees it: its endpoints in full
// (the operator set up the vendor), never a key or secret.
type opVendorOut struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Kind      core.Kind         `json:"kind"`
	Status    core.VendorStatus `json:"status"`
	CreatedAt time.Time         `json:"created_at"`
	Webhook   opWebhookOut      `json:"webhook"`
	Packages  opPackageSource   `json:"package_endpoint"`
	// LinkedAccounts counts the accounts it serves (in lists).
	LinkedAccounts int `json:"linked_accounts"`
	// Keys, Links and StoredPackages are in the single-vendor answers
	// (empty lists there), not in lists.
	Keys           []opKeyOut     `json:"keys,omitzero"`
	Links          []opLinkOut    `json:"links,omitzero"`
	StoredPackages []opPackageOut `json:"packages,omitzero"`
}

type opWebhookOut struct {
	URL            string     `json:"url"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since"`
	// PreviousValidUntil is when the rotated-out secret stops signing.
	PreviousValidUntil *time.Time `json:"previous_valid_until,omitempty"`
}

type opPackageSource struct {
	URL     string     `json:"url"`
	Error   string     `json:"error,omitempty"`
	ErrorAt *time.Time `json:"error_at"`
}

type opKeyOut struct {
	ID         string     `json:"id"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

type opLinkOut struct {
	AccountID   string    `json:"account_id"`
	AccountName string    `json:"account_name"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

type opPackageOut struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	Type        core.Kind          `json:"type"`
	Source      core.PackageSource `json:"source"`
}

func opVendorJSON(v core.Vendor, links int) opVendorOut {
	return opVendorOut{ID: v.ID, Name: v.Name, Kind: v.Kind, Status: v.Status, CreatedAt: v.CreatedAt, LinkedAccounts: links,
		Webhook: opWebhookOut{URL: v.WebhookURL, DisabledAt: ts(v.EndpointDisabledAt),
			DisabledReason: v.EndpointDisabledReason, FailingSince: ts(v.FailingSince)},
		Packages: opPackageSource{URL: v.PackagesURL, Error: v.PackagesError, ErrorAt: ts(v.PackagesErrorAt)},
	}
}

func opKeyJSON(k core.VendorKey) opKeyOut {
	return opKeyOut{ID: k.ID, Prefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: ts(k.LastUsedAt)}
}

func opDetailJSON(d vendors.Detail) opVendorOut {
	out := opVendorJSON(d.Vendor, len(d.Links))
	out.Webhook.PreviousValidUntil = d.Webhook.PreviousUntil
	out.Keys, out.Links, out.StoredPackages = []opKeyOut{}, []opLinkOut{}, []opPackageOut{}
	for _, k := range d.Keys {
		out.Keys = append(out.Keys, opKeyJSON(k))
	}
	for _, l := range d.Links {
		out.Links = append(out.Links, opLinkOut{AccountID: l.AccountID, AccountName: l.AccountName, CreatedAt: l.CreatedAt, CreatedBy: l.CreatedBy})
	}
	for _, p := range d.Packages {
		out.StoredPackages = append(out.StoredPackages, opPackageOut{ID: p.ID, Name: p.Name, Description: p.Description, Type: p.Kind, Source: p.Source})
	}
	return out
}

func (h *handler) opListVendors(w http.ResponseWriter, r *http.Request) {
	ss, err := h.vendors.Summaries(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]opVendorOut, 0, len(ss))
	for _, s := range ss {
		out = append(out, opVendorJSON(s.Vendor, s.Links))
	}
	writeJSON(w, http.StatusOK, map[string]any{"vendors": out})
}

// opVendor answers with the vendor as it now is, with status.
func (h *handler) opVendor(w http.ResponseWriter, r *http.Request, status int, id string, extra map[string]any) {
	d, err := h.vendors.Detail(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if extra == nil {
		writeJSON(w, status, opDetailJSON(d))
		return
	}
	extra["vendor"] = opDetailJSON(d)
	writeJSON(w, status, extra)
}

func (h *handler) opGetVendor(w http.ResponseWriter, r *http.Request) {
	h.opVendor(w, r, http.StatusOK, pathID(r), nil)
}

func (h *handler) opCreateVendor(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	v, key, err := h.vendors.Create(r.Context(), in.Name, core.Kind(in.Kind))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.opVendor(w, r, http.StatusCreated, v.ID, map[string]any{"api_key": key})
}

func (h *handler) opCreateKey(w http.ResponseWriter, r *http.Request) {
	k, key, err := h.vendors.CreateKey(r.Context(), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": opKeyJSON(k), "api_key": key})
}

func (h *handler) opRevokeKey(w http.ResponseWriter, r *http.Request) {
	if err := h.vendors.RevokeKey(r.Context(), pathID(r), r.PathValue("key")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) opSetStatus(st core.VendorStatus) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := h.vendors.SetStatus(r.Context(), pathID(r), st); err != nil {
			h.fail(w, r, err)
			return
		}
		h.opVendor(w, r, http.StatusOK, pathID(r), nil)
	}
}

func (h *handler) opSetPackages(w http.ResponseWriter, r *http.Request) {
	ps, err := vendors.DecodeStaticPackages(io.LimitReader(r.Body, maxBody), "the body")
	if err != nil {
		h.fail(w, r, unreadable(err))
		return
	}
	if _, err := h.vendors.SetStaticPackages(r.Context(), pathID(r), ps); err != nil {
		h.fail(w, r, err)
		return
	}
	h.opVendor(w, r, http.StatusOK, pathID(r), nil)
}

func (h *handler) opRotateSecret(w http.ResponseWriter, r *http.Request) {
	wh, err := h.vendors.RotateSecret(r.Context(), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"secret": wh.Secret, "previous_valid_until": wh.PreviousUntil})
}

func (h *handler) opLink(w http.ResponseWriter, r *http.Request) {
	if _, err := h.vendors.LinkAccount(r.Context(), pathID(r), r.PathValue("account")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.opVendor(w, r, http.StatusOK, pathID(r), nil)
}

func (h *handler) opUnlink(w http.ResponseWriter, r *http.Request) {
	if err := h.vendors.UnlinkAccount(r.Context(), pathID(r), r.PathValue("account")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.opVendor(w, r, http.StatusOK, pathID(r), nil)
}
