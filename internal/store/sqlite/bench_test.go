package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// BenchmarkCreateOrderTx measures the write path of ingesting one order: a
// transaction upserting the candidate, creating the order and appending its
// first timeline entry.
func BenchmarkCreateOrderTx(b *testing.B) {
	ctx := b.Context()
	s := openTemp(b)
	now := time.Now().UTC()
	acc := core.Account{ID: core.NewID("acc"), Name: "bench", CreatedAt: now}
	in := core.Integration{ID: core.NewID("int"), AccountID: acc.ID, Provider: "lever", Status: core.IntegrationEnabled,
		Patterns: []core.Pattern{core.PatternAdHoc}, WriteBack: core.DefaultWriteBack(), CreatedAt: now, Version: 1}
	vac := store.EngineVacancy{Vacancy: core.Vacancy{ID: core.NewID("vac"), AccountID: acc.ID, Name: "Engineer",
		CreatedAt: now, Version: 1}, Thresholds: assess.DefaultThresholds()}
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, acc); err != nil {
			return err
		}
		if err := tx.CreateIntegration(ctx, in); err != nil {
			return err
		}
		return tx.CreateVacancy(ctx, vac)
	})
	if err != nil {
		b.Fatal(err)
	}

	i := 0
	for b.Loop() {
		i++
		err := s.InTx(ctx, func(tx store.Tx) error {
			c, err := tx.UpsertCandidate(ctx, core.Candidate{ID: core.NewID("cand"), AccountID: acc.ID, IntegrationID: in.ID,
				ExternalID: fmt.Sprintf("opp-%d", i), Name: "Ada Lovelace", Email: "ada@example.com", CreatedAt: now, UpdatedAt: now})
			if err != nil {
				return err
			}
			o := core.Order{ID: core.NewID("ord"), AccountID: acc.ID, IntegrationID: in.ID, VacancyID: vac.ID, CandidateID: c.ID,
				State: core.StateReceived, Mode: core.ModeAdHoc, ExternalID: c.ExternalID,
				IdempotencyKey: "lever:" + c.ExternalID, CreatedAt: now, UpdatedAt: now, Version: 1}
			if err := tx.CreateOrder(ctx, o); err != nil {
				return err
			}
			_, err = tx.AddTimeline(ctx, core.TimelineEntry{OrderID: o.ID, AccountID: acc.ID, At: now, Kind: "state",
				Message: "Order received", Detail: map[string]string{"source": "webhook"}})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
