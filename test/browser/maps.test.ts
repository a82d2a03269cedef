// In Chromium: the maps' base. Without a tile server, Ukraine's regions (named when zoomed in, with
// geoBoundaries' attribution) under the data; with MAP_TILES_URL, the operator's tiles at street
// level, allowed by the CSP, with the operator's attribution.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';

// A 1×1 PNG: enough for the browser to load a tile.
const TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe('maps without a tile server', () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(async () => site?.close());

  test('the country map draws every region under the cities, names none at country scale, credits the boundaries', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1366, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`${site.baseUrl}/cities/map`);
    await page.waitForSelector('#cities-map[data-ready]');
    assert.equal(await page.locator('#cities-map .leaflet-overlay-pane path:not(.leaflet-interactive)').count(), 27);
    assert.ok((await page.locator('#cities-map path.leaflet-interactive').count()) >= 50, 'the cities');
    assert.equal(await page.locator('#cities-map .region-label').count(), 27);
    assert.equal(await page.locator('#cities-map .region-label:visible').count(), 0, 'too small to name');
    assert.match((await page.locator('#cities-map .leaflet-control-attribution').textContent()) ?? '', /geoBoundaries/);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a city’s map shows its surroundings with the regions named, in the page’s language', async () => {
    const page = await site.browser.newPage({ viewport: { width: 360, height: 800 } });
    await page.goto(`${site.baseUrl}/cities/lviv`);
    await page.waitForSelector('#cities-map[data-ready="1"].map-labels');
    // The names inside the map's frame: the neighbourhood, not the country.
    const names = await page.evaluate(() => {
      const frame = document.getElementById('cities-map')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('#cities-map .region-label span')]
        .filter((label) => {
          const box = label.getBoundingClientRect();
          return (
            box.width > 0 &&
            box.left < frame.right &&
            box.right > frame.left &&
            box.top < frame.bottom &&
            box.bottom > frame.top
          );
        })
        .map((label) => label.textContent);
    });
    assert.ok(names.includes('Львівська область'), names.join(', '));
    assert.ok(!names.includes('Луганська область') && names.length < 10, `only the neighbourhood: ${names.join(', ')}`);
    await page.close();
  });
});

describe('maps with MAP_TILES_URL', () => {
  let site: Site;
  let tiles: http.Server;
  const requested: string[] = [];
  before(async () => {
    tiles = http.createServer((request, response) => {
      requested.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/png' }).end(TILE);
    });
    await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}`;
    site = await startSite({
      mapTilesUrl: `${origin}/tiles/{z}/{x}/{y}.png`,
      mapTilesAttribution: '© Test Tiles <contributors>',
    });
  });
  after(async () => {
    await site?.close();
    tiles?.close();
  });

  test('a city’s map loads the operator’s tiles at street level, allowed by the CSP, with their attribution as text', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1366, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`${site.baseUrl}/cities/lviv`);
    await page.waitForSelector('#cities-map[data-ready="1"]');
    // Street-level tiles around the city (the country's, asked for before the city was known, may come first).
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('#cities-map img.leaflet-tile-loaded')].some((img) =>
        /\/tiles\/1\d\//.test(img.src),
      ),
    );
    assert.equal(await page.locator('#cities-map .region-label').count(), 0, 'the tiles name the places');
    const attribution = page.locator('#cities-map .leaflet-control-attribution');
    assert.match((await attribution.textContent()) ?? '', /© Test Tiles <contributors>/);
    assert.deepEqual(problems, [], 'no CSP violation');
    await page.close();
  });
});
