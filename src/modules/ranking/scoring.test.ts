import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  averages,
  changeSince,
  indicatorPoints,
  populationBand,
  rank,
  scoreCity,
  statusBand,
  type Area,
  type Indicator,
  type Verdict,
} from './scoring.ts';

// Two areas: A (max 3, though its indicators add up to 4) and B (max 4).
const areas: Area[] = [
  { code: 'A', maxPoints: 3 },
  { code: 'B', maxPoints: 4 },
];
const indicators: Indicator[] = [
  { code: 'A1', area: 'A', points: 2, type: 'legal' },
  { code: 'A2', area: 'A', points: 1, type: 'best_practice' },
  { code: 'A3', area: 'A', points: 1, type: 'both' },
  { code: 'B1', area: 'B', points: 2, type: 'legal' },
  { code: 'B2', area: 'B', points: 2, type: 'best_practice' },
];
const verdicts = (entries: Record<string, number | 'na'>) =>
  new Map<string, Verdict>(
    Object.entries(entries).map(([code, v]) => [code, v === 'na' ? 'not_applicable' : { value: v }]),
  );
const close = (actual: number | null, expected: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);

test('indicator points are the level value times the indicator’s points', () => {
  assert.equal(indicatorPoints(indicators[0]!, { value: 0.5 }), 1);
  assert.equal(indicatorPoints(indicators[0]!, { value: 1 }), 2);
  assert.equal(indicatorPoints(indicators[0]!, 'not_applicable'), 0);
  assert.equal(indicatorPoints(indicators[0]!, undefined), 0);
});

test('full marks are 100; an area is capped at its maximum', () => {
  const full = scoreCity(areas, indicators, verdicts({ A1: 1, A2: 1, A3: 1, B1: 1, B2: 1 }));
  assert.deepEqual(
    full.areas.map((a) => [a.area, a.score, a.max]),
    [
      ['A', 3, 3],
      ['B', 4, 4],
    ],
    'A earns 4 but is capped at 3',
  );
  close(full.total, 100);
  assert.deepEqual(full.missing, []);
  const zero = scoreCity(areas, indicators, verdicts({ A1: 0, A2: 0, A3: 0, B1: 0, B2: 0 }));
  close(zero.total, 0);
});

test('half levels and partial areas', () => {
  const result = scoreCity(areas, indicators, verdicts({ A1: 0.5, A2: 1, A3: 0, B1: 1, B2: 0.5 }));
  // A: 1 + 1 + 0 = 2 of 3; B: 2 + 1 = 3 of 4; total 5 / 7.
  assert.deepEqual(
    result.areas.map((a) => a.score),
    [2, 3],
  );
  close(result.total, (5 / 7) * 100);
  close(result.areas[0]!.percent, (2 / 3) * 100);
});

test('not applicable leaves both the points and the maximum, and the total is rescaled to 100', () => {
  const result = scoreCity(areas, indicators, verdicts({ A1: 1, A2: 'na', A3: 1, B1: 'na', B2: 1 }));
  // A: applicable 2 + 1 = 3 (max 3), earned 3; B: applicable 2, earned 2: full marks on what applies.
  assert.deepEqual(
    result.areas.map((a) => [a.score, a.max]),
    [
      [3, 3],
      [2, 2],
    ],
  );
  close(result.total, 100);
  const allNa = scoreCity(areas, indicators, verdicts({ A1: 'na', A2: 'na', A3: 'na', B1: 'na', B2: 'na' }));
  assert.equal(allNa.total, null, 'nothing applies: no total, not zero');
  assert.equal(allNa.areas[0]!.percent, null);
});

test('the cap follows the applicable points: an area capped at 3 with only 2 applicable points has a maximum of 2', () => {
  const result = scoreCity(areas, indicators, verdicts({ A1: 'na', A2: 1, A3: 1, B1: 0, B2: 0 }));
  assert.deepEqual([result.areas[0]!.score, result.areas[0]!.max], [2, 2]);
  close(result.total, (2 / 6) * 100);
});

test('missing verdicts count as zero and are listed', () => {
  const result = scoreCity(areas, indicators, verdicts({ A1: 1 }));
  assert.deepEqual(result.missing, ['A2', 'A3', 'B1', 'B2']);
  close(result.total, (2 / 7) * 100);
});

