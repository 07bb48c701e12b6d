package service_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/service"
	"switchboard/internal/store"
)

// TestProcessInboundEventGone: a process_inbound job whose event retention
// deleted before it ran ends as done, not as a failure.
func TestProcessInboundEventGone(t *testing.T) {
	t.Parallel()
	fx := setup(t, "sqlite")
	ctx := context.Background()
	err := fx.e.App.Store.InTx(ctx, func(tx store.Tx) error {
		return fx.e.App.Queue.Enqueue(ctx, tx, service.ProcessInboundArgs{EventID: "evt_deleted"}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	fx.e.WaitIdle()
	jobs, err := fx.e.App.Queue.LatestByArg(ctx, service.ProcessInboundArgs{}.Kind(), "event_id", []string{"evt_deleted"})
	if err != nil {
		t.Fatal(err)
	}
	j := jobs["evt_deleted"]
	if j == nil {
		t.Fatal("no process_inbound job for the event")
	}
	if j.State != rivertype.JobStateCompleted {
		t.Errorf("job is %s (errors %v), want completed", j.State, j.Errors)
	}
}
