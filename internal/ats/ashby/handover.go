package ashby

import "switchboard/internal/ats"

// HandOver implements ats.HandOver: Ashby is given the partner's base URL
// and calls PathList, PathStart and PathCancel under it.
func (c *Connector) HandOver() []ats.HandOverURL {
	return []ats.HandOverURL{{Label: "Partner base URL", Path: ""}}
}
