-- An operator runs this Switchboard: besides their account role they manage
-- the vendors, which span accounts. Set only from the CLI.
ALTER TABLE users ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;
