-- Version numbers of data that servers cache derived results of. A trigger bumps the number in
-- the same transaction as the change and sends NOTIFY data_versions, '<name>:<version>', which
-- PostgreSQL delivers when the change commits: every server learns of it and drops what it
-- built from the old version.
CREATE TABLE data_versions (
  name text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0
);
INSERT INTO data_versions (name) VALUES ('cities');

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bumped bigint;
BEGIN
  UPDATE data_versions SET version = version + 1 WHERE name = TG_ARGV[0] RETURNING version INTO bumped;
  PERFORM pg_notify('data_versions', TG_ARGV[0] || ':' || bumped);
  RETURN NULL;
END
$$;

CREATE TRIGGER cities_data_version AFTER INSERT OR UPDATE OR DELETE ON cities
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('cities');
