// The connector for Prozorro's public API (openprocurement.api, /api/2.5): the feed of tenders or
// contracts is read page by page (`GET /tenders?offset=…` answers `{data: [{id, dateModified}],
// next_page: {offset}}`), each object is fetched (`GET /tenders/{id}` → `{data: {…}}`), turned
// into an OCDS release and imported. A page's releases, the flags and the feed's next offset are
// saved in one transaction, so a run that crashes resumes at the page it was on, repeating none.
// Requests are spaced by the feed's pause (the API's documentation asks for a gentle pace).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Database } from '../../platform/db/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { enqueueJob, type JobHandler } from '../../platform/jobs.ts';
import { importOcdsElements } from './import.ts';
import { recomputeFlags } from './flags.ts';
import type { OcdsElement } from './ocds-stream.ts';

export const FEED_JOB = 'procurement-feed';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);

export interface Feed {
  id: number;
  name: string;
  base_url: string;
  resource: 'tenders' | 'contracts';
  next_offset: string;
  pause_ms: number;
}

/** An organisation of Prozorro's API as an OCDS party reference, identified UA-EDR-<ЄДРПОУ>. */
function organisation(org: Obj, parties: Map<string, Obj>, role: string): Obj {
  const identifier = obj(org.identifier);
  const id = `${String(identifier.scheme ?? 'UA-EDR')}-${String(identifier.id ?? '')}`;
  const party = parties.get(id) ?? {
    id,
    name: String(org.name ?? identifier.legalName ?? ''),
    identifier: {
      scheme: identifier.scheme ?? 'UA-EDR',
      id: String(identifier.id ?? ''),
      legalName: identifier.legalName,
    },
    roles: [],
  };
  if (!(party.roles as string[]).includes(role)) (party.roles as string[]).push(role);
  parties.set(id, party);
  return { id, name: party.name };
}

/** A tender of Prozorro's API as an OCDS release (the shape of Prozorro's own OCDS publication). */
export function tenderToRelease(tender: Obj): Obj {
  const tenderID = String(tender.tenderID);
  const ocid = `ocds-be6bcu-${tenderID}`;
  const date = String(tender.dateModified ?? tender.date);
  const parties = new Map<string, Obj>();
  const procuringEntity = obj(tender.procuringEntity);
  const buyer = organisation(procuringEntity, parties, 'buyer');
  const bids = arr(tender.bids).map((bid) => ({
    id: bid.id,
    date: bid.date,
    status: bid.status,
    tenderers: arr(bid.tenderers).map((t) => organisation(t, parties, 'tenderer')),
    value: bid.value ?? obj(arr(bid.lotValues)[0]).value,
    ...(arr(bid.lotValues).length ? { relatedLots: arr(bid.lotValues).map((l) => l.relatedLot) } : {}),
  }));
  const awards = arr(tender.awards).map((award) => ({
    id: award.id,
    status: award.status,
    date: award.date,
    value: award.value,
    suppliers: arr(award.suppliers).map((s) => organisation(s, parties, 'supplier')),
    ...(award.bid_id ? { relatedBid: award.bid_id } : {}),
    ...(award.lotID ? { relatedLots: [award.lotID] } : {}),
    ...(arr(award.complaints).length ? { complaints: award.complaints } : {}),
  }));
  const contracts = arr(tender.contracts).map((contract) => ({
    id: contract.id,
    awardID: contract.awardID,
    status: contract.status,
    value: contract.value,
    dateSigned: contract.dateSigned,
    ...(contract.period ? { period: contract.period } : {}),
  }));
  return {
    ocid,
    id: `${ocid}-${date}`,
    date,
    tag: ['tender'],
    initiationType: 'tender',
    parties: [...parties.values()],
    buyer,
    tender: {
      id: tender.id,
      title: tender.title,
      status: tender.status,
      procuringEntity: { ...buyer, kind: procuringEntity.kind },
      procurementMethod: tender.procurementMethod,
      procurementMethodType: tender.procurementMethodType,
      mainProcurementCategory: tender.mainProcurementCategory,
      value: tender.value,
      datePublished: tender.date ?? tender.dateCreated,
      ...(tender.tenderPeriod ? { tenderPeriod: tender.tenderPeriod } : {}),
      items: arr(tender.items).map((item) => ({
        id: item.id,
        description: item.description,
        classification: item.classification,
        quantity: item.quantity,
        unit: item.unit,
        ...(item.relatedLot ? { relatedLot: item.relatedLot } : {}),
      })),
      ...(arr(tender.lots).length ? { lots: tender.lots } : {}),
      ...(arr(tender.complaints).length ? { complaints: tender.complaints } : {}),
    },
    ...(bids.length ? { bids: { details: bids } } : {}),
    ...(awards.length ? { awards } : {}),
    ...(contracts.length ? { contracts } : {}),
  };
}

