package workable

// The provider endpoints Workable calls [V]: GET /tests and POST
// /assessments, authenticated with the bearer key Switchboard issued for the
// integration (the core finds the integration from it), answering errors in
// the provider error body {"status", "message"} [V2].

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"switchboard/internal/ats"
)

// Provider endpoint paths, under the prefix the core mounts them at.
const (
	PathTests       = "/tests"
	PathAssessments = "/assessments"
)

// maxBody bounds a request body from Workable; an assessment request is
// under a kilobyte.
const maxBody = 64 << 10

// InboundAuth implements ats.PartnerEndpoints: Workable sends the key
// Switchboard issued as "Authorization: Bearer <key>".
func (c *Connector) InboundAuth() ats.InboundAuth { return ats.InboundBearer }

// RegisterPartner implements ats.PartnerEndpoints.
func (c *Connector) RegisterPartner(mux *http.ServeMux, prefix string, pc ats.PartnerCore) {
	h := &partnerHandler{c: c, pc: pc, log: c.o.Logger}
	mux.HandleFunc("GET "+prefix+PathTests, h.tests)
	mux.HandleFunc("POST "+prefix+PathAssessments, h.create)
}

type partnerHandler struct {
	c   *Connector
	pc  ats.PartnerCore
	log *slog.Logger
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the caller went away; nothing to do
}

// fail answers an error in the provider error body: an *ats.InboundError
// with its status and message, anything else as a 500 without detail.
func (h *partnerHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ie *ats.InboundError
	if !errors.As(err, &ie) {
		h.log.ErrorContext(r.Context(), "workable provider endpoint failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, Error{Status: http.StatusInternalServerError, Message: "Switchboard could not handle the request; try again later"})
		return
	}
	h.log.InfoContext(r.Context(), "workable provider request refused", "method", r.Method, "path", r.URL.Path, "status", ie.Status, "reason", ie.Message)
	if ie.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	writeJSON(w, ie.Status, Error{Status: ie.Status, Message: ie.Message})
}

// tests is GET /tests: the account's packages that are sent by email (one
// test per job, chosen in Workable).
func (h *partnerHandler) tests(w http.ResponseWriter, r *http.Request) {
	cfg, err := h.pc.Authenticate(r.Context(), r.Header)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vs, err := h.pc.Packages(r.Context(), cfg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := Tests{Tests: []Test{}}
	for _, v := range vs {
		if !v.IsInline() {
			out.Tests = append(out.Tests, Test{ID: FlexString(v.ID), Name: v.Name})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// create is POST /assessments: one order, the candidate emailed; 201 with
// Switchboard's order id as the assessment id, or 200 with the same id when
// Workable asks again for an assessment it already created (its callback
// URL names it). Nothing is stored for a refused request.
func (h *partnerHandler) create(w http.ResponseWriter, r *http.Request) {
	cfg, err := h.pc.Authenticate(r.Context(), r.Header)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fail(w, r, ats.Refuse(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", maxBody))
			return
		}
		h.fail(w, r, ats.Refuse(http.StatusBadRequest, "could not read the body"))
		return
	}
	req, err := DecodeAssessmentRequest(body)
	switch {
	case errors.Is(err, ErrIncomplete):
		h.fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "%v", err))
		return
	case err != nil:
		h.fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	if problem := h.c.CheckCallback(req.CallbackURL); problem != "" {
		h.fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "callback_url refused: %s", problem))
		return
	}
	v, err := h.pc.Package(r.Context(), cfg, string(req.TestID))
	var ie *ats.InboundError
	switch {
	case errors.As(err, &ie) && ie.Status == http.StatusNotFound:
		h.fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "there is no test %q: pick one of the tests listed for this account", req.TestID))
		return
	case err != nil:
		h.fail(w, r, err)
		return
	case v.IsInline():
		h.fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "test %q (%s) is taken while applying, not sent by email: Workable cannot send it", req.TestID, v.Name))
		return
	}
	rc, err := h.pc.Order(r.Context(), cfg, OrderEvent(req))
	if errors.As(err, &ie) && ie.Status == http.StatusNotFound {
		err = ats.Refuse(http.StatusUnprocessableEntity, "%s", ie.Message)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if rc.Created {
		status = http.StatusCreated
	}
	writeJSON(w, status, AssessmentCreated{AssessmentID: rc.OrderID})
}
