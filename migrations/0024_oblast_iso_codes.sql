-- ISO 3166-2 codes of the regions, the key that joins them to boundary files (geo/ukraine-oblasts.geojson)
-- and to other publishers' data. Sevastopol has no row yet: the base map names it on its own.
ALTER TABLE oblasts ADD COLUMN iso_code text UNIQUE CHECK (iso_code ~ '^UA-[0-9]{2}$');
UPDATE oblasts SET iso_code = c.iso FROM (VALUES
  ('vinnytska', 'UA-05'), ('volynska', 'UA-07'), ('luhanska', 'UA-09'), ('dnipropetrovska', 'UA-12'),
  ('donetska', 'UA-14'), ('zhytomyrska', 'UA-18'), ('zakarpatska', 'UA-21'), ('zaporizka', 'UA-23'),
  ('ivano-frankivska', 'UA-26'), ('kyiv-city', 'UA-30'), ('kyivska', 'UA-32'), ('kirovohradska', 'UA-35'),
  ('krym', 'UA-43'), ('lvivska', 'UA-46'), ('mykolaivska', 'UA-48'), ('odeska', 'UA-51'), ('poltavska', 'UA-53'),
  ('rivnenska', 'UA-56'), ('sumska', 'UA-59'), ('ternopilska', 'UA-61'), ('kharkivska', 'UA-63'),
  ('khersonska', 'UA-65'), ('khmelnytska', 'UA-68'), ('cherkaska', 'UA-71'), ('chernihivska', 'UA-74'),
  ('chernivetska', 'UA-77')
) AS c (slug, iso) WHERE oblasts.slug = c.slug;
