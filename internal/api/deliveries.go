package api

import (
	"fmt"
	"net/http"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/service"
	"switchboard/internal/store"
)

// defaultDeliveryPage is how many deliveries a listing answers without a limit.
const defaultDeliveryPage = 50

type deliveryOut struct {
	ID            string              `json:"id"`
	VendorID      string              `json:"vendor_id"`
	OrderID       string              `json:"order_id,omitempty"`
	Event         string              `json:"event"`
	Status        core.DeliveryStatus `json:"status"`
	Attempts      int                 `json:"attempts"`
	Message       string              `json:"message,omitempty"`
	LastAttemptAt *time.Time          `json:"last_attempt_at"`
	NextAttemptAt *time.Time          `json:"next_attempt_at"`
	DeliveredAt   *time.Time          `json:"delivered_at"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
}

func deliveryJSON(d core.Delivery) deliveryOut {
	return deliveryOut{ID: d.ID, VendorID: d.VendorID, OrderID: d.OrderID, Event: d.Event, Status: d.Status,
		Attempts: d.Attempts, Message: d.Message, LastAttemptAt: ts(d.LastAttemptAt), NextAttemptAt: ts(d.NextAttemptAt),
		DeliveredAt: ts(d.DeliveredAt), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// attemptOut is one attempt: status 0 means no response came (see error).
type attemptOut struct {
	At         time.Time `json:"at"`
	Status     int       `json:"status"`
	DurationMS int64     `json:"duration_ms"`
	Response   string    `json:"response,omitempty"`
	Error      string    `json:"error,omitempty"`
	Replay     bool      `json:"replay"`
}

func (h *handler) listDeliveries(w http.ResponseWriter, r *http.Request) {
	f, err := service.ParseDeliveryFilter(r.URL.Query(), defaultDeliveryPage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.vendors.AccountVendor(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ds, err := h.svc.Deliveries(r.Context(), actor(r), v.ID, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A vendor neither linked nor ever delivered to in the account has no
	// deliveries to show here.
	if !v.Linked && len(ds) == 0 {
		some := ds
		if f.Status != "" {
			if some, err = h.svc.Deliveries(r.Context(), actor(r), v.ID, store.DeliveryFilter{Limit: 1}); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		if len(some) == 0 {
			h.fail(w, r, core.Explain(fmt.Errorf("vendor %s: not linked, no deliveries: %w", v.ID, core.ErrNotFound),
				"vendor %s is not linked to your account", v.Name))
			return
		}
	}
	out := make([]deliveryOut, 0, len(ds))
	for _, d := range ds {
		out = append(out, deliveryJSON(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out, "limit": f.Limit})
}

func (h *handler) getDelivery(w http.ResponseWriter, r *http.Request) {
	d, as, err := h.svc.DeliveryAttempts(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]attemptOut, 0, len(as))
	for _, a := range as {
		out = append(out, attemptOut{At: a.At, Status: a.Status, DurationMS: a.Duration.Milliseconds(),
			Response: a.Response, Error: a.Error, Replay: a.Replay})
	}
	writeJSON(w, http.StatusOK, map[string]any{"delivery": deliveryJSON(d), "attempts": out})
}

func (h *handler) replayDelivery(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.ReplayDelivery(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "queued", "delivery": deliveryJSON(d)})
}
