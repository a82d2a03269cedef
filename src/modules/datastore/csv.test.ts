import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, CsvTokenizer, type CsvRecord } from './csv.ts';

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
  assert.deepEqual(cellsOf(records), [['a', 'b,c', 'say "hi"'], ['=HYPERLINK("x")', 'two\nlines', 'z'], ['qtail', '', '']]);
  assert.deepEqual(linesOf(records), [1, 2, 4], 'each record names the line it starts on');
});

test('every line ending, mixed in one file; blank lines are empty records; ragged rows kept as they are', () => {
  const semicolon = new CsvTokenizer(';', 1000);
  const split = [...semicolon.push('h1;h2\r\n1;2\n3\r\r4;5;6\r\n"a\r\nb";c'), ...semicolon.end()];
  assert.deepEqual(cellsOf(split), [['h1', 'h2'], ['1', '2'], ['3'], [''], ['4', '5', '6'], ['a\r\nb', 'c']]);
  assert.deepEqual(linesOf(split), [1, 2, 3, 4, 5, 6]);
});

test('the same records whatever the size of the pieces the text arrives in', () => {
  const text = 'id,name,note\r\n1,"Галицький, р-н","він сказав ""так""\r\nі пішов"\n2,Сихів,\r3,"",x"y\r\n\r\n4,a,"b"\r\n';
  const whole = tokenize(text);
  assert.equal(whole.length, 6);
  for (let size = 1; size <= text.length; size++) assert.deepEqual(tokenize(text, size), whole, `pieces of ${size}`);
});

test('a quote never closed is named with its line; a record over the cap is refused before it fills the memory', () => {
  assert.throws(() => tokenize('a,b\n1,"open\n2,3\n'), (e: CsvError) => e.kind === 'unclosed-quote' && e.line === 2 && /line 2/.test(e.message));
  assert.throws(() => tokenize(`a\n"${'x'.repeat(5000)}`, 100, ',', 1000), (e: CsvError) => e.kind === 'record-too-long' && e.line === 2);
  const big = 'x'.repeat(900);
  assert.deepEqual(cellsOf(tokenize(`a\n"${big}"\n`, 64)), [['a'], [big]], 'a long cell under the cap is fine');
});

test('empty input, a last line without its ending, a delimiter at the very end', () => {
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(cellsOf(tokenize('a,b')), [['a', 'b']]);
  assert.deepEqual(cellsOf(tokenize('a,b,')), [['a', 'b', '']]);
  assert.deepEqual(cellsOf(tokenize('a\n\n')), [['a'], ['']]);
});
