-- Ids are never reused. A table keyed by INTEGER PRIMARY KEY alone gives a
-- new row the largest id plus one, so deleting the newest domain, record or
-- token and creating another gave the new one the old id, which audit
-- entries, delivered webhook payloads and clients that key their state by
-- id (Terraform, ACME clients deleting their TXT record, DNS-as-code tools)
-- still name. AUTOINCREMENT never hands out an id used before; neither do
-- PostgreSQL's sequences, nor DNSimple.
--
-- Rebuilt, ids kept: every table whose ids leave the database — users,
-- accounts, tokens, domains, zones, records, templates, template_records,
-- contacts, webhooks, audit_log, sessions, invitations, primary_servers,
-- tsig_keys (in URLs, API bodies, the audit log, webhook payloads) — and
-- those whose ids are read as cursors or claims by other processes:
-- zone_changes (serve processes and IXFR follow the journal by id; nothing
-- deletes from it today, but a pruning that ever took the newest entry
-- would hand a followed id out again), events and webhook_deliveries
-- (pruned by age, so every row can go), jobs (finished jobs are deleted,
-- often all of them, and a worker whose lease ran out finishes its job by
-- id and attempt: a new job with the old id and attempt 1 would be taken
-- for it).
--
-- Left alone: recovery_codes and user_links, known by the hash of their
-- text, whose ids never leave a transaction; memberships,
-- secondary_zone_links and attempts, which have no id of their own.
--
-- SQLite cannot make a column AUTOINCREMENT in place: each table is copied
-- into a new one with the same columns, constraints and defaults (columns
-- that earlier migrations added in their place at the end), the old one
-- dropped, the new one renamed, and the old one's indexes created again as
-- the earlier migrations left them (its UNIQUE constraints bring their own).
-- The store runs SQLite migrations with foreign keys off and checks them
-- before committing, as https://www.sqlite.org/lang_altertable.html#otheralter
-- asks: with them on, dropping domains would delete every zone.
--
-- Its cost is a copy of the database. Measured on a 2-core machine that
-- other work kept busy (load 10-17), so on the slow side: 0.5-1.6 s for
-- 100,300 records in 100 zones written in batches of 1,000 (30 MB), 0.9 s
-- for 100,000 in one zone, 2.2-6.3 s for the same 100,300 records with an
-- audit entry and a journal entry each (68 MB). Processes starting
-- meanwhile wait for it within SQLite's busy timeout (10 s).

CREATE TABLE users_new (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	otp_secret    TEXT,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL,
	admin         BOOLEAN NOT NULL DEFAULT 0,
	otp_pending   TEXT,
	otp_last_step BIGINT,
	email_verified_at TIMESTAMP
);
INSERT INTO users_new (id, email, password_hash, otp_secret, created_at, updated_at, admin, otp_pending, otp_last_step, email_verified_at)
	SELECT id, email, password_hash, otp_secret, created_at, updated_at, admin, otp_pending, otp_last_step, email_verified_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE accounts_new (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	email           TEXT NOT NULL,
	name            TEXT NOT NULL DEFAULT '',
	plan_identifier TEXT NOT NULL,
	personal        BOOLEAN NOT NULL DEFAULT 0,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL,
	require_2fa     BOOLEAN NOT NULL DEFAULT 0
);
INSERT INTO accounts_new (id, email, name, plan_identifier, personal, created_at, updated_at, require_2fa)
	SELECT id, email, name, plan_identifier, personal, created_at, updated_at, require_2fa FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

CREATE TABLE tokens_new (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL UNIQUE,
	last_used_at TIMESTAMP,
	expires_at   TIMESTAMP,
	revoked_at   TIMESTAMP,
	created_at   TIMESTAMP NOT NULL
);
INSERT INTO tokens_new (id, account_id, user_id, name, hash, last_used_at, expires_at, revoked_at, created_at)
	SELECT id, account_id, user_id, name, hash, last_used_at, expires_at, revoked_at, created_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
CREATE INDEX tokens_account ON tokens (account_id);

