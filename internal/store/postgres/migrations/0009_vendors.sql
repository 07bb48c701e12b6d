-- Outside vendors (issue 8): the vendors, their API keys, their links to
-- accounts, their stored packages, the deliveries of events to them with
-- every attempt, and files kept for orders. Vacancies gain their vendor and
-- kind; every existing vacancy is the built-in engine's assessment.

CREATE TABLE vendors (
    id                       TEXT PRIMARY KEY,
    name                     TEXT NOT NULL,
    kind                     TEXT NOT NULL,
    status                   TEXT NOT NULL,
    webhook_url              TEXT NOT NULL,
    webhook_secrets          BYTEA,
    endpoint_disabled_at     TIMESTAMPTZ,
    endpoint_disabled_reason TEXT NOT NULL,
    failing_since            TIMESTAMPTZ,
    packages_url             TEXT NOT NULL,
    packages_key             BYTEA,
    packages_error           TEXT NOT NULL,
    packages_error_at        TIMESTAMPTZ,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ,
    version                  BIGINT NOT NULL
);
CREATE UNIQUE INDEX vendors_name_key ON vendors (lower(name));

CREATE TABLE vendor_keys (
    id           TEXT PRIMARY KEY,
    vendor_id    TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX vendor_keys_vendor_idx ON vendor_keys (vendor_id, created_at);

CREATE TABLE vendor_links (
    vendor_id  TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (vendor_id, account_id)
);
CREATE INDEX vendor_links_account_idx ON vendor_links (account_id);

-- Each source (static, pushed) is its own replace-all set, so the same
-- package id may stand in both; replacing one never touches the other.
CREATE TABLE vendor_packages (
    vendor_id   TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    updated_at  TIMESTAMPTZ,
    PRIMARY KEY (vendor_id, source, id)
);

-- payload is the body exactly as signed, so BYTEA.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    order_id        TEXT REFERENCES orders (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         BYTEA,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    message         TEXT NOT NULL,
    last_attempt_at TIMESTAMPTZ,
    next_attempt_at TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ
);
-- ListDeliveries: a vendor's deliveries, newest first; ListOrderDeliveries.
CREATE INDEX deliveries_vendor_created_idx ON deliveries (vendor_id, created_at DESC, id DESC);
CREATE INDEX deliveries_order_idx ON deliveries (order_id, created_at, id);

-- response is the start of whatever the vendor answered, bytes as they
-- came (they need not be text); duration_ns is a time.Duration.
CREATE TABLE delivery_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    status      INTEGER NOT NULL,
    duration_ns BIGINT NOT NULL,
    response    BYTEA,
    error       TEXT NOT NULL,
    replay      BOOLEAN NOT NULL
);
CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (delivery_id, at, id);

CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    order_id     TEXT REFERENCES orders (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX files_order_idx ON files (order_id);

-- vendor_id has no foreign key: the built-in engine has no vendors row.
ALTER TABLE vacancies ADD COLUMN vendor_id TEXT NOT NULL DEFAULT 'builtin';
ALTER TABLE vacancies ADD COLUMN kind TEXT NOT NULL DEFAULT 'assessment';
ALTER TABLE vacancies ADD COLUMN vendor_package_id TEXT NOT NULL DEFAULT '';
ALTER TABLE vacancies ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE vacancies ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
-- One vacancy per vendor package in an account (UpsertVendorVacancy's
-- conflict target); built-in vacancies have no package id.
CREATE UNIQUE INDEX vacancies_vendor_package_key ON vacancies (account_id, vendor_id, vendor_package_id) WHERE vendor_package_id <> '';
