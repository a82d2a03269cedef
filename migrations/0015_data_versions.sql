-- Version numbers of data that servers cache derived results of. A trigger bumps the number in
-- the same transaction as the change, so every server sees a new version at the moment the
-- change is visible and drops what it built from the old one.
CREATE TABLE data_versions (
  name text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0
);
INSERT INTO data_versions (name) VALUES ('cities');

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_versions SET version = version + 1 WHERE name = TG_ARGV[0];
  RETURN NULL;
END
$$;

CREATE TRIGGER cities_data_version AFTER INSERT OR UPDATE OR DELETE ON cities
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('cities');
