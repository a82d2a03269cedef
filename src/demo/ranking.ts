// DEMO CONTENT: the transparency ranking of two consecutive years over the demo cities, both
// published (the second with one decided appeal and one correction), and the next year's campaign
// in its assessment phase with the demo assessor and coordinator assigned, so that the workflow
// pages have something to show. Scores come from a seeded generator: realistic, not real.
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import type { CurrentUser } from '../platform/auth.ts';
import type { FileStore } from '../platform/files.ts';
import { importMethodology, publishMethodology } from '../modules/ranking/methodology.ts';
import { correctScore, createCampaign, getCampaign, publishCampaign } from '../modules/ranking/campaigns.ts';
import { assignAssessor, assignCoordinator } from '../modules/ranking/workflow.ts';
import { indicatorScores, loadBoard } from '../modules/ranking/board.ts';
import { publishRankingData } from '../modules/ranking/open-data.ts';
import { demoMethodology } from './ranking-methodology.ts';

/** How many of the demo cities (largest first) take part. */
const PARTICIPANTS = 40;

/** A small deterministic generator (mulberry32), so the demo is the same on every machine. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface IndicatorRow {
  id: number;
  code: string;
  points: number;
  not_applicable_allowed: boolean;
  question_uk: string;
  levels: number[];
}

async function seedScores(
  db: Queryable,
  campaignId: number,
  year: number,
  cities: { id: number; slug: string }[],
  indicators: IndicatorRow[],
  assessorId: number,
): Promise<void> {
  const rows = {
    city: [] as number[],
    indicator: [] as number[],
    value: [] as (number | null)[],
    na: [] as boolean[],
    comment: [] as string[],
    recommendation: [] as string[],
    links: [] as string[],
  };
  for (const [c, city] of cities.entries()) {
    const random = generator(city.id * 7919 + year);
    // Each city has a level of openness that improves a little from one year to the next.
    const openness = Math.min(0.95, 0.35 + ((c * 37) % 55) / 100 + (year - 2020) * 0.06);
    for (const indicator of indicators) {
      const draw = random();
      const na = indicator.not_applicable_allowed && draw > 0.93;
      const levels = indicator.levels;
      const value = na ? null : draw < openness ? 1 : draw < openness + 0.15 && levels.includes(0.5) ? 0.5 : 0;
      rows.city.push(city.id);
      rows.indicator.push(indicator.id);
      rows.value.push(value);
      rows.na.push(na);
      const page = `https://${city.slug}.example.org/transparency/${indicator.code.toLowerCase()}`;
      rows.comment.push(
        na
          ? 'Не застосовується: у місті немає таких обʼєктів.'
          : value === 1
            ? `Повністю виконано: ${indicator.question_uk.toLowerCase()}. Інформація актуальна, зручно знайти з головної сторінки.`
            : value === 0.5
              ? 'Виконано частково: інформацію знайдено не за всі періоди.'
              : 'Інформацію не знайдено на сайті; на запит відповіді не надано.',
      );
      rows.recommendation.push(
        value === 1 || na
          ? ''
          : `Забезпечити, щоб ${indicator.question_uk.charAt(0).toLowerCase()}${indicator.question_uk.slice(1)}, і підтримувати інформацію актуальною.`,
      );
      rows.links.push(na ? '' : page);
    }
  }
  await db.query(
    `INSERT INTO ranking_scores (campaign_id, city_id, indicator_id, level_value, not_applicable, comment, recommendation, evidence_links, assessed_by, assessed_at,
       verification, verified_value, verified_not_applicable)
     SELECT $1, city, indicator, value, na, comment, recommendation, CASE WHEN link = '' THEN '{}'::text[] ELSE ARRAY[link] END, $9, make_timestamptz($10, 3, 15, 12, 0, 0, 'UTC'),
       'accepted', value, na
     FROM unnest($2::int[], $3::int[], $4::numeric[], $5::bool[], $6::text[], $7::text[], $8::text[]) AS s(city, indicator, value, na, comment, recommendation, link)`,
    [
      campaignId,
      rows.city,
      rows.indicator,
      rows.value,
      rows.na,
      rows.comment,
      rows.recommendation,
      rows.links,
      assessorId,
      year + 1,
    ],
  );
}

/** Lviv disputed one score and the coordinator accepted: the appeal, its reason and the changed score. */
async function seedDecidedAppeal(
  db: Queryable,
  campaignId: number,
  cityId: number,
  indicator: IndicatorRow,
  appellantId: number,
  coordinatorId: number,
): Promise<void> {
  const at = (day: number) => new Date(Date.UTC(2022, 3, day, 10));
  await db.query(
    `UPDATE ranking_scores SET level_value = 0, verified_value = 0, not_applicable = false, verified_not_applicable = false,
       comment = 'Протоколи засідань комісій не знайдено.', recommendation = 'Оприлюднювати протоколи засідань усіх постійних комісій.'
     WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3`,
    [campaignId, cityId, indicator.id],
  );
  await db.query(
    `INSERT INTO ranking_appeals (campaign_id, city_id, indicator_id, appellant_id, explanation, evidence_links, state, decided_by, decision_reason,
       previous_value, new_value, created_at, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'accepted', $7, $8, 0, 1, $9, $10)`,
    [
      campaignId,
      cityId,
      indicator.id,
      appellantId,
      'Протоколи всіх комісій оприлюднено в розділі «Депутатські комісії», посилання додаємо.',
      ['https://lviv.example.org/rada/komisii/protokoly'],
      coordinatorId,
      'Протоколи знайдено за посиланням, оцінку змінено на повну.',
      at(10),
      at(14),
    ],
  );
  await db.query(
    `UPDATE ranking_scores SET verified_value = 1, verifier_comment = 'Змінено за апеляцією.' WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3`,
    [campaignId, cityId, indicator.id],
  );
}

