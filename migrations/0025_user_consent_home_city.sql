-- Registration asks for consent to the processing of personal data (recorded with the version of the
-- notice agreed to) and, optionally, the person's home city, which the platform can start them from.
ALTER TABLE users
  ADD COLUMN home_city_id integer REFERENCES cities (id) ON DELETE SET NULL,
  ADD COLUMN privacy_consent_at timestamptz,
  ADD COLUMN privacy_notice_version text;
