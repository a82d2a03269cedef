// The Prozorro connector against a local server answering as Prozorro's public API does (pages of
// {data: [{id, dateModified}], next_page: {offset}}, then each object as {data: …}).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, ENGINES } from '../../../test/helpers.ts';
import { createConfirmedUser } from '../accounts/service.ts';
import { assertPublicHost, FEED_JOB, queueDueFeeds, runFeed } from './feed.ts';

const org = (edrpou: string, name: string, kind?: string) => ({
  name,
  identifier: { scheme: 'UA-EDR', id: edrpou, legalName: name },
  ...(kind ? { kind } : {}),
});

/** A tender as Prozorro's API returns it (the fields the connector reads). */
function tender(n: number) {
  const tenderID = `UA-2026-11-0${n}-00000${n}-a`;
  return {
    id: `f${n}`.padEnd(32, '0'),
    tenderID,
    title: `Закупівля ${n} (тест)`,
    status: 'complete',
    date: `2026-11-0${n}T09:00:00+02:00`,
    dateModified: `2026-11-1${n}T09:00:00+02:00`,
    procurementMethod: 'open',
    procurementMethodType: 'aboveThresholdUA',
    mainProcurementCategory: 'goods',
    procuringEntity: org('04055896', 'Львівська міська рада', 'general'),
    value: { amount: 500000, currency: 'UAH', valueAddedTaxIncluded: true },
    tenderPeriod: { startDate: `2026-11-0${n}T09:00:00+02:00`, endDate: `2026-11-2${n}T09:00:00+02:00` },
    items: [
      {
        id: `i${n}`,
        description: 'Папір',
        classification: { scheme: 'ДК021', id: '30190000-7' },
        quantity: 10,
        unit: { name: 'пачка' },
      },
    ],
    bids: [
      {
        id: `b${n}1`,
        date: `2026-11-1${n}T09:00:00+02:00`,
        status: 'active',
        tenderers: [org('91000004', 'ТОВ «Офіс Плюс» (демо)')],
        value: { amount: 400000, currency: 'UAH' },
      },
      {
        id: `b${n}2`,
        date: `2026-11-1${n}T10:00:00+02:00`,
        status: 'active',
        tenderers: [org('91000001', 'ТОВ «Галпостач» (демо)')],
        value: { amount: 430000, currency: 'UAH' },
      },
    ],
    awards: [
      {
        id: `a${n}`,
        bid_id: `b${n}1`,
        status: 'active',
        date: `2026-11-2${n}T12:00:00+02:00`,
        value: { amount: 400000, currency: 'UAH' },
        suppliers: [org('91000004', 'ТОВ «Офіс Плюс» (демо)')],
      },
    ],
    contracts: [
      {
        id: `c${n}`,
        awardID: `a${n}`,
        status: 'active',
        value: { amount: 400000, currency: 'UAH' },
        dateSigned: `2026-11-2${n}T15:00:00+02:00`,
      },
    ],
  };
}

const TENDERS = [1, 2, 3, 4].map(tender);
/** Two items a page: offsets are opaque strings, as Prozorro's are (timestamps). */
const PAGES: Record<string, { ids: number[]; next: string }> = {
  '': { ids: [0, 1], next: '1764000000.1' },
  '1764000000.1': { ids: [2, 3], next: '1764000000.2' },
  '1764000000.2': { ids: [], next: '1764000000.2' },
};

