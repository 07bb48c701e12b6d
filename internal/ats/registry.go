package ats

import (
	"fmt"
	"slices"
)

// Registry holds the connectors a running Switchboard offers.
type Registry struct {
	byName map[string]Connector
}

// NewRegistry builds a registry; it panics on a duplicate provider name, a
// connector whose Description.TestOrders disagrees with whether it is a
// SandboxRunner, an OAuth partner without a consent page (a Consenter),
// or results pulled from a connector that serves no partner endpoints:
// programming errors at start-up.
func NewRegistry(cs ...Connector) *Registry {
	r := &Registry{byName: map[string]Connector{}}
	for _, c := range cs {
		if _, dup := r.byName[c.Provider()]; dup {
			panic(fmt.Sprintf("ats: connector %q registered twice", c.Provider()))
		}
		if _, runs := c.(SandboxRunner); runs != c.Describe().TestOrders {
			panic(fmt.Sprintf("ats: connector %q: Description.TestOrders is %v, but it is a SandboxRunner: %v", c.Provider(), c.Describe().TestOrders, runs))
		}
		pe, partner := c.(PartnerEndpoints)
		if _, consents := c.(Consenter); partner && pe.InboundAuth() == InboundOAuthClient && !consents {
			panic(fmt.Sprintf("ats: connector %q: OAuth client credentials are handed over on a consent page, but it is no Consenter", c.Provider()))
		}
		if c.Describe().Results.Pulled() && !partner {
			panic(fmt.Sprintf("ats: connector %q: its ATS pulls results, but it serves no partner endpoints to pull them from", c.Provider()))
		}
		r.byName[c.Provider()] = c
	}
	return r
}

// Get returns the connector for a provider name.
func (r *Registry) Get(provider string) (Connector, bool) {
	c, ok := r.byName[provider]
	return c, ok
}

// Providers lists the registered provider names, sorted.
func (r *Registry) Providers() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
