package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
	"switchboard/internal/store/sqlcodec"
)

// queries implements store.Queries, on the pool or on a transaction (then r
// and w are both the transaction). In Postgres r and w are always the same;
// they are kept apart, as in the sqlite package whose Store reads from a
// separate pool, so the two implementations stay line-for-line comparable:
// reads that must see a write just made (upsert results, dedupe lookups,
// version checks) use w.
type queries struct {
	r execer
	w execer
}

// ---- integrations ----

const integrationCols = `id, account_id, provider, name, status, patterns, settings, write_back, created_at, updated_at, version`

func scanIntegration(s scanner) (core.Integration, error) {
	var in core.Integration
	err := s.Scan(&in.ID, &in.AccountID, &in.Provider, &in.Name, &in.Status,
		sqlcodec.JSON(&in.Patterns), sqlcodec.JSON(&in.Settings), sqlcodec.JSON(&in.WriteBack),
		timeCol{&in.CreatedAt}, timeCol{&in.UpdatedAt}, &in.Version)
	return in, err
}

// integrationJSON encodes the JSON columns of an integration.
func integrationJSON(in core.Integration) (patterns, settings, writeBack string, err error) {
	if patterns, err = sqlcodec.JSONText(in.Patterns); err != nil {
		return "", "", "", fmt.Errorf("encode patterns: %w", err)
	}
	if settings, err = sqlcodec.JSONText(in.Settings); err != nil {
		return "", "", "", fmt.Errorf("encode settings: %w", err)
	}
	if writeBack, err = sqlcodec.JSONText(in.WriteBack); err != nil {
		return "", "", "", fmt.Errorf("encode write-back: %w", err)
	}
	return patterns, settings, writeBack, nil
}

func (q queries) CreateIntegration(ctx context.Context, in core.Integration) error {
	patterns, settings, writeBack, err := integrationJSON(in)
	if err != nil {
		return fail(err, "create integration %s", in.ID)
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO integrations (`+integrationCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT DO NOTHING`,
		in.ID, in.AccountID, in.Provider, in.Name, string(in.Status), patterns, settings, writeBack,
		tm(in.CreatedAt), tm(in.UpdatedAt), in.Version)
	if err != nil {
		return fail(err, "create integration %s", in.ID)
	}
	return created(res, "the account has an integration with provider "+in.Provider+", or the id is taken", "create integration %s", in.ID)
}

func (q queries) GetIntegration(ctx context.Context, id string) (core.Integration, error) {
	in, err := scanIntegration(q.r.QueryRowContext(ctx, `SELECT `+integrationCols+` FROM integrations WHERE id = $1`, id))
	if err != nil {
		return core.Integration{}, fail(err, "get integration %s", id)
	}
	return in, nil
}

func (q queries) ListIntegrations(ctx context.Context, accountID string) ([]core.Integration, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+integrationCols+` FROM integrations WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, fail(err, "list integrations of account %s", accountID)
	}
	defer rows.Close()
	var out []core.Integration
	for rows.Next() {
		in, err := scanIntegration(rows)
		if err != nil {
			return nil, fail(err, "list integrations of account %s", accountID)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list integrations of account %s", accountID)
	}
	return out, nil
}

// UpdateIntegration writes the mutable fields; ID, AccountID, Provider and
// CreatedAt identify the integration and are never changed.
func (q queries) UpdateIntegration(ctx context.Context, in core.Integration) error {
	patterns, settings, writeBack, err := integrationJSON(in)
	if err != nil {
		return fail(err, "update integration %s", in.ID)
	}
	res, err := q.w.ExecContext(ctx, `UPDATE integrations
		SET name = $1, status = $2, patterns = $3, settings = $4, write_back = $5, updated_at = $6, version = version + 1
		WHERE id = $7 AND version = $8`,
		in.Name, string(in.Status), patterns, settings, writeBack, tm(in.UpdatedAt), in.ID, in.Version)
	if err != nil {
		return fail(err, "update integration %s", in.ID)
	}
	return q.checkVersioned(ctx, res, "integrations", in.ID, in.Version, "update integration %s", in.ID)
}

// checkVersioned turns a version-checked UPDATE that matched nothing into
// ErrNotFound (no such row) or ErrConflict (someone else updated it first).
// table is always a constant of this package.
func (q queries) checkVersioned(ctx context.Context, res sql.Result, table, id string, version int64, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fail(err, format, args...)
	}
	if n > 0 {
		return nil
	}
	var exists int
	err = q.w.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = $1`, id).Scan(&exists)
	if err != nil {
		return fail(err, format, args...)
	}
	return fmt.Errorf("store: %s: version %d is stale: %w", fmt.Sprintf(format, args...), version, core.ErrConflict)
}

