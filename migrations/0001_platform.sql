-- Platform: places, organisations, people, sessions, tokens, outgoing mail and the audit log.

CREATE TABLE oblasts (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z0-9-]+$'),
  name_uk text NOT NULL,
  name_en text NOT NULL,
  name_bg text NOT NULL
);

CREATE TABLE cities (
  id serial PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{1,80}$'),
  name_uk text NOT NULL CHECK (length(name_uk) BETWEEN 1 AND 200),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
  name_bg text NOT NULL CHECK (length(name_bg) BETWEEN 1 AND 200),
  -- Collation keys computed by the application (see platform/i18n/collation.ts), compared
  -- bytewise, so that Ukrainian and Bulgarian alphabets sort the same on every engine.
  sort_key_uk text NOT NULL,
  sort_key_en text NOT NULL,
  sort_key_bg text NOT NULL,
  -- Lower-cased names in all languages, folded by the application (PGlite has only the C locale).
  search_text text NOT NULL,
  oblast_slug text NOT NULL REFERENCES oblasts (slug),
  population integer CHECK (population >= 0),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  website text,
  katottg text,
  edrpou text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cities_oblast_idx ON cities (oblast_slug);

CREATE TABLE organizations (
  id serial PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{1,80}$'),
  kind text NOT NULL CHECK (kind IN ('city_council', 'cso', 'operator')),
  name_uk text NOT NULL CHECK (length(name_uk) BETWEEN 1 AND 300),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 300),
  name_bg text NOT NULL CHECK (length(name_bg) BETWEEN 1 AND 300),
  city_id integer REFERENCES cities (id) ON DELETE SET NULL,
  website text,
  edrpou text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) <= 254),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT 'uk' CHECK (locale IN ('uk', 'en', 'bg')),
  email_confirmed_at timestamptz,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A role a user holds, scoped to an organisation (city editor, CSO assessor) or an oblast
-- (regional coordinator); admin and citizen are platform-wide.
CREATE TABLE memberships (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'city_editor', 'cso_assessor', 'regional_coordinator', 'citizen')),
  organization_id integer REFERENCES organizations (id) ON DELETE CASCADE,
  oblast_slug text REFERENCES oblasts (slug),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (role NOT IN ('city_editor', 'cso_assessor') OR organization_id IS NOT NULL),
  CHECK (role <> 'regional_coordinator' OR oblast_slug IS NOT NULL),
  UNIQUE NULLS NOT DISTINCT (user_id, role, organization_id, oblast_slug)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Server-side sessions: the cookie holds a random secret, the table only its SHA-256.
CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- One-time links sent by e-mail: address confirmation and password reset.
CREATE TABLE email_tokens (
  token_hash text PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('confirm_email', 'reset_password')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE TABLE outbox (
  id serial PRIMARY KEY,
  to_address text NOT NULL,
  subject text NOT NULL,
  body_text text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);

-- Append-only: who did what to which record, with the values before and after.
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_user_id integer, -- no foreign key: the log outlives the rows it mentions
  actor_label text NOT NULL,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  before jsonb,
  after jsonb,
  ip text
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