test('implementation by indicator type, a "both" indicator counting for each', () => {
  const result = scoreCity(areas, indicators, verdicts({ A1: 1, A2: 0, A3: 1, B1: 0, B2: 1 }));
  // legal: A1 (2 of 2), A3 (1 of 1), B1 (0 of 2) → 3 / 5; best practice: A2 (0/1), A3 (1/1), B2 (2/2) → 3 / 4.
  close(result.byType.legal, 60);
  close(result.byType.best_practice, 75);
});

test('status bands: at the boundary a city is in the higher band', () => {
  const bands = [
    { key: 'partly', min: 50 },
    { key: 'transparent', min: 80 },
    { key: 'not', min: 0 },
  ];
  assert.equal(statusBand(80, bands), 'transparent');
  assert.equal(statusBand(79.999, bands), 'partly');
  assert.equal(statusBand(50, bands), 'partly');
  assert.equal(statusBand(49.9, bands), 'not');
  assert.equal(statusBand(0, bands), 'not');
  assert.equal(statusBand(null, bands), null);
  assert.equal(statusBand((4 / 5) * 100, bands), 'transparent', '80 reached through float arithmetic');
});

test('competition ranking: shared places for ties (1, 2, 2, 4), cities without a total unranked', () => {
  const ranked = rank([
    { city: 'a', total: 90 },
    { city: 'b', total: 75.5 },
    { city: 'c', total: 75.5 },
    { city: 'd', total: 60 },
    { city: 'e', total: null },
    { city: 'f', total: 61 },
  ]);
  assert.deepEqual(
    ranked.map((r) => [r.city, r.place]),
    [
      ['a', 1],
      ['b', 2],
      ['c', 2],
      ['d', 5],
      ['e', null],
      ['f', 4],
    ],
  );
  const floaty = rank([{ total: 0.1 + 0.2 }, { total: 0.3 }, { total: 0.2 }]);
  assert.deepEqual(
    floaty.map((r) => r.place),
    [1, 1, 3],
    'float noise is a tie',
  );
  assert.deepEqual(rank([]), []);
});

test('change since the previous campaign, marked when the methodologies differ', () => {
  assert.deepEqual(
    changeSince({ total: 70, place: 3, methodology: '2021' }, { total: 62.5, place: 7, methodology: '2021' }),
    { points: 7.5, places: 4, comparable: true },
  );
  assert.deepEqual(
    changeSince({ total: 50, place: 9, methodology: '2021' }, { total: 55, place: 4, methodology: '2019' }),
    { points: -5, places: -5, comparable: false },
  );
  assert.deepEqual(changeSince({ total: 50, place: 9, methodology: '2021' }, undefined), {
    points: null,
    places: null,
    comparable: false,
  });
  assert.deepEqual(
    changeSince({ total: null, place: null, methodology: '2021' }, { total: 40, place: 2, methodology: '2021' }),
    { points: null, places: null, comparable: true },
  );
});

test('averages by oblast and by population band', () => {
  const cities = [
    { oblast: 'lvivska', population: 721_000, total: 80 },
    { oblast: 'lvivska', population: 77_000, total: 60 },
    { oblast: 'kyivska', population: 54_000, total: 70 },
    { oblast: 'kyivska', population: 30_000, total: null },
  ];
  const byOblast = averages(cities, (c) => c.oblast);
  assert.deepEqual(byOblast.get('lvivska'), { mean: 70, count: 2 });
  assert.deepEqual(byOblast.get('kyivska'), { mean: 70, count: 1 }, 'a city without a total is left out');
  const bounds = [0, 50_000, 100_000, 250_000, 500_000];
  assert.equal(populationBand(721_000, bounds), '500000+');
  assert.equal(populationBand(100_000, bounds), '100000-249999', 'a bound belongs to the band it starts');
  assert.equal(populationBand(99_999, bounds), '50000-99999');
  assert.equal(populationBand(null, bounds), 'unknown');
  assert.deepEqual(averages(cities, (c) => populationBand(c.population, bounds)).get('50000-99999'), {
    mean: 65,
    count: 2,
  });
});
