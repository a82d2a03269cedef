-- The 2026 income-tax parameters. The community share: 64 %, kept by the State Budget Law for 2026
-- (bill reg. No 14000, adopted as a whole on 03.12.2025, signed on 10.12.2025): the Association
-- of Cities of Ukraine reports that it keeps 64 % of personal income tax in the communities'
-- budgets, 4 % of it with restricted use (auc.org.ua, "Держбюджет-2026 схвалено парламентом");
-- the first reading had already restored 64 % against the draft's 60 % (nikvesti.com,
-- 22.10.2025). The law's number and the article making the exception to the Budget Code's
-- art. 64 were not confirmed from its text, and the source says so; an admin can replace it.
-- The 18 % rate: Tax Code art. 167.1, unchanged (as for 2016–2025). A value an admin has
-- already recorded is left alone.
--
-- Order: this file runs before 0046 creates the table on a new database, so here it adds the rows
-- only where the table already exists (an installation that had run 0046 and 0048); on a new
-- database 0048 adds the same rows after the table is made.
DO $$
BEGIN
  IF to_regclass('budget_tax_parameters') IS NOT NULL THEN
    INSERT INTO budget_tax_parameters (year, parameter, value, source, source_url, updated_at) VALUES
      (2026, 'pit_city_share', 0.64,
       'Закон України «Про Державний бюджет України на 2026 рік» (законопроєкт реєстр. № 14000, прийнятий 03.12.2025): 64 % ПДФО збережено в бюджетах громад, з них 4 % — з обмеженим використанням (за повідомленням Асоціації міст України; номер закону і статтю, що встановлює виняток зі ст. 64 Бюджетного кодексу, за текстом закону не перевірено)',
       'https://www.auc.org.ua/novyna/derzhbyudzhet-2026-shvaleno-parlamentom-chogo-ochikuvaty-gromadam', now()),
      (2026, 'pit_rate', 0.18,
       'Податковий кодекс України, ст. 167.1 (ставка 18 % у редакції Закону № 909-VIII від 24.12.2015)',
       'https://zakon.rada.gov.ua/laws/show/2755-17', now())
    ON CONFLICT (parameter, year) DO NOTHING;
  END IF;
END $$;
