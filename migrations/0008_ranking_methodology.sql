-- The transparency ranking's methodology, versioned per year: areas with their maximum points,
-- indicators with their rubric levels. Publishing a version freezes it: a trigger refuses any
-- change to a published version's areas, indicators and levels.

CREATE TABLE ranking_methodologies (
  id serial PRIMARY KEY,
  year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  version text NOT NULL UNIQUE CHECK (version ~ '^[A-Za-z0-9._-]{1,40}$'),
  title_uk text NOT NULL,
  title_en text NOT NULL,
  title_bg text NOT NULL,
  demo boolean NOT NULL DEFAULT false,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ranking_areas (
  id serial PRIMARY KEY,
  methodology_id int NOT NULL REFERENCES ranking_methodologies(id) ON DELETE CASCADE,
  position int NOT NULL,
  code text NOT NULL,
  name_uk text NOT NULL,
  name_en text NOT NULL,
  name_bg text NOT NULL,
  max_points numeric(8,2) NOT NULL CHECK (max_points > 0),
  UNIQUE (methodology_id, code)
);

CREATE TABLE ranking_indicators (
  id serial PRIMARY KEY,
  methodology_id int NOT NULL REFERENCES ranking_methodologies(id) ON DELETE CASCADE,
  area_id int NOT NULL REFERENCES ranking_areas(id) ON DELETE CASCADE,
  position int NOT NULL,
  code text NOT NULL,
  question_uk text NOT NULL,
  question_en text NOT NULL,
  question_bg text NOT NULL,
  guidance_uk text NOT NULL DEFAULT '',
  guidance_en text NOT NULL DEFAULT '',
  guidance_bg text NOT NULL DEFAULT '',
  points numeric(6,2) NOT NULL CHECK (points > 0),
  type text NOT NULL CHECK (type IN ('legal', 'best_practice', 'both')),
  evidence text[] NOT NULL DEFAULT '{}',
  not_applicable_allowed boolean NOT NULL DEFAULT false,
  UNIQUE (methodology_id, code)
);

CREATE TABLE ranking_levels (
  id serial PRIMARY KEY,
  indicator_id int NOT NULL REFERENCES ranking_indicators(id) ON DELETE CASCADE,
  position int NOT NULL,
  value numeric(4,3) NOT NULL CHECK (value >= 0 AND value <= 1),
  description_uk text NOT NULL,
  description_en text NOT NULL,
  description_bg text NOT NULL,
  UNIQUE (indicator_id, value)
);

CREATE FUNCTION ranking_methodology_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target int;
BEGIN
  IF TG_TABLE_NAME = 'ranking_levels' AND TG_OP = 'DELETE' THEN
    SELECT methodology_id INTO target FROM ranking_indicators WHERE id = OLD.indicator_id;
  ELSIF TG_TABLE_NAME = 'ranking_levels' THEN
    SELECT methodology_id INTO target FROM ranking_indicators WHERE id = NEW.indicator_id;
  ELSIF TG_OP = 'DELETE' THEN
    target := OLD.methodology_id;
  ELSE
    target := NEW.methodology_id;
  END IF;
  IF EXISTS (SELECT 1 FROM ranking_methodologies WHERE id = target AND published_at IS NOT NULL) THEN
    RAISE EXCEPTION 'methodology % is published and cannot change', target USING ERRCODE = 'check_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;

CREATE TRIGGER ranking_areas_frozen BEFORE INSERT OR UPDATE OR DELETE ON ranking_areas FOR EACH ROW EXECUTE FUNCTION ranking_methodology_frozen();
CREATE TRIGGER ranking_indicators_frozen BEFORE INSERT OR UPDATE OR DELETE ON ranking_indicators FOR EACH ROW EXECUTE FUNCTION ranking_methodology_frozen();
CREATE TRIGGER ranking_levels_frozen BEFORE INSERT OR UPDATE OR DELETE ON ranking_levels FOR EACH ROW EXECUTE FUNCTION ranking_methodology_frozen();
