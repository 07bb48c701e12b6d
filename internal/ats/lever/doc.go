// Package lever is Switchboard's Lever connector: a client for Lever's v1
// REST API, the parser and verifier of Lever's webhooks, and the connector
// built on them.
//
// The client (client.go, create.go) knows Lever's paths, pagination, rate
// limit and error bodies; it sends every call through atshttp.Client, the one
// outbound client (HTTP Basic with the API key, retries, the per-key token
// bucket from a LimiterPool, errors as *atshttp.StatusError). The connector
// (connector.go, sandbox.go) owns Switchboard's orders; as an
// ats.ApplicantSource (source.go) it also lists published postings and their
// opportunities, with parsed resumes, for applicant review. The in-process
// simulator (internal/atssim/leversim) shares the wire types, so that a
// correction to the wire format is one edit that fixes both.
//
// Notes and files are append-only in Lever, so a write-back that crashed
// after Lever took one would repeat it: each carries a marker naming the
// order and step (a last note line "switchboard:<order>:<state>", the order
// id in the report's file name), and the step reads back and skips a write
// whose marker is there. Tags and links are sets and need no look.
//
// What is verified and what is inferred about Lever's contract is recorded at
// the top of wire.go; see also /work/shared/ats/lever-workable.md.
//
// Webhooks are untrusted input: Lever signs only token+triggeredAt, not the
// body, so callers should verify the signature, check freshness, de-duplicate
// with DedupeKey, and then re-read the opportunity through the API instead of
// trusting the payload's data. The trigger stage a webhook is checked
// against is resolved from GET /stages once per integration and
// StageCacheTTL (stagecache.go), not once per order.
package lever
