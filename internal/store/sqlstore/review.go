package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
	"switchboard/internal/store/sqlcodec"
)

// ---- review sources ----

const reviewSourceCols = `id, account_id, provider, name, integration_id, settings, credentials, subscriptions,
	hook_token, status, problem, last_sync_at, created_at, updated_at, version`

func scanReviewSource(s scanner) (core.ReviewSource, error) {
	var r core.ReviewSource
	err := s.Scan(&r.ID, &r.AccountID, &r.Provider, &r.Name, sqlcodec.Str(&r.IntegrationID), sqlcodec.JSON(&r.Settings),
		sqlcodec.BlobCol(&r.Credentials), sqlcodec.BlobCol(&r.Subscriptions), &r.HookToken, &r.Status, &r.Problem,
		timeCol{&r.LastSyncAt}, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt}, &r.Version)
	return r, err
}

func (q Queries) CreateReviewSource(ctx context.Context, r core.ReviewSource) error {
	settings, err := sqlcodec.JSONText(r.Settings)
	if err != nil {
		return q.fail(err, "create review source %s", r.ID)
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO review_sources (`+reviewSourceCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
		r.ID, r.AccountID, r.Provider, r.Name, sqlcodec.NullIfEmpty(r.IntegrationID), settings,
		sqlcodec.Blob(r.Credentials), sqlcodec.Blob(r.Subscriptions), r.HookToken, string(r.Status), r.Problem,
		q.tm(r.LastSyncAt), q.tm(r.CreatedAt), q.tm(r.UpdatedAt), r.Version)
	if err != nil {
		return q.fail(err, "create review source %s", r.ID)
	}
	return q.created(res, fmt.Sprintf("the account has a %s source", r.Provider), "create review source %s", r.ID)
}

func (q Queries) GetReviewSource(ctx context.Context, id string) (core.ReviewSource, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+reviewSourceCols+` FROM review_sources WHERE id = $1`, id),
		scanReviewSource, "get review source %s", id)
}

func (q Queries) GetReviewSourceByHookToken(ctx context.Context, token string) (core.ReviewSource, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+reviewSourceCols+` FROM review_sources WHERE hook_token = $1`, token),
		scanReviewSource, "get review source by hook token")
}

func (q Queries) ListReviewSources(ctx context.Context, accountID string) ([]core.ReviewSource, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+reviewSourceCols+` FROM review_sources WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	return list(q, rows, err, scanReviewSource, "list review sources of account %s", accountID)
}

// UpdateReviewSource writes the mutable fields; ID, AccountID, Provider,
// IntegrationID, HookToken and CreatedAt are never changed.
func (q Queries) UpdateReviewSource(ctx context.Context, r core.ReviewSource) error {
	settings, err := sqlcodec.JSONText(r.Settings)
	if err != nil {
		return q.fail(err, "update review source %s", r.ID)
	}
	res, err := q.w.ExecContext(ctx, `UPDATE review_sources
		SET name = $1, settings = $2, credentials = $3, subscriptions = $4, status = $5, problem = $6,
		    last_sync_at = $7, updated_at = $8, version = version + 1
		WHERE id = $9 AND version = $10`,
		r.Name, settings, sqlcodec.Blob(r.Credentials), sqlcodec.Blob(r.Subscriptions), string(r.Status), r.Problem,
		q.tm(r.LastSyncAt), q.tm(r.UpdatedAt), r.ID, r.Version)
	if err != nil {
		return q.fail(err, "update review source %s", r.ID)
	}
	return q.checkVersioned(ctx, res, "review_sources", r.ID, r.Version, "update review source %s", r.ID)
}

func (q Queries) DeleteReviewSource(ctx context.Context, id string) error {
	res, err := q.w.ExecContext(ctx, `DELETE FROM review_sources WHERE id = $1`, id)
	return q.matched(res, err, "delete review source %s", id)
}

// ---- review jobs ----

const reviewJobCols = `j.source_id, j.external_id, j.title, j.ref_number, j.status, j.open, j.location, j.department,
	j.recruiter_id, j.recruiter_name, j.url, j.ats_updated_at, j.synced_at, j.criteria, j.criteria_updated_at`

func scanReviewJob(s scanner) (core.ReviewJob, error) {
	var j core.ReviewJob
	err := s.Scan(&j.SourceID, &j.ExternalID, &j.Title, &j.RefNumber, &j.Status, &j.Open, &j.Location, &j.Department,
		&j.RecruiterID, &j.RecruiterName, &j.URL, timeCol{&j.ATSUpdatedAt}, timeCol{&j.SyncedAt},
		sqlcodec.BlobCol(&j.Criteria), timeCol{&j.CriteriaUpdatedAt}, &j.Applicants)
	return j, err
}

// reviewJobSelect reads jobs with their applicant counts.
const reviewJobSelect = `SELECT ` + reviewJobCols + `,
	(SELECT COUNT(*) FROM review_applicants a WHERE a.source_id = j.source_id AND a.job_id = j.external_id)
	FROM review_jobs j`

func (q Queries) UpsertReviewJobs(ctx context.Context, jobs []core.ReviewJob) error {
	for _, j := range jobs {
		_, err := q.w.ExecContext(ctx, `INSERT INTO review_jobs (source_id, external_id, title, ref_number, status, open,
			    location, department, recruiter_id, recruiter_name, url, ats_updated_at, synced_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (source_id, external_id) DO UPDATE SET title = excluded.title, ref_number = excluded.ref_number,
			    status = excluded.status, open = excluded.open, location = excluded.location,
			    department = excluded.department, recruiter_id = excluded.recruiter_id,
			    recruiter_name = excluded.recruiter_name, url = excluded.url,
			    ats_updated_at = excluded.ats_updated_at, synced_at = excluded.synced_at`,
			j.SourceID, j.ExternalID, j.Title, j.RefNumber, j.Status, j.Open, j.Location, j.Department,
			j.RecruiterID, j.RecruiterName, j.URL, q.tm(j.ATSUpdatedAt), q.tm(j.SyncedAt))
		if err != nil {
			return q.fail(err, "upsert review job %s of source %s", j.ExternalID, j.SourceID)
		}
	}
	return nil
}

func (q Queries) GetReviewJob(ctx context.Context, sourceID, jobID string) (core.ReviewJob, error) {
	return one(q, q.r.QueryRowContext(ctx, reviewJobSelect+` WHERE j.source_id = $1 AND j.external_id = $2`, sourceID, jobID),
		scanReviewJob, "get review job %s of source %s", jobID, sourceID)
}

func (q Queries) ListReviewJobs(ctx context.Context, sourceID string, f store.ReviewJobFilter) ([]core.ReviewJob, error) {
	var p params
	where := []string{"j.source_id = " + p.add(sourceID)}
	if !f.Closed {
		where = append(where, "j.open = "+p.add(true))
	}
	if f.RecruiterID != "" {
		where = append(where, "j.recruiter_id = "+p.add(f.RecruiterID))
	}
	switch {
	case strings.ContainsRune(f.Query, 0):
		where = append(where, "1 = 0") // as ListOrders: no title holds a NUL
	case strings.TrimSpace(f.Query) != "":
		s := strings.TrimSpace(f.Query)
		like := p.add(sqlcodec.LikeContains(s))
		exact := p.add(s)
		fold := func(x string) string { return q.d.Fold + "(" + x + ")" }
		where = append(where, `(`+fold("j.title")+` LIKE `+fold(like)+` ESCAPE '\' OR j.external_id = `+exact+
			` OR `+fold("j.ref_number")+` = `+fold(exact)+`)`)
	}
	rows, err := q.r.QueryContext(ctx, reviewJobSelect+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+q.d.Fold+`(j.title), j.external_id`, p.args...)
	return list(q, rows, err, scanReviewJob, "list review jobs of source %s", sourceID)
}

func (q Queries) SetReviewJobCriteria(ctx context.Context, sourceID, jobID string, criteria []byte, at time.Time) error {
	res, err := q.w.ExecContext(ctx, `UPDATE review_jobs SET criteria = $1, criteria_updated_at = $2
		WHERE source_id = $3 AND external_id = $4`, string(criteria), q.tm(at), sourceID, jobID)
	return q.matched(res, err, "set criteria of review job %s of source %s", jobID, sourceID)
}

func (q Queries) CloseReviewJobsSyncedBefore(ctx context.Context, sourceID string, before time.Time) (int, error) {
	res, err := q.w.ExecContext(ctx, `UPDATE review_jobs SET open = $1 WHERE source_id = $2 AND open = $3 AND synced_at < $4`,
		false, sourceID, true, q.tm(before))
	n, err := q.affected(res, err, "close review jobs of source %s", sourceID)
	return int(n), err
}

// ---- review applicants ----

const reviewApplicantCols = `source_id, job_id, external_id, application_id, name, email, status, applied_at,
	ats_updated_at, synced_at, profile, move_target, move_error, moved_at`

func scanReviewApplicant(s scanner) (core.ReviewApplicant, error) {
	var a core.ReviewApplicant
	err := s.Scan(&a.SourceID, &a.JobID, &a.ExternalID, &a.ApplicationID, &a.Name, &a.Email, &a.Status,
		timeCol{&a.AppliedAt}, timeCol{&a.ATSUpdatedAt}, timeCol{&a.SyncedAt}, sqlcodec.BlobCol(&a.Profile),
		&a.MoveTarget, &a.MoveError, timeCol{&a.MovedAt})
	return a, err
}

func (q Queries) UpsertReviewApplicants(ctx context.Context, apps []core.ReviewApplicant) error {
	for _, a := range apps {
		_, err := q.w.ExecContext(ctx, `INSERT INTO review_applicants (source_id, job_id, external_id, application_id,
			    name, email, status, applied_at, ats_updated_at, synced_at, profile)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (source_id, job_id, external_id) DO UPDATE SET application_id = excluded.application_id,
			    name = excluded.name, email = excluded.email, status = excluded.status,
			    applied_at = excluded.applied_at, ats_updated_at = excluded.ats_updated_at,
			    synced_at = excluded.synced_at, profile = excluded.profile`,
			a.SourceID, a.JobID, a.ExternalID, a.ApplicationID, a.Name, a.Email, a.Status,
			q.tm(a.AppliedAt), q.tm(a.ATSUpdatedAt), q.tm(a.SyncedAt), string(a.Profile))
		if err != nil {
			return q.fail(err, "upsert review applicant %s of job %s", a.ExternalID, a.JobID)
		}
	}
	return nil
}

func (q Queries) GetReviewApplicant(ctx context.Context, sourceID, jobID, applicantID string) (core.ReviewApplicant, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+reviewApplicantCols+` FROM review_applicants
		WHERE source_id = $1 AND job_id = $2 AND external_id = $3`, sourceID, jobID, applicantID),
		scanReviewApplicant, "get review applicant %s of job %s", applicantID, jobID)
}

