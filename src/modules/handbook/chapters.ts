// The handbook's first chapters, in Ukrainian, English and Bulgarian: written for Hromada, stored as
// their first revision when a platform's handbook is empty (seedHandbook), then edited on the site.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { saveChapter } from './service.ts';

interface Chapter {
  slug: string;
  texts: Record<Locale, { title: string; body: string }>;
}

export const FIRST_CHAPTERS: Chapter[] = [
  {
    slug: 'what-is-open-data',
    texts: {
      uk: {
        title: 'Що таке відкриті дані і навіщо їх місту',
        body: `Відкриті дані — це публічна інформація в машиночитаному форматі, яку будь-хто може вільно копіювати, поширювати й використовувати, зокрема в комерційних цілях, з посиланням на джерело (Закон України «Про доступ до публічної інформації», ст. 10-1).

## Три ознаки відкритих даних

1. **Доступні**: їх можна завантажити цілком, без реєстрації та плати.
2. **Машиночитані**: таблиця в CSV чи JSON, а не скан або PDF — програма має прочитати кожне значення без участі людини.
3. **Відкрито ліцензовані**: ліцензія дозволяє повторне використання (наприклад, CC BY 4.0).

## Навіщо це місту

- **Менше запитів.** Те, що оприлюднено, не треба щоразу надсилати у відповідь на запит.
- **Послуги, створені іншими.** Розклад транспорту, мапа закладів, аналітика бюджету — їх будують розробники й журналісти на даних міста.
- **Краще врядування.** Коли дані бачать усі, помилки помічають раніше, а рішення легше пояснити.
- **Обов’язок.** Постанова КМУ № 835 визначає набори, які органи місцевого самоврядування мають оприлюднювати; перелік і стан виконання вашого міста — на сторінці [обов’язкових наборів](/data-programme/list).

## З чого почати

Складіть [реєстр інформації](/data-programme), якою володіє місто, оцініть цінність кожного запису і заплануйте оприлюднення — про це наступний розділ.`,
      },
      en: {
        title: 'What open data is and why a city publishes it',
        body: `Open data is public information in a machine-readable format that anyone may freely copy, share and use, including commercially, as long as they name the source (Ukraine's Law on Access to Public Information, Art. 10-1).

## Three marks of open data

1. **Available**: it can be downloaded whole, without registration or payment.
2. **Machine-readable**: a table in CSV or JSON, not a scan or a PDF — a program must be able to read every value without a person.
3. **Openly licensed**: the licence allows reuse (for example CC BY 4.0).

## Why a city does it

- **Fewer requests.** What is published need not be sent again in answer to each request.
- **Services built by others.** Transport timetables, maps of schools, budget analysis — developers and journalists build them on the city's data.
- **Better government.** When everyone sees the data, mistakes are noticed sooner and decisions are easier to explain.
- **A duty.** CMU Resolution No. 835 lists the datasets local self-government bodies must publish; the list and your city's progress are on the [mandatory datasets](/data-programme/list) page.

## Where to start

Build a [register of the information](/data-programme) your city holds, score the value of each entry and plan its publication — the next chapter shows how.`,
      },
      bg: {
        title: 'Какво са отворените данни и защо градът ги публикува',
        body: `Отворените данни са обществена информация в машинночетим формат, която всеки може свободно да копира, разпространява и използва, включително с търговска цел, като посочи източника (украинският Закон за достъп до обществена информация, чл. 10-1).

## Три белега на отворените данни

1. **Достъпни**: могат да се изтеглят изцяло, без регистрация и заплащане.
2. **Машинночетими**: таблица в CSV или JSON, а не сканирано изображение или PDF — програма трябва да прочете всяка стойност без участието на човек.
3. **С отворен лиценз**: лицензът позволява повторна употреба (например CC BY 4.0).

## Защо го прави градът

- **По-малко заявления.** Публикуваното не се налага да се изпраща отново при всяко заявление.
- **Услуги, създадени от други.** Разписания на транспорта, карти на училищата, анализи на бюджета — разработчици и журналисти ги изграждат върху данните на града.
- **По-добро управление.** Когато всички виждат данните, грешките се забелязват по-рано, а решенията се обясняват по-лесно.
- **Задължение.** Постановление № 835 на украинския Министерски съвет изброява наборите, които органите на местното самоуправление трябва да публикуват; списъкът и напредъкът на вашия град са на страницата [задължителни набори](/data-programme/list).

## Откъде да започнем

Съставете [регистър на информацията](/data-programme), която градът притежава, оценете стойността на всеки запис и планирайте публикуването — за това е следващата глава.`,
      },
    },
  },
  {
    slug: 'choosing-datasets-and-licence',
    texts: {
      uk: {
        title: 'Як обрати набори даних і ліцензію',
        body: `## Спершу — реєстр

Перелічіть усю інформацію, якою володіють підрозділи: назва, хто відповідає, де зберігається (система, формат), чи є персональні дані або інші обмеження (з посиланням на закон і статтю). У Громаді це [реєстр інформації](/data-programme) міста; його можна імпортувати з таблиці XLSX чи CSV, якою місто вже користується.

## Пріоритет

Оцініть кожен запис від 0 до 3 за трьома критеріями й додайте бали:

- **попит** — як часто про це питають у запитах і зверненнях;
- **користь** — наскільки дані використають для послуг, аналізу, контролю;
- **готовність** — чи дані вже в електронній таблиці й без обмежень.

Першими оприлюднюйте записи з найвищим пріоритетом і ті, що входять до [обов’язкового переліку](/data-programme/list).

## Обмеження

Персональні дані та інформацію з обмеженим доступом не оприлюднюють — позначте запис як «обмежений доступ» і вкажіть причину. Часто можна оприлюднити знеособлену статистику замість списку людей.

## Ліцензія

Для даних міста радимо **CC BY 4.0**: дозволяє будь-яке використання з посиланням на джерело. **CC0** передає дані в суспільне надбання. Не обирайте ліцензії із забороною комерційного використання — такі дані не є відкритими, і сторінка відповідності не зарахує перевірку «відкрита ліцензія».`,
      },
      en: {
        title: 'Choosing datasets and a licence',
        body: `## First, the register

List all the information the units hold: name, who is responsible, where it is kept (system, format), whether it holds personal data or other limits (with the law and article). In Hromada this is the city's [information register](/data-programme); it can be imported from the XLSX or CSV table the city already keeps.

## Priority

Score each entry from 0 to 3 on three criteria and add them up:

- **demand** — how often people ask for it in requests and appeals;
- **impact** — how much the data would be used for services, analysis, oversight;
- **readiness** — whether it is already in a spreadsheet and free of limits.

Publish the entries with the highest priority first, and those on the [mandatory list](/data-programme/list).

## Limits

Personal data and restricted information are not published — mark the entry "restricted" and give the reason. Often anonymised statistics can be published instead of a list of people.

## Licence

For a city's data we recommend **CC BY 4.0**: any use, with the source named. **CC0** places the data in the public domain. Do not choose licences that forbid commercial use — such data is not open, and the compliance page will not count the "open licence" check.`,
      },
      bg: {
        title: 'Как да изберем набори от данни и лиценз',
        body: `## Първо — регистърът

Избройте цялата информация, която звената притежават: име, кой отговаря, къде се съхранява (система, формат), има ли лични данни или други ограничения (с посочен закон и член). В Громада това е [регистърът на информацията](/data-programme) на града; той може да се импортира от таблицата XLSX или CSV, която градът вече води.

## Приоритет

Оценете всеки запис от 0 до 3 по три критерия и ги съберете:

- **търсене** — колко често хората питат за това в заявления и сигнали;
- **полза** — колко ще се използват данните за услуги, анализи, контрол;
- **готовност** — дали данните вече са в електронна таблица и без ограничения.

Публикувайте първо записите с най-висок приоритет и тези от [задължителния списък](/data-programme/list).

## Ограничения

Лични данни и информация с ограничен достъп не се публикуват — отбележете записа като „ограничен достъп“ и посочете причината. Често вместо списък с хора може да се публикува обезличена статистика.

## Лиценз

За данните на града препоръчваме **CC BY 4.0**: всякаква употреба с посочване на източника. **CC0** предоставя данните като обществено достояние. Не избирайте лицензи, които забраняват търговската употреба — такива данни не са отворени и страницата за съответствие няма да зачете проверката „отворен лиценз“.`,
      },
    },
  },
  {
    slug: 'preparing-a-csv',
    texts: {
      uk: {
        title: 'Як підготувати CSV, що завантажиться без помилок',
        body: `## Кодування

Зберігайте файл у **UTF-8**. Громада розпізнає й Windows-1251, KOI8-U та UTF-16, але UTF-8 читають усі програми. У Excel: «Зберегти як» → «CSV UTF-8 (розділювач — кома)».

## Розділювач

Українська та болгарська локалі Excel зберігають CSV з **крапкою з комою**, бо кома — десятковий знак. Громада визначає розділювач сама (кома, крапка з комою, табуляція, вертикальна риска); головне — один розділювач на весь файл.

## Заголовок

Перший рядок — назви стовпців, унікальні й непорожні. Без об’єднаних клітинок, без кількох рядків заголовка, без підсумкових рядків унизу таблиці.

## Числа

Одне число — одна клітинка, без одиниць виміру в ній («1250», а не «1250 грн»). Громада читає обидві форми: \`1 234,56\` (українська й болгарська, з пробілом між тисячами) і \`1234.56\`. Не змішуйте їх в одному стовпці.

## Дати

Найнадійніше — \`2026-03-31\` (ISO 8601). Форма \`31.03.2026\` теж розпізнається. Не пишіть «березень 2026» у стовпці дат.

## Перевірка

Після [завантаження файлу](/datasets) Громада показує **звіт перевірки**: кожна помилка з рядком і стовпцем (наприклад, текст у числовому стовпці). Виправте файл і завантажте знову — набір потрапить у DataStore, і перевірка «у DataStore» на сторінці відповідності стане виконаною.`,
      },
      en: {
        title: 'Preparing a CSV that loads cleanly',
        body: `## Encoding

Save the file as **UTF-8**. Hromada also recognises Windows-1251, KOI8-U and UTF-16, but every program reads UTF-8. In Excel: "Save as" → "CSV UTF-8 (comma delimited)".

## Delimiter

Excel in Ukrainian and Bulgarian saves CSV with a **semicolon**, because the comma is the decimal sign. Hromada finds the delimiter itself (comma, semicolon, tab, vertical bar); what matters is one delimiter for the whole file.

## Header

The first row names the columns, each name unique and not empty. No merged cells, no header spread over several rows, no totals at the bottom.

## Numbers

One number per cell, without its unit ("1250", not "1250 UAH"). Hromada reads both forms: \`1 234,56\` (Ukrainian and Bulgarian, with a space between thousands) and \`1234.56\`. Do not mix them in one column.

## Dates

The safest is \`2026-03-31\` (ISO 8601). The form \`31.03.2026\` is recognised too. Do not write "March 2026" in a date column.

## Checking

After [uploading the file](/datasets) Hromada shows a **validation report**: each problem with its row and column (say, text in a number column). Fix the file and upload it again — the data goes into the DataStore, and the "in the DataStore" check on the compliance page is met.`,
      },
      bg: {
        title: 'Как да подготвим CSV, който се зарежда без грешки',
        body: `## Кодиране

Запазвайте файла в **UTF-8**. Громада разпознава и Windows-1251, KOI8-U и UTF-16, но UTF-8 се чете от всички програми. В Excel: „Запиши като“ → „CSV UTF-8 (разделител запетая)“.

## Разделител

Excel на украински и български запазва CSV с **точка и запетая**, защото запетаята е десетичен знак. Громада сама открива разделителя (запетая, точка и запетая, табулация, вертикална черта); важното е един разделител за целия файл.

## Заглавен ред

Първият ред съдържа имената на колоните — уникални и непразни. Без обединени клетки, без заглавие на няколко реда, без редове с общи суми най-отдолу.

## Числа

Едно число в клетка, без мерна единица („1250“, а не „1250 лв.“). Громада чете и двете форми: \`1 234,56\` (българска и украинска, с интервал между хилядите) и \`1234.56\`. Не ги смесвайте в една колона.

## Дати

Най-сигурно е \`2026-03-31\` (ISO 8601). Формата \`31.03.2026\` също се разпознава. Не пишете „март 2026“ в колона с дати.

## Проверка

След [качването на файла](/datasets) Громада показва **отчет от проверката**: всяка грешка с ред и колона (например текст в числова колона). Поправете файла и го качете отново — данните влизат в DataStore и проверката „в DataStore“ на страницата за съответствие е изпълнена.`,
      },
    },
  },
  {
    slug: 'publishing-in-hromada',
    texts: {
      uk: {
        title: 'Як оприлюднити набір у Громаді',
        body: `1. Увійдіть як редактор міста й відкрийте [новий набір даних](/datasets/new).
2. Заповніть метадані: назву трьома мовами, опис, **ліцензію**, теми, ключові слова, **частоту оновлення** (від неї рахується, чи набір «прострочений»), контакт.
3. Додайте ресурс: завантажте файл (CSV, XLSX, JSON, GeoJSON) або дайте посилання. Табличні файли завантажуються в DataStore; стежте за станом завантаження та читайте звіт перевірки на сторінці ресурсу.
4. Опублікуйте набір (стан «опубліковано»). Чернетки бачать лише редактори міста.
5. На сторінці набору, у розділі «Обов’язкові набори даних», **заявіть пункт переліку**, який набір виконує. Оцінка міста на сторінці відповідності зміниться одразу.
6. У [реєстрі інформації](/data-programme) позначте відповідний запис як «оприлюднено» й оберіть цей набір.

## Оновлення

Коли дані змінюються, замініть файл ресурсу: дата оновлення даних зміниться, і перевірка «актуальний» залишиться виконаною. Історію змін метаданих видно на сторінці «Історія змін» набору.`,
      },
      en: {
        title: 'Publishing a dataset in Hromada',
        body: `1. Log in as a city editor and open [a new dataset](/datasets/new).
2. Fill in the metadata: the title in three languages, a description, the **licence**, themes, keywords, the **update frequency** (whether the dataset is "overdue" is counted from it), a contact.
3. Add a resource: upload a file (CSV, XLSX, JSON, GeoJSON) or give a link. Tabular files are loaded into the DataStore; follow the load's status and read the validation report on the resource's page.
4. Publish the dataset (state "published"). Drafts are seen only by the city's editors.
5. On the dataset's page, in "Mandatory datasets", **declare the list item** the dataset fulfils. The city's score on the compliance page changes at once.
6. In the [information register](/data-programme), mark the matching entry "published" and choose this dataset.

## Updates

When the data changes, replace the resource's file: the data's update date moves, and the "up to date" check stays met. The history of the metadata is on the dataset's "History" page.`,
      },
      bg: {
        title: 'Как да публикуваме набор в Громада',
        body: `1. Влезте като редактор на града и отворете [нов набор от данни](/datasets/new).
2. Попълнете метаданните: заглавие на три езика, описание, **лиценз**, теми, ключови думи, **честота на обновяване** (от нея се изчислява дали наборът е „просрочен“), контакт.
3. Добавете ресурс: качете файл (CSV, XLSX, JSON, GeoJSON) или дайте връзка. Табличните файлове се зареждат в DataStore; следете състоянието на зареждането и четете отчета от проверката на страницата на ресурса.
4. Публикувайте набора (състояние „публикуван“). Черновите виждат само редакторите на града.
5. На страницата на набора, в „Задължителни набори от данни“, **заявете точката от списъка**, която наборът изпълнява. Оценката на града на страницата за съответствие се променя веднага.
6. В [регистъра на информацията](/data-programme) отбележете съответния запис като „публикуван“ и изберете този набор.

## Обновяване

Когато данните се променят, заменете файла на ресурса: датата на обновяване се променя и проверката „актуален“ остава изпълнена. Историята на метаданните е на страницата „История на промените“ на набора.`,
      },
    },
  },
  {
    slug: 'using-the-api',
    texts: {
      uk: {
        title: 'Як користуватися даними: CKAN API та SQL у DataStore',
        body: `Громада відповідає на запити так само, як CKAN на data.gov.ua, тож готові клієнти (ckanapi, бібліотеки для Python і R) працюють без змін. Опис усіх методів — у [документації API](/api/docs).

## Знайти набір

\`\`\`
GET /api/3/action/package_search?q=бюджет&rows=10
GET /api/3/action/package_show?id=lviv-budget-2024
\`\`\`

## Прочитати рядки

Ресурс, завантажений у DataStore, читається сторінками, з фільтрами й сортуванням:

\`\`\`
GET /api/3/action/datastore_search?resource_id=<id>&limit=100&filters={"rik":"2024"}
\`\`\`

## Запит SQL

Для аналізу — один оператор SELECT до опублікованих ресурсів (ім’я таблиці — id ресурсу в лапках):

\`\`\`
GET /api/3/action/datastore_search_sql?sql=SELECT kategoriia, sum(suma) FROM "<id>" GROUP BY 1
\`\`\`

Дозволено лише читання: агрегати, віконні функції, текст, дати; запит виконується не довше 5 секунд і повертає до 10 000 рядків.

## Власний API Громади

\`/api/v1/…\` віддає міста, петиції, бюджети участі, рейтинг, [відповідність обов’язковим наборам](/api/v1/compliance) і реєстри інформації; опис — у документі OpenAPI. Без токена діє нижчий ліміт запитів; токен створюється на сторінці облікового запису.`,
      },
      en: {
        title: 'Using the data: the CKAN API and DataStore SQL',
        body: `Hromada answers calls as CKAN does on data.gov.ua, so existing clients (ckanapi, the Python and R libraries) work unchanged. Every method is described in the [API documentation](/api/docs).

## Find a dataset

\`\`\`
GET /api/3/action/package_search?q=budget&rows=10
GET /api/3/action/package_show?id=lviv-budget-2024
\`\`\`

## Read rows

A resource loaded into the DataStore is read page by page, with filters and sorting:

\`\`\`
GET /api/3/action/datastore_search?resource_id=<id>&limit=100&filters={"rik":"2024"}
\`\`\`

## An SQL query

For analysis — one SELECT statement over published resources (the table's name is the resource id, quoted):

\`\`\`
GET /api/3/action/datastore_search_sql?sql=SELECT kategoriia, sum(suma) FROM "<id>" GROUP BY 1
\`\`\`

Only reading is allowed: aggregates, window functions, text, dates; a query runs at most 5 seconds and returns up to 10,000 rows.

## Hromada's own API

\`/api/v1/…\` serves cities, petitions, participatory budgets, the ranking, [compliance with the mandatory datasets](/api/v1/compliance) and information registers, described in the OpenAPI document. Without a token a lower rate limit applies; create a token on your account page.`,
      },
      bg: {
        title: 'Как да използваме данните: CKAN API и SQL в DataStore',
        body: `Громада отговаря на заявките като CKAN в data.gov.ua, така че готовите клиенти (ckanapi, библиотеките за Python и R) работят без промени. Всички методи са описани в [документацията на API](/api/docs).

## Намиране на набор

\`\`\`
GET /api/3/action/package_search?q=бюджет&rows=10
GET /api/3/action/package_show?id=lviv-budget-2024
\`\`\`

## Четене на редове

Ресурс, зареден в DataStore, се чете на страници, с филтри и сортиране:

\`\`\`
GET /api/3/action/datastore_search?resource_id=<id>&limit=100&filters={"rik":"2024"}
\`\`\`

## SQL заявка

За анализ — един оператор SELECT върху публикувани ресурси (името на таблицата е id на ресурса в кавички):

\`\`\`
GET /api/3/action/datastore_search_sql?sql=SELECT kategoriia, sum(suma) FROM "<id>" GROUP BY 1
\`\`\`

Разрешено е само четене: агрегати, прозоречни функции, текст, дати; заявката се изпълнява най-много 5 секунди и връща до 10 000 реда.

## Собственият API на Громада

\`/api/v1/…\` дава градовете, петициите, бюджетите с участие, рейтинга, [съответствието със задължителните набори](/api/v1/compliance) и регистрите на информацията, описани в документа OpenAPI. Без токен важи по-нисък лимит на заявките; токен се създава на страницата на профила.`,
      },
    },
  },
];

/** Stores the first chapters when the handbook is empty; returns whether it did. */
export async function seedHandbook(db: Queryable, actor: Actor): Promise<boolean> {
  // Servers starting together on an empty database take turns: the second sees the first's chapters.
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('hromada.handbook.seed'))`);
  const existing = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM handbook_chapters');
  if (existing!.n > 0) return false;
  for (const [index, chapter] of FIRST_CHAPTERS.entries())
    for (const locale of ['uk', 'en', 'bg'] as const)
      await saveChapter(
        db,
        actor,
        {
          slug: chapter.slug,
          locale,
          title: chapter.texts[locale].title,
          body: chapter.texts[locale].body,
          note: 'first edition',
          position: (index + 1) * 10,
        },
        locale === 'uk',
      );
  return true;
}
