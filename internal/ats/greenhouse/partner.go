package greenhouse

// The four endpoints Greenhouse calls. Each authenticates through the core
// (HTTP Basic, the issued key as user name, an empty password) and answers
// refusals with ErrorResponse.

import (
	"cmp"
	"net/http"
	"net/url"
	"path"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/ats/partnerhttp"
	"switchboard/internal/core"
)

// InboundAuth implements ats.PartnerEndpoints: Greenhouse calls with the
// key Switchboard issued, as the Basic user name with an empty password.
func (c *Connector) InboundAuth() ats.InboundAuth { return ats.InboundBasic }

// RegisterPartner implements ats.PartnerEndpoints.
func (c *Connector) RegisterPartner(mux *http.ServeMux, prefix string, pc ats.PartnerCore) {
	h := &partnerHandler{c: c, Server: &partnerhttp.Server{
		PC: pc, Name: "greenhouse partner", Auth: c.InboundAuth(), MaxBody: maxBody, Log: c.o.Logger,
		Body: func(status int, msg string) any {
			return ErrorResponse{Status: status, Message: msg, Errors: []string{msg}}
		},
	}}
	// Authed: a missing, wrong or rotated key, or a password, is a 401
	// before anything is read or stored.
	mux.HandleFunc("GET "+prefix+PathListTests, h.Authed(h.listTests))
	mux.HandleFunc("POST "+prefix+PathSendTest, h.Authed(h.sendTest))
	mux.HandleFunc("GET "+prefix+PathTestStatus, h.Authed(h.testStatus))
	mux.HandleFunc("POST "+prefix+PathResponseError, h.Authed(h.responseError))
}

type partnerHandler struct {
	c *Connector
	*partnerhttp.Server
}

// listTests is GET list_tests: the account's packages, [] when none.
func (h *partnerHandler) listTests(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	vs, err := h.PC.Packages(r.Context(), cfg)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]Test, 0, len(vs))
	for _, v := range vs {
		if v.IsInline() {
			continue // taken while applying, which Greenhouse has not
		}
		out = append(out, Test{PartnerTestID: v.ID, PartnerTestName: v.Name})
	}
	partnerhttp.WriteJSON(w, http.StatusOK, out)
}

// sendTest is POST send_test: one order, the candidate emailed, answered
// with Switchboard's order id. Greenhouse retrying the same test instance
// (the same url) gets the same id.
func (h *partnerHandler) sendTest(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	body, err := h.ReadBody(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	st, err := DecodeSendTest(body)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	// The key goes to this url with the ping: refuse it now, when Greenhouse
	// can still tell the recruiter, rather than at completion.
	if err := h.c.checkPingURL(st.URL); err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "send_test url: %s", strings.TrimPrefix(err.Error(), ErrPingURL.Error()+": ")))
		return
	}
	rc, err := h.PC.Order(r.Context(), cfg, OrderEvent(st))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, SendTestResponse{PartnerInterviewID: rc.OrderID})
}

// OrderEvent is the order a send_test asks for. The test instance is
// Greenhouse's url (one per "Send Test"), so it is the idempotency key; the
// candidate is Greenhouse's person in the profile URL, or the email.
func OrderEvent(st SendTest) ats.Event {
	c := st.Candidate
	person, _ := profileIDs(c.GreenhouseProfileURL)
	return ats.Event{
		Kind: ats.EventOrderRequested, Mode: core.ModeAdHoc,
		IdempotencyKey: "greenhouse:" + st.URL,
		Candidate: ats.Candidate{
			ExternalID: strings.TrimSpace(cmp.Or(person, strings.ToLower(strings.TrimSpace(c.Email)))),
			Name:       strings.Join(strings.Fields(c.FirstName+" "+c.LastName), " "),
			Email:      strings.TrimSpace(c.Email),
			ProfileURL: c.GreenhouseProfileURL,
		},
		ExternalID:  cmp.Or(lastSegment(st.URL), st.URL),
		PackageID:   st.PartnerTestID,
		CallbackURL: st.URL,
	}
}

// profileIDs reads Greenhouse's person and application ids from a profile
// URL (https://app.greenhouse.io/people/17681532?application_id=26234709).
func profileIDs(raw string) (person, application string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	if dir, id := path.Split(strings.TrimRight(u.Path, "/")); strings.HasSuffix(dir, "/people/") && id != "" {
		person = "person:" + id
	}
	return person, u.Query().Get("application_id")
}

func lastSegment(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return path.Base(strings.TrimRight(u.Path, "/"))
}

// testStatus is GET test_status?partner_interview_id=: the order as it
// stands (Greenhouse polls, or asks after a ping).
func (h *partnerHandler) testStatus(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	id := r.URL.Query().Get("partner_interview_id")
	if id == "" {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "partner_interview_id is required"))
		return
	}
	u, err := h.PC.Status(r.Context(), cfg, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	ts, err := TestStatusFor(u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, ts)
}

// responseError is POST response_error: Greenhouse says an answer of ours
// was malformed. It goes on the order's timeline (or the log), and is
// acknowledged as Greenhouse documents: 200 {"status":200}.
func (h *partnerHandler) responseError(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	body, err := h.ReadBody(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	re, err := DecodeResponseError(body)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	if err := h.PC.Complaint(r.Context(), cfg, ComplaintFor(re)); err != nil {
		h.Fail(w, r, err)
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, ResponseErrorAck{Status: http.StatusOK})
}

// ComplaintFor is the core's record of a response_error: Greenhouse's
// errors, with what it said the answer was about.
func ComplaintFor(re ResponseError) ats.Complaint {
	errs := append([]string(nil), re.Errors...)
	var about []string
	if re.PartnerTestID != "" || re.PartnerTestName != "" {
		about = append(about, "test "+strings.TrimSpace(re.PartnerTestID+" "+re.PartnerTestName))
	}
	if re.CandidateEmail != "" {
		about = append(about, "candidate "+re.CandidateEmail)
	}
	if len(about) > 0 {
		errs = append(errs, "(about "+strings.Join(about, ", ")+")")
	}
	return ats.Complaint{OrderID: re.PartnerInterviewID, Call: re.APICall, Errors: errs}
}
