-- zones.record_count is how many records the zone holds, kept by triggers
-- in the transaction of every insert and delete, so that a write checks the
-- record limit without counting a zone of 100,000 records each time.
ALTER TABLE zones ADD COLUMN record_count BIGINT NOT NULL DEFAULT 0;
UPDATE zones SET record_count = (SELECT COUNT(*) FROM records WHERE records.zone_id = zones.id);
CREATE FUNCTION records_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE zones SET record_count = record_count + 1 WHERE id = NEW.zone_id;
	ELSE
		UPDATE zones SET record_count = record_count - 1 WHERE id = OLD.zone_id;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER records_count AFTER INSERT OR DELETE ON records
	FOR EACH ROW EXECUTE FUNCTION records_count();

-- Webhook history is pruned by age (Store.PruneWebhookHistory): the rows
-- old enough to go are found by these.
CREATE INDEX webhook_deliveries_ended ON webhook_deliveries (updated_at) WHERE state <> 'pending';
CREATE INDEX events_created ON events (created_at);
CREATE INDEX jobs_discarded ON jobs (updated_at) WHERE state = 'discarded';
