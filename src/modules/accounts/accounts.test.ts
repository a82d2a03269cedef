import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app.ts';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, lastMailTo, testConfig } from '../../../test/helpers.ts';
import { createApiToken } from '../../platform/auth.ts';

const userCount = async (app: FastifyInstance) =>
  (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM users'))!.n;

/** A new API token of the account with this address. */
async function tokenOf(app: FastifyInstance, email: string, name = 'script'): Promise<string> {
  const user = await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]);
  return (await createApiToken(app.db, user!.id, name)).token;
}

const meWith = async (app: FastifyInstance, token: string) =>
  (await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode;

for (const engine of ENGINES) {
  describe(`accounts on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine, { config: { apiRateLimitAnonymous: 5 } });
    });
    after(() => app.close());

    test('register, confirm the address through the outbox link, log out, log in', async () => {
      const client = new Client(app);
      const form = {
        display_name: 'Оксана <img src=x onerror=alert(1)>',
        email: 'Oksana@Example.org',
        password: 'a long enough password',
        password_confirm: 'a long enough password',
        home_city: 'lviv',
      };
      // Consent is asked, never assumed; a home city must be one of the platform's.
      const noConsent = await client.submit('/register', '/register', form);
      assert.equal(noConsent.statusCode, 422);
      assert.match(noConsent.body, /id="privacy_consent-error"[^>]*>Без вашої згоди/);
      assert.match(noConsent.body, /<option value="lviv" selected>/, 'the chosen city is kept');
      const badCity = await client.submit('/register', '/register', {
        ...form,
        home_city: 'atlantis',
        privacy_consent: 'yes',
      });
      assert.equal(badCity.statusCode, 422);
      assert.match(badCity.body, /Такого міста на платформі немає/);
      const registered = await client.submit('/register', '/register', { ...form, privacy_consent: 'yes' });
      assert.equal(registered.statusCode, 303);
      const stored = await app.db.one<{ slug: string; consented: boolean; version: string }>(
        `SELECT c.slug, u.privacy_consent_at IS NOT NULL AS consented, u.privacy_notice_version AS version
         FROM users u JOIN cities c ON c.id = u.home_city_id WHERE u.email = 'oksana@example.org'`,
      );
      assert.deepEqual(stored, { slug: 'lviv', consented: true, version: '2026-12' });
      const privacy = await client.get('/privacy');
      assert.equal(privacy.statusCode, 200);
      assert.match(privacy.body, /Версія повідомлення: 2026-12/);
      assert.equal(registered.headers.location, '/account?registered=1');
      const account = await client.get('/account?registered=1');
      assert.equal(account.statusCode, 200);
      assert.match(account.body, /oksana@example\.org/);
      assert.match(account.body, /Оксана &lt;img src=x onerror=alert\(1\)&gt;/);
      assert.match(account.body, /Не підтверджено/);

      const mail = await lastMailTo(app.db, 'oksana@example.org');
      assert.match(mail.subject, /Підтвердіть адресу/);
      const link = new URL(mail.link!);
      assert.equal(link.pathname, '/confirm');
      const confirmPage = await client.get(link.pathname + link.search);
      assert.match(confirmPage.body, /Підтвердити адресу/);
      const confirmed = await client.post('/confirm', {
        _csrf: client.csrfToken(),
        token: link.searchParams.get('token')!,
      });
      assert.equal(confirmed.statusCode, 200);
      assert.match(confirmed.body, /підтверджено/);
      const again = await client.post('/confirm', {
        _csrf: client.csrfToken(),
        token: link.searchParams.get('token')!,
      });
      assert.equal(again.statusCode, 400, 'a link works once');

      const sessionBefore = client.cookies.get('hromada_session')!;
      await client.submit('/account', '/logout', {});
      assert.equal(client.cookies.get('hromada_session'), undefined);
      const stale = await app.inject({ url: '/account', cookies: { hromada_session: sessionBefore } });
      assert.equal(stale.statusCode, 302, 'the old session cookie no longer works after logout');

      await client.login('oksana@example.org', 'a long enough password');
      assert.match((await client.get('/account')).body, /Підтверджено/);
    });

    test('bad registrations say what is wrong and create nothing', async () => {
      const before = await userCount(app);
      const client = new Client(app);
      const bad = await client.submit('/register', '/register', {
        display_name: '',
        email: 'not-an-email',
        password: 'short',
        password_confirm: 'other',
      });
      assert.equal(bad.statusCode, 422);
      for (const field of ['display_name', 'email', 'password'])
        assert.match(bad.body, new RegExp(`id="${field}-error"`));
      assert.match(bad.body, /value="not-an-email"/, 'what the person typed is kept');
      const duplicate = await client.submit('/register', '/register', {
        display_name: 'Someone',
        email: 'CITIZEN@hromada.demo',
        password: 'another long password',
        password_confirm: 'another long password',
        privacy_consent: 'yes',
      });
      assert.equal(duplicate.statusCode, 409);
      assert.match(duplicate.body, /вже існує/);
      assert.equal(await userCount(app), before);
    });

    test('forms without a valid CSRF token are refused', async () => {
      const client = new Client(app);
      await client.get('/login');
      const forged = await client.post('/login', {
        _csrf: 'forged-token',
        email: 'admin@hromada.demo',
        password: DEMO_PASSWORD,
      });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /Форма застаріла/);
      const fresh = new Client(app);
      const noCookie = await fresh.post('/register', { email: 'x@example.org' });
      assert.equal(noCookie.statusCode, 403);
      assert.equal(client.cookies.get('hromada_session'), undefined);
    });

    test('a wrong password many times is rate limited', async () => {
      const client = new Client(app);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push(
          (await client.submit('/login', '/login', { email: 'editor.lviv@hromada.demo', password: `wrong ${i}` }))
            .statusCode,
        );
      }
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.equal(statuses[11], 429);
      assert.match(client.lastBody, /Забагато спроб/);
    });

    test('one address trying many accounts, or registering many, is rate limited too', async () => {
      const bot = new Client(app, '10.7.7.7');
      const statuses: number[] = [];
      for (let i = 0; i < 102; i++) {
        await bot.get('/login');
        statuses.push(
          (await bot.post('/login', { _csrf: bot.csrfToken(), email: `victim${i}@example.org`, password: 'guess' }))
            .statusCode,
        );
      }
      assert.equal(statuses.filter((s) => s === 401).length, 100);
      assert.equal(statuses.at(-1), 429);
      assert.equal(
        (await new Client(app, '10.7.7.8').submit('/login', '/login', { email: 'nobody@example.org', password: 'x' }))
          .statusCode,
        401,
        'other addresses are not affected',
      );
      const registrar = new Client(app, '10.7.7.9');
      const registrations: number[] = [];
      for (let i = 0; i < 11; i++) {
        registrations.push(
          (
            await registrar.submit('/register', '/register', {
              display_name: 'Bot',
              email: `bot${i}@example.org`,
              password: 'x',
              password_confirm: 'x',
            })
          ).statusCode,
        );
      }
      assert.equal(registrations.at(-1), 429);
    });

    test('an expired session is treated as logged out; sessions live in the database across restarts', async () => {
      const client = new Client(app);
      await client.login('assessor@hromada.demo', DEMO_PASSWORD);
      // A second app on the same database stands in for a restarted server.
      const restarted = await buildApp({ config: testConfig(), db: app.db, logger: false });
      const again = await restarted.inject({ url: '/account', headers: { cookie: client.cookieHeader } });
      assert.equal(again.statusCode, 200);
      await restarted.versions.stop(); // it shares the database, which the suite's app closes
      await app.db.query(`UPDATE sessions SET expires_at = now() - interval '1 minute'`);
      const expired = await client.get('/account');
      assert.equal(expired.statusCode, 302);
      assert.equal(expired.headers.location, '/login?next=%2Faccount');
    });

    test('signing in from a long filtered URL comes back to it; an overlong one comes back to its path', async () => {
      const anonymous = new Client(app);
      const longView = `/account?view=${'x'.repeat(1500)}`;
      const toLogin = await anonymous.get(longView);
      assert.equal(toLogin.statusCode, 302);
      assert.equal(toLogin.headers.location, `/login?next=${encodeURIComponent(longView)}`);
      assert.equal((await anonymous.get(String(toLogin.headers.location))).statusCode, 200);
      const overlong = await anonymous.get(`/account?view=${'x'.repeat(2500)}`);
      assert.equal(overlong.headers.location, '/login?next=%2Faccount');
    });

    test('a forgotten password is reset through the e-mailed link, which ends other sessions and every API token', async () => {
      const other = new Client(app);
      await other.login('citizen@hromada.demo', DEMO_PASSWORD);
      const tokens = [await tokenOf(app, 'citizen@hromada.demo'), await tokenOf(app, 'citizen@hromada.demo')];
      for (const token of tokens) assert.equal(await meWith(app, token), 200, 'the token works before the reset');
      const client = new Client(app);
      const asked = await client.submit('/forgot', '/forgot', { email: 'citizen@hromada.demo' });
      assert.match(asked.body, /Якщо обліковий запис/);
      const unknown = await client.submit('/forgot', '/forgot', { email: 'nobody@example.org' });
      assert.equal(unknown.body.includes('Якщо обліковий запис'), true, 'same answer for unknown addresses');
      const mail = await lastMailTo(app.db, 'citizen@hromada.demo');
      const link = new URL(mail.link!);
      const form = await client.get(link.pathname + link.search);
      assert.equal(form.statusCode, 200);
      const mismatch = await client.post('/reset', {
        _csrf: client.csrfToken(),
        token: link.searchParams.get('token')!,
        password: 'new password 123',
        password_confirm: 'different 123',
      });
      assert.equal(mismatch.statusCode, 422);
      const reset = await client.post('/reset', {
        _csrf: client.csrfToken(),
        token: link.searchParams.get('token')!,
        password: 'new password 123',
        password_confirm: 'new password 123',
      });
      assert.equal(reset.statusCode, 303);
      assert.equal((await other.get('/account')).statusCode, 302, 'the other session was ended');
      for (const token of tokens) assert.equal(await meWith(app, token), 401, 'the token ended with the reset');
      const audit = await app.db.one<{ after: { api_tokens_revoked: number[] } }>(
        `SELECT after FROM audit_events WHERE action = 'user.reset_password' ORDER BY id DESC LIMIT 1`,
      );
      assert.equal(audit!.after.api_tokens_revoked.length, 2);
      await client.login('citizen@hromada.demo', 'new password 123');
      const old = await new Client(app).submit('/login', '/login', {
        email: 'citizen@hromada.demo',
        password: DEMO_PASSWORD,
      });
      assert.equal(old.statusCode, 401);
      assert.equal((await client.get(link.pathname + link.search)).statusCode, 400, 'the link works once');
    });

    test('a signed-in person changes their password; other sessions and every API token end, this session stays', async () => {
      const laptop = new Client(app);
      const phone = new Client(app);
      await laptop.login('assessor@hromada.demo', DEMO_PASSWORD);
      await phone.login('assessor@hromada.demo', DEMO_PASSWORD);
      const token = await tokenOf(app, 'assessor@hromada.demo');
      assert.equal(await meWith(app, token), 200);
      const wrong = await laptop.submit('/account', '/account/password', {
        current_password: 'not it',
        password: 'brand new password',
        password_confirm: 'brand new password',
      });
      assert.equal(wrong.statusCode, 422);
      assert.match(wrong.body, /id="current_password-error"/);
      assert.equal(await meWith(app, token), 200, 'a wrong current password changes nothing');
      const changed = await laptop.submit('/account', '/account/password', {
        current_password: DEMO_PASSWORD,
        password: 'brand new password',
        password_confirm: 'brand new password',
      });
      assert.equal(changed.statusCode, 303);
      assert.equal((await laptop.get('/account')).statusCode, 200, 'this session stays');
      assert.equal((await phone.get('/account')).statusCode, 302, 'the other session ended');
      assert.equal(await meWith(app, token), 401, 'the token ended with the change');
      assert.match((await laptop.get('/account?password=1')).body, /API-токени відкликано/);
      await new Client(app).login('assessor@hromada.demo', 'brand new password');
    });

    test('a personal API token authenticates /api/v1 (Bearer and CKAN style) until revoked', async () => {
      const client = new Client(app);
      await client.login('coordinator.lviv@hromada.demo', DEMO_PASSWORD);
      await client.get('/account');
      const created = await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'datathon script' });
      assert.equal(created.statusCode, 201);
      const token = /id="new-token">([^<]+)</.exec(created.body)![1]!;
      assert.match(token, /^hmd_/);
      const stored = await app.db.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM api_tokens WHERE token_hash = $1',
        [token],
      );
      assert.equal(stored!.n, 0, 'the token itself is not stored');

      const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().email, 'coordinator.lviv@hromada.demo');
      assert.deepEqual(
        me
          .json()
          .roles.map((r: { role: string }) => r.role)
          .sort(),
        ['citizen', 'regional_coordinator'],
      );
      const ckanStyle = await app.inject({ url: '/api/v1/me', headers: { authorization: token } });
      assert.equal(ckanStyle.statusCode, 200);
      const anonymous = await app.inject('/api/v1/me');
      assert.equal(anonymous.statusCode, 401);
      assert.match(anonymous.headers['content-type'] as string, /problem\+json/);
      assert.equal(
        (await app.inject({ url: '/api/v1/cities', headers: { authorization: 'Bearer hmd_forged' } })).statusCode,
        401,
      );
      // The session cookie does not authenticate the API (no CSRF exposure there).
      assert.equal((await app.inject({ url: '/api/v1/me', headers: { cookie: client.cookieHeader } })).statusCode, 401);

      const id = /action="\/account\/tokens\/(\d+)\/revoke"/.exec(created.body)![1]!;
      await client.get('/account');
      const revoked = await client.post(`/account/tokens/${id}/revoke`, { _csrf: client.csrfToken() });
      assert.equal(revoked.statusCode, 303);
      assert.equal(
        (await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode,
        401,
      );
    });

    test('the account page revokes every token at once, after a confirmation, and audits it', async () => {
      const client = new Client(app, '203.0.113.90');
      await client.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      const tokens = [
        await tokenOf(app, 'editor.lviv@hromada.demo', 'one'),
        await tokenOf(app, 'editor.lviv@hromada.demo', 'two'),
      ];
      const someoneElse = await tokenOf(app, 'admin@hromada.demo');
      const page = await client.get('/account');
      assert.match(page.body, /action="\/account\/tokens\/revoke-all"/);
      assert.match(page.body, /Кожна програма, що використовує/);
      // Without the confirmation nothing happens.
      const unconfirmed = await client.post('/account/tokens/revoke-all', { _csrf: client.csrfToken() });
      assert.equal(unconfirmed.statusCode, 422);
      assert.match(unconfirmed.body, /id="confirm-error"/);
      for (const token of tokens) assert.equal(await meWith(app, token), 200);
      // A forged form without the CSRF token is refused.
      const forged = await client.post('/account/tokens/revoke-all', { confirm: 'on' });
      assert.equal(forged.statusCode, 403);
      for (const token of tokens) assert.equal(await meWith(app, token), 200);

      await client.get('/account');
      const revoked = await client.post('/account/tokens/revoke-all', { _csrf: client.csrfToken(), confirm: 'on' });
      assert.equal(revoked.statusCode, 303);
      assert.equal(revoked.headers.location, '/account?revoked_all=1');
      for (const token of tokens) assert.equal(await meWith(app, token), 401);
      assert.equal(await meWith(app, someoneElse), 200, 'other accounts keep their tokens');
      const after = await client.get('/account?revoked_all=1');
      assert.match(after.body, /Усі ваші API-токени відкликано/);
      assert.match(after.body, /У вас ще немає токенів/);
      assert.doesNotMatch(after.body, /revoke-all/, 'nothing left to revoke');
      const audit = await app.db.one<{ actor_label: string; after: { api_tokens_revoked: number[] } }>(
        `SELECT actor_label, after FROM audit_events WHERE action = 'api_token.revoke_all' ORDER BY id DESC LIMIT 1`,
      );
      assert.equal(audit!.actor_label, 'editor.lviv@hromada.demo');
      assert.equal(audit!.after.api_tokens_revoked.length, 2);
    });

    test('anonymous API calls have a lower rate limit than token holders', async () => {
      const client = new Client(app);
      await client.login('admin@hromada.demo', DEMO_PASSWORD);
      await client.get('/account');
      const token = /id="new-token">([^<]+)</.exec(
        (await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'bench' })).body,
      )![1]!;
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++)
        statuses.push((await app.inject({ url: '/api/v1/oblasts', remoteAddress: '10.9.9.9' })).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      const limited = await app.inject({ url: '/api/v1/oblasts', remoteAddress: '10.9.9.9' });
      assert.match(limited.headers['content-type'] as string, /problem\+json/);
      assert.match(limited.json().title, /Too Many Requests/);
      const authed = await app.inject({
        url: '/api/v1/oblasts',
        remoteAddress: '10.9.9.9',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(authed.statusCode, 200);
    });

    test('oversized bodies are refused without harm', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/register',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `email=${'a'.repeat(400_000)}`,
      });
      assert.equal(response.statusCode, 413);
      assert.match(response.body, /завеликі/);
    });
  });
}
