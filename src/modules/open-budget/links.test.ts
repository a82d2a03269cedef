// The city budget's links to the rest of Hromada: a participatory-budget cycle names the programme
// it is paid from (checked against the city's imported programmes), the cycle page links to it and
// the city budget page marks it; the ranking's budget indicators offer and accept the city budget
// page as evidence.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { sample } from '../../../test/ranking-fixtures.ts';
import { loadUser, type CurrentUser } from '../../platform/auth.ts';
import { Checker } from '../../platform/validate.ts';
import type { ValidationError } from '../../platform/errors.ts';
import { createCycle, getCycle, parseCycleInput } from '../budgets/service.ts';
import { importMethodology } from '../ranking/methodology.ts';
import { assignAssessor, evidenceLinks } from '../ranking/workflow.ts';
import { isBudgetIndicator } from '../ranking/workspace-views.ts';

const ACTOR = { userId: null, label: 'test' };
const at = (days: number) => new Date(Date.UTC(2031, 0, 1) + days * 86_400_000).toISOString();
const cycleInput = (slug: string, programme: string) => ({
  slug,
  title_uk: 'Громадський бюджет',
  title_en: 'Participatory budget',
  title_bg: 'Граждански бюджет',
  information_at: at(0),
  proposals_at: at(10),
  review_at: at(20),
  voting_at: at(30),
  ballot_review_at: at(40),
  results_at: at(50),
  implementation_at: at(60),
  voting_rule: 'approval',
  max_choices: '3',
  districts: 'Центр; 1000000',
  categories: 'Парки',
  size_classes: 'Малі; 1000000',
  programme_code: programme,
});
const fieldsOf = (error: ValidationError) => error.problems.map((p) => `${p.field}:${p.message}`);

