package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RunSQLTx is InTx for the dialects built on database/sql: it begins a
// transaction on db, hands fn the dialect's Tx for it (made by wrap), and
// commits when fn returns nil, rolling back otherwise. A panic or Goexit in
// fn also rolls back, so the connection (and, on SQLite, the only writer)
// never stays inside an open transaction.
func RunSQLTx(ctx context.Context, db *sql.DB, wrap func(*sql.Tx) Tx, fn func(Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	finished := false
	defer func() {
		if !finished {
			_ = sqlTx.Rollback() // the panic or Goexit is what the caller sees
		}
	}()
	err = fn(wrap(sqlTx))
	finished = true
	if err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}
