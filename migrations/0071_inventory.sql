-- A city's inventory (the data audit): the register of information it holds, each entry's
-- status on the way to publication, and the publication plan's reminders.

CREATE TABLE inventory_items (
  id serial PRIMARY KEY,
  city_id integer NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  -- The unit responsible for the information and how to reach it.
  unit text NOT NULL CHECK (length(unit) BETWEEN 1 AND 300),
  contact text NOT NULL DEFAULT '' CHECK (length(contact) <= 300),
  -- Where it lives: the system and the format it is kept in.
  system text NOT NULL DEFAULT '' CHECK (length(system) <= 300),
  format text NOT NULL DEFAULT '' CHECK (length(format) <= 100),
  personal_data boolean NOT NULL DEFAULT false,
  -- A legal limit on publication, with the law and article; empty when none.
  legal_limits text NOT NULL DEFAULT '' CHECK (length(legal_limits) <= 1000),
  -- Value to users, each criterion 0–3 (see README): how often people ask for it, how much it
  -- would be used, how ready it is to publish. The priority is their sum, 0–9.
  demand smallint NOT NULL DEFAULT 0 CHECK (demand BETWEEN 0 AND 3),
  impact smallint NOT NULL DEFAULT 0 CHECK (impact BETWEEN 0 AND 3),
  readiness smallint NOT NULL DEFAULT 0 CHECK (readiness BETWEEN 0 AND 3),
  status text NOT NULL DEFAULT 'not_published' CHECK (status IN ('not_published', 'planned', 'published', 'restricted')),
  planned_on date,
  responsible_name text,
  responsible_email text,
  dataset_id integer REFERENCES datasets (id) ON DELETE SET NULL,
  restriction_reason text,
  -- The mandatory list item the entry answers, if any.
  mandatory_item_id integer REFERENCES mandatory_items (id) ON DELETE SET NULL,
  -- The last day a reminder about the plan went to the responsible person.
  reminded_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'planned' OR (planned_on IS NOT NULL AND responsible_name IS NOT NULL AND responsible_email IS NOT NULL)),
  CHECK (status <> 'restricted' OR length(coalesce(restriction_reason, '')) > 0),
  UNIQUE (city_id, name)
);
CREATE INDEX inventory_items_city_idx ON inventory_items (city_id, status);
CREATE INDEX inventory_items_plan_idx ON inventory_items (planned_on) WHERE status = 'planned';
