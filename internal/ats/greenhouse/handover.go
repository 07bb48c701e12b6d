package greenhouse

import "switchboard/internal/ats"

// HandOver implements ats.HandOver: Greenhouse is given one URL per call it
// makes, not a base, under the names of its partner set-up.
func (c *Connector) HandOver() []ats.HandOverURL {
	return []ats.HandOverURL{
		{Label: "List tests URL (list_tests)", Path: PathListTests},
		{Label: "Send test URL (send_test)", Path: PathSendTest},
		{Label: "Test status URL (test_status)", Path: PathTestStatus},
		{Label: "Response error URL (response_error)", Path: PathResponseError},
	}
}
