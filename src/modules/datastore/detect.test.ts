import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanHeaders, columnNames, detectEncoding, sniffDelimiter } from './detect.ts';

const cp1251 = (text: string) => {
  // Encode through a lookup built from the decoder (Node has no windows-1251 encoder).
  const decoder = new TextDecoder('windows-1251');
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) table.set(decoder.decode(new Uint8Array([b])), b);
  return new Uint8Array([...text].map((c) => table.get(c) ?? 0x3f));
};
const koi8u = (text: string) => {
  const decoder = new TextDecoder('koi8-u');
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) table.set(decoder.decode(new Uint8Array([b])), b);
  return new Uint8Array([...text].map((c) => table.get(c) ?? 0x3f));
};

const SAMPLE =
  'Назва;Сума;Дата\nВидатки на освіту міста;4 450,90;03.12.2018\nУтримання доріг і тротуарів;1 234 567;04.12.2018\n';

test('encodings: UTF-8 with and without BOM, windows-1251, KOI8-U, UTF-16', () => {
  assert.deepEqual(detectEncoding(new TextEncoder().encode(SAMPLE)), { encoding: 'utf-8', bom: 0 });
  assert.deepEqual(detectEncoding(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(SAMPLE)])), {
    encoding: 'utf-8',
    bom: 3,
  });
  assert.equal(detectEncoding(cp1251(SAMPLE)).encoding, 'windows-1251');
  assert.equal(detectEncoding(koi8u(SAMPLE)).encoding, 'koi8-u');
  const utf16 = Buffer.from(`\ufeff${SAMPLE}`, 'utf16le');
  assert.deepEqual(detectEncoding(utf16), { encoding: 'utf-16le', bom: 2 });
  assert.equal(detectEncoding(Buffer.from(SAMPLE, 'utf16le')).encoding, 'utf-16le');
  // A short file whose last bytes are Cyrillic, and a sample cut inside a character.
  assert.equal(detectEncoding(new TextEncoder().encode('district\nСихів\nГалицький\n')).encoding, 'utf-8');
  assert.equal(detectEncoding(new TextEncoder().encode('назва\nСихів').subarray(0, 17)).encoding, 'utf-8');
  // UTF-8 with a few broken bytes is still UTF-8 (the bad cells are reported); the code pages are not.
  const broken = new Uint8Array([
    ...new TextEncoder().encode(SAMPLE),
    0xff,
    0xfe,
    ...new TextEncoder().encode('Рік;1;01.01.2019\n'),
  ]);
  assert.equal(detectEncoding(broken).encoding, 'utf-8');
  const words = 'Рік;Їжа для шкіл;Єдиний збір;Ґанок;Відділ освіти, культури і спорту;Сесія №12 «Про бюджет»\n'.repeat(
    20,
  );
  assert.equal(detectEncoding(cp1251(words)).encoding, 'windows-1251');
  assert.equal(detectEncoding(koi8u(words)).encoding, 'koi8-u');
});

test('delimiters: comma, semicolon, tab, pipe, with quoted delimiters inside fields', () => {
  assert.equal(sniffDelimiter(SAMPLE), ';');
  assert.equal(sniffDelimiter('a,b,c\n1,"2,5",3\n4,5,6\n'), ',');
  assert.equal(sniffDelimiter('a\tb\n1,5\t2\n'), '\t');
  assert.equal(sniffDelimiter('a|b|c\n1|2|3\n'), '|');
  assert.equal(sniffDelimiter('сума;назва\n"1,5";x\n"2,5";y\n'), ';');
});

test('blank headers get names, duplicates a suffix; SQL names fit 63 bytes', () => {
  const { names, blank, duplicate } = cleanHeaders(['Назва', '', 'Сума', 'сума', 'Назва']);
  assert.deepEqual(names, ['Назва', 'field_2', 'Сума', 'сума_2', 'Назва_2']);
  assert.deepEqual(blank, [1]);
  assert.deepEqual(duplicate, [3, 4]);
  const long = columnNames(['Дуже довга назва колонки, яка не вміщається в обмеження PostgreSQL', 'x']);
  assert.ok(Buffer.byteLength(long[0]!) <= 63);
});
