// A year (2026) of demo procurement by Lviv's council and its budget institutions, in Prozorro's
// OCDS shape (ocds-be6bcu-UA-… ocids, UA-EDR parties, ДК 021 items, procurementMethodType, bids,
// awards, contracts with changes, complaints). Every organisation is invented and says "демо";
// some procedures are built to trip each red flag. Generated from a fixed seed: the same every run.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Queryable } from '../platform/db/index.ts';
import { importOcdsFile } from '../modules/procurement/import.ts';
import { recomputeFlags } from '../modules/procurement/flags.ts';
import { publishProcurementDatasets } from '../modules/procurement/open-data.ts';

type Obj = Record<string, unknown>;

/** A small deterministic random generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const LVIV_COUNCIL_EDRPOU = '04055896';

export const DEMO_BUYERS = [
  { edrpou: LVIV_COUNCIL_EDRPOU, name: 'Львівська міська рада', kind: 'general', council: true },
  { edrpou: '90000104', name: 'Управління освіти Львівської міської ради (демо)', kind: 'general', council: false },
  { edrpou: '90000110', name: 'КНП «Міська лікарня №9» (демо)', kind: 'general', council: false },
  { edrpou: '90000127', name: 'ЛКП «Зелене місто» (демо)', kind: 'general', council: false },
];

const SUPPLIERS = [
  'Галпостач',
  'Львівбуд',
  'Фарма-Захід',
  'Офіс Плюс',
  'Хлібний дім',
  'Шкільний світ',
  'Енергозбут Захід',
  'Дорсервіс',
  'Чисте місто',
  'Айті Рішення',
  'Автосервіс Лева',
  'Охорона-Л',
  'Паливо Галичини',
  'Меблі Карпат',
  'Все для всіх',
].map((name, i) => ({ edrpou: String(91000001 + i), name: `ТОВ «${name}» (демо)` }));

/** ДК 021:2015 codes (real codes and names). */
const CPV: [string, string, 'goods' | 'services' | 'works'][] = [
  ['09130000-9', 'Нафта і дистиляти', 'goods'],
  ['30190000-7', 'Офісне устаткування та приладдя різне', 'goods'],
  ['33600000-6', 'Фармацевтична продукція', 'goods'],
  ['15810000-9', 'Хлібопродукти, свіжовипечені хлібобулочні та кондитерські вироби', 'goods'],
  ['39160000-1', 'Шкільні меблі', 'goods'],
  ['09310000-5', 'Електрична енергія', 'goods'],
  ['45233000-9', 'Будівництво, влаштування фундаменту та покриття шосе, доріг', 'works'],
  ['45453000-7', 'Капітальний ремонт і реставрація', 'works'],
  ['90910000-9', 'Послуги з прибирання', 'services'],
  ['72260000-5', 'Послуги, пов’язані з програмним забезпеченням', 'services'],
  ['50110000-9', 'Послуги з ремонту і технічного обслуговування мототранспортних засобів', 'services'],
  ['79710000-4', 'Охоронні послуги', 'services'],
];

const METHOD: Record<string, string> = {
  reporting: 'limited',
  priceQuotation: 'open',
  negotiation: 'limited',
  belowThreshold: 'open',
  aboveThresholdUA: 'open',
  aboveThresholdEU: 'open',
};

const day = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
const iso = (date: Date) => `${date.toISOString().slice(0, 19)}+02:00`;
const party = (org: { edrpou: string; name: string }, roles: string[], extra: Obj = {}) => ({
  id: `UA-EDR-${org.edrpou}`,
  name: org.name,
  identifier: { scheme: 'UA-EDR', id: org.edrpou, legalName: org.name },
  roles,
  ...extra,
});
const ref = (org: { edrpou: string; name: string }) => ({ id: `UA-EDR-${org.edrpou}`, name: org.name });

interface Spec {
  buyer: (typeof DEMO_BUYERS)[number];
  methodType: string;
  cpv: (typeof CPV)[number];
  start: Date;
  value: number;
  /** [supplier index, amount, status, date offset days from tender end] */
  bids?: { s: number; amount: number; status?: string; late?: boolean }[];
  /** The winner's supplier index (for reporting: the contractor). */
  winner: number;
  /** Suppliers whose awards were made then found unsuccessful, before the winner's. */
  unsuccessful?: number[];
  tenderDays?: number;
  changes?: { types: string[]; rationale: string }[];
  contractDays?: number;
  complaint?: { status: string; decidedDaysAfterStart: number };
  title?: string;
}

