-- datastore_search_sql no longer runs as a role the application switches to (0005): it logs in
-- as a role of its own (DATASTORE_READ_URL), which reads nothing but this schema. Each view here
-- is one published resource's DataStore table under the resource's id, created when SQL first
-- names it (sql-sandbox.ts) and granted to that role alone.
CREATE SCHEMA IF NOT EXISTS datastore_sql;

-- A resource that stops being public loses its view at once, in the same transaction, whichever
-- code path made the change; replaced or dropped tables take their views with them (CASCADE).
CREATE FUNCTION datastore_sql_drop_views(resource_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  id uuid;
BEGIN
  FOREACH id IN ARRAY coalesce(resource_ids, '{}') LOOP
    EXECUTE format('DROP VIEW IF EXISTS datastore_sql.%I', id::text);
  END LOOP;
END
$$;

CREATE FUNCTION datastore_sql_dataset_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state <> 'published' THEN
    PERFORM datastore_sql_drop_views(ARRAY(SELECT r.id FROM resources r WHERE r.dataset_id = NEW.id));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER datasets_datastore_sql AFTER UPDATE OF state ON datasets
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION datastore_sql_dataset_changed();

CREATE FUNCTION datastore_sql_resource_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM datastore_sql_drop_views(ARRAY[OLD.id]);
  RETURN NULL;
END
$$;
CREATE TRIGGER resources_datastore_sql AFTER DELETE ON resources
  FOR EACH ROW EXECUTE FUNCTION datastore_sql_resource_gone();

-- The role 0005 created, where the database user could, is no longer used.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hromada_datastore_reader') THEN
    EXECUTE 'REVOKE hromada_datastore_reader FROM ' || quote_ident(current_user);
    DROP ROLE hromada_datastore_reader;
  END IF;
EXCEPTION WHEN insufficient_privilege OR dependent_objects_still_exist OR object_in_use THEN
  RAISE NOTICE 'the unused role hromada_datastore_reader remains: a database administrator may drop it';
END
$$;
