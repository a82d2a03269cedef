-- Data requests: a resident asks a city for a dataset; the city's editors answer. The states follow
-- ckanext-datarequests (open / closed with an accepted dataset), split where a city's answer needs
-- more: new (awaiting an answer) → accepted (with a planned date) → published (closed, with the
-- catalog dataset) or declined (closed, with a reason); a closed request may be reopened.

CREATE TABLE data_request_rules (
  city_id int PRIMARY KEY REFERENCES cities(id) ON DELETE CASCADE,
  -- Working days a city has to answer before the request is overdue.
  answer_working_days int NOT NULL CHECK (answer_working_days BETWEEN 1 AND 60),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE data_requests (
  id serial PRIMARY KEY,
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  requester_id int REFERENCES users(id) ON DELETE SET NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
  purpose text NOT NULL DEFAULT '' CHECK (length(purpose) <= 2000),
  -- Lower-cased title and description for the text filter (PGlite has only the C locale).
  search_text text NOT NULL DEFAULT '',
  state text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'accepted', 'published', 'declined')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The last day (Europe/Kyiv) of the current answer period, in the city's working days; a reopened
  -- request gets a new one.
  answer_due date NOT NULL,
  -- The city's first answer (accepted, published or declined); reopening does not clear it.
  first_answered_at timestamptz,
  -- Whether that first answer came by the answer period's last day (kept when reopened).
  first_answer_on_time boolean,
  answered_at timestamptz,
  planned_date date,
  dataset_id int REFERENCES datasets(id) ON DELETE SET NULL,
  decline_reason text CHECK (decline_reason IN
    ('does_not_exist', 'personal_data', 'restricted_by_law', 'not_held', 'duplicate', 'other')),
  duplicate_of int REFERENCES data_requests(id) ON DELETE SET NULL,
  closed_at timestamptz,
  hidden_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'accepted' OR planned_date IS NOT NULL),
  CHECK (state <> 'declined' OR decline_reason IS NOT NULL),
  CHECK ((state IN ('published', 'declined')) = (closed_at IS NOT NULL))
);
CREATE INDEX data_requests_city ON data_requests (city_id, created_at DESC);
CREATE INDEX data_requests_state ON data_requests (state, answer_due);
CREATE INDEX data_requests_dataset ON data_requests (dataset_id) WHERE dataset_id IS NOT NULL;

-- Comments and the city's answers in one timeline; an answer records the state it moved to.
CREATE TABLE data_request_comments (
  id serial PRIMARY KEY,
  request_id int NOT NULL REFERENCES data_requests(id) ON DELETE CASCADE,
  author_id int REFERENCES users(id) ON DELETE SET NULL,
  body text NOT NULL CHECK (length(body) <= 5000),
  -- Written by an editor of the request's city or an admin.
  official boolean NOT NULL DEFAULT false,
  state_to text CHECK (state_to IN ('new', 'accepted', 'published', 'declined')),
  created_at timestamptz NOT NULL DEFAULT now(),
  hidden_at timestamptz
);
CREATE INDEX data_request_comments_request ON data_request_comments (request_id, id);

CREATE TABLE data_request_followers (
  request_id int NOT NULL REFERENCES data_requests(id) ON DELETE CASCADE,
  user_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, user_id)
);
CREATE INDEX data_request_followers_user ON data_request_followers (user_id);
