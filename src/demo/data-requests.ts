// Demo data requests, dated from the day the demo is created: in every state (awaiting an answer,
// one of them overdue; accepted with a planned date; published with the city's dataset; declined
// for each kind of reason, one as a duplicate; one reopened), with comments, official answers and
// followers, in Lviv, Kyiv, Vinnytsia, Mykolaiv and Zhytomyr. Seeded once: nothing is added when
// the database already has data requests.
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import { loadUser, type CurrentUser } from '../platform/auth.ts';
import { publishRequestsDataset } from '../modules/data-requests/open-data.ts';
import {
  addComment,
  answerRequest,
  createRequest,
  follow,
  parseAnswer,
  parseRequestInput,
  type DataRequest,
} from '../modules/data-requests/service.ts';

const DAY = 86_400_000;
const SITE = { publicUrl: 'http://localhost:3000' };

export async function seedDemoDataRequests(tx: Queryable, actor: Actor, now: Date = new Date()): Promise<void> {
  if (await tx.one('SELECT 1 FROM data_requests LIMIT 1')) return;
  const person = async (email: string): Promise<CurrentUser | null> => {
    const row = await tx.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]);
    return row ? loadUser(tx, row.id, 'session') : null;
  };
  const admin = await person('admin@hromada.demo');
  const citizen = await person('citizen@hromada.demo');
  const editor = await person('editor.lviv@hromada.demo');
  const assessor = await person('assessor@hromada.demo');
  if (!admin || !citizen) return;
  const residents = await tx.query<{ id: number }>(
    `SELECT id FROM users WHERE email LIKE 'resident%@hromada.demo' ORDER BY id LIMIT 5`,
  );
  const at = (days: number) => new Date(now.getTime() + days * DAY);

  const ask = async (
    who: CurrentUser,
    city: string,
    daysAgo: number,
    title: string,
    description: string,
    purpose = '',
  ): Promise<DataRequest> => {
    const input = await parseRequestInput(tx, { city, title, description, purpose });
    const request = await createRequest(tx, actor, who, input, at(-daysAgo));
    await publishRequestsDataset(tx, request.city_id);
    for (const r of residents.slice(0, daysAgo % 4)) await follow(tx, request.id, r.id, at(-daysAgo));
    return request;
  };
  const answer = async (
    who: CurrentUser,
    request: DataRequest,
    kind: 'accept' | 'publish' | 'decline' | 'reopen',
    daysAgo: number,
    fields: Record<string, string>,
  ) => {
    const input = await parseAnswer(tx, kind, request, fields, at(-daysAgo));
    return answerRequest(tx, actor, who, SITE, request.id, input, at(-daysAgo));
  };
  const comment = (who: CurrentUser, request: DataRequest, daysAgo: number, text: string) =>
    addComment(tx, actor, who, SITE, request, { comment: text }, at(-daysAgo));
  const lvivEditor = editor ?? admin;

  // Lviv
  const gtfs = await ask(
    citizen,
    'lviv',
    30,
    'Розклад громадського транспорту у форматі GTFS',
    'Розклад руху всіх маршрутів автобусів, трамваїв і тролейбусів у форматі GTFS: маршрути, зупинки, час відправлення, календар роботи. Оновлення при кожній зміні розкладу.',
    'Хочемо зробити застосунок, який показує, коли приїде транспорт, і для людей з порушеннями зору.',
  );
  if (assessor)
    await comment(
      assessor,
      gtfs,
      29,
      'Підтримую. У Києві такий набір уже є, і ним користуються всі навігаційні застосунки.',
    );
  await answer(lvivEditor, gtfs, 'accept', 26, {
    planned_date: new Date(now.getTime() + 45 * DAY).toISOString().slice(0, 10),
    comment: 'Розклад готує ЛКП «Львівелектротранс»; оприлюднимо після перевірки даних перевізників.',
  });
  await comment(citizen, gtfs, 20, 'Дякую! Чи будуть там і фактичні рейси (GPS), чи лише розклад?');
  await comment(lvivEditor, gtfs, 18, 'Спершу лише розклад. Дані GPS — окремим набором пізніше.');

  const stops = await ask(
    citizen,
    'lviv',
    60,
    'Зупинки громадського транспорту з координатами',
    'Перелік усіх зупинок із назвами, координатами й маршрутами, що на них зупиняються.',
  );
  await answer(lvivEditor, stops, 'publish', 57, {
    dataset: 'lviv-public-transport-stops',
    comment: 'Набір оприлюднено в каталозі, оновлюється щомісяця.',
  });

  await ask(
    citizen,
    'lviv',
    20,
    'Паркувальні майданчики та кількість місць',
    'Перелік муніципальних паркувальних майданчиків: адреса, координати, кількість місць, з них для людей з інвалідністю, тарифи.',
    'Для мапи паркування біля лікарень.',
  );

  const records = await ask(
    citizen,
    'lviv',
    40,
    'Записи про пацієнтів комунальних лікарень',
    'Знеособлені або повні записи про звернення пацієнтів до комунальних лікарень за 2024 рік.',
  );
  await answer(lvivEditor, records, 'decline', 36, {
    decline_reason: 'personal_data',
    comment:
      'Записи містять персональні дані про здоров’я. Можемо оприлюднити зведену статистику звернень за місяцями — подайте, будь ласка, окремий запит.',
  });

  await ask(
    citizen,
    'lviv',
    1,
    'Рішення виконавчого комітету за 2025 рік',
    'Усі рішення виконкому з датою, номером, назвою, посиланням на текст і результатами голосування.',
  );

  // Kyiv
  const trees = await ask(
    citizen,
    'kyiv',
    25,
    'Інвентаризація зелених насаджень',
    'Дерева на вулицях і в скверах: вид, вік, стан, координати, дата останнього обстеження.',
    'Для громадського моніторингу вирубок.',
  );
  await answer(admin, trees, 'accept', 22, {
    planned_date: new Date(now.getTime() + 90 * DAY).toISOString().slice(0, 10),
    comment: 'Інвентаризацію завершує КО «Київзеленбуд».',
  });
  const treesAgain = await ask(
    citizen,
    'kyiv',
    12,
    'Дерева міста на мапі',
    'Набір даних про всі дерева міста з координатами.',
  );
  await answer(admin, treesAgain, 'decline', 11, {
    decline_reason: 'duplicate',
    duplicate_of: String(trees.id),
    comment: 'Такий запит уже прийнято; стежте за ним.',
  });
  const petitions = await ask(
    citizen,
    'kyiv',
    50,
    'Електронні петиції 2024 року',
    'Усі петиції до Київради за 2024 рік з кількістю підписів і відповідями.',
  );
  await answer(admin, petitions, 'publish', 44, { dataset: 'kyiv-petitions-2024', comment: '' });
  const guard = await ask(
    citizen,
    'kyiv',
    35,
    'Схема охорони адміністративних будівель',
    'Розташування постів охорони й камер у будівлях міської ради.',
  );
  await answer(admin, guard, 'decline', 30, {
    decline_reason: 'restricted_by_law',
    comment:
      'Інформація з обмеженим доступом (службова) відповідно до статті 6 Закону «Про доступ до публічної інформації».',
  });

  // Vinnytsia
  const queue = await ask(
    citizen,
    'vinnytsia',
    45,
    'Черги до дитячих садків',
    'Кількість дітей у черзі до кожного закладу дошкільної освіти за віком, щомісяця.',
  );
  await answer(admin, queue, 'decline', 40, {
    decline_reason: 'not_held',
    comment: 'Чергу веде електронна система Міністерства освіти, не місто.',
  });
  await comment(
    citizen,
    queue,
    38,
    'Але місто має доступ до електронної черги своїх садків — дані про свої заклади воно має.',
  );
  await answer(admin, queue, 'reopen', 37, {
    comment: 'Перевірили: вивантаження з електронної черги місто отримує. Розглядаємо запит знову.',
  });
  await ask(
    citizen,
    'vinnytsia',
    15,
    'Якість питної води',
    'Результати лабораторних аналізів питної води за точками відбору, щотижня.',
  );

  // Mykolaiv
  const air = await ask(
    citizen,
    'mykolaiv',
    28,
    'Якість повітря щогодини',
    'Вимірювання PM2.5, PM10, NO2 на всіх станціях міста з погодинною деталізацією.',
  );
  await answer(admin, air, 'publish', 27, { dataset: 'mykolaiv-air-quality', comment: 'Дані станцій — у каталозі.' });

  // Zhytomyr
  const holes = await ask(
    citizen,
    'zhytomyr',
    33,
    'Мапа ям на дорогах',
    'Усі ями на дорогах міста з координатами й датою фіксації.',
  );
  await answer(admin, holes, 'decline', 31, {
    decline_reason: 'does_not_exist',
    comment: 'Такого обліку місто не веде; є лише план ремонту доріг — його оприлюднено.',
  });
  const leases = await ask(
    citizen,
    'zhytomyr',
    24,
    'Договори оренди комунального майна',
    'Чинні договори оренди: об’єкт, площа, орендар (юридична особа), ставка, строк.',
  );
  await answer(admin, leases, 'decline', 21, {
    decline_reason: 'other',
    comment: 'Договори вже публікуються в системі Prozorro.Продажі; дублювати їх ми не будемо.',
  });
  await comment(citizen, leases, 20, 'Там немає зведеного переліку — лише окремі аукціони.');
}
