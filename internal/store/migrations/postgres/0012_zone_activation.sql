-- A zone can be deactivated and activated again (DNSimple's zone
-- activation): zones.active has been there since 0001, and the journal now
-- records each change of it, which tells every serve process to stop or
-- start serving the zone and the catalog zone to drop or list it again.
ALTER TABLE zone_changes DROP CONSTRAINT zone_changes_kind_check;
ALTER TABLE zone_changes ADD CONSTRAINT zone_changes_kind_check
	CHECK (kind IN ('create', 'update', 'delete', 'activate', 'deactivate'));

-- The catalog reads a zone's journal by name, back from an entry, to find
-- the entry that listed it or whether it had left already (Store.Catalog,
-- Store.CatalogEvents): without this index each such read is a scan of the
-- whole journal.
CREATE INDEX zone_changes_name ON zone_changes (zone_name, id);
