import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, lastMailTo, multipartBody } from '../../../test/helpers.ts';
import { FakeClock } from '../../platform/clock.ts';
import { createConfirmedUser } from '../accounts/service.ts';
import { closeExpiredPetitions } from './service.ts';
import { createApiToken } from '../../platform/auth.ts';

const ACTOR = { userId: null, label: 'test' };
const BODY =
  'Просимо міську раду встановити лавки вздовж набережної. Зараз там ніде сісти, особливо людям похилого віку.';

for (const engine of ENGINES) {
  describe(`petitions on ${engine}`, () => {
    let app: FastifyInstance;
    const clock = new FakeClock(new Date());
    let author: Client;
    let editor: Client;
    const signers: Client[] = [];

    async function person(email: string, name = email.split('@')[0]!) {
      await createConfirmedUser(app.db, ACTOR, { email, password: DEMO_PASSWORD, displayName: name, role: 'citizen' });
      const client = new Client(app, `198.51.100.${signers.length + 10}`);
      await client.login(email, DEMO_PASSWORD);
      return client;
    }
    const petition = (id: number) =>
      app.db.one<{
        state: string;
        signature_count: number;
        moderation_due: string | null;
        response_due: string | null;
      }>(
        `SELECT state, signature_count, to_char(moderation_due, 'YYYY-MM-DD') AS moderation_due, to_char(response_due, 'YYYY-MM-DD') AS response_due FROM petitions WHERE id = $1`,
        [id],
      );
    /** Posts a form as the client would: with the CSRF token of a page it has just opened. */
    const send = async (client: Client, url: string, fields: Record<string, string> = {}) => {
      await client.get(client.cookies.has('hromada_session') ? '/petitions' : '/login');
      return client.post(url, { _csrf: client.csrfToken(), ...fields });
    };
    const idFrom = (location: unknown) => Number(/\/petitions\/(\d+)/.exec(String(location))?.[1]);

    before(async () => {
      app = await createTestApp(engine, { clock });
      author = new Client(app, '203.0.113.5');
      await author.login('citizen@hromada.demo', DEMO_PASSWORD);
      editor = new Client(app, '203.0.113.6');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      for (let i = 0; i < 4; i++) signers.push(await person(`signer${i}@example.org`, `Підписант ${i}`));
    });
    after(() => app.close());

    test('a petition’s signers page on: the list never stops silently at its first hundred', async () => {
      const { signature_count: total } = (await app.db.one<{ signature_count: number }>(
        'SELECT signature_count FROM petitions WHERE id = 1',
      ))!;
      assert.ok(total > 200, `${total} signatures in the demo petition`);
      const items = (body: string) =>
        body.slice(body.indexOf('<ol class="signers"')).split('</ol>')[0]!.match(/<li>/g)?.length;
      const first = await app.inject('/petitions/1');
      assert.equal(items(first.body), 100);
      assert.match(first.body, /href="\/petitions\/1\?signers=100" rel="next"/);
      const last = await app.inject(`/petitions/1?signers=${Math.floor((total - 1) / 100) * 100}`);
      assert.equal(items(last.body), total % 100 || 100);
      assert.match(last.body, /<ol class="signers" start="\d+01">/);
      assert.match(last.body, /rel="prev"/);
      assert.equal((await app.inject('/petitions/1?signers=-1')).statusCode, 400);
    });

    test('racing signatures: one per person, and the count is exact', async () => {
      clock.set(new Date());
      const id = (await app.db.one<{ id: number }>(
        `SELECT id FROM petitions WHERE state = 'open' AND city_id = (SELECT id FROM cities WHERE slug = 'kyiv')`,
      ))!.id;
      const before = (await petition(id))!.signature_count;
      await signers[3]!.get(`/petitions/${id}`);
      const token = signers[3]!.csrfToken();
      const attempts = await Promise.all(
        Array.from({ length: 12 }, () => signers[3]!.post(`/petitions/${id}/sign`, { _csrf: token })),
      );
      assert.deepEqual([...new Set(attempts.map((r) => r.statusCode))], [303]);
      assert.equal(attempts.filter((r) => /done=signed/.test(String(r.headers.location))).length, 1);
      const others = await Promise.all(
        signers.slice(0, 3).map(async (s) => {
          await s.get(`/petitions/${id}`);
          const csrf = s.csrfToken();
          return Promise.all([
            s.post(`/petitions/${id}/sign`, { _csrf: csrf }),
            s.post(`/petitions/${id}/sign`, { _csrf: csrf }),
          ]);
        }),
      );
      assert.equal(others.flat().length, 6);
      const after = await app.db.one<{ signature_count: number; counted: number }>(
        'SELECT signature_count, (SELECT count(*)::int FROM petition_signatures WHERE petition_id = $1 AND valid) AS counted FROM petitions WHERE id = $1',
        [id],
      );
      assert.equal(after!.signature_count, before + 4);
      assert.equal(after!.signature_count, after!.counted);
    });

    test('a city that asks for supporters first: the petition goes to moderation when it has them', async () => {
      clock.set('2030-06-03T08:00:00Z'); // a Monday
      const kyiv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'kyiv'`))!.id;
      await app.db.query(
        'UPDATE petition_rules SET supporters_needed = 2, moderation_working_days = 3 WHERE city_id = $1',
        [kyiv],
      );
      const created = await send(author, '/petitions/new', {
        city: 'kyiv',
        title: 'Громадські вбиральні в парках',
        topic: 'health',
        body: BODY,
      });
      const id = idFrom(created.headers.location);
      // Someone else cannot touch the draft: it is invisible to them.
      assert.equal((await send(signers[0]!, `/petitions/${id}/submit`)).statusCode, 404);
      assert.equal(
        (
          await send(signers[0]!, `/petitions/${id}/edit`, {
            title: 'Чужа правка назви петиції',
            topic: 'other',
            body: BODY,
          })
        ).statusCode,
        404,
      );
      assert.equal((await send(author, `/petitions/${id}/submit`)).statusCode, 303);
      assert.equal((await petition(id))!.state, 'support');
      assert.match(
        (await app.inject({ url: `/petitions/${id}`, cookies: { hromada_lang: 'en' } })).body,
        /0 of 2 supporters/,
      );
      assert.equal((await send(signers[0]!, `/petitions/${id}/sign`)).statusCode, 303);
      assert.equal((await petition(id))!.state, 'support');
      clock.set('2030-06-05T08:00:00Z'); // Wednesday: the moderation period runs from the second supporter
      assert.equal((await send(signers[1]!, `/petitions/${id}/sign`)).statusCode, 303);
      assert.deepEqual(
        { ...(await petition(id)) },
        { state: 'moderation', signature_count: 2, moderation_due: '2030-06-10', response_due: null },
      );
      assert.equal(
        (
          await send(author, `/petitions/${id}/edit`, {
            title: 'Змінена назва після подання',
            topic: 'other',
            body: BODY,
          })
        ).statusCode,
        409,
        'no edits after submission',
      );
      await app.db.query('UPDATE petition_rules SET supporters_needed = 0 WHERE city_id = $1', [kyiv]);
    });

    test('bulk invalidation drops a successful petition below its threshold, recounts and is audited', async () => {
      // Zhytomyr's demo petition that reached 300 of 300 signatures and awaits its response.
      const id = (await app.db.one<{ id: number }>(`SELECT id FROM petitions WHERE state = 'successful'`))!.id;
      const zhytomyrEditor = await person('editor.zt@example.org');
      await app.db.query(`INSERT INTO memberships (user_id, role, organization_id) SELECT u.id, 'city_editor', o.id FROM users u, organizations o
        WHERE u.email = 'editor.zt@example.org' AND o.slug = 'zhytomyr-city-council'`);
      await zhytomyrEditor.login('editor.zt@example.org', DEMO_PASSWORD);
      // Ten of the signatures came from one suspicious block.
      await app.db.query(
        `UPDATE petition_signatures SET ip_block = '203.0.113.0/24' WHERE id IN (SELECT id FROM petition_signatures WHERE petition_id = $1 ORDER BY id LIMIT 10)`,
        [id],
      );
      await zhytomyrEditor.get(`/petitions/${id}`);
      const empty = await send(zhytomyrEditor, `/petitions/${id}/invalidate`, { reason: 'перевірка' });
      assert.equal(empty.statusCode, 422);
      assert.match(empty.body, /хоча б одну умову/);
      const done = await send(zhytomyrEditor, `/petitions/${id}/invalidate`, {
        ip_block: '203.0.113.0/24',
        reason: 'Підписи з одного блоку адрес за кілька хвилин',
      });
      assert.equal(done.statusCode, 303, done.body);
      const after = await petition(id);
      assert.equal(after!.signature_count, 295);
      assert.equal(after!.state, 'unsuccessful');
      assert.equal(after!.response_due, null);
      const audit = await app.db.one<{ after: { invalidated: number; state: string } }>(
        `SELECT after FROM audit_events WHERE action = 'petition.invalidate' AND entity_id = $1`,
        [String(id)],
      );
      assert.equal(audit!.after.invalidated, 10);
      assert.equal(audit!.after.state, 'unsuccessful');
      assert.match((await zhytomyrEditor.get(`/petitions/${id}`)).body, /анульовано 10 підписів/);
    });

    test('every role against every moderation action: only the city’s editors and admins, and nothing changes otherwise', async () => {
      const kyivModeration = (await app.db.one<{ id: number }>(
        `SELECT id FROM petitions WHERE state = 'moderation' AND city_id = (SELECT id FROM cities WHERE slug = 'kyiv')`,
      ))!.id;
      const zhytomyrOpen = (await app.db.one<{ id: number }>(`SELECT id FROM petitions WHERE state = 'unsuccessful'`))!
        .id;
      const anonymous = new Client(app);
      await anonymous.get('/petitions');
      const actions: [string, Record<string, string>][] = [
        [`/petitions/${kyivModeration}/publish`, {}],
        [`/petitions/${kyivModeration}/reject`, { reason: 'other', comment: 'ні' }],
        [`/petitions/${zhytomyrOpen}/invalidate`, { email_domain: 'hromada.demo', reason: 'x' }],
        [
          `/petitions/${zhytomyrOpen}/respond`,
          { decision: 'supported', response: 'Відповідь, якої тут бути не може.' },
        ],
        [
          '/cities/kyiv/petition-rules',
          {
            enabled: 'on',
            signature_threshold: '1',
            collection_days: '1',
            supporters_needed: '0',
            moderation_working_days: '1',
            response_working_days: '1',
            signer_check: 'verified_email',
          },
        ],
      ];
      const snapshot = () =>
        app.db.query('SELECT id, state, signature_count, response_text FROM petitions ORDER BY id');
      const rulesBefore = await app.db.query('SELECT * FROM petition_rules ORDER BY city_id');
      const stateBefore = await snapshot();
      for (const [who, client, expected] of [
        ['anonymous', anonymous, 401],
        ['author', author, 403],
        ['another city’s editor', editor, 403],
        ['a signer', signers[0]!, 403],
      ] as const) {
        for (const [url, fields] of actions) {
          await client.get('/petitions');
          const response = await send(client, url, { ...fields });
          assert.ok(
            response.statusCode === expected ||
              (expected === 401 && response.statusCode === 303 && /login/.test(String(response.headers.location))),
            `${who} → ${url}: ${response.statusCode}`,
          );
        }
      }
      assert.deepEqual(await snapshot(), stateBefore);
      assert.deepEqual(await app.db.query('SELECT * FROM petition_rules ORDER BY city_id'), rulesBefore);
      assert.equal((await editor.get('/cities/kyiv/petition-rules')).statusCode, 403);
      assert.equal((await author.get('/petitions/moderation')).statusCode, 403);
      // An admin may moderate anywhere.
      const admin = new Client(app, '203.0.113.9');
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      await admin.get(`/petitions/${kyivModeration}`);
      const rejected = await send(admin, `/petitions/${kyivModeration}/reject`, {
        reason: 'duplicate',
        comment: 'Така петиція вже є.',
      });
      assert.equal(rejected.statusCode, 303);
      assert.equal((await petition(kyivModeration))!.state, 'rejected');
      assert.equal(
        (await send(admin, `/petitions/${kyivModeration}/publish`, {})).statusCode,
        409,
        'no way back from rejected',
      );
    });

    test('bad input: forged tokens, someone else’s signature, throw-away and unconfirmed addresses, oversized text and files', async () => {
      clock.set(new Date());
      const open = (await app.db.one<{ id: number }>(
        `SELECT id FROM petitions WHERE state = 'open' AND city_id = (SELECT id FROM cities WHERE slug = 'kyiv')`,
      ))!.id;
      await signers[0]!.get(`/petitions/${open}`);
      assert.equal((await signers[0]!.post(`/petitions/${open}/sign`, { _csrf: 'forged' })).statusCode, 403);
      // Through the API a token signs for its owner only; naming someone else is refused.
      const { token } = await createToken(app, 'signer1@example.org');
      const forSomeoneElse = await app.inject({
        method: 'POST',
        url: `/api/v1/petitions/${open}/signatures`,
        headers: { authorization: `Bearer ${token}` },
        payload: { user_id: 1 },
      });
      assert.equal(forSomeoneElse.statusCode, 400);
      const viaApi = await app.inject({
        method: 'POST',
        url: `/api/v1/petitions/${open}/signatures`,
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      });
      assert.equal(viaApi.statusCode, 200);
      assert.equal(viaApi.json().signed, false, 'signer1 signed this one in the race test');
      const closed = (await app.db.one<{ id: number }>(`SELECT id FROM petitions WHERE state = 'unsuccessful'`))!.id;
      const late = await app.inject({
        method: 'POST',
        url: `/api/v1/petitions/${closed}/signatures`,
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      });
      assert.equal(late.statusCode, 409);
      assert.equal(late.headers['content-type'], 'application/problem+json; charset=utf-8');

      const throwaway = await person('someone@mailinator.com');
      await throwaway.get(`/petitions/${open}`);
      const refused = await send(throwaway, `/petitions/${open}/sign`, {});
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /одноразові скриньки/);
      const unconfirmed = await person('unconfirmed@example.org');
      await app.db.query(`UPDATE users SET email_confirmed_at = NULL WHERE email = 'unconfirmed@example.org'`);
      await unconfirmed.get(`/petitions/${open}`);
      const forgedConfirmation = await send(unconfirmed, '/confirm', { token: 'forged-confirmation-token' });
      assert.equal(forgedConfirmation.statusCode, 400, 'a forged confirmation token confirms nothing');
      const notYet = await send(unconfirmed, `/petitions/${open}/sign`, {});
      assert.equal(notYet.statusCode, 403);
      assert.match(notYet.body, /підтвердьте електронну адресу/);

      const huge = await author.submit('/petitions/new', '/petitions/new', {
        city: 'lviv',
        title: 'Дуже довга петиція про все',
        topic: 'other',
        body: 'а'.repeat(10_001),
      });
      assert.equal(huge.statusCode, 422);
      const draft = await author.submit('/petitions/new', '/petitions/new', {
        city: 'lviv',
        title: 'Петиція з додатком до неї',
        topic: 'other',
        body: BODY,
      });
      const draftId = idFrom(draft.headers.location);
      await author.get(`/petitions/${draftId}`);
      const upload = async (name: string, content: Uint8Array | string, client = author) => {
        const body = multipartBody({ _csrf: client.csrfToken() }, { name, content });
        return app.inject({
          method: 'POST',
          url: `/petitions/${draftId}/files`,
          payload: body.payload,
          headers: { 'content-type': body.contentType, cookie: client.cookieHeader },
        });
      };
      assert.equal((await upload('scan.pdf', '%PDF-1.4\n%demo\n')).statusCode, 303);
      assert.equal((await upload('fake.pdf', 'MZ this is not a pdf')).statusCode, 422);
      assert.equal((await upload('big.pdf', `%PDF-1.4\n${'x'.repeat(10 * 1024 * 1024)}`)).statusCode, 413);
      const files = await app.db.query<{ file_name: string }>(
        'SELECT file_name FROM petition_files WHERE petition_id = $1',
        [draftId],
      );
      assert.deepEqual(
        files.map((f) => f.file_name),
        ['scan.pdf'],
      );
      await signers[0]!.get('/petitions');
      assert.equal(
        (await upload('other.pdf', '%PDF-1.4\n', signers[0]!)).statusCode,
        404,
        'someone else’s draft is invisible',
      );
      // Uploads are limited per account and hour (UPLOAD_RATE_LIMIT_PER_HOUR); the author has made three.
      const limit = app.config.uploadRateLimitPerHour;
      app.config.uploadRateLimitPerHour = 3;
      try {
        assert.equal((await upload('again.pdf', '%PDF-1.4\n')).statusCode, 429);
      } finally {
        app.config.uploadRateLimitPerHour = limit;
      }
    });

    test('the whole lifecycle: rules, draft, moderation, signing, closing, response, with deadlines in working days', async () => {
      // The city editor sets Lviv's rules: 3 signatures in 10 days, moderation in 2 working days, response in 5.
      const rules = await editor.submit('/cities/lviv/petition-rules', '/cities/lviv/petition-rules', {
        enabled: 'on',
        signature_threshold: '3',
        collection_days: '10',
        supporters_needed: '0',
        moderation_working_days: '2',
        response_working_days: '5',
        signer_check: 'verified_email',
        public_signer_names: 'on',
        holidays: '2030-01-01',
      });
      assert.equal(rules.statusCode, 303, rules.body);
      clock.set('2030-03-06T09:00:00Z'); // a Wednesday

      const invalid = await author.submit('/petitions/new', '/petitions/new', {
        city: 'lviv',
        title: 'Коротко',
        topic: 'nonsense',
        body: 'мало',
      });
      assert.equal(invalid.statusCode, 422);
      assert.match(invalid.body, /id="title-error"/);
      assert.match(invalid.body, /id="body-error"/);
      const created = await author.submit('/petitions/new', '/petitions/new', {
        city: 'lviv',
        title: 'Лавки на набережній <script>alert(1)</script>',
        topic: 'environment',
        body: BODY,
      });
      assert.equal(created.statusCode, 303, created.body);
      const id = idFrom(created.headers.location);
      assert.equal((await app.inject(`/petitions/${id}`)).statusCode, 404, 'a draft is not public');
      const preview = await author.get(`/petitions/${id}`);
      assert.match(preview.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.doesNotMatch(preview.body, /<script>alert/);

      const submitted = await send(author, `/petitions/${id}/submit`, {});
      assert.equal(submitted.statusCode, 303);
      assert.deepEqual(
        { ...(await petition(id)) },
        { state: 'moderation', signature_count: 0, moderation_due: '2030-03-08', response_due: null },
      );
      assert.equal((await send(author, `/petitions/${id}/sign`, {})).statusCode, 409, 'not open yet');

      clock.set('2030-03-11T09:00:00Z'); // Monday: moderation is overdue, and says so publicly
      assert.match((await app.inject(`/petitions/${id}`)).body, /Модерацію прострочено/);
      await editor.get(`/petitions/${id}`);
      assert.equal((await send(editor, `/petitions/${id}/publish`, {})).statusCode, 303);
      assert.match((await lastMailTo(app.db, 'citizen@hromada.demo')).subject, /опубліковано/);

      for (const [i, signer] of signers.slice(0, 3).entries()) {
        await signer.get(`/petitions/${id}`);
        const signed = await send(signer, `/petitions/${id}/sign`, { show_name: i === 0 ? 'on' : '', notify: 'on' });
        assert.equal(signed.statusCode, 303);
        assert.match(String(signed.headers.location), /done=signed/);
      }
      const again = await send(signers[0]!, `/petitions/${id}/sign`, {});
      assert.match(String(again.headers.location), /already_signed/);
      assert.equal((await petition(id))!.signature_count, 3);
      const page = (await app.inject({ url: `/petitions/${id}`, cookies: { hromada_lang: 'en' } })).body;
      assert.match(page, /3 of 3 signatures/);
      assert.match(page, /Підписант 0/);
      assert.doesNotMatch(page, /Підписант 1/, 'a signer who chose not to show their name');

      clock.set('2030-03-21T10:00:00Z'); // the ten days are over
      assert.ok((await closeExpiredPetitions(app.db, clock.now())) >= 1);
      assert.deepEqual(
        { ...(await petition(id)) },
        { state: 'successful', signature_count: 3, moderation_due: '2030-03-08', response_due: '2030-03-28' },
      );
      assert.equal((await send(signers[3]!, `/petitions/${id}/sign`, {})).statusCode, 409, 'closed');

      clock.set('2030-03-29T10:00:00Z');
      assert.match((await app.inject(`/petitions/${id}`)).body, /Відповідь прострочено/);
      await editor.get(`/petitions/${id}`);
      const responded = await send(editor, `/petitions/${id}/respond`, {
        decision: 'supported',
        response: 'Лавки встановлять до кінця травня за програмою благоустрою.',
      });
      assert.equal(responded.statusCode, 303, responded.body);
      assert.equal((await petition(id))!.state, 'answered');
      assert.match((await lastMailTo(app.db, 'signer2@example.org')).subject, /Відповідь на петицію/);
      const api = (await app.inject(`/api/v1/petitions/${id}`)).json();
      assert.equal(api.state, 'answered');
      assert.equal(api.response.decision, 'supported');
      assert.deepEqual(api.overdue, { moderation: false, response: true }, 'answered a day late');
      const stats = (await app.inject('/api/v1/cities/lviv/petition-stats')).json();
      assert.equal(stats.answered, 1);
      assert.equal(stats.answered_on_time, 0);
      const exported = await app.inject('/petitions/export?city=lviv');
      assert.match(exported.body, /^id,city,title,topic,state/);
      assert.doesNotMatch(exported.body, /Підписант|citizen@/, 'no personal data');
      assert.match(exported.body, new RegExp(`\\n${id},lviv,.*,answered,.*,3,3,2030-03-28,2030-03-29,supported,1`));
      const feed = await app.inject('/petitions/feed.atom');
      assert.match(feed.body, /&lt;script&gt;/);
      const dataset = (await app.inject('/api/3/action/package_show?id=lviv-petitions')).json();
      assert.equal(dataset.success, true, 'the export is published as a dataset of the portal');
    });
  });
}

async function createToken(app: FastifyInstance, email: string): Promise<{ token: string }> {
  const user = await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]);
  const { token } = await createApiToken(app.db, user!.id, 'test');
  return { token };
}
