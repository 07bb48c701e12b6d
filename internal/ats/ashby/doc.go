// Package ashby is the Ashby connector: Switchboard as a partner of Ashby's
// Assessments framework (contract: /work/shared/ats/unified-apis-and-partner-apis.md §2.4).
//
// Ashby calls the partner: POST /assessment.list for the packages a
// recruiter may put in an interview plan, POST /assessment.start when a
// recruiter or a stage starts one (409 when the application is already being
// assessed, 422 {message} for a refusal Ashby shows the recruiter), and POST
// /assessment.cancel. The partner pushes progress and the result to Ashby's
// POST /assessment.update with the customer's Ashby API key (results
// pushed, ad-hoc pattern only).
//
// Verified in Ashby's guide and OpenAPI copy: the partner endpoints, their
// bodies, 409 and 422; assessment.update's fields, each of them a value
// object {identifier, label, description, type, value} with the type enum;
// epoch-millisecond timestamps; Ashby's answers (401 without a key, 403 for a
// wrong key or a missing permission, 200 with success:false and errorInfo
// for invalid input); apiKey.info and its scopes. Inferred, and marked so in
// wire.go: how Ashby authenticates its calls to the partner (HTTP Basic,
// Switchboard's issued key as the user name, as one public vendor
// implementation does), the spelling of the candidatesWrite scope in
// apiKey.info, and the status texts Switchboard sends.
//
// The simulator (internal/atssim/ashbysim) shares these wire types.
package ashby
