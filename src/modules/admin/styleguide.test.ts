// The style guide: every component with its class names, in each language, for platform admins only.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { COLOUR_TOKENS } from './styleguide.ts';

const COMPONENTS = [
  'class="button"',
  'class="secondary"',
  'class="danger"',
  'class="card"',
  'class="badge success"',
  'class="badge warning"',
  'class="badge danger"',
  'class="badge info"',
  'class="notice error"',
  'class="notice success"',
  'table class="responsive"',
  'data-label=',
  'class="tabs"',
  'aria-current="page"',
  'details class="accordion"',
  '<progress',
  'class="empty-state"',
  'class="pagination"',
];

for (const engine of ENGINES) {
  describe(`style guide on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(() => app.close());

    test('an admin sees every component, in uk, en and bg, linked from the admin page', async () => {
      const admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      assert.match((await admin.get('/admin')).body, /href="\/styleguide"/);
      const titles = { uk: 'Стильова настанова', en: 'Style guide', bg: 'Ръководство за стил' };
      for (const [lang, title] of Object.entries(titles)) {
        await admin.get(`/lang/${lang}?next=/styleguide`);
        const page = await admin.get('/styleguide');
        assert.equal(page.statusCode, 200, lang);
        assert.match(page.body, new RegExp(`<h1>${title}</h1>`), lang);
        assert.match(page.body, new RegExp(`<html lang="${lang}"`), lang);
        for (const marker of COMPONENTS) assert.ok(page.body.includes(marker), `${lang}: ${marker}`);
        assert.doesNotMatch(page.body, /styleguide\.[a-z_]+/, `${lang}: an untranslated key`);
      }
    });

    test('each colour swatch names a token that app.css defines, with a rule that paints it', () => {
      const css = fs.readFileSync(new URL('../../../public/app.css', import.meta.url), 'utf8');
      for (const name of COLOUR_TOKENS) {
        assert.match(css, new RegExp(`--color-${name}: `), name);
        assert.match(css, new RegExp(`\\.sg-swatch-${name} \\{\\s*background: var\\(--color-${name}\\);`), name);
      }
    });

    test('a citizen is refused with 403; an anonymous visitor is sent to log in', async () => {
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal((await citizen.get('/styleguide')).statusCode, 403);
      const anonymous = await new Client(app).get('/styleguide');
      assert.equal(anonymous.statusCode, 302);
      assert.equal(anonymous.headers.location, '/login?next=%2Fstyleguide');
    });
  });
}
