package smartrecruiters

import "switchboard/internal/ats"

// HandOver implements ats.HandOver: generating a connection token registers
// these URLs with SmartRecruiters (PartnerConfigurationFor), so nobody
// types them; they are listed for an admin checking SmartRecruiters' side.
func (c *Connector) HandOver() []ats.HandOverURL {
	return []ats.HandOverURL{
		{Label: "Consent page", Path: PathConsent},
		{Label: "OAuth token", Path: PathToken},
		{Label: "Assessment packages", Path: PathPackages},
		{Label: "Package orders", Path: PathOrders},
		{Label: "Inline orders", Path: PathInlineOrders},
		{Label: "Integration disable", Path: PathDisablePrefix + "{companyId}"},
	}
}
