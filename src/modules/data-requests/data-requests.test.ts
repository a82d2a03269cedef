// Data requests: the answer period counted in working days across a weekend and a city holiday,
// the state machine refusing moves it does not allow (409) and answers missing what they need
// (422, by field), followers mailed through the outbox, and through HTTP: who may ask, answer,
// edit and moderate (anonymous, a confirmed resident, another city's editor, an admin), bad input
// answered with a 400 naming the parameter, the rate limit, /api/v1, the CKAN actions, OpenAPI,
// the CSV behind the city's open-data dataset, and the city's and dataset's pages.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { loadUser, type CurrentUser } from '../../platform/auth.ts';
import { FakeClock } from '../../platform/clock.ts';
import { ValidationError } from '../../platform/errors.ts';
import { createConfirmedUser } from '../accounts/service.ts';
import { DEFAULT_RULES, saveRules } from '../petitions/service.ts';
import {
  answerRequest,
  createRequest,
  follow,
  getRequest,
  isOverdue,
  listRequests,
  parseAnswer,
  parseRequestInput,
} from './service.ts';
import { REQUESTS_PER_DAY } from './routes.ts';

const SITE = { publicUrl: 'https://hromada.example.org' };
const ACTOR = { userId: null, label: 'test' };

async function rejectsWith(promise: Promise<unknown>, field: string, message: string, status: number) {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.ok(
      error.problems.some((p) => p.field === field && p.message === message),
      JSON.stringify(error.problems),
    );
    assert.equal(error.statusCode, status);
    return true;
  });
}