func (q Queries) ListReviewApplicants(ctx context.Context, sourceID, jobID string) ([]core.ReviewApplicant, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+reviewApplicantCols+` FROM review_applicants
		WHERE source_id = $1 AND job_id = $2 ORDER BY external_id`, sourceID, jobID)
	return list(q, rows, err, scanReviewApplicant, "list review applicants of job %s", jobID)
}

func (q Queries) DeleteReviewCandidate(ctx context.Context, sourceID, applicantID string) (int, error) {
	res, err := q.w.ExecContext(ctx, `DELETE FROM review_applicants WHERE source_id = $1 AND external_id = $2`, sourceID, applicantID)
	n, err := q.affected(res, err, "delete review candidate %s of source %s", applicantID, sourceID)
	return int(n), err
}

func (q Queries) DeleteReviewApplicantsSyncedBefore(ctx context.Context, sourceID, jobID string, before time.Time) (int, error) {
	res, err := q.w.ExecContext(ctx, `DELETE FROM review_applicants WHERE source_id = $1 AND job_id = $2 AND synced_at < $3`,
		sourceID, jobID, q.tm(before))
	n, err := q.affected(res, err, "delete stale review applicants of job %s", jobID)
	return int(n), err
}

func (q Queries) SetReviewApplicantMove(ctx context.Context, sourceID, jobID, applicantID, target, moveError string, at time.Time) error {
	res, err := q.w.ExecContext(ctx, `UPDATE review_applicants SET move_target = $1, move_error = $2, moved_at = $3
		WHERE source_id = $4 AND job_id = $5 AND external_id = $6`, target, moveError, q.tm(at), sourceID, jobID, applicantID)
	return q.matched(res, err, "record the move of review applicant %s of job %s", applicantID, jobID)
}

