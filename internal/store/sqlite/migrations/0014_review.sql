-- Applicant review (issue 10): the sources an account connected, the open
-- jobs and their applicants synced from each, the syncs with the cursor they
-- resume from, and the change notifications the ATS pushed. Everything
-- synced goes with its source.

CREATE TABLE review_sources (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    provider       TEXT NOT NULL,
    name           TEXT NOT NULL,
    integration_id TEXT REFERENCES integrations (id) ON DELETE CASCADE,
    settings       TEXT NOT NULL,
    credentials    BLOB,
    subscriptions  BLOB,
    hook_token     TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL,
    problem        TEXT NOT NULL,
    last_sync_at   INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER,
    version        INTEGER NOT NULL,
    UNIQUE (account_id, provider)
) STRICT;

CREATE TABLE review_jobs (
    source_id           TEXT NOT NULL REFERENCES review_sources (id) ON DELETE CASCADE,
    external_id         TEXT NOT NULL,
    title               TEXT NOT NULL,
    ref_number          TEXT NOT NULL,
    status              TEXT NOT NULL,
    open                INTEGER NOT NULL,
    location            TEXT NOT NULL,
    department          TEXT NOT NULL,
    recruiter_id        TEXT NOT NULL,
    recruiter_name      TEXT NOT NULL,
    url                 TEXT NOT NULL,
    ats_updated_at      INTEGER,
    synced_at           INTEGER NOT NULL,
    criteria            TEXT,
    criteria_updated_at INTEGER,
    PRIMARY KEY (source_id, external_id)
) STRICT;

CREATE TABLE review_applicants (
    source_id      TEXT NOT NULL,
    job_id         TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    application_id TEXT NOT NULL,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    status         TEXT NOT NULL,
    applied_at     INTEGER,
    ats_updated_at INTEGER,
    synced_at      INTEGER NOT NULL,
    profile        TEXT NOT NULL,
    move_target    TEXT NOT NULL DEFAULT '',
    move_error     TEXT NOT NULL DEFAULT '',
    moved_at       INTEGER,
    PRIMARY KEY (source_id, job_id, external_id),
    FOREIGN KEY (source_id, job_id) REFERENCES review_jobs (source_id, external_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX review_applicants_candidate_idx ON review_applicants (source_id, external_id);

CREATE TABLE review_syncs (
    id          TEXT PRIMARY KEY,
    source_id   TEXT NOT NULL REFERENCES review_sources (id) ON DELETE CASCADE,
    full_sync   INTEGER NOT NULL,
    since       INTEGER,
    state       TEXT NOT NULL,
    step        INTEGER NOT NULL,
    cursor      TEXT NOT NULL,
    jobs_total  INTEGER NOT NULL,
    jobs_done   INTEGER NOT NULL,
    applicants  INTEGER NOT NULL,
    calls       INTEGER NOT NULL,
    error       TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
) STRICT;
CREATE INDEX review_syncs_source_idx ON review_syncs (source_id, started_at);

CREATE TABLE review_changes (
    source_id    TEXT NOT NULL REFERENCES review_sources (id) ON DELETE CASCADE,
    dedupe_key   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    job_id       TEXT NOT NULL,
    applicant_id TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER,
    PRIMARY KEY (source_id, dedupe_key)
) STRICT;
