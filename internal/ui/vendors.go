package ui

import (
	"context"
	"errors"
	"net/http"

	"switchboard/internal/core"
	"switchboard/internal/service"
	"switchboard/internal/store"
	"switchboard/internal/vendors"
)

// deliveryPage is how many deliveries the vendor page lists.
const deliveryPage = 50

func (h *handler) vendorsPage(w http.ResponseWriter, r *http.Request, q *request) {
	vs, err := h.vnd.AccountVendors(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "vendor", err)
		return
	}
	h.render(w, r, http.StatusOK, "vendors", view{Title: "Vendors", Nav: "vendors", Q: q, D: vs})
}

// vendorData is one vendor's page: its health, its packages as vacancies
// of this account and its deliveries here.
type vendorData struct {
	Vendor     vendors.AccountVendor
	Vacancies  []core.Vacancy
	Deliveries []core.Delivery
	Filter     store.DeliveryFilter
	Statuses   []core.DeliveryStatus
	Errors     map[string]string
}

func (h *handler) vendorPage(w http.ResponseWriter, r *http.Request, q *request) {
	ctx := r.Context()
	v, err := h.vnd.AccountVendor(ctx, q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "vendor", err)
		return
	}
	d := vendorData{Vendor: v, Statuses: service.DeliveryStatuses, Errors: map[string]string{}}
	f, err := service.ParseDeliveryFilter(r.URL.Query(), deliveryPage)
	if inv, ok := asValidation(err); ok {
		d.Errors = inv.Fields
	}
	d.Filter = f
	if d.Deliveries, err = h.svc.Deliveries(ctx, q.User, v.ID, f); err != nil {
		h.fail(w, r, q, "vendor", err)
		return
	}
	vacs, err := h.svc.Vacancies(ctx, q.User)
	if err != nil {
		h.fail(w, r, q, "vendor", err)
		return
	}
	for _, vac := range vacs {
		if vac.VendorID == v.ID {
			d.Vacancies = append(d.Vacancies, vac)
		}
	}
	h.render(w, r, http.StatusOK, "vendor", view{Title: v.Name + " · vendor", Nav: "vendors", Q: q, D: d})
}

func (h *handler) linkVendor(w http.ResponseWriter, r *http.Request, q *request) {
	h.changeLink(w, r, q, h.vnd.Link, "is linked: its packages are vacancies of "+q.Account.Name+" now.")
}

func (h *handler) unlinkVendor(w http.ResponseWriter, r *http.Request, q *request) {
	h.changeLink(w, r, q, h.vnd.Unlink, "is unlinked: its vacancies are archived; orders already placed go on.")
}

// changeLink links or unlinks the path's vendor and goes back where the
// form was (the list or the vendor's page).
func (h *handler) changeLink(w http.ResponseWriter, r *http.Request, q *request, change func(context.Context, core.User, string) error, done string) {
	id := r.PathValue("id")
	to := "/vendors"
	if r.PostFormValue("back") == "vendor" {
		to = "/vendors/" + id
	}
	v, err := h.vnd.AccountVendor(r.Context(), q.User, id)
	if err == nil {
		err = change(r.Context(), q.User, id)
	}
	switch {
	case err == nil:
		h.back(w, r, to, flash{Kind: "ok", Message: v.Name + " " + done})
	case errors.Is(err, core.ErrConflict) || (errors.Is(err, core.ErrNotFound) && v.ID != ""):
		h.back(w, r, to, flash{Kind: "error", Message: sentence(core.PublicMessage(err, "that cannot be done now"))})
	default:
		h.fail(w, r, q, "vendor", err)
	}
}

// health is a vendor endpoint's state as the pages show it.
type health struct{ Class, Text string }

// endpointHealth says whether the vendor's order endpoint receives: none
// set, disabled (since when, why), failing (since when) or receiving.
func endpointHealth(v core.Vendor) health {
	switch {
	case v.Status != core.VendorActive:
		return health{"bad", "The operator disabled this vendor: nothing is delivered."}
	case !v.EndpointDisabledAt.IsZero():
		return health{"bad", "Disabled since " + fmtTime(v.EndpointDisabledAt, "2 Jan 2006 15:04 MST") + ": " + v.EndpointDisabledReason + ". The vendor re-enables it once it works; then replay what failed."}
	case v.WebhookURL == "":
		return health{"warn", "No webhook endpoint yet: orders wait for the vendor to fetch them."}
	case !v.FailingSince.IsZero():
		return health{"warn", "Failing since " + fmtTime(v.FailingSince, "2 Jan 2006 15:04 MST") + "; attempts go on."}
	}
	return health{"ok", "Receiving."}
}
