import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isBlank,
  readBoolean,
  readDate,
  readDateTime,
  readInteger,
  readNumber,
  TypeTracker,
  DOMINANT_SHARE,
} from './values.ts';

test('numbers written the Ukrainian, Bulgarian and international way', () => {
  const cases: [string, string | undefined][] = [
    ['4 450,90', '4450.90'],
    ['1 234 567', '1234567'],
    ['1\u00a0234\u00a0567,5', '1234567.5'],
    ['1.234.567,50', '1234567.50'],
    ['1,234,567.5', '1234567.5'],
    ['4450,9', '4450.9'],
    ['-12,5', '-12.5'],
    ['0.25', '0.25'],
    ['007', '7'],
    ['+3', '3'],
    ['12a', undefined],
    ['1,2,3.4.5', undefined],
    ['', undefined],
    ['—', undefined],
    ['-0', '0'],
    ['03.12.2018', undefined],
    ['1.2.3', undefined],
    ['12 34', undefined],
    ['1 234,5', '1234.5'],
    ['1’234', '1234'],
    ["1'234", '1234'],
  ];
  for (const [raw, expected] of cases) assert.equal(readNumber(raw), expected, raw);
  assert.equal(readInteger('1 234'), '1234');
  assert.equal(readInteger('12,5'), undefined);
  assert.equal(readInteger('1234567890123456789012'), undefined, 'too big for bigint');
});

test('dates and date-times', () => {
  assert.equal(readDate('03.12.2018'), '2018-12-03');
  assert.equal(readDate('3/1/2020'), '2020-01-03');
  assert.equal(readDate('2018-12-03'), '2018-12-03');
  assert.equal(readDate('31.02.2020'), undefined);
  assert.equal(readDate('29.02.2020'), '2020-02-29');
  assert.equal(readDate('2018-13-01'), undefined);
  assert.equal(readDateTime('03.12.2018 14:30'), '2018-12-03T14:30:00');
  assert.equal(readDateTime('2018-12-03T14:30:15Z'), '2018-12-03T14:30:15');
  assert.equal(readDateTime('03.12.2018 25:00'), undefined);
});

test('booleans in three languages', () => {
  assert.equal(readBoolean('Так'), true);
  assert.equal(readBoolean('ні'), false);
  assert.equal(readBoolean('да'), true);
  assert.equal(readBoolean('maybe'), undefined);
});

/** The type a tracker infers from the values of a column. */
function infer(values: string[]) {
  const tracker = new TypeTracker();
  for (const value of values) tracker.see(value);
  return tracker.type;
}

test('the type fits every value of the column, from the whole file', () => {
  assert.equal(infer(['1', '2', '', '3 000']), 'integer');
  assert.equal(infer(['1', '2,5']), 'number');
  assert.equal(infer(['1', '2', 'n/a']), 'text', 'one value in three is too many to be an outlier');
  assert.equal(infer(['03.12.2018', '2019-01-01']), 'date');
  assert.equal(infer(['03.12.2018 10:00', '04.12.2018 11:00']), 'datetime');
  assert.equal(infer(['так', 'ні']), 'boolean');
  assert.equal(infer(['', '']), 'text');
  assert.equal(infer(['0611010', '1014060']), 'text', 'codes with a leading zero keep it');
  assert.equal(infer(['0', '0,5', '10']), 'number', 'a zero or a decimal fraction is still a number');
});

test('a column takes the type at least 95% of its non-empty values have; the rest are outliers', () => {
  const numbers = Array.from({ length: 95 }, (_, i) => String(i + 1));
  assert.equal(DOMINANT_SHARE, 0.95);
  assert.equal(
    infer([...numbers, 'abc', '', '', 'n/a', '—', '?']),
    'integer',
    '95 of 100 non-empty values; blanks do not count',
  );
  assert.equal(infer(['abc', ...numbers, 'x', 'y', 'z', 'w', 'v']), 'text', '95 of 101 is less than 95%');
  assert.equal(infer([...numbers, '2,5', 'abc']), 'number', 'a fraction among whole numbers makes them all numbers');
  assert.equal(infer([...numbers, '007']), 'text', 'a leading zero still marks a code column');
  const dates = Array.from({ length: 40 }, (_, i) => `${String((i % 28) + 1).padStart(2, '0')}.03.2024`);
  assert.equal(infer([...dates, '31.02.2024']), 'date', 'an impossible date is an outlier of a date column');
  assert.equal(infer([...dates, '2024-03-01 10:00', '2024-03-02 10:00', '5']), 'text', '3 of 43 are not dates');
  const flags = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'так' : 'ні'));
  assert.equal(infer([...flags, 'можливо']), 'boolean');
  assert.equal(infer([...flags, ...flags.map(() => 'Шевченка вулиця, 12')]), 'text');
});

test('blank cells: empty, spaces, tabs, no-break spaces', () => {
  for (const blank of ['', ' ', '\t \r', '\u00a0', '\u2003\u00a0'])
    assert.equal(isBlank(blank), true, JSON.stringify(blank));
  for (const filled of ['a', ' a', 'a ', '\u00a0 0', '0']) assert.equal(isBlank(filled), false, JSON.stringify(filled));
});
