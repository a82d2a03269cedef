import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meterState } from './meter.ts';

const amounts = new Map([
  [1, 1_000_000],
  [2, 500_000],
]);

test('knapsack: the chosen cost against the district of the choices, over by one hryvnia shown as over', () => {
  const rule = { kind: 'knapsack' } as const;
  assert.deepEqual(meterState(rule, [], amounts), { value: 0, max: 1, key: 'meter_empty', params: {}, over: false });
  assert.deepEqual(
    meterState(
      rule,
      [
        { cost: 400_000, district: 1 },
        { cost: 600_000, district: 1 },
      ],
      amounts,
    ),
    {
      value: 1_000_000,
      max: 1_000_000,
      key: 'meter_cost',
      params: { spent: 1_000_000, amount: 1_000_000, district: 1 },
      over: false,
    },
  );
  const over = meterState(rule, [{ cost: 500_001, district: 2 }], amounts);
  assert.equal(over.key, 'meter_over');
  assert.equal(over.value, 500_000, 'the bar stops full');
  assert.equal(over.over, true);
  assert.equal(
    meterState(
      rule,
      [
        { cost: 1, district: 1 },
        { cost: 1, district: 2 },
      ],
      amounts,
    ).key,
    'meter_two_districts',
  );
});

test('approval: the number chosen against the most allowed', () => {
  const rule = { kind: 'approval', maxChoices: 2 } as const;
  const pick = (n: number) => Array.from({ length: n }, () => ({ cost: 1, district: 1 }));
  assert.deepEqual(meterState(rule, pick(2), amounts), {
    value: 2,
    max: 2,
    key: 'meter_count',
    params: { count: 2, max: 2 },
    over: false,
  });
  const over = meterState(rule, pick(3), amounts);
  assert.deepEqual([over.key, over.value, over.over], ['meter_too_many', 2, true]);
  assert.equal(
    meterState(
      rule,
      [
        { cost: 1, district: 1 },
        { cost: 1, district: 2 },
      ],
      amounts,
    ).key,
    'meter_two_districts',
    'one district under approval too',
  );
});
