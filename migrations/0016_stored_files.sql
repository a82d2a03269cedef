-- Uploaded files kept in the database (FILE_STORAGE=postgres), so every server behind a load
-- balancer reads every file. The bytes are a large object, written and read in 1 MiB pieces with
-- lo_put and lo_get; this row names it. size and sha256 stay NULL while the file is being written:
-- a write that fails deletes its row, and one whose process died is deleted after a day
-- (platform/files.ts). Deleting a row unlinks its large object in the same transaction, so no
-- object outlives its row (what vacuumlo would otherwise have to find).
CREATE TABLE stored_files (
  key text PRIMARY KEY,
  lo_oid oid NOT NULL UNIQUE,
  size bigint,
  sha256 text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((size IS NULL) = (sha256 IS NULL))
);

CREATE FUNCTION unlink_stored_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_largeobject_metadata WHERE oid = OLD.lo_oid) THEN
    PERFORM lo_unlink(OLD.lo_oid);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER stored_files_unlink AFTER DELETE ON stored_files
  FOR EACH ROW EXECUTE FUNCTION unlink_stored_file();
