// Demo community events, dated from the day the demo is created: the Data Academy (a course over
// two weekends in Kyiv, registration open), an online meetup whose seats are all taken (a waiting
// list), a forum in Vinnytsia whose registration opens later, and a past meetup in Lviv with its
// attendance, report and materials.
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import type { CurrentUser } from '../platform/auth.ts';
import {
  addMaterialLink,
  createEvent,
  getEvent,
  markAttendance,
  parseEventInput,
  register,
  saveReport,
  type Transactional,
} from '../modules/community/service.ts';
import { toZonedLocal } from '../modules/community/time.ts';

const DAY = 86_400_000;
const SITE = { publicUrl: 'http://localhost:3000' };

/** The seed runs inside one transaction: nested "transactions" of the service run in it. */
function inTransaction(tx: Queryable): Transactional {
  return { ...tx, transaction: (fn) => fn(tx) };
}

export async function seedDemoCommunity(tx: Queryable, actor: Actor, now: Date = new Date()): Promise<void> {
  const db = inTransaction(tx);
  const org = async (slug: string) =>
    (await tx.one<{ id: number }>('SELECT id FROM organizations WHERE slug = $1', [slug]))!.id;
  const user = async (email: string) =>
    (await tx.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]))!.id;
  const admin: CurrentUser = {
    id: await user('admin@hromada.demo'),
    email: 'admin@hromada.demo',
    displayName: 'admin',
    locale: 'uk',
    emailConfirmed: true,
    memberships: [],
    isAdmin: true,
    via: 'session',
  };
  // A wall-clock time in Kyiv, `days` from today.
  const kyiv = (days: number, time: string) =>
    `${toZonedLocal(new Date(now.getTime() + days * DAY), 'Europe/Kyiv').slice(0, 10)}T${time}`;
  const weekday = new Date(`${kyiv(0, '12:00')}Z`).getUTCDay(); // today's day of the week in Kyiv
  const saturday = 14 + ((6 - weekday + 7) % 7); // the first Saturday at least two weeks away
  const create = async (fields: Record<string, unknown>) =>
    createEvent(db, actor, await parseEventInput(tx, { time_zone: 'Europe/Kyiv', ...fields }, admin));
  const person = async (email: string) => ({ id: await user(email), email });

  const academy = await create({
    kind: 'training',
    title: 'Академія даних: збирати, візуалізувати, аналізувати',
    description:
      'Два вікенди практичних занять для громадських активістів, журналістів і працівників міських рад: як зібрати дані міста в один набір, намалювати з них зрозумілу діаграму чи мапу й знайти в них відповідь на запитання громади.\n\nПотрібен ноутбук; досвід програмування не потрібен.',
    organizers: [String(await org('hromada-operator')), String(await org('transparency-watch'))],
    city: 'kyiv',
    venue: 'Київ, вул. Хрещатик, 36 — зала засідань',
    latitude: '50.4476',
    longitude: '30.5226',
    starts_at: kyiv(saturday, '10:00'),
    ends_at: kyiv(saturday + 8, '17:00'),
    capacity: '25',
    registration_opens_at: kyiv(-7, '09:00'),
    registration_closes_at: kyiv(saturday - 2, '18:00'),
    sessions: [
      `${kyiv(saturday, '10:00').replace('T', ' ')} - 17:00 Збирання та очищення даних`,
      `${kyiv(saturday + 1, '10:00').replace('T', ' ')} - 17:00 Візуалізація: діаграми та мапи`,
      `${kyiv(saturday + 7, '10:00').replace('T', ' ')} - 17:00 Аналіз даних для рішень громади`,
      `${kyiv(saturday + 8, '10:00').replace('T', ' ')} - 17:00 Захист командних проєктів`,
    ].join('\n'),
  });
  await register(db, SITE, academy.id, await person('citizen@hromada.demo'), now);
  await register(db, SITE, academy.id, await person('assessor@hromada.demo'), now);

  const online = await create({
    kind: 'meetup',
    title: 'Онлайн-зустріч: бюджети міст як відкриті дані',
    description:
      'Година розмови про те, як міста публікують бюджети й звіти про їх виконання та що з ними роблять громадські організації.',
    organizers: [String(await org('transparency-watch'))],
    online: 'on',
    online_url: 'https://meet.example.org/hromada-budgets',
    starts_at: kyiv(6, '18:30'),
    ends_at: kyiv(6, '19:30'),
    capacity: '2',
    registration_opens_at: kyiv(-3, '09:00'),
    registration_closes_at: kyiv(6, '12:00'),
  });
  await register(db, SITE, online.id, await person('editor.lviv@hromada.demo'), now);
  await register(db, SITE, online.id, await person('coordinator.lviv@hromada.demo'), now);
  await register(db, SITE, online.id, await person('citizen@hromada.demo'), new Date(now.getTime() + 1000));

  await create({
    kind: 'forum',
    title: 'Форум відкритих даних міст Поділля',
    description:
      'Міські ради, громадські організації та розробники про те, які дані міста відкрили за рік і що з них вийшло.',
    organizers: [String(await org('vinnytsia-city-council')), String(await org('hromada-operator'))],
    city: 'vinnytsia',
    venue: 'Вінниця, Соборна, 59 — міська рада',
    latitude: '49.2328',
    longitude: '28.4681',
    starts_at: kyiv(60, '10:00'),
    ends_at: kyiv(60, '18:00'),
    capacity: '120',
    registration_opens_at: kyiv(20, '09:00'),
    registration_closes_at: kyiv(58, '18:00'),
  });

  // A meetup that took place three weeks ago, with its registrations, attendance and report.
  const past = await create({
    kind: 'meetup',
    title: 'Зустріч спільноти відкритих даних Львова',
    description:
      'Львівські активісти й міська рада про набори даних, яких бракує мешканцям, і про перші застосунки на них.',
    organizers: [String(await org('lviv-city-council')), String(await org('civic-lviv'))],
    city: 'lviv',
    venue: 'Львів, пл. Ринок, 1 — зала ради',
    latitude: '49.8418',
    longitude: '24.0316',
    starts_at: kyiv(-21, '18:00'),
    ends_at: kyiv(-21, '20:30'),
    capacity: '40',
    registration_opens_at: kyiv(-35, '09:00'),
    registration_closes_at: kyiv(-21, '12:00'),
  });
  const then = new Date(now.getTime() - 28 * DAY);
  for (const email of ['citizen@hromada.demo', 'editor.lviv@hromada.demo', 'coordinator.lviv@hromada.demo'])
    await register(db, SITE, past.id, await person(email), then);
  const registered = await tx.query<{ id: number; email: string }>(
    'SELECT r.id, u.email FROM community_registrations r JOIN users u ON u.id = r.user_id WHERE r.event_id = $1',
    [past.id],
  );
  await markAttendance(
    db,
    actor,
    await getEvent(tx, past.id),
    registered.filter((r) => r.email !== 'coordinator.lviv@hromada.demo').map((r) => r.id),
    now,
  );
  const pastEvent = await getEvent(tx, past.id);
  await saveReport(tx, actor, pastEvent, {
    report:
      'Прийшло понад тридцять людей. Міська рада показала план публікації даних на рік; учасники попросили додати розклад громадського транспорту в реальному часі та реєстр укриттів.\n\nДомовилися зустрічатися щомісяця й наступного разу показати перші прототипи.',
  });
  await addMaterialLink(tx, actor, pastEvent, {
    material_kind: 'slides',
    material_title: 'План публікації даних Львова (слайди)',
    material_url: 'https://example.org/lviv-open-data-plan.pdf',
  });
  await addMaterialLink(tx, actor, pastEvent, {
    material_kind: 'recording',
    material_title: 'Запис зустрічі',
    material_url: 'https://video.example.org/lviv-open-data-meetup',
  });
  // The reminders of the demo's past are long sent; the outbox keeps only what a visitor would expect.
  await tx.query('UPDATE community_registrations SET reminded_at = $2 WHERE event_id = $1', [past.id, then]);
}