CREATE TABLE domains_new (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name         TEXT NOT NULL UNIQUE,
	unicode_name TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'hosted',
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL
);
INSERT INTO domains_new (id, account_id, name, unicode_name, state, created_at, updated_at)
	SELECT id, account_id, name, unicode_name, state, created_at, updated_at FROM domains;
DROP TABLE domains;
ALTER TABLE domains_new RENAME TO domains;
CREATE INDEX domains_account ON domains (account_id, name);

CREATE TABLE zones_new (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	domain_id           INTEGER NOT NULL UNIQUE REFERENCES domains (id) ON DELETE CASCADE,
	account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name                TEXT NOT NULL UNIQUE,
	serial              INTEGER NOT NULL,
	reverse             BOOLEAN NOT NULL DEFAULT 0,
	secondary           BOOLEAN NOT NULL DEFAULT 0,
	active              BOOLEAN NOT NULL DEFAULT 1,
	last_transferred_at TIMESTAMP,
	created_at          TIMESTAMP NOT NULL,
	updated_at          TIMESTAMP NOT NULL,
	record_count        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO zones_new (id, domain_id, account_id, name, serial, reverse, secondary, active, last_transferred_at, created_at, updated_at, record_count)
	SELECT id, domain_id, account_id, name, serial, reverse, secondary, active, last_transferred_at, created_at, updated_at, record_count FROM zones;
DROP TABLE zones;
ALTER TABLE zones_new RENAME TO zones;
CREATE INDEX zones_account ON zones (account_id, name);

CREATE TABLE records_new (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	zone_id       INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
	name          TEXT NOT NULL,
	type          TEXT NOT NULL,
	content       TEXT NOT NULL,
	ttl           INTEGER NOT NULL,
	priority      INTEGER,
	system_record BOOLEAN NOT NULL DEFAULT 0,
	regions       TEXT NOT NULL DEFAULT 'global',
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL
);
INSERT INTO records_new (id, zone_id, name, type, content, ttl, priority, system_record, regions, created_at, updated_at)
	SELECT id, zone_id, name, type, content, ttl, priority, system_record, regions, created_at, updated_at FROM records;
DROP TABLE records;
ALTER TABLE records_new RENAME TO records;
CREATE INDEX records_zone_name ON records (zone_id, name, type);

CREATE TABLE zone_changes_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	zone_id     INTEGER NOT NULL,
	zone_name   TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete', 'activate', 'deactivate')),
	prev_serial INTEGER NOT NULL,
	serial      INTEGER NOT NULL,
	removed     TEXT NOT NULL DEFAULT '',
	added       TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL
);
INSERT INTO zone_changes_new (id, zone_id, zone_name, kind, prev_serial, serial, removed, added, created_at)
	SELECT id, zone_id, zone_name, kind, prev_serial, serial, removed, added, created_at FROM zone_changes;
DROP TABLE zone_changes;
ALTER TABLE zone_changes_new RENAME TO zone_changes;
CREATE INDEX zone_changes_zone ON zone_changes (zone_id, id);
CREATE INDEX zone_changes_name ON zone_changes (zone_name, id);

CREATE TABLE templates_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	sid         TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	UNIQUE (account_id, sid)
);
INSERT INTO templates_new (id, account_id, sid, name, description, created_at, updated_at)
	SELECT id, account_id, sid, name, description, created_at, updated_at FROM templates;
DROP TABLE templates;
ALTER TABLE templates_new RENAME TO templates;

CREATE TABLE template_records_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	type        TEXT NOT NULL,
	content     TEXT NOT NULL,
	ttl         INTEGER NOT NULL,
	priority    INTEGER,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
INSERT INTO template_records_new (id, template_id, name, type, content, ttl, priority, created_at, updated_at)
	SELECT id, template_id, name, type, content, ttl, priority, created_at, updated_at FROM template_records;
DROP TABLE template_records;
ALTER TABLE template_records_new RENAME TO template_records;
CREATE INDEX template_records_template ON template_records (template_id);

