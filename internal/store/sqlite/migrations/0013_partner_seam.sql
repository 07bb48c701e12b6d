-- sqlmigrate: foreign-keys-off
-- Per-order callbacks (the ATS's URL and token for one order's results) are
-- stored sealed; callback_url stays for rows written before.
ALTER TABLE orders ADD COLUMN callback_sealed BLOB;

-- More than one integration of one ATS per account (two Workable
-- subdomains), each with its own name. SQLite cannot drop a constraint, so
-- the table is rebuilt (SQLite's 12-step procedure): with foreign keys on,
-- DROP TABLE would delete every credential, candidate and order of every
-- integration through ON DELETE CASCADE, so this file runs with them off
-- and is checked with PRAGMA foreign_key_check before it commits.
CREATE TABLE integrations_new (
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
    version    INTEGER NOT NULL
) STRICT;
INSERT INTO integrations_new (id, account_id, provider, name, status, patterns, settings, write_back, created_at, updated_at, version)
    SELECT id, account_id, provider, name, status, patterns, settings, write_back, created_at, updated_at, version FROM integrations;
DROP TABLE integrations;
ALTER TABLE integrations_new RENAME TO integrations;
CREATE UNIQUE INDEX integrations_name_key ON integrations (account_id, provider, name);
