// The transparency ranking under load (`npm run bench:ranking`), on a PostgreSQL server:
// 1. Recomputing a campaign of 100 cities × 100 indicators from its stored scores, and the
//    year-over-year view over 10 such campaigns (each year's results and the change since the
//    year before). Baseline in the same run: reading the same score rows with a plain SELECT.
//    Target: well under a second.
// 2. The public ranking page (/ranking) from 50 connections, against a static file served by
//    the same app as the baseline in the same run. Target: p99 under 50 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startPostgres } from '../scripts/postgres.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { importMethodology, publishMethodology, type MethodologyDocument } from '../src/modules/ranking/methodology.ts';
import { campaignResults } from '../src/modules/ranking/results.ts';
import { changeSince } from '../src/modules/ranking/scoring.ts';
import { startServer, stopServer } from './support.ts';

const CITIES = 100;
const AREAS = 10;
const PER_AREA = 10;
const CAMPAIGNS = 10;
const REPEAT = 15;
const ACTOR = { userId: null, label: 'bench' };

const text = (s: string) => ({ uk: s, en: s, bg: s });

function methodology(): MethodologyDocument {
  return {
    year: 2030,
    version: 'bench-100',
    title: text('Bench'),
    areas: Array.from({ length: AREAS }, (_, a) => ({
      code: String(a + 1),
      name: text(`Area ${a + 1}`),
      max_points: PER_AREA * 1.5 - 2,
      indicators: Array.from({ length: PER_AREA }, (_, i) => ({
        code: `B${a * PER_AREA + i + 1}`,
        question: text(`Question ${a}.${i}`),
        guidance: text(''),
        points: i % 2 ? 2 : 1,
        type: (['legal', 'best_practice', 'both'] as const)[i % 3]!,
        evidence: ['website' as const],
        not_applicable_allowed: i % 7 === 0,
        levels: [
          { value: 1, description: text('full') },
          { value: 0.5, description: text('half') },
          { value: 0, description: text('none') },
        ],
      })),
    })),
  };
}

/** 100 cities (the demo's and generated ones), a 100-indicator methodology and 10 yearly campaigns, every score filled. */
async function seedCampaigns(db: Database): Promise<number[]> {
  await db.query(
    `INSERT INTO cities (slug, name_uk, name_en, name_bg, sort_key_uk, sort_key_en, sort_key_bg, search_text, oblast_slug, population)
     SELECT 'bench-' || n, 'Місто ' || n, 'Town ' || n, 'Град ' || n, 'm' || n, 't' || n, 'g' || n, 'town ' || n, 'kyivska', 20000 + n * 1000
     FROM generate_series(1, GREATEST(0, $1 - (SELECT count(*) FROM cities))::int) AS n`,
    [CITIES],
  );
  const methodologyId = await db.transaction((tx) => importMethodology(tx, ACTOR, methodology()));
  await publishMethodology(db, ACTOR, methodologyId, new Date());
  const campaigns: number[] = [];
  for (let year = 2031; year < 2031 + CAMPAIGNS; year++) {
    const id = (await db.one<{ id: number }>(
      `INSERT INTO ranking_campaigns (year, methodology_id, title_uk, title_en, title_bg, phase) VALUES ($1, $2, 'b', 'b', 'b', 'final') RETURNING id`,
      [year, methodologyId],
    ))!.id;
    await db.query('INSERT INTO ranking_campaign_cities SELECT $1, id FROM cities ORDER BY id LIMIT $2', [id, CITIES]);
    // Scores from a hash of city, indicator and year: full, half, none or not applicable where allowed.
    await db.query(
      `INSERT INTO ranking_scores (campaign_id, city_id, indicator_id, level_value, not_applicable, verification, verified_value)
       SELECT $1, cc.city_id, i.id, CASE WHEN h < 4 AND i.not_applicable_allowed THEN NULL WHEN h < 50 THEN 1 WHEN h < 75 THEN 0.5 ELSE 0 END,
         h < 4 AND i.not_applicable_allowed, CASE WHEN h % 3 = 0 THEN 'accepted' ELSE 'pending' END, CASE WHEN h % 9 = 0 AND h >= 4 THEN 0.5 END
       FROM ranking_campaign_cities cc CROSS JOIN ranking_indicators i
       CROSS JOIN LATERAL (SELECT abs(hashtext(cc.city_id || ':' || i.id || ':' || $2)) % 100 AS h) AS x
       WHERE cc.campaign_id = $1 AND i.methodology_id = $3`,
      [id, year, methodologyId],
    );
    campaigns.push(id);
  }
  return campaigns;
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const timings: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    await run();
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b)[Math.floor(timings.length / 2)]!;
}

