// CKAN's activity streams (package_activity_list, organization_activity_list,
// recently_changed_packages_activity_list, user_activity_list) built from the audit log, as
// ckanapi and CKAN's own pages read them: activity dicts with CKAN's types and the package as it
// was, never a private or draft dataset's activity to those who may not see it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { assertCkanError, ckanCallers, type CkanCall, type Callers } from '../../../test/ckan-callers.ts';

interface Activity {
  id: string;
  timestamp: string;
  user_id: string | null;
  object_id: string;
  activity_type: string;
  data: { package: { id: string; name: string; title: string; private: boolean; state: string }; actor: string };
}

for (const engine of ENGINES) {
  describe(`CKAN activity streams on ${engine}`, () => {
    let app: FastifyInstance;
    let as: Callers;
    /** The activities a call returns, as [dataset name, activity type] pairs. */
    const stream = async (call: CkanCall, action: string, data: Record<string, unknown> = {}) => {
      const answer = await call(action, { limit: 100, ...data });
      assert.equal(answer.status, 200, answer.body);
      assert.ok(!answer.body.includes('@'), `no e-mail address: ${answer.body.slice(0, 300)}`);
      return (answer.result as Activity[]).map((a) => [a.data.package.name, a.activity_type]);
    };
    const ours = (pairs: string[][]) => pairs.filter(([name]) => name!.startsWith('activity-'));

    before(async () => {
      app = await createTestApp(engine);
      as = await ckanCallers(app);
      // A public dataset created, changed and then deleted; a private one created and changed; a
      // draft changed, then published. Each by the Lviv editor through the CKAN API, as a script
      // would, but for the publication, on the dataset's page.
      const steps: [string, Record<string, unknown>][] = [
        ['package_create', { name: 'activity-public', title: 'Public', owner_org: 'lviv' }],
        ['package_patch', { id: 'activity-public', title: 'Public, changed' }],
        ['package_create', { name: 'activity-private', title: 'Private', owner_org: 'lviv', private: true }],
        ['package_patch', { id: 'activity-private', title: 'Private, changed' }],
        ['package_create', { name: 'activity-draft', title: 'Draft', owner_org: 'lviv', state: 'draft' }],
        ['package_patch', { id: 'activity-draft', title: 'Draft, changed' }],
        ['publish', { id: 'activity-draft' }],
        ['package_delete', { id: 'activity-public' }],
      ];
      const web = new Client(app);
      await web.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      for (const [action, data] of steps) {
        if (action === 'publish') {
          // The editor publishes the draft on its page.
          const page = `/datasets/${data.id}`;
          const published = await web.submit(`${page}/edit`, `${page}/state`, { state: 'published' });
          assert.equal(published.statusCode, 303);
          continue;
        }
        const answer = await as.editor(action, data);
        assert.equal(answer.status, 200, `${action}: ${answer.body}`);
      }
    });
    after(() => app.close());

    test('package_activity_list: CKAN activity dicts, newest first, with the package as it was', async () => {
      const answer = await as.anonymous('package_activity_list', { id: 'activity-draft' });
      assert.equal(answer.status, 200, answer.body);
      const activities = answer.result as Activity[];
      const id = (await as.anonymous('package_show', { id: 'activity-draft' })).result.id;
      // While it was a draft its activity is its editors'; the public sees it from publication on.
      assert.deepEqual(
        activities.map((a) => a.activity_type),
        ['changed package'],
      );
      const [published] = activities;
      assert.equal(published!.object_id, id);
      assert.equal(published!.user_id, String(as.ids.editor));
      assert.equal(published!.data.actor, `user-${as.ids.editor}`);
      assert.equal(published!.data.package.state, 'active');
      assert.equal(published!.data.package.title, 'Draft, changed');
      assert.match(published!.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+$/);
      const editorView = (await as.editor('package_activity_list', { id: 'activity-draft' })).result as Activity[];
      assert.deepEqual(
        editorView.map((a) => [a.activity_type, a.data.package.title, a.data.package.state]),
        [
          ['changed package', 'Draft, changed', 'active'],
          ['changed package', 'Draft, changed', 'draft'],
          ['new package', 'Draft', 'draft'],
        ],
      );
      assert.ok(Number(editorView[0]!.id) > Number(editorView[1]!.id));
      // Paging, types, time.
      const page = (await as.editor('package_activity_list', { id: 'activity-draft', offset: 1, limit: 1 })).result;
      assert.deepEqual(page, editorView.slice(1, 2));
      const created = await as.editor('package_activity_list', {
        id: 'activity-draft',
        activity_types: ['new package'],
      });
      assert.deepEqual(
        created.result.map((a: Activity) => a.activity_type),
        ['new package'],
      );
      const notNew = await as.editor('package_activity_list', {
        id: 'activity-draft',
        exclude_activity_types: ['new package'],
      });
      assert.equal(notNew.result.length, 2);
      const later = Date.parse(`${editorView[0]!.timestamp}Z`) / 1000 + 1;
      assert.deepEqual((await as.editor('package_activity_list', { id: 'activity-draft', after: later })).result, []);
      assert.equal(
        (await as.editor('package_activity_list', { id: 'activity-draft', before: later }, 'GET')).result.length,
        3,
      );
      assertCkanError(
        await as.editor('package_activity_list', {
          id: 'activity-draft',
          activity_types: ['new package'],
          exclude_activity_types: ['changed package'],
        }),
        409,
        'Validation Error',
        'activity_types',
      );
      assertCkanError(
        await as.editor('package_activity_list', { id: 'activity-draft', limit: 101 }),
        409,
        'Validation Error',
      );
      assertCkanError(
        await as.editor('package_activity_list', { id: 'activity-draft', after: 'soon' }),
        409,
        'Validation Error',
      );
      assertCkanError(await as.anonymous('package_activity_list', {}), 409, 'Validation Error', 'id');
    });

    test("a private dataset's activity only to its city's editors and admins", async () => {
      for (const caller of [as.anonymous, as.citizen, as.otherEditor])
        assertCkanError(await caller('package_activity_list', { id: 'activity-private' }), 404, 'Not Found Error');
      for (const caller of [as.editor, as.admin])
        assert.deepEqual(await stream(caller, 'package_activity_list', { id: 'activity-private' }), [
          ['activity-private', 'changed package'],
          ['activity-private', 'new package'],
        ]);
    });

    test('recently_changed_packages_activity_list and organization_activity_list filter by who asks', async () => {
      const everything = [
        ['activity-public', 'deleted package'],
        ['activity-draft', 'changed package'],
        ['activity-draft', 'changed package'],
        ['activity-draft', 'new package'],
        ['activity-private', 'changed package'],
        ['activity-private', 'new package'],
        ['activity-public', 'changed package'],
        ['activity-public', 'new package'],
      ];
      const isPublic = ([name, type]: string[], index: number) =>
        name === 'activity-public' || (name === 'activity-draft' && type === 'changed package' && index === 1);
      const publicOnes = everything.filter(isPublic);
      for (const action of ['recently_changed_packages_activity_list', 'recently_changed_packages_activity_stream']) {
        for (const caller of [as.anonymous, as.citizen, as.otherEditor])
          assert.deepEqual(ours(await stream(caller, action)), publicOnes, `${action}`);
        for (const caller of [as.editor, as.admin]) assert.deepEqual(ours(await stream(caller, action)), everything);
      }
      assert.deepEqual(ours(await stream(as.anonymous, 'organization_activity_list', { id: 'lviv' })), publicOnes);
      assert.deepEqual(ours(await stream(as.editor, 'organization_activity_list', { id: 'lviv' })), everything);
      assert.deepEqual(ours(await stream(as.editor, 'organization_activity_list', { id: 'zhytomyr' })), []);
      assertCkanError(await as.anonymous('organization_activity_list', { id: 'atlantis' }), 404, 'Not Found Error');
      // A deleted dataset that was public: its deletion is public, its package dict says so.
      const recent = (await as.anonymous('recently_changed_packages_activity_list', { limit: 1 })).result as Activity[];
      assert.equal(recent[0]!.activity_type, 'deleted package');
      assert.equal(recent[0]!.data.package.state, 'deleted');
    });

    test('user_activity_list: what a user did, as the caller may see it', async () => {
      const id = String(as.ids.editor);
      const publicOnes = ours(await stream(as.anonymous, 'recently_changed_packages_activity_list'));
      assert.deepEqual(ours(await stream(as.anonymous, 'user_activity_list', { id })), publicOnes);
      assert.equal(ours(await stream(as.editor, 'user_activity_list', { id: `user-${id}` })).length, 8);
      assert.deepEqual(await stream(as.anonymous, 'user_activity_list', { id: String(as.ids.citizen) }), []);
      assertCkanError(await as.anonymous('user_activity_list', { id: 'nobody' }), 404, 'Not Found Error');
    });

    test("the system's activity (the demo seed) is CKAN's hidden activity: admins ask for it", async () => {
      assert.deepEqual(await stream(as.anonymous, 'package_activity_list', { id: 'lviv-budget-2024' }), []);
      assert.deepEqual(
        await stream(as.anonymous, 'package_activity_list', { id: 'lviv-budget-2024', include_hidden_activity: true }),
        [],
        'only admins may include it',
      );
      const hidden = await as.admin('package_activity_list', { id: 'lviv-budget-2024', include_hidden_activity: true });
      const types = (hidden.result as Activity[]).map((a) => a.activity_type);
      assert.equal(types.at(-1), 'new package');
      assert.ok((hidden.result as Activity[]).every((a) => a.user_id === null && a.data.actor === 'system'));
    });
  });
}
