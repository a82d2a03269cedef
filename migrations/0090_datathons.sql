-- Datathons (issue 17) on top of community events of kind 'datathon': the challenges cities and
-- CSOs pose, teams, their submissions, the jury's judging and the people's choice vote.
-- One team per person per datathon and one vote per account per datathon are unique keys, so
-- servers sharing the database can never break them, whatever the timing.

CREATE TABLE datathons (
  event_id int PRIMARY KEY REFERENCES community_events (id) ON DELETE CASCADE,
  team_min int NOT NULL DEFAULT 1 CHECK (team_min BETWEEN 1 AND 20),
  team_max int NOT NULL DEFAULT 5 CHECK (team_max BETWEEN 1 AND 20),
  -- Submissions are editable until this instant and frozen from it on (the application clock).
  submission_deadline timestamptz NOT NULL,
  -- The people's choice vote runs from the submission deadline until this instant.
  voting_closes_at timestamptz NOT NULL,
  results_published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (team_min <= team_max),
  CHECK (submission_deadline < voting_closes_at)
);

CREATE TABLE datathon_challenges (
  id serial PRIMARY KEY,
  event_id int NOT NULL REFERENCES datathons (event_id) ON DELETE CASCADE,
  -- Who poses the problem: a city council or a CSO.
  organization_id int NOT NULL REFERENCES organizations (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  statement text NOT NULL CHECK (length(statement) BETWEEN 1 AND 20000),
  prize text NOT NULL DEFAULT '' CHECK (length(prize) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, event_id)
);
CREATE INDEX datathon_challenges_event_idx ON datathon_challenges (event_id, id);

CREATE TABLE datathon_challenge_datasets (
  challenge_id int NOT NULL REFERENCES datathon_challenges (id) ON DELETE CASCADE,
  dataset_id int NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  PRIMARY KEY (challenge_id, dataset_id)
);
CREATE INDEX datathon_challenge_datasets_dataset_idx ON datathon_challenge_datasets (dataset_id);

CREATE TABLE datathon_teams (
  id serial PRIMARY KEY,
  event_id int NOT NULL,
  challenge_id int NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  created_by int REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (challenge_id, event_id) REFERENCES datathon_challenges (id, event_id) ON DELETE CASCADE,
  UNIQUE (id, event_id),
  UNIQUE (event_id, name)
);
CREATE INDEX datathon_teams_challenge_idx ON datathon_teams (challenge_id, id);

-- One team per person per datathon: the unique (event_id, user_id) key.
CREATE TABLE datathon_team_members (
  team_id int NOT NULL,
  event_id int NOT NULL,
  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  joined_at timestamptz NOT NULL,
  FOREIGN KEY (team_id, event_id) REFERENCES datathon_teams (id, event_id) ON DELETE CASCADE,
  PRIMARY KEY (team_id, user_id),
  UNIQUE (event_id, user_id)
);

-- A team's invitation of an account, or a person's request to join a team.
CREATE TABLE datathon_team_requests (
  id serial PRIMARY KEY,
  team_id int NOT NULL REFERENCES datathon_teams (id) ON DELETE CASCADE,
  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('invite', 'request')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
  created_at timestamptz NOT NULL,
  decided_at timestamptz
);
CREATE UNIQUE INDEX datathon_team_requests_pending_idx ON datathon_team_requests (team_id, user_id) WHERE status = 'pending';
CREATE INDEX datathon_team_requests_user_idx ON datathon_team_requests (user_id, status);

CREATE TABLE datathon_submissions (
  id serial PRIMARY KEY,
  event_id int NOT NULL,
  team_id int NOT NULL UNIQUE,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
  repository_url text CHECK (repository_url ~ '^https?://'),
  demo_url text CHECK (demo_url ~ '^https?://'),
  licence text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  FOREIGN KEY (team_id, event_id) REFERENCES datathon_teams (id, event_id) ON DELETE CASCADE,
  UNIQUE (id, event_id)
);
CREATE INDEX datathon_submissions_event_idx ON datathon_submissions (event_id, id);

CREATE TABLE datathon_submission_datasets (
  submission_id int NOT NULL REFERENCES datathon_submissions (id) ON DELETE CASCADE,
  dataset_id int NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  PRIMARY KEY (submission_id, dataset_id)
);
CREATE INDEX datathon_submission_datasets_dataset_idx ON datathon_submission_datasets (dataset_id);

CREATE TABLE datathon_screenshots (
  id serial PRIMARY KEY,
  submission_id int NOT NULL REFERENCES datathon_submissions (id) ON DELETE CASCADE,
  caption text NOT NULL CHECK (length(caption) BETWEEN 1 AND 300),
  file_key text NOT NULL,
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX datathon_screenshots_submission_idx ON datathon_screenshots (submission_id, id);

-- ---- Judging ----

CREATE TABLE datathon_judges (
  event_id int NOT NULL REFERENCES datathons (event_id) ON DELETE CASCADE,
  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id)
);
CREATE INDEX datathon_judges_user_idx ON datathon_judges (user_id);

-- At most six per datathon (counted under the datathon's row lock).
CREATE TABLE datathon_criteria (
  id serial PRIMARY KEY,
  event_id int NOT NULL REFERENCES datathons (event_id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  weight int NOT NULL CHECK (weight BETWEEN 1 AND 10),
  UNIQUE (event_id, name)
);

CREATE TABLE datathon_scores (
  submission_id int NOT NULL REFERENCES datathon_submissions (id) ON DELETE CASCADE,
  judge_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  criterion_id int NOT NULL REFERENCES datathon_criteria (id) ON DELETE CASCADE,
  score int NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
  scored_at timestamptz NOT NULL,
  PRIMARY KEY (submission_id, judge_id, criterion_id)
);
CREATE INDEX datathon_scores_judge_idx ON datathon_scores (judge_id);

-- A judge who belongs to the organisation of a member of the team: they may not score it.
CREATE TABLE datathon_conflicts (
  submission_id int NOT NULL REFERENCES datathon_submissions (id) ON DELETE CASCADE,
  judge_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id int NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (submission_id, judge_id)
);

-- ---- The people's choice ----

CREATE TABLE datathon_vote_invalidations (
  id serial PRIMARY KEY,
  event_id int NOT NULL REFERENCES datathons (event_id) ON DELETE CASCADE,
  by_user_id int REFERENCES users (id) ON DELETE SET NULL,
  ip_block text,
  email_domain text,
  from_time timestamptz,
  to_time timestamptz,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  invalidated int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One vote per account per datathon: the unique (event_id, user_id) key.
CREATE TABLE datathon_votes (
  id bigserial PRIMARY KEY,
  event_id int NOT NULL,
  submission_id int NOT NULL,
  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  ip_block text NOT NULL,
  email_domain text NOT NULL,
  created_at timestamptz NOT NULL,
  valid boolean NOT NULL DEFAULT true,
  invalidated_at timestamptz,
  invalidation_id int REFERENCES datathon_vote_invalidations (id) ON DELETE SET NULL,
  FOREIGN KEY (submission_id, event_id) REFERENCES datathon_submissions (id, event_id) ON DELETE CASCADE,
  UNIQUE (event_id, user_id)
);
CREATE INDEX datathon_votes_submission_idx ON datathon_votes (submission_id) WHERE valid;
