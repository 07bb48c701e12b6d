// Package workable is the Workable connector: Switchboard as a Workable
// "assessment provider". Workable calls Switchboard (partner.go) to list the
// account's tests (GET /tests) and to send one to a candidate (POST
// /assessments, with the callback URL where Workable wants the results), with
// a bearer key Switchboard issued for the integration (ats.InboundBearer);
// Switchboard reports each status change back with PUT {callback_url} and
// the token Workable generated when the customer created the integration,
// and records a note on the candidate's timeline through the SPI v3 API
// (https://{subdomain}.workable.com/spi/v3, the customer's account access
// token, 10 requests per 10 seconds).
//
// What is verified and what is inferred (the contract is
// /work/shared/ats/lever-workable.md W1–W2 and wire-formats.md part B):
//   - verified: the provider's two endpoints, bearer auth both ways, the
//     GET /tests answer; SPI v3's base URL, bearer token, scopes, the 10
//     req/10 s limit of account tokens with its X-Rate-Limit-* headers,
//     paging.next, POST /candidates/:id/comments;
//   - secondary (one vendor's design doc, [V2]): the POST /assessments body
//     and answer, the {status, message} error body, the results callback
//     (PUT, status pending|completed|rejected|expired, results_url,
//     assessment{score, grade, summary, details, duration}, attachments);
//   - inferred: ids and scores as string or number, the callback URL's host
//     (under workable.com), the SPI error body, the X-Rate-Limit-Reset unit
//     (Unix seconds), the members' role names.
//
// Every secondary or inferred format is in wire.go, marked so, and decoded
// leniently (unknown fields ignored, ids and scores string or number). The
// simulator (internal/atssim/workablesim) shares these types.
package workable