/**
 * A contract of Prozorro's contracting API as an OCDS release of its tender's process: its
 * changes become amendments (with Prozorro's rationaleTypes); merged with the tender's release.
 * contractID is the tender's id with a suffix (UA-2026-01-01-000001-a-a1).
 */
export function contractToRelease(contract: Obj): Obj {
  const tenderID = String(contract.contractID).replace(/-[a-z]\d+$/, '');
  const ocid = `ocds-be6bcu-${tenderID}`;
  const date = String(contract.dateModified ?? contract.dateSigned);
  return {
    ocid,
    id: `${ocid}-contract-${String(contract.id)}-${date}`,
    date,
    tag: ['contractUpdate'],
    initiationType: 'tender',
    contracts: [
      {
        id: contract.id,
        awardID: contract.awardID,
        status: contract.status,
        value: contract.value,
        dateSigned: contract.dateSigned,
        ...(contract.period ? { period: contract.period } : {}),
        ...(arr(contract.changes).length
          ? {
              amendments: arr(contract.changes).map((c) => ({
                id: c.id,
                date: c.dateSigned ?? c.date,
                rationale: c.rationale,
                rationaleTypes: c.rationaleTypes,
                status: c.status,
              })),
            }
          : {}),
      },
    ],
  };
}

export interface FeedOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Stop after this many pages (a run's budget); the next run goes on from there. */
  maxPages?: number;
  /**
   * Whether a feed on a loopback or private address may be read (tests' local servers). Refused
   * by default, so that an admin's feed URL cannot reach the servers' own network; an operator
   * allows it with PROCUREMENT_FEED_ALLOW_PRIVATE=1.
   */
  allowPrivateHosts?: boolean;
  /** The longest wait for one response, and its largest body. */
  timeoutMs?: number;
  maxResponseBytes?: number;
}

const FEED_TIMEOUT_MS = 30_000;
/** Prozorro's pages and single tenders are well under 10 MB; a bigger answer is refused. */
const MAX_FEED_RESPONSE_BYTES = 20 * 1024 * 1024;

/** Loopback, private, link-local and other non-public ranges (IPv4, IPv6 and IPv4-mapped IPv6). */
const PRIVATE_RANGES = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ] as const) {
    list.addSubnet(net, bits, 'ipv4');
    list.addSubnet(`::ffff:${net}`, 96 + bits, 'ipv6');
  }
  list.addAddress('::', 'ipv6');
  list.addAddress('::1', 'ipv6');
  list.addSubnet('fc00::', 7, 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  return list;
})();

/** Refuses a feed whose host is (or resolves to) a loopback or private address, unless allowed. */
export async function assertPublicHost(baseUrl: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  for (const { address, family } of addresses)
    if (PRIVATE_RANGES.check(address, family === 6 ? 'ipv6' : 'ipv4'))
      throw new Error(`${baseUrl}: ${host} is a loopback or private address (${address}); feeds must be public`);
}

