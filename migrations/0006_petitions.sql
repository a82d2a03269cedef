-- e-Petitions to a city council (article 23-1 of Ukraine's law on citizens' appeals): each city
-- sets its own rules; a petition goes draft → moderation → open → successful | unsuccessful →
-- answered (or rejected at moderation). One signature per person per petition is enforced here,
-- and the petition keeps an exact count of its valid signatures, changed in the same statement.

CREATE TABLE petition_rules (
  city_id int PRIMARY KEY REFERENCES cities(id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT true,
  signature_threshold int NOT NULL CHECK (signature_threshold BETWEEN 1 AND 10000000),
  collection_days int NOT NULL CHECK (collection_days BETWEEN 1 AND 365),
  -- Signatures a submitted petition needs before it goes to moderation (0: straight to moderation).
  supporters_needed int NOT NULL DEFAULT 0 CHECK (supporters_needed BETWEEN 0 AND 10000),
  moderation_working_days int NOT NULL CHECK (moderation_working_days BETWEEN 1 AND 60),
  response_working_days int NOT NULL CHECK (response_working_days BETWEEN 1 AND 60),
  -- How a signer proves who they are; 'verified_email' now, an identity provider later.
  signer_check text NOT NULL DEFAULT 'verified_email',
  public_signer_names boolean NOT NULL DEFAULT true,
  -- Non-working days besides weekends, as ISO dates.
  holidays date[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE petitions (
  id serial PRIMARY KEY,
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  author_id int REFERENCES users(id) ON DELETE SET NULL,
  title text NOT NULL,
  body text NOT NULL,
  topic text NOT NULL,
  state text NOT NULL DEFAULT 'draft'
    CHECK (state IN ('draft', 'support', 'moderation', 'rejected', 'open', 'successful', 'unsuccessful', 'answered')),
  -- The rules in force when the petition was submitted; later changes do not move its goalposts.
  signature_threshold int,
  supporters_needed int,
  collection_days int,
  response_working_days int,
  signature_count int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  moderation_due date,
  moderated_at timestamptz,
  reject_reason text,
  reject_comment text,
  opened_at timestamptz,
  closes_at timestamptz,
  closed_at timestamptz,
  response_due date,
  answered_at timestamptz,
  response_decision text CHECK (response_decision IN ('supported', 'partly', 'not_supported')),
  response_text text,
  search_text text NOT NULL DEFAULT ''
);
CREATE INDEX petitions_city_state ON petitions (city_id, state);
CREATE INDEX petitions_open_closing ON petitions (closes_at) WHERE state = 'open';
CREATE INDEX petitions_signatures ON petitions (signature_count DESC, id);
CREATE INDEX petitions_search ON petitions USING gin (search_text gin_trgm_ops);

CREATE TABLE petition_signatures (
  id bigserial PRIMARY KEY,
  petition_id int NOT NULL REFERENCES petitions(id) ON DELETE CASCADE,
  user_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  signer_name text NOT NULL,
  show_name boolean NOT NULL DEFAULT true,
  notify boolean NOT NULL DEFAULT false,
  -- Kept for moderators looking for bulk signing: the address block (IPv4 /24, IPv6 /48) and domain.
  ip_block text NOT NULL,
  email_domain text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  valid boolean NOT NULL DEFAULT true,
  invalidated_at timestamptz,
  invalidation_id int,
  UNIQUE (petition_id, user_id)
);
CREATE INDEX petition_signatures_time ON petition_signatures (petition_id, created_at);

-- A moderator's bulk invalidation: what was matched and how many signatures it took away.
CREATE TABLE petition_invalidations (
  id serial PRIMARY KEY,
  petition_id int NOT NULL REFERENCES petitions(id) ON DELETE CASCADE,
  by_user_id int REFERENCES users(id) ON DELETE SET NULL,
  ip_block text,
  email_domain text,
  from_time timestamptz,
  to_time timestamptz,
  reason text NOT NULL,
  invalidated int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE petition_files (
  id serial PRIMARY KEY,
  petition_id int NOT NULL REFERENCES petitions(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('attachment', 'response')),
  file_key text NOT NULL,
  file_name text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX petition_files_petition ON petition_files (petition_id);