function build(spec: Spec, n: number): Obj {
  const start = spec.start;
  const tenderId = `UA-2026-${String(start.getUTCMonth() + 1).padStart(2, '0')}-${String(start.getUTCDate()).padStart(2, '0')}-${String(n).padStart(6, '0')}-a`;
  const ocid = `ocds-be6bcu-${tenderId}`;
  const competitive = spec.methodType !== 'reporting' && spec.methodType !== 'negotiation';
  const tenderEnd = day(start, spec.tenderDays ?? (spec.methodType === 'belowThreshold' ? 7 : 16));
  const awardDate = day(tenderEnd, 3);
  const winner = SUPPLIERS[spec.winner]!;
  const bids = competitive
    ? (spec.bids ?? [{ s: spec.winner, amount: spec.value * 0.95 }]).map((b, i) => ({
        id: `${ocid}-bid-${i + 1}`,
        date: iso(b.late ? day(tenderEnd, 1) : day(start, 2 + i)),
        status: b.status ?? 'valid',
        tenderers: [ref(SUPPLIERS[b.s]!)],
        value: { amount: b.amount, currency: 'UAH' },
      }))
    : [];
  const winningAmount = competitive
    ? (spec.bids?.find((b) => b.s === spec.winner)?.amount ?? spec.value * 0.95)
    : spec.value;
  const awards: Obj[] = [];
  (spec.unsuccessful ?? []).forEach((s, i) => {
    const bid = spec.bids?.find((b) => b.s === s);
    awards.push({
      id: `${ocid}-award-u${i + 1}`,
      status: 'unsuccessful',
      date: iso(day(awardDate, -2 + i)),
      value: { amount: bid?.amount ?? spec.value * 0.9, currency: 'UAH' },
      suppliers: [ref(SUPPLIERS[s]!)],
      ...(bid ? { relatedBid: `${ocid}-bid-${spec.bids!.indexOf(bid) + 1}` } : {}),
    });
  });
  const awardId = `${ocid}-award-1`;
  const complaints =
    spec.complaint !== undefined
      ? [
          {
            id: `${ocid}-complaint-1`,
            type: 'complaint',
            status: spec.complaint.status,
            title: 'Скарга щодо дискримінаційних вимог тендерної документації (демо)',
            dateSubmitted: iso(day(start, 3)),
            dateDecision: iso(day(start, spec.complaint.decidedDaysAfterStart)),
          },
        ]
      : [];
  awards.push({
    id: awardId,
    status: 'active',
    date: iso(awardDate),
    value: { amount: winningAmount, currency: 'UAH' },
    suppliers: [ref(winner)],
    ...(competitive ? { relatedBid: bids.find((b) => b.tenderers[0]!.id === `UA-EDR-${winner.edrpou}`)?.id } : {}),
  });
  const signed = day(awardDate, 12);
  const contract: Obj = {
    id: `${ocid}-contract-1`,
    awardID: awardId,
    status: 'active',
    title: spec.title ?? spec.cpv[1],
    value: { amount: winningAmount, currency: 'UAH' },
    dateSigned: iso(signed),
    period: { startDate: iso(signed), endDate: iso(day(signed, spec.contractDays ?? 200)) },
    suppliers: [ref(winner)],
  };
  if (spec.changes?.length)
    contract.amendments = spec.changes.map((c, i) => ({
      id: `${ocid}-change-${i + 1}`,
      date: iso(day(signed, 20 * (i + 1))),
      rationale: c.rationale,
      rationaleTypes: c.types,
      status: 'active',
    }));
  const participants = new Map<string, { edrpou: string; name: string }>();
  for (const b of spec.bids ?? []) participants.set(SUPPLIERS[b.s]!.edrpou, SUPPLIERS[b.s]!);
  participants.set(winner.edrpou, winner);
  const last = spec.changes?.length ? day(signed, 20 * spec.changes.length) : signed;
  return {
    ocid,
    id: `${ocid}-${iso(last)}`,
    date: iso(last),
    tag: ['compiled'],
    initiationType: 'tender',
    parties: [
      party(spec.buyer, ['buyer', 'procuringEntity'], { details: { kind: spec.buyer.kind } }),
      ...[...participants.values()].map((s) => party(s, s === winner ? ['tenderer', 'supplier'] : ['tenderer'])),
    ],
    buyer: ref(spec.buyer),
    tender: {
      id: tenderId.replace(/-/g, '').toLowerCase(),
      title: spec.title ?? `${spec.cpv[1]} (демо)`,
      status: 'complete',
      procuringEntity: { ...ref(spec.buyer), kind: spec.buyer.kind },
      procurementMethod: METHOD[spec.methodType],
      procurementMethodType: spec.methodType,
      mainProcurementCategory: spec.cpv[2],
      value: { amount: spec.value, currency: 'UAH' },
      datePublished: iso(start),
      ...(competitive ? { tenderPeriod: { startDate: iso(start), endDate: iso(tenderEnd) } } : {}),
      items: [
        {
          id: `${ocid}-item-1`,
          description: spec.cpv[1],
          classification: { scheme: 'ДК021', id: spec.cpv[0], description: spec.cpv[1] },
          quantity: 1,
          unit: { name: spec.cpv[2] === 'goods' ? 'партія' : 'послуга' },
        },
      ],
      ...(complaints.length ? { complaints } : {}),
      numberOfTenderers: new Set(bids.map((b) => b.tenderers[0]!.id)).size,
    },
    ...(bids.length ? { bids: { details: bids } } : {}),
    awards,
    contracts: [contract],
  };
}

