-- Procurement from Prozorro in OCDS 1.1 (issue 16). One row per contracting process (`ocid`)
-- holding its compiled release, and the parts the pages and red flags query, kept in their own
-- tables and rebuilt from the compiled release whenever a newer one arrives.

-- Budget institutions (schools, hospitals, utilities) belong to a city council: their purchases
-- count as the city's. A council and its institutions are matched to buyers by ЄДРПОУ.
ALTER TABLE organizations
  ADD COLUMN parent_id integer REFERENCES organizations (id) ON DELETE SET NULL,
  ADD CONSTRAINT organizations_parent_not_self CHECK (parent_id <> id);
ALTER TABLE organizations DROP CONSTRAINT organizations_kind_check;
ALTER TABLE organizations
  ADD CONSTRAINT organizations_kind_check CHECK (kind IN ('city_council', 'cso', 'operator', 'budget_institution'));
CREATE INDEX organizations_edrpou_idx ON organizations (edrpou) WHERE edrpou IS NOT NULL;

-- One upload (or one connector run) of OCDS data: imported whole or not at all.
CREATE TABLE procurement_imports (
  id serial PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('upload', 'feed', 'demo', 'cli')),
  file_key text,
  file_name text NOT NULL,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  created_by integer REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- {releases, records, procedures_created, procedures_updated, unchanged} once done.
  counts jsonb,
  -- The place and the reason when the file was refused: {"where": "line 12, /releases/0/ocid", "message": …}.
  error jsonb
);

-- Individual releases as published, so that releases of one process arriving over several files
-- are merged by OCDS's merge rules into its compiled release.
CREATE TABLE procurement_releases (
  ocid text NOT NULL,
  release_id text NOT NULL,
  date timestamptz NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (ocid, release_id)
);

