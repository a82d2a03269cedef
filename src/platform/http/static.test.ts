import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp } from '../../../test/helpers.ts';

let app: FastifyInstance;
before(async () => {
  app = await createTestApp('pglite', { demo: false });
});
after(() => app.close());

test('pages link to fingerprinted assets that browsers may keep for a year', async () => {
  const page = (await app.inject('/')).body;
  const css = /<link rel="stylesheet" href="(\/static\/app\.[0-9a-f]{12}\.css)">/.exec(page)?.[1];
  assert.ok(css, 'the stylesheet is linked by its content hash');
  const response = await app.inject(css);
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(response.headers['content-type']), /^text\/css/);
  assert.equal(response.body, (await app.inject('/static/app.css')).body, 'the plain name serves the same bytes');
});

test('plain names are served with an ETag and answer 304 when the browser has them', async () => {
  const first = await app.inject('/static/build/cities-map.js');
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['cache-control'], 'public, max-age=3600');
  const etag = String(first.headers.etag);
  assert.match(etag, /^"[0-9a-f]{12}"$/);
  const again = await app.inject({ url: '/static/build/cities-map.js', headers: { 'if-none-match': etag } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  assert.equal((await app.inject('/static/../package.json')).statusCode, 404);
  assert.equal((await app.inject('/static/nothing.css')).statusCode, 404);
});
