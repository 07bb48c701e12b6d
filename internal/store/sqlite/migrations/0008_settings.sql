-- Settings of this Switchboard as a whole, such as the base URL it last
-- served with (read by CLI commands that print links).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
