package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
	"switchboard/internal/store/sqlcodec"
)

// ---- candidates ----

const candidateCols = `id, account_id, integration_id, external_id, name, email, profile_url, created_at, updated_at`

func scanCandidate(s scanner) (core.Candidate, error) {
	var c core.Candidate
	err := s.Scan(&c.ID, &c.AccountID, &c.IntegrationID, &c.ExternalID, &c.Name, &c.Email, &c.ProfileURL,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

func (q Queries) UpsertCandidate(ctx context.Context, c core.Candidate) (core.Candidate, error) {
	return one(q, q.w.QueryRowContext(ctx, `INSERT INTO candidates (`+candidateCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (integration_id, external_id) DO UPDATE
		SET name = excluded.name, email = excluded.email, profile_url = excluded.profile_url, updated_at = excluded.updated_at
		RETURNING `+candidateCols,
		c.ID, c.AccountID, c.IntegrationID, c.ExternalID, c.Name, c.Email, c.ProfileURL, q.tm(c.CreatedAt), q.tm(c.UpdatedAt)), scanCandidate, "upsert candidate %s of integration %s", c.ExternalID, c.IntegrationID)
}

func (q Queries) GetCandidate(ctx context.Context, id string) (core.Candidate, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+candidateCols+` FROM candidates WHERE id = $1`, id), scanCandidate, "get candidate %s", id)
}

// ---- orders ----

const orderCols = `id, account_id, integration_id, vacancy_id, candidate_id, state, mode, external_id, external_job_id,
	idempotency_key, invitation_hash, invitation_sealed, invitation_expires_at, return_url, callback_url, reason,
	started_at, completed_at, created_at, updated_at, version, test, candidate_url, callback_sealed`

// orderDest lists the scan destinations for orderCols.
func orderDest(o *core.Order) []any {
	return []any{&o.ID, &o.AccountID, &o.IntegrationID, sqlcodec.Str(&o.VacancyID), sqlcodec.Str(&o.CandidateID),
		&o.State, &o.Mode, &o.ExternalID, &o.ExternalJobID, &o.IdempotencyKey, &o.InvitationHash,
		sqlcodec.BlobCol(&o.InvitationSealed), timeCol{&o.InvitationExpiresAt}, &o.ReturnURL, &o.CallbackURL, &o.Reason,
		timeCol{&o.StartedAt}, timeCol{&o.CompletedAt}, timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt}, &o.Version, &o.Test, &o.CandidateURL,
		sqlcodec.BlobCol(&o.CallbackSealed)}
}

func scanOrder(s scanner) (core.Order, error) {
	var o core.Order
	err := s.Scan(orderDest(&o)...)
	return o, err
}

func (q Queries) CreateOrder(ctx context.Context, o core.Order) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO orders (`+orderCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
		ON CONFLICT DO NOTHING`,
		o.ID, o.AccountID, o.IntegrationID, sqlcodec.NullIfEmpty(o.VacancyID), sqlcodec.NullIfEmpty(o.CandidateID),
		string(o.State), string(o.Mode), o.ExternalID, o.ExternalJobID, o.IdempotencyKey, o.InvitationHash,
		sqlcodec.Blob(o.InvitationSealed), q.tm(o.InvitationExpiresAt), o.ReturnURL, o.CallbackURL, o.Reason,
		q.tm(o.StartedAt), q.tm(o.CompletedAt), q.tm(o.CreatedAt), q.tm(o.UpdatedAt), o.Version, o.Test, o.CandidateURL,
		sqlcodec.Blob(o.CallbackSealed))
	if err != nil {
		return q.fail(err, "create order %s", o.ID)
	}
	return q.created(res, fmt.Sprintf("idempotency key %q, invitation hash or id taken", o.IdempotencyKey), "create order %s", o.ID)
}

func (q Queries) GetOrder(ctx context.Context, id string) (core.Order, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id = $1`, id), scanOrder, "get order %s", id)
}

func (q Queries) GetOrderByIdempotencyKey(ctx context.Context, integrationID, key string) (core.Order, error) {
	if key == "" { // empty keys are not unique, so they identify nothing
		return core.Order{}, notFound("get order by idempotency key %q of integration %s", key, integrationID)
	}
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE integration_id = $1 AND idempotency_key = $2`,
		integrationID, key), scanOrder, "get order by idempotency key %q of integration %s", key, integrationID)
}

func (q Queries) GetOrderByInvitationHash(ctx context.Context, hash string) (core.Order, error) {
	if hash == "" {
		return core.Order{}, notFound("get order by invitation hash")
	}
	o, err := scanOrder(q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE invitation_hash = $1`, hash))
	if err != nil {
		// The hash stands for a candidate's link: keep it out of errors.
		return core.Order{}, q.fail(err, "get order by invitation hash")
	}
	return o, nil
}

