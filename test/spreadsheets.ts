// Workbooks built part by part the way Excel and LibreOffice write them (shared strings, styles
// with date formats, sparse rows and cells), for the tests of the XLSX reader; and bad ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

function workbook(sheetXml: string, sharedStrings: string[], extra: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8(
      `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
    ),
    '_rels/.rels': strToU8(
      `<?xml version="1.0"?><Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    'xl/workbook.xml': strToU8(
      `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr/><sheets><sheet name="Бюджет" sheetId="1" r:id="rId7"/><sheet name="Інше" sheetId="2" r:id="rId8"/></sheets></workbook>`,
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0"?><Relationships xmlns="${PKG_REL}"><Relationship Id="rId8" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="${REL}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>`,
    ),
    'xl/styles.xml': strToU8(
      `<?xml version="1.0"?><styleSheet xmlns="${MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy"/><numFmt numFmtId="165" formatCode="#,##0.00\\ &quot;грн&quot;"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/></cellXfs></styleSheet>`,
    ),
    'xl/sharedStrings.xml': strToU8(
      `<?xml version="1.0"?><sst xmlns="${MAIN}">${sharedStrings.map((s) => `<si><t>${s}</t></si>`).join('')}<si><r><t>Бага</t></r><r><rPr><b/></rPr><t xml:space="preserve">то частин</t></r><rPh><t>ignored</t></rPh></si></sst>`,
    ),
    // The first sheet in the workbook's order is sheet2.xml (rId7): a decoy is in sheet1.xml.
    'xl/worksheets/sheet1.xml': strToU8(
      `<?xml version="1.0"?><worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>decoy</t></is></c></row></sheetData></worksheet>`,
    ),
    'xl/worksheets/sheet2.xml': strToU8(sheetXml),
    ...extra,
  });
}

/**
 * A budget sheet: shared and inline strings, a rich-text string, a custom date format and a
 * built-in date-time one, a currency format that is not a date, booleans, an exponent, an
 * empty row (4) and a skipped cell (C5).
 */
export function budgetWorkbook(): Uint8Array {
  const strings = ['Код', 'Назва', 'Сума', 'Дата', 'Виконано', 'Оновлено', 'Освіта', '=1+2'];
  const s = (i: number) => `<c t="s"><v>${i}</v></c>`;
  const sheet = `<?xml version="1.0"?><worksheet xmlns="${MAIN}"><sheetData>
<row r="1">${[0, 1, 2, 3, 4, 5].map(s).join('')}</row>
<row r="2"><c r="A2"><v>110</v></c><c r="B2" t="s"><v>6</v></c><c r="C2" s="2"><v>4450.9</v></c><c r="D2" s="1"><v>43437</v></c><c r="E2" t="b"><v>1</v></c><c r="F2" s="3"><v>43437.5</v></c></row>
<row r="3"><c r="A3"><v>1010</v></c><c r="B3" t="s"><v>8</v></c><c r="C3" s="2"><v>1.2E-3</v></c><c r="D3" s="1"><v>43438</v></c><c r="E3" t="b"><v>0</v></c><c r="F3" s="3"><v>43438.25</v></c></row>
<row r="5"><c r="A5"><v>2010</v></c><c r="B5" t="inlineStr"><is><t>&lt;script&gt;</t></is></c><c r="D5" s="1"><v>60</v></c><c r="E5" t="b"><v>1</v></c><c r="F5" t="s"><v>7</v></c></row>
</sheetData></worksheet>`;
  return workbook(sheet, strings);
}

/** A sheet part of tens of megabytes of nothing that deflates to a few kilobytes. */
export function zipBombWorkbook(): Uint8Array {
  const filler = `<?xml version="1.0"?><worksheet xmlns="${MAIN}"><sheetData>${'<row/>'.repeat(6_000_000)}</sheetData></worksheet>`;
  return workbook(filler, ['a']);
}

/** The rows of a workbook's first sheet as text, read with the DataStore's own reader. */
export async function readXlsxRows(bytes: Uint8Array | Buffer): Promise<string[][]> {
  const { openXlsxSheet } = await import('../src/modules/datastore/xlsx.ts');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-xlsx-')), 'book.xlsx');
  fs.writeFileSync(file, bytes);
  const sheet = await openXlsxSheet(file);
  const rows: string[][] = [];
  try {
    for await (const row of sheet.rows()) rows.push(row.cells);
  } finally {
    sheet.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  return rows;
}

/** A one-sheet workbook of text cells, the first row being the header. */
export async function writeXlsxRows(rows: string[][]): Promise<Buffer> {
  const { writeXlsx } = await import('../src/modules/datastore/xlsx.ts');
  const chunks: Uint8Array[] = [];
  async function* body() {
    yield* rows.slice(1);
  }
  await writeXlsx(
    'Sheet1',
    rows[0]!,
    rows[0]!.map(() => 'text' as const),
    body(),
    (text) => text,
    (chunk) => chunks.push(chunk),
  );
  return Buffer.concat(chunks);
}
