package ui

import (
	"errors"
	"net/http"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/vendors"
)

// operatorVendorData is one vendor as the operator manages it.
type operatorVendorData struct {
	Vendor vendors.Detail
	// Accounts are the accounts it is not linked to, to pick from.
	Accounts []core.Account
	// PackagesJSON is the static packages editor's text: the stored set,
	// or what was typed when it was refused.
	PackagesJSON string
	Errors       map[string]string
	// Shown is a key or secret made by this request, shown this once.
	Shown *shownOnce
}

// shownOnce is a key or signing secret on the page that made it; nothing
// shows it again.
type shownOnce struct{ ID, What, Note, Value string }

func (h *handler) operatorVendorPage(w http.ResponseWriter, r *http.Request, q *request) {
	h.renderOperatorVendor(w, r, q, http.StatusOK, r.PathValue("id"), operatorVendorData{})
}

func (h *handler) renderOperatorVendor(w http.ResponseWriter, r *http.Request, q *request, status int, id string, d operatorVendorData) {
	ctx := r.Context()
	var err error
	if d.Vendor, err = h.vnd.Detail(ctx, id); err != nil {
		h.operatorFail(w, r, q, err)
		return
	}
	accounts, err := h.id.Accounts(ctx)
	if err != nil {
		h.serverError(w, r, q, err)
		return
	}
	linked := map[string]bool{}
	for _, l := range d.Vendor.Links {
		linked[l.AccountID] = true
	}
	for _, a := range accounts {
		if !linked[a.ID] {
			d.Accounts = append(d.Accounts, a)
		}
	}
	if d.PackagesJSON == "" {
		b, err := vendors.EncodeStaticPackages(vendors.StaticPackages(d.Vendor.Packages))
		if err != nil {
			h.serverError(w, r, q, err)
			return
		}
		d.PackagesJSON = string(b)
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	h.render(w, r, status, "operator_vendor", view{Title: d.Vendor.Name + " · operator", Nav: "operator", Q: q, D: d})
}

// operatorFail answers a failed operator action: a missing vendor is a
// 404 in the operator's words (not the account's), the rest as fail does.
func (h *handler) operatorFail(w http.ResponseWriter, r *http.Request, q *request, err error) {
	if errors.Is(err, core.ErrNotFound) {
		h.render(w, r, http.StatusNotFound, "problem", view{Title: "Not found", Q: q, D: problem{
			Title: "Not found", Message: sentence(core.PublicMessage(err, "there is no such vendor")),
		}})
		return
	}
	h.fail(w, r, q, "vendor", err)
}

// operatorDone goes back to the vendor's page after an action: with done
// when it worked, with the reason when it could not be done (a conflict,
// a key or link that is not there), else as operatorFail.
func (h *handler) operatorDone(w http.ResponseWriter, r *http.Request, q *request, err error, done string) {
	to := "/operator/vendors/" + r.PathValue("id")
	_, inv := asValidation(err)
	switch {
	case err == nil:
		h.back(w, r, to, flash{Kind: "ok", Message: done})
	case inv || errors.Is(err, core.ErrConflict) || errors.Is(err, core.ErrNotFound) && h.vendorExists(r):
		h.back(w, r, to, flash{Kind: "error", Message: sentence(core.PublicMessage(err, err.Error()))})
	default:
		h.operatorFail(w, r, q, err)
	}
}

func (h *handler) vendorExists(r *http.Request) bool {
	_, err := h.vnd.Get(r.Context(), r.PathValue("id"))
	return err == nil
}

func (h *handler) operatorNewKey(w http.ResponseWriter, r *http.Request, q *request) {
	_, key, err := h.vnd.CreateKey(r.Context(), r.PathValue("id"))
	if err != nil {
		h.operatorDone(w, r, q, err, "")
		return
	}
	h.renderOperatorVendor(w, r, q, http.StatusOK, r.PathValue("id"), operatorVendorData{Shown: &shownOnce{
		ID: "new-vendor-key", What: "The new API key", Note: "The vendor's other keys go on working until you revoke them.", Value: key}})
}

func (h *handler) operatorRevokeKey(w http.ResponseWriter, r *http.Request, q *request) {
	err := h.vnd.RevokeKey(r.Context(), r.PathValue("id"), r.PathValue("key"))
	h.operatorDone(w, r, q, err, "The key is revoked: it stopped working.")
}

func (h *handler) operatorSetStatus(st core.VendorStatus) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, q *request) {
		_, err := h.vnd.SetStatus(r.Context(), r.PathValue("id"), st)
		done := "The vendor is active again."
		if st == core.VendorDisabled {
			done = "The vendor is disabled: its keys are refused and nothing is delivered to it."
		}
		h.operatorDone(w, r, q, err, done)
	}
}

// operatorSetPackages replaces the static packages with the editor's
// JSON; what is wrong with it is shown beside the text, which stays.
func (h *handler) operatorSetPackages(w http.ResponseWriter, r *http.Request, q *request) {
	text := r.PostFormValue("packages")
	refused := func(errs map[string]string) {
		h.renderOperatorVendor(w, r, q, http.StatusUnprocessableEntity, r.PathValue("id"), operatorVendorData{PackagesJSON: text, Errors: errs})
	}
	ps, err := vendors.DecodeStaticPackages(strings.NewReader(text), "the packages")
	if err != nil {
		refused(map[string]string{"packages": jsonProblem(err)})
		return
	}
	_, err = h.vnd.SetStaticPackages(r.Context(), r.PathValue("id"), ps)
	if inv, ok := asValidation(err); ok {
		refused(inv.Fields)
		return
	}
	h.operatorDone(w, r, q, err, "The static packages are saved; linked accounts have them as vacancies.")
}

func (h *handler) operatorRotateSecret(w http.ResponseWriter, r *http.Request, q *request) {
	wh, err := h.vnd.RotateSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		h.operatorDone(w, r, q, err, "")
		return
	}
	note := "Give it to the vendor to verify deliveries with."
	if wh.PreviousUntil != nil {
		note += " The previous secret keeps signing until " + fmtTime(*wh.PreviousUntil, "2 Jan 2006 15:04 MST") + "."
	}
	h.renderOperatorVendor(w, r, q, http.StatusOK, r.PathValue("id"), operatorVendorData{Shown: &shownOnce{
		ID: "new-signing-secret", What: "The new webhook signing secret", Note: note, Value: wh.Secret}})
}

func (h *handler) operatorLink(w http.ResponseWriter, r *http.Request, q *request) {
	account := r.PostFormValue("account")
	if account == "" {
		h.renderOperatorVendor(w, r, q, http.StatusUnprocessableEntity, r.PathValue("id"), operatorVendorData{Errors: map[string]string{"account": "pick an account to link"}})
		return
	}
	_, err := h.vnd.LinkAccount(r.Context(), r.PathValue("id"), account)
	h.operatorDone(w, r, q, err, "Linked: its packages are orderable in the account.")
}

func (h *handler) operatorUnlink(w http.ResponseWriter, r *http.Request, q *request) {
	err := h.vnd.UnlinkAccount(r.Context(), r.PathValue("id"), r.PathValue("account"))
	h.operatorDone(w, r, q, err, "Unlinked: its vacancies there are archived; orders already placed go on.")
}