// ---- review syncs ----

const reviewSyncCols = `id, source_id, full_sync, since, state, step, cursor, jobs_total, jobs_done, applicants, calls,
	error, started_at, updated_at, finished_at`

func scanReviewSync(s scanner) (core.ReviewSync, error) {
	var r core.ReviewSync
	var cursor string
	err := s.Scan(&r.ID, &r.SourceID, &r.Full, timeCol{&r.Since}, &r.State, &r.Step, &cursor, &r.JobsTotal, &r.JobsDone,
		&r.Applicants, &r.Calls, &r.Error, timeCol{&r.StartedAt}, timeCol{&r.UpdatedAt}, timeCol{&r.FinishedAt})
	if cursor != "" {
		r.Cursor = []byte(cursor)
	}
	return r, err
}

func (q Queries) CreateReviewSync(ctx context.Context, r core.ReviewSync) error {
	_, err := q.w.ExecContext(ctx, `INSERT INTO review_syncs (`+reviewSyncCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.ID, r.SourceID, r.Full, q.tm(r.Since), string(r.State), r.Step, string(r.Cursor), r.JobsTotal, r.JobsDone,
		r.Applicants, r.Calls, r.Error, q.tm(r.StartedAt), q.tm(r.UpdatedAt), q.tm(r.FinishedAt))
	if err != nil {
		return q.fail(err, "create review sync %s", r.ID)
	}
	return nil
}

