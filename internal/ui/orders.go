package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"switchboard/internal/core"
	"switchboard/internal/integrations"
	"switchboard/internal/service"
	"switchboard/internal/store"
)

const ordersPerPage = 25

type ordersData struct {
	Page         store.OrderPage
	Filter       orderFilterForm
	Integrations []integrations.IntegrationName
	Vacancies    []core.Vacancy
	States       []core.State
	Errors       map[string]string
	From, To     int // 1-based range shown
	Prev, Next   string
}

// orderFilterForm is the filter form as typed, so the page shows it back.
type orderFilterForm struct {
	Integration, State, Vacancy, From, To, Q, Test string
	Offset                                         int
}

func (h *handler) ordersPage(w http.ResponseWriter, r *http.Request, q *request) {
	form, f, bad := readOrderFilter(r.URL.Query())
	d := ordersData{Filter: form, States: core.States, Errors: bad}
	var err error
	if len(bad) == 0 {
		if d.Page, err = h.svc.Orders(r.Context(), q.User, f); err != nil {
			h.fail(w, r, q, "order list", err)
			return
		}
	}
	if d.Integrations, err = h.in.IntegrationNames(r.Context(), q.User); err != nil {
		h.serverError(w, r, q, err)
		return
	}
	if d.Vacancies, err = h.svc.Vacancies(r.Context(), q.User); err != nil {
		h.serverError(w, r, q, err)
		return
	}
	if n := len(d.Page.Items); n > 0 {
		d.From, d.To = f.Offset+1, f.Offset+n
	}
	link := func(offset int) string {
		v := r.URL.Query()
		v.Set("offset", strconv.Itoa(offset))
		return "/orders?" + v.Encode()
	}
	if f.Offset > 0 {
		d.Prev = link(max(0, f.Offset-f.Limit))
	}
	if f.Offset+len(d.Page.Items) < d.Page.Total {
		d.Next = link(f.Offset + f.Limit)
	}
	h.render(w, r, http.StatusOK, "orders", view{Title: "Orders", Nav: "orders", Q: q, D: d})
}

// readOrderFilter reads the filter form (the API's parameters, see
// service.ParseOrderFilter); bad holds a message per field that could not
// be read, shown next to it.
func readOrderFilter(v url.Values) (orderFilterForm, store.OrderFilter, map[string]string) {
	form := orderFilterForm{Integration: v.Get("integration"), State: v.Get("state"), Vacancy: v.Get("vacancy"),
		From: v.Get("from"), To: v.Get("to"), Q: v.Get("q"), Test: v.Get("test")}
	f, err := service.ParseOrderFilter(v, ordersPerPage)
	bad := map[string]string{}
	if inv, ok := asValidation(err); ok {
		bad = inv.Fields
	}
	// The pager writes offsets; a hand-edited one falls back to the first
	// page rather than to an error with no field to show it by.
	delete(bad, "offset")
	delete(bad, "limit")
	form.Offset = f.Offset
	return form, f, bad
}
