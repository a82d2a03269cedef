// Demo petitions: rules for three cities (Kyiv's 6,000 signatures in 90 days, Zhytomyr's 300 in
// 30) and petitions in every state, signed by demo residents whose accounts cannot log in.
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import { addWorkingDays } from '../modules/petitions/calendar.ts';
import { kyivDate } from '../platform/clock.ts';
import { saveRules, DEFAULT_RULES } from '../modules/petitions/service.ts';
import { ensurePetitionsDataset } from '../modules/petitions/open-data.ts';
import { getCity } from '../modules/cities/service.ts';
import { searchFold } from '../platform/i18n/collation.ts';

const DAY = 86_400_000;

interface DemoPetition {
  city: string;
  title: string;
  body: string;
  topic: string;
  state: 'moderation' | 'open' | 'successful' | 'unsuccessful' | 'answered' | 'rejected';
  /** Days ago it was submitted. */
  age: number;
  signatures: number;
  response?: { decision: string; text: string };
  reject?: { reason: string; comment: string };
}

const PETITIONS: DemoPetition[] = [
  {
    city: 'lviv',
    topic: 'transport',
    state: 'open',
    age: 12,
    signatures: 214,
    title: 'Облаштувати захищену велодоріжку на вулиці Городоцькій',
    body: 'Просимо міську раду облаштувати захищену велодоріжку на вулиці Городоцькій від вокзалу до площі Митної, відокремлену від проїжджої частини.\n\nЩодня цією вулицею їздять сотні людей на роботу й навчання, а смуга громадського транспорту для велосипедистів небезпечна. Демонстраційна петиція.',
  },
  {
    city: 'zhytomyr',
    topic: 'environment',
    state: 'answered',
    age: 60,
    signatures: 312,
    title: 'Заборонити вирубку дерев у парку Гагаріна під забудову',
    body: 'Просимо міську раду не погоджувати вирубку дерев у Центральному парку культури та відпочинку імені Гагаріна і надати парку статус об’єкта природно-заповідного фонду місцевого значення.\n\nПарк — головна зелена зона міста. Демонстраційна петиція.',
    response: {
      decision: 'partly',
      text: 'Виконавчий комітет розглянув петицію. Вирубку дерев, крім аварійних, у парку не погоджуватимуть. Питання заповідного статусу передано постійній комісії з питань екології для підготовки проєкту рішення. Демонстраційна відповідь.',
    },
  },
  {
    city: 'zhytomyr',
    topic: 'education',
    state: 'successful',
    age: 45,
    signatures: 305,
    title: 'Відкрити укриття в усіх школах для позашкільних занять',
    body: 'Просимо облаштувати й відкрити укриття в усіх закладах загальної середньої освіти міста так, щоб у них можна було проводити гуртки й секції після уроків.\n\nДіти мають право на безпечне навчання й дозвілля. Демонстраційна петиція.',
  },
  {
    city: 'zhytomyr',
    topic: 'transport',
    state: 'unsuccessful',
    age: 50,
    signatures: 87,
    title: 'Запустити нічний тролейбусний маршрут до Богунії',
    body: 'Просимо запустити нічний тролейбусний маршрут із центру міста до мікрорайону Богунія з інтервалом не більше 40 хвилин.\n\nПісля 22:00 дістатися додому можна лише таксі. Демонстраційна петиція.',
  },
  {
    city: 'zhytomyr',
    topic: 'other',
    state: 'rejected',
    age: 20,
    signatures: 0,
    title: 'Перейменувати місто на честь футбольного клубу',
    body: 'Пропоную перейменувати місто на честь улюбленого футбольного клубу, бо це підніме дух мешканців і привабить туристів. Демонстраційна петиція.',
    reject: {
      reason: 'outside_competence',
      comment: 'Перейменування населених пунктів належить до повноважень Верховної Ради України, а не міської ради.',
    },
  },
  {
    city: 'kyiv',
    topic: 'housing',
    state: 'open',
    age: 30,
    signatures: 48,
    title: 'Встановити лічильники тепла в усіх будинках комунальної власності',
    body: 'Просимо Київську міську раду затвердити програму встановлення будинкових лічильників тепла в усіх багатоквартирних будинках комунальної власності до кінця наступного року.\n\nМешканці мають платити за спожите тепло, а не за нормативами. Демонстраційна петиція.',
  },
  {
    city: 'kyiv',
    topic: 'governance',
    state: 'moderation',
    age: 1,
    signatures: 0,
    title: 'Публікувати записи засідань постійних комісій ради',
    body: 'Просимо публікувати відеозаписи всіх засідань постійних комісій Київської міської ради на офіційному сайті протягом доби після засідання.\n\nЦе зробить роботу депутатів прозорішою. Демонстраційна петиція.',
  },
];