/** The demo year's compiled releases, one object per procedure. */
export function demoProcurementReleases(): Obj[] {
  const rand = random(2026);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const specs: Spec[] = [];
  const [council, education, hospital, utility] = DEMO_BUYERS as unknown as [
    Spec['buyer'],
    Spec['buyer'],
    Spec['buyer'],
    Spec['buyer'],
  ];
  const at = (month: number, dayOfMonth: number) => new Date(Date.UTC(2026, month - 1, dayOfMonth, 8));

  // Ordinary competitive procedures: two to four bids, the lowest wins, gaps between 4% and 12%.
  for (let i = 0; i < 40; i++) {
    const cpv = pick(CPV);
    const value = Math.round((cpv[2] === 'works' ? 2_000_000 : 450_000) * (0.6 + rand()));
    const bidders = 2 + Math.floor(rand() * 3);
    // Winners and rivals from the suppliers that are not the regular price-quotation winners.
    const pool = [0, 1, 5, 7, 8, 9, 11, 12, 13];
    const first = Math.floor(rand() * pool.length);
    const winning = Math.round(value * (0.85 + rand() * 0.1));
    const bids: NonNullable<Spec['bids']> = Array.from({ length: bidders }, (_, b) => ({
      s: pool[(first + b) % pool.length]!,
      amount: b === 0 ? winning : Math.round(winning * (1.04 + 0.08 * rand() + 0.03 * b)),
    }));
    const buyer = [council, education, hospital][i % 3]!;
    // The hospital disqualifies bids more than any other buyer (R038).
    if (buyer === hospital) {
      bids.push({ s: pool[(first + bidders) % pool.length]!, amount: Math.round(winning * 1.2) });
      bids[bids.length - 1]!.status = 'disqualified';
    }
    specs.push({
      buyer,
      methodType: i % 5 === 0 ? 'belowThreshold' : 'aboveThresholdUA',
      cpv,
      start: at(1 + (i % 11), 3 + (i % 20)),
      value,
      bids,
      winner: pool[first]!,
    });
  }
  // Small purchases through price quotations: five regular suppliers win at least 20 each (R048
  // compares suppliers with 20 or more); "Все для всіх" (14) supplies everything from fuel to software.
  const regular: [number, number[]][] = [
    [3, [1]],
    [4, [3]],
    [6, [5, 8]],
    [14, [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]],
    [2, [2, 3]],
  ];
  for (const [supplier, cpvs] of regular)
    for (let i = 0; i < 20; i++) {
      const cpv = CPV[cpvs[i % cpvs.length]!]!;
      const value = Math.round(20_000 + rand() * 150_000);
      const winning = Math.round(value * 0.9);
      specs.push({
        buyer: supplier === 14 ? utility : [council, education, utility][i % 3]!,
        methodType: supplier === 14 ? 'reporting' : 'priceQuotation',
        cpv,
        start: at(1 + (i % 12), 1 + ((i * 7) % 27)),
        value,
        bids:
          supplier === 14
            ? undefined
            : [
                { s: supplier, amount: winning },
                { s: supplier === 3 ? 4 : 3, amount: Math.round(winning * (1.05 + 0.05 * rand())) },
              ],
        winner: supplier,
      });
    }
  // The utility buys the rest directly (reporting), a different class each time: its share of
  // non-competitive procedures is far above the other buyers'.
  for (let i = 0; i < 8; i++)
    specs.push({
      buyer: utility,
      methodType: 'reporting',
      cpv: CPV[[0, 2, 3, 5, 7, 9, 10, 11][i]!]!,
      start: at(1 + i, 12),
      value: Math.round(30_000 + rand() * 100_000),
      winner: [8, 11, 0, 6, 7, 9, 10, 12][i]!,
    });
  // The utility buys only without competition (its share of non-competitive procedures is an outlier).
  const goods = CPV[1]!;
  const works = CPV[7]!;
  const medicine = CPV[2]!;
  // R003: five days to bid.
  specs.push({
    buyer: council,
    methodType: 'aboveThresholdUA',
    cpv: CPV[9]!,
    start: at(2, 10),
    value: 900_000,
    tenderDays: 5,
    bids: [
      { s: 9, amount: 850_000 },
      { s: 3, amount: 890_000 },
    ],
    winner: 9,
    title: 'Супровід програмного забезпечення ЦНАП (демо)',
  });
  // R018: one bidder in an open tender.
  specs.push({
    buyer: education,
    methodType: 'aboveThresholdUA',
    cpv: CPV[4]!,
    start: at(3, 2),
    value: 1_200_000,
    bids: [{ s: 13, amount: 1_195_000 }],
    winner: 13,
    title: 'Шкільні меблі для ліцеїв (демо)',
  });
  // R024: the second bid 0.1% above the winner's.
  specs.push({
    buyer: council,
    methodType: 'aboveThresholdUA',
    cpv: CPV[0]!,
    start: at(4, 6),
    value: 3_000_000,
    bids: [
      { s: 12, amount: 2_900_000 },
      { s: 0, amount: 2_902_900 },
    ],
    winner: 12,
    title: 'Бензин А-95 для комунального транспорту (демо)',
  });
  // R058: the second bid 80% above the winner's.
  specs.push({
    buyer: hospital,
    methodType: 'aboveThresholdUA',
    cpv: medicine,
    start: at(4, 20),
    value: 2_000_000,
    bids: [
      { s: 2, amount: 1_000_000 },
      { s: 1, amount: 1_800_000 },
    ],
    winner: 2,
    title: 'Лікарські засоби (демо)',
  });
  // R028: two tenderers, the same price to the hryvnia.
  specs.push({
    buyer: council,
    methodType: 'aboveThresholdUA',
    cpv: CPV[11]!,
    start: at(5, 4),
    value: 800_000,
    bids: [
      { s: 11, amount: 777_000 },
      { s: 7, amount: 777_000 },
      { s: 8, amount: 790_000 },
    ],
    winner: 11,
    title: 'Охорона адмінбудинків (демо)',
  });
  // R030: the winning bid came a day after the deadline.
  specs.push({
    buyer: education,
    methodType: 'aboveThresholdUA',
    cpv: CPV[3]!,
    start: at(5, 18),
    value: 600_000,
    bids: [
      { s: 4, amount: 560_000, late: true },
      { s: 5, amount: 590_000 },
    ],
    winner: 4,
    title: 'Хліб для шкільних їдалень (демо)',
  });
  // R035 and sas24-3-2: all bids but the winner's disqualified (two disqualified suppliers).
  specs.push({
    buyer: hospital,
    methodType: 'aboveThresholdUA',
    cpv: goods,
    start: at(6, 3),
    value: 700_000,
    bids: [
      { s: 1, amount: 600_000, status: 'disqualified' },
      { s: 0, amount: 620_000, status: 'disqualified' },
      { s: 3, amount: 690_000 },
    ],
    unsuccessful: [1, 0],
    winner: 3,
    title: 'Оргтехніка для відділень (демо)',
  });
  // R036: the lowest bid disqualified.
  specs.push({
    buyer: council,
    methodType: 'aboveThresholdUA',
    cpv: CPV[8]!,
    start: at(6, 20),
    value: 900_000,
    bids: [
      { s: 8, amount: 700_000, status: 'disqualified' },
      { s: 7, amount: 880_000 },
    ],
    winner: 7,
    title: 'Прибирання територій (демо)',
  });
  // ari-1-1: three changes to one contract.
  specs.push({
    buyer: council,
    methodType: 'aboveThresholdUA',
    cpv: CPV[5]!,
    start: at(1, 20),
    value: 5_000_000,
    bids: [
      { s: 6, amount: 4_800_000 },
      { s: 0, amount: 4_990_000 },
    ],
    winner: 6,
    title: 'Електрична енергія (демо)',
    changes: [
      { types: ['itemPriceVariation'], rationale: 'Зміна ціни за одиницю' },
      { types: ['itemPriceVariation'], rationale: 'Зміна ціни за одиницю' },
      { types: ['volumeCuts'], rationale: 'Зменшення обсягу' },
    ],
  });
  // sas24-3-4: a price increase together with a longer term.
  specs.push({
    buyer: education,
    methodType: 'aboveThresholdUA',
    cpv: CPV[0]!,
    start: at(2, 24),
    value: 1_100_000,
    bids: [
      { s: 12, amount: 1_000_000 },
      { s: 0, amount: 1_080_000 },
    ],
    winner: 12,
    title: 'Дизельне паливо (демо)',
    changes: [
      { types: ['itemPriceVariation', 'durationExtension'], rationale: 'Підвищення ціни та продовження строку' },
    ],
  });
  // sas24-3-7: works for 1.9 million to be done in 30 days.
  specs.push({
    buyer: council,
    methodType: 'aboveThresholdUA',
    cpv: works,
    start: at(7, 1),
    value: 1_900_000,
    bids: [
      { s: 1, amount: 1_850_000 },
      { s: 7, amount: 1_890_000 },
    ],
    winner: 1,
    contractDays: 30,
    title: 'Капітальний ремонт даху школи №12 (демо)',
  });
  // sas24-3-1: a complaint the review body satisfied, still not acted on after 30 days.
  specs.push({
    buyer: council,
    methodType: 'aboveThresholdUA',
    cpv: CPV[6]!,
    start: at(3, 15),
    value: 12_000_000,
    bids: [
      { s: 7, amount: 11_500_000 },
      { s: 1, amount: 11_900_000 },
    ],
    winner: 7,
    complaint: { status: 'satisfied', decidedDaysAfterStart: 14 },
    title: 'Ремонт вулиці Городоцької (демо)',
  });
  // Split purchases: three reporting purchases of office supplies (class 3019) within 60 days.
  for (const [month, dayOfMonth] of [
    [9, 1],
    [9, 25],
    [10, 20],
  ] as const)
    specs.push({
      buyer: education,
      methodType: 'reporting',
      cpv: goods,
      start: at(month, dayOfMonth),
      value: 49_000,
      winner: 10,
      title: 'Канцелярське приладдя (демо)',
    });
  return specs.map((spec, i) => build(spec, i + 1));
}