/** With `files`, each city's scores go to the portal as DataStore resources (loaded in the background), as publishing does; without, as links. */
export async function seedDemoRanking(
  db: Queryable,
  actor: Actor,
  adminId: number,
  files: FileStore | string | null = null,
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
  const methodologyId = await importMethodology(db, actor, demoMethodology(2020), true);
  await publishMethodology(db, actor, methodologyId, new Date('2020-02-01T10:00:00Z'));
  // Like the real editions of 2020–2021, cities under occupation since 2014 are not assessed.
  const cities = await db.query<{ id: number; slug: string }>(
    `SELECT id, slug FROM cities WHERE oblast_slug NOT IN ('krym', 'sevastopol') AND slug NOT IN ('donetsk', 'luhansk', 'makiivka', 'horlivka')
     ORDER BY population DESC NULLS LAST, slug LIMIT $1`,
    [PARTICIPANTS],
  );
  const indicators = await db.query<IndicatorRow>(
    `SELECT i.id, i.code, i.points::float8 AS points, i.not_applicable_allowed, i.question_uk,
       ARRAY(SELECT value::float8 FROM ranking_levels l WHERE l.indicator_id = i.id) AS levels FROM ranking_indicators i WHERE i.methodology_id = $1 ORDER BY i.position`,
    [methodologyId],
  );
  const assessor = await db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'assessor@hromada.demo'`);
  const coordinator = await db.one<{ id: number }>(
    `SELECT id FROM users WHERE email = 'coordinator.lviv@hromada.demo'`,
  );
  const cityIds = cities.map((c) => c.id);
  // Lviv's corrected indicator: one with a half level, other than the appealed one (indicators[4]).
  const corrected = indicators.find((i, n) => n !== 4 && i.levels.includes(0.5))!;
  for (const year of [2020, 2021]) {
    const id = await createCampaign(db, actor, admin, {
      year,
      methodology_id: methodologyId,
      cities: cityIds,
      bands: 'transparent 80, partly 50, not 0',
      title_uk: `Прозорі міста ${year} (демо)`,
      title_en: `Transparent cities ${year} (demo)`,
      title_bg: `Прозрачни градове ${year} (демо)`,
    });
    await db.query(`UPDATE ranking_campaigns SET demo = true, phase = 'final' WHERE id = $1`, [id]);
    await seedScores(db, id, year, cities, indicators, assessor!.id);
    const lviv = cities.find((c) => c.slug === 'lviv');
    if (year === 2021 && lviv) {
      await seedDecidedAppeal(db, id, lviv.id, indicators[4]!, adminId, coordinator!.id);
      // The story the note tells: the published score was a half, the archive proved a full one.
      await db.query(
        `UPDATE ranking_scores SET level_value = 0.5, verified_value = 0.5, not_applicable = false, verified_not_applicable = false
         WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3`,
        [id, lviv.id, corrected.id],
      );
    }
    await publishCampaign(db, actor, admin, await getCampaign(db, id), new Date(`${year + 1}-05-20T09:00:00Z`));
    if (year === 2021 && lviv) {
      await correctScore(
        db,
        actor,
        admin,
        await getCampaign(db, id),
        lviv.id,
        {
          indicator: corrected.code,
          level: '1',
          change_note: 'Виправлення: проєкти рішень було знайдено в архіві сайту; оцінку змінено з 0,5 на 1.',
        },
        new Date(`${year + 1}-06-02T09:00:00Z`),
      );
    }
    const board = await loadBoard(db, await getCampaign(db, id));
    await publishRankingData(db, actor, board, await indicatorScores(db, id), files);
  }
  // Next year's campaign is under way: the demo assessor scores Lviv and Zhytomyr, the Lviv coordinator verifies.
  const current = await createCampaign(db, actor, admin, {
    year: 2022,
    methodology_id: methodologyId,
    cities: cityIds,
    bands: 'transparent 80, partly 50, not 0',
    title_uk: 'Прозорі міста 2022 (демо)',
    title_en: 'Transparent cities 2022 (demo)',
    title_bg: 'Прозрачни градове 2022 (демо)',
  });
  await db.query(`UPDATE ranking_campaigns SET demo = true, phase = 'assessment' WHERE id = $1`, [current]);
  for (const slug of ['lviv', 'zhytomyr']) {
    const city = cities.find((c) => c.slug === slug);
    if (city) await assignAssessor(db, actor, admin, current, assessor!.id, city.id, null);
  }
  await assignCoordinator(db, actor, admin, current, coordinator!.id, 'lvivska');
}