CREATE TABLE contacts_new (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	label             TEXT NOT NULL DEFAULT '',
	first_name        TEXT NOT NULL DEFAULT '',
	last_name         TEXT NOT NULL DEFAULT '',
	job_title         TEXT NOT NULL DEFAULT '',
	organization_name TEXT NOT NULL DEFAULT '',
	email             TEXT NOT NULL DEFAULT '',
	phone             TEXT NOT NULL DEFAULT '',
	fax               TEXT NOT NULL DEFAULT '',
	address1          TEXT NOT NULL DEFAULT '',
	address2          TEXT NOT NULL DEFAULT '',
	city              TEXT NOT NULL DEFAULT '',
	state_province    TEXT NOT NULL DEFAULT '',
	postal_code       TEXT NOT NULL DEFAULT '',
	country           TEXT NOT NULL DEFAULT '',
	created_at        TIMESTAMP NOT NULL,
	updated_at        TIMESTAMP NOT NULL
);
INSERT INTO contacts_new (id, account_id, label, first_name, last_name, job_title, organization_name, email, phone, fax, address1, address2, city, state_province, postal_code, country, created_at, updated_at)
	SELECT id, account_id, label, first_name, last_name, job_title, organization_name, email, phone, fax, address1, address2, city, state_province, postal_code, country, created_at, updated_at FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_new RENAME TO contacts;
CREATE INDEX contacts_account ON contacts (account_id);

CREATE TABLE webhooks_new (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	url               TEXT NOT NULL,
	created_at        TIMESTAMP NOT NULL,
	updated_at        TIMESTAMP NOT NULL,
	secret            TEXT NOT NULL DEFAULT '',
	suppressed_at     TIMESTAMP,
	failed_deliveries INTEGER NOT NULL DEFAULT 0
);
INSERT INTO webhooks_new (id, account_id, url, created_at, updated_at, secret, suppressed_at, failed_deliveries)
	SELECT id, account_id, url, created_at, updated_at, secret, suppressed_at, failed_deliveries FROM webhooks;
DROP TABLE webhooks;
ALTER TABLE webhooks_new RENAME TO webhooks;
CREATE INDEX webhooks_account ON webhooks (account_id);

