package engine

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/queue"
)

// SendInvitationArgs emails an order's candidate their invitation.
type SendInvitationArgs struct {
	OrderID string `json:"order_id"`
	// Resend marks a recruiter's "resend invitation", which must send again
	// even though the first email went.
	Resend int `json:"resend,omitempty"`
}

func (SendInvitationArgs) Kind() string { return "send_invitation" }

// InsertOpts puts invitation emails on their own queue, so that no ATS, however
// slow, stands between a candidate and their email.
func (SendInvitationArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queue.Email} }

// ExpireOrderArgs expires an order whose invitation ran out; it is scheduled
// for the expiry time when the invitation is issued.
type ExpireOrderArgs struct {
	OrderID string `json:"order_id"`
}

func (ExpireOrderArgs) Kind() string { return "expire_order" }

// ExpireDueArgs is the periodic sweep that expires every overdue order, in
// case a scheduled expiry job was lost or the clock moved.
type ExpireDueArgs struct{}

func (ExpireDueArgs) Kind() string { return "expire_due" }

// Job timeouts: an email is one SMTP exchange; expiring is a transaction,
// whose write-back is a job of its own.
const (
	emailJobTimeout  = time.Minute
	expireJobTimeout = 3 * time.Minute
)

// RegisterWorkers adds the engine's job workers to w.
func RegisterWorkers(w *river.Workers, e *Engine) {
	queue.AddWorker(w, emailJobTimeout, func(ctx context.Context, j *river.Job[SendInvitationArgs]) error {
		return e.orders.JobOutcome(ctx, j.JobRow, j.Args.OrderID, e.sendInvitation(ctx, j.Args))
	})
	queue.AddWorker(w, expireJobTimeout, func(ctx context.Context, j *river.Job[ExpireOrderArgs]) error {
		return e.orders.JobOutcome(ctx, j.JobRow, j.Args.OrderID, e.expireOrder(ctx, j.Args.OrderID))
	})
	queue.AddWorker(w, expireJobTimeout, func(ctx context.Context, j *river.Job[ExpireDueArgs]) error {
		_, err := e.ExpireDue(ctx)
		return e.orders.JobOutcome(ctx, j.JobRow, "", err)
	})
}

// PeriodicJobs are the engine's scheduled sweeps.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(10*time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return ExpireDueArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
