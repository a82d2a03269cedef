-- The council's decision on a city's budget as a file (PDF, DOCX or XLSX; the Treasury's files
-- carry no approved plan), uploaded by the city's editors and offered on the year's page beside
-- the approved budget table. The bytes are in the platform's file store.
CREATE TABLE open_budget_documents (
  id bigserial PRIMARY KEY,
  city_id int NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
  year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  file_key text NOT NULL,
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  mime_type text NOT NULL CHECK (mime_type IN (
    'application/pdf',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL,
  created_by int REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX open_budget_documents_year ON open_budget_documents (city_id, year, created_at DESC);

-- The year's page is cached for anonymous visitors per change of city budgets.
CREATE TRIGGER open_budget_documents_data_version AFTER INSERT OR UPDATE OR DELETE ON open_budget_documents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('city_budgets');