func (q Queries) GetReviewSync(ctx context.Context, id string) (core.ReviewSync, error) {
	return one(q, q.w.QueryRowContext(ctx, `SELECT `+reviewSyncCols+` FROM review_syncs WHERE id = $1`, id),
		scanReviewSync, "get review sync %s", id)
}

func (q Queries) LatestReviewSync(ctx context.Context, sourceID string) (core.ReviewSync, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+reviewSyncCols+` FROM review_syncs WHERE source_id = $1
		ORDER BY started_at DESC, id DESC LIMIT 1`, sourceID), scanReviewSync, "latest review sync of source %s", sourceID)
}

func (q Queries) AdvanceReviewSync(ctx context.Context, r core.ReviewSync) error {
	res, err := q.w.ExecContext(ctx, `UPDATE review_syncs SET state = $1, step = $2, cursor = $3, jobs_total = $4,
		    jobs_done = $5, applicants = $6, calls = $7, error = $8, updated_at = $9, finished_at = $10
		WHERE id = $11 AND step = $12`,
		string(r.State), r.Step, string(r.Cursor), r.JobsTotal, r.JobsDone, r.Applicants, r.Calls, r.Error,
		q.tm(r.UpdatedAt), q.tm(r.FinishedAt), r.ID, r.Step-1)
	n, err := q.affected(res, err, "advance review sync %s", r.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("store: advance review sync %s to step %d: %w", r.ID, r.Step, core.ErrConflict)
	}
	return nil
}

