-- One write-back job at a time per order: the job holding an order's claim
-- until expires_at (a lease, so that a crashed worker's claim runs out) is
-- the only one calling the ATS about that order.
CREATE TABLE writeback_claims (
    order_id   TEXT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
