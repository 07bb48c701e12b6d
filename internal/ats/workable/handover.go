package workable

import "switchboard/internal/ats"

// HandOver implements ats.HandOver: Workable's integration card takes the
// provider's base URL (it appends PathTests and PathAssessments itself) and
// the token Switchboard issued.
func (c *Connector) HandOver() []ats.HandOverURL {
	return []ats.HandOverURL{{Label: "Provider base URL", Path: ""}}
}
