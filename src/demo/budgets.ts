// Demo participatory budgets: Lviv's current cycle, now in its voting phase (approval, up to
// three projects, one per category), and Kyiv's finished one (the budget rule) with results,
// Pabulib files and implementation reports. Ballots come from the demo residents.
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import type { CurrentUser } from '../platform/auth.ts';
import { getCity } from '../modules/cities/service.ts';
import {
  computeResults,
  createCycle,
  getCycle,
  parseCycleInput,
  proposeProject,
  recordProgress,
  reviewProject,
  getProject,
} from '../modules/budgets/service.ts';
import { PHASES } from '../modules/budgets/rules.ts';

const DAY = 86_400_000;

interface DemoProject {
  title: string;
  district: string;
  category: string;
  items: string;
  lat: number;
  lon: number;
  votes: number;
}

const LVIV: DemoProject[] = [
  {
    title: 'Велопарковки біля шкіл Сихова',
    district: 'Сихівський',
    category: 'Транспорт',
    items: 'Велостійки, 40 шт; 160000\nМонтаж; 40000',
    lat: 49.797,
    lon: 24.058,
    votes: 61,
  },
  {
    title: 'Інклюзивний майданчик у парку «Піскові озера»',
    district: 'Сихівський',
    category: 'Парки і дозвілля',
    items: 'Обладнання; 820000\nПокриття; 180000',
    lat: 49.8,
    lon: 24.04,
    votes: 88,
  },
  {
    title: 'Енергоощадне освітлення вулиці Зеленої',
    district: 'Сихівський',
    category: 'Безпека',
    items: 'Світильники; 300000\nОпори і монтаж; 150000',
    lat: 49.82,
    lon: 24.049,
    votes: 40,
  },
  {
    title: 'Книжкові шафи в сквері на площі Ринок',
    district: 'Галицький',
    category: 'Культура',
    items: 'Шафи, 6 шт; 90000',
    lat: 49.842,
    lon: 24.032,
    votes: 35,
  },
  {
    title: 'Питні фонтанчики в центрі міста',
    district: 'Галицький',
    category: 'Парки і дозвілля',
    items: 'Фонтанчики, 8 шт; 240000\nПідключення; 110000',
    lat: 49.84,
    lon: 24.027,
    votes: 57,
  },
];

const KYIV: DemoProject[] = [
  {
    title: 'Укриття-коворкінг у бібліотеці на Оболоні',
    district: 'Оболонський',
    category: 'Освіта',
    items: 'Ремонт; 1200000\nМеблі й техніка; 300000',
    lat: 50.501,
    lon: 30.498,
    votes: 74,
  },
  {
    title: 'Сенсорна кімната в ліцеї №100',
    district: 'Оболонський',
    category: 'Освіта',
    items: 'Обладнання; 450000',
    lat: 50.512,
    lon: 30.49,
    votes: 69,
  },
  {
    title: 'Памп-трек біля озера Йорданське',
    district: 'Оболонський',
    category: 'Спорт',
    items: 'Будівництво; 900000',
    lat: 50.525,
    lon: 30.497,
    votes: 52,
  },
  {
    title: 'Сад цілющих трав у Голосіївському парку',
    district: 'Голосіївський',
    category: 'Довкілля',
    items: 'Рослини; 150000\nДоріжки; 200000',
    lat: 50.393,
    lon: 30.508,
    votes: 47,
  },
  {
    title: 'Зарядні станції для велосипедів на ВДНГ',
    district: 'Голосіївський',
    category: 'Спорт',
    items: 'Станції; 600000',
    lat: 50.382,
    lon: 30.477,
    votes: 44,
  },
];

function datesAround(now: number, phaseIndexNow: number): Record<string, string> {
  // The current phase began 3 days ago; the others are 12 days apart around it.
  return Object.fromEntries(
    PHASES.map((phase, i) => [`${phase}_at`, new Date(now + ((i - phaseIndexNow) * 12 - 3) * DAY).toISOString()]),
  );
}

