-- Migration 0009 as first written kept zones.record_count with a trigger,
-- which made large batches several times slower; writes keep the count now,
-- and that version lacked the webhook history's indexes. Where it ran, this
-- brings the schema to 0009 as it is; elsewhere every statement is a no-op.
DROP TRIGGER IF EXISTS records_count ON records;
DROP FUNCTION IF EXISTS records_count();
CREATE INDEX IF NOT EXISTS webhook_deliveries_ended ON webhook_deliveries (updated_at) WHERE state <> 'pending';
CREATE INDEX IF NOT EXISTS events_created ON events (created_at);
CREATE INDEX IF NOT EXISTS jobs_discarded ON jobs (updated_at) WHERE state = 'discarded';
