import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBlank, readBoolean, readDate, readDateTime, readInteger, readNumber, TypeTracker } from './values.ts';

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

test('the type fits every value of the column, from the whole file', () => {
  const infer = (values: string[]) => {
    const tracker = new TypeTracker();
    values.forEach((v) => tracker.see(v));
    return tracker.type;
  };
  assert.equal(infer(['1', '2', '', '3 000']), 'integer');
  assert.equal(infer(['1', '2,5']), 'number');
  assert.equal(infer(['1', '2', 'n/a']), 'text', 'one bad value at the end makes it text, not a failure');
  assert.equal(infer(['03.12.2018', '2019-01-01']), 'date');
  assert.equal(infer(['03.12.2018 10:00', '04.12.2018 11:00']), 'datetime');
  assert.equal(infer(['так', 'ні']), 'boolean');
  assert.equal(infer(['', '']), 'text');
  assert.equal(infer(['0611010', '1014060']), 'text', 'codes with a leading zero keep it');
  assert.equal(infer(['0', '0,5', '10']), 'number', 'a zero or a decimal fraction is still a number');
});

test('blank cells: empty, spaces, tabs, no-break spaces', () => {
  for (const blank of ['', ' ', '\t \r', '\u00a0', '\u2003\u00a0'])
    assert.equal(isBlank(blank), true, JSON.stringify(blank));
  for (const filled of ['a', ' a', 'a ', '\u00a0 0', '0']) assert.equal(isBlank(filled), false, JSON.stringify(filled));
});
