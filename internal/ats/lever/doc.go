// Package lever is Switchboard's client for Lever's v1 REST API and the
// parser and verifier for Lever's webhooks.
//
// It is a library, not a connector: it knows Lever's paths, authentication,
// pagination, rate limit, error bodies and webhook signature, and nothing of
// Switchboard's orders. The connector builds on it, and the in-process
// simulator (internal/atssim/leversim) shares its wire types, so that a
// correction to the wire format is one edit that fixes both.
//
// What is verified and what is inferred about Lever's contract is recorded at
// the top of wire.go; see also /work/shared/ats/lever-workable.md.
//
// Webhooks are untrusted input: Lever signs only token+triggeredAt, not the
// body, so callers should verify the signature, check freshness, de-duplicate
// with DedupeKey, and then re-read the opportunity through the API instead of
// trusting the payload's data.
package lever
