-- What processing a stored inbound event did, so an admin can see why an
-- event made no order; and an index for the retention sweep.
ALTER TABLE inbound_events ADD COLUMN processed_at INTEGER;
ALTER TABLE inbound_events ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound_events ADD COLUMN failure TEXT NOT NULL DEFAULT '';
CREATE INDEX inbound_events_received_idx ON inbound_events (received_at);
CREATE INDEX inbound_events_failed_idx ON inbound_events (integration_id, processed_at) WHERE failure <> '';
