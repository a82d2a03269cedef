// The Data Academy: answers checked as people type numbers, the demo course and its answers read
// back from the demo files by the DataStore's own number reader, and through HTTP: enrolling,
// lessons done, wrong, malformed and right answers, the completion record issued only when
// everything is done, its public verification page, the organisers' learners list and CSV, who
// may author courses, refused input, and /api/v1/academy.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { readNumber } from '../datastore/values.ts';
import { budgetSpendingCsv } from '../../demo/files.ts';
import { demoAnswers } from '../../demo/academy.ts';
import { isCorrect, parseNumber } from './service.ts';

test('numbers as people type them; text answers ignore case, spacing and the apostrophe', () => {
  assert.equal(parseNumber('1 250,5'), 1250.5);
  assert.equal(parseNumber('1\u00a0250'), 1250);
  assert.equal(parseNumber('-3.25'), -3.25);
  for (const bad of ['', '12a', '1,2,3', 'NaN', 'Infinity', '1e5']) assert.equal(parseNumber(bad), null, bad);
  const number = { answer_kind: 'number' as const, expected_answer: '60', tolerance: '0' };
  assert.ok(isCorrect(number, ' 60 '));
  assert.ok(isCorrect(number, '60,0'));
  assert.ok(!isCorrect(number, '61'));
  assert.ok(!isCorrect(number, 'sixty'));
  assert.ok(isCorrect({ ...number, tolerance: '0.5' }, '60,4'));
  assert.ok(!isCorrect({ ...number, tolerance: '0.5' }, '60,6'));
  const text = { answer_kind: 'text' as const, expected_answer: 'Львів|Lviv', tolerance: '0' };
  assert.ok(isCorrect(text, '  ЛЬВІВ '));
  assert.ok(isCorrect(text, 'lviv'));
  assert.ok(!isCorrect(text, 'Київ'));
  assert.ok(isCorrect({ ...text, expected_answer: "Кам'янець" }, 'кам’янець'));
});

test('the demo answers are what the DataStore reads from the demo files', () => {
  const lines = new TextDecoder().decode(budgetSpendingCsv()).trim().split(/\r\n/).slice(1);
  const totals = new Map<string, number>();
  for (const line of lines) {
    const cells = line.split(';');
    totals.set(cells[0]!, (totals.get(cells[0]!) ?? 0) + Number(readNumber(cells[5]!)));
  }
  const answers = demoAnswers();
  assert.equal(answers.spendingRows, lines.length);
  assert.equal(answers.largestProgramme, [...totals].sort((a, b) => b[1] - a[1])[0]![0]);
  assert.ok(answers.shelteredStops > 0 && answers.shelteredStops < 12);
});