// UpdateOrder writes the mutable fields; ID, AccountID, IntegrationID,
// IdempotencyKey and CreatedAt identify the order and are never changed.
func (q Queries) UpdateOrder(ctx context.Context, o core.Order) error {
	res, err := q.w.ExecContext(ctx, `UPDATE orders
		SET vacancy_id = $1, candidate_id = $2, state = $3, mode = $4, external_id = $5, external_job_id = $6,
		    invitation_hash = $7, invitation_sealed = $8, invitation_expires_at = $9, return_url = $10, callback_url = $11,
		    reason = $12, started_at = $13, completed_at = $14, updated_at = $15, candidate_url = $16, callback_sealed = $17,
		    version = version + 1
		WHERE id = $18 AND version = $19`,
		sqlcodec.NullIfEmpty(o.VacancyID), sqlcodec.NullIfEmpty(o.CandidateID), string(o.State), string(o.Mode), o.ExternalID, o.ExternalJobID,
		o.InvitationHash, sqlcodec.Blob(o.InvitationSealed), q.tm(o.InvitationExpiresAt), o.ReturnURL, o.CallbackURL,
		o.Reason, q.tm(o.StartedAt), q.tm(o.CompletedAt), q.tm(o.UpdatedAt), o.CandidateURL, sqlcodec.Blob(o.CallbackSealed), o.ID, o.Version)
	if err != nil {
		return q.fail(err, "update order %s", o.ID)
	}
	return q.checkVersioned(ctx, res, "orders", o.ID, o.Version, "update order %s", o.ID)
}

// MarkOrderTest flags an order as a test order. It leaves the version
// alone: UpdateOrder never writes the flag, so no update can lose it.
func (q Queries) MarkOrderTest(ctx context.Context, id string) error {
	res, err := q.w.ExecContext(ctx, `UPDATE orders SET test = TRUE WHERE id = $1`, id)
	return q.matched(res, err, "mark order %s as a test", id)
}

// SupersedeOrder hands an order's idempotency key on to its re-invitation.
func (q Queries) SupersedeOrder(ctx context.Context, o core.Order) error {
	res, err := q.w.ExecContext(ctx, `UPDATE orders SET idempotency_key = $1, version = version + 1 WHERE id = $2 AND version = $3`,
		o.SupersededKey(), o.ID, o.Version)
	if err != nil {
		return q.fail(err, "supersede order %s", o.ID)
	}
	return q.checkVersioned(ctx, res, "orders", o.ID, o.Version, "supersede order %s", o.ID)
}

// ListOrders runs two statements, the page and the total. On a pool it runs
// them in a read-only transaction of the dialect's Snapshot so that they
// agree; in a transaction, in that transaction.
func (q Queries) ListOrders(ctx context.Context, accountID string, f store.OrderFilter) (store.OrderPage, error) {
	db, ok := q.r.(*sql.DB)
	if !ok {
		return q.listOrders(ctx, accountID, f)
	}
	rtx, err := db.BeginTx(ctx, &q.d.Snapshot)
	if err != nil {
		return store.OrderPage{}, fmt.Errorf("store: list orders: begin: %w", err)
	}
	defer func() { _ = rtx.Rollback() }() // read-only: nothing to commit
	return New(q.d, rtx, rtx).listOrders(ctx, accountID, f)
}

