-- Reference data for the open budget: which city a Treasury budget code (COD_BUDGET, 10 or 11
-- digits) belongs to and when. Codes change over time (amalgamations, the 2021 reform), so each
-- holds a validity range; one code never belongs to two ranges that overlap (a trigger checks it,
-- under a lock per code, because the exclusion constraint would need btree_gist, which the
-- embedded engine does not load).
CREATE TABLE city_budget_codes (
  id serial PRIMARY KEY,
  city_id integer NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
  budget_code text NOT NULL CHECK (budget_code ~ '^[0-9]{10,11}$'),
  valid_from date NOT NULL,
  valid_to date,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX city_budget_codes_code_idx ON city_budget_codes (budget_code, valid_from);
CREATE INDEX city_budget_codes_city_idx ON city_budget_codes (city_id);

CREATE FUNCTION city_budget_codes_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('city_budget_codes:' || NEW.budget_code));
  IF EXISTS (
    SELECT 1 FROM city_budget_codes o
     WHERE o.budget_code = NEW.budget_code AND o.id <> NEW.id
       AND daterange(o.valid_from, o.valid_to, '[]') && daterange(NEW.valid_from, NEW.valid_to, '[]')
  ) THEN
    RAISE EXCEPTION 'budget code % already has a validity overlapping % – %', NEW.budget_code, NEW.valid_from, NEW.valid_to
      USING ERRCODE = '23P01', CONSTRAINT = 'city_budget_codes_no_overlap';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER city_budget_codes_no_overlap BEFORE INSERT OR UPDATE ON city_budget_codes
  FOR EACH ROW EXECUTE FUNCTION city_budget_codes_no_overlap();

-- КАТОТТГ (the codifier of administrative-territorial units): "UA" and 17 digits. Checked for
-- new and changed rows; NOT VALID leaves values entered before the check alone.
ALTER TABLE cities ADD CONSTRAINT cities_katottg_format CHECK (katottg ~ '^UA[0-9]{17}$') NOT VALID;
-- ЄДРПОУ of an organisation: 8 digits (the check digit is verified by the application).
ALTER TABLE organizations ADD CONSTRAINT organizations_edrpou_format CHECK (edrpou ~ '^[0-9]{8}$') NOT VALID;
