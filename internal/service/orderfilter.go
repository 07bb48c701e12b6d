package service

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// maxOrderPage is the most orders one page may hold.
const maxOrderPage = 200

// ParseOrderFilter reads the order list's filters from a query string: the
// API's GET /orders and the UI's filter form take the same parameters
// (integration, vacancy, state, q, from, to, test, limit, offset). pageSize
// is the limit when none is given. What cannot be read comes back as a
// *core.ValidationError, every field at once, with the filter as far as it
// was read so a form can show it back.
func ParseOrderFilter(v url.Values, pageSize int) (store.OrderFilter, error) {
	f := store.OrderFilter{IntegrationID: v.Get("integration"), VacancyID: v.Get("vacancy"), Search: v.Get("q")}
	bad := core.Invalid()
	if s := v.Get("state"); s != "" {
		st, err := core.ParseState(s)
		if err != nil {
			names := make([]string, len(core.States))
			for i, st := range core.States {
				names[i] = string(st)
			}
			bad.Add("state", "is not a status: use one of "+strings.Join(names, ", "))
		}
		f.State = st
	}
	date := func(name string) time.Time {
		s := v.Get(name)
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, s)
		if err == nil && name == "to" {
			t = t.AddDate(0, 0, 1) // a date "to" includes that whole day
		}
		if err != nil {
			if t, err = time.Parse(time.RFC3339, s); err != nil {
				bad.Add(name, "use a date such as 2025-06-01, or an RFC 3339 time")
				return time.Time{}
			}
			t = t.UTC()
		}
		if t.IsZero() && name == "to" {
			// The zero time means "no bound" to the store: refuse it rather
			// than silently list everything.
			bad.Add(name, "must be later than 0001-01-01")
		}
		return t
	}
	f.CreatedFrom, f.CreatedTo = date("from"), date("to")
	switch s := v.Get("test"); s {
	case "":
	case "true", "false":
		only := s == "true"
		f.Test = &only
	default:
		bad.Add("test", "use true (test orders only) or false (real orders only)")
	}
	f.Limit = queryNumber(v, bad, "limit", pageSize, 1, maxOrderPage)
	f.Offset = queryNumber(v, bad, "offset", 0, 0, 1<<30)
	return f, bad.OrNil()
}

// queryNumber reads a whole number from lo to hi, def when absent; what is
// not one is added to bad and reads as def.
func queryNumber(v url.Values, bad *core.ValidationError, name string, def, lo, hi int) int {
	s := v.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		bad.Add(name, "must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return def
	}
	return n
}

// maxDeliveryPage is the most deliveries one listing holds (the store's cap).
const maxDeliveryPage = 200

// DeliveryStatuses are the delivery statuses, in the order filters offer them.
var DeliveryStatuses = []core.DeliveryStatus{core.DeliveryPending, core.DeliveryDelivered, core.DeliveryRejected, core.DeliveryFailed}

// ParseDeliveryFilter reads a vendor's delivery list filters (status,
// limit) from a query string, as the API and the UI take them; errors come
// back as a *core.ValidationError.
func ParseDeliveryFilter(v url.Values, pageSize int) (store.DeliveryFilter, error) {
	bad := core.Invalid()
	var f store.DeliveryFilter
	if s := v.Get("status"); s != "" {
		f.Status = core.DeliveryStatus(s)
		if !slices.Contains(DeliveryStatuses, f.Status) {
			names := make([]string, len(DeliveryStatuses))
			for i, st := range DeliveryStatuses {
				names[i] = string(st)
			}
			bad.Add("status", "is not a delivery status: use one of "+strings.Join(names, ", "))
			f.Status = ""
		}
	}
	f.Limit = queryNumber(v, bad, "limit", pageSize, 1, maxDeliveryPage)
	return f, bad.OrNil()
}