func (q Queries) listOrders(ctx context.Context, accountID string, f store.OrderFilter) (store.OrderPage, error) {
	var p params
	arg := p.add
	where := []string{"o.account_id = " + arg(accountID)}
	if f.IntegrationID != "" {
		where = append(where, "o.integration_id = "+arg(f.IntegrationID))
	}
	if f.VacancyID != "" {
		where = append(where, "o.vacancy_id = "+arg(f.VacancyID))
	}
	if f.State != "" {
		where = append(where, "o.state = "+arg(string(f.State)))
	}
	if f.Test != nil {
		where = append(where, "o.test = "+arg(*f.Test))
	}
	if !f.CreatedFrom.IsZero() {
		where = append(where, "o.created_at >= "+arg(q.tm(f.CreatedFrom)))
	}
	if !f.CreatedTo.IsZero() {
		where = append(where, "o.created_at < "+arg(q.tm(f.CreatedTo)))
	}
	switch {
	case strings.ContainsRune(f.Search, 0):
		// No name or email holds a NUL (PostgreSQL text cannot, and would
		// refuse the argument), and SQLite's LIKE ends its pattern there,
		// so "e\x00" would match every name ending in e.
		where = append(where, "1 = 0")
	case f.Search != "":
		p := arg(sqlcodec.LikeContains(f.Search))
		// Folded on both sides by the dialect's Unicode-aware function
		// (SQLite's own lower() and LIKE fold ASCII only).
		fold := func(s string) string { return q.d.Fold + "(" + s + ")" }
		where = append(where, `(`+fold("c.name")+` LIKE `+fold(p)+` ESCAPE '\' OR `+fold("c.email")+` LIKE `+fold(p)+` ESCAPE '\')`)
	}
	from := ` FROM orders o
		LEFT JOIN candidates c ON c.id = o.candidate_id
		LEFT JOIN vacancies v ON v.id = o.vacancy_id
		WHERE ` + strings.Join(where, " AND ")

	var page store.OrderPage
	if err := q.r.QueryRowContext(ctx, `SELECT count(*)`+from, p.args...).Scan(&page.Total); err != nil {
		return store.OrderPage{}, q.fail(err, "count orders of account %s", accountID)
	}

	limit, offset := arg(sqlcodec.ClampLimit(f.Limit)), arg(max(f.Offset, 0))
	rows, err := q.r.QueryContext(ctx, `SELECT `+prefixCols("o.", orderCols)+`,
		coalesce(c.name, ''), coalesce(c.email, ''), coalesce(v.name, '')`+from+`
		ORDER BY o.created_at DESC, o.id DESC LIMIT `+limit+` OFFSET `+offset,
		p.args...)
	if page.Items, err = list(q, rows, err, scanOrderListItem, "list orders of account %s", accountID); err != nil {
		return store.OrderPage{}, err
	}
	return page, nil
}

func scanOrderListItem(s scanner) (store.OrderListItem, error) {
	var it store.OrderListItem
	err := s.Scan(append(orderDest(&it.Order), &it.CandidateName, &it.CandidateEmail, &it.VacancyName)...)
	return it, err
}

// ListExpiredOrderIDs returns up to limit (500 when limit <= 0) orders, of
// every account, whose invitation ran out at or before now while they could
// still expire, soonest expired first. It is not (yet) part of store.Queries;
// the service's expiry sweep uses it.
func (q Queries) ListExpiredOrderIDs(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 500
	}
	args := make([]any, 0, len(expirable)+2)
	args = append(args, q.tm(now))
	args = append(args, expirable...)
	args = append(args, limit)
	rows, err := q.r.QueryContext(ctx, expiredSQL, args...)
	return list(q, rows, err, scanString, "list expired orders")
}

// expirable lists the states an order can expire from, as core's state
// machine says, and expiredSQL is ListExpiredOrderIDs' statement: now is $1,
// the states $2 … $n+1 (an IN list both dialects take) and the limit $n+2.
// Both are fixed by core and computed once.
var expirable, expiredSQL = func() ([]any, string) {
	var states []any
	var ph []string
	for _, st := range core.States {
		if st.CanTransition(core.StateExpired) {
			states = append(states, string(st))
			ph = append(ph, "$"+strconv.Itoa(len(states)+1))
		}
	}
	return states, `SELECT id FROM orders
		WHERE invitation_expires_at IS NOT NULL AND invitation_expires_at <= $1
		  AND state IN (` + strings.Join(ph, ", ") + `)
		ORDER BY invitation_expires_at, id LIMIT $` + strconv.Itoa(len(states)+2)
}()

// prefixCols qualifies each column of a column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// ---- answers and results ----

func (q Queries) SaveAnswer(ctx context.Context, a core.Answer) error {
	_, err := q.w.ExecContext(ctx, `INSERT INTO answers (order_id, question_id, option_id, answered_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (order_id, question_id) DO UPDATE SET option_id = excluded.option_id, answered_at = excluded.answered_at`,
		a.OrderID, a.QuestionID, a.OptionID, q.tm(a.AnsweredAt))
	if err != nil {
		return q.fail(err, "save answer %s of order %s", a.QuestionID, a.OrderID)
	}
	return nil
}

