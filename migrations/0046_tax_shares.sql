-- Parameters of "where do my taxes go", per budget year, each with its legal source: the personal
-- income tax rate (Tax Code of Ukraine, art. 167) and the share of that tax credited to the budget
-- of a city (territorial community) (Budget Code of Ukraine, art. 64, as amended for the year).
-- Edited by admins; the demo and a fresh install get the sourced values from the application.
CREATE TABLE budget_tax_parameters (
  year integer NOT NULL CHECK (year BETWEEN 1991 AND 2100),
  parameter text NOT NULL CHECK (parameter IN ('pit_rate', 'pit_city_share')),
  -- A fraction: 0.18 for 18 %, 0.64 for 64 %.
  value numeric(6, 5) NOT NULL CHECK (value > 0 AND value <= 1),
  source text NOT NULL CHECK (length(source) BETWEEN 1 AND 500),
  source_url text CHECK (source_url ~ '^https?://' AND length(source_url) <= 1000),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (parameter, year)
);
