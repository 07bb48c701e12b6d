package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/service"
	"switchboard/internal/store"
	"switchboard/internal/strictjson"
)

// vacancyForm is the vacancy editor as typed, so a rejected form comes back
// as the user left it, with each problem next to its field.
type vacancyForm struct {
	ID                                        string
	Name, Tag, GreatFit, GoodFit, Expiry, URL string
	Inline                                    bool
	Package                                   string
	Modules                                   []assess.Module
	Errors                                    map[string]string
	// Vendor is set for an outside vendor's package: its questions are the
	// vendor's, so only the name, tag and return URL are edited here.
	Vendor *vendorPackage
}

type vendorPackage struct {
	ID, Name, PackageID, Description string
	Kind                             core.Kind
}

func formFromVacancy(v store.EngineVacancy) vacancyForm {
	pkg, _ := json.MarshalIndent(v.Package, "", "  ") // a validated package always encodes
	expiry := ""
	if v.ExpiryDays > 0 {
		expiry = strconv.Itoa(v.ExpiryDays)
	}
	f := vacancyForm{ID: v.ID, Name: v.Name, Tag: v.Tag, GreatFit: strconv.Itoa(v.Thresholds.GreatFit),
		GoodFit: strconv.Itoa(v.Thresholds.GoodFit), Expiry: expiry, URL: v.ReturnURL, Inline: v.Inline,
		Package: string(pkg), Modules: v.Package.Modules, Errors: map[string]string{}}
	if !v.Builtin() {
		f.Vendor = &vendorPackage{ID: v.VendorID, Name: v.VendorID, PackageID: v.VendorPackageID, Description: v.Description, Kind: v.Kind}
	}
	return f
}

// input reads the posted form into a service input, collecting what cannot
// even be parsed; the service checks the rest.
func (f *vacancyForm) read(r *http.Request) service.VacancyInput {
	p := r.PostFormValue
	f.Name, f.Tag, f.GreatFit, f.GoodFit = p("name"), p("tag"), p("great_fit"), p("good_fit")
	f.Expiry, f.URL, f.Inline, f.Package = p("expiry_days"), p("return_url"), p("inline") == "on", p("package")
	f.Errors = map[string]string{}
	if f.Vendor != nil {
		f.Name, f.Tag, f.URL = p("name"), p("tag"), p("return_url")
		return service.VacancyInput{Name: &f.Name, Tag: &f.Tag, ReturnURL: &f.URL}
	}
	in := service.VacancyInput{Name: &f.Name, Tag: &f.Tag, ReturnURL: &f.URL, Inline: &f.Inline}
	var t assess.Thresholds
	var err1, err2 error
	t.GreatFit, err1 = strconv.Atoi(strings.TrimSpace(f.GreatFit))
	t.GoodFit, err2 = strconv.Atoi(strings.TrimSpace(f.GoodFit))
	if err1 != nil || err2 != nil {
		f.Errors["thresholds"] = "give both thresholds as whole numbers from 0 to 100"
	} else {
		in.Thresholds = &t
	}
	days := 0
	if s := strings.TrimSpace(f.Expiry); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Errors["expiry_days"] = "must be a whole number of days"
		}
		days = n
	}
	in.ExpiryDays = &days
	if strings.TrimSpace(f.Package) != "" {
		var pkg assess.Package
		if err := strictjson.Decode(strings.NewReader(f.Package), &pkg, "it"); err != nil {
			f.Errors["package"] = jsonProblem(err)
		} else {
			in.Package = &pkg
			f.Modules = pkg.Modules
		}
	}
	return in
}

func (h *handler) newVacancyPage(w http.ResponseWriter, r *http.Request, q *request) {
	f := formFromVacancy(store.EngineVacancy{Package: assess.DefaultPackage(), Thresholds: assess.DefaultThresholds()})
	h.render(w, r, http.StatusOK, "vacancy", view{Title: "New vacancy", Nav: "vacancies", Q: q, D: f})
}

func (h *handler) vacancyPage(w http.ResponseWriter, r *http.Request, q *request) {
	f, ok := h.vacancyForm(w, r, q)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "vacancy", view{Title: f.Name, Nav: "vacancies", Q: q, D: f})
}

// vacancyForm is the path's vacancy as its form shows it, with its
// vendor's name; it answers the request itself when there is none.
func (h *handler) vacancyForm(w http.ResponseWriter, r *http.Request, q *request) (vacancyForm, bool) {
	v, err := h.svc.Vacancy(r.Context(), q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "vacancy", err)
		return vacancyForm{}, false
	}
	f := formFromVacancy(v)
	if f.Vendor != nil {
		vd, err := h.vnd.Get(r.Context(), v.VendorID)
		if err != nil {
			h.serverError(w, r, q, fmt.Errorf("vacancy %s: its vendor: %w", v.ID, err))
			return vacancyForm{}, false
		}
		f.Vendor.Name = vd.Name
	}
	return f, true
}

func (h *handler) createVacancy(w http.ResponseWriter, r *http.Request, q *request) {
	var f vacancyForm
	in := f.read(r)
	if len(f.Errors) > 0 {
		h.vacancyInvalid(w, r, q, f)
		return
	}
	_, err := h.svc.CreateVacancy(r.Context(), q.User, in)
	if h.vacancyFailed(w, r, q, f, err) {
		return
	}
	h.back(w, r, "/vacancies", flash{Kind: "ok", Message: "Vacancy " + strings.TrimSpace(f.Name) + " created."})
}

func (h *handler) updateVacancy(w http.ResponseWriter, r *http.Request, q *request) {
	f, ok := h.vacancyForm(w, r, q)
	if !ok {
		return
	}
	in := f.read(r)
	if len(f.Errors) > 0 {
		h.vacancyInvalid(w, r, q, f)
		return
	}
	_, err := h.svc.UpdateVacancy(r.Context(), q.User, f.ID, in)
	if h.vacancyFailed(w, r, q, f, err) {
		return
	}
	h.back(w, r, "/vacancies", flash{Kind: "ok", Message: "Vacancy " + strings.TrimSpace(f.Name) + " saved."})
}

// vacancyFailed answers a failed save and reports whether it did.
func (h *handler) vacancyFailed(w http.ResponseWriter, r *http.Request, q *request, f vacancyForm, err error) bool {
	if err == nil {
		return false
	}
	if inv, ok := asValidation(err); ok {
		for k, v := range inv.Fields {
			f.Errors[k] = v
		}
		h.vacancyInvalid(w, r, q, f)
		return true
	}
	if errors.Is(err, core.ErrConflict) {
		f.Errors["tag"] = "another vacancy already has this tag"
		h.vacancyInvalid(w, r, q, f)
		return true
	}
	h.fail(w, r, q, "vacancy", err)
	return true
}

func (h *handler) vacancyInvalid(w http.ResponseWriter, r *http.Request, q *request, f vacancyForm) {
	if f.Errors["package"] != "" {
		// Keep the user's text but make the JSON readable when it parses.
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(f.Package), "", "  ") == nil {
			f.Package = buf.String()
		}
	}
	title := "New vacancy"
	if f.ID != "" {
		title = f.Name
	}
	h.render(w, r, http.StatusUnprocessableEntity, "vacancy", view{Title: title, Nav: "vacancies", Q: q, D: f})
}