for (const engine of ENGINES) {
  describe(`Prozorro feed on ${engine}`, () => {
    let app: FastifyInstance;
    let server: http.Server;
    let base = '';
    let failOn: string | null = null;
    const requested: string[] = [];
    before(async () => {
      app = await createTestApp(engine, { demo: false });
      server = http.createServer((request, response) => {
        const url = new URL(request.url!, 'http://x');
        requested.push(url.pathname + url.search);
        const reply = (status: number, body: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        };
        if (failOn && url.pathname.endsWith(failOn)) return reply(503, { status: 'error' });
        if (url.pathname === '/api/2.5/tenders') {
          const page = PAGES[url.searchParams.get('offset') ?? ''];
          if (!page) return reply(404, {});
          return reply(200, {
            data: page.ids.map((i) => ({ id: TENDERS[i]!.id, dateModified: TENDERS[i]!.dateModified })),
            next_page: {
              offset: page.next,
              path: `/api/2.5/tenders?offset=${page.next}`,
              uri: `${base}/tenders?offset=${page.next}`,
            },
          });
        }
        const found = TENDERS.find((t) => url.pathname === `/api/2.5/tenders/${t.id}`);
        return found ? reply(200, { data: found }) : reply(404, {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/2.5`;
    });
    after(async () => {
      server.close();
      await app.close();
    });

    test('reads page by page, resumes after a crash from the stored offset, repeats nothing', async () => {
      const feed = await app.db.one<{ id: number }>(
        `INSERT INTO procurement_feeds (name, base_url, resource, pause_ms) VALUES ('test', $1, 'tenders', 100) RETURNING id`,
        [base],
      );
      const pauses: number[] = [];
      const sleep = async (ms: number) => {
        pauses.push(ms);
      };
      // The server fails on the third tender: the first page is in, the offset stays at page two.
      failOn = TENDERS[2]!.id;
      await assert.rejects(runFeed(app.db, app.clock, feed!.id, { sleep, allowPrivateHosts: true }), /HTTP 503/);
      const stored = await app.db.one<{ next_offset: string; last_error: string }>(
        'SELECT next_offset, last_error FROM procurement_feeds WHERE id = $1',
        [feed!.id],
      );
      assert.equal(stored!.next_offset, '1764000000.1');
      assert.match(stored!.last_error, /503/);
      assert.equal((await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM procurement_procedures'))!.n, 2);
      // Resumed: the second page, then an empty one; nothing of page one fetched again.
      failOn = null;
      requested.length = 0;
      assert.equal(await runFeed(app.db, app.clock, feed!.id, { sleep, allowPrivateHosts: true }), 1);
      assert.ok(!requested.some((r) => r.includes(TENDERS[0]!.id)), requested.join(' '));
      assert.equal(requested[0], '/api/2.5/tenders?offset=1764000000.1&limit=100');
      const rows = await app.db.query<{ ocid: string; bidders: number; spend: string; buyer_edrpou: string }>(
        'SELECT ocid, bidders, spend, buyer_edrpou FROM procurement_procedures ORDER BY ocid',
      );
      assert.deepEqual(
        rows.map((r) => r.ocid),
        TENDERS.map((t) => `ocds-be6bcu-${t.tenderID}`),
      );
      assert.ok(rows.every((r) => r.bidders === 2 && Number(r.spend) === 400000 && r.buyer_edrpou === '04055896'));
      assert.ok(pauses.length > 0 && pauses.every((ms) => ms === 100), 'every request waits the feed’s pause');
    });

    test('security finding 4: a private address is refused by default; answers are capped in time and size', async () => {
      const feed = await app.db.one<{ id: number }>(
        `INSERT INTO procurement_feeds (name, base_url, resource, pause_ms) VALUES ('limits', $1, 'tenders', 100) RETURNING id`,
        [base],
      );
      const sleep = async () => {};
      requested.length = 0;
      await assert.rejects(runFeed(app.db, app.clock, feed!.id, { sleep }), /127\.0\.0\.1 is a loopback or private/);
      assert.deepEqual(requested, [], 'nothing was requested');
      await assert.rejects(assertPublicHost('http://[::1]:80/api', false), /loopback or private/);
      await assert.rejects(assertPublicHost('http://192.168.1.10/api', false), /loopback or private/);
      await assertPublicHost('http://93.184.216.34/api', false);
      await assert.rejects(
        runFeed(app.db, app.clock, feed!.id, { sleep, allowPrivateHosts: true, maxResponseBytes: 10 }),
        /larger than 10 bytes/,
      );
      // A server that never answers: the request is abandoned after the timeout.
      const silent: typeof fetch = (_url, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
      await assert.rejects(
        runFeed(app.db, app.clock, feed!.id, { sleep, allowPrivateHosts: true, timeoutMs: 50, fetch: silent }),
        /timeout|aborted/i,
      );
    });

    test('a scheduled feed is queued once when due, whoever asks, and an admin changes its schedule', async () => {
      const feed = (await app.db.one<{ id: number }>(
        `INSERT INTO procurement_feeds (name, base_url, resource, pause_ms) VALUES ('scheduled', $1, 'tenders', 100) RETURNING id`,
        [base],
      ))!;
      const runs = async () =>
        (await app.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = $1 AND subject = $2`, [
          FEED_JOB,
          String(feed.id),
        ]))!.n;
      const now = new Date('2026-12-01T10:00:00Z');
      assert.deepEqual(await queueDueFeeds(app.db, now), [], 'a feed without a schedule runs only by hand');
      // An admin sets it to run every hour (the form, as a browser sends it).
      await createConfirmedUser(
        app.db,
        { userId: null, label: 'test' },
        {
          email: 'feed-admin@example.org',
          password: 'a long enough password',
          role: 'admin',
        },
      );
      const admin = new Client(app, '203.0.113.91');
      assert.equal((await admin.login('feed-admin@example.org', 'a long enough password')).statusCode, 303);
      const form = async (fields: Record<string, string>) => {
        await admin.get('/procurement/feeds');
        return admin.post(`/procurement/feeds/${feed.id}`, { _csrf: admin.csrfToken(), ...fields });
      };
      const refused = await form({ name: 'scheduled', pause_ms: '100', interval_minutes: '5', enabled: 'on' });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /10[\s,\u00a0\u202f]?080/);
      assert.equal(
        (await form({ name: 'Prozorro, щогодини', pause_ms: '200', interval_minutes: '60', enabled: 'on' })).statusCode,
        303,
      );
      const page = await admin.get('/procurement/feeds');
      assert.match(page.body, /Prozorro, щогодини/);
      // Two servers asking at once queue one run; asking again before the hour is up queues none.
      const [a, b] = await Promise.all([queueDueFeeds(app.db, now), queueDueFeeds(app.db, now)]);
      assert.deepEqual([...a, ...b], [feed.id]);
      assert.deepEqual(await queueDueFeeds(app.db, new Date(now.getTime() + 59 * 60_000)), []);
      // Due again while the first run is still queued: no second run piles up behind it.
      assert.deepEqual(await queueDueFeeds(app.db, new Date(now.getTime() + 61 * 60_000)), []);
      assert.equal(await runs(), 1);
      await app.db.query(`UPDATE jobs SET state = 'done' WHERE kind = $1 AND subject = $2`, [
        FEED_JOB,
        String(feed.id),
      ]);
      assert.deepEqual(await queueDueFeeds(app.db, new Date(now.getTime() + 122 * 60_000)), [feed.id]);
      assert.equal(await runs(), 2);
      // Disabled: never queued.
      assert.equal(
        (await form({ name: 'Prozorro, щогодини', pause_ms: '200', interval_minutes: '60' })).statusCode,
        303,
      );
      assert.deepEqual(await queueDueFeeds(app.db, new Date(now.getTime() + 1000 * 60_000)), []);
      const audit = await app.db.query(`SELECT 1 FROM audit_events WHERE action = 'procurement.feed.update'`);
      assert.equal(audit.length, 2);
    });
  });
}
