-- Switchboard's schema for SQLite.
--
-- Conventions:
--   * Times are INTEGER unix microseconds in UTC: they sort correctly, compare
--     cheaply and round-trip at the precision Postgres keeps. NULL is the zero
--     time.Time; creation instants are NOT NULL because lists sort on them.
--   * JSON documents (patterns, settings, packages, outcomes…) are TEXT: SQL
--     never looks inside them.
--   * Optional references (an order's vacancy before it is resolved) are NULL,
--     never '', so that foreign keys hold.
--   * Tables are STRICT so a wrongly typed value fails loudly.

CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;
-- SQLite's lower() folds ASCII only; e-mail addresses are ASCII in practice.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_account_idx ON users (account_id, created_at);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT;
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

CREATE TABLE integrations (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    provider   TEXT NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    patterns   TEXT NOT NULL,
    settings   TEXT NOT NULL,
    write_back TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER,
    version    INTEGER NOT NULL,
    UNIQUE (account_id, provider)
) STRICT;

CREATE TABLE credentials (
    integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    ciphertext     BLOB,
    set_at         INTEGER NOT NULL,
    PRIMARY KEY (integration_id, name)
) STRICT;

CREATE TABLE vacancies (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    package     TEXT NOT NULL,
    thresholds  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    inline      INTEGER NOT NULL,
    expiry_days INTEGER NOT NULL,
    return_url  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER,
    version     INTEGER NOT NULL
) STRICT;
-- An empty tag means "not routed by tag"; any number of vacancies may have it.
CREATE UNIQUE INDEX vacancies_tag_key ON vacancies (account_id, tag) WHERE tag <> '';
CREATE INDEX vacancies_account_idx ON vacancies (account_id, created_at);

CREATE TABLE candidates (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    external_id    TEXT NOT NULL,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    profile_url    TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER,
    UNIQUE (integration_id, external_id)
) STRICT;

CREATE TABLE orders (
    id                    TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    integration_id        TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    vacancy_id            TEXT REFERENCES vacancies (id),
    candidate_id          TEXT REFERENCES candidates (id),
    state                 TEXT NOT NULL,
    mode                  TEXT NOT NULL,
    external_id           TEXT NOT NULL,
    external_job_id       TEXT NOT NULL,
    idempotency_key       TEXT NOT NULL,
    invitation_hash       TEXT NOT NULL,
    invitation_sealed     BLOB,
    invitation_expires_at INTEGER,
    return_url            TEXT NOT NULL,
    callback_url          TEXT NOT NULL,
    reason                TEXT NOT NULL,
    started_at            INTEGER,
    completed_at          INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER,
    version               INTEGER NOT NULL
) STRICT;
-- Keys are optional; only non-empty ones must be unique.
CREATE UNIQUE INDEX orders_idempotency_key ON orders (integration_id, idempotency_key) WHERE idempotency_key <> '';
CREATE UNIQUE INDEX orders_invitation_hash_key ON orders (invitation_hash) WHERE invitation_hash <> '';
-- ListOrders: one account's orders, newest first.
CREATE INDEX orders_account_created_idx ON orders (account_id, created_at DESC, id DESC);
-- The expiry sweep: invitations that ran out.
CREATE INDEX orders_expiry_idx ON orders (invitation_expires_at) WHERE invitation_expires_at IS NOT NULL;
CREATE INDEX orders_vacancy_idx ON orders (vacancy_id);
CREATE INDEX orders_candidate_idx ON orders (candidate_id);

CREATE TABLE answers (
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    option_id   TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (order_id, question_id)
) STRICT;

CREATE TABLE results (
    order_id     TEXT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    outcome      TEXT NOT NULL,
    answers      TEXT NOT NULL,
    started_at   INTEGER,
    submitted_at INTEGER
) STRICT;

-- AUTOINCREMENT so that an id is never reused, even after deletes.
CREATE TABLE timeline (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   TEXT REFERENCES orders (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    detail     TEXT NOT NULL
) STRICT;
CREATE INDEX timeline_order_idx ON timeline (order_id, at, id);

CREATE TABLE inbound_events (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    dedupe_key     TEXT NOT NULL,
    payload        BLOB,
    received_at    INTEGER NOT NULL
) STRICT;
-- An event without a dedupe key is never a redelivery of another.
CREATE UNIQUE INDEX inbound_events_dedupe_key ON inbound_events (integration_id, dedupe_key) WHERE dedupe_key <> '';

CREATE TABLE writeback_steps (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    step     TEXT NOT NULL,
    done_at  INTEGER NOT NULL,
    PRIMARY KEY (order_id, step)
) STRICT;

-- The dev outbox is a log of what would have been sent; it has no foreign
-- keys so that keeping a copy can never make sending fail.
CREATE TABLE outbox_mail (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_mail_created_idx ON outbox_mail (created_at DESC, id DESC);
