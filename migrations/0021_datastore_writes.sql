-- DataStore tables written through CKAN's write API (datastore_create, datastore_upsert,
-- datastore_delete, datastore_records_delete) change in place, where a loaded file always made a
-- new table. Every write raises this number in the same transaction, under the resource's row
-- lock, so that what a server derived from the table's rows (a filtered total it counted) is
-- keyed by it and never outlives the rows it was counted from, on any server.
ALTER TABLE resources ADD COLUMN datastore_version bigint NOT NULL DEFAULT 0;