const postgres = await startPostgres();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-bench-'));
try {
  // ---- 1. Recomputing ----
  const db = await openDatabase({ databaseUrl: postgres.url, dataDir: null });
  await migrate(db);
  await seedDemo(db);
  const campaigns = await seedCampaigns(db);
  const scoreRows = (await db.one<{ n: number }>(
    'SELECT count(*)::int AS n FROM ranking_scores WHERE campaign_id = $1',
    [campaigns[0]],
  ))!.n;
  const baseline = await time(() =>
    db.query(
      'SELECT city_id, indicator_id, level_value, not_applicable, verified_value, verified_not_applicable FROM ranking_scores WHERE campaign_id = $1',
      [campaigns[0]],
    ),
  );
  const one = await time(() => campaignResults(db, campaigns[0]!));
  const yearOverYear = await time(async () => {
    let previous: Awaited<ReturnType<typeof campaignResults>> | null = null;
    for (const id of campaigns) {
      const current = await campaignResults(db, id);
      if (previous) {
        const before = new Map(previous.results.map((r) => [r.cityId, r]));
        for (const r of current.results)
          changeSince(
            { ...r, methodology: current.methodology },
            before.get(r.cityId) && { ...before.get(r.cityId)!, methodology: previous.methodology },
          );
      }
      previous = current;
    }
  });
  const results = await campaignResults(db, campaigns[0]!);
  await db.close();

  // ---- 2. The ranking page ----
  const port = 3905;
  const server = await startServer(port, { HROMADA_DATA_DIR: dataDir, DATABASE_URL: await freshDatabase() });
  const load = async (url: string) => {
    await autocannon({ url, connections: 10, duration: 2 });
    const r = await autocannon({ url, connections: 50, duration: Number(process.env.BENCH_DURATION ?? 10) });
    return {
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.timeouts + r.non2xx,
    };
  };
  let page;
  let staticFile;
  try {
    staticFile = await load(`http://127.0.0.1:${port}/static/favicon.svg`);
    page = await load(`http://127.0.0.1:${port}/ranking`);
  } finally {
    await stopServer(server);
  }

  console.log(`\nHromada ranking benchmark — PostgreSQL, ${os.cpus().length} cores\n`);
  console.log(
    `Recompute: ${results.results.length} cities × ${AREAS * PER_AREA} indicators (${scoreRows} scores), median of ${REPEAT}`,
  );
  console.log(`  baseline: SELECT of the score rows        ${baseline.toFixed(1).padStart(7)} ms`);
  console.log(
    `  one campaign recomputed                   ${one.toFixed(1).padStart(7)} ms   ${(one / baseline).toFixed(1)}× the baseline`,
  );
  console.log(
    `  year over year, ${CAMPAIGNS} campaigns              ${yearOverYear.toFixed(1).padStart(7)} ms   ${(yearOverYear / baseline).toFixed(1)}× the baseline`,
  );
  console.log(`  target: well under 1 s: ${yearOverYear < 1000 ? 'met' : 'NOT MET'}`);
  console.log('\nThe ranking page, 50 connections                 req/s   p50 ms  p99 ms  vs baseline  errors');
  console.log(
    `  static file (baseline)                        ${staticFile.rps.toFixed(0).padStart(6)} ${String(staticFile.p50).padStart(8)} ${String(staticFile.p99).padStart(7)}        100%  ${staticFile.errors}`,
  );
  console.log(
    `  /ranking                                      ${page.rps.toFixed(0).padStart(6)} ${String(page.p50).padStart(8)} ${String(page.p99).padStart(7)} ${((page.rps / staticFile.rps) * 100).toFixed(0).padStart(10)}%  ${page.errors}`,
  );
  console.log(`  target: p99 < 50 ms: ${page.p99 < 50 && page.errors === 0 ? 'met' : 'NOT MET'}`);
} finally {
  postgres.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The page is served from its own database with only the demo content, as after `npm start`. */
async function freshDatabase(): Promise<string> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE ranking_page');
  await admin.end();
  const url = new URL(postgres.url);
  url.pathname = '/ranking_page';
  return url.toString();
}
