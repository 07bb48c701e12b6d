package web

import (
	"errors"
	"net/http"
	"strconv"

	"switchboard/internal/report"
	"switchboard/internal/service"
)

// verifyLink checks a signed link; a bad or expired one gets a page saying so.
func (h *handler) verifyLink(w http.ResponseWriter, r *http.Request, purpose string) bool {
	err := h.svc.VerifyReportLink(purpose, r.URL.Path, r.URL.Query())
	switch {
	case err == nil:
		return true
	case errors.Is(err, report.ErrExpired):
		h.message(w, r, http.StatusGone, message{Title: "This report link has expired",
			Message: "Report links are valid for a limited time.", Hint: "Open the report again from the ATS or from Switchboard for a fresh link."})
	default:
		h.message(w, r, http.StatusForbidden, message{Title: "Invalid report link",
			Message: "This report link is not valid. Check that you copied the whole link."})
	}
	return false
}

func (h *handler) reportPage(w http.ResponseWriter, r *http.Request) {
	if !h.verifyLink(w, r, service.PurposeReportPage) {
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
	h.render(w, r, http.StatusOK, "report", map[string]any{"D": d, "PDFURL": d.Reports.PDFURL})
}

func (h *handler) reportPDF(w http.ResponseWriter, r *http.Request) {
	if !h.verifyLink(w, r, service.PurposeReportPDF) {
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
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(pdf)
}
