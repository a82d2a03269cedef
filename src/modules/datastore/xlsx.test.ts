import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { openXlsxSheet, serialToIso, writeXlsx, XlsxError } from './xlsx.ts';
import { budgetWorkbook, zipBombWorkbook } from '../../../test/spreadsheets.ts';

function tempFile(content: Uint8Array): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-xlsx-')), 'book.xlsx');
  fs.writeFileSync(file, content);
  return file;
}

async function readAll(file: string) {
  const sheet = await openXlsxSheet(file);
  try {
    const rows = [];
    for await (const row of sheet.rows()) rows.push(row);
    return { sheets: sheet.sheets, rows };
  } finally {
    sheet.close();
  }
}

test('serial day numbers become ISO dates in both date systems', () => {
  assert.equal(serialToIso(43437, 'date'), '2018-12-03');
  assert.equal(serialToIso(43437.5, 'datetime'), '2018-12-03T12:00:00');
  assert.equal(serialToIso(1, 'date'), '1900-01-01');
  assert.equal(serialToIso(61, 'date'), '1900-03-01');
  assert.equal(serialToIso(0, 'date', true), '1904-01-01');
});

test('the first sheet of a workbook reads as rows of text, with gaps kept', async () => {
  const { sheets, rows } = await readAll(tempFile(budgetWorkbook()));
  assert.equal(sheets, 2);
  assert.deepEqual(
    rows.map((r) => r.row),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(rows[0]!.cells, ['Код', 'Назва', 'Сума', 'Дата', 'Виконано', 'Оновлено']);
  assert.deepEqual(rows[1]!.cells, ['110', 'Освіта', '4450.9', '2018-12-03', 'true', '2018-12-03T12:00:00']);
  assert.deepEqual(rows[2]!.cells, ['1010', 'Багато частин', '0.0012', '2018-12-04', 'false', '2018-12-04T06:00:00']);
  assert.deepEqual(rows[3]!.cells, [], 'an absent row is an empty row');
  assert.deepEqual(rows[4]!.cells, ['2010', '<script>', '', '1900-02-28', 'true', '=1+2']);
});

test('zip bombs and files that are not workbooks are refused before anything is inflated', async () => {
  await assert.rejects(
    openXlsxSheet(tempFile(zipBombWorkbook())),
    (error: Error) => error instanceof XlsxError && /zip bomb/.test(error.message),
  );
  await assert.rejects(
    openXlsxSheet(tempFile(new TextEncoder().encode('a,b\n1,2\n'))),
    (error: Error) => error instanceof XlsxError && /not a readable XLSX/.test(error.message),
  );
  // A central directory that claims a part inflates to 5 GB.
  const book = budgetWorkbook();
  const view = Buffer.from(book);
  let patched = 0;
  for (let at = view.indexOf('PK\x01\x02'); at >= 0; at = view.indexOf('PK\x01\x02', at + 4)) {
    const nameLength = view.readUInt16LE(at + 28);
    if (view.subarray(at + 46, at + 46 + nameLength).toString() === 'xl/worksheets/sheet2.xml') {
      view.writeUInt32LE(0xffff_fff0, at + 24);
      patched++;
    }
  }
  assert.equal(patched, 1);
  await assert.rejects(openXlsxSheet(tempFile(view)), XlsxError);
});

test('rows written as XLSX read back with their types; formulas stay text', async () => {
  const chunks: Uint8Array[] = [];
  async function* rows() {
    yield [1, 'Освіта & наука <b>', 4450.9, '2018-12-03', true, '2018-12-03T12:00:00'];
    yield [2, '=HYPERLINK("http://evil.example")', null, null, false, null];
  }
  await writeXlsx(
    'Бюджет: 2024',
    ['Код', 'Назва', 'Сума', 'Дата', 'Так', 'Час'],
    ['integer', 'text', 'number', 'date', 'boolean', 'datetime'],
    rows(),
    (text) => (/^[=+\-@]/.test(text) ? `'${text}` : text),
    (chunk) => chunks.push(chunk),
  );
  const bytes = Buffer.concat(chunks);
  const parts = unzipSync(bytes);
  assert.ok(parts['[Content_Types].xml'] && parts['xl/styles.xml']);
  const sheetXml = strFromU8(parts['xl/worksheets/sheet1.xml']!);
  assert.match(sheetXml, /<c r="B3" t="inlineStr"><is><t xml:space="preserve">'=HYPERLINK\(&quot;http/);
  assert.doesNotMatch(sheetXml, /<f>/);
  assert.match(strFromU8(parts['xl/workbook.xml']!), /name="Бюджет {2}2024"/);
  const { rows: read } = await readAll(tempFile(bytes));
  assert.deepEqual(read[0]!.cells, ['Код', 'Назва', 'Сума', 'Дата', 'Так', 'Час']);
  assert.deepEqual(read[1]!.cells, ['1', 'Освіта & наука <b>', '4450.9', '2018-12-03', 'true', '2018-12-03T12:00:00']);
  assert.deepEqual(read[2]!.cells, ['2', `'=HYPERLINK("http://evil.example")`, '', '', 'false']);
});
