package storetest

import (
	"context"
	"database/sql"
	"testing"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// ResultBackfill checks migration 0010 on a store migrated without it:
// a result stored the old way (the engine's outcome and answers in results)
// reads back as the neutral result the engine maps it to, and as the
// engine's own record; migrate applies the rest.
func ResultBackfill(t *testing.T, s store.Store, db *sql.DB, migrate func(context.Context) error) {
	t.Helper()
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	scored := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))
	bare := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(11))
	const outcome = `{"score":72,"min":0,"max":100,"label":"Good fit","summary":"Strong “reasoning”",
		"indicators":[{"key":"cog","name":"Cognitive","score":80,"label":"Great fit"},{"key":"team","name":"Teamwork","score":64,"label":"Good fit"}]}`
	for _, r := range []struct{ id, outcome string }{
		{scored.ID, outcome},
		{bare.ID, `{"score":0,"min":0,"max":100,"label":"Poor fit","indicators":null,"summary":""}`},
	} {
		if _, err := db.ExecContext(ctx, `INSERT INTO results (order_id, outcome, answers) VALUES ($1, $2, $3)`,
			r.id, r.outcome, `{"q1":"a"}`); err != nil {
			t.Fatalf("insert an old result: %v", err)
		}
	}
	ok(t, migrate(ctx), "migrate")

	got, err := s.GetResult(ctx, scored.ID)
	ok(t, err, "get result")
	equal(t, "backfilled result", got, core.Result{
		OrderID: scored.ID, Score: &core.Score{Value: 72, Max: 100}, Label: "Good fit", Summary: "Strong “reasoning”",
		Components: []core.Component{
			{Key: "cog", Name: "Cognitive", Score: &core.Score{Value: 80, Max: 100}, Label: "Great fit"},
			{Key: "team", Name: "Teamwork", Score: &core.Score{Value: 64, Max: 100}, Label: "Good fit"},
		},
	})
	e, err := s.GetEngineResult(ctx, scored.ID)
	ok(t, err, "get engine result")
	equal(t, "engine result", e, store.EngineResult{OrderID: scored.ID, Answers: assess.Answers{"q1": "a"}, Outcome: assess.Outcome{
		Score: 72, Max: 100, Label: assess.GoodFit, Summary: "Strong “reasoning”",
		Indicators: []assess.Indicator{
			{Key: "cog", Name: "Cognitive", Score: 80, Label: assess.GreatFit},
			{Key: "team", Name: "Teamwork", Score: 64, Label: assess.GoodFit},
		},
	}})

	got, err = s.GetResult(ctx, bare.ID)
	ok(t, err, "get bare result")
	equal(t, "backfilled result without indicators", got, core.Result{
		OrderID: bare.ID, Score: &core.Score{Value: 0, Max: 100}, Label: "Poor fit", Components: []core.Component{},
	})
}