// ---- credentials ----

func (q queries) SetCredential(ctx context.Context, c core.Credential) error {
	_, err := q.w.ExecContext(ctx, `INSERT INTO credentials (integration_id, name, ciphertext, set_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (integration_id, name) DO UPDATE SET ciphertext = excluded.ciphertext, set_at = excluded.set_at`,
		c.IntegrationID, c.Name, sqlcodec.Blob(c.Ciphertext), tm(c.SetAt))
	if err != nil {
		return fail(err, "set credential %s of integration %s", c.Name, c.IntegrationID)
	}
	return nil
}

func (q queries) DeleteCredential(ctx context.Context, integrationID, name string) error {
	if _, err := q.w.ExecContext(ctx, `DELETE FROM credentials WHERE integration_id = $1 AND name = $2`, integrationID, name); err != nil {
		return fail(err, "delete credential %s of integration %s", name, integrationID)
	}
	return nil
}

func (q queries) ListCredentials(ctx context.Context, integrationID string) ([]core.Credential, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT integration_id, name, ciphertext, set_at FROM credentials WHERE integration_id = $1 ORDER BY name`, integrationID)
	if err != nil {
		return nil, fail(err, "list credentials of integration %s", integrationID)
	}
	defer rows.Close()
	var out []core.Credential
	for rows.Next() {
		var c core.Credential
		if err := rows.Scan(&c.IntegrationID, &c.Name, sqlcodec.BlobCol(&c.Ciphertext), timeCol{&c.SetAt}); err != nil {
			return nil, fail(err, "list credentials of integration %s", integrationID)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list credentials of integration %s", integrationID)
	}
	return out, nil
}

// ---- vacancies ----

const vacancyCols = `id, account_id, name, package, thresholds, tag, inline, expiry_days, return_url, created_at, updated_at, version`

func scanVacancy(s scanner) (core.Vacancy, error) {
	var v core.Vacancy
	err := s.Scan(&v.ID, &v.AccountID, &v.Name, sqlcodec.JSON(&v.Package), sqlcodec.JSON(&v.Thresholds), &v.Tag,
		&v.Inline, &v.ExpiryDays, &v.ReturnURL, timeCol{&v.CreatedAt}, timeCol{&v.UpdatedAt}, &v.Version)
	return v, err
}

func vacancyJSON(v core.Vacancy) (pkg, thresholds string, err error) {
	if pkg, err = sqlcodec.JSONText(v.Package); err != nil {
		return "", "", fmt.Errorf("encode package: %w", err)
	}
	if thresholds, err = sqlcodec.JSONText(v.Thresholds); err != nil {
		return "", "", fmt.Errorf("encode thresholds: %w", err)
	}
	return pkg, thresholds, nil
}

func (q queries) CreateVacancy(ctx context.Context, v core.Vacancy) error {
	pkg, thresholds, err := vacancyJSON(v)
	if err != nil {
		return fail(err, "create vacancy %s", v.ID)
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO vacancies (`+vacancyCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT DO NOTHING`,
		v.ID, v.AccountID, v.Name, pkg, thresholds, v.Tag, v.Inline, v.ExpiryDays, v.ReturnURL,
		tm(v.CreatedAt), tm(v.UpdatedAt), v.Version)
	if err != nil {
		return fail(err, "create vacancy %s", v.ID)
	}
	return created(res, fmt.Sprintf("tag %q or id taken", v.Tag), "create vacancy %s", v.ID)
}

func (q queries) GetVacancy(ctx context.Context, id string) (core.Vacancy, error) {
	v, err := scanVacancy(q.r.QueryRowContext(ctx, `SELECT `+vacancyCols+` FROM vacancies WHERE id = $1`, id))
	if err != nil {
		return core.Vacancy{}, fail(err, "get vacancy %s", id)
	}
	return v, nil
}

func (q queries) ListVacancies(ctx context.Context, accountID string) ([]core.Vacancy, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+vacancyCols+` FROM vacancies WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, fail(err, "list vacancies of account %s", accountID)
	}
	defer rows.Close()
	var out []core.Vacancy
	for rows.Next() {
		v, err := scanVacancy(rows)
		if err != nil {
			return nil, fail(err, "list vacancies of account %s", accountID)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list vacancies of account %s", accountID)
	}
	return out, nil
}

