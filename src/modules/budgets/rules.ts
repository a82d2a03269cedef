// The rules of a participatory-budget vote, as pure functions: whether a ballot is valid under
// the cycle's voting rule, and which projects win a district's money. The server checks every
// ballot change and every confirmation with `ballotProblems`; results come from `selectWinners`.

export type VotingRule =
  | { kind: 'approval'; maxChoices: number; onePerCategory: boolean }
  | { kind: 'knapsack'; minSpendShare: number };

export interface BallotProject {
  id: number;
  district: number;
  category: number;
  /** The cost the vote is about: the experts' adjusted cost when they changed it. */
  cost: number;
}

export interface BallotProblem {
  /** A locale key under budgets.ballot. */
  code:
    | 'too_many'
    | 'two_in_category'
    | 'over_budget'
    | 'under_share'
    | 'not_votable'
    | 'two_districts'
    | 'duplicate'
    | 'empty';
  params?: Record<string, number>;
}

/**
 * What is wrong with choosing `chosen` (project ids) among the cycle's `votable` projects. One
 * ballot votes in one district (a voter's own), so all choices must share it; `districtAmounts`
 * gives each district's money for the knapsack rule. `final` adds the checks that apply only at
 * confirmation (a minimum share spent, a ballot that is not empty).
 */
export function ballotProblems(
  rule: VotingRule,
  chosen: number[],
  votable: ReadonlyMap<number, BallotProject>,
  districtAmounts: ReadonlyMap<number, number>,
  final: boolean,
): BallotProblem[] {
  const problems: BallotProblem[] = [];
  if (new Set(chosen).size !== chosen.length) problems.push({ code: 'duplicate' });
  const projects = chosen.map((id) => votable.get(id));
  if (projects.some((p) => p === undefined)) return [...problems, { code: 'not_votable' }];
  const picked = projects as BallotProject[];
  if (final && picked.length === 0) problems.push({ code: 'empty' });
  const districts = new Set(picked.map((p) => p.district));
  if (districts.size > 1) return [...problems, { code: 'two_districts' }];
  if (rule.kind === 'approval') {
    if (picked.length > rule.maxChoices) problems.push({ code: 'too_many', params: { max: rule.maxChoices } });
    if (rule.onePerCategory && new Set(picked.map((p) => p.category)).size < picked.length)
      problems.push({ code: 'two_in_category' });
  } else if (picked.length > 0) {
    const amount = districtAmounts.get(picked[0]!.district) ?? 0;
    const spent = picked.reduce((sum, p) => sum + p.cost, 0);
    if (spent > amount) problems.push({ code: 'over_budget', params: { spent, amount } });
    else if (final && spent < Math.ceil(amount * rule.minSpendShare)) {
      problems.push({ code: 'under_share', params: { spent, needed: Math.ceil(amount * rule.minSpendShare) } });
    }
  }
  return problems;
}

export interface Candidate {
  id: number;
  cost: number;
  votes: number;
  /** Earlier submissions win ties that cost and votes leave open. */
  submittedOrder: number;
  /** The pools the project draws on: its district's amount, and its category's when the category has one. */
  district?: number;
  category?: number;
}

export interface WinnerSelection {
  winners: number[];
  /** Projects passed over because they no longer fitted, in the order they were considered. */
  skipped: number[];
  spent: number;
  left: number;
}

const byVotes = (a: Candidate, b: Candidate) =>
  b.votes - a.votes || a.cost - b.cost || a.submittedOrder - b.submittedOrder || a.id - b.id;

/**
 * The greedy rule most cities use (Pabulib's "greedy"): projects in order of votes, each taken if
 * it still fits the money left. Ties are broken by the lower cost first (more money stays for
 * others), then the earlier submission: stated, and the same every time.
 */
export function selectWinners(candidates: Candidate[], amount: number): WinnerSelection {
  const result = selectAcross(
    candidates.map((c) => ({ ...c, district: 0, category: undefined })),
    new Map([[0, amount]]),
    new Map(),
  );
  const left = result.left.get(0)!;
  return { winners: result.winners, skipped: result.skipped, spent: amount - left, left };
}

/**
 * The same rule over a whole cycle, where each project draws on its district's amount and, when
 * its category has an amount of its own, on that too: one order of votes for all, each project
 * taken if it fits every pool it draws on.
 */
export function selectAcross(
  candidates: Candidate[],
  districtAmounts: ReadonlyMap<number, number>,
  categoryAmounts: ReadonlyMap<number, number>,
): { winners: number[]; skipped: number[]; left: Map<number, number>; categoryLeft: Map<number, number> } {
  const left = new Map(districtAmounts);
  const categoryLeft = new Map(categoryAmounts);
  const winners: number[] = [];
  const skipped: number[] = [];
  for (const candidate of [...candidates].sort(byVotes)) {
    if (candidate.votes <= 0) break;
    const districtLeft = left.get(candidate.district!) ?? 0;
    const capped = candidate.category !== undefined && categoryLeft.has(candidate.category);
    if (candidate.cost <= districtLeft && (!capped || candidate.cost <= categoryLeft.get(candidate.category!)!)) {
      winners.push(candidate.id);
      left.set(candidate.district!, districtLeft - candidate.cost);
      if (capped) categoryLeft.set(candidate.category!, categoryLeft.get(candidate.category!)! - candidate.cost);
    } else skipped.push(candidate.id);
  }
  return { winners, skipped, left, categoryLeft };
}

export const PHASES = [
  'information',
  'proposals',
  'review',
  'voting',
  'ballot_review',
  'results',
  'implementation',
] as const;
export type Phase = (typeof PHASES)[number];

/** The phase a cycle is in at `now`: the last whose start has come (before the first: 'information'). */
export function phaseAt(starts: Readonly<Record<Phase, Date>>, now: Date): Phase {
  let current: Phase = 'information';
  for (const phase of PHASES) if (starts[phase].getTime() <= now.getTime()) current = phase;
  return current;
}

/** Phase starts must come in order, each after the one before. */
export function phaseOrderProblems(starts: Readonly<Record<Phase, Date>>): Phase[] {
  const wrong: Phase[] = [];
  for (let i = 1; i < PHASES.length; i++) {
    if (!(starts[PHASES[i]!].getTime() > starts[PHASES[i - 1]!].getTime())) wrong.push(PHASES[i]!);
  }
  return wrong;
}
