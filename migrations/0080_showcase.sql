-- The showcase (issue 17): apps, tools, visualisations, stories and APIs built on the cities' open
-- data (uData's "reuses", CKAN's ckanext-showcase). An entry is submitted by any confirmed account
-- and shown publicly once an admin has published it. Where it runs (adoptions, with dates) and
-- which cities want it (demand) are marked by each city's editors for their own city.

CREATE TABLE showcase_entries (
  id serial PRIMARY KEY,
  -- CKAN's id (a uuid) and name (CKAN's rules for a package name), so CKAN clients can use either.
  uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{1,99}$'),
  kind text NOT NULL CHECK (kind IN ('application', 'tool', 'visualisation', 'story', 'api')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  stage text NOT NULL CHECK (stage IN ('idea', 'prototype', 'pilot', 'in_service')),
  license_id text CHECK (length(license_id) <= 100),
  -- The datathon it came from: a community event of kind datathon (checked by the service).
  datathon_event_id int REFERENCES community_events (id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'rejected')),
  review_note text NOT NULL DEFAULT '' CHECK (length(review_note) <= 2000),
  reviewed_by int REFERENCES users (id) ON DELETE SET NULL,
  reviewed_at timestamptz,
  submitted_by int REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX showcase_entries_status_idx ON showcase_entries (status, updated_at DESC);

CREATE TABLE showcase_entry_datasets (
  entry_id int NOT NULL REFERENCES showcase_entries (id) ON DELETE CASCADE,
  dataset_id int NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  PRIMARY KEY (entry_id, dataset_id)
);
CREATE INDEX showcase_entry_datasets_dataset_idx ON showcase_entry_datasets (dataset_id);

-- Authors by name; an author may be linked to an account (who may then edit the entry) or an organisation.
CREATE TABLE showcase_entry_authors (
  id serial PRIMARY KEY,
  entry_id int NOT NULL REFERENCES showcase_entries (id) ON DELETE CASCADE,
  position int NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  user_id int REFERENCES users (id) ON DELETE SET NULL,
  organization_id int REFERENCES organizations (id) ON DELETE SET NULL
);
CREATE INDEX showcase_entry_authors_entry_idx ON showcase_entry_authors (entry_id, position);
CREATE INDEX showcase_entry_authors_user_idx ON showcase_entry_authors (user_id);

CREATE TABLE showcase_entry_links (
  id serial PRIMARY KEY,
  entry_id int NOT NULL REFERENCES showcase_entries (id) ON DELETE CASCADE,
  position int NOT NULL,
  kind text NOT NULL CHECK (kind IN ('site', 'source', 'demo', 'docs', 'api', 'video', 'other')),
  url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 500)
);
CREATE INDEX showcase_entry_links_entry_idx ON showcase_entry_links (entry_id, position);

CREATE TABLE showcase_entry_images (
  id serial PRIMARY KEY,
  entry_id int NOT NULL REFERENCES showcase_entries (id) ON DELETE CASCADE,
  alt text NOT NULL CHECK (length(alt) BETWEEN 1 AND 300),
  file_key text NOT NULL,
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX showcase_entry_images_entry_idx ON showcase_entry_images (entry_id, id);

-- Where an entry runs: one row per period of use in a city (ended_on NULL: still in use).
CREATE TABLE showcase_adoptions (
  id serial PRIMARY KEY,
  entry_id int NOT NULL REFERENCES showcase_entries (id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
  started_on date NOT NULL,
  ended_on date,
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  created_by int REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX showcase_adoptions_entry_idx ON showcase_adoptions (entry_id, started_on);
CREATE INDEX showcase_adoptions_city_idx ON showcase_adoptions (city_id);

-- "We want this": one mark per city and entry.
CREATE TABLE showcase_demand (
  entry_id int NOT NULL REFERENCES showcase_entries (id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
  marked_by int REFERENCES users (id) ON DELETE SET NULL,
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, city_id)
);
CREATE INDEX showcase_demand_city_idx ON showcase_demand (city_id);
