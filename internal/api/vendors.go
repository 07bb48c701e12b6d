package api

import (
	"fmt"
	"log/slog"
	"net/http"

	"switchboard/internal/core"
	"switchboard/internal/identity"
	"switchboard/internal/vendors"
)

// RegisterVendors mounts the admin API's vendor routes: an account's super
// admin lists the active vendors and links or unlinks them.
func RegisterVendors(mux *http.ServeMux, vs *vendors.Service, id *identity.Service, log *slog.Logger) {
	h := &handler{id: id, vendors: vs, log: log}
	auth := h.authenticated
	mux.Handle("GET /api/v1/vendors", auth(h.listVendors))
	mux.Handle("POST /api/v1/vendors/{id}/link", auth(h.linkVendor))
	mux.Handle("DELETE /api/v1/vendors/{id}/link", auth(h.unlinkVendor))
}

type vendorOut struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Kind   core.Kind `json:"kind"`
	Linked bool      `json:"linked"`
}

func vendorJSON(v vendors.AccountVendor) vendorOut {
	return vendorOut{ID: v.ID, Name: v.Name, Kind: v.Kind, Linked: v.Linked}
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
	h.respondVendor(w, r)
}

func (h *handler) unlinkVendor(w http.ResponseWriter, r *http.Request) {
	if err := h.vendors.Unlink(r.Context(), actor(r), pathID(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondVendor(w, r)
}

// respondVendor answers with the path's vendor as the account's list shows it.
func (h *handler) respondVendor(w http.ResponseWriter, r *http.Request) {
	vs, err := h.vendors.AccountVendors(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, v := range vs {
		if v.ID == pathID(r) {
			writeJSON(w, http.StatusOK, vendorJSON(v))
			return
		}
	}
	h.fail(w, r, fmt.Errorf("vendor %s left the list: %w", pathID(r), core.ErrNotFound))
}
