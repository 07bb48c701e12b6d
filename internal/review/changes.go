package review

// Change notifications the ATS pushes to a source's callback: the
// activation handshake answered at once, a notification verified with the
// subscriptions' keys and stored before it is answered, and processed once
// by a job that re-reads what it names.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// maxChangeBody bounds a notification's body; SmartRecruiters' are a few
// hundred bytes.
const maxChangeBody = 64 << 10

// Hook serves HookPath + {token}: the change callbacks of every source.
func (s *Service) Hook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.PathValue("token")
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxChangeBody))
		if err != nil {
			http.Error(w, "the body is too large or was cut", http.StatusRequestEntityTooLarge)
			return
		}
		reply, status, err := s.HandleChange(r.Context(), token, r.Header, body)
		for k, vs := range reply {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if err != nil {
			var ie *ats.InboundError
			if errors.As(err, &ie) {
				http.Error(w, ie.Message, ie.Status)
				return
			}
			s.d.Logger.ErrorContext(r.Context(), "review change", "err", err)
			http.Error(w, "the notification could not be stored; send it again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(status)
	})
}

// HandleChange answers one request at a source's callback: an activation
// handshake with the header to answer 200 with, or a notification, stored
// (once per dedupe key) with its processing job before 202 is answered. Bad
// or stale input is an *ats.InboundError and stores nothing.
func (s *Service) HandleChange(ctx context.Context, token string, header http.Header, body []byte) (reply http.Header, status int, err error) {
	rs, err := s.d.Store.GetReviewSourceByHookToken(ctx, token)
	if errors.Is(err, core.ErrNotFound) {
		return nil, 0, ats.Refuse(http.StatusNotFound, "no review connection has this callback")
	}
	if err != nil {
		return nil, 0, err
	}
	conn, _, err := s.source(rs.Provider)
	if err != nil {
		return nil, 0, ats.Refuse(http.StatusNotFound, "no review connection has this callback")
	}
	sub, ok := conn.(ats.ChangeSubscriber)
	if !ok {
		return nil, 0, ats.Refuse(http.StatusNotFound, "%s pushes no changes", conn.Describe().Name)
	}
	if reply, ok := sub.Handshake(header); ok {
		return reply, http.StatusOK, nil
	}
	subs, err := s.subscriptions(rs)
	if err != nil {
		return nil, 0, err
	}
	ch, err := sub.VerifyChange(subs, header, body, s.d.Now())
	if err != nil {
		var ie *ats.InboundError
		if !errors.As(err, &ie) {
			err = ats.Refuse(http.StatusBadRequest, "%s", err.Error())
		}
		return nil, 0, err
	}
	if ch.Kind == ats.ChangeIgnored {
		return nil, http.StatusAccepted, nil
	}
	rc := core.ReviewChange{SourceID: rs.ID, DedupeKey: ch.DedupeKey, Kind: string(ch.Kind), JobID: ch.JobID, ApplicantID: ch.ApplicantID, ReceivedAt: s.now()}
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		created, err := tx.RecordReviewChange(ctx, rc)
		if err != nil || !created {
			return err // a redelivery: answered as the first was
		}
		return s.queue.Enqueue(ctx, tx, ProcessChangeArgs{SourceID: rs.ID, DedupeKey: rc.DedupeKey, Change: rc.Kind, JobID: rc.JobID, ApplicantID: rc.ApplicantID}, nil)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("review change: store: %w", err)
	}
	return nil, http.StatusAccepted, nil
}

// ProcessChangeArgs applies one stored change notification.
type ProcessChangeArgs struct {
	SourceID    string `json:"source_id"`
	DedupeKey   string `json:"dedupe_key"`
	Change      string `json:"kind"`
	JobID       string `json:"job_id,omitempty"`
	ApplicantID string `json:"applicant_id,omitempty"`
}

// Kind implements river.JobArgs.
func (ProcessChangeArgs) Kind() string { return "review_change" }

// processChange applies a notification: a deleted candidate's applications
// go; a job whose status changed is read again (the notification only names
// it) and stored as the ATS has it now.
func (s *Service) processChange(ctx context.Context, a ProcessChangeArgs) error {
	rs, err := s.d.Store.GetReviewSource(ctx, a.SourceID)
	if errors.Is(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	switch ats.ChangeKind(a.Change) {
	case ats.ChangeApplicantDeleted:
		if _, err := s.d.Store.DeleteReviewCandidate(ctx, rs.ID, a.ApplicantID); err != nil {
			return err
		}
	case ats.ChangeJobStatus:
		_, src, err := s.source(rs.Provider)
		if err != nil {
			return err
		}
		cfg, err := s.config(ctx, rs)
		if err != nil {
			return err
		}
		j, err := src.GetJob(ctx, cfg, a.JobID)
		if errors.Is(err, ats.ErrNotFound) {
			old, gerr := s.d.Store.GetReviewJob(ctx, rs.ID, a.JobID)
			if gerr != nil {
				break // never synced: nothing to close
			}
			j = ats.Job{ExternalID: old.ExternalID, Title: old.Title, RefNumber: old.RefNumber, Status: "DELETED", Location: old.Location,
				Department: old.Department, RecruiterID: old.RecruiterID, RecruiterName: old.RecruiterName, URL: old.URL, UpdatedAt: now}
			err = nil
		}
		if err != nil {
			return err
		}
		if err := s.d.Store.UpsertReviewJobs(ctx, []core.ReviewJob{reviewJob(rs.ID, j, now)}); err != nil {
			return err
		}
	}
	s.ranks.drop(rs.ID, "")
	return s.d.Store.MarkReviewChangeProcessed(ctx, rs.ID, a.DedupeKey, now)
}
