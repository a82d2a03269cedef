import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import type { ValidationError } from '../../platform/errors.ts';
import { refusedAddresses, renderMarkdown } from './markdown.ts';
import { chapterHistory, getChapter, listChapters, parseChapterInput, saveChapter, searchHandbook } from './service.ts';

const ACTOR = { userId: null, label: 'test' };

describe('handbook Markdown', () => {
  test('raw HTML is shown as text and unsafe addresses are dropped', () => {
    const out = renderMarkdown(
      '# Title\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[bad](javascript:alert(1)) [ok](/datasets) ![remote](https://evil.example/x.png) ![local](/static/favicon.svg)',
    ).value;
    assert.doesNotMatch(out, /<script|<img src="?x|href="javascript/i);
    assert.match(out, /&lt;script&gt;/);
    assert.match(out, /<h2>Title<\/h2>/, 'headings start below the page title');
    assert.match(out, /<a href="\/datasets">ok<\/a>/);
    assert.match(out, /<img src="\/static\/favicon.svg" alt="local">/);
    assert.doesNotMatch(out, /evil\.example/);
  });

  test('an editor is told which addresses are refused', () => {
    assert.deepEqual(
      refusedAddresses('[a](javascript:x) [b](/ok) ![c](http://img.example/c.png) [d](https://ok.example)'),
      ['javascript:x', 'http://img.example/c.png'],
    );
    assert.throws(
      () => parseChapterInput({ slug: 'x', locale: 'uk', title: 'T', body: '[a](data:text/html,hi)' }),
      (error: ValidationError) =>
        error.problems[0]!.field === 'body' && /data:text\/html/.test(String(error.problems[0]!.params?.addresses)),
    );
  });
});

for (const engine of ENGINES) {
  describe(`handbook on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(() => app.close());

    test('the first five chapters exist in three languages and link to the platform’s tools', async () => {
      for (const locale of ['uk', 'en', 'bg'] as const) {
        const chapters = await listChapters(app.db, locale);
        assert.deepEqual(
          chapters.map((c) => c.slug),
          [
            'what-is-open-data',
            'choosing-datasets-and-licence',
            'preparing-a-csv',
            'publishing-in-hromada',
            'using-the-api',
          ],
        );
        assert.ok(chapters.every((c) => c.locale === locale));
        for (const c of chapters) assert.deepEqual(refusedAddresses(c.body), [], c.slug);
      }
      const api = (await getChapter(app.db, 'using-the-api', 'en')).body;
      assert.match(api, /\/api\/3\/action\/datastore_search_sql/);
    });

    test('a change is a new revision; the history keeps every one; a missing language falls back to Ukrainian', async () => {
      await app.db.transaction((tx) =>
        saveChapter(
          tx,
          ACTOR,
          {
            slug: 'metadata',
            locale: 'uk',
            title: 'Метадані',
            body: 'Перша редакція: **DCAT**.',
            note: '',
            position: 60,
          },
          true,
        ),
      );
      await app.db.transaction((tx) =>
        saveChapter(
          tx,
          ACTOR,
          {
            slug: 'metadata',
            locale: 'uk',
            title: 'Метадані',
            body: 'Друга редакція про DCAT-AP.',
            note: 'уточнено',
            position: 60,
          },
          false,
        ),
      );
      assert.equal((await getChapter(app.db, 'metadata', 'uk')).body, 'Друга редакція про DCAT-AP.');
      const english = await getChapter(app.db, 'metadata', 'en');
      assert.equal(english.locale, 'uk', 'no English text yet: the Ukrainian one is shown');
      const history = await chapterHistory(app.db, 'metadata');
      assert.deepEqual(
        history.map((r) => r.body),
        ['Друга редакція про DCAT-AP.', 'Перша редакція: **DCAT**.'],
      );
      await assert.rejects(app.db.query(`UPDATE handbook_revisions SET body = 'x' WHERE id = $1`, [history[1]!.id]));
      assert.deepEqual(
        (await searchHandbook(app.db, 'uk', 'DCAT-AP')).map((h) => h.slug),
        ['metadata'],
      );
      assert.deepEqual(
        (await searchHandbook(app.db, 'en', 'delimiter semicolon')).map((h) => h.slug),
        ['preparing-a-csv'],
      );
    });

    test('pages: contents with search, a chapter, the printable book, history; only editors write', async () => {
      const visitor = new Client(app, '203.0.113.91');
      assert.match((await visitor.get('/handbook?q=CSV')).body, /preparing-a-csv/);
      const chapter = await visitor.get('/handbook/preparing-a-csv');
      assert.equal(chapter.statusCode, 200);
      assert.match(chapter.body, /<a href="\/datasets">/);
      const print = await visitor.get('/handbook/print');
      for (const slug of ['what-is-open-data', 'using-the-api']) assert.match(print.body, new RegExp(`id="${slug}"`));
      assert.equal((await visitor.get('/handbook/preparing-a-csv/history')).statusCode, 200);
      assert.equal((await visitor.get('/handbook/no-such')).statusCode, 404);
      assert.equal((await visitor.get('/api/v1/handbook?locale=bg')).json().items.length, 6);
      assert.equal((await visitor.get('/handbook/preparing-a-csv/edit')).statusCode, 302);

      const citizen = new Client(app, '203.0.113.92');
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal((await citizen.get('/handbook/preparing-a-csv/edit')).statusCode, 403);

      const editor = new Client(app, '203.0.113.93');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await editor.get('/handbook/preparing-a-csv/edit?locale=en');
      const refused = await editor.post('/handbook/preparing-a-csv/edit?locale=en', {
        _csrf: editor.csrfToken(),
        title: 'Preparing a CSV',
        body: 'See [this](javascript:alert(1))',
      });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /javascript:alert/);
      const saved = await editor.post('/handbook/preparing-a-csv/edit?locale=en', {
        _csrf: editor.csrfToken(),
        title: 'Preparing a CSV that loads cleanly',
        body: 'Save as **UTF-8**. <b>raw</b>',
        note: 'shorter',
      });
      assert.equal(saved.statusCode, 303);
      const page = await editor.get('/lang/en?next=/handbook/preparing-a-csv');
      const shown = await editor.get('/handbook/preparing-a-csv');
      assert.ok(page.statusCode < 400);
      assert.match(shown.body, /<strong>UTF-8<\/strong>/);
      assert.match(shown.body, /&lt;b&gt;raw&lt;\/b&gt;/);
      const audit = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'handbook.revise' AND actor_label = 'editor.lviv@hromada.demo'`,
      );
      assert.equal(audit!.n, 1);
    });
  });
}
