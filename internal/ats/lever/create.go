package lever

// Creating opportunities, and listing an opportunity's notes and files: what
// a test order needs beyond the write-back (see sandbox.go).
//
// Evidence for POST /opportunities, per /work/shared/ats/lever-workable.md L2
// and the public clients it cites:
//
// Verified (several independent sources agree):
//   - POST /opportunities?perform_as=<user id>; perform_as is required, and
//     the optional query flags are parse and perform_as_posting_owner;
//   - the JSON body fields name, headline, stage, location, phones
//     [{value,type}], emails[], links[], tags[], sources[], origin, owner,
//     followers[], postings[], createdAt (ms), archived {archivedAt,reason}
//     and contact;
//   - only one posting per request;
//   - the answer is {"data": Opportunity}.
//
// Inferred (no source could be read; keep these guesses here, in one place):
//   - the status is 201 Created (the client accepts any 2xx);
//   - without stage the opportunity starts in "New lead", with or without a
//     posting (one client's docstring says so);
//   - owner defaults to the perform_as user, or with perform_as_posting_owner
//     to the posting's owner;
//   - an email already on a contact links the new opportunity to that
//     contact instead of creating a second one;
//   - origin is one of the Origin* values below; anything else is a 400;
//   - GET /opportunities/:id/notes and /files are paginated lists like
//     every other list.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"switchboard/internal/ats/atshttp"
)

// Origins of an opportunity: how it was added to Lever.
const (
	OriginAgency     = "agency"
	OriginApplied    = "applied"
	OriginInternal   = "internal"
	OriginReferred   = "referred"
	OriginSourced    = "sourced"
	OriginUniversity = "university"
)

// Origins lists the origins Lever accepts.
func Origins() []string {
	return []string{OriginAgency, OriginApplied, OriginInternal, OriginReferred, OriginSourced, OriginUniversity}
}

// CreateOpportunityRequest is the JSON body of POST /opportunities. Empty
// fields are left out, so Lever's defaults apply.
type CreateOpportunityRequest struct {
	Name      string    `json:"name"`
	Headline  string    `json:"headline,omitempty"`
	Stage     string    `json:"stage,omitempty"` // a stage id; default "New lead" (inferred)
	Location  string    `json:"location,omitempty"`
	Phones    []Phone   `json:"phones,omitempty"`
	Emails    []string  `json:"emails,omitempty"`
	Links     []string  `json:"links,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	Sources   []string  `json:"sources,omitempty"`
	Origin    string    `json:"origin,omitempty"`
	Owner     string    `json:"owner,omitempty"` // a user id; default the perform_as user (inferred)
	Followers []string  `json:"followers,omitempty"`
	Postings  []string  `json:"postings,omitempty"` // at most one
	CreatedAt int64     `json:"createdAt,omitempty"`
	Archived  *Archived `json:"archived,omitempty"`
	Contact   string    `json:"contact,omitempty"` // link to an existing contact
}

// CreateOpportunity creates an opportunity recorded as the user performAs,
// which Lever requires. With a posting, Lever sends applicationCreated.
//
// Unlike the other calls it is sent at most once unless Lever answers 429:
// creating is not idempotent, and a retry after a 5xx or a cut connection
// could leave two candidates where one was asked for.
func (c *Client) CreateOpportunity(ctx context.Context, performAs string, in CreateOpportunityRequest) (Opportunity, error) {
	switch {
	case performAs == "":
		return Opportunity{}, errors.New("lever: create opportunity: perform_as (a Lever user id) is required")
	case strings.TrimSpace(in.Name) == "":
		return Opportunity{}, errors.New("lever: create opportunity: empty name")
	case len(in.Postings) > 1:
		return Opportunity{}, fmt.Errorf("lever: create opportunity: %d postings given, Lever takes one per request", len(in.Postings))
	case in.Origin != "" && !slices.Contains(Origins(), in.Origin):
		return Opportunity{}, fmt.Errorf("lever: create opportunity: unknown origin %q", in.Origin)
	}
	b, err := atshttp.JSONBody(in)
	if err != nil {
		return Opportunity{}, fmt.Errorf("lever: create opportunity: %w", err)
	}
	var env Envelope[Opportunity]
	rq := atshttp.Request{Method: http.MethodPost, Path: "/opportunities", Query: performAsQuery(performAs), Body: b, ContentType: "application/json", Creates: true}
	if err := c.api.JSON(ctx, rq, &env); err != nil {
		return Opportunity{}, fmt.Errorf("lever: create opportunity: %w", err)
	}
	if env.Data.ID == "" {
		return Opportunity{}, errors.New("lever: create opportunity: response has no opportunity")
	}
	return env.Data, nil
}

// ListNotes lists an opportunity's notes, all pages.
func (c *Client) ListNotes(ctx context.Context, opportunityID string) ([]Note, error) {
	if opportunityID == "" {
		return nil, fmt.Errorf("lever: list notes: %w", errEmptyID("opportunity"))
	}
	notes, err := listAll[Note](ctx, c, oppPath(opportunityID, "/notes"), url.Values{})
	if err != nil {
		return nil, fmt.Errorf("lever: list notes: %w", err)
	}
	return notes, nil
}

// ListFiles lists the files on an opportunity, all pages.
func (c *Client) ListFiles(ctx context.Context, opportunityID string) ([]File, error) {
	if opportunityID == "" {
		return nil, fmt.Errorf("lever: list files: %w", errEmptyID("opportunity"))
	}
	files, err := listAll[File](ctx, c, oppPath(opportunityID, "/files"), url.Values{})
	if err != nil {
		return nil, fmt.Errorf("lever: list files: %w", err)
	}
	return files, nil
}
