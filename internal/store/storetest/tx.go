package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

func testTxCommit(t *testing.T, s store.Store) {
	ctx := t.Context()
	var w world
	var o core.Order
	var entryID int64
	err := s.InTx(ctx, func(tx store.Tx) error {
		if tx.SQL() == nil {
			return errors.New("SQL() is nil")
		}
		// The job queue enqueues through SQL(); it must be the same transaction.
		var one int
		if err := tx.SQL().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("query through SQL(): %w", err)
		}
		w = newWorld(t, tx, "acme")
		// Reads in the transaction see its own writes.
		if _, err := tx.GetAccount(ctx, w.account.ID); err != nil {
			return fmt.Errorf("read own write: %w", err)
		}
		o = newOrder(t, tx, w.integration, w.vacancy.ID, w.candidate.ID, at(10))
		var err error
		entryID, err = tx.AddTimeline(ctx, core.TimelineEntry{OrderID: o.ID, AccountID: w.account.ID, At: at(10), Kind: "state", Message: "received"})
		return err
	})
	ok(t, err, "InTx")

	got, err := s.GetOrder(ctx, o.ID)
	ok(t, err, "order after commit")
	equal(t, "committed order", got, o)
	entries, err := s.ListTimeline(ctx, o.ID)
	ok(t, err, "timeline after commit")
	equal(t, "committed timeline", len(entries), 1)
	equal(t, "timeline entry id", entries[0].ID, entryID)
}

func testTxRollback(t *testing.T, s store.Store) {
	ctx := t.Context()
	boom := errors.New("boom")
	var accountID, orderID string
	err := s.InTx(ctx, func(tx store.Tx) error {
		w := newWorld(t, tx, "acme")
		accountID = w.account.ID
		orderID = newOrder(t, tx, w.integration, w.vacancy.ID, w.candidate.ID, at(10)).ID
		if _, _, err := tx.RecordInbound(ctx, core.InboundEvent{ID: core.NewID("evt"), AccountID: accountID,
			IntegrationID: w.integration.ID, Kind: "k", DedupeKey: "d", ReceivedAt: at(1)}); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", boom)
	})
	isErr(t, err, boom, "InTx returns fn's error")

	_, err = s.GetAccount(ctx, accountID)
	isErr(t, err, core.ErrNotFound, "account after rollback")
	_, err = s.GetOrder(ctx, orderID)
	isErr(t, err, core.ErrNotFound, "order after rollback")
	accounts, err := s.ListAccounts(ctx)
	ok(t, err, "list accounts")
	equal(t, "accounts after rollback", len(accounts), 0)

	// A conflict inside a transaction is reported without spoiling it (in
	// Postgres a failed statement would abort the whole transaction), so the
	// usual "create, or on conflict read what is there" works in one InTx.
	w := newWorld(t, s, "beta")
	first := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))
	err = s.InTx(ctx, func(tx store.Tx) error {
		dup := first
		dup.ID = core.NewID("ord")
		if err := tx.CreateOrder(ctx, dup); !errors.Is(err, core.ErrConflict) {
			return fmt.Errorf("duplicate idempotency key: got %v, want ErrConflict", err)
		}
		if err := tx.CreateAccount(ctx, w.account); !errors.Is(err, core.ErrConflict) {
			return fmt.Errorf("duplicate account: got %v, want ErrConflict", err)
		}
		got, err := tx.GetOrderByIdempotencyKey(ctx, first.IntegrationID, first.IdempotencyKey)
		if err != nil {
			return fmt.Errorf("read after conflict: %w", err)
		}
		if got.ID != first.ID {
			return fmt.Errorf("read after conflict: got order %s, want %s", got.ID, first.ID)
		}
		_, err = tx.AddTimeline(ctx, core.TimelineEntry{OrderID: first.ID, AccountID: w.account.ID, At: at(11), Kind: "redelivery", Message: "again"})
		return err
	})
	ok(t, err, "InTx continuing after a conflict")
	entries, err := s.ListTimeline(ctx, first.ID)
	ok(t, err, "timeline")
	equal(t, "entry written after the conflict", len(entries), 1)
}

func testTxPanic(t *testing.T, s store.Store) {
	ctx := t.Context()
	var accountID string
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic in fn did not reach the caller")
			}
		}()
		_ = s.InTx(ctx, func(tx store.Tx) error {
			accountID = newAccount(t, tx, "doomed").ID
			panic("fn panics")
		})
	}()
	_, err := s.GetAccount(ctx, accountID)
	isErr(t, err, core.ErrNotFound, "account written before the panic")
	// The writer is free again.
	ok(t, s.InTx(ctx, func(tx store.Tx) error { newAccount(t, tx, "after"); return nil }), "InTx after a panic")
}

