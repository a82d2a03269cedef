-- A ranking campaign: a year's assessment of participating cities under one methodology
-- version, with its phases and status bands, and each city's score on each indicator (the
-- assessor's value and, once verified, the coordinator's).

CREATE TABLE ranking_campaigns (
  id serial PRIMARY KEY,
  year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  methodology_id int NOT NULL REFERENCES ranking_methodologies(id),
  title_uk text NOT NULL,
  title_en text NOT NULL,
  title_bg text NOT NULL,
  phase text NOT NULL DEFAULT 'preparation'
    CHECK (phase IN ('preparation', 'assessment', 'verification', 'provisional', 'appeals', 'final', 'published')),
  -- Status bands by their lowest total, e.g. [{"key": "transparent", "min": 80}, ...].
  bands jsonb NOT NULL DEFAULT '[{"key": "transparent", "min": 80}, {"key": "partly", "min": 50}, {"key": "not", "min": 0}]',
  demo boolean NOT NULL DEFAULT false,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ranking_campaign_cities (
  campaign_id int NOT NULL REFERENCES ranking_campaigns(id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities(id),
  PRIMARY KEY (campaign_id, city_id)
);

CREATE TABLE ranking_scores (
  campaign_id int NOT NULL REFERENCES ranking_campaigns(id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities(id),
  indicator_id int NOT NULL REFERENCES ranking_indicators(id),
  level_value numeric(4,3) CHECK (level_value >= 0 AND level_value <= 1),
  not_applicable boolean NOT NULL DEFAULT false,
  comment text NOT NULL DEFAULT '',
  recommendation text NOT NULL DEFAULT '',
  evidence_links text[] NOT NULL DEFAULT '{}',
  assessed_by int REFERENCES users(id) ON DELETE SET NULL,
  assessed_at timestamptz,
  verification text NOT NULL DEFAULT 'pending' CHECK (verification IN ('pending', 'accepted', 'returned')),
  verified_value numeric(4,3) CHECK (verified_value >= 0 AND verified_value <= 1),
  verified_not_applicable boolean,
  verifier_comment text NOT NULL DEFAULT '',
  PRIMARY KEY (campaign_id, city_id, indicator_id),
  CHECK (NOT (not_applicable AND level_value IS NOT NULL))
);

-- Who assesses which city, and who verifies which oblast, in a campaign. Assigning an assessor to
-- a city where their own organisation is based needs an admin's recorded reason.
CREATE TABLE ranking_assignments (
  id serial PRIMARY KEY,
  campaign_id int NOT NULL REFERENCES ranking_campaigns(id) ON DELETE CASCADE,
  assessor_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities(id),
  conflict_override_reason text,
  assigned_by int REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, assessor_id, city_id)
);

CREATE TABLE ranking_coordinators (
  campaign_id int NOT NULL REFERENCES ranking_campaigns(id) ON DELETE CASCADE,
  coordinator_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  oblast_slug text NOT NULL REFERENCES oblasts(slug),
  PRIMARY KEY (campaign_id, coordinator_id, oblast_slug)
);

-- During the appeal window a city's editor, a CSO or a citizen disputes one indicator's score;
-- the coordinator accepts it (the score changes) or rejects it, always with a reason.
CREATE TABLE ranking_appeals (
  id serial PRIMARY KEY,
  campaign_id int NOT NULL REFERENCES ranking_campaigns(id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities(id),
  indicator_id int NOT NULL REFERENCES ranking_indicators(id),
  appellant_id int REFERENCES users(id) ON DELETE SET NULL,
  explanation text NOT NULL,
  evidence_links text[] NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
  decided_by int REFERENCES users(id) ON DELETE SET NULL,
  decision_reason text,
  previous_value numeric(4,3),
  new_value numeric(4,3),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz
);
CREATE INDEX ranking_appeals_campaign ON ranking_appeals (campaign_id, city_id);
