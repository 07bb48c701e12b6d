-- Deactivated users keep their rows (orders and timelines name them) but
-- cannot sign in; one-time set-password links are kept only as hashes.
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ;

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
