package ashby

// The partner endpoints Ashby calls: assessment.list, assessment.start and
// assessment.cancel. Each authenticates through the core (the key
// Switchboard issued, as HTTP Basic: inferred, see wire.go) and answers
// refusals the way Ashby shows them: 422 {message} with a sentence for the
// recruiter, 409 when the application is already being assessed.

import (
	"fmt"
	"net/http"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/ats/partnerhttp"
	"switchboard/internal/core"
)

// maxPartnerBody bounds a request body from Ashby; a start is a few
// kilobytes, with the hiring team.
const maxPartnerBody = 1 << 20

// InboundAuth implements ats.PartnerEndpoints: a key Switchboard issues,
// sent as the HTTP Basic user name [inferred].
func (c *Connector) InboundAuth() ats.InboundAuth { return ats.InboundBasic }

// RegisterPartner implements ats.PartnerEndpoints.
func (c *Connector) RegisterPartner(mux *http.ServeMux, prefix string, pc ats.PartnerCore) {
	h := &partnerHandler{&partnerhttp.Server{
		PC: pc, Name: "ashby partner", Auth: c.InboundAuth(), MaxBody: maxPartnerBody, Log: c.o.Logger,
		Body:     func(_ int, msg string) any { return ErrorMessage{Message: sentence(msg)} },
		Status:   refusalStatus,
		Internal: "Switchboard could not handle the request; try again in a moment.",
	}}
	mux.HandleFunc("POST "+prefix+PathList, h.Authed(h.list))
	mux.HandleFunc("POST "+prefix+PathStart, h.Authed(h.start))
	mux.HandleFunc("POST "+prefix+PathCancel, h.Authed(h.cancel))
}

type partnerHandler struct {
	*partnerhttp.Server
}

// AssessmentID is the assessment id Switchboard gives Ashby for a start:
// one per application and assessment type, so that a second start of the
// same lands on the same order (Ashby's 409), and a cancel finds it.
func AssessmentID(applicationID, assessmentTypeID string) string {
	return applicationID + ":" + assessmentTypeID
}

func idempotencyKey(assessmentID string) string { return "ashby:" + assessmentID }

// refusalStatus is the status a refusal is answered with: 401 for a
// refused key, 409 as it is, every other refusal as the 422 whose message
// Ashby shows the recruiter.
func refusalStatus(status int) int {
	switch status {
	case http.StatusUnauthorized, http.StatusConflict:
		return status
	}
	return http.StatusUnprocessableEntity
}

// sentence makes a refusal read as one: capitalised, with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Switchboard refused the request."
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// list is assessment.list: the account's packages.
func (h *partnerHandler) list(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	if _, err := h.ReadBody(w, r); err != nil { // Ashby sends {}; nothing in it is read
		h.Fail(w, r, err)
		return
	}
	vs, err := h.PC.Packages(r.Context(), cfg)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := ListResponse{Success: true, Results: make([]AssessmentType, 0, len(vs))}
	for _, v := range vs {
		out.Results = append(out.Results, AssessmentType{AssessmentTypeID: v.ID, Name: v.Name, Description: v.Description})
	}
	partnerhttp.WriteJSON(w, http.StatusOK, out)
}

// StartEvent is the order an assessment.start asks for.
func StartEvent(s StartRequest) ats.Event {
	id := AssessmentID(s.Application.AshbyID, s.AssessmentTypeID)
	return ats.Event{
		Kind: ats.EventOrderRequested, Mode: core.ModeAdHoc, IdempotencyKey: idempotencyKey(id),
		Candidate: ats.Candidate{
			ExternalID: s.Candidate.AshbyID, Email: s.Candidate.Email, ProfileURL: s.Candidate.AshbyProfileURL,
			Name: strings.TrimSpace(s.Candidate.FirstName + " " + s.Candidate.LastName),
		},
		ExternalID: id, ExternalJobID: s.Job.AshbyID, PackageID: s.AssessmentTypeID,
		// An expired order is invited anew; any other is already being assessed.
		Renew: true,
	}
}

// start is assessment.start: one order; 409 when the application already
// has one of this type that the start did not renew.
func (h *partnerHandler) start(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	body, err := h.ReadBody(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	s, err := DecodeStart(body)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	if s.Application.Status != ApplicationActive && s.Application.Status != ApplicationLead {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "the application is %s: assessments are sent only to active applications", strings.ToLower(s.Application.Status)))
		return
	}
	ev := StartEvent(s)
	rc, err := h.PC.Order(r.Context(), cfg, ev)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if !rc.Created {
		h.Fail(w, r, ats.Refuse(http.StatusConflict, "%s is already being assessed for this application (assessment %s)", cmpName(ev.Candidate), ev.ExternalID))
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, StartResponse{Success: true, Results: StartResults{AssessmentID: ev.ExternalID}})
}

func cmpName(c ats.Candidate) string {
	if c.Name != "" {
		return c.Name
	}
	return "the candidate"
}

// cancel is assessment.cancel: the order is cancelled (an unknown or ended
// one is left as it is) and the vendor told; Ashby is not written back to.
func (h *partnerHandler) cancel(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	body, err := h.ReadBody(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	c, err := DecodeCancel(body)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	ev := ats.Event{Kind: ats.EventOrderCancelled, IdempotencyKey: idempotencyKey(c.AssessmentID), ExternalID: c.AssessmentID, Reason: ReasonCancelledInAshby}
	if err := h.PC.Cancel(r.Context(), cfg, ev); err != nil {
		h.Fail(w, r, fmt.Errorf("cancel %s: %w", c.AssessmentID, err))
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, StartResponse{Success: true, Results: StartResults{AssessmentID: c.AssessmentID}})
}
