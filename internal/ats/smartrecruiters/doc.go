// Package smartrecruiters is Switchboard's SmartRecruiters connector:
// SmartRecruiters' wire types, the mapping between them and Switchboard's
// domain, a client for the calls Switchboard makes to SmartRecruiters as an
// Assessment API (2021) partner, and the connector built on them.
//
// SmartRecruiters is the opposite shape from Lever: SmartRecruiters calls the
// partner (to list packages and place ad-hoc, auto-triggered and inline
// orders), and the partner pushes status and results back. Both directions use
// OAuth 2.0 client credentials: the partner's master credentials for partner
// configuration and the credential exchange, customer-level credentials (one
// pair per connected company) for results, custom fields and the customer API.
//
// The connector is also an applicant source for applicant review
// (ats.ApplicantSource in source.go, ats.ChangeSubscriber in subscribe.go):
// it reads open jobs and their applicants in full through the customer API
// and moves applicants on, acting with a standalone SmartToken (X-SmartToken,
// credential api_key) or an integration's company credentials, and it keeps
// the candidate.deleted and job.status.updated webhooks itself: it creates
// and activates them (the X-Hook-Secret handshake), rotates their keys and
// verifies the smartrecruiters-signature of each notification.
//
// The client (client.go) sends every call through atshttp.Client, the one
// outbound client: its Auth is a Refresher over the TokenCache (token.go, one
// refresh at a time per credential), its Limiter the credential's Limits
// (limiter.go: the pace, 8 in flight, 1 for GET /candidates), and errors are
// *atshttp.StatusError with the field errors in the message and in
// ErrorDetails. The connector (connector.go, partner.go) builds on it and
// owns Switchboard's orders. The in-process simulator
// (internal/atssim/srsim) shares these wire types, so a correction to the wire
// format is one edit that fixes both. What is verified and what is inferred is
// recorded at the top of wire.go and, for applicant review, of
// wire_customer.go; see also /work/shared/ats/smartrecruiters.md
// and /work/shared/ats/wire-formats.md part A.
package smartrecruiters
