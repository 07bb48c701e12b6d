-- Test orders (a validation run's) are flagged, so lists can badge and filter them.
ALTER TABLE orders ADD COLUMN test BOOLEAN NOT NULL DEFAULT FALSE;
