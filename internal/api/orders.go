package api

import (
	"net/http"

	"switchboard/internal/service"
)

// defaultOrderPage is how many orders GET /orders answers without a limit.
const defaultOrderPage = 50

func (h *handler) listOrders(w http.ResponseWriter, r *http.Request) {
	f, err := service.ParseOrderFilter(r.URL.Query(), defaultOrderPage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.svc.Orders(r.Context(), actor(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderListJSON(page, f))
}

func (h *handler) getOrder(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.Order(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderDetailJSON(d))
}

func (h *handler) resendInvitation(w http.ResponseWriter, r *http.Request) {
	o, err := h.svc.ResendInvitation(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// An expired order is re-invited as a new order: its id is the one to follow.
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "queued", "order_id": o.ID, "reinvited": o.ID != pathID(r)})
}

func (h *handler) retryJob(w http.ResponseWriter, r *http.Request) {
	id, err := parseJobID(pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.RetryJob(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued"})
}
