package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/app"
	"switchboard/internal/queue"
	"switchboard/internal/store"
)

// TestServeRefusesABadAllowedATSHost: --allow-ats-host takes host names, not
// URLs, and a wrong one is a usage error before anything is opened.
func TestServeRefusesABadAllowedATSHost(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"https://ats.internal", "ats.internal/v1", "ok.internal,bad/path"} {
		dir := filepath.Join(t.TempDir(), "data")
		r := runCLI(t, "serve", "--data-dir", dir, "--allow-ats-host", v)
		if r.code != 2 || !strings.Contains(r.stderr+fmt.Sprint(r.err), "allow-ats-host") {
			t.Errorf("--allow-ats-host %q: exit %d, err %v, stderr %q; want a usage error naming the flag", v, r.code, r.err, r.stderr)
		}
	}
}

// TestServeRefusesBadSizes: worker counts and the pool cap are positive, and
// a wrong one is a usage error naming its flag before anything is opened.
func TestServeRefusesBadSizes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ flag, value string }{
		{"workers", "0"},
		{"email-workers", "-1"},
		{"vendor-workers", "0"},
		{"db-max-conns", "0"},
		{"workers", "many"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		r := runCLI(t, "serve", "--data-dir", dir, "--listen", "127.0.0.1:0", "--"+tc.flag, tc.value)
		if r.code != 2 || !strings.Contains(r.stderr+fmt.Sprint(r.err), tc.flag) {
			t.Errorf("--%s %s: exit %d, err %v, stderr %q; want a usage error naming the flag", tc.flag, tc.value, r.code, r.err, r.stderr)
		}
	}
}

type drainArgs struct{}

func (drainArgs) Kind() string { return "test_drain" }

// eventLog records what happened, in order, from several goroutines.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// TestServeDrainsOnCancel: when serve's context ends (SIGTERM or SIGINT in
// main), a request in flight is answered, then a job in flight finishes — or,
// past its grace, is cancelled — and serve returns nil.
func TestServeDrainsOnCancel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		releaseJob bool // else the job waits for its context
		grace      time.Duration
		want       []string
	}{
		{"job finishes within its grace", true, time.Minute, []string{"request answered", "job finished"}},
		{"job past its grace is cancelled", false, 100 * time.Millisecond, []string{"request answered", "job cancelled"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var log eventLog
			jobStarted, jobRelease := make(chan struct{}), make(chan struct{})
			reqStarted, reqRelease := make(chan struct{}), make(chan struct{})
			dir := t.TempDir()
			cfg := app.Config{
				DataDir: dir, Work: true, PollInterval: 20 * time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
				ExtraWorkers: func(w *river.Workers) {
					queue.AddWorker(w, time.Minute, func(ctx context.Context, _ *river.Job[drainArgs]) error {
						close(jobStarted)
						select {
						case <-jobRelease:
							log.add("job finished")
							return nil
						case <-ctx.Done():
							log.add("job cancelled")
							return ctx.Err()
						}
					})
				},
				ExtraRoutes: func(mux *http.ServeMux) {
					mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
						close(reqStarted)
						<-reqRelease
						log.add("request answered")
						fmt.Fprint(w, "done")
					})
				},
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			base := "http://" + ln.Addr().String()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			served := make(chan error, 1)
			listen := func() (net.Listener, net.Listener, error) { return ln, nil, nil }
			go func() {
				served <- serve(ctx, cfg, listen, drainBounds{grace: tc.grace, hard: 30 * time.Second}, io.Discard)
			}()

			// The listener is open already, so this waits for serve's
			// Open. Once serve answers, its migrations are done and a second,
			// insert-only app may open the same database to enqueue.
			// A bound, in case serve fails before it takes the listener.
			healthz := &http.Client{Timeout: 30 * time.Second}
			if resp, err := healthz.Get(base + "/healthz"); err != nil {
				t.Fatal(err)
			} else {
				resp.Body.Close()
			}
			ins, err := app.Open(t.Context(), app.Config{DataDir: dir, Logger: cfg.Logger})
			if err != nil {
				t.Fatal(err)
			}
			defer ins.Close(context.WithoutCancel(t.Context()))
			if err := ins.Store.InTx(t.Context(), func(tx store.Tx) error {
				return ins.Queue.Enqueue(t.Context(), tx, drainArgs{}, nil)
			}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, jobStarted, "the job to start")
			type answer struct {
				body string
				err  error
			}
			answered := make(chan answer, 1)
			go func() {
				resp, err := http.Get(base + "/slow")
				if err != nil {
					answered <- answer{err: err}
					return
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				answered <- answer{string(b), err}
			}()
			waitFor(t, reqStarted, "the request to arrive")

			cancel() // the signal
			notYet(t, served, "a request is in flight")
			close(reqRelease)
			if a := <-answered; a.err != nil || a.body != "done" {
				t.Fatalf("request in flight at shutdown: %q, %v; want it answered", a.body, a.err)
			}
			if tc.releaseJob {
				notYet(t, served, "a job is in flight")
				close(jobRelease)
			}
			select {
			case err := <-served:
				if err != nil {
					t.Fatalf("serve after a drain: %v, want nil", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not return within 30s of its context ending")
			}
			if got := log.all(); !slices.Equal(got, tc.want) {
				t.Errorf("drain: %q, want %q", got, tc.want)
			}
		})
	}
}

func waitFor(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// notYet fails if serve has returned: it may not while work is in flight.
// (It can only miss an early return, never fail a correct drain.)
func notYet(t *testing.T, served <-chan error, why string) {
	t.Helper()
	select {
	case err := <-served:
		t.Fatalf("serve returned (%v) while %s", err, why)
	case <-time.After(50 * time.Millisecond):
	}
}
