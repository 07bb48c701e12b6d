// Package secret protects Switchboard's secrets: it encrypts small values (ATS
// API keys, signing tokens) at rest with a rotatable AES-256-GCM keyring, loads
// or creates the master key, mints unguessable tokens and stores only their
// hashes, and offers Value, a string that redacts itself wherever it could be
// printed or logged.
package secret
