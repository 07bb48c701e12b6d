// Package layering holds no code: its test pins which of Switchboard's own
// packages each layer may import, so that the architecture the README's
// layout describes (a domain that knows no engine or connector, contexts cut
// out of the service, connectors that know only the seam) stays true as the
// tree grows.
package layering
