package api

import (
	"net/http"
	"strconv"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// parseOrderFilter reads the list filters from the query string.
func parseOrderFilter(r *http.Request) (store.OrderFilter, error) {
	q := r.URL.Query()
	f := store.OrderFilter{IntegrationID: q.Get("integration"), VacancyID: q.Get("vacancy"), Search: q.Get("q")}
	bad := core.Invalid()
	if s := q.Get("state"); s != "" {
		st, err := core.ParseState(s)
		if err != nil {
			bad.Add("state", err.Error())
		}
		f.State = st
	}
	parseDate := func(name string) time.Time {
		s := q.Get(name)
		if s == "" {
			return time.Time{}
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC()
			}
		}
		bad.Add(name, "use YYYY-MM-DD or RFC 3339")
		return time.Time{}
	}
	f.CreatedFrom = parseDate("from")
	f.CreatedTo = parseDate("to")
	if s := q.Get("to"); len(s) == len("2006-01-02") && !f.CreatedTo.IsZero() {
		f.CreatedTo = f.CreatedTo.AddDate(0, 0, 1) // a date "to" includes that whole day
	}
	parseInt := func(name string, def, lo, hi int) int {
		s := q.Get(name)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			bad.Add(name, "must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		}
		return n
	}
	f.Limit = parseInt("limit", 50, 1, 200)
	f.Offset = parseInt("offset", 0, 0, 1<<30)
	return f, bad.OrNil()
}

func (h *handler) listOrders(w http.ResponseWriter, r *http.Request) {
	f, err := parseOrderFilter(r)
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
