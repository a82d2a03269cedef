// The showcase: reading entries from forms and JSON (each bad field named), the review rule,
// adoption and demand by city editors for their own cities only, images (type read from the
// bytes, alt text required), the dataset page's "used in", the city page, the CSV, /api/v1 and
// CKAN's ckanext-showcase actions in the extension's shapes, through HTTP on the demo.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { ValidationError } from '../../platform/errors.ts';
import { demoPng } from '../../demo/showcase.ts';
import { createEntry, entryCounts, getEntry, parseEntryInput, reviewEntry, updateEntry } from './service.ts';

type Dict = Record<string, unknown>;

async function problemsOf(promise: Promise<unknown>): Promise<Record<string, string>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    const first: Record<string, string> = {};
    for (const p of error.problems) first[p.field] ??= p.message;
    return first;
  }
  assert.fail('expected a ValidationError');
}

for (const engine of ENGINES) {
  describe(`showcase on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(async () => {
      await app?.close();
    });

    const login = async (email: string, ip: string, lang = 'uk') => {
      const client = new Client(app, ip);
      client.cookies.set('hromada_lang', lang);
      await client.login(email, DEMO_PASSWORD);
      return client;
    };
    const ckan = async (action: string, params: Record<string, string> = {}) => {
      const response = await app.inject({
        method: 'GET',
        url: `/api/3/action/${action}?${new URLSearchParams(params)}`,
      });
      return { status: response.statusCode, body: response.json() as Dict };
    };

    test('bad input names each wrong field', async () => {
      const problems = await problemsOf(
        parseEntryInput(
          app.db,
          {
            name: 'Bad Name!',
            title: '',
            kind: 'game',
            stage: 'done',
            license_id: 'WTFPL',
            datathon: '999999',
            datasets: 'lviv-public-transport-stops no-such-dataset',
            links: 'site https://ok.example.org\nftp://files.example.org\nbogus https://x.example.org',
            authors: 'Olena | no-such-org',
          },
          null,
        ),
      );
      assert.deepEqual(problems, {
        name: 'showcase.error.name',
        title: 'validation.required',
        kind: 'validation.one_of',
        stage: 'validation.one_of',
        license_id: 'validation.one_of',
        datathon: 'showcase.error.datathon',
        datasets: 'showcase.error.unknown_datasets',
        links: 'showcase.error.link_line',
        authors: 'showcase.error.author_organization',
      });
      // A list's own address is no entry's name; a taken name is refused.
      assert.equal(
        (await problemsOf(parseEntryInput(app.db, { name: 'review', title: 'x' }, null))).name,
        'showcase.error.name',
      );
      assert.equal(
        (await problemsOf(parseEntryInput(app.db, { name: 'zupynky-poruch', title: 'x' }, null))).name,
        'validation.slug_taken',
      );
      // Objects where text belongs are refused by field, not a crash.
      const typed = await problemsOf(parseEntryInput(app.db, { name: ['a'], title: { x: 1 }, links: 5 }, null));
      assert.equal(typed.name, 'validation.type_text');
      assert.equal(typed.title, 'validation.type_text');
      // A draft dataset is not one an entry may name.
      assert.match(
        (
          await problemsOf(
            parseEntryInput(app.db, { name: 'ok-name', title: 'x', datasets: 'lviv-council-decisions-draft' }, null),
          )
        ).datasets ?? '',
        /unknown_datasets/,
      );
    });

    test('the demo: one entry runs in three cities, another is wanted by two, the pending one is hidden', async () => {
      const transport = await getEntry(app.db, 'zupynky-poruch');
      assert.deepEqual([...new Set(transport.adoptions.map((a) => a.slug))].sort(), ['lviv', 'vinnytsia', 'zhytomyr']);
      const air = await getEntry(app.db, 'povitria-mista');
      assert.deepEqual(air.demand.map((c) => c.slug).sort(), ['kyiv', 'odesa']);
      const counts = await entryCounts(app.db, [transport.datasets[0]!.id]);
      assert.equal(counts.get(transport.datasets[0]!.id), 1);
      const list = await app.inject('/showcase');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /Зупинки поруч/);
      assert.doesNotMatch(list.body, /Петиції Києва/, 'the entry waiting for review is not listed');
      assert.equal((await app.inject('/showcase/petytsii-kyieva')).statusCode, 404);
      assert.equal((await app.inject('/api/v1/showcase/petytsii-kyieva')).statusCode, 404);
      const filtered = await app.inject('/showcase?kind=story&stage=in_service&city=lviv&dataset=lviv-budget-2024');
      assert.match(filtered.body, /Куди йдуть гроші/);
      assert.doesNotMatch(filtered.body, /Зупинки поруч/);
      const unknown = await app.inject('/showcase?city=atlantis');
      assert.equal(unknown.statusCode, 400);
      const wanted = await app.inject('/showcase/wanted');
      assert.equal(wanted.statusCode, 200);
      assert.match(wanted.body, /id="wanted-odesa"/);
      assert.match(wanted.body, /Повітря міста/);
      const byCity = await app.inject('/showcase?wanted_by=kyiv');
      assert.match(byCity.body, /Повітря міста/);
      assert.doesNotMatch(byCity.body, /Зупинки поруч/);
    });

    test('the entry page: JSON-LD by kind, adoption timeline, demand; datasets and cities show it', async () => {
      const page = await app.inject({ url: '/showcase/zupynky-poruch', cookies: { hromada_lang: 'en' } });
      assert.equal(page.statusCode, 200);
      const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page.body)![1]!);
      assert.equal(ld['@type'], 'SoftwareApplication');
      assert.deepEqual(
        ld.isBasedOn.map((d: Dict) => d['@id']),
        ['http://localhost:3000/datasets/lviv-public-transport-stops'],
      );
      assert.match(page.body, /from 1 September 2024 to 28 February 2025|2024.*2025/);
      assert.match(page.body, /Wanted by/);
      const story = await app.inject('/showcase/kudy-idut-hroshi');
      assert.equal(
        JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(story.body)![1]!)['@type'],
        'CreativeWork',
      );
      const dataset = await app.inject('/datasets/lviv-public-transport-stops');
      assert.match(dataset.body, /id="dataset-showcase"/);
      assert.match(dataset.body, /href="\/showcase\/zupynky-poruch"/);
      // The catalog's list counts the published entries that use each dataset.
      const used = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM showcase_entry_datasets d JOIN showcase_entries e ON e.id = d.entry_id
         JOIN datasets ds ON ds.id = d.dataset_id
         WHERE ds.name = 'lviv-public-transport-stops' AND e.status = 'published'`,
      );
      assert.ok(used!.n >= 1);
      const list = await app.inject('/datasets?q=transport%20stops');
      const item = list.body.slice(list.body.indexOf('href="/datasets/lviv-public-transport-stops"'));
      assert.match(item.slice(0, item.indexOf('</li>')), new RegExp(`Використано в ${used!.n} рішен`));
      const city = await app.inject('/cities/vinnytsia');
      assert.match(city.body, /id="city-showcase"/);
      assert.match(city.body, /Зупинки поруч/);
      assert.match(city.body, /API закупівель/, 'Vinnytsia wants the procurement API');
    });

    test('submitting: confirmed accounts only, reviewed by an admin, edited by its authors only', async () => {
      const anonymous = await app.inject('/showcase/new');
      assert.equal(anonymous.statusCode, 302);
      const anonymousPost = await app.inject({ method: 'POST', url: '/showcase/new', payload: { title: 'x' } });
      assert.ok([401, 403].includes(anonymousPost.statusCode), String(anonymousPost.statusCode));

      const citizen = await login('citizen@hromada.demo', '10.1.0.1', 'en');
      await citizen.get('/showcase/new');
      const bad = await citizen.post('/showcase/new', {
        _csrf: citizen.csrfToken(),
        name: 'x',
        title: '',
        kind: 'application',
        stage: 'idea',
        links: 'not a link',
      });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /id="name-error"/);
      assert.match(bad.body, /id="title-error">This field is required/);
      assert.match(bad.body, /id="links-error">Line 1/);
      const ok = await citizen.post('/showcase/new', {
        _csrf: citizen.csrfToken(),
        name: 'school-menus',
        title: 'School menus',
        kind: 'tool',
        stage: 'prototype',
        datasets: 'http://localhost:3000/datasets/vinnytsia-kindergartens',
        links: 'source https://github.com/example/school-menus',
        authors: 'Olena Koval | civic-lviv',
        i_am_author: 'on',
      });
      assert.equal(ok.statusCode, 303, ok.body);
      assert.equal((await app.inject('/showcase/school-menus')).statusCode, 404, 'not public before review');
      assert.equal((await citizen.get('/showcase/school-menus')).statusCode, 200, 'its author sees it');

      const other = await login('assessor@hromada.demo', '10.1.0.2');
      assert.equal((await other.get('/showcase/school-menus')).statusCode, 404);
      assert.equal((await other.get('/showcase/zupynky-poruch/edit')).statusCode, 403, 'not an author');
      await other.get('/showcase/zupynky-poruch');
      const forged = await other.post('/showcase/zupynky-poruch/edit', {
        _csrf: other.csrfToken(),
        name: 'zupynky-poruch',
        title: 'Taken over',
        kind: 'application',
        stage: 'idea',
      });
      assert.equal(forged.statusCode, 403);
      const notAdmin = await other.post('/showcase/zupynky-poruch/review', {
        _csrf: other.csrfToken(),
        decision: 'rejected',
      });
      assert.equal(notAdmin.statusCode, 403);

      const admin = await login('admin@hromada.demo', '10.1.0.3');
      const queue = await admin.get('/showcase/review');
      assert.match(queue.body, /School menus/);
      await admin.get('/showcase/school-menus');
      const noNote = await admin.post('/showcase/school-menus/review', {
        _csrf: admin.csrfToken(),
        decision: 'rejected',
      });
      assert.equal(noNote.statusCode, 422, 'a rejection says why');
      assert.match(noNote.body, /id="review_note-error"/);
      const publish = await admin.post('/showcase/school-menus/review', {
        _csrf: admin.csrfToken(),
        decision: 'published',
      });
      assert.equal(publish.statusCode, 303);
      assert.equal((await app.inject('/showcase/school-menus')).statusCode, 200);

      // The author edits; the account-linked author stays whatever the named authors become.
      await citizen.get('/showcase/school-menus/edit');
      const edit = await citizen.post('/showcase/school-menus/edit', {
        _csrf: citizen.csrfToken(),
        name: 'school-menus',
        title: 'School menus, every day',
        kind: 'tool',
        stage: 'pilot',
        datasets: 'vinnytsia-kindergartens',
        authors: '',
      });
      assert.equal(edit.statusCode, 303, edit.body);
      const saved = await getEntry(app.db, 'school-menus');
      assert.equal(saved.title, 'School menus, every day');
      assert.equal(saved.authors.length, 1);
      assert.ok(saved.authors[0]!.user_id);
      const audit = await app.db.query<{ action: string }>(
        "SELECT action FROM audit_events WHERE entity_type = 'showcase_entry' AND entity_id = $1 ORDER BY id",
        [String(saved.id)],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['showcase.entry.submit', 'showcase.entry.review', 'showcase.entry.update'],
      );
    });

    test('a rejected entry its authors change goes back to review; a rejection needs a note', async () => {
      const actor = { userId: null, label: 'test' };
      const input = await parseEntryInput(
        app.db,
        { name: 'bus-times', title: 'Bus times', kind: 'tool', stage: 'idea' },
        null,
      );
      const entry = await createEntry(app.db, actor, input);
      assert.equal(entry.status, 'pending');
      assert.equal(
        (await problemsOf(reviewEntry(app.db, actor, entry.id, { decision: 'rejected' }, new Date()))).review_note,
        'validation.required',
      );
      await reviewEntry(app.db, actor, entry.id, { decision: 'rejected', review_note: 'No data named' }, new Date());
      assert.equal((await getEntry(app.db, entry.id)).status, 'rejected');
      await updateEntry(app.db, actor, entry.id, { ...input, dataset_ids: [] });
      assert.equal((await getEntry(app.db, entry.id)).status, 'pending');
      await reviewEntry(app.db, actor, entry.id, { decision: 'published' }, new Date());
      await updateEntry(app.db, actor, entry.id, { ...input, title: 'Bus times, live' });
      assert.equal((await getEntry(app.db, 'bus-times')).status, 'published', 'a published entry stays published');
    });

    test('adoption and demand: a city editor marks only their own city', async () => {
      const editor = await login('editor.lviv@hromada.demo', '10.1.0.4');
      const page = await editor.get('/showcase/povitria-mista');
      const token = editor.csrfToken();
      assert.match(page.body, /Львів хоче це/);
      assert.doesNotMatch(page.body, /Київ хоче це/);
      const want = await editor.post('/showcase/povitria-mista/demand', {
        _csrf: token,
        city: 'lviv',
        want: 'yes',
      });
      assert.equal(want.statusCode, 303);
      assert.ok((await getEntry(app.db, 'povitria-mista')).demand.some((c) => c.slug === 'lviv'));
      const elsewhere = await editor.post('/showcase/povitria-mista/demand', {
        _csrf: token,
        city: 'kyiv',
        want: 'no',
      });
      assert.equal(elsewhere.statusCode, 403);
      assert.ok(
        (await getEntry(app.db, 'povitria-mista')).demand.some((c) => c.slug === 'kyiv'),
        'Kyiv’s mark stays',
      );
      const badDate = await editor.post('/showcase/povitria-mista/adoptions', {
        _csrf: token,
        city: 'lviv',
        started_on: '2026-02-30',
        ended_on: '',
      });
      assert.equal(badDate.statusCode, 422);
      assert.match(badDate.body, /id="started_on-error"/);
      const backwards = await editor.post('/showcase/povitria-mista/adoptions', {
        _csrf: token,
        city: 'lviv',
        started_on: '2026-03-01',
        ended_on: '2026-01-01',
      });
      assert.equal(backwards.statusCode, 422);
      assert.match(backwards.body, /id="ended_on-error"/);
      const otherCity = await editor.post('/showcase/povitria-mista/adoptions', {
        _csrf: token,
        city: 'odesa',
        started_on: '2026-03-01',
      });
      assert.equal(otherCity.statusCode, 403);
      const adopt = await editor.post('/showcase/povitria-mista/adoptions', {
        _csrf: token,
        city: 'lviv',
        started_on: '2026-03-01',
      });
      assert.equal(adopt.statusCode, 303);
      const entry = await getEntry(app.db, 'povitria-mista');
      assert.ok(entry.adoptions.some((a) => a.slug === 'lviv'));
      assert.ok(!entry.demand.some((c) => c.slug === 'lviv'), 'running there answers the wish');
      // The city's showcase dataset is published with the first mark, its CSV lists the entry.
      const csv = await app.inject('/showcase.csv?city=lviv');
      assert.equal(csv.statusCode, 200);
      assert.match(csv.body, /povitria-mista/);
      assert.equal((await app.inject('/datasets/lviv-showcase')).statusCode, 200);
      // Another city's adoption cannot be removed by Lviv's editor; a pending entry cannot be marked.
      const mykolaiv = entry.adoptions.find((a) => a.slug === 'mykolaiv')!;
      const remove = await editor.post(`/showcase/povitria-mista/adoptions/${mykolaiv.adoption_id}/remove`, {
        _csrf: token,
      });
      assert.equal(remove.statusCode, 403);
      const anonymous = await app.inject({
        method: 'POST',
        url: '/showcase/povitria-mista/demand',
        payload: { city: 'lviv' },
      });
      assert.ok([401, 403].includes(anonymous.statusCode));
    });

    test('images: the type is read from the bytes, alt text is required, the file is served', async () => {
      const citizen = await login('citizen@hromada.demo', '10.1.0.5');
      await citizen.get('/showcase/zupynky-poruch/edit');
      const upload = async (fields: Dict, file: { name: string; content: Uint8Array | string }) => {
        const body = multipartBody({ _csrf: citizen.csrfToken(), ...(fields as Record<string, string>) }, file);
        return app.inject({
          method: 'POST',
          url: '/showcase/zupynky-poruch/images',
          remoteAddress: '10.1.0.5',
          headers: { cookie: citizen.cookieHeader, 'content-type': body.contentType },
          payload: body.payload,
        });
      };
      const text = await upload({ alt: 'A map' }, { name: 'map.png', content: 'not an image at all' });
      assert.equal(text.statusCode, 422);
      assert.match(text.body, /id="file-error"/);
      const noAlt = await upload({ alt: '' }, { name: 'map.png', content: demoPng([10, 20, 30], 1) });
      assert.equal(noAlt.statusCode, 422);
      assert.match(noAlt.body, /id="alt-error"/);
      const ok = await upload({ alt: 'A map of stops' }, { name: 'map.png', content: demoPng([10, 20, 30], 1) });
      assert.equal(ok.statusCode, 303, ok.body);
      const entry = await getEntry(app.db, 'zupynky-poruch');
      const image = entry.images.at(-1)!;
      assert.equal(image.alt, 'A map of stops');
      const served = await app.inject(`/showcase/zupynky-poruch/images/${image.id}`);
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/png');
      const page = await app.inject('/showcase/zupynky-poruch');
      assert.match(
        page.body,
        new RegExp(`<img src="/showcase/zupynky-poruch/images/${image.id}" alt="A map of stops"`),
      );
      // Without the CSRF token nothing is stored.
      const forged = multipartBody({ alt: 'x' }, { name: 'map.png', content: demoPng([1, 2, 3], 2) });
      const refused = await app.inject({
        method: 'POST',
        url: '/showcase/zupynky-poruch/images',
        remoteAddress: '10.1.0.5',
        headers: { cookie: citizen.cookieHeader, 'content-type': forged.contentType },
        payload: forged.payload,
      });
      assert.equal(refused.statusCode, 403);
      assert.equal((await getEntry(app.db, 'zupynky-poruch')).images.length, entry.images.length);
    });

    test('/api/v1/showcase: filters, 400s naming the parameter, listed in the OpenAPI document', async () => {
      const list = await app.inject('/api/v1/showcase?city=zhytomyr');
      assert.equal(list.statusCode, 200);
      const body = list.json() as { items: Dict[]; total: number };
      assert.deepEqual(
        body.items.map((i) => i.name),
        ['zupynky-poruch'],
      );
      const adoptions = body.items[0]!.adoptions as { city: { slug: string }; from: string; to: string | null }[];
      assert.deepEqual(
        adoptions.filter((a) => a.city.slug === 'zhytomyr').map((a) => [a.from, a.to]),
        [
          ['2024-09-01', '2025-02-28'],
          ['2025-06-01', null],
        ],
      );
      const badKind = await app.inject('/api/v1/showcase?kind=game');
      assert.equal(badKind.statusCode, 400);
      assert.match(badKind.body, /kind/);
      const badCity = await app.inject('/api/v1/showcase?city=atlantis');
      assert.equal(badCity.statusCode, 400);
      assert.match(badCity.body, /city/);
      const openapi = (await app.inject('/api/v1/openapi.json')).json() as { paths: Dict };
      assert.ok(openapi.paths['/api/v1/showcase']);
      assert.ok(openapi.paths['/api/v1/showcase/{name}']);
    });

    test('CKAN: ckanext-showcase actions in the extension’s shapes and errors', async () => {
      const list = await ckan('ckanext_showcase_list');
      assert.equal(list.status, 200);
      const items = (list.body as { result: Dict[] }).result;
      assert.ok(items.every((s) => s.type === 'showcase' && s.state === 'active'));
      assert.ok(!items.some((s) => s.name === 'petytsii-kyieva'), 'not published, not listed');
      const transport = items.find((s) => s.name === 'zupynky-poruch')!;
      assert.ok(!('num_datasets' in transport), 'package_dictize adds nothing');

      const show = await ckan('ckanext_showcase_show', { id: 'zupynky-poruch' });
      assert.equal(show.status, 200);
      const dict = (show.body as { result: Dict }).result;
      assert.equal(dict.type, 'showcase');
      assert.equal(dict.num_datasets, 1);
      assert.equal(dict.id, transport.id);
      assert.equal(dict.license_id, 'MIT');
      assert.ok('image_display_url' in dict);
      assert.equal(
        ((await ckan('ckanext_showcase_show', { id: String(dict.id) })).body as { result: Dict }).result.name,
        'zupynky-poruch',
      );
      const missing = await ckan('ckanext_showcase_show');
      assert.equal(missing.status, 409);
      assert.equal((missing.body.error as Dict).__type, 'Validation Error');
      const unknown = await ckan('ckanext_showcase_show', { id: 'petytsii-kyieva' });
      assert.equal(unknown.status, 404);
      assert.equal((unknown.body.error as Dict).__type, 'Not Found Error');

      const byPackage = await ckan('ckanext_package_showcase_list', { package_id: 'lviv-public-transport-stops' });
      assert.equal(byPackage.status, 200);
      assert.deepEqual(
        (byPackage.body.result as Dict[]).map((s) => s.name),
        ['zupynky-poruch'],
      );
      const noPackage = await ckan('ckanext_package_showcase_list', { package_id: 'no-such-dataset' });
      assert.equal(noPackage.status, 409);
      assert.deepEqual((noPackage.body.error as Dict).package_id, ['Not found: Dataset']);

      const packages = await ckan('ckanext_showcase_package_list', { showcase_id: 'zupynky-poruch' });
      assert.equal(packages.status, 200);
      const pkg = (packages.body.result as Dict[])[0]!;
      assert.equal(pkg.name, 'lviv-public-transport-stops');
      assert.equal(pkg.type, 'dataset');
      const noShowcase = await ckan('ckanext_showcase_package_list', { showcase_id: 'lviv-public-transport-stops' });
      assert.equal(noShowcase.status, 409);
      assert.deepEqual((noShowcase.body.error as Dict).showcase_id, ['Not found: Dataset']);
      const help = await ckan('help_show', { name: 'ckanext_showcase_show' });
      assert.match(String(help.body.result), /pkg_dict for a showcase/);
    });
  });
}