for (const engine of ENGINES) {
  describe(`Data Academy (${engine})`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(async () => {
      await app?.close();
    });

    test('the demo course: handbook and own lessons, exercises, the training, a learner part way and one done', async () => {
      const visitor = new Client(app, '203.0.113.11');
      const list = await visitor.get('/academy');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /href="\/academy\/open-data-basics"/);
      const api = (await visitor.get('/api/v1/academy/courses/open-data-basics')).json();
      assert.equal(api.lessons_list.length, 7);
      assert.deepEqual(
        api.lessons_list.slice(0, 5).map((l: { handbook_chapter: string }) => l.handbook_chapter),
        [
          'what-is-open-data',
          'choosing-datasets-and-licence',
          'preparing-a-csv',
          'publishing-in-hromada',
          'using-the-api',
        ],
      );
      assert.equal(api.lessons_list[5].handbook_chapter, null);
      assert.equal(api.exercises_list.length, 3);
      assert.equal(api.events.length, 1);
      const event = await app.db.one<{ kind: string }>('SELECT kind FROM community_events WHERE id = $1', [
        api.events[0],
      ]);
      assert.equal(event!.kind, 'training');
      // The training's page names the course it belongs to.
      const eventPage = await app.inject(`/events/${api.events[0]}`);
      assert.match(eventPage.body, /id="academy-courses"/);
      assert.match(eventPage.body, new RegExp(`href="/academy/${api.slug}"`));

      const rows = await app.db.query<{ email: string; certificate_code: string | null }>(
        `SELECT u.email, e.certificate_code FROM academy_enrolments e JOIN users u ON u.id = e.user_id ORDER BY u.email`,
      );
      assert.deepEqual(
        rows.map((r) => [r.email, r.certificate_code !== null]),
        [
          ['assessor@hromada.demo', true],
          ['citizen@hromada.demo', false],
        ],
      );
      const certificate = await visitor.get(`/academy/certificates/${rows[0]!.certificate_code}`);
      assert.equal(certificate.statusCode, 200);
      assert.match(certificate.body, /Ірина Оцінювачка/);
      const apiCertificate = await visitor.get(`/api/v1/academy/certificates/${rows[0]!.certificate_code}`);
      assert.equal(apiCertificate.json().course, 'open-data-basics');

      // A handbook lesson shows the chapter's current text; an own lesson its Markdown, rendered safely.
      const lesson = await visitor.get('/academy/open-data-basics/lessons/3');
      assert.equal(lesson.statusCode, 200);
      assert.match(lesson.body, /href="\/academy\/open-data-basics\/lessons\/2" rel="prev"/);
      assert.match(lesson.body, /href="\/academy\/open-data-basics\/lessons\/4" rel="next"/);
      assert.match(lesson.body, /href="\/handbook\/preparing-a-csv"/);
      const own = await visitor.get('/academy/open-data-basics/lessons/7');
      assert.match(own.body, /<ol>/);
      assert.match(own.body, /<a href="\/academy\/open-data-basics">/, 'the last lesson leads back to the course');
      const exercise = await visitor.get('/academy/open-data-basics/exercises/1');
      assert.match(exercise.body, /href="\/datasets\/lviv-budget-2024"/);
      assert.match(exercise.body, /datastore_search\?resource_id=[0-9a-f-]{36}/);

      // The citizen's dashboard shows the course and the progress.
      const citizen = new Client(app, '203.0.113.12');
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      const dashboard = await citizen.get('/dashboard');
      assert.match(dashboard.body, /id="dash-academy"/);
      assert.match(dashboard.body, /4 з 10/);
    });

    test('a learner enrols, answers wrong, malformed and right, and gets the record only when all is done', async () => {
      const learner = new Client(app, '203.0.113.21');
      await learner.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      const course = '/academy/open-data-basics';
      // Not enrolled: no answer and no lesson done is taken.
      await learner.get(`${course}/exercises/1`);
      const early = await learner.submit('/academy', `${course}/exercises/1`, { answer: '1' });
      assert.equal(early.statusCode, 403);
      await learner.get(course);
      assert.equal((await learner.submit('/academy', `${course}/enrol`, {})).statusCode, 303);
      assert.equal((await learner.submit('/academy', `${course}/enrol`, {})).statusCode, 303, 'twice is once');
      const answers = demoAnswers();

      await learner.get(`${course}/exercises/1`);
      const wrong = await learner.submit('/academy', `${course}/exercises/1`, {
        answer: String(answers.spendingRows + 1),
      });
      assert.equal(wrong.headers.location, `${course}/exercises/1?result=wrong`);
      const malformed = await learner.submit('/academy', `${course}/exercises/1`, { answer: 'sixty' });
      assert.equal(malformed.statusCode, 422);
      assert.match(malformed.body, /id="answer-error"/);
      const empty = await learner.submit('/academy', `${course}/exercises/1`, { answer: '' });
      assert.equal(empty.statusCode, 422);
      const right = await learner.submit('/academy', `${course}/exercises/1`, {
        answer: String(answers.spendingRows),
      });
      assert.equal(right.headers.location, `${course}/exercises/1?result=right`);
      // Once right, a later wrong try does not undo it.
      await learner.get(`${course}/exercises/2`);
      await learner.submit('/academy', `${course}/exercises/1`, { answer: '1' });
      const stored = await app.db.one<{ correct: boolean; attempts: number }>(
        `SELECT a.correct, a.attempts FROM academy_answers a JOIN users u ON u.id = a.user_id
         JOIN academy_exercises x ON x.id = a.exercise_id WHERE u.email = 'editor.lviv@hromada.demo' AND x.position = 1`,
      );
      assert.deepEqual(stored, { correct: true, attempts: 3 });

      await learner.submit('/academy', `${course}/exercises/2`, { answer: ` ${answers.largestProgramme} ` });
      await learner.get(`${course}/exercises/3`);
      await learner.submit('/academy', `${course}/exercises/3`, { answer: String(answers.shelteredStops) });
      const code = async () =>
        (await app.db.one<{ certificate_code: string | null }>(
          `SELECT e.certificate_code FROM academy_enrolments e JOIN users u ON u.id = e.user_id
             WHERE u.email = 'editor.lviv@hromada.demo'`,
        ))!.certificate_code;
      assert.equal(await code(), null, 'exercises right but no lesson done: no record');
      for (let n = 1; n <= 6; n++) {
        await learner.get(`${course}/lessons/${n}`);
        const done = await learner.submit('/academy', `${course}/lessons/${n}/done`, {});
        assert.equal(done.headers.location, `${course}/lessons/${n + 1}`);
      }
      assert.equal(await code(), null, 'one lesson left: no record');
      await learner.get(`${course}/lessons/7`);
      const last = await learner.submit('/academy', `${course}/lessons/7/done`, {});
      assert.equal(last.headers.location, course);
      const issued = await code();
      assert.match(issued ?? '', /^[a-z0-9]{16}$/);
      // Marking it again changes nothing.
      await learner.submit('/academy', `${course}/lessons/7/done`, {});
      assert.equal(await code(), issued);
      const page = await learner.get(course);
      assert.match(page.body, new RegExp(`/academy/certificates/${issued}`));

      const anyone = new Client(app, '203.0.113.22');
      const verified = await anyone.get(`/academy/certificates/${issued}`);
      assert.equal(verified.statusCode, 200);
      assert.match(verified.body, /Андрій Редактор/);
      assert.equal((await anyone.get('/academy/certificates/0000000000000000')).statusCode, 404);
      assert.equal((await anyone.get('/academy/certificates/%3Cscript%3E')).statusCode, 404);
      assert.equal((await anyone.get('/api/v1/academy/certificates/nope')).statusCode, 400);
      assert.equal((await anyone.get('/api/v1/academy/certificates/0000000000000000')).statusCode, 404);

      // The organiser (the operator's member: the admin) sees the learners and the CSV; others do not.
      const admin = new Client(app, '203.0.113.23');
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      const learners = await admin.get(`${course}/learners`);
      assert.equal(learners.statusCode, 200);
      assert.match(learners.body, /Андрій Редактор/);
      const csv = await admin.get(`${course}/learners.csv`);
      assert.match(csv.headers['content-type'] as string, /text\/csv/);
      const lines = csv.body.trim().split('\n');
      assert.equal(lines.length, 4, 'a header and three learners');
      assert.ok(
        lines.some((l) => l.includes('editor.lviv@hromada.demo') && l.includes(`/academy/certificates/${issued}`)),
      );
      const organiserDashboard = (await admin.get('/dashboard')).body;
      assert.match(organiserDashboard, new RegExp(`href="${course}/learners"`));
      assert.doesNotMatch((await learner.get('/dashboard')).body, new RegExp(`href="${course}/learners"`));
      assert.equal((await learner.get(`${course}/learners`)).statusCode, 403);
      assert.equal((await learner.get(`${course}/learners.csv`)).statusCode, 403);
    });

    test('authoring: organisers only, for their own organisation; bad input is refused by field; audited', async () => {
      const anonymous = new Client(app, '203.0.113.31');
      assert.equal((await anonymous.get('/academy/new')).statusCode, 302);
      const citizen = new Client(app, '203.0.113.32');
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal((await citizen.get('/academy/new')).statusCode, 403);
      assert.equal((await citizen.get('/academy/open-data-basics/lessons/new')).statusCode, 403);
      await citizen.get('/academy');
      const forged = await citizen.submit('/academy', '/academy/new', { slug: 'x' });
      assert.equal(forged.statusCode, 403);

      const editor = new Client(app, '203.0.113.33');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      const lviv = (await app.db.one<{ id: number }>(`SELECT id FROM organizations WHERE slug = 'lviv-city-council'`))!;
      const operator = (await app.db.one<{ id: number }>(
        `SELECT id FROM organizations WHERE slug = 'hromada-operator'`,
      ))!;
      const fields = {
        slug: 'lviv-budget-course',
        title_uk: 'Бюджет Львова',
        title_en: 'Lviv budget',
        title_bg: 'Бюджетът на Лвов',
        description_uk: 'Курс',
      };
      await editor.get('/academy/new');
      const foreign = await editor.submit('/academy', '/academy/new', {
        ...fields,
        organization: String(operator.id),
      });
      assert.equal(foreign.statusCode, 422);
      assert.match(foreign.body, /id="organization-error"/);
      const badSlug = await editor.submit('/academy', '/academy/new', {
        ...fields,
        slug: 'Не slug',
        title_en: '',
        organization: String(lviv.id),
      });
      assert.equal(badSlug.statusCode, 422);
      assert.match(badSlug.body, /id="slug-error"/);
      assert.match(badSlug.body, /id="title_en-error"/);
      const badEvent = await editor.submit('/academy', '/academy/new', {
        ...fields,
        organization: String(lviv.id),
        events: '99999999999',
        description_en: '![x](https://tracker.example/pixel.png)',
      });
      assert.equal(badEvent.statusCode, 422);
      assert.match(badEvent.body, /id="events-error"/);
      assert.match(badEvent.body, /id="description_en-error"[^>]*>[^<]*tracker\.example/);
      const created = await editor.submit('/academy', '/academy/new', {
        ...fields,
        organization: String(lviv.id),
      });
      assert.equal(created.statusCode, 303);
      assert.equal(created.headers.location, '/academy/lviv-budget-course');
      const again = await editor.submit('/academy', '/academy/new', { ...fields, organization: String(lviv.id) });
      assert.equal(again.statusCode, 409);

      const base = '/academy/lviv-budget-course';
      await editor.get(`${base}/lessons/new`);
      const unsafe = await editor.submit('/academy', `${base}/lessons/new`, {
        title_uk: 'Урок',
        body_uk: 'Дивіться [тут](javascript:alert(1))',
      });
      assert.equal(unsafe.statusCode, 422);
      assert.match(unsafe.body, /id="body_uk-error"/);
      const noText = await editor.submit('/academy', `${base}/lessons/new`, { handbook: '' });
      assert.equal(noText.statusCode, 422);
      const noChapter = await editor.submit('/academy', `${base}/lessons/new`, { handbook: 'no-such' });
      assert.equal(noChapter.statusCode, 422);
      const own = await editor.submit('/academy', `${base}/lessons/new`, {
        title_uk: 'Урок',
        body_uk: '# Заголовок\n\n<script>alert(1)</script> **жирний**',
      });
      assert.equal(own.headers.location, `${base}/lessons/1`);
      const shown = await editor.get(`${base}/lessons/1`);
      assert.doesNotMatch(shown.body, /<script>alert/);
      assert.match(shown.body, /&lt;script&gt;/);
      assert.match(shown.body, /<strong>жирний<\/strong>/);
      const chapter = await editor.submit('/academy', `${base}/lessons/new`, { handbook: 'using-the-api' });
      assert.equal(chapter.headers.location, `${base}/lessons/2`);

      await editor.get(`${base}/exercises/new`);
      const exercise = {
        title_uk: 'Скільки?',
        title_en: 'How many?',
        title_bg: 'Колко?',
        question_uk: 'Скільки рядків?',
        question_en: 'How many rows?',
        question_bg: 'Колко реда?',
        answer_kind: 'number',
        expected_answer: '60',
      };
      const noDataset = await editor.submit('/academy', `${base}/exercises/new`, {
        ...exercise,
        dataset: 'no-such-dataset',
      });
      assert.equal(noDataset.statusCode, 422);
      assert.match(noDataset.body, /id="dataset-error"/);
      const draft = await editor.submit('/academy', `${base}/exercises/new`, {
        ...exercise,
        dataset: 'lviv-council-decisions-draft',
      });
      assert.equal(draft.statusCode, 422, 'an unpublished dataset is no exercise');
      const notNumber = await editor.submit('/academy', `${base}/exercises/new`, {
        ...exercise,
        dataset: 'lviv-budget-2024',
        expected_answer: 'шістдесят',
        resource: 'not-a-uuid',
      });
      assert.equal(notNumber.statusCode, 422);
      assert.match(notNumber.body, /id="expected_answer-error"/);
      assert.match(notNumber.body, /id="resource-error"/);
      const added = await editor.submit('/academy', `${base}/exercises/new`, {
        ...exercise,
        dataset: 'lviv-budget-2024',
      });
      assert.equal(added.headers.location, `${base}/exercises/1`);

      // The course is the Lviv council's: the operator's course stays out of reach.
      assert.equal((await editor.get('/academy/open-data-basics/edit')).statusCode, 403);
      await editor.get(`${base}/edit`);
      const edited = await editor.submit('/academy', `${base}/edit`, {
        ...fields,
        title_en: 'Lviv’s budget, step by step',
        organization: String(lviv.id),
      });
      assert.equal(edited.statusCode, 303);
      assert.equal((await citizen.submit('/academy', `${base}/exercises/1/delete`, {})).statusCode, 403);
      assert.match((await editor.get(base)).body, new RegExp(`action="${base}/exercises/1/delete"`));
      assert.equal((await editor.submit(base, `${base}/exercises/1/delete`, {})).statusCode, 303);
      assert.equal((await editor.submit(base, `${base}/exercises/1/delete`, {})).statusCode, 404);
      assert.equal((await editor.get(`${base}/exercises/1`)).statusCode, 404);
      const actions = await app.db.query<{ action: string }>(
        `SELECT action FROM audit_events WHERE entity_type = 'academy_course' AND actor_label = 'editor.lviv@hromada.demo' ORDER BY id`,
      );
      assert.deepEqual(
        actions.map((a) => a.action),
        [
          'academy.course_create',
          'academy.lesson_add',
          'academy.lesson_add',
          'academy.exercise_add',
          'academy.course_update',
          'academy.exercise_remove',
        ],
      );
      assert.equal((await anonymous.get('/api/v1/academy/courses?limit=1')).json().total, 2);
      assert.equal((await anonymous.get('/api/v1/academy/courses?limit=0')).statusCode, 400);
      assert.equal((await anonymous.get('/academy/nope')).statusCode, 404);
      assert.equal((await anonymous.get('/academy/open-data-basics/lessons/99')).statusCode, 404);
      assert.equal((await anonymous.get('/academy/open-data-basics/lessons/abc')).statusCode, 400);
      assert.equal((await anonymous.get('/academy?offset=-1')).statusCode, 400);
    });
  });
}
