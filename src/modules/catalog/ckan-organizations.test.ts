// Organizations (cities) through the CKAN API as ckanapi and CKAN's CLI call it: organization_show,
// organization_create/update/patch/delete with CKAN's fields mapped onto a city and what a city
// cannot hold refused by name, organization_list_for_user and member_list, for an anonymous
// caller, a citizen, an editor of the city, an editor of another city and an admin.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { assertCkanError, ckanCallers, type Callers } from '../../../test/ckan-callers.ts';

const NEW_CITY = {
  name: 'novyi-rozdil',
  title: 'Новий Розділ',
  extras: [
    { key: 'name_en', value: 'Novyi Rozdil' },
    { key: 'name_bg', value: 'Нови Роздил' },
    { key: 'oblast', value: 'lvivska' },
    { key: 'population', value: '28000' },
  ],
};

const extra = (org: { extras: { key: string; value: string }[] }, key: string) =>
  org.extras.find((e) => e.key === key)?.value;

for (const engine of ENGINES) {
  describe(`CKAN organizations (cities) on ${engine}`, () => {
    let app: FastifyInstance;
    let as: Callers;
    before(async () => {
      app = await createTestApp(engine);
      as = await ckanCallers(app);
    });
    after(() => app.close());

    test('organization_show gives a city as CKAN gives an organization, its editors without e-mail', async () => {
      const shown = await as.anonymous('organization_show', { id: 'lviv' });
      assert.equal(shown.status, 200, shown.body);
      const org = shown.result;
      assert.equal(org.name, 'lviv');
      assert.equal(org.title, 'Львів');
      assert.equal(org.is_organization, true);
      assert.equal(org.type, 'organization');
      assert.equal(extra(org, 'name_en'), 'Lviv');
      assert.equal(extra(org, 'oblast'), 'lvivska');
      assert.ok(org.package_count >= 2);
      assert.deepEqual(
        org.users.map((u: { id: string; capacity: string }) => [u.id, u.capacity]),
        [[String(as.ids.editor), 'editor']],
      );
      assert.ok(!shown.body.includes('@'), 'no e-mail address');
      // ckanapi's GET form with CKAN's booleans; datasets only when asked, drafts not among them.
      const withDatasets = await as.anonymous('organization_show', { id: 'lviv', include_datasets: 'True' }, 'GET');
      const names = withDatasets.result.packages.map((p: { name: string }) => p.name);
      assert.ok(names.includes('lviv-budget-2024'));
      assert.ok(!names.includes('lviv-council-decisions-draft'));
      assert.equal(
        (await as.anonymous('organization_show', { id: 'lviv', include_extras: false })).result.extras.length,
        0,
      );
      assertCkanError(await as.anonymous('organization_show', { id: 'atlantis' }), 404, 'Not Found Error');
      assertCkanError(await as.anonymous('organization_show', {}), 409, 'Validation Error', 'id');
    });

    test('only an admin may create a city; what a city cannot hold is refused by name', async () => {
      for (const caller of [as.anonymous, as.citizen, as.editor, as.otherEditor]) {
        const refused = await caller('organization_create', NEW_CITY);
        assertCkanError(refused, 403, 'Authorization Error');
        assert.match(refused.error.message, /not authorized to create organizations/);
      }
      assertCkanError(await as.admin('organization_create', NEW_CITY, 'GET'), 400, 'Bad request');
      // What CKAN's CLI sends for a bare organization: a city needs its names and oblast.
      const bare = await as.admin('organization_create', { name: 'bare-city' });
      assertCkanError(bare, 409, 'Validation Error', 'title');
      for (const field of ['name_en', 'name_bg', 'oblast']) assert.ok(Object.hasOwn(bare.error, field), bare.body);
      const refusals: [Record<string, unknown>, string][] = [
        [{ image_url: 'https://example.org/logo.png' }, 'image_url'],
        [{ description: 'A town on the Dniester' }, 'description'],
        [{ users: [{ name: 'user-1', capacity: 'admin' }] }, 'users'],
        [{ groups: [{ name: 'parent' }] }, 'groups'],
        [{ extras: [...NEW_CITY.extras, { key: 'mayor', value: 'X' }] }, 'extras'],
        [{ extras: [{ key: 'name_en', value: ['not', 'text'] }] }, 'extras'],
        [{ extras: 'name_en=Novyi Rozdil' }, 'extras'],
        [{ extras: NEW_CITY.extras.map((e) => (e.key === 'oblast' ? { ...e, value: 'atlantis' } : e)) }, 'oblast'],
        [{ name: 'Novyi_Rozdil' }, 'name'],
        [{ name: 'lviv' }, 'name'],
        [{ state: 'deleted' }, 'state'],
        [{ id: 'another-id' }, 'id'],
      ];
      for (const [change, field] of refusals) {
        const refused = await as.admin('organization_create', { ...NEW_CITY, ...change });
        assertCkanError(refused, 409, 'Validation Error', field);
      }
      assertCkanError(await as.anonymous('organization_show', { id: 'novyi-rozdil' }), 404, 'Not Found Error');

      const created = await as.admin('organization_create', NEW_CITY);
      assert.equal(created.status, 200, created.body);
      assert.equal(created.result.name, 'novyi-rozdil');
      assert.equal(created.result.title, 'Новий Розділ');
      assert.equal(created.result.description, 'Novyi Rozdil / Нови Роздил');
      assert.equal(extra(created.result, 'population'), '28000');
      assert.equal((await as.anonymous('organization_show', { id: 'novyi-rozdil' })).result.title, 'Новий Розділ');
      assert.ok((await as.anonymous('organization_list')).result.includes('novyi-rozdil'));
      // The city is a city everywhere: its page and the cities API.
      const city = (await app.inject('/api/v1/cities/novyi-rozdil')).json();
      assert.equal(city.name.en, 'Novyi Rozdil');
      assert.equal(city.population, 28000);
      const audit = await app.db.one<{ actor_user_id: number }>(
        `SELECT actor_user_id FROM audit_events WHERE action = 'city.create' ORDER BY id DESC LIMIT 1`,
      );
      assert.equal(audit!.actor_user_id, as.ids.admin);
    });

    test("organization_update and _patch: admins only, show's dict round-trips, resets as CKAN's update", async () => {
      const shown = (await as.anonymous('organization_show', { id: 'zhytomyr' })).result;
      const edited = { ...shown, title: 'Житомир (оновлено)' };
      for (const caller of [as.anonymous, as.citizen, as.editor, as.otherEditor]) {
        const refused = await caller('organization_update', edited);
        assertCkanError(refused, 403, 'Authorization Error');
        assert.match(refused.error.message, /not authorized to edit organization zhytomyr/);
        assertCkanError(await caller('organization_patch', { id: 'zhytomyr', title: 'X' }), 403, 'Authorization Error');
      }
      assert.equal((await as.anonymous('organization_show', { id: 'zhytomyr' })).result.title, 'Житомир', 'unchanged');
      // ckanapi's habit: show, change a field, send the whole dict back.
      const updated = await as.admin('organization_update', edited);
      assert.equal(updated.status, 200, updated.body);
      assert.equal(updated.result.title, 'Житомир (оновлено)');
      assert.deepEqual(updated.result.extras, shown.extras, 'extras sent back unchanged stay');
      // An update resets what it does not give: a city's title cannot be reset, optional extras can.
      assertCkanError(await as.admin('organization_update', { id: 'zhytomyr' }), 409, 'Validation Error', 'title');
      const withoutPopulation = await as.admin('organization_update', {
        id: 'zhytomyr',
        title: 'Житомир',
        extras: shown.extras.filter((e: { key: string }) => e.key !== 'population'),
      });
      assert.equal(withoutPopulation.status, 200, withoutPopulation.body);
      assert.equal(extra(withoutPopulation.result, 'population'), undefined);
      const missingName = await as.admin('organization_update', {
        id: 'zhytomyr',
        title: 'Житомир',
        extras: shown.extras.filter((e: { key: string }) => e.key !== 'name_en'),
      });
      assertCkanError(missingName, 409, 'Validation Error', 'extras');
      // A patch changes only what it gives.
      const patched = await as.admin('organization_patch', {
        id: 'zhytomyr',
        extras: [{ key: 'population', value: '261000' }],
      });
      assert.equal(patched.status, 200, patched.body);
      assert.equal(extra(patched.result, 'population'), '261000');
      assert.equal(extra(patched.result, 'name_en'), 'Zhytomyr');
      assert.equal(patched.result.title, 'Житомир');
      assertCkanError(
        await as.admin('organization_patch', { id: 'zhytomyr', image_url: 'x.png' }),
        409,
        'Validation Error',
        'image_url',
      );
      assertCkanError(await as.admin('organization_patch', { id: 'atlantis', title: 'A' }), 404, 'Not Found Error');
      // Datasets keep their organization through a rename of nothing else.
      const search = await as.anonymous('package_search', { fq: 'organization:zhytomyr' });
      assert.ok(search.result.count >= 1);
    });

    test('organization_delete: admins only, and not while the city has datasets or anything else', async () => {
      for (const caller of [as.anonymous, as.citizen, as.editor, as.otherEditor])
        assertCkanError(await caller('organization_delete', { id: 'lviv' }), 403, 'Authorization Error');
      const held = await as.admin('organization_delete', { id: 'lviv' });
      assertCkanError(held, 409, 'Validation Error');
      assert.match(held.error.message, /still has datasets/);
      assert.equal((await as.anonymous('organization_show', { id: 'lviv' })).status, 200);
      const created = await as.admin('organization_create', { ...NEW_CITY, name: 'to-be-deleted' });
      assert.equal(created.status, 200, created.body);
      const deleted = await as.admin('organization_delete', { id: 'to-be-deleted' });
      assert.equal(deleted.status, 200, deleted.body);
      assert.equal(deleted.result, null);
      assertCkanError(await as.anonymous('organization_show', { id: 'to-be-deleted' }), 404, 'Not Found Error');
      assertCkanError(await as.admin('organization_delete', { id: 'to-be-deleted' }), 404, 'Not Found Error');
    });

    test('organization_list_for_user: by the permission asked, for the caller or another user', async () => {
      assert.deepEqual((await as.anonymous('organization_list_for_user')).result, []);
      assert.deepEqual((await as.citizen('organization_list_for_user')).result, []);
      const mine = (await as.editor('organization_list_for_user', { permission: 'create_dataset' })).result;
      assert.deepEqual(
        mine.map((o: { name: string; capacity: string }) => [o.name, o.capacity]),
        [['lviv', 'editor']],
      );
      assert.deepEqual((await as.editor('organization_list_for_user')).result.length, 1, 'manage_group by default');
      assert.deepEqual((await as.editor('organization_list_for_user', { permission: 'admin' })).result, []);
      assert.deepEqual((await as.editor('organization_list_for_user', { permission: 'fly' })).result, []);
      const other = (await as.otherEditor('organization_list_for_user', { permission: 'update_dataset' })).result;
      assert.deepEqual(
        other.map((o: { name: string }) => o.name),
        ['zhytomyr'],
      );
      const all = (await as.admin('organization_list_for_user', { permission: 'admin' })).result;
      assert.ok(all.length >= 67);
      assert.ok(all.every((o: { capacity: string }) => o.capacity === 'admin'));
      // Another user's, by id or name, with dataset counts.
      const theirs = await as.anonymous('organization_list_for_user', {
        id: `user-${as.ids.editor}`,
        permission: 'read',
        include_dataset_count: true,
      });
      assert.equal(theirs.result[0].name, 'lviv');
      assert.ok(theirs.result[0].package_count >= 2);
      assertCkanError(await as.anonymous('organization_list_for_user', { id: 'nobody' }), 404, 'Not Found Error');
    });

    test('member_list: datasets the caller may see and the editors, as (id, type, capacity)', async () => {
      const publicMembers = (await as.anonymous('member_list', { id: 'lviv', object_type: 'package' })).result;
      const packageIds = async (names: string[]) =>
        Promise.all(names.map(async (name) => (await as.editor('package_show', { id: name })).result.id));
      const [budget, draft] = await packageIds(['lviv-budget-2024', 'lviv-council-decisions-draft']);
      assert.ok(publicMembers.some((m: string[]) => m[0] === budget && m[1] === 'package' && m[2] === 'organization'));
      assert.ok(!publicMembers.some((m: string[]) => m[0] === draft), 'no draft for the public');
      const editorMembers = (await as.editor('member_list', { id: 'lviv', object_type: 'package' })).result;
      assert.ok(
        editorMembers.some((m: string[]) => m[0] === draft),
        'the draft for its editor',
      );
      const otherMembers = (await as.otherEditor('member_list', { id: 'lviv', object_type: 'package' })).result;
      assert.ok(!otherMembers.some((m: string[]) => m[0] === draft), "no draft for another city's editor");
      assert.deepEqual((await as.anonymous('member_list', { id: 'lviv', object_type: 'user' })).result, [
        [String(as.ids.editor), 'user', 'Editor'],
      ]);
      assert.deepEqual((await as.anonymous('member_list', { id: 'lviv', capacity: 'admin' })).result, []);
      const both = (await as.anonymous('member_list', { id: 'lviv' })).result;
      assert.equal(both.length, publicMembers.length + 1);
      assertCkanError(await as.anonymous('member_list', { id: 'atlantis' }), 404, 'Not Found Error');
    });
  });
}
