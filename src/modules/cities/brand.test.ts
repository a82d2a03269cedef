// A city's logo and accent colour: hostile SVGs are refused or cleaned and never served with
// script, PNGs are accepted by content, the colour must reach 4.5:1 on white, and only the city's
// editors (and admins) may change them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { createConfirmedUser } from '../accounts/service.ts';
import { SYSTEM_ACTOR } from '../../platform/audit.ts';
import { type BrandError, checkPng, contrastOnWhite, parseAccent, sanitizeSvg } from './brand.ts';

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real 2 × 2 red PNG. */
function png(width = 2, height = 2): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.concat(
    Array.from({ length: Math.min(height, 2) }, () => Buffer.from([0, ...Array(width * 3).fill(0xcc)])),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const SVG = 'xmlns="http://www.w3.org/2000/svg"';

const HOSTILE: [string, string][] = [
  ['script element', `<svg ${SVG}><script>alert(1)</script><rect width="1" height="1"/></svg>`],
  ['onload handler', `<svg ${SVG} onload="alert(1)"><rect width="1" height="1" onclick="alert(2)"/></svg>`],
  [
    'javascript: link',
    `<svg ${SVG} xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a><use href="javascript:alert(1)"/></svg>`,
  ],
  [
    'external image',
    `<svg ${SVG}><image href="https://evil.example/track.png" width="1" height="1"/><use href="https://evil.example/x.svg#a"/></svg>`,
  ],
  [
    'foreignObject',
    `<svg ${SVG}><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/></foreignObject></svg>`,
  ],
  [
    'CSS url() to another origin',
    `<svg ${SVG}><style>@import url(https://evil.example/a.css); rect { fill: url(https://evil.example/x) }</style><rect style="background:url(https://evil.example/y)" fill="url(https://evil.example/z)"/></svg>`,
  ],
  [
    'animation setting href',
    `<svg ${SVG}><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="onload" to="alert(1)"/></svg>`,
  ],
];

describe('logo and colour checks', () => {
  test('hostile SVGs come out with nothing that runs or loads', () => {
    for (const [name, svg] of HOSTILE) {
      const clean = sanitizeSvg(svg);
      assert.ok(clean.removed.length > 0, name);
      assert.doesNotMatch(
        clean.svg,
        /script|onload|onclick|javascript:|evil\.example|foreignObject|iframe|<image|<set|<animate|@import/i,
        name,
      );
      assert.match(clean.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, name);
    }
  });

  test('a clean logo keeps its drawing, internal references and styles', () => {
    const svg = `<?xml version="1.0"?><!-- arms --><svg ${SVG} xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#005bbb"/></linearGradient><path id="p" d="M0 0L5 5"/></defs><g transform="scale(2)"><rect width="5" height="5" fill="url(#g)" style="stroke:#000;stroke-width:1"/><use xlink:href="#p"/></g><title>Герб &amp; місто</title></svg>`;
    const clean = sanitizeSvg(svg);
    assert.deepEqual(clean.removed, []);
    assert.match(clean.svg, /viewBox="0 0 10 10"/);
    assert.match(clean.svg, /fill="url\(#g\)"/);
    assert.match(clean.svg, /<use href="#p">/);
    assert.match(clean.svg, /style="stroke:#000;stroke-width:1"/);
    assert.match(clean.svg, /Герб &amp; місто/);
  });

  test('entities (XXE, billion laughs), a DOCTYPE, other roots and broken XML are refused', () => {
    const refused: [string, string][] = [
      [
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><svg ' + SVG + '>&b;</svg>',
        'svg_doctype',
      ],
      ['<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg ' + SVG + '/>', 'svg_doctype'],
      [`<svg ${SVG}>&xxe;</svg>`, 'svg_parse'],
      ['<html><body onload="alert(1)"/></html>', 'svg_root'],
      ['<svg><rect/></svg>', 'svg_root'],
      [`<svg ${SVG}><rect>`, 'svg_parse'],
      [`<svg ${SVG}>${'<g>'.repeat(100)}${'</g>'.repeat(100)}</svg>`, 'svg_big'],
    ];
    for (const [svg, key] of refused) {
      assert.throws(
        () => sanitizeSvg(svg),
        (error: BrandError) => error.key === `cities.brand.error.${key}`,
        svg.slice(0, 60),
      );
    }
  });

  test('a PNG is checked by its content: signature, chunk CRCs, IHDR first, IEND last, size', () => {
    checkPng(png());
    const broken = png();
    broken[broken.length - 20]! ^= 0xff;
    for (const [name, bytes, key] of [
      ['flipped byte', broken, 'png_broken'],
      ['truncated', png().subarray(0, 40), 'png_broken'],
      ['signature only', png().subarray(0, 8), 'png_broken'],
      ['HTML named .png', Buffer.from('<html><script>alert(1)</script>'), 'type'],
      ['huge', png(100_000, 2), 'png_size'],
    ] as const)
      assert.throws(
        () => checkPng(bytes),
        (error: BrandError) => error.key === `cities.brand.error.${key}`,
        name,
      );
  });

  test('the accent colour needs 4.5:1 on white, and says the contrast when it does not', () => {
    assert.equal(parseAccent('#0B4F8A'), '#0b4f8a');
    assert.equal(parseAccent(''), null);
    assert.ok(Math.abs(contrastOnWhite('#000000') - 21) < 0.01);
    assert.ok(Math.abs(contrastOnWhite('#767676') - 4.54) < 0.01);
    assert.equal(parseAccent('#767676'), '#767676');
    assert.throws(
      () => parseAccent('#777777'),
      (e: BrandError) => e.key === 'cities.brand.error.accent_contrast' && e.values.ratio === 4.47,
    );
    assert.throws(
      () => parseAccent('#ffcc00'),
      (e: BrandError) => e.values.ratio === 1.51,
    );
    for (const bad of ['red', '#fff', '#12345g', '0b4f8a', '#0b4f8a;}body{', 'url(x)'])
      assert.throws(
        () => parseAccent(bad),
        (e: BrandError) => e.key === 'cities.brand.error.accent_format',
        bad,
      );
  });
});

for (const engine of ENGINES) {
  describe(`city logo and colour on ${engine}`, () => {
    let app: FastifyInstance;
    let editor: Client;
    before(async () => {
      app = await createTestApp(engine);
      await createConfirmedUser(app.db, SYSTEM_ACTOR, {
        email: 'editor.zhytomyr@example.org',
        password: DEMO_PASSWORD,
        role: 'city_editor',
        organization: 'zhytomyr-city-council',
      });
      editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
    });
    after(() => app.close());

    async function upload(
      client: Client,
      fields: Record<string, string>,
      file?: { name: string; content: Uint8Array | string },
    ) {
      await client.get('/cities/lviv/brand');
      const form = multipartBody({ _csrf: client.csrfToken(), ...fields }, file);
      return app.inject({
        method: 'POST',
        url: '/cities/lviv/brand',
        payload: form.payload,
        headers: { 'content-type': form.contentType, cookie: client.cookieHeader },
      });
    }

    test('the city’s editor sets an SVG logo, cleaned, served from this site with its own CSP', async () => {
      const response = await upload(
        editor,
        { accent: '#0B4F8A' },
        { name: 'arms.svg', content: HOSTILE.map(([, s]) => s)[1]! },
      );
      assert.equal(response.statusCode, 303, response.body);
      assert.match(response.headers.location as string, /saved=1&removed=onload/);
      const profile = await app.inject('/cities/lviv');
      const logo = /<img class="city-brand-logo" src="([^"]+)" alt="Герб: Львів"/.exec(profile.body);
      assert.ok(logo, 'the profile shows the logo');
      assert.match(profile.body, /<link rel="stylesheet" href="\/cities\/lviv\/brand\.css\?v=0b4f8a"/);
      const served = await app.inject(logo[1]!.replaceAll('&amp;', '&'));
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/svg+xml');
      assert.equal(served.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'");
      assert.equal(served.headers['x-content-type-options'], 'nosniff');
      assert.match(served.headers['cache-control'] as string, /immutable/);
      assert.doesNotMatch(served.body, /onload|onclick|script/i);
      assert.match(served.body, /<rect width="1" height="1">/);
      const ranking = await app.inject('/ranking/campaigns/2/cities/lviv');
      assert.match(
        ranking.body,
        /<header class="city-brand[^"]*">\s*<img class="city-brand-logo" src="\/cities\/lviv\/logo\?v=/,
      );
      assert.match(ranking.body, /href="\/cities\/lviv\/brand\.css\?v=0b4f8a"/, 'the ranking profile has the colour');
      const petitions = await app.inject('/petitions?city=lviv');
      assert.match(petitions.body, /<img class="city-brand-logo"[^>]*alt="Герб: Львів"/, 'one city’s petitions');
      assert.match(petitions.body, /<h1>Електронні петиції: Львів<\/h1>/);
      assert.doesNotMatch(
        (await app.inject('/petitions')).body,
        /city-brand/,
        'all cities’ petitions: the platform’s look',
      );
      const css = await app.inject('/cities/lviv/brand.css');
      assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
      assert.match(css.body, /--city-accent: #0b4f8a;/);
      const audit = await app.db.one<{ after: { accent_color: string; logo_type: string } }>(
        "SELECT after FROM audit_events WHERE action = 'city.brand' ORDER BY id DESC LIMIT 1",
      );
      assert.equal(audit!.after.accent_color, '#0b4f8a');
      assert.equal(audit!.after.logo_type, 'image/svg+xml');
    });

    test('hostile uploads are refused or cleaned, and nothing served has script', async () => {
      for (const [name, svg] of HOSTILE) {
        const response = await upload(editor, {}, { name: 'x.svg', content: svg });
        assert.equal(response.statusCode, 303, name);
        const served = await app.inject('/cities/lviv/logo');
        assert.doesNotMatch(served.body, /script|onload|onclick|javascript:|evil\.example|foreignObject/i, name);
      }
      const xxe = await upload(
        editor,
        {},
        {
          name: 'x.svg',
          content: `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg ${SVG}>&x;</svg>`,
        },
      );
      assert.equal(xxe.statusCode, 422);
      assert.match(xxe.body, /DOCTYPE/);
      const html = await upload(editor, {}, { name: 'logo.png', content: '<html><script>alert(1)</script></html>' });
      assert.equal(html.statusCode, 422);
      assert.match(html.body, /перевірено за вмістом/);
      const big = await upload(
        editor,
        {},
        { name: 'big.svg', content: `<svg ${SVG}>${' '.repeat(10 * 1024 * 1024)}</svg>` },
      );
      assert.equal(big.statusCode, 413);
      assert.match(big.body, /512/);
    });

    test('a PNG by content is served as image/png; a damaged one is refused', async () => {
      const ok = await upload(editor, { accent: '#0b4f8a' }, { name: 'arms.bin', content: png() });
      assert.equal(ok.statusCode, 303);
      const served = await app.inject('/cities/lviv/logo');
      assert.equal(served.headers['content-type'], 'image/png');
      assert.equal(served.headers['x-content-type-options'], 'nosniff');
      assert.deepEqual(served.rawPayload, png());
      const damaged = png();
      damaged[20]! ^= 1;
      assert.equal((await upload(editor, {}, { name: 'arms.png', content: damaged })).statusCode, 422);
    });

    test('a colour too light is refused with its contrast; an empty one and removing the logo clear them', async () => {
      const light = await upload(editor, { accent: '#ffcc00' });
      assert.equal(light.statusCode, 422);
      assert.match(light.body, /контраст 1,51:1 з білим; для тексту потрібно щонайменше 4,5:1/);
      const cleared = await upload(editor, { accent: '', remove_logo: '1' });
      assert.equal(cleared.statusCode, 303);
      assert.equal((await app.inject('/cities/lviv/logo')).statusCode, 404);
      assert.equal((await app.inject('/cities/lviv/brand.css')).statusCode, 404);
      assert.doesNotMatch((await app.inject('/cities/lviv')).body, /city-brand-logo|brand\.css/);
    });

    test('anonymous visitors, citizens and another city’s editor may not change the logo', async () => {
      const anonymous = await app.inject('/cities/lviv/brand');
      assert.equal(anonymous.statusCode, 302);
      const form = multipartBody({ accent: '#000000' });
      const post = await app.inject({
        method: 'POST',
        url: '/cities/lviv/brand',
        payload: form.payload,
        headers: { 'content-type': form.contentType },
      });
      assert.ok([401, 403].includes(post.statusCode), String(post.statusCode));
      for (const email of ['citizen@hromada.demo', 'editor.zhytomyr@example.org']) {
        const client = new Client(app);
        await client.login(email, DEMO_PASSWORD);
        assert.equal((await client.get('/cities/lviv/brand')).statusCode, 403, email);
        await client.get('/cities/lviv');
        assert.doesNotMatch(client.lastBody, /\/cities\/lviv\/brand/, email);
        const attempt = multipartBody({ _csrf: client.csrfToken(), accent: '#000000' });
        const response = await app.inject({
          method: 'POST',
          url: '/cities/lviv/brand',
          payload: attempt.payload,
          headers: { 'content-type': attempt.contentType, cookie: client.cookieHeader },
        });
        assert.equal(response.statusCode, 403, email);
      }
      const zhytomyr = new Client(app);
      await zhytomyr.login('editor.zhytomyr@example.org', DEMO_PASSWORD);
      assert.equal((await zhytomyr.get('/cities/zhytomyr/brand')).statusCode, 200);
      assert.equal((await app.inject('/cities/lviv/brand.css')).statusCode, 404, 'nothing was changed');
    });
  });
}