// UpdateVacancy writes the mutable fields; ID, AccountID and CreatedAt are
// never changed.
func (q queries) UpdateVacancy(ctx context.Context, v core.Vacancy) error {
	pkg, thresholds, err := vacancyJSON(v)
	if err != nil {
		return fail(err, "update vacancy %s", v.ID)
	}
	res, err := q.w.ExecContext(ctx, `UPDATE vacancies
		SET name = $1, package = $2, thresholds = $3, tag = $4, inline = $5, expiry_days = $6, return_url = $7,
		    updated_at = $8, version = version + 1
		WHERE id = $9 AND version = $10`,
		v.Name, pkg, thresholds, v.Tag, v.Inline, v.ExpiryDays, v.ReturnURL, tm(v.UpdatedAt), v.ID, v.Version)
	if err != nil {
		return fail(err, "update vacancy %s", v.ID)
	}
	return q.checkVersioned(ctx, res, "vacancies", v.ID, v.Version, "update vacancy %s", v.ID)
}

// ---- candidates ----

const candidateCols = `id, account_id, integration_id, external_id, name, email, profile_url, created_at, updated_at`

func scanCandidate(s scanner) (core.Candidate, error) {
	var c core.Candidate
	err := s.Scan(&c.ID, &c.AccountID, &c.IntegrationID, &c.ExternalID, &c.Name, &c.Email, &c.ProfileURL,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

func (q queries) UpsertCandidate(ctx context.Context, c core.Candidate) (core.Candidate, error) {
	got, err := scanCandidate(q.w.QueryRowContext(ctx, `INSERT INTO candidates (`+candidateCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (integration_id, external_id) DO UPDATE
		SET name = excluded.name, email = excluded.email, profile_url = excluded.profile_url, updated_at = excluded.updated_at
		RETURNING `+candidateCols,
		c.ID, c.AccountID, c.IntegrationID, c.ExternalID, c.Name, c.Email, c.ProfileURL, tm(c.CreatedAt), tm(c.UpdatedAt)))
	if err != nil {
		return core.Candidate{}, fail(err, "upsert candidate %s of integration %s", c.ExternalID, c.IntegrationID)
	}
	return got, nil
}

func (q queries) GetCandidate(ctx context.Context, id string) (core.Candidate, error) {
	c, err := scanCandidate(q.r.QueryRowContext(ctx, `SELECT `+candidateCols+` FROM candidates WHERE id = $1`, id))
	if err != nil {
		return core.Candidate{}, fail(err, "get candidate %s", id)
	}
	return c, nil
}

// ---- orders ----

const orderCols = `id, account_id, integration_id, vacancy_id, candidate_id, state, mode, external_id, external_job_id,
	idempotency_key, invitation_hash, invitation_sealed, invitation_expires_at, return_url, callback_url, reason,
	started_at, completed_at, created_at, updated_at, version, test`

// orderDest lists the scan destinations for orderCols.
func orderDest(o *core.Order) []any {
	return []any{&o.ID, &o.AccountID, &o.IntegrationID, sqlcodec.Str(&o.VacancyID), sqlcodec.Str(&o.CandidateID),
		&o.State, &o.Mode, &o.ExternalID, &o.ExternalJobID, &o.IdempotencyKey, &o.InvitationHash,
		sqlcodec.BlobCol(&o.InvitationSealed), timeCol{&o.InvitationExpiresAt}, &o.ReturnURL, &o.CallbackURL, &o.Reason,
		timeCol{&o.StartedAt}, timeCol{&o.CompletedAt}, timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt}, &o.Version, &o.Test}
}

func scanOrder(s scanner) (core.Order, error) {
	var o core.Order
	err := s.Scan(orderDest(&o)...)
	return o, err
}

func (q queries) CreateOrder(ctx context.Context, o core.Order) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO orders (`+orderCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
		ON CONFLICT DO NOTHING`,
		o.ID, o.AccountID, o.IntegrationID, sqlcodec.NullIfEmpty(o.VacancyID), sqlcodec.NullIfEmpty(o.CandidateID),
		string(o.State), string(o.Mode), o.ExternalID, o.ExternalJobID, o.IdempotencyKey, o.InvitationHash,
		sqlcodec.Blob(o.InvitationSealed), tm(o.InvitationExpiresAt), o.ReturnURL, o.CallbackURL, o.Reason,
		tm(o.StartedAt), tm(o.CompletedAt), tm(o.CreatedAt), tm(o.UpdatedAt), o.Version, o.Test)
	if err != nil {
		return fail(err, "create order %s", o.ID)
	}
	return created(res, fmt.Sprintf("idempotency key %q, invitation hash or id taken", o.IdempotencyKey), "create order %s", o.ID)
}

func (q queries) GetOrder(ctx context.Context, id string) (core.Order, error) {
	o, err := scanOrder(q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id = $1`, id))
	if err != nil {
		return core.Order{}, fail(err, "get order %s", id)
	}
	return o, nil
}

func (q queries) GetOrderByIdempotencyKey(ctx context.Context, integrationID, key string) (core.Order, error) {
	if key == "" { // empty keys are not unique, so they identify nothing
		return core.Order{}, notFound("get order by idempotency key %q of integration %s", key, integrationID)
	}
	o, err := scanOrder(q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE integration_id = $1 AND idempotency_key = $2`,
		integrationID, key))
	if err != nil {
		return core.Order{}, fail(err, "get order by idempotency key %q of integration %s", key, integrationID)
	}
	return o, nil
}

func (q queries) GetOrderByInvitationHash(ctx context.Context, hash string) (core.Order, error) {
	if hash == "" {
		return core.Order{}, notFound("get order by invitation hash")
	}
	o, err := scanOrder(q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE invitation_hash = $1`, hash))
	if err != nil {
		// The hash stands for a candidate's link: keep it out of errors.
		return core.Order{}, fail(err, "get order by invitation hash")
	}
	return o, nil
}

// UpdateOrder writes the mutable fields; ID, AccountID, IntegrationID,
// IdempotencyKey and CreatedAt identify the order and are never changed.
func (q queries) UpdateOrder(ctx context.Context, o core.Order) error {
	res, err := q.w.ExecContext(ctx, `UPDATE orders
		SET vacancy_id = $1, candidate_id = $2, state = $3, mode = $4, external_id = $5, external_job_id = $6,
		    invitation_hash = $7, invitation_sealed = $8, invitation_expires_at = $9, return_url = $10, callback_url = $11,
		    reason = $12, started_at = $13, completed_at = $14, updated_at = $15, version = version + 1
		WHERE id = $16 AND version = $17`,
		sqlcodec.NullIfEmpty(o.VacancyID), sqlcodec.NullIfEmpty(o.CandidateID), string(o.State), string(o.Mode), o.ExternalID, o.ExternalJobID,
		o.InvitationHash, sqlcodec.Blob(o.InvitationSealed), tm(o.InvitationExpiresAt), o.ReturnURL, o.CallbackURL,
		o.Reason, tm(o.StartedAt), tm(o.CompletedAt), tm(o.UpdatedAt), o.ID, o.Version)
	if err != nil {
		return fail(err, "update order %s", o.ID)
	}
	return q.checkVersioned(ctx, res, "orders", o.ID, o.Version, "update order %s", o.ID)
}

// MarkOrderTest flags an order as a test order. It leaves the version
// alone: UpdateOrder never writes the flag, so no update can lose it.
func (q queries) MarkOrderTest(ctx context.Context, id string) error {
	res, err := q.w.ExecContext(ctx, `UPDATE orders SET test = TRUE WHERE id = $1`, id)
	if err != nil {
		return fail(err, "mark order %s as a test", id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail(err, "mark order %s as a test", id)
	}
	if n == 0 {
		return notFound("mark order %s as a test", id)
	}
	return nil
}

// SupersedeOrder hands an order's idempotency key on to its re-invitation.
func (q queries) SupersedeOrder(ctx context.Context, o core.Order) error {
	res, err := q.w.ExecContext(ctx, `UPDATE orders SET idempotency_key = $1, version = version + 1 WHERE id = $2 AND version = $3`,
		o.SupersededKey(), o.ID, o.Version)
	if err != nil {
		return fail(err, "supersede order %s", o.ID)
	}
	return q.checkVersioned(ctx, res, "orders", o.ID, o.Version, "supersede order %s", o.ID)
}

// ListOrders runs two statements; the Store wraps it in a read-only
// repeatable-read transaction so that the page and the total agree.
func (q queries) ListOrders(ctx context.Context, accountID string, f store.OrderFilter) (store.OrderPage, error) {
	var args []any
	arg := func(v any) string { // appends v and returns its placeholder
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
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
		where = append(where, "o.created_at >= "+arg(tm(f.CreatedFrom)))
	}
	if !f.CreatedTo.IsZero() {
		where = append(where, "o.created_at < "+arg(tm(f.CreatedTo)))
	}
	if f.Search != "" {
		p := arg(sqlcodec.LikeContains(f.Search))
		where = append(where, `(c.name ILIKE `+p+` ESCAPE '\' OR c.email ILIKE `+p+` ESCAPE '\')`)
	}
	from := ` FROM orders o
		LEFT JOIN candidates c ON c.id = o.candidate_id
		LEFT JOIN vacancies v ON v.id = o.vacancy_id
		WHERE ` + strings.Join(where, " AND ")

	var page store.OrderPage
	if err := q.r.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&page.Total); err != nil {
		return store.OrderPage{}, fail(err, "count orders of account %s", accountID)
	}

	limit, offset := arg(sqlcodec.ClampLimit(f.Limit)), arg(max(f.Offset, 0))
	rows, err := q.r.QueryContext(ctx, `SELECT `+prefixCols("o.", orderCols)+`,
		coalesce(c.name, ''), coalesce(c.email, ''), coalesce(v.name, '')`+from+`
		ORDER BY o.created_at DESC, o.id DESC LIMIT `+limit+` OFFSET `+offset,
		args...)
	if err != nil {
		return store.OrderPage{}, fail(err, "list orders of account %s", accountID)
	}
	defer rows.Close()
	for rows.Next() {
		var it store.OrderListItem
		if err := rows.Scan(append(orderDest(&it.Order), &it.CandidateName, &it.CandidateEmail, &it.VacancyName)...); err != nil {
			return store.OrderPage{}, fail(err, "list orders of account %s", accountID)
		}
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return store.OrderPage{}, fail(err, "list orders of account %s", accountID)
	}
	return page, nil
}

// ListExpiredOrderIDs returns up to limit (500 when limit <= 0) orders, of
// every account, whose invitation ran out at or before now while they could
// still expire, soonest expired first. It is not (yet) part of store.Queries;
// the service's expiry sweep uses it.
func (q queries) ListExpiredOrderIDs(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 500
	}
	rows, err := q.r.QueryContext(ctx, `SELECT id FROM orders
		WHERE invitation_expires_at IS NOT NULL AND invitation_expires_at <= $1
		  AND state = ANY($2)
		ORDER BY invitation_expires_at, id LIMIT $3`, tm(now), expirableStates(), limit)
	if err != nil {
		return nil, fail(err, "list expired orders")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fail(err, "list expired orders")
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list expired orders")
	}
	return ids, nil
}

