package budget

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Postgres is a Budget kept in PostgreSQL (tables budget_rates and
// budget_slots, migration 0016), shared by every replica on one database.
//
// A take is one short transaction that locks the key's row of
// budget_rates (INSERT … ON CONFLICT DO UPDATE … RETURNING creates or
// locks it in one statement), purges the key's expired slots, counts the
// live ones, and records the start and the slot, or nothing. The row lock
// serialises the takes of one key, and only of that key.
//
// Why a sliding log under a row lock rather than a token bucket in one
// UPDATE: the ATSs count requests in any window (SmartRecruiters: 10 in a
// second), and a bucket must be paced well under N per window never to
// exceed it (its burst plus its refill can both land in one window), while
// a log of the last N starts runs at exactly N per window and is the very
// rule atshttp.WindowLimit keeps in one process: Memory and Postgres share
// it (reserve). The slot count must be read and written with the rate in
// the same lock anyway (both or neither are taken), which one UPDATE of a
// bucket could not do.
//
// Time is the caller's (injected, as everywhere in the connectors), so the
// replicas' clocks must agree (NTP) to well within the limits' margins.
type Postgres struct {
	db *sql.DB
}

// NewPostgres returns a Budget on db, whose schema has migration 0016.
func NewPostgres(db *sql.DB) *Postgres { return &Postgres{db: db} }

var _ Budget = (*Postgres)(nil)

// Take implements Budget.
func (p *Postgres) Take(ctx context.Context, key string, lim Limit, now time.Time, maxWait time.Duration) (g Grant, err error) {
	if err := lim.check(); err != nil {
		return Grant{}, err
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return Grant{}, fmt.Errorf("budget: begin take: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, rollback(tx))
		}
	}()
	var raw string
	var lastNS int64
	// DO UPDATE (not DO NOTHING) so that RETURNING always yields the row,
	// locked for this transaction.
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO budget_rates (key) VALUES ($1)
		ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
		RETURNING array_to_string(starts, ','), last_ns`, key).Scan(&raw, &lastNS); err != nil {
		return Grant{}, fmt.Errorf("budget: lock key: %w", err)
	}
	if lim.Slots > 0 {
		// The CTE's DELETE is not seen by the SELECT (one snapshot), hence
		// its own filter on expires_at.
		var live int
		var earliest sql.NullTime
		if err := tx.QueryRowContext(ctx, `
			WITH gone AS (DELETE FROM budget_slots WHERE key = $1 AND expires_at <= $2)
			SELECT count(*), min(expires_at) FROM budget_slots WHERE key = $1 AND expires_at > $2`,
			key, now).Scan(&live, &earliest); err != nil {
			return Grant{}, fmt.Errorf("budget: count slots: %w", err)
		}
		if live >= lim.Slots {
			// Commit the purge of expired slots; nothing is taken.
			if err := tx.Commit(); err != nil {
				return Grant{}, fmt.Errorf("budget: commit purge: %w", err)
			}
			return Grant{}, &WaitError{Wait: slotWait(earliest.Time, now), Slot: true}
		}
	}
	starts, err := decodeStarts(raw)
	if err != nil {
		return Grant{}, err
	}
	var last time.Time
	if lastNS != 0 {
		last = time.Unix(0, lastNS)
	}
	at, starts, ok := reserve(lim, starts, last, now, maxWait)
	if !ok {
		if err := tx.Rollback(); err != nil {
			return Grant{}, fmt.Errorf("budget: roll back take: %w", err)
		}
		return Grant{}, &WaitError{Wait: at.Sub(now)}
	}
	if lim.N > 0 {
		last = later(last, at)
		if _, err := tx.ExecContext(ctx, `
			UPDATE budget_rates SET starts = string_to_array($2, ',')::bigint[], last_ns = $3 WHERE key = $1`,
			key, encodeStarts(starts), last.UnixNano()); err != nil {
			return Grant{}, fmt.Errorf("budget: record start: %w", err)
		}
	}
	release := func(context.Context) error { return nil }
	if lim.Slots > 0 {
		token := newToken()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO budget_slots (key, token, expires_at) VALUES ($1, $2, $3)`,
			key, token, now.Add(lim.lease())); err != nil {
			return Grant{}, fmt.Errorf("budget: take slot: %w", err)
		}
		release = func(ctx context.Context) error {
			if _, err := p.db.ExecContext(ctx, `DELETE FROM budget_slots WHERE key = $1 AND token = $2`, key, token); err != nil {
				return fmt.Errorf("budget: release slot: %w", err)
			}
			return nil
		}
	}
	if err := tx.Commit(); err != nil {
		return Grant{}, fmt.Errorf("budget: commit take: %w", err)
	}
	return Grant{Start: at, Release: release}, nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("budget: roll back: %w", err)
	}
	return nil
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// decodeStarts parses the log as array_to_string wrote it.
func decodeStarts(raw string) ([]time.Time, error) {
	if raw == "" {
		return nil, nil
	}
	parts := strings.Split(raw, ",")
	starts := make([]time.Time, 0, len(parts))
	for _, s := range parts {
		ns, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("budget: bad start %q in log: %w", s, err)
		}
		starts = append(starts, time.Unix(0, ns))
	}
	return starts, nil
}

func encodeStarts(starts []time.Time) string {
	parts := make([]string, len(starts))
	for i, t := range starts {
		parts[i] = strconv.FormatInt(t.UnixNano(), 10)
	}
	return strings.Join(parts, ",")
}
