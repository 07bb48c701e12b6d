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
	{"0013", PartnerSeamMigration},
}

// PartnerSeamMigration checks migration 0013 on a store migrated without
// it. On SQLite it rebuilds the integrations table, which credentials,
// candidates and orders reference with ON DELETE CASCADE: every one of them
// is still there afterwards, foreign keys are enforced again, an order
// stored with a plain callback URL still has it, and an account may then
// hold two integrations of one ATS under distinct names only.
func PartnerSeamMigration(t *testing.T, s store.Store, db *sql.DB, migrate func(context.Context) error) {
	t.Helper()
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	lever := newIntegration(t, s, acme.ID, "lever")
	sr := newIntegration(t, s, acme.ID, "smartrecruiters")
	vac := newVacancy(t, s, acme.ID, "acme engineer", "").Vacancy
	type row struct {
		in      core.Integration
		cand    core.Candidate
		orderID string
	}
	var rows []row
	for i, in := range []core.Integration{lever, sr} {
		ok(t, s.SetCredential(ctx, core.Credential{IntegrationID: in.ID, Name: "api_key", Ciphertext: []byte{byte(i), 1, 2}, SetAt: at(2)}), "set credential")
		cand := newCandidate(t, s, in, "Ada", "ada@acme.example")
		// Today's CreateOrder writes callback_sealed, which 0013 adds: the
		// order goes in as it did before, its times copied from its
		// integration so that the statement suits both dialects.
		orderID := core.NewID("ord")
		if _, err := db.ExecContext(ctx, `INSERT INTO orders (id, account_id, integration_id, vacancy_id, candidate_id, state, mode,
			external_id, external_job_id, idempotency_key, invitation_hash, return_url, callback_url, reason, created_at, updated_at, version)
			SELECT $1, account_id, id, $2, $3, 'received', 'ad_hoc', $4, '', $5, '', '', $6, '', created_at, updated_at, 1
			FROM integrations WHERE id = $7`,
			orderID, vac.ID, cand.ID, "ext-"+in.Provider, "idem-"+in.Provider, "https://"+in.Provider+".example/callback/1", in.ID); err != nil {
			t.Fatalf("insert an old order: %v", err)
		}
		_, err := s.AddTimeline(ctx, core.TimelineEntry{OrderID: orderID, AccountID: acme.ID, At: at(3), Kind: "state", Message: "received"})
		ok(t, err, "add timeline")
		rows = append(rows, row{in, cand, orderID})
	}
	ok(t, migrate(ctx), "migrate")

	for _, r := range rows {
		got, err := s.GetIntegration(ctx, r.in.ID)
		ok(t, err, "get integration %s after the rebuild", r.in.Provider)
		equal(t, "integration after the rebuild", got, r.in)
		creds, err := s.ListCredentials(ctx, r.in.ID)
		ok(t, err, "list credentials")
		if len(creds) != 1 || creds[0].Name != "api_key" {
			t.Fatalf("credentials of %s after the rebuild: %+v, want its api_key", r.in.Provider, creds)
		}
		cand, err := s.GetCandidate(ctx, r.cand.ID)
		ok(t, err, "get candidate after the rebuild")
		equal(t, "candidate", cand.ID, r.cand.ID)
		o, err := s.GetOrder(ctx, r.orderID)
		ok(t, err, "get order of %s after the rebuild", r.in.Provider)
		equal(t, "old order's callback URL", o.CallbackURL, "https://"+r.in.Provider+".example/callback/1")
		equal(t, "old order's sealed callback", o.CallbackSealed, []byte(nil))
		tl, err := s.ListTimeline(ctx, r.orderID)
		ok(t, err, "list timeline")
		equal(t, "timeline entries", len(tl), 1)
	}
	list, err := s.ListIntegrations(ctx, acme.ID)
	ok(t, err, "list integrations")
	ids := idsOf(list, func(in core.Integration) string { return in.ID })
	slices.Sort(ids)
	want := []string{lever.ID, sr.ID}
	slices.Sort(want)
	equal(t, "integrations after the rebuild", ids, want)

	// Foreign keys hold again on the connection that ran the rebuild.
	if err := s.SetCredential(ctx, core.Credential{IntegrationID: "int_missing", Name: "x", Ciphertext: []byte{1}, SetAt: at(4)}); err == nil {
		t.Fatal("a credential of a missing integration was stored: foreign keys are off after the migration")
	}

	// Two integrations of one ATS, by name.
	second := lever
	second.ID, second.Name = core.NewID("int"), "lever EU"
	ok(t, s.CreateIntegration(ctx, second), "second lever integration of another name")
	same := lever
	same.ID = core.NewID("int")
	isErr(t, s.CreateIntegration(ctx, same), core.ErrConflict, "second lever integration of the same name")

	// A sealed callback is stored and read back.
	o, err := s.GetOrder(ctx, rows[0].orderID)
	ok(t, err, "get order")
	o.CallbackSealed = []byte{0, 1, 2, 0xff}
	ok(t, s.UpdateOrder(ctx, o), "update order with a sealed callback")
	got, err := s.GetOrder(ctx, o.ID)
	ok(t, err, "get order")
	equal(t, "sealed callback", got.CallbackSealed, o.CallbackSealed)
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
