-- Per-order callbacks (the ATS's URL and token for one order's results) are
-- stored sealed; callback_url stays for rows written before.
ALTER TABLE orders ADD COLUMN callback_sealed BYTEA;

-- More than one integration of one ATS per account (two Workable
-- subdomains), each with its own name.
ALTER TABLE integrations DROP CONSTRAINT integrations_account_id_provider_key;
CREATE UNIQUE INDEX integrations_name_key ON integrations (account_id, provider, name);
