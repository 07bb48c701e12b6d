package web

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/report"
	"switchboard/internal/service"
)

// verifyLink checks a signed link and returns when it expires; a bad or
// expired one gets a page saying so.
func (h *handler) verifyLink(w http.ResponseWriter, r *http.Request, purpose string) (time.Time, bool) {
	until, err := h.svc.VerifyReportLink(purpose, r.URL.Path, r.URL.Query())
	switch {
	case err == nil:
		return until, true
	case errors.Is(err, report.ErrExpired):
		h.message(w, r, http.StatusGone, message{Title: "This report link has expired",
			Message: "Report links are valid for a limited time.", Hint: "Open the report again from the ATS or from Switchboard for a fresh link."})
	default:
		h.message(w, r, http.StatusForbidden, message{Title: "Invalid report link",
			Message: "This report link is not valid. Check that you copied the whole link."})
	}
	return time.Time{}, false
}

func (h *handler) reportPage(w http.ResponseWriter, r *http.Request) {
	until, ok := h.verifyLink(w, r, service.PurposeReportPage)
	if !ok {
		return
	}
	d, err := h.svc.ReportByOrderID(r.Context(), r.PathValue("id"))
	if isNotFound(err) {
		h.message(w, r, http.StatusNotFound, message{Title: "No report", Message: "There is no completed assessment here."})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var pdf string
	if d.Reports.PDFURL != "" {
		pdf = h.svc.ReportPDFLink(d.Order.ID, until)
	}
	h.render(w, r, http.StatusOK, "report", map[string]any{"D": d, "PDFURL": pdf})
}

func (h *handler) reportPDF(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.verifyLink(w, r, service.PurposeReportPDF); !ok {
		return
	}
	d, err := h.svc.ReportByOrderID(r.Context(), r.PathValue("id"))
	if isNotFound(err) {
		h.message(w, r, http.StatusNotFound, message{Title: "No report", Message: "There is no completed assessment here."})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	pdf, err := h.svc.ReportPDF(r.Context(), d)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Header().Set("Content-Disposition", `inline; filename="report-`+d.Order.ID+`.pdf"`)
	_, _ = w.Write(pdf)
}

// file serves a stored file (a vendor's attachment) behind a signed link.
func (h *handler) file(w http.ResponseWriter, r *http.Request) {
	f, err := h.svc.File(r.Context(), r.PathValue("id"), r.URL.Query())
	switch {
	case errors.Is(err, core.ErrForbidden):
		h.message(w, r, http.StatusForbidden, message{Title: "Link not valid", Message: "This link is not valid or has expired."})
		return
	case isNotFound(err):
		h.message(w, r, http.StatusNotFound, message{Title: "No file", Message: "There is no file here."})
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	_, _ = w.Write(f.Data)
}
