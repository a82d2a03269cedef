import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CsvError, CsvTokenizer, type CsvRecord } from './csv.ts';

/** Tokenizes `text` fed in pieces of `size` characters (all at once by default). */
function tokenize(text: string, size = text.length || 1, delimiter = ',', max = 1000): CsvRecord[] {
  const tokenizer = new CsvTokenizer(delimiter, max);
  const records: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += size) records.push(...tokenizer.push(text.slice(i, i + size)));
  records.push(...tokenizer.end());
  return records;
}
const cellsOf = (records: CsvRecord[]) => records.map((r) => r.cells);
const linesOf = (records: CsvRecord[]) => records.map((r) => r.line);

test('quoted cells hold delimiters, quotes and line endings; quotes inside unquoted cells are text', () => {
  const records = tokenize('a,"b,c","say ""hi"""\n=HYPERLINK("x"),"two\nlines",z\n"q"tail,,\n');
  assert.deepEqual(cellsOf(records), [
    ['a', 'b,c', 'say "hi"'],
    ['=HYPERLINK("x")', 'two\nlines', 'z'],
    ['qtail', '', ''],
  ]);
  assert.deepEqual(linesOf(records), [1, 2, 4], 'each record names the line it starts on');
});

test('every line ending, mixed in one file; blank lines are empty records; ragged rows kept as they are', () => {
  const semicolon = new CsvTokenizer(';', 1000);
  const split = [...semicolon.push('h1;h2\r\n1;2\n3\r\r4;5;6\r\n"a\r\nb";c'), ...semicolon.end()];
  assert.deepEqual(cellsOf(split), [['h1', 'h2'], ['1', '2'], ['3'], [''], ['4', '5', '6'], ['a\r\nb', 'c']]);
  assert.deepEqual(linesOf(split), [1, 2, 3, 4, 5, 6]);
});

test('the same records whatever the size of the pieces the text arrives in', () => {
  const text =
    'id,name,note\r\n1,"Галицький, р-н","він сказав ""так""\r\nі пішов"\n2,Сихів,\r3,"",x"y\r\n\r\n4,a,"b"\r\n';
  const whole = tokenize(text);
  assert.equal(whole.length, 6);
  for (let size = 1; size <= text.length; size++) assert.deepEqual(tokenize(text, size), whole, `pieces of ${size}`);
});

test('a quote never closed is named with its line; a record over the cap is refused before it fills the memory', () => {
  assert.throws(
    () => tokenize('a,b\n1,"open\n2,3\n'),
    (e: CsvError) => e.kind === 'unclosed-quote' && e.line === 2 && /line 2/.test(e.message),
  );
  assert.throws(
    () => tokenize(`a\n"${'x'.repeat(5000)}`, 100, ',', 1000),
    (e: CsvError) => e.kind === 'record-too-long' && e.line === 2,
  );
  const big = 'x'.repeat(900);
  assert.deepEqual(cellsOf(tokenize(`a\n"${big}"\n`, 64)), [['a'], [big]], 'a long cell under the cap is fine');
});

test('empty input, a last line without its ending, a delimiter at the very end', () => {
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(cellsOf(tokenize('a,b')), [['a', 'b']]);
  assert.deepEqual(cellsOf(tokenize('a,b,')), [['a', 'b', '']]);
  assert.deepEqual(cellsOf(tokenize('a\n\n')), [['a'], ['']]);
});

/** The rules of CsvTokenizer written the plain way, character by character, over the whole text: the oracle for the test below. */
function reference(text: string, delimiter: string): CsvRecord[] | 'unclosed' {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  const endOfCell = () => i >= text.length || text[i] === delimiter || text[i] === '\n' || text[i] === '\r';
  while (i < text.length) {
    const cells: string[] = [];
    const startLine = line;
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) return 'unclosed';
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) line++;
          cell += text[i++];
        }
      }
      while (!endOfCell()) cell += text[i++];
      cells.push(cell);
      if (i >= text.length) break;
      if (text[i] === delimiter) {
        i++;
        if (i >= text.length) {
          cells.push('');
          break;
        }
        continue;
      }
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      break;
    }
    records.push({ cells, line: startLine });
  }
  return records;
}

test('random texts: the same records as the plain reading, in pieces of random sizes', () => {
  let seed = 20261123;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = ['a', 'б', ' ', ',', ';', '"', '""', '\n', '\r', '\r\n', '7'];
  for (let round = 0; round < 2000; round++) {
    const delimiter = random() < 0.5 ? ',' : ';';
    const text = Array.from(
      { length: Math.floor(random() * 40) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join('');
    const expected = reference(text, delimiter);
    const size = 1 + Math.floor(random() * 12);
    if (expected === 'unclosed') {
      assert.throws(
        () => tokenize(text, size, delimiter),
        (e: CsvError) => e.kind === 'unclosed-quote',
        JSON.stringify(text),
      );
    } else {
      assert.deepEqual(tokenize(text, size, delimiter), expected, `${JSON.stringify(text)} in pieces of ${size}`);
    }
  }
});
