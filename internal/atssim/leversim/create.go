package leversim

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"switchboard/internal/ats/lever"
)

// createOpportunityAPI serves POST /v1/opportunities?perform_as=<user id>,
// Lever's "create an opportunity", as far as it is known (see the evidence
// in switchboard/internal/ats/lever/create.go): perform_as is required and must
// be a user, one posting at most, stage/owner/followers/posting must exist,
// origin is one of Lever's. The opportunity starts in the given stage or New
// lead, is owned by the owner given, else the posting's owner with
// perform_as_posting_owner=true, else the perform_as user, and joins the
// contact of an opportunity with the same email. With a posting it gets an
// application and applicationCreated goes to the webhooks, as when a
// candidate applies (CreateOpportunity). The answer is 201 {"data": ...}.
func (s *Server) createOpportunityAPI(w http.ResponseWriter, r *http.Request) {
	var body lever.CreateOpportunityRequest
	if !decodeJSON(w, r, &body) {
		return
	}
	q := r.URL.Query()
	body.Name = strings.TrimSpace(body.Name)
	switch {
	case q.Get("perform_as") == "":
		writeError(w, http.StatusBadRequest, "perform_as is required: the id of the Lever user the opportunity is created as")
		return
	case body.Name == "":
		writeError(w, http.StatusBadRequest, "name is required")
		return
	case len(body.Postings) > 1:
		writeError(w, http.StatusBadRequest, "Only one posting may be given per request; send one request per posting")
		return
	case body.Origin != "" && !slices.Contains(lever.Origins(), body.Origin):
		writeError(w, http.StatusBadRequest, "origin must be one of "+strings.Join(lever.Origins(), ", "))
		return
	case body.Archived != nil && body.Archived.Reason == "":
		writeError(w, http.StatusBadRequest, "archived.reason is required")
		return
	}
	byPostingOwner, _ := strconv.ParseBool(q.Get("perform_as_posting_owner"))

	var send []pending
	defer func() {
		// Delivered after the reply is computed and the lock released, not
		// tied to the API caller's context (as for stage changes).
		s.deliverAll(context.WithoutCancel(r.Context()), send)
	}()
	s.locked(w, func() reply {
		user, bad := s.checkPerformAs(r)
		if bad != nil {
			return *bad
		}
		var posting *lever.Posting
		if len(body.Postings) == 1 {
			if posting = s.posting(body.Postings[0]); posting == nil {
				return fail(http.StatusBadRequest, "posting %q does not exist", body.Postings[0])
			}
		}
		stage := cmp.Or(body.Stage, lever.StageNewLead)
		if s.stageIndex(stage) < 0 {
			return fail(http.StatusBadRequest, "stage %q does not exist", stage)
		}
		owner := user
		switch {
		case body.Owner != "":
			if s.user(body.Owner) == nil {
				return fail(http.StatusBadRequest, "owner: user %q does not exist", body.Owner)
			}
			owner = body.Owner
		case byPostingOwner && posting != nil && posting.Owner.ID != "":
			owner = posting.Owner.ID
		}
		followers := []string{user} // the creator always follows
		for _, f := range body.Followers {
			if s.user(f) == nil {
				return fail(http.StatusBadRequest, "followers: user %q does not exist", f)
			}
			if !slices.Contains(followers, f) {
				followers = append(followers, f)
			}
		}
		contact := body.Contact
		if contact != "" && !s.contactExists(contact) {
			return fail(http.StatusBadRequest, "contact %q does not exist", contact)
		}
		emails := cleanSet(body.Emails)
		if contact == "" {
			contact = cmp.Or(s.contactByEmail(emails), newID())
		}

		now := s.nowMillis()
		createdAt := cmp.Or(body.CreatedAt, now)
		id := newID()
		o := &opportunity{opp: lever.Opportunity{
			ID: id, Name: body.Name, Headline: body.Headline, Contact: contact, Location: body.Location,
			Emails: emails, Phones: append([]lever.Phone{}, body.Phones...), Links: cleanSet(body.Links),
			CreatedAt: createdAt, UpdatedAt: now, LastInteractionAt: now, LastAdvancedAt: createdAt,
			Stage:        lever.StageRef{ID: stage},
			StageChanges: []lever.StageChange{{ToStageID: stage, ToStageIndex: s.stageIndex(stage), UserID: user, UpdatedAt: createdAt}},
			Owner:        lever.UserRef{ID: owner},
			Tags:         cleanSet(body.Tags), Sources: cleanSet(body.Sources),
			Origin:    cmp.Or(body.Origin, lever.OriginSourced),
			Followers: followers,
			URLs:      lever.URLs{List: "https://hire.lever.co/candidates", Show: "https://hire.lever.co/candidates/" + id},
		}}
		if body.Archived != nil {
			o.opp.Archived = &lever.Archived{ArchivedAt: cmp.Or(body.Archived.ArchivedAt, now), Reason: body.Archived.Reason}
		}
		if posting != nil {
			app := lever.Application{
				// "user": added by a Lever user, not applied through the job site.
				ID: newID(), OpportunityID: id, CandidateID: id, CreatedAt: createdAt, Type: "user",
				Posting: posting.ID, PostingOwner: posting.Owner.ID, PostingHiringManager: posting.HiringManager.ID,
				User: user, Name: body.Name,
			}
			if len(emails) > 0 {
				app.Email = emails[0]
			}
			o.apps = append(o.apps, app)
			send = s.payloads(lever.EventApplicationCreated, lever.WebhookData{
				OpportunityID: id, CandidateID: id, ContactID: contact, ApplicationID: app.ID,
			})
		}
		s.opps = append(s.opps, o)
		s.oppByID[id] = o
		return reply{http.StatusCreated, lever.Envelope[lever.Opportunity]{Data: s.render(o, nil)}}
	})
}

// contactExists reports whether an opportunity belongs to contact. Caller holds s.mu.
func (s *Server) contactExists(contact string) bool {
	return slices.ContainsFunc(s.opps, func(o *opportunity) bool { return o.opp.Contact == contact })
}

// contactByEmail returns the contact of the first opportunity sharing an
// email with emails, or "". Caller holds s.mu.
func (s *Server) contactByEmail(emails []string) string {
	for _, o := range s.opps {
		for _, have := range o.opp.Emails {
			if slices.ContainsFunc(emails, func(want string) bool { return strings.EqualFold(want, have) }) {
				return o.opp.Contact
			}
		}
	}
	return ""
}

// cleanSet trims values and drops empty and repeated ones, keeping order;
// never nil, so the JSON shows [] as Lever does.
func cleanSet(values []string) []string {
	out := []string{}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
