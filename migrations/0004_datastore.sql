-- Uploaded files, the DataStore (one table per tabular resource, in its own schema), and
-- durable background jobs.

CREATE SCHEMA IF NOT EXISTS datastore;

ALTER TABLE resources
  ADD COLUMN file_name text,
  ADD COLUMN file_key text,
  ADD COLUMN size_bytes bigint,
  ADD COLUMN sha256 text,
  ADD COLUMN datastore_table text,
  ADD COLUMN datastore_rows integer,
  -- [{id, column, type, label, description}]: the data dictionary of the loaded table.
  ADD COLUMN datastore_fields jsonb,
  -- What the editor chose: {encoding, delimiter, types: {field id: type}}; detected when absent.
  ADD COLUMN ingest_options jsonb NOT NULL DEFAULT '{}',
  -- The last load's report in the Frictionless vocabulary.
  ADD COLUMN validation_report jsonb;

CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  resource_id uuid REFERENCES resources (id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  progress jsonb NOT NULL DEFAULT '{}',
  error text,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  heartbeat_at timestamptz
);
CREATE INDEX jobs_state_idx ON jobs (state, id);
CREATE INDEX jobs_resource_idx ON jobs (resource_id, id);
