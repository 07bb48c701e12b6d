// Package netguard builds the HTTP client for every outbound call Switchboard
// makes on a tenant's behalf (ATS APIs, vendor webhooks). Unless the operator
// allows it, the client refuses to connect to loopback, private, link-local and
// other non-public addresses. The check runs at dial time, on the address
// actually dialled, so DNS rebinding cannot slip past it.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrBlocked is returned (wrapped) when a destination is not public.
var ErrBlocked = errors.New("netguard: destination address is not public")

// Options configure the client.
type Options struct {
	// AllowPrivate lets calls reach non-public addresses: for simulators on
	// loopback, and for operators whose ATS sits on their own network.
	AllowPrivate bool
	// Timeout bounds a whole request; 0 means 30 seconds.
	Timeout time.Duration
	// Wrap lets the caller add a RoundTripper around the guarded transport
	// (instrumentation, recording).
	Wrap func(http.RoundTripper) http.RoundTripper
}

// NewClient returns a guarded client.
func NewClient(o Options) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		dialer.Control = control
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialer.DialContext
	tr.Proxy = nil // a proxy would dial on our behalf and bypass the check
	var rt http.RoundTripper = tr
	if o.Wrap != nil {
		rt = o.Wrap(rt)
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	return &http.Client{Transport: rt, Timeout: timeout}
}

func control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q: %v", ErrBlocked, address, err)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr())
	}
	return nil
}

// Public reports whether addr is a globally routable unicast address.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsUnspecified() || addr.IsLoopback() || addr.IsPrivate() ||
		addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() || addr.IsMulticast() ||
		addr.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// Ranges that netip's predicates do not cover but that are not the public internet.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated): embeds any v4
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 can reach private v4
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo: tunnels to any v4
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any v4
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}
