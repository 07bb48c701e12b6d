package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store/sqlcodec"
)

// ---- inbound events ----

const inboundCols = `id, account_id, integration_id, kind, dedupe_key, payload, received_at, processed_at, outcome, failure`

func scanInbound(s scanner) (core.InboundEvent, error) {
	var e core.InboundEvent
	err := s.Scan(&e.ID, &e.AccountID, &e.IntegrationID, &e.Kind, &e.DedupeKey, sqlcodec.BlobCol(&e.Payload), timeCol{&e.ReceivedAt},
		timeCol{&e.ProcessedAt}, &e.Outcome, &e.Failure)
	return e, err
}

func (q Queries) RecordInbound(ctx context.Context, e core.InboundEvent) (core.InboundEvent, bool, error) {
	// On any uniqueness clash RETURNING yields no row; the dedupe lookup then
	// tells a redelivery from a reused ID.
	stored, err := scanInbound(q.w.QueryRowContext(ctx, `INSERT INTO inbound_events (`+inboundCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT DO NOTHING
		RETURNING `+inboundCols,
		e.ID, e.AccountID, e.IntegrationID, e.Kind, e.DedupeKey, sqlcodec.Blob(e.Payload), q.tm(e.ReceivedAt),
		q.tm(e.ProcessedAt), e.Outcome, e.Failure))
	switch {
	case err == nil:
		return stored, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return core.InboundEvent{}, false, q.fail(err, "record inbound event %s", e.ID)
	}
	if e.DedupeKey != "" {
		existing, err := scanInbound(q.w.QueryRowContext(ctx, `SELECT `+inboundCols+` FROM inbound_events
			WHERE integration_id = $1 AND dedupe_key = $2`, e.IntegrationID, e.DedupeKey))
		switch {
		case err == nil:
			return existing, false, nil
		case !errors.Is(err, sql.ErrNoRows):
			return core.InboundEvent{}, false, q.fail(err, "record inbound event %s: find dedupe key %q", e.ID, e.DedupeKey)
		}
	}
	return core.InboundEvent{}, false, fmt.Errorf("store: record inbound event %s: %w: id taken", e.ID, core.ErrConflict)
}

func (q Queries) GetInbound(ctx context.Context, id string) (core.InboundEvent, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+inboundCols+` FROM inbound_events WHERE id = $1`, id), scanInbound, "get inbound event %s", id)
}

func (q Queries) SetInboundOutcome(ctx context.Context, id string, at time.Time, outcome, failure string) error {
	res, err := q.w.ExecContext(ctx, `UPDATE inbound_events SET processed_at = $1, outcome = $2, failure = $3 WHERE id = $4`,
		q.tm(at), outcome, failure, id)
	return q.matched(res, err, "set outcome of inbound event %s", id)
}

func (q Queries) ListInboundFailures(ctx context.Context, integrationID string, limit int) ([]core.InboundEvent, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+inboundCols+` FROM inbound_events
		WHERE integration_id = $1 AND failure <> ''
		ORDER BY processed_at DESC, id DESC LIMIT $2`, integrationID, sqlcodec.ClampLimit(limit))
	return list(q, rows, err, scanInbound, "list inbound failures of integration %s", integrationID)
}

func (q Queries) DeleteInboundBefore(ctx context.Context, before time.Time) (int, error) {
	res, err := q.w.ExecContext(ctx, `DELETE FROM inbound_events WHERE received_at < $1`, q.tm(before))
	n, err := q.affected(res, err, "delete inbound events received before %s", before.Format(time.RFC3339))
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// ---- write-back steps ----

func (q Queries) MarkStep(ctx context.Context, orderID, step string, at time.Time) (bool, error) {
	res, err := q.w.ExecContext(ctx, `INSERT INTO writeback_steps (order_id, step, done_at) VALUES ($1, $2, $3)
		ON CONFLICT (order_id, step) DO NOTHING`, orderID, step, q.tm(at))
	n, err := q.affected(res, err, "mark step %s of order %s", step, orderID)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

func (q Queries) StepDone(ctx context.Context, orderID, step string) (bool, error) {
	var done bool
	err := q.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM writeback_steps WHERE order_id = $1 AND step = $2)`, orderID, step).Scan(&done)
	if err != nil {
		return false, q.fail(err, "check step %s of order %s", step, orderID)
	}
	return done, nil
}

// The claim is taken in one statement, so two workers (in any process)
// racing for it cannot both win: the insert, or the update of an expired or
// own claim, affects one row only for the winner.
func (q Queries) ClaimWriteBack(ctx context.Context, orderID, holder string, now, until time.Time) (bool, error) {
	res, err := q.w.ExecContext(ctx, `INSERT INTO writeback_claims (order_id, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (order_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE writeback_claims.holder = excluded.holder OR writeback_claims.expires_at <= $4`, orderID, holder, q.tm(until), q.tm(now))
	n, err := q.affected(res, err, "claim write-back of order %s", orderID)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

func (q Queries) ReleaseWriteBack(ctx context.Context, orderID, holder string) error {
	if _, err := q.w.ExecContext(ctx, `DELETE FROM writeback_claims WHERE order_id = $1 AND holder = $2`, orderID, holder); err != nil {
		return q.fail(err, "release write-back of order %s", orderID)
	}
	return nil
}

// ---- outbox ----

const outboxCols = `id, account_id, order_id, to_addr, subject, text_body, html_body, created_at`

func (q Queries) AddOutboxMail(ctx context.Context, m core.OutboxMail) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO outbox_mail (`+outboxCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		m.ID, m.AccountID, m.OrderID, m.To, m.Subject, m.Text, m.HTML, q.tm(m.CreatedAt))
	if err != nil {
		return q.fail(err, "add outbox mail %s", m.ID)
	}
	return q.created(res, "id taken", "add outbox mail %s", m.ID)
}

// ListOutboxMail returns one account's mail newest first; a limit of 0 or
// less means the default page size, and no more than 200 are returned.
func (q Queries) ListOutboxMail(ctx context.Context, accountID string, limit int) ([]core.OutboxMail, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox_mail WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, accountID, sqlcodec.ClampLimit(limit))
	return list(q, rows, err, scanOutboxMail, "list outbox mail")
}

func scanOutboxMail(s scanner) (core.OutboxMail, error) {
	var m core.OutboxMail
	err := s.Scan(&m.ID, &m.AccountID, &m.OrderID, &m.To, &m.Subject, &m.Text, &m.HTML, timeCol{&m.CreatedAt})
	return m, err
}

// ---- settings ----

// GetSetting returns a setting of this Switchboard; ErrNotFound when unset.
func (q Queries) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	if err := q.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
		return "", q.fail(err, "get setting %s", key)
	}
	return v, nil
}

// PutSetting sets a setting of this Switchboard, replacing its value.
func (q Queries) PutSetting(ctx context.Context, key, value string, at time.Time) error {
	_, err := q.w.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, q.tm(at))
	if err != nil {
		return q.fail(err, "put setting %s", key)
	}
	return nil
}
