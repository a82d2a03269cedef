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

-- The values we could source. The rate: 18 % from 2016 (Tax Code art. 167.1 as amended by Law
-- No 909-VIII of 24.12.2015). The share of a city (territorial community) budget: 60 % from the
-- 2015 decentralisation reform (Budget Code art. 64 as amended by Law No 79-VIII of 28.12.2014),
-- 64 % in 2022 (the State Budget Law for 2022) and in 2024 (60 % plus the 4 % credited for the
-- heating season; from 2024 the income tax of military personnel goes to the state budget). Years
-- we could not confirm are left for admins to add with their source.
INSERT INTO budget_tax_parameters (year, parameter, value, source, source_url, updated_at)
SELECT y, 'pit_rate', 0.18,
       'Податковий кодекс України, ст. 167.1 (ставка 18 % у редакції Закону № 909-VIII від 24.12.2015)',
       'https://zakon.rada.gov.ua/laws/show/2755-17', now()
  FROM generate_series(2016, 2025) AS y;
INSERT INTO budget_tax_parameters (year, parameter, value, source, source_url, updated_at)
SELECT y, 'pit_city_share', 0.60,
       'Бюджетний кодекс України, ст. 64 (60 % ПДФО до бюджетів міст обласного значення та об''єднаних територіальних громад; Закон № 79-VIII від 28.12.2014)',
       'https://zakon.rada.gov.ua/laws/show/2456-17', now()
  FROM generate_series(2015, 2021) AS y;
INSERT INTO budget_tax_parameters (year, parameter, value, source, source_url, updated_at) VALUES
  (2022, 'pit_city_share', 0.64,
   'Бюджетний кодекс України, ст. 64; частку збільшено з 60 % до 64 % Законом України «Про Державний бюджет України на 2022 рік»',
   'https://firtka.if.ua/view/iz-zbilshenniam-chastki-pdfo-gromadi-prikarpattia-otrimaiut-dodatkovo-blizko-300-milioniv-griven-do-svoyikh-biudzhetiv', now()),
  (2024, 'pit_city_share', 0.64,
   'Бюджетний кодекс України, ст. 64: 60 % і додатково 4 % ПДФО для проходження опалювального сезону (Мінфін, листопад 2023); ПДФО військовослужбовців з 2024 року — до державного бюджету',
   'https://decentralization.ua/news/17537', now());
