import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addWorkingDays, daysBetween, isWorkingDay } from './calendar.ts';
import { kyivDate } from '../../platform/clock.ts';

test('working days skip weekends and holidays', () => {
  const none = new Set<string>();
  assert.equal(addWorkingDays('2026-11-20', 1, none), '2026-11-23', 'Friday + 1 is Monday');
  assert.equal(addWorkingDays('2026-11-23', 10, none), '2026-12-07', 'ten working days are two weeks');
  assert.equal(
    addWorkingDays('2026-12-23', 3, new Set(['2026-12-25'])),
    '2026-12-29',
    'a holiday on Friday is skipped',
  );
  assert.equal(addWorkingDays('2026-11-21', 0, none), '2026-11-21');
  assert.equal(isWorkingDay('2026-11-22', none), false);
  assert.equal(isWorkingDay('2026-08-24', new Set(['2026-08-24'])), false);
});

test('calendar days and the Kyiv date', () => {
  assert.equal(daysBetween('2026-11-22', '2026-12-22'), 30);
  assert.equal(daysBetween('2026-03-28', '2026-03-30'), 2, 'no daylight-saving drift');
  assert.equal(kyivDate(new Date('2026-11-22T22:30:00Z')), '2026-11-23', 'after midnight in Kyiv it is the next day');
});
