-- A city's data programme: the reference lists of datasets a kind of body must publish (per
-- country and legal act), which catalog dataset fulfils which list item, and the daily history
-- of each city's compliance.

CREATE TABLE mandatory_items (
  id serial PRIMARY KEY,
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  -- A short code of the legal act, e.g. UA-CMU-835-2015.
  legal_act text NOT NULL CHECK (length(legal_act) BETWEEN 1 AND 100),
  -- The item's number in the act's list, as the source gives it.
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
  name_uk text NOT NULL CHECK (length(name_uk) BETWEEN 1 AND 1000),
  name_en text NOT NULL DEFAULT '' CHECK (length(name_en) <= 1000),
  name_bg text NOT NULL DEFAULT '' CHECK (length(name_bg) <= 1000),
  -- A catalog frequency code (catalog/vocabularies.ts); NULL when the act sets none.
  frequency text,
  legal_basis text NOT NULL DEFAULT '' CHECK (length(legal_basis) <= 2000),
  -- Which bodies the item binds: every information holder, or local self-government bodies.
  body_kind text NOT NULL CHECK (body_kind IN ('all_holders', 'local_self_government')),
  -- Where the item's wording and number were taken from, so anyone can check it.
  source text NOT NULL CHECK (length(source) BETWEEN 1 AND 2000),
  position integer NOT NULL DEFAULT 0,
  retired boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (country, legal_act, code)
);

-- A city declares that one of its datasets fulfils a list item (several datasets may fulfil one).
CREATE TABLE dataset_mandatory_items (
  dataset_id integer NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  item_id integer NOT NULL REFERENCES mandatory_items (id) ON DELETE CASCADE,
  declared_at timestamptz NOT NULL DEFAULT now(),
  declared_by integer REFERENCES users (id) ON DELETE SET NULL,
  PRIMARY KEY (dataset_id, item_id)
);
CREATE INDEX dataset_mandatory_items_item_idx ON dataset_mandatory_items (item_id);

-- One row per city and day: the score and each item's checks as they were, for the history.
CREATE TABLE compliance_snapshots (
  city_id integer NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
  taken_on date NOT NULL,
  score numeric(5, 1) NOT NULL CHECK (score BETWEEN 0 AND 100),
  items_total integer NOT NULL,
  items_published integer NOT NULL,
  details jsonb NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (city_id, taken_on)
);

-- The items of Resolution 835's list that could be sourced exactly (see README "Data programme"):
-- names and numbers as the source gives them, English and Bulgarian names translated from them.
INSERT INTO mandatory_items (country, legal_act, code, name_uk, name_en, name_bg, legal_basis, body_kind, source, position)
SELECT 'UA', 'UA-CMU-835-2015', code, name_uk, name_en, name_bg,
  'Постанова Кабінету Міністрів України від 21.10.2015 № 835 «Про затвердження Положення про набори даних, які підлягають оприлюдненню у формі відкритих даних» (зі змінами), перелік наборів даних',
  CASE WHEN code LIKE 'all-%' THEN 'all_holders' ELSE 'local_self_government' END,
  'github.com/Alexander-Lukyanov/table-templates, README.md («Форматори»): код = група розпорядників за Постановою № 835 (all — усі розпорядники інформації, mun — органи місцевого самоврядування) і порядковий номер набору в групі',
  position
