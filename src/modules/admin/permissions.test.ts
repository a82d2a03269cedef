// Every admin action, tried as every role that is not admin (and anonymously): all refused,
// and nothing changes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';

const NON_ADMINS = [
  'editor.lviv@hromada.demo',
  'assessor@hromada.demo',
  'coordinator.lviv@hromada.demo',
  'citizen@hromada.demo',
];

const cityFields = { slug: 'x-town', name_uk: 'Ікс', name_en: 'X', name_bg: 'Икс', oblast_slug: 'lvivska' };
const orgFields = { slug: 'x-org', kind: 'cso', name_uk: 'Ікс', name_en: 'X', name_bg: 'Икс' };

/** [method, url, form fields] for every page and action of the admin area. */
function adminActions(userId: number, membershipId: number): [string, string, Record<string, string>][] {
  return [
    ['GET', '/admin', {}],
    ['GET', '/admin/cities', {}],
    ['GET', '/admin/cities/new', {}],
    ['POST', '/admin/cities/new', cityFields],
    ['GET', '/admin/cities/lviv/edit', {}],
    ['POST', '/admin/cities/lviv/edit', { ...cityFields, slug: 'lviv' }],
    ['POST', '/admin/cities/lviv/delete', {}],
    ['GET', '/admin/organizations', {}],
    ['GET', '/admin/organizations/new', {}],
    ['POST', '/admin/organizations/new', orgFields],
    ['GET', '/admin/organizations/civic-lviv/edit', {}],
    ['POST', '/admin/organizations/civic-lviv/edit', { ...orgFields, slug: 'civic-lviv' }],
    ['POST', '/admin/organizations/civic-lviv/delete', {}],
    ['GET', '/admin/users', {}],
    ['GET', '/admin/users/new', {}],
    ['POST', '/admin/users/new', { display_name: 'Sneaky', email: 'sneaky@example.org', locale: 'uk' }],
    ['GET', `/admin/users/${userId}`, {}],
    ['POST', `/admin/users/${userId}`, { display_name: 'Hacked', disabled: 'on' }],
    ['POST', `/admin/users/${userId}/memberships`, { role: 'admin' }],
    ['POST', `/admin/users/${userId}/memberships/${membershipId}/delete`, {}],
    ['GET', '/admin/audit', {}],
    ['GET', '/admin/outbox', {}],
    ['GET', '/admin/outbox/1', {}],
    ['GET', '/styleguide', {}],
  ];
}

async function snapshot(app: FastifyInstance): Promise<string> {
  const parts = await Promise.all(
    ['cities', 'organizations', 'users', 'memberships'].map((table) =>
      app.db.query(`SELECT * FROM ${table} ORDER BY id`).then((rows) => JSON.stringify(rows)),
    ),
  );
  return parts.join('\n');
}

for (const engine of ENGINES) {
  describe(`admin permissions on ${engine}`, () => {
    let app: FastifyInstance;
    let actions: ReturnType<typeof adminActions>;
    before(async () => {
      app = await createTestApp(engine);
      await app.db.query(`INSERT INTO outbox (to_address, subject, body_text) VALUES ('a@b.c', 's', 'secret link')`);
      const citizen = (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'citizen@hromada.demo'`))!;
      const membership = (await app.db.one<{ id: number }>('SELECT id FROM memberships WHERE user_id = $1', [
        citizen.id,
      ]))!;
      actions = adminActions(citizen.id, membership.id);
    });
    after(() => app.close());

    for (const email of NON_ADMINS) {
      test(`${email} gets 403 for every admin action and changes nothing`, async () => {
        const before = await snapshot(app);
        const client = new Client(app);
        await client.login(email, DEMO_PASSWORD);
        await client.get('/account'); // a page with a valid CSRF token, so only the role is wrong
        for (const [method, url, fields] of actions) {
          const response =
            method === 'GET' ? await client.get(url) : await client.post(url, { _csrf: client.csrfToken(), ...fields });
          assert.equal(response.statusCode, 403, `${method} ${url}`);
          await client.get('/account');
        }
        assert.equal(await snapshot(app), before);
      });
    }

    test('anonymous visitors are sent to log in, or refused', async () => {
      const client = new Client(app);
      for (const [method, url, fields] of actions) {
        await client.get('/login');
        const response =
          method === 'GET' ? await client.get(url) : await client.post(url, { _csrf: client.csrfToken(), ...fields });
        if (method === 'GET') {
          assert.equal(response.statusCode, 302, url);
          assert.match(String(response.headers.location), /^\/login\?next=/);
        } else assert.equal(response.statusCode, 401, url);
      }
    });

    test('the admin can do each of them', async () => {
      const client = new Client(app);
      await client.login('admin@hromada.demo', DEMO_PASSWORD);
      for (const [, url] of actions.filter(([m]) => m === 'GET')) {
        assert.equal((await client.get(url)).statusCode, 200, url);
      }
    });
  });
}
