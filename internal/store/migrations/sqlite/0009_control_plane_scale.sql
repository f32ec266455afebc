-- zones.record_count is how many records the zone holds, kept by every
-- write in its transaction (the same update that bumps the serial), so that
-- a write checks the record limit without counting a zone of 100,000
-- records each time.
ALTER TABLE zones ADD COLUMN record_count INTEGER NOT NULL DEFAULT 0;
UPDATE zones SET record_count = (SELECT COUNT(*) FROM records WHERE records.zone_id = zones.id);

-- Webhook history is pruned by age (Store.PruneWebhookHistory): the rows
-- old enough to go are found by these.
CREATE INDEX webhook_deliveries_ended ON webhook_deliveries (updated_at) WHERE state <> 'pending';
CREATE INDEX events_created ON events (created_at);
CREATE INDEX jobs_discarded ON jobs (updated_at) WHERE state = 'discarded';
