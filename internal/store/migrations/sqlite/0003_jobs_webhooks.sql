-- Durable jobs and webhook delivery.
--
-- jobs is the queue of background work, written in the transaction of the
-- write that causes it. A job is 'available' from run_at; a worker claims it
-- by making it 'running' with run_at moved to the end of its lease, so that
-- a job whose worker died is claimed again. Finished jobs are deleted; jobs
-- that ran out of attempts stay as 'discarded'.
--
-- events are what webhooks are told: the payload, rendered when the write
-- commits. webhook_deliveries is one event for one webhook, and what became
-- of it. A webhook's secret signs its deliveries; after failed_deliveries
-- consecutive failed deliveries reach the limit it is suppressed.

ALTER TABLE webhooks ADD COLUMN secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN suppressed_at TIMESTAMP;
ALTER TABLE webhooks ADD COLUMN failed_deliveries INTEGER NOT NULL DEFAULT 0;

CREATE TABLE jobs (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL,
	payload    TEXT NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('available', 'running', 'discarded')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	run_at     TIMESTAMP NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('available', 'running');

CREATE TABLE events (
	id         INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	payload    TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_account ON events (account_id);

CREATE TABLE webhook_deliveries (
	id          INTEGER PRIMARY KEY,
	webhook_id  INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	state       TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	status_code INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
