// The demo Data Academy course: the handbook's five chapters and two lessons of its own, three
// exercises on the demo datasets whose answers are computed here from the same demo files the
// seed loads into the DataStore (never typed in), linked to the demo training; one learner part
// way through and one who completed it (with a completion record).
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import {
  addExercise,
  addLesson,
  answerExercise,
  courseExercises,
  courseLessons,
  createCourse,
  enrol,
  getCourse,
  markLessonDone,
  parseNumber,
} from '../modules/academy/service.ts';
import { FIRST_CHAPTERS } from '../modules/handbook/chapters.ts';
import { budgetSpendingCsv, transportStopsGeoJson } from './files.ts';

/** The rows of the demo spending CSV (semicolons, decimal commas, a BOM), without the header. */
function spendingRows(): string[][] {
  const text = new TextDecoder().decode(budgetSpendingCsv()).replace(/^\ufeff/, '');
  return text
    .split('\r\n')
    .filter(Boolean)
    .slice(1)
    .map((line) => line.split(';'));
}

/** The answers, computed from the demo data. */
export function demoAnswers() {
  const rows = spendingRows();
  const byProgramme = new Map<string, number>();
  for (const row of rows) byProgramme.set(row[0]!, (byProgramme.get(row[0]!) ?? 0) + parseNumber(row[5]!)!);
  const [largest] = [...byProgramme].sort((a, b) => b[1] - a[1])[0]!;
  const stops = JSON.parse(new TextDecoder().decode(transportStopsGeoJson())) as {
    features: { geometry: { type: string }; properties: { shelter: boolean | null } }[];
  };
  const sheltered = stops.features.filter((f) => f.geometry.type === 'Point' && f.properties.shelter === true).length;
  return { spendingRows: rows.length, largestProgramme: largest, shelteredStops: sheltered };
}

const OWN_LESSONS = [
  {
    title_uk: 'Читаємо таблицю в DataStore: фільтри, сортування, сторінки',
    title_en: 'Reading a DataStore table: filters, sorting, pages',
    title_bg: 'Четем таблица в DataStore: филтри, сортиране, страници',
    body_uk: `Коли набір має ресурс, завантажений у DataStore, його можна переглянути як таблицю просто на сторінці ресурсу.

## Що видно на сторінці ресурсу

- **Поля** — назви стовпців і їхні типи (текст, число, дата), визначені під час завантаження.
- **Фільтри** — вибір рядків за значенням поля.
- **Сортування** — натисніть заголовок стовпця; вдруге — у зворотному порядку.
- **Сторінки** — по 25 рядків; кількість рядків усього показано над таблицею.

## Те саме через API

Кожен перегляд має відповідник в API: \`datastore_search\` з параметрами \`filters\`, \`sort\`, \`limit\` та \`offset\`. Посилання на API є на сторінці кожної вправи.`,
    body_en: `When a dataset has a resource loaded into the DataStore, you can look at it as a table right on the resource's page.

## What the resource page shows

- **Fields** — the column names and their types (text, number, date), detected when the file was loaded.
- **Filters** — choosing rows by a field's value.
- **Sorting** — click a column heading; click again for the reverse order.
- **Pages** — 25 rows each; the total number of rows is shown above the table.

## The same through the API

Every view has its counterpart in the API: \`datastore_search\` with \`filters\`, \`sort\`, \`limit\` and \`offset\`. Each exercise page links to the API.`,
    body_bg: `Когато наборът има ресурс, зареден в DataStore, можете да го разгледате като таблица направо на страницата на ресурса.

## Какво показва страницата на ресурса

- **Полета** — имената на колоните и техните типове (текст, число, дата), открити при зареждането.
- **Филтри** — избор на редове по стойност на поле.
- **Сортиране** — щракнете заглавието на колона; повторно — в обратен ред.
- **Страници** — по 25 реда; общият брой редове е показан над таблицата.

## Същото чрез API

Всеки изглед има съответствие в API: \`datastore_search\` с \`filters\`, \`sort\`, \`limit\` и \`offset\`. Всяка страница с упражнение води към API.`,
  },
  {
    title_uk: 'Від запитання громади до числа',
    title_en: 'From a community’s question to a number',
    title_bg: 'От въпроса на общността до число',
    body_uk: `Дані корисні, коли відповідають на конкретне запитання. Порядок роботи:

1. **Сформулюйте запитання так, щоб відповіддю було число або назва**: «скільки зупинок мають навіс?», а не «як справи з зупинками?».
2. **Знайдіть набір** у [каталозі](/datasets) і прочитайте його опис: що означає кожне поле, за який період дані, як часто оновлюються.
3. **Перевірте одиниці й формат**: гривні чи тисячі гривень, квартал чи рік, десяткова кома.
4. **Порахуйте**: фільтр і сортування на сторінці ресурсу, діаграма або запит SQL до DataStore.
5. **Запишіть, як рахували**, щоб інші могли повторити — і послатися на набір.

Вправи цього курсу побудовані саме так: запитання, набір, ваша відповідь.`,
    body_en: `Data is useful when it answers a definite question. The way to work:

1. **Put the question so that its answer is a number or a name**: "how many stops have a shelter?", not "how are the stops?".
2. **Find the dataset** in the [catalog](/datasets) and read its description: what each field means, which period it covers, how often it is updated.
3. **Check units and format**: hryvnias or thousands, a quarter or a year, the decimal comma.
4. **Count**: filter and sort on the resource page, a chart, or an SQL query to the DataStore.
5. **Write down how you counted**, so others can repeat it — and cite the dataset.

The exercises of this course are built just so: a question, a dataset, your answer.`,
    body_bg: `Данните са полезни, когато отговарят на конкретен въпрос. Редът на работа:

1. **Задайте въпроса така, че отговорът да е число или име**: „колко спирки имат навес?“, а не „как са спирките?“.
2. **Намерете набора** в [каталога](/datasets) и прочетете описанието му: какво означава всяко поле, за какъв период са данните, колко често се обновяват.
3. **Проверете единиците и формата**: гривни или хиляди гривни, тримесечие или година, десетичната запетая.
4. **Пресметнете**: филтър и сортиране на страницата на ресурса, диаграма или SQL заявка към DataStore.
5. **Запишете как сте смятали**, за да могат други да го повторят — и цитирайте набора.

Упражненията в този курс са построени точно така: въпрос, набор, вашият отговор.`,
  },
];

