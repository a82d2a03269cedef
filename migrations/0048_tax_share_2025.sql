-- The 2025 income-tax parameters. The community share: 64 % by the State Budget Law for 2025
-- (Law No 4059-IX of 19.11.2024, art. 49: an exception to art. 29 p. 2 item 1 and art. 64 p. 1
-- item 1 of the Budget Code; the tax on the pay of military personnel, police and similar
-- services is excluded, as are Kyiv and Sevastopol). The 18 % rate for 2025 was seeded by 0046;
-- it is added here only where missing. A value an admin has already recorded is left alone.
INSERT INTO budget_tax_parameters (year, parameter, value, source, source_url, updated_at) VALUES
  (2025, 'pit_city_share', 0.64,
   'Закон України «Про Державний бюджет України на 2025 рік» № 4059-IX від 19.11.2024, стаття 49: як виняток з п. 1 ч. 2 ст. 29 та п. 1 ч. 1 ст. 64 Бюджетного кодексу України 64 % ПДФО — до загального фонду бюджетів територіальних громад (крім ПДФО з грошового забезпечення військовослужбовців, поліцейських та осіб рядового і начальницького складу; крім міст Києва та Севастополя)',
   'https://zakon.rada.gov.ua/laws/show/4059-20', now()),
  (2025, 'pit_rate', 0.18,
   'Податковий кодекс України, ст. 167.1 (ставка 18 % у редакції Закону № 909-VIII від 24.12.2015)',
   'https://zakon.rada.gov.ua/laws/show/2755-17', now())
ON CONFLICT (parameter, year) DO NOTHING;

-- 2026 on a new database (migration 0043, numbered before the table exists, adds these rows to an
-- installation that already has the table): the same values and sources as 0043.
INSERT INTO budget_tax_parameters (year, parameter, value, source, source_url, updated_at) VALUES
  (2026, 'pit_city_share', 0.64,
   'Закон України «Про Державний бюджет України на 2026 рік» (законопроєкт реєстр. № 14000, прийнятий 03.12.2025): 64 % ПДФО збережено в бюджетах громад, з них 4 % — з обмеженим використанням (за повідомленням Асоціації міст України; номер закону і статтю, що встановлює виняток зі ст. 64 Бюджетного кодексу, за текстом закону не перевірено)',
   'https://www.auc.org.ua/novyna/derzhbyudzhet-2026-shvaleno-parlamentom-chogo-ochikuvaty-gromadam', now()),
  (2026, 'pit_rate', 0.18,
   'Податковий кодекс України, ст. 167.1 (ставка 18 % у редакції Закону № 909-VIII від 24.12.2015)',
   'https://zakon.rada.gov.ua/laws/show/2755-17', now())
ON CONFLICT (parameter, year) DO NOTHING;
