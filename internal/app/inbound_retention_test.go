package app_test

import (
	"context"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
)

// TestInboundRetention: stored webhooks are deleted once older than the
// retention (30 days by default); the orders they made and their timelines
// stay, and a stored delivery keeps only the ids processing needs.
func TestInboundRetention(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()
		invited(t, e, f, "Ada Lovelace", "ada@example.com")
		if n := countRows(t, e, "inbound_events"); n != 1 {
			t.Fatalf("inbound events: %d, want 1", n)
		}
		var payload []byte
		if err := e.App.Store.Writer().QueryRowContext(ctx, "SELECT payload FROM inbound_events").Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if len(payload) > 200 {
			t.Errorf("stored payload is %d bytes: %s; want only the ids", len(payload), payload)
		}
		before := onlyOrder(t, e, f)

		e.Clock.Advance(30*24*time.Hour - time.Minute)
		if n, err := e.App.Service.DeleteOldInbound(ctx); n != 0 || err != nil {
			t.Fatalf("a minute before the retention ends: deleted %d, %v", n, err)
		}
		e.Clock.Advance(2 * time.Minute)
		if n, err := e.App.Service.DeleteOldInbound(ctx); n != 1 || err != nil {
			t.Fatalf("after the retention: deleted %d, %v; want 1", n, err)
		}
		if n := countRows(t, e, "inbound_events"); n != 0 {
			t.Errorf("inbound events left: %d", n)
		}
		after := order(e, f.APIKey, before.Order.ID)
		if len(after.Timeline) < len(before.Timeline) {
			t.Errorf("the order's timeline shrank from %d to %d entries", len(before.Timeline), len(after.Timeline))
		}
	})
}