// expirableStates lists the states an order can expire from, as core's state
// machine says.
func expirableStates() []string {
	var out []string
	for _, st := range core.States {
		if st.CanTransition(core.StateExpired) {
			out = append(out, string(st))
		}
	}
	return out
}

// prefixCols qualifies each column of a column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// ---- answers and results ----

func (q queries) SaveAnswer(ctx context.Context, a core.Answer) error {
	_, err := q.w.ExecContext(ctx, `INSERT INTO answers (order_id, question_id, option_id, answered_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (order_id, question_id) DO UPDATE SET option_id = excluded.option_id, answered_at = excluded.answered_at`,
		a.OrderID, a.QuestionID, a.OptionID, tm(a.AnsweredAt))
	if err != nil {
		return fail(err, "save answer %s of order %s", a.QuestionID, a.OrderID)
	}
	return nil
}

func (q queries) ListAnswers(ctx context.Context, orderID string) ([]core.Answer, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT order_id, question_id, option_id, answered_at FROM answers
		WHERE order_id = $1 ORDER BY answered_at, question_id`, orderID)
	if err != nil {
		return nil, fail(err, "list answers of order %s", orderID)
	}
	defer rows.Close()
	var out []core.Answer
	for rows.Next() {
		var a core.Answer
		if err := rows.Scan(&a.OrderID, &a.QuestionID, &a.OptionID, timeCol{&a.AnsweredAt}); err != nil {
			return nil, fail(err, "list answers of order %s", orderID)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list answers of order %s", orderID)
	}
	return out, nil
}

func (q queries) SaveResult(ctx context.Context, r core.Result) error {
	outcome, err := sqlcodec.JSONText(r.Outcome)
	if err != nil {
		return fail(fmt.Errorf("encode outcome: %w", err), "save result of order %s", r.OrderID)
	}
	answers, err := sqlcodec.JSONText(r.Answers)
	if err != nil {
		return fail(fmt.Errorf("encode answers: %w", err), "save result of order %s", r.OrderID)
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO results (order_id, outcome, answers, started_at, submitted_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`,
		r.OrderID, outcome, answers, tm(r.StartedAt), tm(r.SubmittedAt))
	if err != nil {
		return fail(err, "save result of order %s", r.OrderID)
	}
	return created(res, "the order has a result", "save result of order %s", r.OrderID)
}

