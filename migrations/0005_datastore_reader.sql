-- Superseded by 0012: datastore_search_sql logs in as a role of its own, which a database
-- administrator creates once (README, "Security"); the application no longer creates roles.
-- This migration stays, empty, so that the numbering of installed databases is unchanged.
SELECT 1;
