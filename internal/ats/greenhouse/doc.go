// Package greenhouse is Switchboard's connector for Greenhouse's Assessment
// Partner API, where Greenhouse calls the partner: Switchboard hosts the four
// endpoints (list_tests, send_test, test_status, response_error) that the
// customer's admin hands to Greenhouse with a key Switchboard issues, and
// Greenhouse pulls each order's result from test_status. To spare Greenhouse
// its hourly poll, a completed order is also pushed as a ping: a PATCH with
// no body to the url Greenhouse gave in send_test, after which Greenhouse
// asks test_status at once. No other Greenhouse API is called.
//
// Verified in Greenhouse's partner documentation (see
// /work/shared/ats/unified-apis-and-partner-apis.md §2.3): the four calls and
// their bodies, HTTP Basic with the key as user name and an empty password
// (a key under 171 characters), ids as strings, null for empty candidate
// properties, properties added without notice, "complete" as the only
// partner_status Greenhouse acts on, a profile URL required when complete, a
// numeric score, flat metadata, response_error answered 200 {"status":200},
// 401 and 404 as the only partner errors, and the ping's method, empty body
// and Basic key. Inferred, and marked so in wire.go: the ping's success code
// (any 2xx is taken), Greenhouse's hosts for the ping URL beyond
// app.greenhouse.io, the statuses other than "complete", and the answers to
// errors Greenhouse does not document.
//
// wire.go holds every wire type; the simulator (internal/atssim/greenhousesim)
// shares them, so a correction is one edit that fixes both.
package greenhouse
