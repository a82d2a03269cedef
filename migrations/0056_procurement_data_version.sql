-- Anonymous visitors' procurement pages are rendered once per change (platform/data-version.ts):
-- imports write procedures and recompute flags, each bumping the version once per statement.
INSERT INTO data_versions (name) VALUES ('procurement');
CREATE TRIGGER procurement_procedures_data_version AFTER INSERT OR UPDATE OR DELETE ON procurement_procedures
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('procurement');
CREATE TRIGGER procurement_flags_data_version AFTER INSERT OR UPDATE OR DELETE ON procurement_flags
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('procurement');