CREATE TABLE procurement_procedures (
  ocid text PRIMARY KEY CHECK (ocid ~ '^ocds-[a-z0-9]{6}-'),
  tender_id text,
  title text NOT NULL DEFAULT '',
  -- The buyer as UA-EDR code (ЄДРПОУ) and name; city_id when the buyer is a city's council or one of its institutions.
  buyer_edrpou text,
  buyer_name text NOT NULL DEFAULT '',
  buyer_kind text,
  city_id integer REFERENCES cities (id) ON DELETE SET NULL,
  method text,
  method_type text,
  main_category text,
  status text,
  value_amount numeric,
  currency text,
  tender_start timestamptz,
  tender_end timestamptz,
  -- When the process began: the tender's start, else its first date (a `reporting` procedure has no tender period).
  started_at timestamptz,
  year integer,
  -- The compiled release's date: a release with a later date replaces this one, never an earlier one.
  release_date timestamptz NOT NULL,
  bidders integer NOT NULL DEFAULT 0,
  -- The money in active contracts (else active awards), the procedure's spend.
  spend numeric NOT NULL DEFAULT 0,
  compiled jsonb NOT NULL,
  demo boolean NOT NULL DEFAULT false,
  import_id integer REFERENCES procurement_imports (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  search_text text NOT NULL DEFAULT ''
);
CREATE INDEX procurement_procedures_city_year_idx ON procurement_procedures (city_id, year);
CREATE INDEX procurement_procedures_buyer_idx ON procurement_procedures (buyer_edrpou);

CREATE TABLE procurement_lots (
  ocid text NOT NULL REFERENCES procurement_procedures (ocid) ON DELETE CASCADE,
  lot_id text NOT NULL,
  title text NOT NULL DEFAULT '',
  status text,
  value_amount numeric,
  PRIMARY KEY (ocid, lot_id)
);

-- Items classified by ДК 021:2015 (the Ukrainian CPV): division = first 2 digits, class = first 4.
CREATE TABLE procurement_items (
  ocid text NOT NULL REFERENCES procurement_procedures (ocid) ON DELETE CASCADE,
  item_id text NOT NULL,
  lot_id text,
  description text NOT NULL DEFAULT '',
  cpv text,
  quantity numeric,
  unit text,
  PRIMARY KEY (ocid, item_id)
);
CREATE INDEX procurement_items_cpv_idx ON procurement_items (cpv);

-- Statuses normalised to OCDS's bid status codes: pending, valid, disqualified, withdrawn, invited.
CREATE TABLE procurement_bids (
  ocid text NOT NULL REFERENCES procurement_procedures (ocid) ON DELETE CASCADE,
  bid_id text NOT NULL,
  tenderer_edrpou text,
  tenderer_name text NOT NULL DEFAULT '',
  tenderers integer NOT NULL DEFAULT 1,
  status text,
  amount numeric,
  date timestamptz,
  lot_id text,
  PRIMARY KEY (ocid, bid_id)
);
CREATE INDEX procurement_bids_tenderer_idx ON procurement_bids (tenderer_edrpou);

CREATE TABLE procurement_awards (
  ocid text NOT NULL REFERENCES procurement_procedures (ocid) ON DELETE CASCADE,
  award_id text NOT NULL,
  lot_id text,
  bid_id text,
  status text,
  supplier_edrpou text,
  supplier_name text NOT NULL DEFAULT '',
  suppliers integer NOT NULL DEFAULT 1,
  amount numeric,
  date timestamptz,
  PRIMARY KEY (ocid, award_id)
);
CREATE INDEX procurement_awards_supplier_idx ON procurement_awards (supplier_edrpou);

CREATE TABLE procurement_contracts (
  ocid text NOT NULL REFERENCES procurement_procedures (ocid) ON DELETE CASCADE,
  contract_id text NOT NULL,
  award_id text,
  status text,
  supplier_edrpou text,
  supplier_name text NOT NULL DEFAULT '',
  amount numeric,
  date_signed timestamptz,
  period_start timestamptz,
  period_end timestamptz,
  PRIMARY KEY (ocid, contract_id)
);
CREATE INDEX procurement_contracts_supplier_idx ON procurement_contracts (supplier_edrpou);

-- Amendments to a contract (Prozorro's contract `changes`, with their rationale types).
CREATE TABLE procurement_contract_changes (
  ocid text NOT NULL REFERENCES procurement_procedures (ocid) ON DELETE CASCADE,
  contract_id text NOT NULL,
  change_id text NOT NULL,
  status text,
  rationale text NOT NULL DEFAULT '',
  rationale_types text[] NOT NULL DEFAULT '{}',
  date timestamptz,
  PRIMARY KEY (ocid, contract_id, change_id)
);

-- Complaints to the buyer or to the review body (АМКУ), on the tender or on an award.
CREATE TABLE procurement_complaints (
  ocid text NOT NULL REFERENCES procurement_procedures (ocid) ON DELETE CASCADE,
  complaint_id text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('tender', 'award', 'qualification', 'cancellation')),
  related_id text,
  type text,
  status text,
  title text NOT NULL DEFAULT '',
  date_submitted timestamptz,
  date_decision timestamptz,
  PRIMARY KEY (ocid, complaint_id)
);

-- Organisations as the data names them, by their UA-EDR identifier (ЄДРПОУ).
CREATE TABLE procurement_parties (
  edrpou text PRIMARY KEY,
  name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Red flags: one row per indicator that fired on a subject, with the data that made it fire.
CREATE TABLE procurement_flags (
  id bigserial PRIMARY KEY,
  indicator text NOT NULL,
  subject_type text NOT NULL CHECK (subject_type IN ('procedure', 'contract', 'buyer', 'supplier')),
  -- An ocid, "ocid/contract id", or an ЄДРПОУ.
  subject_id text NOT NULL,
  ocid text,
  value numeric,
  evidence jsonb NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (indicator, subject_type, subject_id)
);
CREATE INDEX procurement_flags_ocid_idx ON procurement_flags (ocid);
CREATE INDEX procurement_flags_subject_idx ON procurement_flags (subject_type, subject_id);

-- Subscriptions (as DOZORRO's): a person follows a buyer, a supplier or a procedure and gets mail on change.
CREATE TABLE procurement_watches (
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  subject_type text NOT NULL CHECK (subject_type IN ('procedure', 'buyer', 'supplier')),
  subject_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, subject_type, subject_id)
);
CREATE INDEX procurement_watches_subject_idx ON procurement_watches (subject_type, subject_id);

-- Prozorro's public API feeds (tenders, contracts), read page by page; `next_offset` is where the
-- next run resumes, saved with the data of each page, so a crash loses nothing and repeats nothing.
CREATE TABLE procurement_feeds (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  base_url text NOT NULL CHECK (base_url ~ '^https?://'),
  resource text NOT NULL CHECK (resource IN ('tenders', 'contracts')),
  next_offset text NOT NULL DEFAULT '',
  -- At most one page request per this many milliseconds (a polite rate).
  pause_ms integer NOT NULL DEFAULT 1000 CHECK (pause_ms BETWEEN 100 AND 60000),
  enabled boolean NOT NULL DEFAULT true,
  last_run_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
