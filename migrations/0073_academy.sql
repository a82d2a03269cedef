-- The Data Academy: courses made of lessons (a handbook chapter, or a text of their own in
-- Markdown) and exercises on catalog datasets, the events a course belongs to, and each
-- learner's enrolment, lessons done, answers and completion record (with its verification code).

CREATE TABLE academy_courses (
  id serial PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  title_uk text NOT NULL CHECK (length(title_uk) BETWEEN 1 AND 200),
  title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
  title_bg text NOT NULL CHECK (length(title_bg) BETWEEN 1 AND 200),
  description_uk text NOT NULL DEFAULT '' CHECK (length(description_uk) <= 5000),
  description_en text NOT NULL DEFAULT '' CHECK (length(description_en) <= 5000),
  description_bg text NOT NULL DEFAULT '' CHECK (length(description_bg) <= 5000),
  -- The organiser: an organisation (its members run the course) or, failing one, an account.
  organization_id integer REFERENCES organizations (id) ON DELETE RESTRICT,
  organizer_user_id integer REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (organization_id IS NOT NULL OR organizer_user_id IS NOT NULL)
);

CREATE TABLE academy_lessons (
  id serial PRIMARY KEY,
  course_id integer NOT NULL REFERENCES academy_courses (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position BETWEEN 1 AND 1000),
  -- A handbook chapter (shown in its current revision) or a lesson's own Markdown.
  handbook_slug text REFERENCES handbook_chapters (slug) ON DELETE RESTRICT ON UPDATE CASCADE,
  title_uk text NOT NULL DEFAULT '' CHECK (length(title_uk) <= 200),
  title_en text NOT NULL DEFAULT '' CHECK (length(title_en) <= 200),
  title_bg text NOT NULL DEFAULT '' CHECK (length(title_bg) <= 200),
  body_uk text NOT NULL DEFAULT '' CHECK (length(body_uk) <= 100000),
  body_en text NOT NULL DEFAULT '' CHECK (length(body_en) <= 100000),
  body_bg text NOT NULL DEFAULT '' CHECK (length(body_bg) <= 100000),
  UNIQUE (course_id, position),
  CHECK (handbook_slug IS NOT NULL OR (length(title_uk) > 0 AND length(body_uk) > 0))
);

CREATE TABLE academy_exercises (
  id serial PRIMARY KEY,
  course_id integer NOT NULL REFERENCES academy_courses (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position BETWEEN 1 AND 1000),
  dataset_id integer NOT NULL REFERENCES datasets (id) ON DELETE RESTRICT,
  resource_id uuid REFERENCES resources (id) ON DELETE SET NULL,
  title_uk text NOT NULL CHECK (length(title_uk) BETWEEN 1 AND 200),
  title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
  title_bg text NOT NULL CHECK (length(title_bg) BETWEEN 1 AND 200),
  question_uk text NOT NULL CHECK (length(question_uk) BETWEEN 1 AND 5000),
  question_en text NOT NULL CHECK (length(question_en) BETWEEN 1 AND 5000),
  question_bg text NOT NULL CHECK (length(question_bg) BETWEEN 1 AND 5000),
  answer_kind text NOT NULL CHECK (answer_kind IN ('number', 'text')),
  expected_answer text NOT NULL CHECK (length(expected_answer) BETWEEN 1 AND 200),
  -- For a number: how far an answer may be from the expected one and still be right.
  tolerance numeric NOT NULL DEFAULT 0 CHECK (tolerance >= 0),
  UNIQUE (course_id, position)
);

CREATE TABLE academy_course_events (
  course_id integer NOT NULL REFERENCES academy_courses (id) ON DELETE CASCADE,
  event_id integer NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
  PRIMARY KEY (course_id, event_id)
);
CREATE INDEX academy_course_events_event_idx ON academy_course_events (event_id);

CREATE TABLE academy_enrolments (
  course_id integer NOT NULL REFERENCES academy_courses (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  -- The completion record's public verification code, set once when everything is done.
  certificate_code text UNIQUE CHECK (certificate_code ~ '^[a-z0-9]{16}$'),
  learner_name text,
  PRIMARY KEY (course_id, user_id),
  CHECK ((completed_at IS NULL) = (certificate_code IS NULL))
);
CREATE INDEX academy_enrolments_user_idx ON academy_enrolments (user_id);

CREATE TABLE academy_lesson_progress (
  lesson_id integer NOT NULL REFERENCES academy_lessons (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  done_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (lesson_id, user_id)
);

CREATE TABLE academy_answers (
  exercise_id integer NOT NULL REFERENCES academy_exercises (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  answer text NOT NULL CHECK (length(answer) <= 200),
  correct boolean NOT NULL,
  attempts integer NOT NULL DEFAULT 1,
  answered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (exercise_id, user_id)
);
