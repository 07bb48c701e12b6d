package ats_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"switchboard/internal/ats"
)

func TestRuntimeWithDefaults(t *testing.T) {
	t.Parallel()
	d := ats.Runtime{}.WithDefaults()
	if d.Now == nil || d.Logger == nil || d.Sleep != nil {
		t.Fatalf("defaults: Now %v, Logger %v, Sleep %v; want a clock, a logger and no Sleep (the clients wait for real)", d.Now != nil, d.Logger != nil, d.Sleep != nil)
	}
	if got := d.Now(); time.Since(got) > time.Minute || time.Until(got) > time.Minute {
		t.Errorf("the default clock reads %s", got)
	}
	d.Logger.Error("discarded") // must not panic

	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	log := slog.New(slog.DiscardHandler)
	slept := false
	r := ats.Runtime{Now: func() time.Time { return at }, Logger: log,
		Sleep: func(context.Context, time.Duration) error { slept = true; return nil }}.WithDefaults()
	if r.Now() != at || r.Logger != log || r.Sleep(context.Background(), time.Second) != nil || !slept {
		t.Error("WithDefaults replaced what was set")
	}
}
