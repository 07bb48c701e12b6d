package workable

// The provider endpoints Workable calls [V]: GET /tests and POST
// /assessments, authenticated with the bearer key Switchboard issued for the
// integration (the core finds the integration from it), answering errors in
// the provider error body {"status", "message"} [V2].

import (
	"errors"
	"net/http"

	"switchboard/internal/ats"
	"switchboard/internal/ats/partnerhttp"
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
	h := &partnerHandler{c: c, Server: &partnerhttp.Server{
		PC: pc, Name: "workable provider", Auth: c.InboundAuth(), MaxBody: maxBody, Log: c.o.Logger,
		Body: func(status int, msg string) any { return Error{Status: status, Message: msg} },
	}}
	mux.HandleFunc("GET "+prefix+PathTests, h.Authed(h.tests))
	mux.HandleFunc("POST "+prefix+PathAssessments, h.Authed(h.create))
}

// partnerHandler answers errors in the provider error body {"status",
// "message"}.
type partnerHandler struct {
	c *Connector
	*partnerhttp.Server
}

// tests is GET /tests: the account's packages that are sent by email (one
// test per job, chosen in Workable).
func (h *partnerHandler) tests(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	vs, err := h.PC.Packages(r.Context(), cfg)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := Tests{Tests: []Test{}}
	for _, v := range vs {
		if !v.IsInline() {
			out.Tests = append(out.Tests, Test{ID: FlexString(v.ID), Name: v.Name})
		}
	}
	partnerhttp.WriteJSON(w, http.StatusOK, out)
}

// create is POST /assessments: one order, the candidate emailed; 201 with
// Switchboard's order id as the assessment id, or 200 with the same id when
// Workable asks again for an assessment it already created (its callback
// URL names it). Nothing is stored for a refused request.
func (h *partnerHandler) create(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	body, err := h.ReadBody(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	req, err := DecodeAssessmentRequest(body)
	switch {
	case errors.Is(err, ErrIncomplete):
		h.Fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "%v", err))
		return
	case err != nil:
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	if problem := h.c.CheckCallback(req.CallbackURL); problem != "" {
		h.Fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "callback_url refused: %s", problem))
		return
	}
	v, err := h.PC.Package(r.Context(), cfg, string(req.TestID))
	var ie *ats.InboundError
	switch {
	case errors.As(err, &ie) && ie.Status == http.StatusNotFound:
		h.Fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "there is no test %q: pick one of the tests listed for this account", req.TestID))
		return
	case err != nil:
		h.Fail(w, r, err)
		return
	case v.IsInline():
		h.Fail(w, r, ats.Refuse(http.StatusUnprocessableEntity, "test %q (%s) is taken while applying, not sent by email: Workable cannot send it", req.TestID, v.Name))
		return
	}
	rc, err := h.PC.Order(r.Context(), cfg, OrderEvent(req))
	if errors.As(err, &ie) && ie.Status == http.StatusNotFound {
		err = ats.Refuse(http.StatusUnprocessableEntity, "%s", ie.Message)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	status := http.StatusOK
	if rc.Created {
		status = http.StatusCreated
	}
	partnerhttp.WriteJSON(w, status, AssessmentCreated{AssessmentID: rc.OrderID})
}
