-- A participatory-budget cycle names the programme of the city budget it is paid from: a local
-- programme code (КПКВКМБ, 7 digits) of the city's budget, as in the Treasury's EXPENSES/PROGRAM
-- files (COD_CONS_MB_PK). The city budget's page marks that programme as the participatory budget.
ALTER TABLE budget_cycles ADD COLUMN programme_code text CHECK (programme_code ~ '^[0-9]{7}$');
CREATE INDEX budget_cycles_programme ON budget_cycles (city_id, programme_code) WHERE programme_code IS NOT NULL;

-- The city budget's pages (cached for anonymous visitors per change of city budgets) show it.
CREATE TRIGGER budget_cycles_programme_data_version AFTER INSERT OR DELETE OR UPDATE OF programme_code ON budget_cycles
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('city_budgets');