const SIGNERS = 320;

export async function seedDemoPetitions(
  db: Queryable,
  actor: Actor,
  authorId: number,
  now = new Date(),
): Promise<void> {
  const rules = {
    kyiv: { ...DEFAULT_RULES },
    zhytomyr: { ...DEFAULT_RULES, signature_threshold: 300, collection_days: 30, moderation_working_days: 3 },
    lviv: {
      ...DEFAULT_RULES,
      signature_threshold: 500,
      collection_days: 60,
      moderation_working_days: 5,
      holidays: ['2026-12-25', '2027-01-01'],
    },
  };
  for (const [slug, cityRules] of Object.entries(rules)) {
    const city = await getCity(db, slug);
    await saveRules(db, actor, city.id, cityRules);
    await ensurePetitionsDataset(db, actor, city);
  }
  // Residents who signed; their password field holds no hash, so no one can log in as them.
  const signers = await db.query<{ id: number }>(
    `INSERT INTO users (email, display_name, password_hash, email_confirmed_at)
     SELECT 'resident' || n || '@hromada.demo', 'Мешканець ' || n, 'demo-account-no-login', now() FROM generate_series(1, $1::int) AS n
     RETURNING id`,
    [SIGNERS],
  );
  for (const demo of PETITIONS) {
    const city = await getCity(db, demo.city);
    const cityRules = rules[demo.city as keyof typeof rules];
    const submitted = new Date(now.getTime() - demo.age * DAY);
    const opened = new Date(submitted.getTime() + DAY);
    const closes = new Date(opened.getTime() + cityRules.collection_days * DAY);
    const closed = ['successful', 'unsuccessful', 'answered'].includes(demo.state) ? closes : null;
    const responseDue =
      closed && demo.state !== 'unsuccessful'
        ? addWorkingDays(kyivDate(closed), cityRules.response_working_days, new Set(cityRules.holidays))
        : null;
    const row = await db.one<{ id: number }>(
      `INSERT INTO petitions (city_id, author_id, title, body, topic, state, signature_threshold, supporters_needed, collection_days, response_working_days,
         created_at, submitted_at, moderation_due, moderated_at, reject_reason, reject_comment, opened_at, closes_at, closed_at, response_due,
         answered_at, response_decision, response_text, search_text)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id`,
      [
        city.id,
        authorId,
        demo.title,
        demo.body,
        demo.topic,
        demo.state,
        cityRules.signature_threshold,
        cityRules.collection_days,
        cityRules.response_working_days,
        submitted,
        addWorkingDays(kyivDate(submitted), cityRules.moderation_working_days, new Set(cityRules.holidays)),
        demo.state === 'moderation' ? null : opened,
        demo.reject?.reason ?? null,
        demo.reject?.comment ?? null,
        demo.state === 'rejected' || demo.state === 'moderation' ? null : opened,
        demo.state === 'rejected' || demo.state === 'moderation' ? null : closes,
        closed,
        responseDue,
        demo.response ? new Date(closed!.getTime() + 6 * DAY) : null,
        demo.response?.decision ?? null,
        demo.response?.text ?? null,
        searchFold(`${demo.title} ${demo.body}`),
      ],
    );
    if (demo.signatures > 0) {
      const span = Math.max(1, Math.min(now.getTime(), (closed ?? now).getTime()) - opened.getTime());
      await db.query(
        `INSERT INTO petition_signatures (petition_id, user_id, signer_name, show_name, ip_block, email_domain, created_at)
         SELECT $1, u.id, u.display_name, u.id % 4 <> 0, '192.0.2.0/24', 'hromada.demo', $3::timestamptz + (u.n * $4::float8 / $2::float8) * interval '1 millisecond'
         FROM (SELECT id, display_name, row_number() OVER (ORDER BY id) AS n FROM users WHERE id = ANY($5::int[])) AS u WHERE u.n <= $2`,
        [row!.id, demo.signatures, opened, span, signers.map((s) => s.id)],
      );
      await db.query(
        'UPDATE petitions SET signature_count = (SELECT count(*) FROM petition_signatures WHERE petition_id = $1 AND valid) WHERE id = $1',
        [row!.id],
      );
    }
  }
}
