-- Publishing a ranking campaign: each publication (the first, then every correction) is a
-- numbered revision holding the results as they were published, with a public change note.
-- Once a campaign is published its scores change only through a correction, which sets
-- hromada.ranking_correction for its transaction; a trigger refuses any other change.

CREATE TABLE ranking_revisions (
  id serial PRIMARY KEY,
  campaign_id int NOT NULL REFERENCES ranking_campaigns(id) ON DELETE CASCADE,
  revision int NOT NULL CHECK (revision >= 1),
  change_note text NOT NULL DEFAULT '',
  -- The computed results of every city (total, place, band, areas, shares) as published.
  results jsonb NOT NULL,
  published_by int REFERENCES users(id) ON DELETE SET NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, revision)
);

CREATE FUNCTION ranking_revisions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'published ranking revisions cannot change' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER ranking_revisions_immutable BEFORE UPDATE ON ranking_revisions FOR EACH ROW EXECUTE FUNCTION ranking_revisions_immutable();

-- The score changes a correction made, shown with its revision.
CREATE TABLE ranking_corrections (
  id serial PRIMARY KEY,
  revision_id int NOT NULL REFERENCES ranking_revisions(id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities(id),
  indicator_id int NOT NULL REFERENCES ranking_indicators(id),
  previous_value numeric(4,3),
  previous_not_applicable boolean NOT NULL,
  new_value numeric(4,3),
  new_not_applicable boolean NOT NULL
);

CREATE FUNCTION ranking_scores_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target int := COALESCE(NEW.campaign_id, OLD.campaign_id);
BEGIN
  IF EXISTS (SELECT 1 FROM ranking_campaigns WHERE id = target AND phase = 'published')
     AND COALESCE(current_setting('hromada.ranking_correction', true), '') <> 'on' THEN
    RAISE EXCEPTION 'campaign % is published: scores change only through a correction', target USING ERRCODE = 'check_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER ranking_scores_frozen BEFORE INSERT OR UPDATE OR DELETE ON ranking_scores FOR EACH ROW EXECUTE FUNCTION ranking_scores_frozen();

-- Evidence files attached to a score by its assessor, or to an appeal by the appellant.
CREATE TABLE ranking_evidence_files (
  id serial PRIMARY KEY,
  campaign_id int NOT NULL REFERENCES ranking_campaigns(id) ON DELETE CASCADE,
  city_id int NOT NULL REFERENCES cities(id),
  indicator_id int NOT NULL REFERENCES ranking_indicators(id),
  appeal_id int REFERENCES ranking_appeals(id) ON DELETE CASCADE,
  file_key text NOT NULL,
  file_name text NOT NULL,
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  uploaded_by int REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ranking_evidence_files_score ON ranking_evidence_files (campaign_id, city_id, indicator_id);

CREATE INDEX ranking_scores_indicator ON ranking_scores (campaign_id, indicator_id);
