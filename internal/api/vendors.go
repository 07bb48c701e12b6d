package api

import (
	"log/slog"
	"net/http"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/identity"
	"switchboard/internal/service"
	"switchboard/internal/vendors"
)

// RegisterVendors mounts the admin API's vendor routes: the account's users
// see the vendors, their endpoint health and deliveries, and replay a
// delivery; a super admin links or unlinks vendors. Creating vendors, their
// keys and secrets is the operator's: the CLI, or the operator routes
// (operator.go).
func RegisterVendors(mux *http.ServeMux, vs *vendors.Service, svc *service.Service, id *identity.Service, log *slog.Logger) {
	h := &handler{svc: svc, id: id, vendors: vs, log: log}
	auth := h.authenticated
	mux.Handle("GET /api/v1/vendors", auth(h.listVendors))
	mux.Handle("GET /api/v1/vendors/{id}", auth(h.getVendor))
	mux.Handle("POST /api/v1/vendors/{id}/link", auth(h.linkVendor))
	mux.Handle("DELETE /api/v1/vendors/{id}/link", auth(h.unlinkVendor))
	mux.Handle("GET /api/v1/vendors/{id}/deliveries", auth(h.listDeliveries))
	mux.Handle("GET /api/v1/deliveries/{id}", auth(h.getDelivery))
	mux.Handle("POST /api/v1/deliveries/{id}/replay", auth(h.replayDelivery))
	h.registerOperator(mux)
}

// vendorOut is a vendor as the account sees it: no secrets, no keys, and
// of its endpoints only the hosts.
type vendorOut struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Kind     core.Kind         `json:"kind"`
	Status   core.VendorStatus `json:"status"`
	Linked   bool              `json:"linked"`
	Endpoint endpointOut       `json:"endpoint"`
	Packages packageSourceOut  `json:"package_endpoint"`
}

type endpointOut struct {
	// Host is the webhook endpoint's host, "" while the vendor has none.
	Host           string     `json:"host"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since"`
}

type packageSourceOut struct {
	Host    string     `json:"host"`
	Error   string     `json:"error,omitempty"`
	ErrorAt *time.Time `json:"error_at"`
}

func vendorJSON(v vendors.AccountVendor) vendorOut {
	return vendorOut{ID: v.ID, Name: v.Name, Kind: v.Kind, Status: v.Status, Linked: v.Linked,
		Endpoint: endpointOut{Host: ats.URLHost(v.WebhookURL), DisabledAt: ts(v.EndpointDisabledAt),
			DisabledReason: v.EndpointDisabledReason, FailingSince: ts(v.FailingSince)},
		Packages: packageSourceOut{Host: ats.URLHost(v.PackagesURL), Error: v.PackagesError, ErrorAt: ts(v.PackagesErrorAt)},
	}
}

func (h *handler) getVendor(w http.ResponseWriter, r *http.Request) {
	v, err := h.vendors.AccountVendor(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, vendorJSON(v))
}

func (h *handler) listVendors(w http.ResponseWriter, r *http.Request) {
	vs, err := h.vendors.AccountVendors(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]vendorOut, 0, len(vs))
	for _, v := range vs {
		out = append(out, vendorJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"vendors": out})
}

func (h *handler) linkVendor(w http.ResponseWriter, r *http.Request) {
	if err := h.vendors.Link(r.Context(), actor(r), pathID(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.getVendor(w, r) // the vendor as the account now sees it
}

func (h *handler) unlinkVendor(w http.ResponseWriter, r *http.Request) {
	if err := h.vendors.Unlink(r.Context(), actor(r), pathID(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.getVendor(w, r) // the vendor as the account now sees it
}
