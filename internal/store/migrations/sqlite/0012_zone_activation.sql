-- A zone can be deactivated and activated again (DNSimple's zone
-- activation): zones.active has been there since 0001, and the journal now
-- records each change of it, which tells every serve process to stop or
-- start serving the zone and the catalog zone to drop or list it again.
-- SQLite cannot change a CHECK constraint in place: the journal is copied
-- into a table that has the new one, ids kept.
CREATE TABLE zone_changes_new (
	id          INTEGER PRIMARY KEY,
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

-- The catalog reads a zone's journal by name, back from an entry, to find
-- the entry that listed it or whether it had left already (Store.Catalog,
-- Store.CatalogEvents): without this index each such read is a scan of the
-- whole journal.
CREATE INDEX zone_changes_name ON zone_changes (zone_name, id);
