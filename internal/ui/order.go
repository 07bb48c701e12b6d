package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/service"
)

type orderData struct {
	service.OrderDetail
	// Retryable marks, per timeline entry, a failed job that may be run again:
	// the last failure of each job, so a job that failed thrice shows one button.
	Retryable map[int64]string
	CanResend bool
	// Vendor fulfils the order when it is an outside vendor's; nil for the
	// built-in engine.
	Vendor *core.Vendor
}

// orderPage is the order page and also the candidate detail page that
// write-backs link to (service.DetailPagePath).
func (h *handler) orderPage(w http.ResponseWriter, r *http.Request, q *request) {
	d, err := h.svc.Order(r.Context(), q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "order", err)
		return
	}
	data := orderData{OrderDetail: d, Retryable: map[int64]string{}}
	last := map[string]int64{}
	for _, e := range d.Timeline {
		if e.Kind == "job_failed" && e.Detail["job_id"] != "" {
			last[e.Detail["job_id"]] = e.ID
		}
	}
	for job, entry := range last {
		data.Retryable[entry] = job
	}
	if !d.Vacancy.Builtin() {
		v, err := h.vnd.Get(r.Context(), d.Vacancy.VendorID)
		if err != nil {
			h.serverError(w, r, q, fmt.Errorf("order %s: its vendor: %w", d.Order.ID, err))
			return
		}
		data.Vendor = &v
	}
	data.CanResend = q.Can().ActOnOrders && d.Order.Mode != core.ModeInline &&
		(d.Order.State == core.StateInvited || d.Order.State == core.StateInProgress || d.CanReinvite)
	h.render(w, r, http.StatusOK, "order", view{Title: d.Candidate.Name + " · order", Nav: "orders", Q: q, D: data})
}

func (h *handler) resendInvitation(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	o, err := h.svc.ResendInvitation(r.Context(), q.User, id)
	switch {
	case err == nil && o.ID != id:
		h.back(w, r, "/orders/"+o.ID, flash{Kind: "ok", Message: "The invitation had expired: this new order has a new link, which will be emailed in a moment."})
	case err == nil:
		h.back(w, r, "/orders/"+id, flash{Kind: "ok", Message: "The invitation will be emailed again in a moment."})
	case errors.Is(err, core.ErrConflict):
		h.back(w, r, "/orders/"+id, flash{Kind: "error", Message: sentence(core.PublicMessage(err, "the invitation cannot be resent now"))})
	default:
		h.fail(w, r, q, "order", err)
	}
}

func (h *handler) retryJob(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	job, err := strconv.ParseInt(r.PostFormValue("job_id"), 10, 64)
	if err != nil || job <= 0 {
		h.back(w, r, "/orders/"+id, flash{Kind: "error", Message: "That step cannot be retried: no job id."})
		return
	}
	if err := h.svc.RetryJob(r.Context(), q.User, job); err != nil {
		if errors.Is(err, core.ErrNotFound) {
			h.back(w, r, "/orders/"+id, flash{Kind: "error", Message: "That step cannot be retried: the job is gone."})
			return
		}
		if errors.Is(err, core.ErrConflict) {
			h.back(w, r, "/orders/"+id, flash{Kind: "error", Message: sentence(core.PublicMessage(err, "that step cannot be retried now"))})
			return
		}
		h.fail(w, r, q, "order", err)
		return
	}
	h.back(w, r, "/orders/"+id, flash{Kind: "ok", Message: "Step " + strconv.FormatInt(job, 10) + " will run again in a moment; its outcome appears on the timeline."})
}

// sentence capitalises a message and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
