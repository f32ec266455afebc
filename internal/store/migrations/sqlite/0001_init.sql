-- The control plane's schema on SQLite. Timestamps are UTC, written by the
-- driver as text in one format (declared TIMESTAMP so that they read back as
-- times); booleans are 0 and 1.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	otp_secret    TEXT,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL,
	name            TEXT NOT NULL DEFAULT '',
	plan_identifier TEXT NOT NULL,
	personal        BOOLEAN NOT NULL DEFAULT 0,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'read-only')),
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (account_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE tokens (
	id           INTEGER PRIMARY KEY,
	account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL UNIQUE,
	last_used_at TIMESTAMP,
	expires_at   TIMESTAMP,
	revoked_at   TIMESTAMP,
	created_at   TIMESTAMP NOT NULL
);
CREATE INDEX tokens_account ON tokens (account_id);

CREATE TABLE domains (
	id           INTEGER PRIMARY KEY,
	account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name         TEXT NOT NULL UNIQUE,
	unicode_name TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'hosted',
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX domains_account ON domains (account_id, name);

CREATE TABLE zones (
	id                  INTEGER PRIMARY KEY,
	domain_id           INTEGER NOT NULL UNIQUE REFERENCES domains (id) ON DELETE CASCADE,
	account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name                TEXT NOT NULL UNIQUE,
	serial              INTEGER NOT NULL,
	reverse             BOOLEAN NOT NULL DEFAULT 0,
	secondary           BOOLEAN NOT NULL DEFAULT 0,
	active              BOOLEAN NOT NULL DEFAULT 1,
	last_transferred_at TIMESTAMP,
	created_at          TIMESTAMP NOT NULL,
	updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX zones_account ON zones (account_id, name);

CREATE TABLE records (
	id            INTEGER PRIMARY KEY,
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
CREATE INDEX records_zone_name ON records (zone_id, name, type);

-- The journal outlives its zone (no foreign key): a deleted zone's last row
-- tells other processes to stop serving it.
CREATE TABLE zone_changes (
	id          INTEGER PRIMARY KEY,
	zone_id     INTEGER NOT NULL,
	zone_name   TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete')),
	prev_serial INTEGER NOT NULL,
	serial      INTEGER NOT NULL,
	removed     TEXT NOT NULL DEFAULT '',
	added       TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX zone_changes_zone ON zone_changes (zone_id, id);

CREATE TABLE templates (
	id          INTEGER PRIMARY KEY,
	account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	sid         TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	UNIQUE (account_id, sid)
);

CREATE TABLE template_records (
	id          INTEGER PRIMARY KEY,
	template_id INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	type        TEXT NOT NULL,
	content     TEXT NOT NULL,
	ttl         INTEGER NOT NULL,
	priority    INTEGER,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX template_records_template ON template_records (template_id);

CREATE TABLE contacts (
	id                INTEGER PRIMARY KEY,
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
CREATE INDEX contacts_account ON contacts (account_id);

CREATE TABLE webhooks (
	id         INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	url        TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_account ON webhooks (account_id);

-- The audit log outlives what it describes (no foreign keys).
CREATE TABLE audit_log (
	id             INTEGER PRIMARY KEY,
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
	created_at     TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account_id, id);
