// The ballot's meter: what the chosen projects add up to against what the rule allows (money in
// the district under the knapsack rule, the number of choices under approval). The page renders it
// from the saved choices; the ballot-meter island computes it again as boxes are ticked.

export interface MeterChoice {
  cost: number;
  district: number;
}

export interface MeterState {
  value: number;
  max: number;
  /** A key under budgets.ballot. */
  key: 'meter_empty' | 'meter_cost' | 'meter_over' | 'meter_count' | 'meter_too_many' | 'meter_two_districts';
  /** Numbers for the message; `district` is the id of the one district chosen. */
  params: { spent?: number; amount?: number; district?: number; count?: number; max?: number };
  over: boolean;
}

export function meterState(
  rule: { kind: 'approval'; maxChoices: number } | { kind: 'knapsack' },
  chosen: readonly MeterChoice[],
  districtAmounts: ReadonlyMap<number, number>,
): MeterState {
  const districts = new Set(chosen.map((c) => c.district));
  if (districts.size > 1) return { value: 0, max: 1, key: 'meter_two_districts', params: {}, over: true };
  if (rule.kind === 'approval') {
    const count = chosen.length;
    const over = count > rule.maxChoices;
    return {
      value: Math.min(count, rule.maxChoices),
      max: rule.maxChoices,
      key: over ? 'meter_too_many' : 'meter_count',
      params: { count, max: rule.maxChoices },
      over,
    };
  }
  if (districts.size === 0) return { value: 0, max: 1, key: 'meter_empty', params: {}, over: false };
  const district = chosen[0]!.district;
  const amount = districtAmounts.get(district) ?? 0;
  const spent = chosen.reduce((sum, c) => sum + c.cost, 0);
  const over = spent > amount;
  return {
    value: Math.min(spent, amount),
    max: amount,
    key: over ? 'meter_over' : 'meter_cost',
    params: { spent, amount, district },
    over,
  };
}