/**
 * Seeds the demo year through the importer, as an upload would be: Lviv's council gets its
 * ЄДРПОУ, its institutions become organisations under it, the releases are written as JSON Lines
 * and imported, and the flags computed.
 */
export async function seedDemoProcurement(db: Queryable, now: Date): Promise<void> {
  const council = await db.one<{ id: number; city_id: number }>(
    `UPDATE organizations SET edrpou = $1 WHERE slug = 'lviv-city-council' RETURNING id, city_id`,
    [LVIV_COUNCIL_EDRPOU],
  );
  if (!council) return;
  const institutions: [string, string, string, string][] = [
    [
      'lviv-education-department-demo',
      'Управління освіти Львівської міської ради (демо)',
      'Lviv Education Department (demo)',
      'Управление „Образование“ на Лвов (демо)',
    ],
    [
      'lviv-hospital-9-demo',
      'КНП «Міська лікарня №9» (демо)',
      'City Hospital No. 9 (demo)',
      'Градска болница №9 (демо)',
    ],
    [
      'lviv-green-city-demo',
      'ЛКП «Зелене місто» (демо)',
      'Green City utility (demo)',
      'Общинско предприятие „Зелен град“ (демо)',
    ],
  ];
  for (const [i, [slug, uk, en, bg]] of institutions.entries())
    await db.query(
      `INSERT INTO organizations (slug, kind, name_uk, name_en, name_bg, city_id, edrpou, parent_id)
       VALUES ($1, 'budget_institution', $2, $3, $4, NULL, $5, $6)`,
      [slug, uk, en, bg, DEMO_BUYERS[i + 1]!.edrpou, council.id],
    );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-procurement-demo-'));
  const file = path.join(dir, 'lviv-2026.jsonl');
  try {
    fs.writeFileSync(
      file,
      `${demoProcurementReleases()
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const row = await db.one<{ id: number }>(
      `INSERT INTO procurement_imports (source, file_name, state) VALUES ('demo', 'lviv-2026.jsonl', 'running') RETURNING id`,
    );
    const { counts, changed } = await importOcdsFile(db, file, 'lviv-2026.jsonl', { importId: row!.id, demo: true });
    await publishProcurementDatasets(db, { userId: null, label: 'demo-seed' }, changed);
    await recomputeFlags(db, now);
    await db.query(`UPDATE procurement_imports SET state = 'done', finished_at = now(), counts = $2 WHERE id = $1`, [
      row!.id,
      JSON.stringify(counts),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
