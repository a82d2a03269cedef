-- A participatory-budget project names the Prozorro procedure that delivers it (issue 16's
-- links): its ocid, which need not be imported here (the page then links to Prozorro only).
ALTER TABLE budget_projects ADD COLUMN procurement_ocid text CHECK (procurement_ocid ~ '^ocds-[a-z0-9]{6}-');
CREATE INDEX budget_projects_procurement_ocid ON budget_projects (procurement_ocid) WHERE procurement_ocid IS NOT NULL;
