package core_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/internal/core"
)

// documented is the order life as drawn in order.go (and DESIGN.md):
//
//	received ──> invited ──> in_progress ──> completed
//	   │            │             │
//	   │            └──> expired <┘
//	   ├──> rejected
//	   └──> cancelled (also from invited and in_progress)
//
// It is written out independently of the code's table so that a change to
// either shows up here.
var documented = map[core.State][]core.State{
	core.StateReceived:   {core.StateInvited, core.StateRejected, core.StateCancelled},
	core.StateInvited:    {core.StateInProgress, core.StateExpired, core.StateCancelled},
	core.StateInProgress: {core.StateCompleted, core.StateExpired, core.StateCancelled},
}

func legal(from, to core.State) bool {
	for _, s := range documented[from] {
		if s == to {
			return true
		}
	}
	return false
}

func TestStatesListsEveryStateOnceInLifeOrder(t *testing.T) {
	t.Parallel()
	want := []core.State{"received", "invited", "in_progress", "completed", "expired", "rejected", "cancelled"}
	if fmt.Sprint(core.States) != fmt.Sprint(want) {
		t.Fatalf("core.States = %v, want %v", core.States, want)
	}
}

func TestTransitionEveryPair(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	started := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	now := time.Date(2025, 3, 4, 12, 30, 0, 0, time.UTC)

	for _, from := range core.States {
		for _, to := range core.States {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				t.Parallel()
				want := legal(from, to)
				if got := from.CanTransition(to); got != want {
					t.Fatalf("%s.CanTransition(%s) = %v, want %v (per the documented diagram)", from, to, got, want)
				}

				o := core.Order{ID: "ord_x", State: from, CreatedAt: created, UpdatedAt: created}
				if from == core.StateInProgress {
					o.StartedAt = started
				}
				before := o
				err := o.Transition(to, now)

				if !want {
					if err == nil {
						t.Fatalf("Transition(%s → %s) = nil, want an error", from, to)
					}
					var te *core.TransitionError
					if !errors.As(err, &te) {
						t.Fatalf("error %T %v is not a *core.TransitionError", err, err)
					}
					if te.From != from || te.To != to {
						t.Errorf("TransitionError{From: %s, To: %s}, want {%s, %s}", te.From, te.To, from, to)
					}
					if !errors.Is(err, core.ErrConflict) {
						t.Errorf("errors.Is(%v, ErrConflict) = false", err)
					}
					if errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrForbidden) {
						t.Errorf("a transition error must only be a conflict, got %v", err)
					}
					wantMsg := fmt.Sprintf("order cannot go from %s to %s", from, to)
					if err.Error() != wantMsg {
						t.Errorf("message %q, want %q", err.Error(), wantMsg)
					}
					if !reflect.DeepEqual(o, before) {
						t.Errorf("a refused transition changed the order:\n got  %+v\n want %+v", o, before)
					}
					return
				}

				if err != nil {
					t.Fatalf("Transition(%s → %s): %v", from, to, err)
				}
				if o.State != to {
					t.Errorf("State = %s, want %s", o.State, to)
				}
				if !o.UpdatedAt.Equal(now) {
					t.Errorf("UpdatedAt = %v, want %v", o.UpdatedAt, now)
				}
				if !o.CreatedAt.Equal(created) {
					t.Errorf("CreatedAt changed to %v", o.CreatedAt)
				}
				wantStarted := before.StartedAt
				if to == core.StateInProgress {
					wantStarted = now
				}
				if !o.StartedAt.Equal(wantStarted) {
					t.Errorf("StartedAt = %v, want %v", o.StartedAt, wantStarted)
				}
				wantCompleted := time.Time{}
				if to == core.StateCompleted {
					wantCompleted = now
				}
				if !o.CompletedAt.Equal(wantCompleted) {
					t.Errorf("CompletedAt = %v, want %v", o.CompletedAt, wantCompleted)
				}
			})
		}
	}
}

func TestTransitionToUnknownStateIsRefused(t *testing.T) {
	t.Parallel()
	for _, to := range []core.State{"", "done", "Completed", "IN_PROGRESS"} {
		o := core.Order{State: core.StateInvited}
		err := o.Transition(to, time.Now())
		if !errors.Is(err, core.ErrConflict) || o.State != core.StateInvited {
			t.Errorf("Transition(%q) = %v, state %s; want a conflict and no change", to, err, o.State)
		}
	}
}

func TestHappyPathTimestamps(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	o := core.Order{State: core.StateReceived, CreatedAt: t0, UpdatedAt: t0}
	steps := []core.State{core.StateInvited, core.StateInProgress, core.StateCompleted}
	for i, s := range steps {
		if err := o.Transition(s, t0.Add(time.Duration(i+1)*time.Hour)); err != nil {
			t.Fatalf("step %d to %s: %v", i, s, err)
		}
	}
	if !o.StartedAt.Equal(t0.Add(2*time.Hour)) || !o.CompletedAt.Equal(t0.Add(3*time.Hour)) || !o.UpdatedAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("started %v completed %v updated %v", o.StartedAt, o.CompletedAt, o.UpdatedAt)
	}
	// Nothing leaves completed: no restart can reset StartedAt.
	if err := o.Transition(core.StateInProgress, t0.Add(5*time.Hour)); err == nil {
		t.Fatal("completed → in_progress allowed")
	}
	if !o.StartedAt.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("StartedAt moved to %v", o.StartedAt)
	}
}

func TestTerminalStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state    core.State
		terminal bool
	}{
		{core.StateReceived, false},
		{core.StateInvited, false},
		{core.StateInProgress, false},
		{core.StateCompleted, true},
		{core.StateExpired, true},
		{core.StateRejected, true},
		{core.StateCancelled, true},
	}
	if len(tests) != len(core.States) {
		t.Fatalf("table covers %d states, core.States has %d", len(tests), len(core.States))
	}
	for _, tt := range tests {
		if got := tt.state.Terminal(); got != tt.terminal {
			t.Errorf("%s.Terminal() = %v, want %v", tt.state, got, tt.terminal)
		}
		// Terminal means exactly: no transition leaves it.
		leaves := false
		for _, to := range core.States {
			leaves = leaves || tt.state.CanTransition(to)
		}
		if leaves == tt.terminal {
			t.Errorf("%s: Terminal() = %v but some transition leaves it = %v", tt.state, tt.terminal, leaves)
		}
	}
}

func TestParseState(t *testing.T) {
	t.Parallel()
	for _, s := range core.States {
		got, err := core.ParseState(string(s))
		if err != nil || got != s {
			t.Errorf("ParseState(%q) = %q, %v", s, got, err)
		}
	}
	for _, in := range []string{"", "Received", "RECEIVED", " invited", "in-progress", "inprogress", "done", "canceled"} {
		got, err := core.ParseState(in)
		if err == nil {
			t.Errorf("ParseState(%q) = %q, want an error", in, got)
			continue
		}
		if got != "" {
			t.Errorf("ParseState(%q) returned %q with its error", in, got)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("ParseState(%q) error %q does not quote the input", in, err)
		}
	}
}
