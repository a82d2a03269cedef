// Demo showcase: apps on the demo catalog's datasets at every stage. A transport app runs in three
// cities (Lviv, Vinnytsia, Zhytomyr) and is wanted by Mykolaiv; an air-quality map piloted in
// Mykolaiv is wanted by Kyiv and Odesa; a budget story, a procurement API piloted in Kyiv, an idea for finding a
// kindergarten, and one entry still waiting for an admin's review. With a file store, the
// published entries get a generated picture (PNG). Seeding again changes nothing.
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import type { FileStore } from '../platform/files.ts';
import {
  addAdoption,
  addImage,
  createEntry,
  getEntry,
  parseAdoptionInput,
  parseEntryInput,
  reviewEntry,
  setDemand,
} from '../modules/showcase/service.ts';

interface DemoEntry {
  body: Record<string, string>;
  author?: string;
  publish: boolean;
  adoptions?: [city: string, from: string, to: string | null][];
  wantedBy?: string[];
  image?: { alt: string; colour: [number, number, number] };
}

const ENTRIES: DemoEntry[] = [
  {
    body: {
      name: 'zupynky-poruch',
      title: 'Зупинки поруч',
      kind: 'application',
      stage: 'in_service',
      description:
        'Мобільний застосунок: найближчі зупинки громадського транспорту, маршрути, що через них проходять, і пішохідний шлях до них. Працює на відкритих даних міст про зупинки (GeoJSON).\n\nПочинався як прототип на дататоні у Львові; тепер його використовують три міста мережі.',
      datasets: 'lviv-public-transport-stops',
      links:
        'site https://zupynky.example.org\nsource https://github.com/example/zupynky-poruch\ndocs https://zupynky.example.org/docs',
      authors: 'Тарас Гнатюк | civic-lviv\nОксана Мельник',
      license_id: 'MIT',
    },
    author: 'citizen@hromada.demo',
    publish: true,
    adoptions: [
      ['lviv', '2024-03-01', null],
      ['vinnytsia', '2025-01-15', null],
      ['zhytomyr', '2024-09-01', '2025-02-28'],
      ['zhytomyr', '2025-06-01', null],
    ],
    wantedBy: ['mykolaiv'],
    image: { alt: 'Стовпчикова діаграма: скільки зупинок у кожному районі міста', colour: [31, 97, 141] },
  },
  {
    body: {
      name: 'povitria-mista',
      title: 'Повітря міста: карта вимірювань',
      kind: 'visualisation',
      stage: 'pilot',
      description:
        'Карта й графіки концентрацій PM2.5, PM10 і NO₂ за даними міських станцій, з порівнянням із допустимими рівнями. Пілот у Миколаєві.',
      datasets: 'mykolaiv-air-quality',
      links: 'site https://povitria.example.org\nsource https://gitlab.com/example/povitria',
      authors: 'Андрій Бондар | open-data-odesa',
      license_id: 'CC-BY-4.0',
    },
    publish: true,
    adoptions: [['mykolaiv', '2025-10-01', null]],
    wantedBy: ['kyiv', 'odesa'],
    image: { alt: 'Графік добових концентрацій PM2.5 за місяць з лінією допустимого рівня', colour: [46, 125, 50] },
  },
  {
    body: {
      name: 'kudy-idut-hroshi',
      title: 'Куди йдуть гроші Львова',
      kind: 'story',
      stage: 'in_service',
      description:
        'Історія даних про бюджет Львова 2024 року: найбільші статті видатків, як змінилися доходи, і що з цього видно мешканцям.',
      datasets: 'lviv-budget-2024',
      links: 'site https://dani.example.org/lviv-budget-2024',
      authors: 'Олена Коваль\nГО «Прозорість» | transparency-watch',
      license_id: 'CC-BY-SA-4.0',
    },
    publish: true,
    adoptions: [['lviv', '2025-02-10', null]],
    image: { alt: 'Стовпчикова діаграма видатків бюджету Львова за функціями', colour: [173, 20, 87] },
  },
  {
    body: {
      name: 'zakupivli-api',
      title: 'API закупівель міста',
      kind: 'api',
      stage: 'pilot',
      description:
        'Простий REST API над даними про закупівлі: пошук за постачальником, сумою та датою, вивантаження в CSV.',
      datasets: 'zhytomyr-procurement-2023',
      links: 'api https://api.zakupivli.example.org/v1\nsource https://github.com/example/zakupivli-api',
      authors: 'Іван Петренко',
      license_id: 'AGPL-3.0-or-later',
    },
    publish: true,
    adoptions: [['kyiv', '2026-01-15', null]],
    wantedBy: ['vinnytsia'],
  },
  {
    body: {
      name: 'sadochky-poruch',
      title: 'Садочки поруч',
      kind: 'tool',
      stage: 'idea',
      description:
        'Ідея: інструмент для батьків, що показує дитячі садки поблизу, їхні мовні групи й вільні місця, з даних міста.',
      datasets: 'vinnytsia-kindergartens',
      authors: 'Марія Мешканка',
    },
    publish: true,
  },
  {
    body: {
      name: 'petytsii-kyieva',
      title: 'Петиції Києва: що підтримують мешканці',
      kind: 'visualisation',
      stage: 'prototype',
      description: 'Інтерактивна візуалізація петицій за темами й районами. Чекає на перевірку адміністратором.',
      datasets: 'kyiv-petitions-2024',
      links: 'demo https://petytsii.example.org',
    },
    author: 'citizen@hromada.demo',
    publish: false,
  },
];

