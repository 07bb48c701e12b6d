package ui

import (
	"errors"
	"net/http"

	"switchboard/internal/core"
)

// deliveryData is one delivery with every attempt, and its vendor's name
// when the account still sees the vendor.
type deliveryData struct {
	Delivery   core.Delivery
	Attempts   []core.DeliveryAttempt
	VendorName string
	// Scheduled: an attempt is due, so Replay would be refused.
	Scheduled bool
}

func (h *handler) deliveryPage(w http.ResponseWriter, r *http.Request, q *request) {
	ctx := r.Context()
	d, as, err := h.svc.DeliveryAttempts(ctx, q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "delivery", err)
		return
	}
	data := deliveryData{Delivery: d, Attempts: as, VendorName: d.VendorID,
		Scheduled: d.Status == core.DeliveryPending && !d.NextAttemptAt.IsZero()}
	if v, err := h.vnd.AccountVendor(ctx, q.User, d.VendorID); err == nil {
		data.VendorName = v.Name
	} else if !errors.Is(err, core.ErrNotFound) {
		h.fail(w, r, q, "delivery", err)
		return
	}
	h.render(w, r, http.StatusOK, "delivery", view{Title: "Delivery " + d.ID, Nav: "vendors", Q: q, D: data})
}

func (h *handler) replayDelivery(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	_, err := h.svc.ReplayDelivery(r.Context(), q.User, id)
	switch {
	case err == nil:
		h.back(w, r, "/deliveries/"+id, flash{Kind: "ok", Message: "Replay queued: the new attempt appears below in a moment, with the same webhook-id."})
	case errors.Is(err, core.ErrConflict):
		h.back(w, r, "/deliveries/"+id, flash{Kind: "error", Message: sentence("not replayed: " + core.PublicMessage(err, "an attempt is already scheduled"))})
	default:
		h.fail(w, r, q, "delivery", err)
	}
}
