-- One ЄДРПОУ, one organisation. Procurement maps buyers to cities by their ЄДРПОУ, so a second
-- organisation carrying a code would move the first one's data. Organisations without a code are
-- many, hence a partial index. Should two organisations already share a code, the migration stops
-- naming them: which one holds the code is for a person to decide, not for this script.
DO $$
DECLARE
  duplicate record;
BEGIN
  SELECT edrpou, string_agg(slug, ', ' ORDER BY slug) AS slugs INTO duplicate
    FROM organizations WHERE edrpou IS NOT NULL GROUP BY edrpou HAVING count(*) > 1 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'organisations % share the ЄДРПОУ %; clear it on all but the one it belongs to, then migrate again',
      duplicate.slugs, duplicate.edrpou;
  END IF;
END $$;
CREATE UNIQUE INDEX organizations_edrpou_unique ON organizations (edrpou) WHERE edrpou IS NOT NULL;
