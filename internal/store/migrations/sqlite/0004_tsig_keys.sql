-- TSIG keys (RFC 8945) that sign zone transfers and NOTIFY between the
-- primary and its secondaries. They belong to the installation, not to an
-- account. The secret is sealed (internal/seal, bound to "tsig:NAME").

CREATE TABLE tsig_keys (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	algorithm  TEXT NOT NULL CHECK (algorithm IN ('hmac-sha256.', 'hmac-sha512.')),
	secret     TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
