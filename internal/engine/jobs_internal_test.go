package engine

import (
	"testing"

	"github.com/riverqueue/river"
)

// TestJobKindsUnchanged: jobs queued before the engine had a package of its
// own are still found by their workers after an upgrade, so the engine's
// job kinds are the ones the service used.
func TestJobKindsUnchanged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args river.JobArgs
		want string
	}{
		{SendInvitationArgs{}, "send_invitation"},
		{ExpireOrderArgs{}, "expire_order"},
		{ExpireDueArgs{}, "expire_due"},
	} {
		if got := tc.args.Kind(); got != tc.want {
			t.Errorf("%T.Kind() = %q, want %q", tc.args, got, tc.want)
		}
	}
}
