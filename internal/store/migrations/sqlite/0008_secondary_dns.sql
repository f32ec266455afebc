-- Secondary DNS (DNSimple's name): an account's own primary name servers,
-- and the secondary zones (zones.secondary) each pulls from. A zone linked
-- to several primaries is pulled from the first that answers. Deleting a
-- zone unlinks it; a primary with linked zones cannot be deleted.

CREATE TABLE primary_servers (
	id         INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	ip         TEXT NOT NULL,
	port       INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (account_id, name)
);

CREATE TABLE secondary_zone_links (
	primary_server_id INTEGER NOT NULL REFERENCES primary_servers (id) ON DELETE CASCADE,
	zone_id           INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
	created_at        TIMESTAMP NOT NULL,
	PRIMARY KEY (primary_server_id, zone_id)
);
CREATE INDEX secondary_zone_links_zone ON secondary_zone_links (zone_id);
