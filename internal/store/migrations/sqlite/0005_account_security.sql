-- Account security: two-factor enrollment and recovery codes, password
-- resets, email verification, and accounts that require 2FA of members.
--
-- users.otp_secret is sealed from now on (the store seals the plaintext
-- values left by earlier versions when it migrates); otp_pending is the
-- sealed secret of an enrollment not yet confirmed with a code;
-- otp_last_step is the time step of the last code used to sign in, so
-- that a code works once.
-- email_verified_at: users who existed before are taken as verified (an
-- administrator created them, or they predate verification).
--
-- Recovery codes and mailed links (user_links) are known by the SHA-256 of
-- their text; each is used once.

ALTER TABLE users ADD COLUMN otp_pending TEXT;
ALTER TABLE users ADD COLUMN otp_last_step BIGINT;
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
UPDATE users SET email_verified_at = created_at;

ALTER TABLE accounts ADD COLUMN require_2fa BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash       TEXT NOT NULL,
	used_at    TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (user_id, hash)
);

CREATE TABLE user_links (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	purpose    TEXT NOT NULL CHECK (purpose IN ('reset', 'verify')),
	email      TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	expires_at TIMESTAMP NOT NULL,
	used_at    TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX user_links_user ON user_links (user_id, purpose);
