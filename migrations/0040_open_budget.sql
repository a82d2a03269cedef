-- City budget ("Бюджет міста", the open budget): the Treasury's execution files of a city's budget
-- (openbudget.gov.ua, one CSV per budget, item and year), imported by editors; not to be confused
-- with participatory budgets (budget_cycles, "Громадський бюджет").

-- One import of one file: who, when, from where, which item and year, and what the validation found.
CREATE TABLE open_budget_imports (
  id bigserial PRIMARY KEY,
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  item text NOT NULL CHECK (item IN ('INCOMES', 'EXPENSES', 'FINANCING_DEBTS', 'FINANCING_CREDITOR', 'CREDITS')),
  -- The expenses' classification; '' for items that have one (incomes by ККД, financing).
  classification text NOT NULL DEFAULT '' CHECK (classification IN ('', 'PROGRAM', 'FUNCTIONAL', 'ECONOMIC', 'CREDIT')),
  source text NOT NULL CHECK (source IN ('upload', 'datastore', 'openbudget')),
  -- The uploaded file's name, the DataStore resource id, or the address the file was fetched from.
  source_ref text NOT NULL DEFAULT '',
  -- The bytes as received (uploads and fetched files), kept so the import can be re-run and audited.
  file_key text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'rejected', 'failed')),
  -- [{severity: 'error'|'warning', code, file, row, column, message params…}], row 1 = header.
  report jsonb NOT NULL DEFAULT '[]',
  row_count int,
  months int[],
  encoding text,
  created_by int REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- The durable job that runs it (jobs.resource_id names DataStore resources only).
  job_id bigint REFERENCES jobs(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX open_budget_imports_job ON open_budget_imports (job_id);
CREATE INDEX open_budget_imports_city ON open_budget_imports (city_id, created_at DESC);
CREATE INDEX open_budget_imports_by ON open_budget_imports (created_by, created_at DESC);

-- The facts as the Treasury publishes them: one row per month (REP_PERIOD), fund and code(s).
-- Amounts are the file's own: plan_year = ZAT_AMT (annual plan with amendments), plan_period =
-- PLANS_AMT (plan to date), executed = FAKT_AMT, which is CUMULATIVE from January; a month's own
-- execution is derived (see open_budget_monthly). Parent rows are kept beside their children and
-- marked is_leaf = false: totals are always sums of leaves.
CREATE TABLE open_budget_facts (
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  budget_code text NOT NULL,
  year smallint NOT NULL,
  month smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
  item text NOT NULL,
  classification text NOT NULL,
  fund char(1) NOT NULL CHECK (fund IN ('C', 'S', 'T')),
  -- The row's code in the file's own classification (ККД, КПКВКМБ, КФКВК, КЕКВ…).
  code text NOT NULL,
  -- An expenses row's other codes, '' when the file has none.
  program_code text NOT NULL DEFAULT '',
  functional_code text NOT NULL DEFAULT '',
  economic_code text NOT NULL DEFAULT '',
  name text NOT NULL DEFAULT '',
  -- The top of the code's hierarchy (section), for summaries and the drill-down's first level.
  section_code text NOT NULL,
  is_leaf boolean NOT NULL,
  known_code boolean NOT NULL,
  plan_year numeric(18, 2),
  plan_period numeric(18, 2),
  executed numeric(18, 2),
  import_id bigint NOT NULL REFERENCES open_budget_imports(id) ON DELETE CASCADE
);
-- A city's page reads one year's item and month; a period is swapped by the same key.
CREATE INDEX open_budget_facts_page ON open_budget_facts (city_id, year, item, classification, month);

-- Sums of leaves per section, month and fund, rebuilt for the months an import replaces: the
-- budget page's totals, the execution curve and the comparison of cities read these.
CREATE TABLE open_budget_sections (
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  year smallint NOT NULL,
  month smallint NOT NULL,
  item text NOT NULL,
  classification text NOT NULL,
  fund char(1) NOT NULL,
  -- For expenses the functional section (КФКВК's top) when the file names functions, else the
  -- file's own top-level code; for incomes the ККД's top-level group.
  section_code text NOT NULL,
  plan_year numeric(18, 2) NOT NULL,
  plan_period numeric(18, 2) NOT NULL,
  executed numeric(18, 2) NOT NULL,
  PRIMARY KEY (city_id, year, item, classification, month, fund, section_code)
);
CREATE INDEX open_budget_sections_compare ON open_budget_sections (year, item, fund);

-- A month's own execution, derived from the cumulative figures.
CREATE VIEW open_budget_monthly AS
SELECT f.*,
  f.executed - coalesce(lag(f.executed) OVER (
    PARTITION BY f.city_id, f.year, f.item, f.classification, f.fund, f.code, f.program_code,
      f.functional_code, f.economic_code
    ORDER BY f.month), 0) AS executed_in_month
FROM open_budget_facts f;

-- The budget the council approved (its decision is a separate document from the Treasury's files):
-- entered by an editor, per year, item and section.
CREATE TABLE open_budget_approved (
  id bigserial PRIMARY KEY,
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  item text NOT NULL CHECK (item IN ('INCOMES', 'EXPENSES')),
  code text NOT NULL CHECK (code ~ '^[0-9]{4,8}$'),
  fund char(1) NOT NULL CHECK (fund IN ('C', 'S', 'T')),
  amount numeric(18, 2) NOT NULL CHECK (amount >= 0),
  decision text NOT NULL DEFAULT '',
  created_by int REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (city_id, year, item, code, fund)
);

-- Anonymous visitors' budget pages are rendered once per change (platform/data-version.ts).
INSERT INTO data_versions (name) VALUES ('city_budgets');
CREATE TRIGGER open_budget_sections_data_version AFTER INSERT OR UPDATE OR DELETE ON open_budget_sections
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('city_budgets');
CREATE TRIGGER open_budget_approved_data_version AFTER INSERT OR UPDATE OR DELETE ON open_budget_approved
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('city_budgets');
