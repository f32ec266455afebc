-- Teams: invitations to join an account, and the domain of each audit-log
-- entry, so that a domain's history is one indexed read.
--
-- An invitation is known by the SHA-256 of the token mailed to the invitee;
-- it is used once (accepted_at), may be revoked, and expires.

CREATE TABLE invitations (
	id          INTEGER PRIMARY KEY,
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
CREATE INDEX invitations_account ON invitations (account_id, id);

ALTER TABLE audit_log ADD COLUMN domain TEXT NOT NULL DEFAULT '';
UPDATE audit_log SET domain = COALESCE(CASE object_type
	WHEN 'zone' THEN object_id
	WHEN 'record' THEN json_extract(NULLIF(CASE WHEN after_json <> '' THEN after_json ELSE before_json END, ''), '$.zone_id')
	WHEN 'domain' THEN json_extract(NULLIF(CASE WHEN after_json <> '' THEN after_json ELSE before_json END, ''), '$.name')
END, '');
CREATE INDEX audit_log_domain ON audit_log (account_id, domain, id);
