-- Participatory budgeting ("Громадський проєкт"): a city's budget cycle with its districts,
-- categories and dated phases; residents' project proposals and the experts' review; one ballot
-- per person per cycle, enforced here; results and implementation.

CREATE TABLE budget_cycles (
  id serial PRIMARY KEY,
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,60}$'),
  title_uk text NOT NULL,
  title_en text NOT NULL,
  title_bg text NOT NULL,
  description text NOT NULL DEFAULT '',
  total_amount bigint NOT NULL CHECK (total_amount > 0),
  currency text NOT NULL DEFAULT 'UAH',
  -- Each phase starts at its time and lasts until the next one starts.
  information_at timestamptz NOT NULL,
  proposals_at timestamptz NOT NULL,
  review_at timestamptz NOT NULL,
  voting_at timestamptz NOT NULL,
  ballot_review_at timestamptz NOT NULL,
  results_at timestamptz NOT NULL,
  implementation_at timestamptz NOT NULL,
  voting_rule text NOT NULL CHECK (voting_rule IN ('approval', 'knapsack')),
  max_choices int CHECK (max_choices BETWEEN 1 AND 100),
  one_per_category boolean NOT NULL DEFAULT false,
  min_spend_share numeric(4,3) NOT NULL DEFAULT 0 CHECK (min_spend_share >= 0 AND min_spend_share <= 1),
  min_age int NOT NULL DEFAULT 14 CHECK (min_age BETWEEN 0 AND 120),
  residents_only boolean NOT NULL DEFAULT true,
  signer_check text NOT NULL DEFAULT 'verified_email',
  live_totals boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (city_id, slug),
  CHECK (information_at < proposals_at AND proposals_at < review_at AND review_at < voting_at
    AND voting_at < ballot_review_at AND ballot_review_at < results_at AND results_at < implementation_at)
);

CREATE TABLE budget_districts (
  id serial PRIMARY KEY,
  cycle_id int NOT NULL REFERENCES budget_cycles(id) ON DELETE CASCADE,
  name text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  UNIQUE (cycle_id, name)
);

CREATE TABLE budget_categories (
  id serial PRIMARY KEY,
  cycle_id int NOT NULL REFERENCES budget_cycles(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- A category may have its own share of the total, which its winners together may not exceed.
  amount bigint CHECK (amount > 0),
  UNIQUE (cycle_id, name)
);

CREATE TABLE budget_size_classes (
  id serial PRIMARY KEY,
  cycle_id int NOT NULL REFERENCES budget_cycles(id) ON DELETE CASCADE,
  name text NOT NULL,
  max_cost bigint NOT NULL CHECK (max_cost > 0),
  UNIQUE (cycle_id, name)
);

CREATE TABLE budget_projects (
  id serial PRIMARY KEY,
  cycle_id int NOT NULL REFERENCES budget_cycles(id) ON DELETE CASCADE,
  author_id int REFERENCES users(id) ON DELETE SET NULL,
  title text NOT NULL,
  description text NOT NULL,
  district_id int NOT NULL REFERENCES budget_districts(id),
  category_id int NOT NULL REFERENCES budget_categories(id),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  cost bigint NOT NULL CHECK (cost > 0),
  -- The author's breakdown: [{"item": "...", "amount": 123}], summing to cost.
  cost_items jsonb NOT NULL DEFAULT '[]',
  -- The experts' review.
  review_state text NOT NULL DEFAULT 'submitted' CHECK (review_state IN ('submitted', 'feasible', 'infeasible', 'merged')),
  review_note text,
  adjusted_cost bigint CHECK (adjusted_cost > 0),
  cost_reason text,
  merged_into int REFERENCES budget_projects(id),
  reviewed_at timestamptz,
  -- Results and after.
  votes int NOT NULL DEFAULT 0,
  winner boolean NOT NULL DEFAULT false,
  implementation_status text CHECK (implementation_status IN ('planned', 'procurement', 'in_progress', 'done', 'cancelled')),
  spent bigint CHECK (spent >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX budget_projects_cycle ON budget_projects (cycle_id, district_id);

CREATE TABLE budget_progress_notes (
  id serial PRIMARY KEY,
  project_id int NOT NULL REFERENCES budget_projects(id) ON DELETE CASCADE,
  author_id int REFERENCES users(id) ON DELETE SET NULL,
  note text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE budget_ballots (
  id serial PRIMARY KEY,
  cycle_id int NOT NULL REFERENCES budget_cycles(id) ON DELETE CASCADE,
  -- An online voter; a paper ballot has none, but its entry is recorded.
  user_id int REFERENCES users(id) ON DELETE SET NULL,
  paper boolean NOT NULL DEFAULT false,
  paper_reference text,
  entered_by int REFERENCES users(id) ON DELETE SET NULL,
  district_id int REFERENCES budget_districts(id),
  -- The voter's own declaration of eligibility.
  declared_birth_year int,
  declared_resident boolean NOT NULL DEFAULT false,
  confirmed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (paper OR user_id IS NOT NULL),
  CHECK (NOT paper OR paper_reference IS NOT NULL)
);
-- One ballot per person per cycle; one entry per paper ballot number.
CREATE UNIQUE INDEX budget_ballots_one_per_voter ON budget_ballots (cycle_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX budget_ballots_one_per_paper ON budget_ballots (cycle_id, paper_reference) WHERE paper;

CREATE TABLE budget_ballot_choices (
  ballot_id int NOT NULL REFERENCES budget_ballots(id) ON DELETE CASCADE,
  project_id int NOT NULL REFERENCES budget_projects(id),
  PRIMARY KEY (ballot_id, project_id)
);
CREATE INDEX budget_ballot_choices_project ON budget_ballot_choices (project_id);

-- Images of a proposal (its author, while proposals are open) and photos of a winner's
-- implementation (the city's editors); each with a description for people who cannot see it.
CREATE TABLE budget_files (
  id serial PRIMARY KEY,
  project_id int NOT NULL REFERENCES budget_projects(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('image', 'photo')),
  description text NOT NULL,
  file_key text NOT NULL,
  file_name text NOT NULL,
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX budget_files_project ON budget_files (project_id);