func (q queries) GetResult(ctx context.Context, orderID string) (core.Result, error) {
	var r core.Result
	err := q.r.QueryRowContext(ctx, `SELECT order_id, outcome, answers, started_at, submitted_at FROM results WHERE order_id = $1`, orderID).
		Scan(&r.OrderID, sqlcodec.JSON(&r.Outcome), sqlcodec.JSON(&r.Answers), timeCol{&r.StartedAt}, timeCol{&r.SubmittedAt})
	if err != nil {
		return core.Result{}, fail(err, "get result of order %s", orderID)
	}
	return r, nil
}

// ---- timeline ----

func (q queries) AddTimeline(ctx context.Context, e core.TimelineEntry) (int64, error) {
	detail, err := sqlcodec.JSONText(e.Detail)
	if err != nil {
		return 0, fail(fmt.Errorf("encode detail: %w", err), "add timeline entry to order %s", e.OrderID)
	}
	var id int64
	err = q.w.QueryRowContext(ctx, `INSERT INTO timeline (order_id, account_id, at, kind, message, detail) VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id`,
		sqlcodec.NullIfEmpty(e.OrderID), e.AccountID, tm(e.At), e.Kind, e.Message, detail).Scan(&id)
	if err != nil {
		return 0, fail(err, "add timeline entry to order %s", e.OrderID)
	}
	return id, nil
}