CREATE TABLE audit_log_new (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id     INTEGER NOT NULL,
	actor_user_id  INTEGER,
	actor_token_id INTEGER,
	actor_label    TEXT NOT NULL DEFAULT '',
	action         TEXT NOT NULL,
	object_type    TEXT NOT NULL,
	object_id      TEXT NOT NULL DEFAULT '',
	before_json    TEXT NOT NULL DEFAULT '',
	after_json     TEXT NOT NULL DEFAULT '',
	remote_addr    TEXT NOT NULL DEFAULT '',
	created_at     TIMESTAMP NOT NULL,
	domain         TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_log_new (id, account_id, actor_user_id, actor_token_id, actor_label, action, object_type, object_id, before_json, after_json, remote_addr, created_at, domain)
	SELECT id, account_id, actor_user_id, actor_token_id, actor_label, action, object_type, object_id, before_json, after_json, remote_addr, created_at, domain FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_account ON audit_log (account_id, id);
CREATE INDEX audit_log_domain ON audit_log (account_id, domain, id);

CREATE TABLE sessions_new (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	hash          TEXT NOT NULL UNIQUE,
	user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	second_factor BOOLEAN NOT NULL DEFAULT 0,
	user_agent    TEXT NOT NULL DEFAULT '',
	remote_addr   TEXT NOT NULL DEFAULT '',
	created_at    TIMESTAMP NOT NULL,
	last_seen_at  TIMESTAMP NOT NULL
);
INSERT INTO sessions_new (id, hash, user_id, second_factor, user_agent, remote_addr, created_at, last_seen_at)
	SELECT id, hash, user_id, second_factor, user_agent, remote_addr, created_at, last_seen_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE jobs_new (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT NOT NULL,
	payload    TEXT NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('available', 'running', 'discarded')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	run_at     TIMESTAMP NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
INSERT INTO jobs_new (id, kind, payload, state, attempts, run_at, last_error, created_at, updated_at)
	SELECT id, kind, payload, state, attempts, run_at, last_error, created_at, updated_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('available', 'running');
CREATE INDEX jobs_discarded ON jobs (updated_at) WHERE state = 'discarded';

CREATE TABLE events_new (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	payload    TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
INSERT INTO events_new (id, account_id, name, payload, created_at)
	SELECT id, account_id, name, payload, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_account ON events (account_id);
CREATE INDEX events_created ON events (created_at);

CREATE TABLE webhook_deliveries_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	webhook_id  INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	state       TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	status_code INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
INSERT INTO webhook_deliveries_new (id, webhook_id, event_id, state, attempts, status_code, last_error, created_at, updated_at)
	SELECT id, webhook_id, event_id, state, attempts, status_code, last_error, created_at, updated_at FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_ended ON webhook_deliveries (updated_at) WHERE state <> 'pending';

CREATE TABLE tsig_keys_new (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL UNIQUE,
	algorithm  TEXT NOT NULL CHECK (algorithm IN ('hmac-sha256.', 'hmac-sha512.')),
	secret     TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
INSERT INTO tsig_keys_new (id, name, algorithm, secret, created_at)
	SELECT id, name, algorithm, secret, created_at FROM tsig_keys;
DROP TABLE tsig_keys;
ALTER TABLE tsig_keys_new RENAME TO tsig_keys;

CREATE TABLE invitations_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	email       TEXT NOT NULL,
	role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'read-only')),
	token_hash  TEXT NOT NULL UNIQUE,
	invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
	expires_at  TIMESTAMP NOT NULL,
	accepted_at TIMESTAMP,
	accepted_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	revoked_at  TIMESTAMP,
	created_at  TIMESTAMP NOT NULL
);
INSERT INTO invitations_new (id, account_id, email, role, token_hash, invited_by, expires_at, accepted_at, accepted_by, revoked_at, created_at)
	SELECT id, account_id, email, role, token_hash, invited_by, expires_at, accepted_at, accepted_by, revoked_at, created_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX invitations_account ON invitations (account_id, id);

CREATE TABLE primary_servers_new (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	ip         TEXT NOT NULL,
	port       INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (account_id, name)
);
INSERT INTO primary_servers_new (id, account_id, name, ip, port, created_at, updated_at)
	SELECT id, account_id, name, ip, port, created_at, updated_at FROM primary_servers;
DROP TABLE primary_servers;
ALTER TABLE primary_servers_new RENAME TO primary_servers;

-- The copies above start each sequence at the largest id still there. Ids
-- of rows deleted before this migration are still named elsewhere: the
-- audit log names the objects it describes, the journal the zones it
-- followed. Each sequence starts past those too, so that the domain deleted
-- last before the upgrade does not lend its id to the first one after.
WITH rebuilt (name) AS (VALUES ('users'), ('accounts'), ('tokens'), ('domains'), ('zones'), ('records'),
	('zone_changes'), ('templates'), ('template_records'), ('contacts'), ('webhooks'), ('audit_log'),
	('sessions'), ('jobs'), ('events'), ('webhook_deliveries'), ('tsig_keys'), ('invitations'),
	('primary_servers'))
INSERT INTO sqlite_sequence (name, seq)
	SELECT r.name, 0 FROM rebuilt r WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence s WHERE s.name = r.name);
CREATE TEMP TABLE audited AS
	SELECT object_type, MAX(CAST(object_id AS INTEGER)) AS max_id FROM audit_log GROUP BY object_type;
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(a.max_id) FROM temp.audited a WHERE a.object_type IN (CASE sqlite_sequence.name
	WHEN 'users' THEN 'user' WHEN 'accounts' THEN 'account' WHEN 'tokens' THEN 'token'
	WHEN 'domains' THEN 'domain' WHEN 'records' THEN 'record' WHEN 'templates' THEN 'template'
	WHEN 'contacts' THEN 'contact' WHEN 'invitations' THEN 'invitation' WHEN 'primary_servers' THEN 'primary_server'
END, CASE sqlite_sequence.name WHEN 'users' THEN 'member' END)), 0));
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(zone_id), 0) FROM zone_changes)) WHERE name = 'zones';
DROP TABLE temp.audited;