// testConcurrentCreates ingests orders from many goroutines at once, as
// concurrent webhooks do, while others read. Every transaction must succeed:
// in SQLite that means no SQLITE_BUSY.
func testConcurrentCreates(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	const writers, readers = 16, 4

	var wg sync.WaitGroup
	errs := make(chan error, writers+readers+writers)
	stop := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			err := s.InTx(ctx, func(tx store.Tx) error {
				ev, inserted, err := tx.RecordInbound(ctx, core.InboundEvent{ID: core.NewID("evt"), AccountID: w.account.ID,
					IntegrationID: w.integration.ID, Kind: "order", DedupeKey: fmt.Sprintf("d-%d", i), ReceivedAt: at(i)})
				if err != nil || !inserted {
					return fmt.Errorf("record inbound: inserted=%v: %w", inserted, err)
				}
				c, err := tx.UpsertCandidate(ctx, core.Candidate{ID: core.NewID("cand"), AccountID: w.account.ID,
					IntegrationID: w.integration.ID, ExternalID: fmt.Sprintf("ext-%d", i), Name: "C", CreatedAt: at(i), UpdatedAt: at(i)})
				if err != nil {
					return err
				}
				o := core.Order{ID: core.NewID("ord"), AccountID: w.account.ID, IntegrationID: w.integration.ID,
					VacancyID: w.vacancy.ID, CandidateID: c.ID, State: core.StateReceived, Mode: core.ModeAdHoc,
					IdempotencyKey: ev.DedupeKey, CreatedAt: at(i), UpdatedAt: at(i), Version: 1}
				if err := tx.CreateOrder(ctx, o); err != nil {
					return err
				}
				_, err = tx.AddTimeline(ctx, core.TimelineEntry{OrderID: o.ID, AccountID: w.account.ID, At: at(i), Kind: "state", Message: "received"})
				return err
			})
			if err != nil {
				errs <- fmt.Errorf("writer %d: %w", i, err)
			}
		})
	}
	var rwg sync.WaitGroup
	for i := range readers {
		rwg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{}); err != nil {
					errs <- fmt.Errorf("reader %d: %w", i, err)
					return
				}
				if _, err := s.GetVacancy(ctx, w.vacancy.ID); err != nil {
					errs <- fmt.Errorf("reader %d: %w", i, err)
					return
				}
			}
		})
	}
	// Redeliveries of one order race too: exactly one creates it, the others
	// see a conflict and find it.
	var created atomic.Int32
	for i := range writers {
		wg.Go(func() {
			err := s.InTx(ctx, func(tx store.Tx) error {
				o := core.Order{ID: core.NewID("ord"), AccountID: w.account.ID, IntegrationID: w.integration.ID,
					State: core.StateReceived, Mode: core.ModeAdHoc, IdempotencyKey: "same", CreatedAt: at(1000), Version: 1}
				err := tx.CreateOrder(ctx, o)
				switch {
				case err == nil:
					created.Add(1)
					return nil
				case errors.Is(err, core.ErrConflict):
					_, err := tx.GetOrderByIdempotencyKey(ctx, w.integration.ID, "same")
					return err
				}
				return err
			})
			if err != nil {
				errs <- fmt.Errorf("redelivery %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	equal(t, "redeliveries that created the order", created.Load(), int32(1))
	page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Limit: 200})
	ok(t, err, "list orders")
	equal(t, "orders created", page.Total, writers+1)
}

// testConcurrentIncrements bumps one integration's version from many
// goroutines with read-modify-write transactions. Postgres may report a
// version conflict to the loser of a race, which retries; SQLite serialises
// write transactions, so there it must never conflict.
func testConcurrentIncrements(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	in := newIntegration(t, s, acme.ID, "lever")
	const n = 20
	var conflicts atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			for attempt := 0; ; attempt++ {
				err := s.InTx(ctx, func(tx store.Tx) error {
					cur, err := tx.GetIntegration(ctx, in.ID)
					if err != nil {
						return err
					}
					cur.Settings["counter"] += "x"
					cur.UpdatedAt = at(i)
					return tx.UpdateIntegration(ctx, cur)
				})
				if errors.Is(err, core.ErrConflict) && attempt < 100 {
					conflicts.Add(1)
					continue
				}
				if err != nil {
					errs <- fmt.Errorf("incrementer %d: %w", i, err)
				}
				return
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	got, err := s.GetIntegration(ctx, in.ID)
	ok(t, err, "get integration")
	equal(t, "version after increments", got.Version, in.Version+n)
	equal(t, "counter after increments", len(got.Settings["counter"]), n)
	if s.Dialect() == "sqlite" && conflicts.Load() != 0 {
		t.Errorf("sqlite: %d version conflicts; write transactions should be serialised", conflicts.Load())
	}
	t.Logf("%s: %d version conflicts retried", s.Dialect(), conflicts.Load())
}