FROM (VALUES
  (1, 'all-001', 'Довідник підприємств, установ (закладів) та організацій розпорядника інформації та підпорядкованих йому організацій', 'Directory of the enterprises, institutions and organisations of the information holder and of the organisations subordinate to it', 'Справочник на предприятията, институциите и организациите на притежателя на информацията и на подчинените му организации'),
  (2, 'all-002', 'Інформація про організаційну структуру розпорядника інформації', 'Information on the organisational structure of the information holder', 'Информация за организационната структура на притежателя на информацията'),
  (3, 'all-003', 'Нормативи, що затверджуються та підлягають оприлюдненню відповідно до закону розпорядником інформації', 'Standards approved by the information holder and to be published under the law', 'Нормативи, утвърждавани от притежателя на информацията и подлежащи на публикуване по закон'),
  (5, 'all-005', 'Звіти, в тому числі щодо задоволення запитів на інформацію', 'Reports, including on the handling of requests for information', 'Отчети, включително за удовлетворяването на заявления за достъп до информация'),
  (6, 'all-006', 'Інформація про систему обліку, види інформації, яка зберігається розпорядником', 'Information on the records system and the kinds of information the holder keeps', 'Информация за системата за отчитане и видовете информация, съхранявана от притежателя'),
  (7, 'all-007', 'Реєстр наборів даних, що перебувають у володінні розпорядника інформації', 'Register of the datasets held by the information holder', 'Регистър на наборите от данни, притежавани от притежателя на информацията'),
  (9, 'all-009а', 'Нормативно-правові акти, акти індивідуальної дії, проекти рішень, інформація про здійснення державної регуляторної політики', 'Regulatory acts, individual acts, draft decisions, information on the conduct of state regulatory policy', 'Нормативни актове, индивидуални актове, проекти на решения, информация за провеждането на държавната регулаторна политика'),
  (10, 'all-010', 'Фінансова звітність суб’єктів господарювання державного сектору економіки', 'Financial statements of public-sector business entities', 'Финансови отчети на стопанските субекти от публичния сектор'),
  (11, 'all-011', 'Переліки регуляторних актів із зазначенням дати набрання чинності, строку проведення базового, повторного та періодичного їх відстеження', 'Lists of regulatory acts with the date they took effect and the dates of their baseline, repeated and periodic reviews', 'Списъци на регулаторните актове с датата на влизане в сила и сроковете за базовия, повторния и периодичния им преглед'),
  (102, 'mun-002', 'Перелік об’єктів комунальної власності', 'List of municipal property', 'Списък на обектите общинска собственост'),
  (103, 'mun-003', 'Перелік об’єктів комунальної власності, що передані в оренду чи інше право користування', 'List of municipal property leased out or given into other use', 'Списък на обектите общинска собственост, отдадени под наем или за друго ползване'),
  (104, 'mun-004', 'Перелік незадіяних земельних ділянок і майнових об’єктів комунальної власності, які можуть бути передані в користування', 'List of unused land plots and municipal property that may be given into use', 'Списък на неизползваните поземлени имоти и обекти общинска собственост, които могат да бъдат предоставени за ползване'),
  (112, 'mun-012', 'Титульні списки на проведення капітального та поточного ремонту, будівництва, реконструкції та благоустрою', 'Title lists of capital and routine repairs, construction, reconstruction and landscaping', 'Титулни списъци за основен и текущ ремонт, строителство, реконструкция и благоустройство'),
  (116, 'mun-016', 'Дані про об''єкти та засоби торгівлі', 'Data on retail premises and trading facilities', 'Данни за търговските обекти и средства за търговия'),
  (118, 'mun-018', 'Відомості щодо ярмарків, їх організаторів, а також укладених з ними договорів', 'Information on fairs, their organisers and the contracts concluded with them', 'Сведения за панаирите, техните организатори и сключените с тях договори'),
  (119, 'mun-019', 'Дані про розміщення громадських вбиральнь', 'Data on the location of public toilets', 'Данни за разположението на обществените тоалетни'),
  (121, 'mun-021', 'Перелік перевізників, що надають послуги пасажирського автомобільного транспорту, та маршрути перевезення', 'List of carriers providing passenger road transport services, and their routes', 'Списък на превозвачите, предоставящи услуги за пътнически автомобилен транспорт, и маршрутите'),
  (122, 'mun-022', 'Відомості щодо транспортних засобів, які обслуговують пасажирські автобусні, тролейбусні та трамвайні маршрути перевезення', 'Information on the vehicles serving passenger bus, trolleybus and tram routes', 'Сведения за превозните средства, обслужващи пътническите автобусни, тролейбусни и трамвайни маршрути'),
  (123, 'mun-023', 'Розклад руху громадського транспорту', 'Public transport timetable', 'Разписание на обществения транспорт'),
  (124, 'mun-024', 'Дані про місце розміщення зупинок міського електро- та автомобільного транспорту', 'Data on the location of urban electric and road transport stops', 'Данни за местоположението на спирките на градския електрически и автомобилен транспорт'),
  (126, 'mun-026', 'Перелік земельних ділянок, що пропонуються для здійснення забудови', 'List of land plots offered for development', 'Списък на поземлените имоти, предлагани за застрояване'),
  (127, 'mun-027', 'Перелік укладених договорів, укладені договори, інші правочини, додатки, додаткові угоди та інші матеріали до них', 'List of contracts concluded; the contracts, other transactions, annexes, supplementary agreements and other materials to them', 'Списък на сключените договори; договорите, другите сделки, приложенията, допълнителните споразумения и другите материали към тях'),
  (128, 'mun-028', 'Актуальні списки власників та орендарів місцевих земельних ділянок', 'Current lists of owners and tenants of local land plots', 'Актуални списъци на собствениците и наемателите на местните поземлени имоти'),
  (134, 'mun-034', 'Дані про надані містобудівні умови та обмеження', 'Data on the urban planning conditions and restrictions issued', 'Данни за издадените градоустройствени условия и ограничения'),
  (135, 'mun-035', 'Дані про зовнішню доступність інфраструктурних об''єктів для маломобільних груп населення', 'Data on the external accessibility of infrastructure for people with reduced mobility', 'Данни за външната достъпност на инфраструктурните обекти за хора с намалена подвижност'),
  (144, 'mun-044', 'Дані про видані будівельні паспорти', 'Data on the building passports issued', 'Данни за издадените строителни паспорти'),
  (149, 'mun-049', 'Перелік бюджетних програм, у тому числі, посилання на оприлюднені ресурси в мережі Інтернет', 'List of budget programmes, including links to the resources published on the Internet', 'Списък на бюджетните програми, включително връзки към публикуваните в интернет ресурси'),
  (150, 'mun-050', 'Перелік цільових програм, у тому числі, посилання на оприлюднені ресурси в мережі Інтернет', 'List of targeted programmes, including links to the resources published on the Internet', 'Списък на целевите програми, включително връзки към публикуваните в интернет ресурси'),
  (151, 'mun-051', 'Перелік розпорядників бюджетних коштів', 'List of budget fund managers', 'Списък на разпоредителите с бюджетни средства')
) AS items (position, code, name_uk, name_en, name_bg);
