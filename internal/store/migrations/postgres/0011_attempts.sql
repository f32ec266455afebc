-- Failed attempts (passwords, codes, mails asked for) by key, counted for
-- every process that shares the database: a throttle kept in one
-- process's memory lets N processes take N times the attempts. The key is
-- a SHA-256, as it names an address or an email.
CREATE TABLE attempts (
	key_hash  TEXT PRIMARY KEY,
	failures  INTEGER NOT NULL,
	first_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX attempts_first ON attempts (first_at);
