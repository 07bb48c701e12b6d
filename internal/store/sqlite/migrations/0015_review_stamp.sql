-- A job's ranking stamp (ReviewRankStamp: how many applicants, their latest
-- sync and move) is read from this index alone, without the rows' profiles.
CREATE INDEX review_applicants_stamp_idx ON review_applicants (source_id, job_id, synced_at, moved_at);
