-- The words of the catalog's search text, each once, with a trigram index: a search with a typo
-- looks up the close words here (a small table) and then searches for them literally, instead
-- of comparing the query with the whole text of every dataset.

CREATE TABLE catalog_words (
  word text PRIMARY KEY
);
CREATE INDEX catalog_words_trgm ON catalog_words USING gin (word gin_trgm_ops);

CREATE FUNCTION catalog_words_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_words (word)
  SELECT DISTINCT w FROM regexp_split_to_table(NEW.search_text, '[\s,.;:!?()"«»/]+') AS w
  WHERE length(w) BETWEEN 3 AND 60
  ON CONFLICT (word) DO NOTHING;
  RETURN NEW;
END $$;

CREATE TRIGGER datasets_words AFTER INSERT OR UPDATE OF search_text ON datasets FOR EACH ROW EXECUTE FUNCTION catalog_words_collect();

INSERT INTO catalog_words (word)
SELECT DISTINCT w FROM datasets, regexp_split_to_table(search_text, '[\s,.;:!?()"«»/]+') AS w
WHERE length(w) BETWEEN 3 AND 60
ON CONFLICT (word) DO NOTHING;