for (const engine of ENGINES) {
  describe(`data requests on ${engine}`, () => {
    // Friday 4 December 2026, 10:00 in Kyiv.
    const clock = new FakeClock(new Date('2026-12-04T08:00:00Z'));
    let app: FastifyInstance;
    let lvivId: number;
    let citizen: CurrentUser;
    let editor: CurrentUser;
    let otherEditorEmail: string;
    before(async () => {
      app = await createTestApp(engine, { clock });
      lvivId = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
      const id = async (email: string) =>
        (await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]))!.id;
      citizen = (await loadUser(app.db, await id('citizen@hromada.demo'), 'session'))!;
      editor = (await loadUser(app.db, await id('editor.lviv@hromada.demo'), 'session'))!;
      otherEditorEmail = 'editor.vinnytsia@hromada.demo';
      await createConfirmedUser(app.db, ACTOR, {
        email: otherEditorEmail,
        password: DEMO_PASSWORD,
        role: 'city_editor',
        organization: 'vinnytsia-city-council',
      });
      // Lviv's calendar: Tuesday 8 December is a holiday.
      await saveRules(app.db, ACTOR, lvivId, { ...DEFAULT_RULES, holidays: ['2026-12-08'] });
    });
    after(async () => {
      await app?.close();
    });

    const ask = async (title = 'Розклад транспорту GTFS') =>
      createRequest(
        app.db,
        ACTOR,
        citizen,
        await parseRequestInput(app.db, {
          city: 'lviv',
          title,
          description: 'Розклад усіх маршрутів у форматі GTFS.',
          purpose: 'застосунок',
        }),
        clock.now(),
      );
    const answer = async (
      requestId: number,
      kind: 'accept' | 'publish' | 'decline' | 'reopen',
      fields: Record<string, string>,
      who: CurrentUser = editor,
    ) => {
      const request = await getRequest(app.db, requestId);
      return app.db.transaction(async (tx) =>
        answerRequest(
          tx,
          ACTOR,
          who,
          SITE,
          requestId,
          await parseAnswer(tx, kind, request, fields, clock.now()),
          clock.now(),
        ),
      );
    };

    test('the answer period skips the weekend and the city’s holiday; overdue the day after it', async () => {
      const request = await ask();
      // Friday + 5 working days: Mon 7, (Tue 8 a holiday), Wed 9, Thu 10, Fri 11, Mon 14.
      assert.equal(request.answer_due, '2026-12-14');
      assert.equal(isOverdue(request, new Date('2026-12-14T20:00:00Z')), false, 'the last day, 22:00 in Kyiv');
      assert.equal(isOverdue(request, new Date('2026-12-14T22:30:00Z')), true, 'past midnight in Kyiv');
      const filter = async (now: Date) =>
        (await listRequests(app.db, { cityId: lvivId, overdue: true, limit: 100, offset: 0 }, now)).items.map(
          (r) => r.id,
        );
      assert.ok(!(await filter(new Date('2026-12-14T12:00:00Z'))).includes(request.id));
      assert.ok((await filter(new Date('2026-12-15T12:00:00Z'))).includes(request.id));
      // Answered (even late), it is no longer overdue; the statistics count it as late.
      clock.set(new Date('2026-12-15T12:00:00Z'));
      const accepted = await answer(request.id, 'accept', { planned_date: '2027-02-01' });
      assert.equal(isOverdue(accepted, clock.now()), false);
      const onTime = await app.db.one<{ first_answer_on_time: boolean }>(
        'SELECT first_answer_on_time FROM data_requests WHERE id = $1',
        [request.id],
      );
      assert.equal(onTime!.first_answer_on_time, false);
      clock.set(new Date('2026-12-04T08:00:00Z'));
    });

    test('the state machine refuses moves it does not allow (409) and answers missing what they need (422)', async () => {
      const request = await ask('Зупинки транспорту');
      await rejectsWith(
        answer(request.id, 'reopen', { comment: 'again' }),
        'state',
        'data_requests.error.wrong_state',
        409,
      );
      await rejectsWith(answer(request.id, 'accept', {}), 'planned_date', 'validation.required', 422);
      await rejectsWith(
        answer(request.id, 'accept', { planned_date: '2026-12-01' }),
        'planned_date',
        'data_requests.error.date_past',
        422,
      );
      await rejectsWith(
        answer(request.id, 'accept', { planned_date: '2026-02-30' }),
        'planned_date',
        'data_requests.error.date',
        422,
      );
      await rejectsWith(answer(request.id, 'decline', { comment: 'no' }), 'decline_reason', 'validation.required', 422);
      await rejectsWith(
        answer(request.id, 'decline', { decline_reason: 'duplicate', comment: 'dup' }),
        'duplicate_of',
        'validation.required',
        422,
      );
      await rejectsWith(
        answer(request.id, 'decline', { decline_reason: 'duplicate', duplicate_of: String(request.id), comment: 'x' }),
        'duplicate_of',
        'data_requests.error.duplicate_self',
        422,
      );
      // Another city's dataset, or one not published, does not close the request.
      await rejectsWith(
        answer(request.id, 'publish', { dataset: 'kyiv-petitions-2024' }),
        'dataset',
        'data_requests.error.dataset',
        422,
      );
      await rejectsWith(
        answer(request.id, 'publish', { dataset: 'lviv-council-decisions-draft' }),
        'dataset',
        'data_requests.error.dataset',
        422,
      );
      const published = await answer(request.id, 'publish', {
        dataset: 'http://localhost:3000/datasets/lviv-public-transport-stops',
      });
      assert.equal(published.state, 'published');
      assert.equal(published.dataset_name, 'lviv-public-transport-stops');
      assert.ok(published.closed_at);
      for (const kind of ['accept', 'decline', 'publish'] as const)
        await rejectsWith(
          answer(request.id, kind, {
            planned_date: '2027-01-10',
            decline_reason: 'other',
            comment: 'x',
            dataset: 'lviv-budget-2024',
          }),
          'state',
          'data_requests.error.wrong_state',
          409,
        );
      const reopened = await answer(request.id, 'reopen', { comment: 'Набір не той.' });
      assert.equal(reopened.state, 'new');
      assert.equal(reopened.closed_at, null);
      assert.equal(reopened.dataset_id, null);
      const audit = await app.db.query<{ action: string }>(
        `SELECT action FROM audit_events WHERE entity_type = 'data_request' AND entity_id = $1 ORDER BY id`,
        [String(request.id)],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['data_requests.create', 'data_requests.publish', 'data_requests.reopen'],
      );
    });

    test('followers get a mail in their language on every answer; the one answering does not', async () => {
      const request = await ask('Паркування');
      const follower = await createConfirmedUser(app.db, ACTOR, {
        email: 'follower@example.org',
        password: DEMO_PASSWORD,
        role: 'citizen',
        locale: 'en',
      });
      await follow(app.db, request.id, follower.id, clock.now());
      await follow(app.db, request.id, editor.id, clock.now());
      const mails = async () =>
        app.db.query<{ to_address: string; subject: string; body_text: string }>(
          `SELECT to_address, subject, body_text FROM outbox WHERE body_text LIKE $1 ORDER BY id`,
          [`%/data-requests/${request.id}\n%`],
        );
      assert.equal((await mails()).length, 0);
      await answer(request.id, 'accept', { planned_date: '2027-03-01', comment: 'Готуємо.' });
      let sent = await mails();
      assert.deepEqual(sent.map((m) => m.to_address).sort(), ['citizen@hromada.demo', 'follower@example.org']);
      const english = sent.find((m) => m.to_address === 'follower@example.org')!;
      assert.match(english.subject, /^Data request: Паркування/);
      assert.match(english.body_text, /plans to publish the data by 2027-03-01/);
      assert.match(english.body_text, /Готуємо\./);
      assert.match(sent.find((m) => m.to_address === 'citizen@hromada.demo')!.subject, /^Запит на дані/);
      await answer(request.id, 'decline', { decline_reason: 'not_held', comment: 'Не наші дані.' });
      sent = await mails();
      assert.equal(sent.length, 4);
      assert.match(sent.at(-1)!.body_text, /declined|відхилило/);
    });

    describe('through HTTP', () => {
      let requestId: number;
      before(async () => {
        requestId = (await ask('Бюджетні запити')).id;
      });

      test('anonymous visitors read but may not ask, answer or comment', async () => {
        const anonymous = new Client(app);
        assert.equal((await anonymous.get('/data-requests')).statusCode, 200);
        const page = await anonymous.get(`/data-requests/${requestId}`);
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /Бюджетні запити/);
        assert.doesNotMatch(page.body, /action="\/data-requests\/\d+\/accept"/);
        const form = await anonymous.get('/data-requests/new');
        assert.equal(form.statusCode, 302);
        assert.match(form.headers.location as string, /^\/login/);
        await anonymous.get('/login');
        const token = anonymous.csrfToken();
        for (const path of [
          '/data-requests/new',
          `/data-requests/${requestId}/accept`,
          `/data-requests/${requestId}/comments`,
        ]) {
          const response = await anonymous.post(path, { _csrf: token, title: 'x', comment: 'x' });
          assert.ok([401, 403].includes(response.statusCode), `${path}: ${response.statusCode}`);
        }
      });

      test('an account whose e-mail is not confirmed may not ask or comment', async () => {
        const user = await createConfirmedUser(app.db, ACTOR, {
          email: 'unconfirmed@example.org',
          password: DEMO_PASSWORD,
          role: 'citizen',
        });
        await app.db.query('UPDATE users SET email_confirmed_at = NULL WHERE id = $1', [user.id]);
        const client = new Client(app, '10.0.0.4');
        await client.login('unconfirmed@example.org', DEMO_PASSWORD);
        const form = await client.get('/data-requests/new');
        assert.equal(form.statusCode, 403);
        assert.match(form.body, /підтвердьте адресу/);
        const page = await client.get(`/data-requests/${requestId}`);
        assert.doesNotMatch(page.body, /action="\/data-requests\/\d+\/comments"/);
        const token = client.csrfToken();
        const asked = await client.post('/data-requests/new', {
          _csrf: token,
          city: 'lviv',
          title: 'Набір даних без пошти',
          description: 'Опис потрібних даних.',
        });
        assert.equal(asked.statusCode, 403);
        const commented = await client.post(`/data-requests/${requestId}/comments`, {
          _csrf: token,
          comment: 'Привіт',
        });
        assert.equal(commented.statusCode, 403);
        assert.equal(
          (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM data_requests WHERE requester_id = $1', [
            user.id,
          ]))!.n,
          0,
        );
      });

      test('a resident asks; bad input is named by field; the rate limit stops a flood', async () => {
        const resident = new Client(app, '10.0.0.5');
        await resident.login('citizen@hromada.demo', DEMO_PASSWORD);
        await resident.get('/data-requests/new?city=lviv');
        const bad = await resident.post('/data-requests/new', {
          _csrf: resident.csrfToken(),
          city: 'atlantis',
          title: 'x'.repeat(300),
          description: '',
        });
        assert.equal(bad.statusCode, 422);
        assert.match(bad.body, /id="city-error"/);
        assert.match(bad.body, /id="title-error"/);
        assert.match(bad.body, /id="description-error"/);
        const made: number[] = [];
        for (let i = 0; i < REQUESTS_PER_DAY + 1; i++) {
          const response = await resident.post('/data-requests/new', {
            _csrf: resident.csrfToken(),
            city: 'lviv',
            title: `Набір даних номер ${i}`,
            description: 'Опис потрібних даних.',
          });
          if (response.statusCode === 303)
            made.push(Number(/\/data-requests\/(\d+)/.exec(response.headers.location as string)![1]));
          else assert.equal(response.statusCode, 429, response.body.slice(0, 200));
          await resident.get('/data-requests/new');
        }
        assert.equal(made.length, REQUESTS_PER_DAY);
        const page = await resident.get(`/data-requests/${made[0]}?done=created`);
        assert.match(page.body, /Stop following|Не стежити/);
        // The city's open-data dataset exists, pointing at the CSV.
        const dataset = await app.db.one<{ state: string }>(
          `SELECT state FROM datasets WHERE name = 'lviv-data-requests'`,
        );
        assert.equal(dataset?.state, 'published');
        const csv = await resident.get('/data-requests.csv?city=lviv');
        assert.equal(csv.statusCode, 200);
        assert.match(csv.body, /^id,city,title,/);
        assert.match(csv.body, /Набір даних номер 0/);
        assert.doesNotMatch(csv.body, /\r\n\r\n/, 'no blank line between records');
      });

      test('another city’s editor may not answer; the city’s editor may; the requester edits, others may not', async () => {
        const other = new Client(app, '10.0.0.6');
        await other.login(otherEditorEmail, DEMO_PASSWORD);
        await other.get(`/data-requests/${requestId}`);
        assert.doesNotMatch(other.lastBody, /\/accept"/);
        const refused = await other.post(`/data-requests/${requestId}/accept`, {
          _csrf: other.csrfToken(),
          planned_date: '2027-01-20',
        });
        assert.equal(refused.statusCode, 403);
        assert.equal((await other.get(`/data-requests/${requestId}/edit`)).statusCode, 403);

        const owner = new Client(app, '10.0.0.8');
        await owner.login('citizen@hromada.demo', DEMO_PASSWORD);
        await owner.get(`/data-requests/${requestId}/edit`);
        const edited = await owner.post(`/data-requests/${requestId}/edit`, {
          _csrf: owner.csrfToken(),
          title: 'Бюджетні запити всіх розпорядників',
          description: 'Бюджетні запити за 2027 рік.',
          purpose: '',
        });
        assert.equal(edited.statusCode, 303);
        assert.equal((await getRequest(app.db, requestId)).title, 'Бюджетні запити всіх розпорядників');
        const lviv = new Client(app, '10.0.0.7');
        await lviv.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
        await lviv.get(`/data-requests/${requestId}`);
        const wrong = await lviv.post(`/data-requests/${requestId}/accept`, {
          _csrf: lviv.csrfToken(),
          planned_date: 'soon',
        });
        assert.equal(wrong.statusCode, 422);
        assert.match(wrong.body, /id="accept-planned_date-error"/);
        assert.match(
          wrong.body,
          /id="accept-planned_date" name="planned_date" value="soon" aria-describedby="accept-planned_date-error" aria-invalid="true"/,
        );
        const accepted = await lviv.post(`/data-requests/${requestId}/accept`, {
          _csrf: lviv.csrfToken(),
          planned_date: '2027-01-20',
          comment: 'Приймаємо.',
        });
        assert.equal(accepted.statusCode, 303);
        await lviv.get(`/data-requests/${requestId}`);
        const again = await lviv.post(`/data-requests/${requestId}/reopen`, { _csrf: lviv.csrfToken(), comment: 'x' });
        assert.equal(again.statusCode, 409);
        assert.match(again.body, /role="alert"/);
        await lviv.get(`/data-requests/${requestId}`);
        const comment = await lviv.post(`/data-requests/${requestId}/comments`, {
          _csrf: lviv.csrfToken(),
          comment: 'Офіційне уточнення.',
        });
        assert.equal(comment.statusCode, 303);
        const page = await lviv.get(`/data-requests/${requestId}`);
        assert.match(page.body, /Офіційне уточнення\./);
        assert.match(page.body, /Відповідь міста/);

        // Once the city has accepted it, the request stays as the city answered it.
        await owner.get(`/data-requests/${requestId}`);
        const late = await owner.post(`/data-requests/${requestId}/edit`, {
          _csrf: owner.csrfToken(),
          title: 'Зовсім інший запит',
          description: 'Інший текст.',
          purpose: '',
        });
        assert.equal(late.statusCode, 403);
        assert.equal((await getRequest(app.db, requestId)).title, 'Бюджетні запити всіх розпорядників');
        const moderate = await owner.post(`/data-requests/${requestId}/hide`, { _csrf: owner.csrfToken() });
        assert.equal(moderate.statusCode, 403);
      });

      test('an admin hides a request and a comment; others no longer see them', async () => {
        const request = await ask('Спам-запит');
        const admin = new Client(app, '10.0.0.9');
        await admin.login('admin@hromada.demo', DEMO_PASSWORD);
        await admin.get(`/data-requests/${request.id}`);
        const comment = await admin.post(`/data-requests/${request.id}/comments`, {
          _csrf: admin.csrfToken(),
          comment: 'Коментар, який сховаємо.',
        });
        const commentId = /comment-(\d+)/.exec(comment.headers.location as string)![1];
        await admin.get(`/data-requests/${request.id}`);
        assert.equal(
          (await admin.post(`/data-requests/${request.id}/comments/${commentId}/hide`, { _csrf: admin.csrfToken() }))
            .statusCode,
          303,
        );
        const anonymous = new Client(app);
        assert.doesNotMatch((await anonymous.get(`/data-requests/${request.id}`)).body, /Коментар, який сховаємо/);
        await admin.get(`/data-requests/${request.id}`);
        assert.equal(
          (await admin.post(`/data-requests/${request.id}/hide`, { _csrf: admin.csrfToken() })).statusCode,
          303,
        );
        assert.equal((await anonymous.get(`/data-requests/${request.id}`)).statusCode, 404);
        assert.equal((await anonymous.get(`/api/v1/data-requests/${request.id}`)).statusCode, 404);
        assert.equal((await admin.get(`/data-requests/${request.id}`)).statusCode, 200);
      });

      test('the API, the CKAN actions and OpenAPI; bad parameters are a 400 naming them', async () => {
        const client = new Client(app);
        const list = await client.get('/api/v1/data-requests?city=lviv&limit=5');
        assert.equal(list.statusCode, 200);
        const body = list.json();
        assert.ok(body.total >= 5);
        assert.equal(body.items.length, 5);
        assert.ok(body.items.every((r: { city: string }) => r.city === 'lviv'));
        for (const [url, pointer] of [
          ['/api/v1/data-requests?state=bogus', '/state'],
          ['/api/v1/data-requests?city=atlantis', '/city'],
          ['/api/v1/data-requests?limit=0', '/limit'],
          ['/api/v1/data-requests?colour=red', '/colour'],
        ] as const) {
          const response = await client.get(url);
          assert.equal(response.statusCode, 400, url);
          assert.ok(
            response.json().errors.some((e: { pointer: string }) => e.pointer === pointer),
            `${url}: ${response.body}`,
          );
        }
        assert.equal((await client.get('/api/v1/data-requests/abc')).statusCode, 400);
        assert.equal((await client.get('/api/v1/data-requests/999999')).statusCode, 404);
        assert.equal((await client.get('/data-requests/999999')).statusCode, 404);
        assert.equal((await client.get('/data-requests?offset=-1')).statusCode, 400);
        assert.equal((await client.get('/data-requests?city=atlantis')).statusCode, 400);
        const overdue = await client.get('/api/v1/data-requests?overdue=true');
        assert.ok(overdue.json().items.every((r: { overdue: boolean }) => r.overdue));

        const stats = (await client.get('/api/v1/data-requests/stats?city=lviv')).json();
        assert.equal(stats.items[0].city, 'lviv');
        assert.ok(stats.items[0].received >= stats.items[0].answered);
        assert.equal(typeof stats.items[0].declined_by_reason.personal_data, 'number');

        const show = (await client.get(`/api/3/action/datarequest_show?id=${requestId}`)).json();
        assert.equal(show.success, true);
        assert.equal(show.result.organization_id, 'lviv');
        assert.equal(show.result.closed, false);
        const missing = await client.get('/api/3/action/datarequest_show?id=nope');
        assert.equal(missing.statusCode, 404);
        assert.equal(missing.json().success, false);
        const index = (await client.get('/api/3/action/datarequest_index?organization_id=lviv&closed=true')).json();
        assert.equal(index.success, true);
        assert.ok(index.result.result.every((r: { closed: boolean }) => r.closed));
        assert.equal((await client.get('/api/3/action/datarequest_index?closed=maybe')).statusCode, 409);

        const openapi = (await client.get('/api/v1/openapi.json')).json();
        for (const path of ['/api/v1/data-requests', '/api/v1/data-requests/{id}', '/api/v1/data-requests/stats'])
          assert.ok(openapi.paths[path], path);
      });

      test('the city page, the dataset page and the statistics show the requests', async () => {
        const client = new Client(app);
        const city = await client.get('/cities/lviv');
        assert.match(city.body, /id="city-data-requests"/);
        const dataset = await client.get('/datasets/lviv-public-transport-stops');
        assert.match(dataset.body, /id="dataset-data-requests"/);
        const stats = await client.get('/data-requests/stats');
        assert.equal(stats.statusCode, 200);
        assert.match(stats.body, /Медіана днів до відповіді/);
        const found = await client.get(`/search?q=${encodeURIComponent('паркувальні')}`);
        assert.match(found.body, /id="search-data-requests"/);
        assert.match(found.body, /Паркувальні майданчики/);
        const lviv = new Client(app, '10.0.0.10');
        await lviv.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
        // The editor's dashboard lists the city's requests awaiting an answer, the overdue marked.
        const dashboard = await lviv.get('/dashboard');
        assert.match(dashboard.body, /id="dash-data-requests"/);
        assert.match(dashboard.body, /Паркувальні майданчики/);
        assert.doesNotMatch(dashboard.body, /Якість питної води/, 'another city’s request');
        await lviv.get('/data-requests/stats?city=lviv');
        const bad = await lviv.post('/data-requests/stats/lviv/period', {
          _csrf: lviv.csrfToken(),
          answer_working_days: '0',
        });
        assert.equal(bad.statusCode, 422);
        assert.match(bad.body, /id="answer_working_days-error"/);
        const saved = await lviv.post('/data-requests/stats/lviv/period', {
          _csrf: lviv.csrfToken(),
          answer_working_days: '10',
        });
        assert.equal(saved.statusCode, 303);
        const other = new Client(app, '10.0.0.11');
        await other.login(otherEditorEmail, DEMO_PASSWORD);
        await other.get('/data-requests/stats?city=lviv');
        assert.doesNotMatch(other.lastBody, /period"/);
        await other.get('/data-requests/stats?city=vinnytsia');
        assert.equal(
          (await other.post('/data-requests/stats/lviv/period', { _csrf: other.csrfToken(), answer_working_days: '3' }))
            .statusCode,
          403,
        );
      });
    });
  });
}
