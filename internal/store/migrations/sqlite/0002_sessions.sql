-- The dashboard: who administers the installation, and browser sessions.
-- A session is known by the SHA-256 of its cookie's value; second_factor
-- says whether the two-factor step was passed (a session of a user with
-- 2FA that has not passed it may only finish signing in).

ALTER TABLE users ADD COLUMN admin BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE sessions (
	id            INTEGER PRIMARY KEY,
	hash          TEXT NOT NULL UNIQUE,
	user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	second_factor BOOLEAN NOT NULL DEFAULT 0,
	user_agent    TEXT NOT NULL DEFAULT '',
	remote_addr   TEXT NOT NULL DEFAULT '',
	created_at    TIMESTAMP NOT NULL,
	last_seen_at  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
