-- Shared ATS budgets (internal/budget.Postgres): every replica spends one
-- credential's limits from these rows, so N replicas do not send N times
-- an ATS's rate.
--
-- budget_rates holds per key (a credential's hash) the sliding log of its
-- latest starts, as Unix nanoseconds, ascending, at most the limit's N of
-- them, and the latest start (for the gap). A take locks its row.
CREATE TABLE budget_rates (
    key       TEXT PRIMARY KEY,
    starts    BIGINT[] NOT NULL DEFAULT '{}',
    last_ns   BIGINT NOT NULL DEFAULT 0
);

-- budget_slots holds the in-flight slots taken: a row per request in
-- flight, deleted at its release or, once expires_at has passed (its
-- replica died), by the next take of its key.
CREATE TABLE budget_slots (
    key        TEXT NOT NULL,
    token      TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (key, token)
);