func (q queries) ListTimeline(ctx context.Context, orderID string) ([]core.TimelineEntry, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, order_id, account_id, at, kind, message, detail FROM timeline
		WHERE order_id = $1 ORDER BY at, id`, orderID)
	if err != nil {
		return nil, fail(err, "list timeline of order %s", orderID)
	}
	defer rows.Close()
	var out []core.TimelineEntry
	for rows.Next() {
		var e core.TimelineEntry
		if err := rows.Scan(&e.ID, sqlcodec.Str(&e.OrderID), &e.AccountID, timeCol{&e.At}, &e.Kind, &e.Message, sqlcodec.JSON(&e.Detail)); err != nil {
			return nil, fail(err, "list timeline of order %s", orderID)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list timeline of order %s", orderID)
	}
	return out, nil
}

// ---- inbound events ----

const inboundCols = `id, account_id, integration_id, kind, dedupe_key, payload, received_at, processed_at, outcome, failure`

func scanInbound(s scanner) (core.InboundEvent, error) {
	var e core.InboundEvent
	err := s.Scan(&e.ID, &e.AccountID, &e.IntegrationID, &e.Kind, &e.DedupeKey, sqlcodec.BlobCol(&e.Payload), timeCol{&e.ReceivedAt},
		timeCol{&e.ProcessedAt}, &e.Outcome, &e.Failure)
	return e, err
}

func (q queries) RecordInbound(ctx context.Context, e core.InboundEvent) (core.InboundEvent, bool, error) {
	// On any uniqueness clash RETURNING yields no row; the dedupe lookup then
	// tells a redelivery from a reused ID.
	stored, err := scanInbound(q.w.QueryRowContext(ctx, `INSERT INTO inbound_events (`+inboundCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT DO NOTHING
		RETURNING `+inboundCols,
		e.ID, e.AccountID, e.IntegrationID, e.Kind, e.DedupeKey, sqlcodec.Blob(e.Payload), tm(e.ReceivedAt),
		tm(e.ProcessedAt), e.Outcome, e.Failure))
	switch {
	case err == nil:
		return stored, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return core.InboundEvent{}, false, fail(err, "record inbound event %s", e.ID)
	}
	if e.DedupeKey != "" {
		existing, err := scanInbound(q.w.QueryRowContext(ctx, `SELECT `+inboundCols+` FROM inbound_events
			WHERE integration_id = $1 AND dedupe_key = $2`, e.IntegrationID, e.DedupeKey))
		switch {
		case err == nil:
			return existing, false, nil
		case !errors.Is(err, sql.ErrNoRows):
			return core.InboundEvent{}, false, fail(err, "record inbound event %s: find dedupe key %q", e.ID, e.DedupeKey)
		}
	}
	return core.InboundEvent{}, false, fmt.Errorf("store: record inbound event %s: %w: id taken", e.ID, core.ErrConflict)
}

