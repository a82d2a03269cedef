-- A role with no rights of its own, under which datastore_search_sql runs user SQL: it can read
-- only the views of DataStore tables that the request grants it, inside a transaction that is
-- always rolled back. Roles belong to the whole server, so it may exist already; an application
-- user without CREATEROLE leaves it out, and datastore_search_sql then says it is unavailable.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hromada_datastore_reader') THEN
    CREATE ROLE hromada_datastore_reader NOLOGIN;
  END IF;
  EXECUTE 'GRANT hromada_datastore_reader TO ' || quote_ident(current_user);
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'datastore_search_sql is unavailable: the database user may not create roles';
END
$$;