async function seedCycle(
  db: Queryable,
  actor: Actor,
  admin: CurrentUser,
  authorId: number,
  residents: number[],
  cityslug: string,
  input: Record<string, string>,
  projects: DemoProject[],
  phaseNow: number,
  now: number,
): Promise<number> {
  const city = await getCity(db, cityslug);
  const id = await createCycle(db, actor, admin, city.id, parseCycleInput({ ...input, ...datesAround(now, phaseNow) }));
  const cycle = await getCycle(db, id);
  const at = (phase: (typeof PHASES)[number]) => new Date(cycle.starts[phase].getTime() + DAY);
  const author = { ...admin, id: authorId, isAdmin: false };
  const ids: number[] = [];
  for (const p of projects) {
    ids.push(
      await proposeProject(
        db,
        actor,
        author,
        cycle,
        {
          title: p.title,
          description: `${p.title}. Проєкт мешканців, поданий до громадського бюджету. Демонстраційні дані: опис, кошторис і голоси вигадані.`,
          district_id: String(cycle.districts.find((d) => d.name === p.district)!.id),
          category_id: String(cycle.categories.find((c) => c.name === p.category)!.id),
          cost_items: p.items,
          latitude: String(p.lat),
          longitude: String(p.lon),
        },
        at('proposals'),
      ),
    );
  }
  for (const projectId of ids) {
    await reviewProject(
      db,
      actor,
      admin,
      cycle,
      await getProject(db, id, projectId),
      { verdict: 'feasible' },
      at('review'),
    );
  }
  // Each demo resident votes for one project, so that the counts are as listed.
  let next = 0;
  for (const [i, p] of projects.entries()) {
    for (let v = 0; v < p.votes; v++) {
      const user = residents[next++ % residents.length]!;
      const ballot = await db.one<{ id: number }>(
        `INSERT INTO budget_ballots (cycle_id, user_id, district_id, declared_birth_year, declared_resident, confirmed_at, created_at)
         VALUES ($1, $2, $3, 1985, true, $4, $4) ON CONFLICT (cycle_id, user_id) WHERE user_id IS NOT NULL DO NOTHING RETURNING id`,
        [id, user, cycle.districts.find((d) => d.name === p.district)!.id, at('voting')],
      );
      if (ballot)
        await db.query('INSERT INTO budget_ballot_choices (ballot_id, project_id) VALUES ($1, $2)', [
          ballot.id,
          ids[i],
        ]);
    }
  }
  if (phaseNow >= PHASES.indexOf('results')) {
    await computeResults(db, actor, cycle, at('results'));
    const winner = (await db.one<{ id: number }>(
      'SELECT id FROM budget_projects WHERE cycle_id = $1 AND winner ORDER BY votes DESC LIMIT 1',
      [id],
    ))!.id;
    await recordProgress(db, actor, admin, cycle, await getProject(db, id, winner), {
      implementation_status: 'in_progress',
      spent: '640000',
      note: 'Укладено договір, тривають ремонтні роботи. Демонстраційний звіт.',
    });
  }
  return id;
}

export async function seedDemoBudgets(
  db: Queryable,
  actor: Actor,
  adminId: number,
  authorId: number,
  now = Date.now(),
): Promise<void> {
  const admin: CurrentUser = {
    id: adminId,
    email: 'admin@hromada.demo',
    displayName: 'admin',
    locale: 'uk',
    emailConfirmed: true,
    memberships: [],
    isAdmin: true,
    via: 'session',
  };
  const residents = (
    await db.query<{ id: number }>(`SELECT id FROM users WHERE email LIKE 'resident%@hromada.demo' ORDER BY id`)
  ).map((r) => r.id);
  await seedCycle(
    db,
    actor,
    admin,
    authorId,
    residents,
    'lviv',
    {
      slug: 'gromadskyi-proekt',
      title_uk: 'Громадський бюджет Львова (демо)',
      title_en: 'Lviv participatory budget (demo)',
      title_bg: 'Граждански бюджет на Лвов (демо)',
      description: 'Демонстраційний цикл: мешканці пропонують проєкти для своїх районів і голосують за них.',
      voting_rule: 'approval',
      max_choices: '3',
      one_per_category: 'on',
      min_age: '14',
      residents_only: 'on',
      live_totals: 'on',
      districts: 'Сихівський; 1500000\nГалицький; 500000',
      categories: 'Транспорт\nПарки і дозвілля\nБезпека\nКультура',
      size_classes: 'Малі; 400000\nВеликі; 1500000',
      // Paid from the demo city budget's improvement programme (src/demo/open-budget.ts).
      programme_code: '1216030',
    },
    LVIV,
    PHASES.indexOf('voting'),
    now,
  );
  await seedCycle(
    db,
    actor,
    admin,
    authorId,
    residents,
    'kyiv',
    {
      slug: 'hromadskyi-proekt',
      title_uk: 'Громадський проєкт Києва (демо)',
      title_en: 'Kyiv participatory budget (demo)',
      title_bg: 'Граждански проект на Киев (демо)',
      description:
        'Демонстраційний завершений цикл із правилом бюджету: обрані проєкти мають вкладатися в суму району.',
      voting_rule: 'knapsack',
      min_spend_share: '0',
      min_age: '16',
      residents_only: 'on',
      districts: 'Оболонський; 2000000\nГолосіївський; 700000',
      categories: 'Освіта\nСпорт\nДовкілля',
      size_classes: 'Малі; 500000\nВеликі; 2000000',
    },
    KYIV,
    PHASES.indexOf('implementation'),
    now,
  );
}