func (q queries) GetInbound(ctx context.Context, id string) (core.InboundEvent, error) {
	e, err := scanInbound(q.r.QueryRowContext(ctx, `SELECT `+inboundCols+` FROM inbound_events WHERE id = $1`, id))
	if err != nil {
		return core.InboundEvent{}, fail(err, "get inbound event %s", id)
	}
	return e, nil
}

func (q queries) SetInboundOutcome(ctx context.Context, id string, at time.Time, outcome, failure string) error {
	res, err := q.w.ExecContext(ctx, `UPDATE inbound_events SET processed_at = $1, outcome = $2, failure = $3 WHERE id = $4`,
		tm(at), outcome, failure, id)
	if err != nil {
		return fail(err, "set outcome of inbound event %s", id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail(err, "set outcome of inbound event %s", id)
	}
	if n == 0 {
		return notFound("set outcome of inbound event %s", id)
	}
	return nil
}

func (q queries) ListInboundFailures(ctx context.Context, integrationID string, limit int) ([]core.InboundEvent, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+inboundCols+` FROM inbound_events
		WHERE integration_id = $1 AND failure <> ''
		ORDER BY processed_at DESC, id DESC LIMIT $2`, integrationID, sqlcodec.ClampLimit(limit))
	if err != nil {
		return nil, fail(err, "list inbound failures of integration %s", integrationID)
	}
	defer rows.Close()
	var out []core.InboundEvent
	for rows.Next() {
		e, err := scanInbound(rows)
		if err != nil {
			return nil, fail(err, "list inbound failures of integration %s", integrationID)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list inbound failures of integration %s", integrationID)
	}
	return out, nil
}

func (q queries) DeleteInboundBefore(ctx context.Context, before time.Time) (int, error) {
	res, err := q.w.ExecContext(ctx, `DELETE FROM inbound_events WHERE received_at < $1`, tm(before))
	if err != nil {
		return 0, fail(err, "delete inbound events received before %s", before.Format(time.RFC3339))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fail(err, "delete inbound events received before %s", before.Format(time.RFC3339))
	}
	return int(n), nil
}

// ---- write-back steps ----

func (q queries) MarkStep(ctx context.Context, orderID, step string, at time.Time) (bool, error) {
	res, err := q.w.ExecContext(ctx, `INSERT INTO writeback_steps (order_id, step, done_at) VALUES ($1, $2, $3)
		ON CONFLICT (order_id, step) DO NOTHING`, orderID, step, tm(at))
	if err != nil {
		return false, fail(err, "mark step %s of order %s", step, orderID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fail(err, "mark step %s of order %s", step, orderID)
	}
	return n == 1, nil
}

func (q queries) StepDone(ctx context.Context, orderID, step string) (bool, error) {
	var done bool
	err := q.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM writeback_steps WHERE order_id = $1 AND step = $2)`, orderID, step).Scan(&done)
	if err != nil {
		return false, fail(err, "check step %s of order %s", step, orderID)
	}
	return done, nil
}

// The claim is taken in one statement, so two workers (in any process)
// racing for it cannot both win: the insert, or the update of an expired or
// own claim, affects one row only for the winner.
func (q queries) ClaimWriteBack(ctx context.Context, orderID, holder string, now, until time.Time) (bool, error) {
	res, err := q.w.ExecContext(ctx, `INSERT INTO writeback_claims (order_id, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (order_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE writeback_claims.holder = excluded.holder OR writeback_claims.expires_at <= $4`, orderID, holder, tm(until), tm(now))
	if err != nil {
		return false, fail(err, "claim write-back of order %s", orderID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fail(err, "claim write-back of order %s", orderID)
	}
	return n == 1, nil
}

func (q queries) ReleaseWriteBack(ctx context.Context, orderID, holder string) error {
	if _, err := q.w.ExecContext(ctx, `DELETE FROM writeback_claims WHERE order_id = $1 AND holder = $2`, orderID, holder); err != nil {
		return fail(err, "release write-back of order %s", orderID)
	}
	return nil
}

// ---- outbox ----

const outboxCols = `id, account_id, order_id, to_addr, subject, text_body, html_body, created_at`

func (q queries) AddOutboxMail(ctx context.Context, m core.OutboxMail) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO outbox_mail (`+outboxCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		m.ID, m.AccountID, m.OrderID, m.To, m.Subject, m.Text, m.HTML, tm(m.CreatedAt))
	if err != nil {
		return fail(err, "add outbox mail %s", m.ID)
	}
	return created(res, "id taken", "add outbox mail %s", m.ID)
}

// ListOutboxMail returns one account's mail newest first; a limit of 0 or
// less means the default page size, and no more than 200 are returned.
func (q queries) ListOutboxMail(ctx context.Context, accountID string, limit int) ([]core.OutboxMail, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox_mail WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, accountID, sqlcodec.ClampLimit(limit))
	if err != nil {
		return nil, fail(err, "list outbox mail")
	}
	defer rows.Close()
	var out []core.OutboxMail
	for rows.Next() {
		var m core.OutboxMail
		if err := rows.Scan(&m.ID, &m.AccountID, &m.OrderID, &m.To, &m.Subject, &m.Text, &m.HTML, timeCol{&m.CreatedAt}); err != nil {
			return nil, fail(err, "list outbox mail")
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list outbox mail")
	}
	return out, nil
}

// ---- settings ----

// GetSetting returns a setting of this Switchboard; ErrNotFound when unset.
func (q queries) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	if err := q.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
		return "", fail(err, "get setting %s", key)
	}
	return v, nil
}

// PutSetting sets a setting of this Switchboard, replacing its value.
func (q queries) PutSetting(ctx context.Context, key, value string, at time.Time) error {
	_, err := q.w.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, tm(at))
	if err != nil {
		return fail(err, "put setting %s", key)
	}
	return nil
}
