-- The open-data catalog: datasets with DCAT-AP metadata, their resources (files or links), and
-- every saved version of a dataset's metadata.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE datasets (
  id serial PRIMARY KEY,
  -- CKAN's rules for a dataset name, so that CKAN clients can use it as an id.
  name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{1,99}$'),
  city_id integer NOT NULL REFERENCES cities (id),
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'private', 'deleted')),
  title_uk text NOT NULL CHECK (length(title_uk) BETWEEN 1 AND 300),
  title_en text NOT NULL DEFAULT '' CHECK (length(title_en) <= 300),
  title_bg text NOT NULL DEFAULT '' CHECK (length(title_bg) <= 300),
  description_uk text NOT NULL DEFAULT '' CHECK (length(description_uk) <= 20000),
  description_en text NOT NULL DEFAULT '' CHECK (length(description_en) <= 20000),
  description_bg text NOT NULL DEFAULT '' CHECK (length(description_bg) <= 20000),
  license_id text NOT NULL,
  themes text[] NOT NULL DEFAULT '{}',
  keywords text[] NOT NULL DEFAULT '{}',
  frequency text NOT NULL DEFAULT 'UNKNOWN',
  contact_name text,
  contact_email text,
  temporal_start date,
  temporal_end date,
  spatial text,
  legal_basis text,
  purpose text,
  -- Folded titles, descriptions and keywords in all languages, for search (see catalog/search.ts).
  search_text text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  modified_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  -- When the data itself (a resource) last changed: the basis of the "overdue" mark.
  data_updated_at timestamptz,
  CHECK (temporal_end IS NULL OR temporal_start IS NULL OR temporal_end >= temporal_start)
);
CREATE INDEX datasets_city_idx ON datasets (city_id);
CREATE INDEX datasets_state_idx ON datasets (state);
CREATE INDEX datasets_search_idx ON datasets USING gin (search_text gin_trgm_ops);

CREATE TABLE dataset_revisions (
  id bigserial PRIMARY KEY,
  dataset_id integer NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  actor_user_id integer,
  actor_label text NOT NULL,
  note text NOT NULL,
  snapshot jsonb NOT NULL
);
CREATE INDEX dataset_revisions_dataset_idx ON dataset_revisions (dataset_id, id);

CREATE TABLE resources (
  id uuid PRIMARY KEY,
  dataset_id integer NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  format text NOT NULL DEFAULT '' CHECK (length(format) <= 40),
  url text,
  created_at timestamptz NOT NULL DEFAULT now(),
  modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resources_dataset_idx ON resources (dataset_id, position);