export async function seedDemoAcademy(tx: Queryable, actor: Actor, now: Date): Promise<void> {
  const id = async (sql: string, param: string) => (await tx.one<{ id: number }>(sql, [param]))?.id ?? null;
  const organizationId = await id('SELECT id FROM organizations WHERE slug = $1', 'hromada-operator');
  const training = await id(
    `SELECT id FROM community_events WHERE kind = 'training' AND title LIKE $1 ORDER BY id LIMIT 1`,
    'Академія даних%',
  );
  await createCourse(tx, actor, {
    slug: 'open-data-basics',
    organization_id: organizationId,
    event_ids: training ? [training] : [],
    title_uk: 'Відкриті дані міста: від набору до відповіді',
    title_en: 'A city’s open data: from a dataset to an answer',
    title_bg: 'Отворените данни на града: от набора до отговора',
    description_uk:
      'Онлайн-частина Академії даних: п’ять розділів посібника, два практичні уроки й три вправи на справжніх наборах каталогу. Після всіх уроків і правильних відповідей ви отримаєте запис про завершення з кодом перевірки.',
    description_en:
      'The online part of the Data Academy: five chapters of the handbook, two practical lessons and three exercises on real datasets of the catalog. When every lesson is done and every answer right, you get a completion record with a verification code.',
    description_bg:
      'Онлайн частта на Академията за данни: пет глави от наръчника, два практически урока и три упражнения върху истински набори от каталога. Когато всички уроци са изпълнени и всички отговори са верни, получавате запис за завършване с код за проверка.',
  });
  const course = await getCourse(tx, 'open-data-basics');
  const empty = { title_uk: '', title_en: '', title_bg: '', body_uk: '', body_en: '', body_bg: '' };
  for (const chapter of FIRST_CHAPTERS) await addLesson(tx, actor, course, { ...empty, handbook_slug: chapter.slug });
  for (const lesson of OWN_LESSONS) await addLesson(tx, actor, course, { ...lesson, handbook_slug: null });

  const resource = async (dataset: string, format: string) =>
    tx.one<{ id: string; dataset_id: number }>(
      `SELECT r.id, r.dataset_id FROM resources r JOIN datasets d ON d.id = r.dataset_id
       WHERE d.name = $1 AND r.format = $2 ORDER BY r.position, r.id LIMIT 1`,
      [dataset, format],
    );
  const spending = await resource('lviv-budget-2024', 'CSV');
  const stops = await resource('lviv-public-transport-stops', 'GEOJSON');
  const answers = demoAnswers();
  if (spending) {
    await addExercise(tx, actor, course, {
      dataset_id: spending.dataset_id,
      resource_id: spending.id,
      title_uk: 'Скільки рядків у таблиці видатків?',
      title_en: 'How many rows has the spending table?',
      title_bg: 'Колко реда има таблицата с разходите?',
      question_uk:
        'Відкрийте ресурс «Видатки бюджету (CSV)» набору бюджету Львова на 2024 рік. Скільки рядків даних (без заголовка) у таблиці?',
      question_en:
        'Open the resource “Видатки бюджету (CSV)” of Lviv’s 2024 budget dataset. How many data rows (not counting the header) has the table?',
      question_bg:
        'Отворете ресурса „Видатки бюджету (CSV)“ на набора с бюджета на Лвов за 2024 г. Колко реда с данни (без заглавния) има таблицата?',
      answer_kind: 'number',
      expected_answer: String(answers.spendingRows),
      tolerance: 0,
    });
    await addExercise(tx, actor, course, {
      dataset_id: spending.dataset_id,
      resource_id: spending.id,
      title_uk: 'На яку програму витратили найбільше?',
      title_en: 'Which programme was spent the most on?',
      title_bg: 'За коя програма е похарчено най-много?',
      question_uk:
        'У тій самій таблиці видатки кожної програми розбито на чотири квартали. Складіть касові видатки за рік для кожної програми. Напишіть код КПКВК програми з найбільшими касовими видатками за рік.',
      question_en:
        'In the same table, each programme’s spending is split into four quarters. Add up the year’s actual spending (“Касові видатки”) of each programme. Write the programme code (КПКВК) of the one with the largest actual spending over the year.',
      question_bg:
        'В същата таблица разходите на всяка програма са разделени на четири тримесечия. Съберете касовите разходи („Касові видатки“) за годината за всяка програма. Напишете кода на програмата (КПКВК) с най-големи касови разходи за годината.',
      answer_kind: 'text',
      expected_answer: answers.largestProgramme,
      tolerance: 0,
    });
  }
  if (stops) {
    await addExercise(tx, actor, course, {
      dataset_id: stops.dataset_id,
      resource_id: stops.id,
      title_uk: 'Скільки зупинок мають навіс?',
      title_en: 'How many stops have a shelter?',
      title_bg: 'Колко спирки имат навес?',
      question_uk:
        'Відкрийте набір зупинок громадського транспорту Львова. Скільки зупинок (точок, не маршрутів) мають навіс (поле `shelter` = true)?',
      question_en:
        'Open the dataset of Lviv’s public transport stops. How many stops (points, not routes) have a shelter (the field `shelter` is true)?',
      question_bg:
        'Отворете набора със спирките на градския транспорт в Лвов. Колко спирки (точки, не маршрути) имат навес (полето `shelter` е true)?',
      answer_kind: 'number',
      expected_answer: String(answers.shelteredStops),
      tolerance: 0,
    });
  }

  // Two learners of the demo training: one part way through, one who completed the course.
  const learner = async (email: string) =>
    (await tx.one<{ id: number; displayName: string }>(
      'SELECT id, display_name AS "displayName" FROM users WHERE email = $1',
      [email],
    ))!;
  const lessons = await courseLessons(tx, course.id);
  const exercises = await courseExercises(tx, course.id);
  const partWay = await learner('citizen@hromada.demo');
  await enrol(tx, course.id, partWay.id, now);
  for (const lesson of lessons.slice(0, 3)) await markLessonDone(tx, lesson, partWay, now);
  if (exercises[0]) await answerExercise(tx, exercises[0], partWay, { answer: exercises[0].expected_answer }, now);
  if (exercises[1]) await answerExercise(tx, exercises[1], partWay, { answer: '3718710' }, now);

  const done = await learner('assessor@hromada.demo');
  await enrol(tx, course.id, done.id, now);
  for (const lesson of lessons) await markLessonDone(tx, lesson, done, now);
  for (const exercise of exercises) await answerExercise(tx, exercise, done, { answer: exercise.expected_answer }, now);
}
