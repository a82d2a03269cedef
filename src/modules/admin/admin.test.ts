import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, lastMailTo } from '../../../test/helpers.ts';

for (const engine of ENGINES) {
  describe(`admin area on ${engine}`, () => {
    let app: FastifyInstance;
    let admin: Client;
    let userId: number;
    before(async () => {
      app = await createTestApp(engine);
      admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      userId = (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'citizen@hromada.demo'`))!.id;
    });
    after(() => app.close());

    test('grants and removes roles with their scope; wrong scopes are explained', async () => {
      const page = `/admin/users/${userId}`;
      const noOrg = await admin.submit(page, `${page}/memberships`, {
        role: 'city_editor',
        organization: '',
        oblast: '',
      });
      assert.equal(noOrg.statusCode, 422);
      assert.match(noOrg.body, /виберіть організацію/);
      const wrongKind = await admin.submit(page, `${page}/memberships`, {
        role: 'city_editor',
        organization: 'civic-lviv',
        oblast: '',
      });
      assert.equal(wrongKind.statusCode, 422);
      assert.match(wrongKind.body, /міської ради/);
      const granted = await admin.submit(page, `${page}/memberships`, {
        role: 'city_editor',
        organization: 'zhytomyr-city-council',
        oblast: '',
      });
      assert.equal(granted.statusCode, 303);
      const twice = await admin.submit(page, `${page}/memberships`, {
        role: 'city_editor',
        organization: 'zhytomyr-city-council',
        oblast: '',
      });
      assert.equal(twice.statusCode, 409);
      const coordinator = await admin.submit(page, `${page}/memberships`, {
        role: 'regional_coordinator',
        organization: '',
        oblast: 'zhytomyrska',
      });
      assert.equal(coordinator.statusCode, 303);
      const roles = await app.db.query<{ id: number; role: string; oblast_slug: string | null }>(
        'SELECT id, role, oblast_slug FROM memberships WHERE user_id = $1 ORDER BY id',
        [userId],
      );
      assert.deepEqual(
        roles.map((r) => r.role),
        ['citizen', 'city_editor', 'regional_coordinator'],
      );
      const removed = await admin.submit(page, `${page}/memberships/${roles[1]!.id}/delete`, {});
      assert.equal(removed.statusCode, 303);
      const audit = await app.db.query<{ action: string; before: unknown; after: { role?: string } | null }>(
        `SELECT action, before, after FROM audit_events WHERE entity_type = 'user' AND entity_id = $1 AND action LIKE 'membership.%' AND actor_label = 'admin@hromada.demo' ORDER BY id`,
        [String(userId)],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['membership.create', 'membership.create', 'membership.delete'],
      );
      assert.equal(audit[0]!.after?.role, 'city_editor');
      assert.ok(audit[2]!.before, 'the removed role is kept in the log');
    });

    test('disabling an account ends its sessions and blocks login; the audit log shows before and after', async () => {
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      const page = `/admin/users/${userId}`;
      const saved = await admin.submit(page, page, {
        display_name: 'Марія',
        locale: 'bg',
        confirmed: 'on',
        disabled: 'on',
      });
      assert.equal(saved.statusCode, 303);
      assert.equal((await citizen.get('/account')).statusCode, 302);
      const login = await new Client(app).submit('/login', '/login', {
        email: 'citizen@hromada.demo',
        password: DEMO_PASSWORD,
      });
      assert.equal(login.statusCode, 401);
      const log = await admin.get(`/admin/audit?entity_type=user&entity_id=${userId}`);
      assert.match(log.body, /user\.update/);
      assert.match(log.body, /<code>disabled<\/code><\/th><td><del>false<\/del><\/td><td><ins>true<\/ins>/);
      assert.match(log.body, /<code>locale<\/code><\/th><td><del>uk<\/del><\/td><td><ins>bg<\/ins>/);
      const self = (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`))!.id;
      const selfDisable = await admin.submit(`/admin/users/${self}`, `/admin/users/${self}`, {
        display_name: 'Admin',
        disabled: 'on',
      });
      assert.equal(selfDisable.statusCode, 422);
      const ownAdmin = (await app.db.one<{ id: number }>(
        `SELECT id FROM memberships WHERE user_id = $1 AND role = 'admin'`,
        [self],
      ))!.id;
      const selfDemote = await admin.submit(
        `/admin/users/${self}`,
        `/admin/users/${self}/memberships/${ownAdmin}/delete`,
        {},
      );
      assert.equal(selfDemote.statusCode, 422);
      assert.ok(
        await app.db.one(`SELECT 1 FROM memberships WHERE id = $1`, [ownAdmin]),
        'the admin role is still there',
      );
    });

    test('an admin invites a city editor, who chooses a password from the e-mailed link', async () => {
      const invalid = await admin.submit('/admin/users/new', '/admin/users/new', {
        display_name: '',
        email: 'bad',
        locale: 'uk',
      });
      assert.equal(invalid.statusCode, 422);
      const invited = await admin.submit('/admin/users/new', '/admin/users/new', {
        display_name: 'Ніна <i>Редакторка</i>',
        email: 'nina@zhytomyr.example',
        locale: 'en',
      });
      assert.equal(invited.statusCode, 303);
      const mail = await lastMailTo(app.db, 'nina@zhytomyr.example');
      assert.equal(mail.subject, 'Your invitation to Hromada');
      assert.match(mail.body, /admin@hromada\.demo has created an account/);
      const nina = new Client(app);
      const link = new URL(mail.link!);
      await nina.get(link.pathname + link.search);
      const set = await nina.post('/reset', {
        _csrf: nina.csrfToken(),
        token: link.searchParams.get('token')!,
        password: 'ninas own password',
        password_confirm: 'ninas own password',
      });
      assert.equal(set.statusCode, 303);
      await nina.login('nina@zhytomyr.example', 'ninas own password');
      assert.match((await nina.get('/account')).body, /Ніна &lt;i&gt;Редакторка&lt;\/i&gt;/);
    });

    test('the audit log cannot be changed, even with direct SQL', async () => {
      await assert.rejects(app.db.query('DELETE FROM audit_events'), /append-only/);
      await assert.rejects(app.db.query(`UPDATE audit_events SET actor_label = 'x'`), /append-only/);
    });

    test('without SMTP, outgoing mail is kept and readable in the admin outbox', async () => {
      const visitor = new Client(app);
      await visitor.submit('/forgot', '/forgot', { email: 'assessor@hromada.demo' });
      const list = await admin.get('/admin/outbox');
      assert.match(list.body, /SMTP не налаштовано/);
      const id = /href="\/admin\/outbox\/(\d+)"/.exec(list.body)![1];
      const message = await admin.get(`/admin/outbox/${id}`);
      assert.match(message.body, /assessor@hromada\.demo/);
      assert.match(message.body, /http:\/\/localhost:3000\/reset\?token=/);
    });

    test('organisations: create with validation, listed by the API', async () => {
      const invalid = await admin.submit('/admin/organizations/new', '/admin/organizations/new', {
        slug: 'kyiv-council',
        kind: 'city_council',
        name_uk: 'Київська міська рада',
        name_en: 'Kyiv City Council',
        name_bg: '',
      });
      assert.equal(invalid.statusCode, 422);
      assert.match(invalid.body, /id="name_bg-error"/);
      assert.match(invalid.body, /id="city_slug-error"/);
      const created = await admin.submit('/admin/organizations/new', '/admin/organizations/new', {
        slug: 'kyiv-council',
        kind: 'city_council',
        name_uk: 'Київська міська рада',
        name_en: 'Kyiv City Council',
        name_bg: 'Киевски градски съвет',
        city_slug: 'kyiv',
      });
      assert.equal(created.statusCode, 303);
      const api = (await app.inject('/api/v1/organizations?city=kyiv')).json();
      assert.ok(api.items.some((o: { slug: string }) => o.slug === 'kyiv-council'));
      assert.equal((await app.inject('/api/v1/organizations/kyiv-council')).json().kind, 'city_council');
      assert.match((await app.inject('/cities/kyiv')).body, /Київська міська рада/);
    });
  });
}
