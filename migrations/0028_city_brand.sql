-- A city's own look on its pages: a coat of arms or logo (PNG, or SVG kept only after it was
-- sanitised) in the file store, and an accent colour dark enough for text on white (checked by
-- the application: WCAG AA contrast 4.5:1). Set by the city's editors.
ALTER TABLE cities
  ADD COLUMN logo_key text,
  ADD COLUMN logo_type text CHECK (logo_type IN ('image/png', 'image/svg+xml')),
  ADD COLUMN logo_sha256 text,
  ADD COLUMN accent_color text CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
  ADD CONSTRAINT cities_logo_complete CHECK ((logo_key IS NULL) = (logo_type IS NULL));
