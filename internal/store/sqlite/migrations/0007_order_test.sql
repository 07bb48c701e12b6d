-- Test orders (a validation run's) are flagged, so lists can badge and filter them.
ALTER TABLE orders ADD COLUMN test INTEGER NOT NULL DEFAULT 0;