async function getJson(
  fetcher: typeof fetch,
  url: string,
  limits: { timeoutMs: number; maxBytes: number },
): Promise<Obj> {
  const response = await fetcher(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(limits.timeoutMs),
    // A redirect could lead to a private address: not followed.
    redirect: 'error',
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  // Read up to the cap, not the whole answer, whatever its Content-Length says.
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body)
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) {
        await response.body.cancel().catch(() => {});
        throw new Error(`${url}: the answer is larger than ${limits.maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  try {
    return obj(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch (error) {
    throw new Error(`${url}: not JSON (${(error as Error).message})`);
  }
}

/** Reads the feed from its stored offset until a page comes back empty (or maxPages). Returns pages read. */
export async function runFeed(db: Database, clock: Clock, feedId: number, options: FeedOptions = {}): Promise<number> {
  const fetcher = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const feed = await db.one<Feed>('SELECT * FROM procurement_feeds WHERE id = $1', [feedId]);
  if (!feed) throw new Error(`no feed ${feedId}`);
  const base = feed.base_url.replace(/\/$/, '');
  const limits = {
    timeoutMs: options.timeoutMs ?? FEED_TIMEOUT_MS,
    maxBytes: options.maxResponseBytes ?? MAX_FEED_RESPONSE_BYTES,
  };
  let offset = feed.next_offset;
  let pages = 0;
  try {
    await assertPublicHost(base, options.allowPrivateHosts ?? process.env.PROCUREMENT_FEED_ALLOW_PRIVATE === '1');
    while (options.maxPages === undefined || pages < options.maxPages) {
      const url = `${base}/${feed.resource}?${new URLSearchParams({ ...(offset ? { offset } : {}), limit: '100' })}`;
      const page = await getJson(fetcher, url, limits);
      const entries = arr(page.data);
      if (!entries.length) break;
      const releases: OcdsElement[] = [];
      for (const entry of entries) {
        await sleep(feed.pause_ms);
        const object = obj(
          (await getJson(fetcher, `${base}/${feed.resource}/${encodeURIComponent(String(entry.id))}`, limits)).data,
        );
        const release = feed.resource === 'tenders' ? tenderToRelease(object) : contractToRelease(object);
        releases.push({ kind: 'release', value: release, where: `${feed.resource}/${String(entry.id)}` });
      }
      const next = String(obj(page.next_page).offset ?? '');
      await db.transaction(async (tx) => {
        const row = await tx.one<{ id: number }>(
          `INSERT INTO procurement_imports (source, file_name, state) VALUES ('feed', $1, 'running') RETURNING id`,
          [`${feed.name}: ${offset || 'start'}`],
        );
        const { counts } = await importOcdsElements(
          tx,
          (async function* () {
            yield* releases;
          })(),
          { importId: row!.id },
        );
        await recomputeFlags(tx, clock.now());
        await tx.query(
          `UPDATE procurement_imports SET state = 'done', finished_at = now(), counts = $2 WHERE id = $1`,
          [row!.id, JSON.stringify(counts)],
        );
        // The offset moves with the page's data: after a crash the run resumes here.
        await tx.query(
          'UPDATE procurement_feeds SET next_offset = $2, last_run_at = now(), last_error = NULL WHERE id = $1',
          [feedId, next],
        );
      });
      pages++;
      if (!next || next === offset) break;
      offset = next;
      await sleep(feed.pause_ms);
    }
  } catch (error) {
    await db.query('UPDATE procurement_feeds SET last_error = $2, last_run_at = now() WHERE id = $1', [
      feedId,
      (error as Error).message.slice(0, 1000),
    ]);
    throw error;
  }
  return pages;
}

export function feedHandler(db: Database, clock: Clock): JobHandler {
  // A run reads at most 50 pages; the admin (or the next run) goes on from the stored offset.
  return async (job) => {
    await runFeed(db, clock, Number(job.subject), { maxPages: 50 });
  };
}

/**
 * Queues a run of every enabled feed whose schedule is due, once across all servers: the due rows
 * are locked and moved to their next time in the statement that finds them, and a feed with a run
 * still queued or under way gets no second one. Returns the feeds queued.
 */
export async function queueDueFeeds(db: Database, now: Date): Promise<number[]> {
  return db.transaction(async (tx) => {
    const due = await tx.query<{ id: number }>(
      `WITH due AS (
         SELECT id FROM procurement_feeds
         WHERE enabled AND interval_minutes IS NOT NULL AND (next_run_at IS NULL OR next_run_at <= $1)
         FOR UPDATE SKIP LOCKED)
       UPDATE procurement_feeds f SET next_run_at = $1::timestamptz + make_interval(mins => f.interval_minutes)
       FROM due WHERE f.id = due.id
       RETURNING f.id`,
      [now],
    );
    const queued: number[] = [];
    for (const { id } of due) {
      const busy = await tx.one(
        `SELECT 1 FROM jobs WHERE kind = $1 AND subject = $2 AND state IN ('queued', 'running')`,
        [FEED_JOB, String(id)],
      );
      if (busy) continue;
      await enqueueJob(tx, FEED_JOB, null, String(id));
      queued.push(id);
    }
    return queued;
  });
}