/** A PNG picture of a chart in one colour (the demo's "screenshot"), 640×360, built byte by byte. */
export function demoPng([r, g, b]: [number, number, number], seed: number): Buffer {
  const width = 640;
  const height = 360;
  const rows: Buffer[] = [];
  const bars = Array.from({ length: 8 }, (_, i) => 60 + ((seed * 37 + i * 53) % 220));
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, 255);
    row[0] = 0;
    for (let x = 0; x < width; x++) {
      const bar = Math.floor((x - 40) / 70);
      const inBar = x >= 40 && bar < 8 && (x - 40) % 70 < 50 && height - 30 - y < bars[bar]! && y < height - 30;
      const axis = y === height - 30 || x === 38;
      if (inBar || axis) {
        row[1 + x * 3] = axis ? 60 : r;
        row[2 + x * 3] = axis ? 60 : g;
        row[3 + x * 3] = axis ? 60 : b;
      }
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function seedDemoShowcase(tx: Queryable, actor: Actor, store: FileStore | null): Promise<void> {
  const db = { ...tx, transaction: <T>(fn: (inner: Queryable) => Promise<T>) => fn(tx) };
  const admin = await tx.one<{ id: number }>("SELECT id FROM users WHERE email = 'admin@hromada.demo'");
  const reviewer: Actor = { userId: admin?.id ?? null, label: 'admin@hromada.demo' };
  const cityId = async (slug: string) =>
    (await tx.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [slug]))!.id;
  for (const [index, demo] of ENTRIES.entries()) {
    if (await tx.one('SELECT 1 FROM showcase_entries WHERE name = $1', [demo.body.name])) continue;
    const person = demo.author
      ? await tx.one<{ id: number; display_name: string }>('SELECT id, display_name FROM users WHERE email = $1', [
          demo.author,
        ])
      : undefined;
    const input = await parseEntryInput(
      tx,
      { ...demo.body, i_am_author: person ? 'on' : '' },
      person ? { id: person.id, displayName: person.display_name } : null,
    );
    const by: Actor = person ? { userId: person.id, label: demo.author! } : actor;
    const created = await createEntry(db, by, input);
    if (demo.publish) await reviewEntry(tx, reviewer, created.id, { decision: 'published' }, new Date());
    const entry = await getEntry(tx, created.id);
    for (const [city, from, to] of demo.adoptions ?? [])
      await addAdoption(
        tx,
        reviewer,
        entry,
        await cityId(city),
        parseAdoptionInput({ started_on: from, ended_on: to ?? '' }),
      );
    for (const city of demo.wantedBy ?? []) await setDemand(tx, reviewer, entry, await cityId(city), true);
    if (demo.image && store) {
      const stored = await store.put(Readable.from([demoPng(demo.image.colour, index)]), 5 * 1024 * 1024, { db: tx });
      await addImage(tx, by, entry.id, {
        alt: demo.image.alt,
        file_key: stored.key,
        mime_type: 'image/png',
        size_bytes: stored.size,
      });
    }
  }
}
