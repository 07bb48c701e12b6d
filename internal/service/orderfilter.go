package service

import (
	"net/url"
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
	number := func(name string, def, lo, hi int) int {
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
	f.Limit = number("limit", pageSize, 1, maxOrderPage)
	f.Offset = number("offset", 0, 0, 1<<30)
	return f, bad.OrNil()
}
