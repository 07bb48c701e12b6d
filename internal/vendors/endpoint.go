// Package vendors manages outside vendors: their keys, account links,
// webhook endpoint and secrets, and packages. (Placeholder until the
// management service lands: only what the order path needs.)
package vendors

import (
	"errors"

	"switchboard/internal/stdwebhook"
)

// Endpoint is where a vendor's deliveries go and what signs them.
type Endpoint struct {
	URL            string
	Secrets        []stdwebhook.Secret // every secret valid now, current first
	Disabled       bool
	DisabledReason string
}

// ErrPackagesUnavailable says no package could be listed because something
// failed.
var ErrPackagesUnavailable = errors.New("vendor packages could not be listed")
