import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { sample } from '../../../test/ranking-fixtures.ts';
import { loadUser, type CurrentUser } from '../../platform/auth.ts';
import { importMethodology } from './methodology.ts';
import { campaignResults } from './results.ts';
import { assignAssessor, assignCoordinator, decideAppeal, fileAppeal, saveScore, verifyScore } from './workflow.ts';

const ACTOR = { userId: null, label: 'test' };

for (const engine of ENGINES) {
  describe(`ranking workflow on ${engine}`, () => {
    let app: FastifyInstance;
    const users: Record<string, CurrentUser> = {};
    let campaign: number;
    let lviv: number;
    let kyiv: number;
    const setPhase = (phase: string) =>
      app.db.query('UPDATE ranking_campaigns SET phase = $2 WHERE id = $1', [campaign, phase]);
    const scores = () =>
      app.db.query(
        'SELECT city_id, indicator_id, level_value, not_applicable, verification, verified_value FROM ranking_scores WHERE campaign_id = $1 ORDER BY 1, 2',
        [campaign],
      );

    before(async () => {
      app = await createTestApp(engine);
      for (const email of ['admin', 'assessor', 'coordinator.lviv', 'editor.lviv', 'citizen']) {
        const row = await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [
          `${email}@hromada.demo`,
        ]);
        users[email] = (await loadUser(app.db, row!.id, 'session'))!;
      }
      const methodology = await app.db.transaction((tx) => importMethodology(tx, ACTOR, sample()));
      campaign = (await app.db.one<{ id: number }>(
        `INSERT INTO ranking_campaigns (year, methodology_id, title_uk, title_en, title_bg) VALUES (2021, $1, 't', 't', 't') RETURNING id`,
        [methodology],
      ))!.id;
      lviv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
      kyiv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'kyiv'`))!.id;
      await app.db.query('INSERT INTO ranking_campaign_cities VALUES ($1, $2), ($1, $3)', [campaign, lviv, kyiv]);
    });
    after(() => app.close());

    test('assignments: admins only; an assessor’s own city needs a recorded reason', async () => {
      for (const who of ['assessor', 'coordinator.lviv', 'editor.lviv', 'citizen']) {
        await assert.rejects(
          assignAssessor(app.db, ACTOR, users[who]!, campaign, users.assessor!.id, lviv, null),
          { statusCode: 403 },
          who,
        );
      }
      await assignAssessor(app.db, ACTOR, users.admin!, campaign, users.assessor!.id, lviv, null);
      // Transparency Watch is based in Kyiv.
      await assert.rejects(assignAssessor(app.db, ACTOR, users.admin!, campaign, users.assessor!.id, kyiv, null), {
        statusCode: 409,
      });
      await assert.rejects(
        assignAssessor(app.db, ACTOR, users.admin!, campaign, users.citizen!.id, lviv, null),
        { statusCode: 422 },
        'not an assessor',
      );
      await assignAssessor(
        app.db,
        ACTOR,
        users.admin!,
        campaign,
        users.assessor!.id,
        kyiv,
        'No other assessor speaks for Kyiv this year',
      );
      const override = await app.db.one<{ conflict_override_reason: string }>(
        'SELECT conflict_override_reason FROM ranking_assignments WHERE city_id = $1',
        [kyiv],
      );
      assert.match(override!.conflict_override_reason, /No other assessor/);
      await assignCoordinator(app.db, ACTOR, users.admin!, campaign, users['coordinator.lviv']!.id, 'lvivska');
      await assert.rejects(
        assignCoordinator(app.db, ACTOR, users.admin!, campaign, users['coordinator.lviv']!.id, 'kyivska'),
        { statusCode: 422 },
      );
    });

    test('scoring: only assigned assessors, only in the assessment phase, only rubric levels; N/A only where allowed', async () => {
      const now = new Date();
      const before = await scores();
      await assert.rejects(
        saveScore(app.db, ACTOR, users.assessor!, campaign, lviv, 'K01', { level: '1' }, now),
        { statusCode: 409 },
        'preparation phase',
      );
      await setPhase('assessment');
      await assert.rejects(
        saveScore(app.db, ACTOR, users['editor.lviv']!, campaign, lviv, 'K01', { level: '1' }, now),
        { statusCode: 403 },
      );
      await assert.rejects(saveScore(app.db, ACTOR, users.citizen!, campaign, lviv, 'K01', { level: '1' }, now), {
        statusCode: 403,
      });
      await assert.rejects(
        saveScore(app.db, ACTOR, users.assessor!, campaign, lviv, 'K01', { level: '0.7' }, now),
        { statusCode: 422 },
        'not a rubric level',
      );
      await assert.rejects(
        saveScore(app.db, ACTOR, users.assessor!, campaign, lviv, 'K01', { level: 'na' }, now),
        { statusCode: 422 },
        'N/A not allowed on K01',
      );
      await assert.rejects(
        saveScore(
          app.db,
          ACTOR,
          users.assessor!,
          campaign,
          lviv,
          'K01',
          { level: '1', evidence_links: 'javascript:alert(1)' },
          now,
        ),
        { statusCode: 422 },
      );
      await assert.rejects(saveScore(app.db, ACTOR, users.assessor!, campaign, lviv, 'K99', { level: '1' }, now), {
        statusCode: 404,
      });
      assert.deepEqual(await scores(), before, 'nothing changed');
      await saveScore(
        app.db,
        ACTOR,
        users.assessor!,
        campaign,
        lviv,
        'K01',
        { level: '1', comment: '<script>x</script>', evidence_links: 'https://lviv.example/decisions' },
        now,
      );
      await saveScore(app.db, ACTOR, users.assessor!, campaign, lviv, 'K02', { level: 'na' }, now);
      await saveScore(app.db, ACTOR, users.assessor!, campaign, kyiv, 'K01', { level: '0.5' }, now);
      await saveScore(app.db, ACTOR, users.assessor!, campaign, kyiv, 'K02', { level: '1' }, now);
      const { results } = await campaignResults(app.db, campaign);
      assert.deepEqual(
        results.map((r) => [r.citySlug, r.place, Math.round(r.total!)]),
        [
          ['kyiv', 2, 67],
          ['lviv', 1, 100],
        ],
      );
    });

    test('verification: the oblast’s coordinator accepts or returns; both values are kept; the results use the verified one', async () => {
      await setPhase('verification');
      await assert.rejects(
        verifyScore(app.db, ACTOR, users['coordinator.lviv']!, campaign, kyiv, 'K01', { decision: 'accept' }),
        { statusCode: 403 },
        'Kyiv is not in Lviv oblast',
      );
      await assert.rejects(verifyScore(app.db, ACTOR, users.assessor!, campaign, lviv, 'K01', { decision: 'accept' }), {
        statusCode: 403,
      });
      await assert.rejects(
        verifyScore(app.db, ACTOR, users['coordinator.lviv']!, campaign, lviv, 'K01', { decision: 'return' }),
        { statusCode: 422 },
        'a comment is required',
      );
      await verifyScore(app.db, ACTOR, users['coordinator.lviv']!, campaign, lviv, 'K01', {
        decision: 'accept',
        level: '0.5',
        verifier_comment: 'Only 2020 published',
      });
      await verifyScore(app.db, ACTOR, users['coordinator.lviv']!, campaign, lviv, 'K02', {
        decision: 'return',
        verifier_comment: 'Votes by name exist as PDF',
      });
      const k01 = await app.db.one<{ level_value: number; verified_value: number; verification: string }>(
        `SELECT s.level_value::float8 AS level_value, s.verified_value::float8 AS verified_value, s.verification FROM ranking_scores s
         JOIN ranking_indicators i ON i.id = s.indicator_id WHERE s.campaign_id = $2 AND s.city_id = $1 AND i.code = 'K01'`,
        [lviv, campaign],
      );
      assert.deepEqual({ ...k01 }, { level_value: 1, verified_value: 0.5, verification: 'accepted' });
      const { results } = await campaignResults(app.db, campaign);
      // Lviv: K01 verified to 0.5 → 1 of 2 applicable points (K02 still N/A as assessed, returned for another look).
      assert.deepEqual(
        results.map((r) => [r.citySlug, Math.round(r.total!)]),
        [
          ['kyiv', 67],
          ['lviv', 50],
        ],
      );
      const audit = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action IN ('ranking.score', 'ranking.verify')`,
      );
      assert.equal(audit!.n, 6);
      // Assessment is over: only the returned score may be reworked, which sends it back for verification.
      await assert.rejects(
        saveScore(app.db, ACTOR, users.assessor!, campaign, lviv, 'K01', { level: '1' }, new Date()),
        { statusCode: 409 },
        'assessment is over',
      );
      await saveScore(
        app.db,
        ACTOR,
        users.assessor!,
        campaign,
        lviv,
        'K02',
        { level: 'na', comment: 'Votes are PDF only: not open data' },
        new Date(),
      );
      const k02 = await app.db.one<{ verification: string }>(
        `SELECT s.verification FROM ranking_scores s JOIN ranking_indicators i ON i.id = s.indicator_id
        WHERE s.campaign_id = $1 AND s.city_id = $2 AND i.code = 'K02'`,
        [campaign, lviv],
      );
      assert.equal(k02!.verification, 'pending');
      await verifyScore(app.db, ACTOR, users['coordinator.lviv']!, campaign, lviv, 'K02', { decision: 'accept' });
    });

    test('appeals: filed in the window by the city or a citizen, decided by the coordinator with a reason; an accepted one changes the score', async () => {
      const now = new Date();
      const explanation = {
        explanation: 'Decisions for both years are on the website, see the archive page.',
        evidence_links: 'https://lviv.example/archive',
      };
      await assert.rejects(
        fileAppeal(app.db, ACTOR, users['editor.lviv']!, campaign, lviv, 'K01', explanation, now),
        { statusCode: 409 },
        'not the appeal window yet',
      );
      await setPhase('appeals');
      await assert.rejects(
        fileAppeal(app.db, ACTOR, users['editor.lviv']!, campaign, lviv, 'K01', { explanation: 'short' }, now),
        { statusCode: 422 },
      );
      await assert.rejects(
        fileAppeal(
          app.db,
          ACTOR,
          { ...users.citizen!, emailConfirmed: false },
          campaign,
          lviv,
          'K01',
          explanation,
          now,
        ),
        { statusCode: 403 },
      );
      const byCity = await fileAppeal(app.db, ACTOR, users['editor.lviv']!, campaign, lviv, 'K01', explanation, now);
      const byCitizen = await fileAppeal(app.db, ACTOR, users.citizen!, campaign, kyiv, 'K01', explanation, now);
      await assert.rejects(
        decideAppeal(
          app.db,
          ACTOR,
          users['coordinator.lviv']!,
          byCitizen,
          { decision: 'reject', decision_reason: 'x' },
          now,
        ),
        { statusCode: 403 },
        'Kyiv is not theirs',
      );
      await assert.rejects(
        decideAppeal(
          app.db,
          ACTOR,
          users['editor.lviv']!,
          byCity,
          { decision: 'accept', level: '1', decision_reason: 'x' },
          now,
        ),
        { statusCode: 403 },
        'not one’s own appeal',
      );
      await assert.rejects(
        decideAppeal(app.db, ACTOR, users['coordinator.lviv']!, byCity, { decision: 'accept', level: '1' }, now),
        { statusCode: 422 },
        'a reason is required',
      );
      await decideAppeal(
        app.db,
        ACTOR,
        users['coordinator.lviv']!,
        byCity,
        { decision: 'accept', level: '1', decision_reason: 'The archive shows both years' },
        now,
      );
      await assert.rejects(
        decideAppeal(
          app.db,
          ACTOR,
          users['coordinator.lviv']!,
          byCity,
          { decision: 'reject', decision_reason: 'again' },
          now,
        ),
        { statusCode: 409 },
      );
      await decideAppeal(
        app.db,
        ACTOR,
        users.admin!,
        byCitizen,
        { decision: 'reject', decision_reason: 'The archive lacks 2020' },
        now,
      );
      const appeals = await app.db.query<{ state: string; previous_value: number | null; new_value: number | null }>(
        'SELECT state, previous_value::float8 AS previous_value, new_value::float8 AS new_value FROM ranking_appeals WHERE campaign_id = $1 ORDER BY id',
        [campaign],
      );
      assert.deepEqual(
        appeals.map((a) => ({ ...a })),
        [
          { state: 'accepted', previous_value: 0.5, new_value: 1 },
          { state: 'rejected', previous_value: 0.5, new_value: null },
        ],
      );
      const { results } = await campaignResults(app.db, campaign);
      assert.deepEqual(
        results.map((r) => [r.citySlug, Math.round(r.total!)]),
        [
          ['kyiv', 67],
          ['lviv', 100],
        ],
        'Lviv back to full marks on what applies',
      );
    });
  });
}
