-- Where an outside vendor takes the candidate (its test_url), so an inline
-- order asked for again gets the same link.
ALTER TABLE orders ADD COLUMN candidate_url TEXT NOT NULL DEFAULT '';
