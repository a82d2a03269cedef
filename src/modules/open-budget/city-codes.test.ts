// A city's reference codes: the format checks (КАТОТТГ, ЄДРПОУ with its check digit, budget
// codes), which city a budget code names on a date, no overlapping validity for one code (in the
// application and in the table), and the editors' form: audited, CSRF, errors naming the field,
// only for the city's editors and admins; shown on the profile and in /api/v1/cities/{slug}.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, createTestDatabase, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR } from '../../platform/audit.ts';
import { migrate, readMigrations } from '../../platform/db/migrate.ts';
import { createConfirmedUser } from '../accounts/service.ts';
import { budgetCodesOf, cityForBudgetCode, isBudgetCode, isEdrpou, isEdrpouTaken, isKatottg } from './city-codes.ts';

test('ЄДРПОУ: 8 digits whose last is the check digit, both weightings and the second pass', () => {
  // Real codes of legal entities (state banks) exercise the algorithm.
  for (const code of ['00032129', '14360570', '00032106']) assert.ok(isEdrpou(code), code);
  assert.equal(isEdrpou('00032128'), false, 'a wrong check digit');
  assert.equal(isEdrpou('0003212'), false);
  assert.equal(isEdrpou('000321290'), false);
  assert.equal(isEdrpou('0003212a'), false);
  assert.equal(isEdrpou(' 00032129'), false);
  // The range 30000000–60000000 starts the weights at 7: 3000000x has sum 7·3 = 21 ≡ 10, so the
  // second pass (weights 9,3,4,…) gives 27 ≡ 5.
  assert.ok(isEdrpou('30000005'));
  assert.equal(isEdrpou('30000001'), false);
});

test('КАТОТТГ and budget code formats', () => {
  assert.ok(isKatottg('UA12345678901234567'));
  assert.equal(isKatottg('UA1234567890123456'), false);
  assert.equal(isKatottg('ua12345678901234567'), false);
  assert.equal(isKatottg('UA12345678901234567 '), false);
  assert.ok(isBudgetCode('1356300000'));
  assert.ok(isBudgetCode('13563000000'));
  assert.equal(isBudgetCode('132011000'), false);
  assert.equal(isBudgetCode('132011000000'), false);
  assert.equal(isBudgetCode('1320110000x'), false);
});

