-- The dataset as CKAN clients see it. Every dataset gets a stable id (CKAN's package id, a UUID)
-- that a rename keeps; the serial id stays the key the other tables refer to. The fields CKAN keeps
-- and the catalog had no column for are kept as given: author, author_email, version, the source
-- url, and the free extras (a list of {key, value}; the keys the catalog maps to its own columns,
-- such as frequency or title_en, are not stored here). A dataset may have no licence, as in CKAN.
ALTER TABLE datasets ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE datasets ADD CONSTRAINT datasets_uuid_key UNIQUE (uuid);
ALTER TABLE datasets ADD COLUMN author text CHECK (length(author) <= 200);
ALTER TABLE datasets ADD COLUMN author_email text CHECK (length(author_email) <= 254);
ALTER TABLE datasets ADD COLUMN version text CHECK (length(version) <= 100);
ALTER TABLE datasets ADD COLUMN source_url text CHECK (length(source_url) <= 2000);
ALTER TABLE datasets ADD COLUMN extras jsonb NOT NULL DEFAULT '[]'
  CHECK (jsonb_typeof(extras) = 'array' AND jsonb_array_length(extras) <= 100 AND length(extras::text) <= 200000);
ALTER TABLE datasets ALTER COLUMN license_id DROP NOT NULL;