for (const engine of ENGINES) {
  describe(`city budget links (${engine})`, () => {
    let app: FastifyInstance;
    let admin: CurrentUser;
    let lviv: number;
    let kyiv: number;

    before(async () => {
      app = await createTestApp(engine);
      admin = (await loadUser(
        app.db,
        (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`))!.id,
        'session',
      ))!;
      lviv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
      kyiv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'kyiv'`))!.id;
    });
    after(() => app.close());

    test('a cycle’s programme: 7 digits, one of the city’s imported programmes when it has any', async () => {
      assert.throws(
        () => parseCycleInput(cycleInput('bad-format', '06110')),
        (error: ValidationError) => fieldsOf(error).includes('programme_code:openBudget.cycle.programme_format'),
      );
      assert.equal(parseCycleInput(cycleInput('no-programme', '')).programme_code, null);
      // Lviv's demo budget has 0611021 (schools) and not 0699999.
      await assert.rejects(
        createCycle(app.db, ACTOR, admin, lviv, parseCycleInput(cycleInput('unknown-programme', '0699999'))),
        (error: ValidationError) => fieldsOf(error).includes('programme_code:openBudget.cycle.programme_unknown'),
      );
      const id = await createCycle(app.db, ACTOR, admin, lviv, parseCycleInput(cycleInput('schools', '0611021')));
      assert.equal((await getCycle(app.db, id)).programme_code, '0611021');
      // Kyiv has no imported budget: any well-formed code is taken.
      const kyivId = await createCycle(app.db, ACTOR, admin, kyiv, parseCycleInput(cycleInput('kyiv', '0699999')));
      assert.equal((await getCycle(app.db, kyivId)).programme_code, '0699999');
    });

    test('the cycle page links to the programme on the city budget page, which marks it as the participatory budget', async () => {
      const cycle = (await app.db.one<{ id: number; programme_code: string }>(
        `SELECT id, programme_code FROM budget_cycles WHERE slug = 'gromadskyi-proekt'`,
      ))!;
      // The demo's Lviv cycle is paid from the improvement programme.
      assert.equal(cycle.programme_code, '1216030');
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      const manage = await editor.get(`/budgets/${cycle.id}/manage`);
      assert.match(manage.body, /<datalist id="programme-codes">/);
      assert.match(manage.body, /<option value="0611021">/);

      const refused = await editor.submit(`/budgets/${cycle.id}/manage`, `/budgets/${cycle.id}/programme`, {
        programme_code: '0699999',
      });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /0699999 не є програмою імпортованого бюджету міста/);
      const saved = await editor.submit(`/budgets/${cycle.id}/manage`, `/budgets/${cycle.id}/programme`, {
        programme_code: '0611021',
      });
      assert.equal(saved.statusCode, 303, saved.body);
      assert.ok(
        await app.db.one(
          `SELECT 1 FROM audit_events WHERE action = 'budget.programme' AND after->>'programme_code' = '0611021'`,
        ),
      );
      // Only those who run the cycle: Lviv's editor on Kyiv's cycle is refused.
      const kyivCycle = (await app.db.one<{ id: number }>(
        `SELECT id FROM budget_cycles WHERE slug = 'hromadskyi-proekt'`,
      ))!;
      await editor.get(`/budgets/${cycle.id}/manage`);
      const other = await editor.post(`/budgets/${kyivCycle.id}/programme`, {
        _csrf: editor.csrfToken(),
        programme_code: '0611021',
      });
      assert.equal(other.statusCode, 403);

      const page = await app.inject({ url: `/budgets/${cycle.id}`, cookies: { hromada_lang: 'en' } });
      assert.match(page.body, /Paid from the city budget programme/);
      assert.match(page.body, /href="\/city-budget\/lviv\/2026\?view=PROGRAM&amp;code=0611021#ob-drill"/);
      assert.equal((await app.inject({ url: `/api/v1/budgets/${cycle.id}` })).json().programme_code, '0611021');

      for (const [lang, badge] of [
        ['uk', 'Громадський бюджет'],
        ['en', 'Participatory budget'],
        ['bg', 'Граждански бюджет'],
      ] as const) {
        const budget = await app.inject({
          url: '/city-budget/lviv/2026?view=PROGRAM',
          cookies: { hromada_lang: lang },
        });
        assert.match(budget.body, /id="ob-participatory"/);
        assert.match(budget.body, new RegExp(`<span class="badge info">${badge}</span>`));
        assert.match(budget.body, new RegExp(`href="/budgets/${cycle.id}"`));
      }
      // The programme's own row, drilled into.
      const drill = await app.inject({ url: '/city-budget/lviv/2026?view=PROGRAM&code=1021' });
      assert.match(drill.body, /<code>0611021<\/code>[\s\S]*?badge info/);
    });

    test('the ranking’s budget indicators offer the city budget page as evidence and accept it', async () => {
      const check = new Checker({});
      assert.deepEqual(
        evidenceLinks(
          check,
          ['https://lviv.example/report.pdf /city-budget/lviv/2025', '/city-budget/lviv/2025'],
          'https://hromada.example',
        ),
        ['https://lviv.example/report.pdf', 'https://hromada.example/city-budget/lviv/2025'],
      );
      assert.throws(() => {
        const bad = new Checker({});
        evidenceLinks(bad, '/admin/users javascript:alert(1)', 'https://hromada.example');
        bad.done();
      });

      const document = sample();
      document.year = 2025;
      document.areas[0]!.indicators[1]!.question = {
        uk: 'Чи оприлюднено виконання бюджету?',
        en: 'Is the budget’s execution published?',
        bg: 'Публикувано ли е изпълнението на бюджета?',
      };
      assert.equal(isBudgetIndicator(document.areas[0]!, document.areas[0]!.indicators[0]!), false);
      assert.equal(isBudgetIndicator(document.areas[0]!, document.areas[0]!.indicators[1]!), true);
      const methodology = await app.db.transaction((tx) => importMethodology(tx, ACTOR, document));
      const campaign = (await app.db.one<{ id: number }>(
        `INSERT INTO ranking_campaigns (year, methodology_id, title_uk, title_en, title_bg, phase)
         VALUES (2025, $1, 't', 't', 't', 'assessment') RETURNING id`,
        [methodology],
      ))!.id;
      await app.db.query('INSERT INTO ranking_campaign_cities VALUES ($1, $2)', [campaign, lviv]);
      const assessor = (await app.db.one<{ id: number }>(
        `SELECT id FROM users WHERE email = 'assessor@hromada.demo'`,
      ))!;
      await assignAssessor(app.db, ACTOR, admin, campaign, assessor.id, lviv, null);

      const client = new Client(app);
      await client.login('assessor@hromada.demo', DEMO_PASSWORD);
      const base = `/ranking/campaigns/${campaign}/cities/lviv`;
      const page = await client.get(`${base}/assess`);
      assert.equal(page.statusCode, 200);
      const url = `${app.config.publicUrl.replace(/\/$/, '')}/city-budget/lviv/2025`;
      // Offered on the budget indicator only.
      assert.match(page.body, new RegExp(`id="K02-budget-page" name="evidence_links" value="${url}"`));
      assert.doesNotMatch(page.body, /id="K01-budget-page"/);

      // Ticked beside a typed link: both kept, the budget page as its full address.
      // The form sends the field twice: the typed links' textarea and the ticked box.
      const saved = await app.inject({
        method: 'POST',
        url: `${base}/scores/K02`,
        headers: { cookie: client.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams([
          ['_csrf', client.csrfToken()],
          ['level', '1'],
          ['evidence_links', 'https://lviv.example/budget.pdf'],
          ['evidence_links', url],
        ]).toString(),
      });
      assert.equal(saved.statusCode, 303, saved.body);
      const links = await app.db.one<{ evidence_links: string[] }>(
        `SELECT s.evidence_links FROM ranking_scores s JOIN ranking_indicators i ON i.id = s.indicator_id
         WHERE s.campaign_id = $1 AND i.code = 'K02'`,
        [campaign],
      );
      assert.deepEqual(links!.evidence_links, ['https://lviv.example/budget.pdf', url]);
      const again = await client.get(`${base}/assess`);
      assert.match(again.body, new RegExp(`id="K02-budget-page" name="evidence_links" value="${url}" checked`));
      // A path of the city budget typed by hand is taken too, as the full address.
      await client.post(`${base}/scores/K01`, {
        _csrf: client.csrfToken(),
        level: '1',
        evidence_links: '/city-budget/lviv/2025',
      });
      const typed = await app.db.one<{ evidence_links: string[] }>(
        `SELECT s.evidence_links FROM ranking_scores s JOIN ranking_indicators i ON i.id = s.indicator_id
         WHERE s.campaign_id = $1 AND i.code = 'K01'`,
        [campaign],
      );
      assert.deepEqual(typed!.evidence_links, [url]);
    });
  });
}
