package lever_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
)

// TestStageListIsReadOncePerIntegration: resolving stage-change webhooks
// reads GET /stages once per StageCacheTTL, not once per order; a changed
// trigger setting, or the TTL passed, reads it again; a setting Lever does
// not match is not remembered.
func TestStageListIsReadOncePerIntegration(t *testing.T) {
	t.Parallel()
	e := newSandboxEnv(t)
	ctx := context.Background()
	stages := e.sim.Stages()
	phone := stages[slices.IndexFunc(stages, func(s lever.Stage) bool { return s.Text == "Phone Screen" })]

	try := func(cfg ats.Config, i int) ([]ats.Event, error) {
		t.Helper()
		opp, _, err := e.sim.CreateOpportunity(ctx, fmt.Sprintf("Candidate %d", i), fmt.Sprintf("c%d@example.com", i), e.posting.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sim.MoveStage(ctx, opp.ID, phone.ID); err != nil {
			t.Fatal(err)
		}
		payload := fmt.Appendf(nil, `{"event":%q,"data":{"opportunityId":%q,"toStageId":%q}}`, lever.EventCandidateStageChange, opp.ID, phone.ID)
		return e.conn.Resolve(ctx, cfg, payload)
	}
	resolve := func(cfg ats.Config, i int) []ats.Event {
		t.Helper()
		events, err := try(cfg, i)
		if err != nil {
			t.Fatalf("resolve %d: %v", i, err)
		}
		return events
	}
	stageReads := func() int { return e.sim.RequestCount("GET", "/stages") }
	withTrigger := func(stage string) ats.Config {
		cfg := e.cfg
		cfg.Integration.Settings = maps.Clone(e.cfg.Integration.Settings)
		cfg.Integration.Settings[lever.SettingTriggerStage] = stage
		return cfg
	}

	for i := range 5 {
		if ev := resolve(e.cfg, i); len(ev) != 1 || ev[0].Kind == ats.EventIgnored {
			t.Fatalf("order %d: events %+v, want one order", i, ev)
		}
	}
	if n := stageReads(); n != 1 {
		t.Errorf("5 orders read GET /stages %d times, want 1", n)
	}

	// Concurrent webhooks under a changed setting (the id, not the name)
	// wait for one read between them.
	byID := withTrigger(phone.ID)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() { resolve(byID, 10+i) })
	}
	wg.Wait()
	if n := stageReads(); n != 2 {
		t.Errorf("after the trigger setting changed, 4 concurrent orders: GET /stages %d times in all, want 2", n)
	}

	e.clock.Advance(lever.StageCacheTTL)
	resolve(e.cfg, 20)
	if n := stageReads(); n != 3 {
		t.Errorf("after the TTL: GET /stages %d times, want 3", n)
	}

	missing := withTrigger("No Such Stage")
	for i := range 2 {
		if _, err := try(missing, 30+i); err == nil {
			t.Fatal("a trigger stage Lever does not have resolved")
		}
	}
	if n := stageReads(); n != 5 {
		t.Errorf("two webhooks for a stage Lever does not have: GET /stages %d times in all, want 5 (a miss is not kept)", n)
	}
}
