import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ballotProblems,
  phaseAt,
  phaseOrderProblems,
  selectAcross,
  selectWinners,
  PHASES,
  type BallotProject,
  type Phase,
} from './rules.ts';

// District 1 has 1,000,000; district 2 has 500,000. Categories: 10 (roads), 20 (parks), 30 (schools).
const projects = new Map<number, BallotProject>([
  [1, { id: 1, district: 1, category: 10, cost: 400_000 }],
  [2, { id: 2, district: 1, category: 20, cost: 350_000 }],
  [3, { id: 3, district: 1, category: 20, cost: 250_000 }],
  [4, { id: 4, district: 1, category: 30, cost: 1 }],
  [5, { id: 5, district: 2, category: 10, cost: 500_000 }],
]);
const amounts = new Map([
  [1, 1_000_000],
  [2, 500_000],
]);
const codes = (problems: { code: string }[]) => problems.map((p) => p.code);

test('approval: up to N projects, exactly at the limit and one over', () => {
  const rule = { kind: 'approval', maxChoices: 3, onePerCategory: false } as const;
  assert.deepEqual(ballotProblems(rule, [1, 2, 3], projects, amounts, true), []);
  assert.deepEqual(ballotProblems(rule, [1, 2, 3, 4], projects, amounts, true), [
    { code: 'too_many', params: { max: 3 } },
  ]);
  assert.deepEqual(codes(ballotProblems(rule, [], projects, amounts, false)), [], 'an empty draft is fine');
  assert.deepEqual(codes(ballotProblems(rule, [], projects, amounts, true)), ['empty'], 'but cannot be confirmed');
});

test('approval with at most one per category', () => {
  const rule = { kind: 'approval', maxChoices: 5, onePerCategory: true } as const;
  assert.deepEqual(ballotProblems(rule, [1, 2, 4], projects, amounts, true), []);
  assert.deepEqual(codes(ballotProblems(rule, [1, 2, 3], projects, amounts, true)), ['two_in_category']);
});

test('knapsack: the total exactly at the district amount is fine, one hryvnia over is not', () => {
  const rule = { kind: 'knapsack', minSpendShare: 0 } as const;
  assert.deepEqual(ballotProblems(rule, [1, 2, 3], projects, amounts, true), [], '400k + 350k + 250k = 1,000,000');
  assert.deepEqual(ballotProblems(rule, [1, 2, 3, 4], projects, amounts, true), [
    { code: 'over_budget', params: { spent: 1_000_001, amount: 1_000_000 } },
  ]);
  assert.deepEqual(ballotProblems(rule, [5], projects, amounts, true), [], 'exactly the whole of district 2');
});

test('knapsack with a minimum share spent, checked at confirmation only', () => {
  const rule = { kind: 'knapsack', minSpendShare: 0.75 } as const;
  assert.deepEqual(ballotProblems(rule, [1, 2], projects, amounts, true), [], '750,000 is exactly 75%');
  assert.deepEqual(ballotProblems(rule, [1, 3, 4], projects, amounts, true), [
    { code: 'under_share', params: { spent: 650_001, needed: 750_000 } },
  ]);
  assert.deepEqual(
    ballotProblems(rule, [1, 3, 4], projects, amounts, false),
    [],
    'a ballot being filled in may be short',
  );
});

test('hand-crafted ballots: unknown projects, two districts, the same project twice', () => {
  const rule = { kind: 'approval', maxChoices: 10, onePerCategory: false } as const;
  assert.deepEqual(codes(ballotProblems(rule, [1, 99], projects, amounts, false)), ['not_votable']);
  assert.deepEqual(codes(ballotProblems(rule, [1, 5], projects, amounts, false)), ['two_districts']);
  assert.deepEqual(codes(ballotProblems(rule, [1, 1], projects, amounts, false)), ['duplicate']);
});

test('winners: by votes while the money lasts; a project that no longer fits is passed over for a cheaper one', () => {
  const result = selectWinners(
    [
      { id: 1, cost: 600, votes: 90, submittedOrder: 1 },
      { id: 2, cost: 500, votes: 80, submittedOrder: 2 },
      { id: 3, cost: 300, votes: 70, submittedOrder: 3 },
      { id: 4, cost: 200, votes: 0, submittedOrder: 4 },
    ],
    1000,
  );
  assert.deepEqual(result, { winners: [1, 3], skipped: [2], spent: 900, left: 100 });
});

test('winners: ties go to the cheaper project, then the earlier submission, the same every time', () => {
  const candidates = [
    { id: 7, cost: 500, votes: 50, submittedOrder: 2 },
    { id: 8, cost: 400, votes: 50, submittedOrder: 3 },
    { id: 9, cost: 400, votes: 50, submittedOrder: 1 },
  ];
  // 9 and 8 cost less than 7; between them, 9 was submitted first.
  assert.deepEqual(
    selectWinners(candidates, 800),
    { winners: [9, 8], skipped: [7], spent: 800, left: 0 },
    'exactly the whole amount',
  );
  assert.deepEqual(selectWinners([...candidates].reverse(), 800).winners, [9, 8], 'input order does not matter');
  assert.deepEqual(
    selectWinners(candidates, 799),
    { winners: [9], skipped: [8, 7], spent: 400, left: 399 },
    'one short',
  );
});

test('winners across districts with category amounts: a project must fit both pools', () => {
  // Districts 1 and 2 have 1000 each; category 10 (roads) has 700 for the whole city, category 20 none.
  const result = selectAcross(
    [
      { id: 1, cost: 600, votes: 90, submittedOrder: 1, district: 1, category: 10 },
      { id: 2, cost: 600, votes: 80, submittedOrder: 2, district: 2, category: 10 }, // fits district 2, not roads' 100 left
      { id: 3, cost: 100, votes: 70, submittedOrder: 3, district: 2, category: 10 }, // exactly roads' last 100
      { id: 4, cost: 900, votes: 60, submittedOrder: 4, district: 2, category: 20 }, // exactly district 2's 900 left
      { id: 5, cost: 401, votes: 50, submittedOrder: 5, district: 1, category: 20 }, // district 1 has 400: one over
    ],
    new Map([
      [1, 1000],
      [2, 1000],
    ]),
    new Map([[10, 700]]),
  );
  assert.deepEqual(result.winners, [1, 3, 4]);
  assert.deepEqual(result.skipped, [2, 5]);
  assert.deepEqual(
    [...result.left],
    [
      [1, 400],
      [2, 0],
    ],
  );
  assert.deepEqual([...result.categoryLeft], [[10, 0]]);
});

test('the phase is the last one started; phases must be in order', () => {
  const starts = Object.fromEntries(PHASES.map((phase, i) => [phase, new Date(Date.UTC(2030, i, 1))])) as Record<
    Phase,
    Date
  >;
  assert.equal(phaseAt(starts, new Date(Date.UTC(2029, 0, 1))), 'information');
  assert.equal(phaseAt(starts, new Date(Date.UTC(2030, 3, 1))), 'voting', 'from the first instant of voting');
  assert.equal(phaseAt(starts, new Date(Date.UTC(2030, 3, 30))), 'voting');
  assert.equal(
    phaseAt(starts, new Date(Date.UTC(2030, 4, 1) - 1)),
    'voting',
    'until the last instant before ballot review',
  );
  assert.equal(phaseAt(starts, new Date(Date.UTC(2031, 0, 1))), 'implementation');
  assert.deepEqual(phaseOrderProblems(starts), []);
  assert.deepEqual(phaseOrderProblems({ ...starts, voting: starts.review }), ['voting']);
});