for (const engine of ENGINES) {
  describe(`city budget codes on ${engine}`, () => {
    let app: FastifyInstance;
    let lvivId: number;
    let zhytomyrId: number;
    let editor: Client;
    let admin: Client;

    before(async () => {
      app = await createTestApp(engine);
      lvivId = (await app.db.one<{ id: number }>("SELECT id FROM cities WHERE slug = 'lviv'"))!.id;
      zhytomyrId = (await app.db.one<{ id: number }>("SELECT id FROM cities WHERE slug = 'zhytomyr'"))!.id;
      await createConfirmedUser(app.db, SYSTEM_ACTOR, {
        email: 'editor.zhytomyr@example.org',
        password: DEMO_PASSWORD,
        role: 'city_editor',
        organization: 'zhytomyr-city-council',
      });
      editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
    });
    after(() => app.close());

    test('the demo gives Lviv its budget code from 2021; cityForBudgetCode answers by date', async () => {
      assert.deepEqual(await budgetCodesOf(app.db, lvivId), [
        { budgetCode: '13563000000', validFrom: '2021-01-01', validTo: null },
      ]);
      assert.equal(await cityForBudgetCode(app.db, '13563000000', '2021-01-01'), lvivId);
      assert.equal(await cityForBudgetCode(app.db, '13563000000', '2025-06-30'), lvivId);
      assert.equal(await cityForBudgetCode(app.db, '13563000000', '2020-12-31'), null);
      assert.equal(await cityForBudgetCode(app.db, '99999999999', '2025-06-30'), null);
    });

    test('the table refuses an overlapping validity for one code, and a bad КАТОТТГ or ЄДРПОУ', async () => {
      const insert = (cityId: number, code: string, from: string, to: string | null) =>
        app.db.query(
          'INSERT INTO city_budget_codes (city_id, budget_code, valid_from, valid_to) VALUES ($1, $2, $3, $4)',
          [cityId, code, from, to],
        );
      try {
        await checkTable(insert);
      } finally {
        await app.db.query("DELETE FROM city_budget_codes WHERE budget_code = '0655100000'");
      }
    });

    async function checkTable(
      insert: (cityId: number, code: string, from: string, to: string | null) => Promise<unknown>,
    ) {
      await insert(zhytomyrId, '0655100000', '2015-01-01', '2020-12-31');
      await assert.rejects(insert(lvivId, '0655100000', '2020-12-31', null), /overlapping/);
      await assert.rejects(insert(zhytomyrId, '0655100000', '2019-01-01', '2019-12-31'), /overlapping/);
      // The day after the end is free, and an update into an overlap is refused too.
      await insert(lvivId, '0655100000', '2021-01-01', null);
      await assert.rejects(
        app.db.query(
          "UPDATE city_budget_codes SET valid_from = '2020-06-01' WHERE budget_code = '0655100000' AND city_id = $1",
          [lvivId],
        ),
        /overlapping/,
      );
      await assert.rejects(insert(lvivId, '123', '2021-01-01', null), /check/i);
      await assert.rejects(insert(lvivId, '1234567890', '2021-01-02', '2021-01-01'), /check/i);
      await assert.rejects(app.db.query("UPDATE cities SET katottg = 'UA123' WHERE id = $1", [lvivId]), /katottg/);
      await assert.rejects(
        app.db.query("UPDATE organizations SET edrpou = '1234' WHERE slug = 'lviv-city-council'"),
        /edrpou/,
      );
    }

    test("the city's editor saves its КАТОТТГ and ЄДРПОУ, an admin its budget codes: audited, shown on the profile and in the API", async () => {
      // The procurement demo gives Lviv's council its ЄДРПОУ; an editor sets one only while it is empty.
      await app.db.query("UPDATE organizations SET edrpou = NULL WHERE slug = 'lviv-city-council'");
      const form = await editor.get('/cities/lviv/codes');
      assert.equal(form.statusCode, 200);
      assert.doesNotMatch(form.body, /name="budget_code_0"/, 'editors get no budget-code fields');
      assert.match(form.body, /<code>13563000000<\/code>/, 'they see the codes');
      assert.match(form.body, /адміністратор платформи/);
      const response = await editor.post('/cities/lviv/codes', {
        _csrf: editor.csrfToken(),
        katottg: 'ua12345678901234567',
        council_edrpou: '00032129',
      });
      assert.equal(response.statusCode, 303, response.body);
      assert.equal(response.headers.location, '/cities/lviv/codes?saved=1');
      assert.deepEqual(
        await budgetCodesOf(app.db, lvivId),
        [{ budgetCode: '13563000000', validFrom: '2021-01-01', validTo: null }],
        "an editor's save keeps the budget codes",
      );
      const city = await app.db.one<{ katottg: string }>('SELECT katottg FROM cities WHERE id = $1', [lvivId]);
      assert.equal(city?.katottg, 'UA12345678901234567', 'stored upper-cased');
      const council = await app.db.one<{ edrpou: string }>(
        "SELECT edrpou FROM organizations WHERE slug = 'lviv-city-council'",
      );
      assert.equal(council?.edrpou, '00032129');

      const adminForm = await admin.get('/cities/lviv/codes');
      assert.match(adminForm.body, /name="budget_code_0" value="13563000000"/);
      const saved = await admin.post('/cities/lviv/codes', {
        _csrf: admin.csrfToken(),
        katottg: 'UA12345678901234567',
        council_edrpou: '00032129',
        budget_code_0: '13563000000',
        valid_from_0: '2021-01-01',
        valid_to_0: '',
        budget_code_1: '1300000001',
        valid_from_1: '2015-01-01',
        valid_to_1: '2020-12-31',
      });
      assert.equal(saved.statusCode, 303, saved.body);
      assert.deepEqual(await budgetCodesOf(app.db, lvivId), [
        { budgetCode: '13563000000', validFrom: '2021-01-01', validTo: null },
        { budgetCode: '1300000001', validFrom: '2015-01-01', validTo: '2020-12-31' },
      ]);
      assert.equal(await cityForBudgetCode(app.db, '1300000001', '2018-03-01'), lvivId);
      const audit = await app.db.query<{
        actor_label: string;
        before: { budget_codes: unknown[]; council_edrpou: string | null };
        after: { budget_codes: unknown[]; council_edrpou: string | null };
      }>("SELECT actor_label, before, after FROM audit_events WHERE action = 'city.codes' ORDER BY id DESC LIMIT 2");
      assert.deepEqual(
        audit.map((a) => [a.actor_label, a.before.budget_codes.length, a.after.budget_codes.length]),
        [
          ['admin@hromada.demo', 1, 2],
          ['editor.lviv@hromada.demo', 1, 1],
        ],
      );
      assert.equal(audit[1]?.before.council_edrpou, null);
      assert.equal(audit[1]?.after.council_edrpou, '00032129');

      const profile = await app.inject('/cities/lviv');
      assert.match(profile.body, /id="budget-codes"/);
      assert.match(profile.body, /<code>1300000001<\/code>/);
      assert.match(profile.body, /<code>00032129<\/code>/);
      assert.doesNotMatch(profile.body, /href="\/cities\/lviv\/codes"/, 'anonymous visitors get no edit link');

      const api = await app.inject('/api/v1/cities/lviv');
      assert.equal(api.statusCode, 200);
      const body = api.json();
      assert.equal(body.codes.katottg, 'UA12345678901234567');
      assert.equal(body.codes.council_edrpou, '00032129');
      assert.deepEqual(body.codes.budget_codes, [
        { budget_code: '13563000000', valid_from: '2021-01-01', valid_to: null },
        { budget_code: '1300000001', valid_from: '2015-01-01', valid_to: '2020-12-31' },
      ]);
    });

    test("an editor may not assign budget codes, not even another city's real one; nothing changes", async () => {
      const zhytomyrBefore = await budgetCodesOf(app.db, zhytomyrId);
      const lvivBefore = await budgetCodesOf(app.db, lvivId);
      const zhytomyrEditor = new Client(app);
      await zhytomyrEditor.login('editor.zhytomyr@example.org', DEMO_PASSWORD);
      const form = await zhytomyrEditor.get('/cities/zhytomyr/codes');
      assert.equal(form.statusCode, 200);
      assert.doesNotMatch(form.body, /name="budget_code_/);
      const attempts: Record<string, string>[] = [
        // Lviv's code, for dates it does not hold it, so only the right stops it.
        { budget_code_0: '13563000000', valid_from_0: '2015-01-01', valid_to_0: '2020-12-31' },
        { budget_code_0: '0655100000', valid_from_0: '2021-01-01' },
        // An empty row still means "replace the budget codes" (by none).
        { budget_code_0: '', valid_from_0: '' },
      ];
      for (const fields of attempts) {
        const response = await zhytomyrEditor.post('/cities/zhytomyr/codes', {
          _csrf: zhytomyrEditor.csrfToken(),
          ...fields,
        });
        assert.equal(response.statusCode, 403, JSON.stringify(fields));
      }
      assert.deepEqual(await budgetCodesOf(app.db, zhytomyrId), zhytomyrBefore);
      assert.deepEqual(await budgetCodesOf(app.db, lvivId), lvivBefore);
      assert.equal(await cityForBudgetCode(app.db, '13563000000', '2018-01-01'), null);
    });

    test('bad input is refused with the message next to the field, and nothing changes', async () => {
      const before = await budgetCodesOf(app.db, lvivId);
      await admin.get('/cities/lviv/codes');
      const response = await admin.post('/cities/lviv/codes', {
        _csrf: admin.csrfToken(),
        katottg: 'UA123',
        council_edrpou: '00032128',
        budget_code_0: '13563000000',
        valid_from_0: '2021-02-30',
        budget_code_1: '13563000000',
        valid_from_1: '2020-01-01',
        valid_to_1: '2019-01-01',
        budget_code_2: '12',
        valid_from_2: '2021-01-01',
        valid_from_3: '2021-01-01',
      });
      assert.equal(response.statusCode, 422);
      for (const field of [
        'katottg',
        'council_edrpou',
        'valid_from_0',
        'valid_to_1',
        'budget_code_2',
        'budget_code_3',
      ]) {
        assert.match(response.body, new RegExp(`id="${field}-error"`), field);
      }
      assert.match(response.body, /Контрольна цифра ЄДРПОУ/);
      assert.match(response.body, /name="katottg" value="UA123"/, 'what the person typed is kept');
      assert.deepEqual(await budgetCodesOf(app.db, lvivId), before);
    });

    test('a code another city holds for the same period is refused naming that city', async () => {
      await app.db.query(
        "INSERT INTO city_budget_codes (city_id, budget_code, valid_from, valid_to) VALUES ($1, '0655100000', '2021-01-01', NULL)",
        [zhytomyrId],
      );
      const before = await budgetCodesOf(app.db, lvivId);
      await admin.get('/cities/lviv/codes');
      const response = await admin.post('/cities/lviv/codes', {
        _csrf: admin.csrfToken(),
        budget_code_0: '13563000000',
        valid_from_0: '2021-01-01',
        budget_code_1: '0655100000',
        valid_from_1: '2024-01-01',
      });
      assert.equal(response.statusCode, 409);
      assert.match(response.body, /id="budget_code_1-error"[^>]*>[^<]*zhytomyr/);
      assert.deepEqual(await budgetCodesOf(app.db, lvivId), before);
      // The same code twice in the form for meeting periods.
      const twice = await admin.post('/cities/lviv/codes', {
        _csrf: admin.csrfToken(),
        budget_code_0: '13563000000',
        valid_from_0: '2021-01-01',
        budget_code_1: '13563000000',
        valid_from_1: '2023-01-01',
      });
      assert.equal(twice.statusCode, 422);
      assert.match(twice.body, /id="budget_code_1-error"/);
    });

    test('only the city’s editors and admins may; a POST without the CSRF token is refused', async () => {
      const before = await budgetCodesOf(app.db, lvivId);
      const fields = { budget_code_0: '1111111111', valid_from_0: '2021-01-01' };
      const other = new Client(app);
      await other.login('editor.zhytomyr@example.org', DEMO_PASSWORD);
      assert.equal((await other.get('/cities/lviv/codes')).statusCode, 403);
      await other.get('/cities/zhytomyr/codes');
      assert.equal((await other.post('/cities/lviv/codes', { _csrf: other.csrfToken(), ...fields })).statusCode, 403);
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal((await citizen.get('/cities/lviv/codes')).statusCode, 403);
      const anonymous = new Client(app);
      assert.notEqual((await anonymous.post('/cities/lviv/codes', fields)).statusCode, 303);
      assert.equal((await editor.post('/cities/lviv/codes', fields)).statusCode, 403, 'no CSRF token');
      assert.deepEqual(await budgetCodesOf(app.db, lvivId), before);

      const saved = await admin.submit('/cities/zhytomyr/codes', '/cities/zhytomyr/codes', {
        budget_code_0: '0655100000',
        valid_from_0: '2021-01-01',
      });
      assert.equal(saved.statusCode, 303);
      const profile = await admin.get('/cities/zhytomyr');
      assert.match(profile.body, /href="\/cities\/zhytomyr\/codes"/);
    });

    test('admin forms for cities and organisations check КАТОТТГ and ЄДРПОУ too', async () => {
      await admin.get('/admin/cities/lviv/edit');
      const city = await admin.post('/admin/cities/lviv/edit', {
        _csrf: admin.csrfToken(),
        slug: 'lviv',
        name_uk: 'Львів',
        name_en: 'Lviv',
        name_bg: 'Лвов',
        oblast_slug: 'lvivska',
        katottg: 'UA46',
      });
      assert.equal(city.statusCode, 422);
      assert.match(city.body, /id="katottg-error"/);
      await admin.get('/admin/organizations/civic-lviv/edit');
      const org = await admin.post('/admin/organizations/civic-lviv/edit', {
        _csrf: admin.csrfToken(),
        slug: 'civic-lviv',
        kind: 'cso',
        name_uk: 'Ікс',
        name_en: 'X',
        name_bg: 'Икс',
        city_slug: 'lviv',
        edrpou: '12345670',
      });
      assert.equal(org.statusCode, 422);
      assert.match(org.body, /id="edrpou-error"/);
    });

    test("the council's ЄДРПОУ: one organisation per code (409 naming the holder); editors set it only while empty", async () => {
      const edrpouOf = async (slug: string) =>
        (await app.db.one<{ edrpou: string | null }>('SELECT edrpou FROM organizations WHERE slug = $1', [slug]))
          ?.edrpou ?? null;
      assert.equal(await edrpouOf('lviv-city-council'), '00032129', 'set by the earlier test');
      assert.equal(await edrpouOf('zhytomyr-city-council'), null);
      const zhytomyrEditor = new Client(app);
      await zhytomyrEditor.login('editor.zhytomyr@example.org', DEMO_PASSWORD);
      const save = (client: Client, fields: Record<string, string>) =>
        client.submit('/cities/zhytomyr/codes', '/cities/zhytomyr/codes', fields);

      // Lviv's council's code is refused for Zhytomyr's, naming the organisation that has it.
      const taken = await save(zhytomyrEditor, { council_edrpou: '00032129' });
      assert.equal(taken.statusCode, 409);
      assert.match(taken.body, /id="council_edrpou-error"[^>]*>[^<]*\(lviv-city-council\)/);
      assert.equal(await edrpouOf('zhytomyr-city-council'), null);

      // While empty, the editor sets it; then it is shown, not offered, and changing or clearing
      // it is refused; a save without the field keeps it.
      assert.equal((await save(zhytomyrEditor, { council_edrpou: '14360570' })).statusCode, 303);
      assert.equal(await edrpouOf('zhytomyr-city-council'), '14360570');
      const form = await zhytomyrEditor.get('/cities/zhytomyr/codes');
      assert.doesNotMatch(form.body, /name="council_edrpou"/);
      assert.match(form.body, /<code>14360570<\/code>/);
      assert.match(form.body, /лише адміністратор платформи/);
      for (const value of ['00032106', '']) {
        const refused = await save(zhytomyrEditor, { council_edrpou: value });
        assert.equal(refused.statusCode, 403, value);
      }
      assert.equal((await save(zhytomyrEditor, { katottg: 'UA12345678901234560' })).statusCode, 303);
      assert.equal(await edrpouOf('zhytomyr-city-council'), '14360570');

      // An admin changes it, but not to a code another organisation has.
      const adminTaken = await save(admin, { council_edrpou: '00032129' });
      assert.equal(adminTaken.statusCode, 409);
      assert.match(adminTaken.body, /lviv-city-council/);
      assert.equal((await save(admin, { council_edrpou: '00032106' })).statusCode, 303);
      assert.equal(await edrpouOf('zhytomyr-city-council'), '00032106');

      // The admins' organisation form refuses a taken code too, naming the holder.
      await admin.get('/admin/organizations/civic-lviv/edit');
      const org = await admin.post('/admin/organizations/civic-lviv/edit', {
        _csrf: admin.csrfToken(),
        slug: 'civic-lviv',
        kind: 'cso',
        name_uk: 'Ікс',
        name_en: 'X',
        name_bg: 'Икс',
        city_slug: 'lviv',
        edrpou: '00032106',
      });
      assert.equal(org.statusCode, 409);
      assert.match(org.body, /id="edrpou-error"[^>]*>[^<]*\(zhytomyr-city-council\)/);
      assert.equal(await edrpouOf('civic-lviv'), null);

      // The table refuses a second holder whatever path a write takes, and the error is recognised.
      const error = await app.db
        .query("UPDATE organizations SET edrpou = '00032106' WHERE slug = 'lviv-city-council'")
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(error, 'the unique index refused the update');
      assert.ok(isEdrpouTaken(error), String(error));
      assert.equal(await edrpouOf('lviv-city-council'), '00032129');
    });

    test('migration 0047 stops naming the organisations that already share an ЄДРПОУ', async () => {
      const db = await createTestDatabase(engine);
      try {
        const migrations = readMigrations();
        await migrate(
          db,
          migrations.filter((m) => m.version < '0047'),
        );
        await db.query(
          `INSERT INTO organizations (slug, kind, name_uk, name_en, name_bg, edrpou) VALUES
             ('first-holder', 'cso', 'А', 'A', 'А', '00032129'), ('second-holder', 'cso', 'Б', 'B', 'Б', '00032129'),
             ('no-code-1', 'cso', 'В', 'C', 'В', NULL), ('no-code-2', 'cso', 'Г', 'D', 'Г', NULL)`,
        );
        await assert.rejects(migrate(db, migrations), /first-holder, second-holder share the ЄДРПОУ 00032129/);
        await db.query("UPDATE organizations SET edrpou = NULL WHERE slug = 'second-holder'");
        await migrate(db, migrations);
        await assert.rejects(
          db.query("UPDATE organizations SET edrpou = '00032129' WHERE slug = 'second-holder'"),
          /organizations_edrpou_unique/,
        );
      } finally {
        await db.close();
      }
    });
  });
}
