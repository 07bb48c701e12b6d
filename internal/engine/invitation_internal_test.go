package engine

import (
	"strings"
	"testing"
)

// TestInvitationMessageID: the invitation's Message-ID is derived from the
// order and the resend attempt only, so a job that sends again after a crash
// sends the same message, a resend is a message of its own, and what comes
// out is always a dot-atom the mail package accepts.
func TestInvitationMessageID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		order  string
		resend int
		want   string
	}{
		{"ord_7ksqabc", 0, "invitation.ord_7ksqabc"},
		{"ord_7ksqabc", 1764690000000000, "invitation.ord_7ksqabc.resend.1764690000000000"},
		{"ord_7ksqdef", 0, "invitation.ord_7ksqdef"},
		{"legacy id/with@odd chars", 0, "invitation.legacy-id-with-odd-chars"},
		{"", 0, ""}, // no order: a random Message-ID
	} {
		got := invitationMessageID(tc.order, tc.resend)
		if got != tc.want {
			t.Errorf("invitationMessageID(%q, %d) = %q, want %q", tc.order, tc.resend, got, tc.want)
		}
		if again := invitationMessageID(tc.order, tc.resend); again != got {
			t.Errorf("invitationMessageID(%q, %d) is not stable: %q then %q", tc.order, tc.resend, got, again)
		}
		if strings.ContainsAny(got, "@<> \r\n") {
			t.Errorf("invitationMessageID(%q, %d) = %q: not a dot-atom", tc.order, tc.resend, got)
		}
	}
}
