package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/service"
	"switchboard/internal/store"
)

const ordersPerPage = 25

type ordersData struct {
	Page         store.OrderPage
	Filter       orderFilterForm
	Integrations []service.IntegrationName
	Vacancies    []core.Vacancy
	States       []core.State
	Errors       map[string]string
	From, To     int // 1-based range shown
	Prev, Next   string
}

// orderFilterForm is the filter form as typed, so the page shows it back.
type orderFilterForm struct {
	Integration, State, Vacancy, From, To, Q string
	Offset                                   int
}

func (h *handler) ordersPage(w http.ResponseWriter, r *http.Request, q *request) {
	form, f, bad := parseOrderFilter(r.URL.Query())
	d := ordersData{Filter: form, States: core.States, Errors: bad}
	var err error
	if len(bad) == 0 {
		if d.Page, err = h.svc.Orders(r.Context(), q.User, f); err != nil {
			h.fail(w, r, q, "order list", err)
			return
		}
	}
	if d.Integrations, err = h.svc.IntegrationNames(r.Context(), q.User); err != nil {
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
		d.Prev = link(max(0, f.Offset-ordersPerPage))
	}
	if f.Offset+len(d.Page.Items) < d.Page.Total {
		d.Next = link(f.Offset + ordersPerPage)
	}
	h.render(w, r, http.StatusOK, "orders", view{Title: "Orders", Nav: "orders", Q: q, D: d})
}

// parseOrderFilter reads the filter form; bad holds a message per field that
// could not be read, shown next to it.
func parseOrderFilter(v url.Values) (orderFilterForm, store.OrderFilter, map[string]string) {
	form := orderFilterForm{Integration: v.Get("integration"), State: v.Get("state"), Vacancy: v.Get("vacancy"),
		From: v.Get("from"), To: v.Get("to"), Q: v.Get("q")}
	f := store.OrderFilter{IntegrationID: form.Integration, VacancyID: form.Vacancy, Search: form.Q, Limit: ordersPerPage}
	bad := map[string]string{}
	if form.State != "" {
		st, err := core.ParseState(form.State)
		if err != nil {
			bad["state"] = "unknown status"
		}
		f.State = st
	}
	if form.From != "" {
		t, err := time.Parse("2006-01-02", form.From)
		if err != nil {
			bad["from"] = "use a date such as 2025-06-01"
		}
		f.CreatedFrom = t
	}
	if form.To != "" {
		t, err := time.Parse("2006-01-02", form.To)
		if err != nil {
			bad["to"] = "use a date such as 2025-06-30"
		}
		f.CreatedTo = t.AddDate(0, 0, 1) // "to" includes that whole day
	}
	if s := v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			n = 0
		}
		f.Offset, form.Offset = n, n
	}
	return form, f, bad
}
