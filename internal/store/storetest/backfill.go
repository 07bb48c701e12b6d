package storetest

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// Backfills are the checks of the migrations that change stored data, each
// with the version it checks: a dialect's test migrates a fresh store with
// every migration but Version and calls Check, which stores rows the old way, calls
// migrate and reads them back.
var Backfills = []struct {
	Version string
	Check   func(t *testing.T, s store.Store, db *sql.DB, migrate func(context.Context) error)
}{
	{"0009", VacancyBackfill},
	{"0010", ResultBackfill},
}

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

// VacancyBackfill checks migration 0009 on a store migrated without
// it: vacancies stored before vendors existed read back as the built-in
// engine's assessments, offered, with no vendor package or description;
// migrate applies the rest.
func VacancyBackfill(t *testing.T, s store.Store, db *sql.DB, migrate func(context.Context) error) {
	t.Helper()
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	var created any = at(2)
	if s.Dialect() == "sqlite" { // its times are unix microseconds
		created = at(2).UnixMicro()
	}
	old := []store.EngineVacancy{newVacancyValue(acme.ID, "Sales", "SB-sales"), newVacancyValue(acme.ID, "Support", "")}
	for i := range old {
		v := &old[i]
		v.Inline, v.ExpiryDays, v.ReturnURL, v.CreatedAt, v.UpdatedAt = true, 3, "https://acme.example/done", at(2), time.Time{}
		pkg, err := json.Marshal(v.Package)
		ok(t, err, "encode package")
		thresholds, err := json.Marshal(v.Thresholds)
		ok(t, err, "encode thresholds")
		if _, err := db.ExecContext(ctx, `INSERT INTO vacancies (id, account_id, name, package, thresholds, tag, inline,
			expiry_days, return_url, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			v.ID, v.AccountID, v.Name, string(pkg), string(thresholds), v.Tag, v.Inline, v.ExpiryDays, v.ReturnURL, created, v.Version); err != nil {
			t.Fatalf("insert an old vacancy: %v", err)
		}
	}
	ok(t, migrate(ctx), "migrate")

	got, err := s.ListEngineVacancies(ctx, acme.ID)
	ok(t, err, "list vacancies")
	slices.SortFunc(got, func(a, b store.EngineVacancy) int { return cmp.Compare(a.Name, b.Name) })
	equal(t, "backfilled vacancies", got, old) // newVacancyValue is the built-in engine's assessment
}