// ---- review changes ----

func (q Queries) RecordReviewChange(ctx context.Context, c core.ReviewChange) (bool, error) {
	res, err := q.w.ExecContext(ctx, `INSERT INTO review_changes (source_id, dedupe_key, kind, job_id, applicant_id, received_at, processed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		c.SourceID, c.DedupeKey, c.Kind, c.JobID, c.ApplicantID, q.tm(c.ReceivedAt), q.tm(c.ProcessedAt))
	n, err := q.affected(res, err, "record review change %s of source %s", c.DedupeKey, c.SourceID)
	return n > 0, err
}

func (q Queries) MarkReviewChangeProcessed(ctx context.Context, sourceID, dedupeKey string, at time.Time) error {
	res, err := q.w.ExecContext(ctx, `UPDATE review_changes SET processed_at = $1 WHERE source_id = $2 AND dedupe_key = $3`,
		q.tm(at), sourceID, dedupeKey)
	return q.matched(res, err, "mark review change %s of source %s processed", dedupeKey, sourceID)
}

// ---- assessment results for ranking ----

func scanCandidateResult(s scanner) (store.CandidateResult, error) {
	var r store.CandidateResult
	err := s.Scan(&r.ExternalID, &r.OrderID, sqlcodec.JSON(&r.Result), timeCol{&r.CompletedAt})
	r.Result.OrderID = r.OrderID
	return r, err
}

func (q Queries) ListCandidateResults(ctx context.Context, accountID, provider string, externalIDs []string) ([]store.CandidateResult, error) {
	if len(externalIDs) == 0 {
		return nil, nil
	}
	var out []store.CandidateResult
	// In chunks, so a job of 10k applicants stays under both dialects'
	// limits on bound parameters.
	const chunk = 500
	for start := 0; start < len(externalIDs); start += chunk {
		ids := externalIDs[start:min(start+chunk, len(externalIDs))]
		var p params
		where := `i.account_id = ` + p.add(accountID) + ` AND i.provider = ` + p.add(provider) +
			` AND o.state = ` + p.add(string(core.StateCompleted)) + ` AND c.external_id IN (` + p.in(ids) + `)`
		rows, err := q.r.QueryContext(ctx, `SELECT c.external_id, o.id, r.result, o.updated_at
			FROM orders o
			JOIN integrations i ON i.id = o.integration_id
			JOIN candidates c ON c.id = o.candidate_id
			JOIN results r ON r.order_id = o.id
			WHERE `+where+` ORDER BY o.updated_at DESC, o.id`, p.args...)
		part, err := list(q, rows, err, scanCandidateResult, "list candidate results of account %s", accountID)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func (q Queries) ReviewRankStamp(ctx context.Context, sourceID, jobID, accountID, provider string) (store.ReviewStamp, error) {
	var st store.ReviewStamp
	err := q.r.QueryRowContext(ctx, `SELECT COUNT(*), MAX(synced_at), MAX(moved_at) FROM review_applicants
		WHERE source_id = $1 AND job_id = $2`, sourceID, jobID).Scan(&st.Applicants, timeCol{&st.SyncedAt}, timeCol{&st.MovedAt})
	if err != nil {
		return st, q.fail(err, "review rank stamp of job %s", jobID)
	}
	err = q.r.QueryRowContext(ctx, `SELECT MAX(o.updated_at) FROM orders o JOIN integrations i ON i.id = o.integration_id
		WHERE i.account_id = $1 AND i.provider = $2`, accountID, provider).Scan(timeCol{&st.ResultsAt})
	if err != nil {
		return st, q.fail(err, "review rank stamp of job %s: results", jobID)
	}
	return st, nil
}