func (q Queries) ListAnswers(ctx context.Context, orderID string) ([]core.Answer, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT order_id, question_id, option_id, answered_at FROM answers
		WHERE order_id = $1 ORDER BY answered_at, question_id`, orderID)
	return list(q, rows, err, scanAnswer, "list answers of order %s", orderID)
}

func scanAnswer(s scanner) (core.Answer, error) {
	var a core.Answer
	err := s.Scan(&a.OrderID, &a.QuestionID, &a.OptionID, timeCol{&a.AnsweredAt})
	return a, err
}

func (q Queries) SaveResult(ctx context.Context, r core.Result) error {
	doc, err := sqlcodec.JSONText(r)
	if err != nil {
		return q.fail(fmt.Errorf("encode result: %w", err), "save result of order %s", r.OrderID)
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO results (order_id, result, started_at, submitted_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`,
		r.OrderID, doc, q.tm(r.StartedAt), q.tm(r.SubmittedAt))
	if err != nil {
		return q.fail(err, "save result of order %s", r.OrderID)
	}
	return q.created(res, "the order has a result", "save result of order %s", r.OrderID)
}

func (q Queries) GetResult(ctx context.Context, orderID string) (core.Result, error) {
	var r core.Result
	err := q.r.QueryRowContext(ctx, `SELECT order_id, result, started_at, submitted_at FROM results WHERE order_id = $1`, orderID).
		Scan(&r.OrderID, sqlcodec.JSON(&r), timeCol{&r.StartedAt}, timeCol{&r.SubmittedAt})
	if err != nil {
		return core.Result{}, q.fail(err, "get result of order %s", orderID)
	}
	return r, nil
}

func (q Queries) SaveEngineResult(ctx context.Context, e store.EngineResult) error {
	outcome, err := sqlcodec.JSONText(e.Outcome)
	if err != nil {
		return q.fail(fmt.Errorf("encode outcome: %w", err), "save engine result of order %s", e.OrderID)
	}
	answers, err := sqlcodec.JSONText(e.Answers)
	if err != nil {
		return q.fail(fmt.Errorf("encode answers: %w", err), "save engine result of order %s", e.OrderID)
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO engine_results (order_id, outcome, answers) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, e.OrderID, outcome, answers)
	if err != nil {
		return q.fail(err, "save engine result of order %s", e.OrderID)
	}
	return q.created(res, "the order has a result", "save engine result of order %s", e.OrderID)
}

func (q Queries) GetEngineResult(ctx context.Context, orderID string) (store.EngineResult, error) {
	var e store.EngineResult
	err := q.r.QueryRowContext(ctx, `SELECT order_id, outcome, answers FROM engine_results WHERE order_id = $1`, orderID).
		Scan(&e.OrderID, sqlcodec.JSON(&e.Outcome), sqlcodec.JSON(&e.Answers))
	if err != nil {
		return store.EngineResult{}, q.fail(err, "get engine result of order %s", orderID)
	}
	return e, nil
}

// ---- timeline ----

func (q Queries) AddTimeline(ctx context.Context, e core.TimelineEntry) (int64, error) {
	detail, err := sqlcodec.JSONText(e.Detail)
	if err != nil {
		return 0, q.fail(fmt.Errorf("encode detail: %w", err), "add timeline entry to order %s", e.OrderID)
	}
	var id int64
	err = q.w.QueryRowContext(ctx, `INSERT INTO timeline (order_id, account_id, at, kind, message, detail) VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id`,
		sqlcodec.NullIfEmpty(e.OrderID), e.AccountID, q.tm(e.At), e.Kind, e.Message, detail).Scan(&id)
	if err != nil {
		return 0, q.fail(err, "add timeline entry to order %s", e.OrderID)
	}
	return id, nil
}

func (q Queries) ListTimeline(ctx context.Context, orderID string) ([]core.TimelineEntry, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, order_id, account_id, at, kind, message, detail FROM timeline
		WHERE order_id = $1 ORDER BY at, id`, orderID)
	return list(q, rows, err, scanTimelineEntry, "list timeline of order %s", orderID)
}

func scanTimelineEntry(s scanner) (core.TimelineEntry, error) {
	var e core.TimelineEntry
	err := s.Scan(&e.ID, sqlcodec.Str(&e.OrderID), &e.AccountID, timeCol{&e.At}, &e.Kind, &e.Message, sqlcodec.JSON(&e.Detail))
	return e, err
}
