-- The handbook of opening and using data: chapters in a fixed order, each language's text kept as
-- a history of revisions (the newest is the current one; none is ever changed or removed).

CREATE TABLE handbook_chapters (
  id serial PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE handbook_revisions (
  id bigserial PRIMARY KEY,
  chapter_id integer NOT NULL REFERENCES handbook_chapters (id) ON DELETE CASCADE,
  locale text NOT NULL CHECK (locale IN ('uk', 'en', 'bg')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  -- Markdown; rendered without raw HTML (handbook/markdown.ts).
  body text NOT NULL CHECK (length(body) <= 100000),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  author_user_id integer REFERENCES users (id) ON DELETE SET NULL,
  author_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handbook_revisions_chapter_idx ON handbook_revisions (chapter_id, locale, id DESC);

CREATE FUNCTION handbook_revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'handbook revisions are kept as written';
END;
$$;
CREATE TRIGGER handbook_revisions_no_change BEFORE UPDATE ON handbook_revisions
  FOR EACH ROW EXECUTE FUNCTION handbook_revisions_append_only();
