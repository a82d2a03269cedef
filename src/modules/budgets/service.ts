// Participatory budgeting: cycles, proposals, the experts' review, ballots (one per person per
// cycle, enforced by the database; the voting rule checked at every change and at confirmation),
// paper ballots, results by the greedy rule, implementation. Phases come from the cycle's dates
// and the application clock.
import { procedureOcid } from '../procurement/reference.ts';
import { programmeCodesOf, programmeLatest } from '../open-budget/service.ts';
import type { Database, Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldProblem } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { canEditCity } from '../catalog/policy.ts';
import { identityCheck, type SignerCheck } from '../petitions/identity.ts';
import { publishCycleDataset } from './open-data.ts';
import {
  ballotProblems,
  phaseAt,
  PHASES,
  selectAcross,
  type BallotProblem,
  type BallotProject,
  type Phase,
  type VotingRule,
} from './rules.ts';

/** The most a single project or a cycle may cost: far above any city's budget, below bigint's reach. */
export const MAX_AMOUNT = 1_000_000_000_000;

export interface Cycle {
  id: number;
  city_id: number;
  city_slug: string;
  slug: string;
  title_uk: string;
  title_en: string;
  title_bg: string;
  description: string;
  total_amount: number;
  currency: string;
  starts: Record<Phase, Date>;
  voting_rule: 'approval' | 'knapsack';
  max_choices: number | null;
  one_per_category: boolean;
  min_spend_share: number;
  min_age: number;
  residents_only: boolean;
  signer_check: SignerCheck;
  live_totals: boolean;
  /** The programme of the city budget (КПКВКМБ) the cycle is paid from, if named. */
  programme_code: string | null;
  districts: { id: number; name: string; amount: number }[];
  categories: { id: number; name: string; amount: number | null }[];
  size_classes: { id: number; name: string; max_cost: number }[];
}

export function rule(
  cycle: Pick<Cycle, 'voting_rule' | 'max_choices' | 'one_per_category' | 'min_spend_share'>,
): VotingRule {
  return cycle.voting_rule === 'approval'
    ? { kind: 'approval', maxChoices: cycle.max_choices ?? 1, onePerCategory: cycle.one_per_category }
    : { kind: 'knapsack', minSpendShare: cycle.min_spend_share };
}

// ---- Who may do what ----

/** The city's editors run its budget: set it up, review proposals, enter paper ballots, report progress. */
export const canRun = canEditCity;

function assertRuns(user: CurrentUser | null, cycle: Pick<Cycle, 'city_id'>): void {
  if (!canRun(user, cycle.city_id)) throw new ForbiddenError('only the city’s editors run its budget');
}

function assertPhase(cycle: Cycle, now: Date, allowed: Phase[], field = 'phase'): void {
  const phase = phaseAt(cycle.starts, now);
  if (!allowed.includes(phase))
    throw new ValidationError([{ field, message: 'budgets.error.phase', params: { phase } }], 409);
}

// ---- Cycles ----

const CYCLE_SELECT = `SELECT b.id, b.city_id, c.slug AS city_slug, b.slug, b.title_uk, b.title_en, b.title_bg, b.description,
  b.total_amount::float8 AS total_amount, b.currency, b.information_at, b.proposals_at, b.review_at, b.voting_at, b.ballot_review_at,
  b.results_at, b.implementation_at, b.voting_rule, b.max_choices, b.one_per_category, b.min_spend_share::float8 AS min_spend_share,
  b.min_age, b.residents_only, b.signer_check, b.live_totals, b.programme_code
  FROM budget_cycles b JOIN cities c ON c.id = b.city_id`;

type CycleRow = Omit<Cycle, 'starts' | 'districts' | 'categories' | 'size_classes'> & Record<`${Phase}_at`, Date>;

async function withParts(db: Queryable, row: CycleRow): Promise<Cycle> {
  const [districts, categories, sizeClasses] = await Promise.all([
    db.query<Cycle['districts'][number]>(
      'SELECT id, name, amount::float8 AS amount FROM budget_districts WHERE cycle_id = $1 ORDER BY id',
      [row.id],
    ),
    db.query<Cycle['categories'][number]>(
      'SELECT id, name, amount::float8 AS amount FROM budget_categories WHERE cycle_id = $1 ORDER BY id',
      [row.id],
    ),
    db.query<Cycle['size_classes'][number]>(
      'SELECT id, name, max_cost::float8 AS max_cost FROM budget_size_classes WHERE cycle_id = $1 ORDER BY max_cost',
      [row.id],
    ),
  ]);
  const starts = Object.fromEntries(PHASES.map((p) => [p, new Date(row[`${p}_at`])])) as Record<Phase, Date>;
  return { ...row, starts, districts, categories, size_classes: sizeClasses };
}

export async function getCycle(db: Queryable, id: number): Promise<Cycle> {
  const row = await db.one<CycleRow>(`${CYCLE_SELECT} WHERE b.id = $1`, [id]);
  if (!row) throw new NotFoundError('no such budget cycle');
  return withParts(db, row);
}

export async function listCycles(
  db: Queryable,
  cityId?: number,
): Promise<Omit<Cycle, 'districts' | 'categories' | 'size_classes'>[]> {
  const rows = await db.query<CycleRow>(
    `${CYCLE_SELECT} ${cityId === undefined ? '' : 'WHERE b.city_id = $1'} ORDER BY b.voting_at DESC, b.id DESC`,
    cityId === undefined ? [] : [cityId],
  );
  return rows.map((row) => ({
    ...row,
    starts: Object.fromEntries(PHASES.map((p) => [p, new Date(row[`${p}_at`])])) as Record<Phase, Date>,
  }));
}

/** What the cycle form sets: the cycle's own settings, and its parts before they have ids. */
export type CycleInput = Pick<
  Cycle,
  | 'slug'
  | 'title_uk'
  | 'title_en'
  | 'title_bg'
  | 'description'
  | 'starts'
  | 'voting_rule'
  | 'max_choices'
  | 'one_per_category'
  | 'min_spend_share'
  | 'min_age'
  | 'residents_only'
  | 'live_totals'
  | 'programme_code'
> & {
  districts: { name: string; amount: number }[];
  categories: { name: string; amount: number | null }[];
  size_classes: { name: string; max_cost: number }[];
};

/** "Name; amount" lines, as typed into the cycle form. */
function namedAmounts(check: Checker, field: string, text: string): { name: string; amount: number }[] {
  const items: { name: string; amount: number }[] = [];
  for (const [i, line] of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .entries()) {
    const match = /^(.+?)\s*[;|\t]\s*([\d\s\u00a0]+)$/.exec(line);
    const amount = match ? Number(match[2]!.replace(/[\s\u00a0]/g, '')) : NaN;
    if (!match || !Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) {
      check.fail(field, 'budgets.error.amount_line', { line: i + 1 });
      continue;
    }
    items.push({ name: match[1]!.slice(0, 200), amount });
  }
  if (items.length === 0) check.fail(field, 'validation.required');
  if (new Set(items.map((d) => d.name)).size !== items.length) check.fail(field, 'budgets.error.duplicate_name');
  return items;
}

/** A programme code as typed: empty, or the 7 digits of a local programme (КПКВКМБ). */
function parseProgrammeCode(check: Checker, raw: unknown): string | null {
  const code = String(raw ?? '').replace(/\s/g, '');
  if (!code) return null;
  if (!/^\d{7}$/.test(code)) {
    check.fail('programme_code', 'openBudget.cycle.programme_format');
    return null;
  }
  return code;
}

/**
 * A named programme must be one of the city's imported budget programmes when the city has any
 * (EXPENSES by PROGRAM); a city with no imported budget can name any well-formed code.
 */
async function assertCityProgramme(db: Queryable, cityId: number, code: string | null): Promise<void> {
  if (code === null) return;
  const codes = await programmeCodesOf(db, cityId);
  if (codes.size && !codes.has(code))
    throw new ValidationError([
      { field: 'programme_code', message: 'openBudget.cycle.programme_unknown', params: { code } },
    ]);
}

/**
 * The programme a cycle is paid from, with the latest year the city's imported budget has it (for
 * the link to that programme on the city budget's page) and its name there; null when none named.
 */
export async function cycleProgramme(
  db: Queryable,
  cycle: Pick<Cycle, 'city_id' | 'programme_code'>,
): Promise<{ code: string; year: number | null; name: string } | null> {
  if (!cycle.programme_code) return null;
  const latest = await programmeLatest(db, cycle.city_id, cycle.programme_code);
  return { code: cycle.programme_code, year: latest?.year ?? null, name: latest?.name ?? '' };
}

/** Names (or clears) the programme of the city budget a cycle is paid from; by those who run the cycle. */
export async function setCycleProgramme(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cycle: Cycle,
  body: unknown,
): Promise<void> {
  assertRuns(user, cycle);
  const check = new Checker(body);
  const code = parseProgrammeCode(check, (body as Record<string, unknown> | null)?.programme_code);
  check.done();
  await assertCityProgramme(db, cycle.city_id, code);
  await db.query('UPDATE budget_cycles SET programme_code = $2 WHERE id = $1', [cycle.id, code]);
  await recordAudit(
    db,
    actor,
    'budget.programme',
    'budget_cycle',
    cycle.id,
    { programme_code: cycle.programme_code },
    { programme_code: code },
  );
}

export function parseCycleInput(body: unknown): CycleInput {
  const check = new Checker(body);
  const input = (body ?? {}) as Record<string, unknown>;
  const slug = check.slug('slug');
  const titles = {
    title_uk: check.text('title_uk', { required: true, max: 200 }),
    title_en: check.text('title_en', { required: true, max: 200 }),
    title_bg: check.text('title_bg', { required: true, max: 200 }),
  };
  const description = check.text('description', { max: 10_000 });
  const starts = {} as Record<Phase, Date>;
  for (const phase of PHASES) {
    const raw = check.text(`${phase}_at`, { required: true, max: 40 });
    const date = new Date(raw.length === 10 ? `${raw}T00:00:00+02:00` : raw);
    if (raw && Number.isNaN(date.getTime())) check.fail(`${phase}_at`, 'validation.date');
    starts[phase] = date;
  }
  for (let i = 1; i < PHASES.length; i++) {
    const [before, after] = [starts[PHASES[i - 1]!], starts[PHASES[i]!]];
    if (!(after.getTime() > before.getTime())) check.fail(`${PHASES[i]}_at`, 'budgets.error.phase_order');
  }
  const votingRule = check.oneOf('voting_rule', ['approval', 'knapsack'] as const) ?? 'approval';
  const maxChoices =
    votingRule === 'approval' ? check.number('max_choices', { min: 1, max: 100, integer: true, required: true }) : null;
  const share = check.number('min_spend_share', { min: 0, max: 100 }) ?? 0;
  const districts = namedAmounts(check, 'districts', String(input.districts ?? ''));
  const sizeClasses = namedAmounts(check, 'size_classes', String(input.size_classes ?? '')).map((c) => ({
    name: c.name,
    max_cost: c.amount,
  }));
  // "Name" or "Name; amount" when the category has its own share.
  const categories: { name: string; amount: number | null }[] = [];
  for (const [i, line] of String(input.categories ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .entries()) {
    if (/[;|\t]/.test(line)) {
      const [item] = namedAmounts(check, 'categories', line);
      if (item) categories.push({ name: item.name, amount: item.amount });
      else check.fail('categories', 'budgets.error.amount_line', { line: i + 1 });
    } else categories.push({ name: line.slice(0, 200), amount: null });
  }
  if (categories.length === 0) check.fail('categories', 'validation.required');
  if (new Set(categories.map((c) => c.name)).size !== categories.length)
    check.fail('categories', 'budgets.error.duplicate_name');
  const on = (name: string) => ['on', 'true', '1', true].includes(input[name] as string);
  const result: CycleInput = {
    slug,
    ...titles,
    description,
    starts,
    voting_rule: votingRule,
    max_choices: maxChoices,
    one_per_category: on('one_per_category'),
    min_spend_share: share / 100,
    min_age: check.number('min_age', { min: 0, max: 120, integer: true }) ?? 14,
    residents_only: on('residents_only'),
    live_totals: on('live_totals'),
    programme_code: parseProgrammeCode(check, input.programme_code),
    districts,
    categories,
    size_classes: sizeClasses,
  };
  check.done();
  return result;
}

export async function createCycle(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cityId: number,
  input: CycleInput,
): Promise<number> {
  assertRuns(user, { city_id: cityId });
  if (await db.one('SELECT 1 FROM budget_cycles WHERE city_id = $1 AND slug = $2', [cityId, input.slug])) {
    throw new ValidationError([{ field: 'slug', message: 'validation.slug_taken' }], 409);
  }
  await assertCityProgramme(db, cityId, input.programme_code);
  const total = input.districts.reduce((sum, d) => sum + d.amount, 0);
  const s = input.starts;
  const row = await db.one<{ id: number }>(
    `INSERT INTO budget_cycles (city_id, slug, title_uk, title_en, title_bg, description, total_amount, information_at, proposals_at, review_at,
       voting_at, ballot_review_at, results_at, implementation_at, voting_rule, max_choices, one_per_category, min_spend_share, min_age,
       residents_only, live_totals, programme_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id`,
    [
      cityId,
      input.slug,
      input.title_uk,
      input.title_en,
      input.title_bg,
      input.description,
      total,
      s.information,
      s.proposals,
      s.review,
      s.voting,
      s.ballot_review,
      s.results,
      s.implementation,
      input.voting_rule,
      input.max_choices,
      input.one_per_category,
      input.min_spend_share,
      input.min_age,
      input.residents_only,
      input.live_totals,
      input.programme_code,
    ],
  );
  const id = row!.id;
  for (const d of input.districts)
    await db.query('INSERT INTO budget_districts (cycle_id, name, amount) VALUES ($1, $2, $3)', [id, d.name, d.amount]);
  for (const c of input.categories)
    await db.query('INSERT INTO budget_categories (cycle_id, name, amount) VALUES ($1, $2, $3)', [
      id,
      c.name,
      c.amount,
    ]);
  for (const c of input.size_classes)
    await db.query('INSERT INTO budget_size_classes (cycle_id, name, max_cost) VALUES ($1, $2, $3)', [
      id,
      c.name,
      c.max_cost,
    ]);
  await recordAudit(db, actor, 'budget.create', 'budget_cycle', id, null, { ...input, total });
  const city = await db.one<{ id: number; slug: string; name_uk: string }>(
    'SELECT id, slug, name_uk FROM cities WHERE id = $1',
    [cityId],
  );
  await publishCycleDataset(db, actor, city!, id, { uk: input.title_uk, en: input.title_en, bg: input.title_bg });
  return id;
}

// ---- Proposals and review ----

export interface Project {
  id: number;
  cycle_id: number;
  author_id: number | null;
  author_name: string | null;
  title: string;
  description: string;
  district_id: number;
  category_id: number;
  latitude: number | null;
  longitude: number | null;
  cost: number;
  cost_items: { item: string; amount: number }[];
  review_state: 'submitted' | 'feasible' | 'infeasible' | 'merged';
  review_note: string | null;
  adjusted_cost: number | null;
  cost_reason: string | null;
  merged_into: number | null;
  votes: number;
  winner: boolean;
  implementation_status: string | null;
  spent: number | null;
  /** The Prozorro procedure that delivers the project, once the city names it. */
  procurement_ocid: string | null;
  created_at: Date;
}

const PROJECT_SELECT = `SELECT p.id, p.cycle_id, p.author_id, u.display_name AS author_name, p.title, p.description, p.district_id, p.category_id,
  p.latitude, p.longitude, p.cost::float8 AS cost, p.cost_items, p.review_state, p.review_note, p.adjusted_cost::float8 AS adjusted_cost,
  p.cost_reason, p.merged_into, p.votes, p.winner, p.implementation_status, p.spent::float8 AS spent, p.procurement_ocid, p.created_at
  FROM budget_projects p LEFT JOIN users u ON u.id = p.author_id`;

/** The cost voters see and the results count: the experts' adjusted cost when there is one. */
export const votedCost = (p: Pick<Project, 'cost' | 'adjusted_cost'>) => p.adjusted_cost ?? p.cost;

export async function listProjects(db: Queryable, cycleId: number): Promise<Project[]> {
  return db.query<Project>(`${PROJECT_SELECT} WHERE p.cycle_id = $1 ORDER BY p.id`, [cycleId]);
}

export async function getProject(db: Queryable, cycleId: number, id: number): Promise<Project> {
  const project = await db.one<Project>(`${PROJECT_SELECT} WHERE p.cycle_id = $1 AND p.id = $2`, [cycleId, id]);
  if (!project) throw new NotFoundError('no such project');
  return project;
}

export function parseProposal(
  cycle: Cycle,
  body: unknown,
): Omit<
  Project,
  | 'id'
  | 'cycle_id'
  | 'author_id'
  | 'author_name'
  | 'review_state'
  | 'review_note'
  | 'adjusted_cost'
  | 'cost_reason'
  | 'merged_into'
  | 'votes'
  | 'winner'
  | 'implementation_status'
  | 'spent'
  | 'procurement_ocid'
  | 'created_at'
> {
  const check = new Checker(body);
  const input = (body ?? {}) as Record<string, unknown>;
  const title = check.text('title', { required: true, min: 5, max: 200 });
  const description = check.text('description', { required: true, min: 50, max: 20_000 });
  const district = cycle.districts.find((d) => String(d.id) === String(input.district_id ?? ''));
  if (!district) check.fail('district_id', 'budgets.error.not_in_cycle');
  const category = cycle.categories.find((c) => String(c.id) === String(input.category_id ?? ''));
  if (!category) check.fail('category_id', 'budgets.error.not_in_cycle');
  const latitude = check.number('latitude', { min: -90, max: 90 });
  const longitude = check.number('longitude', { min: -180, max: 180 });
  if ((latitude === null) !== (longitude === null)) check.fail('longitude', 'validation.coordinates_pair');
  // The breakdown: "item; amount" lines; the cost is their sum.
  const items = namedAmounts(check, 'cost_items', String(input.cost_items ?? '')).map((i) => ({
    item: i.name,
    amount: i.amount,
  }));
  const cost = items.reduce((sum, i) => sum + i.amount, 0);
  const largest = Math.max(0, ...cycle.size_classes.map((c) => c.max_cost));
  if (items.length && largest && cost > largest)
    check.fail('cost_items', 'budgets.error.too_expensive', { cost, max: largest });
  if (district && items.length && cost > district.amount)
    check.fail('cost_items', 'budgets.error.over_district', { cost, max: district.amount });
  check.done();
  return {
    title,
    description,
    district_id: district!.id,
    category_id: category!.id,
    latitude,
    longitude,
    cost,
    cost_items: items,
  };
}

export async function proposeProject(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cycle: Cycle,
  body: unknown,
  now: Date,
): Promise<number> {
  assertPhase(cycle, now, ['proposals']);
  const p = parseProposal(cycle, body);
  const row = await db.one<{ id: number }>(
    `INSERT INTO budget_projects (cycle_id, author_id, title, description, district_id, category_id, latitude, longitude, cost, cost_items)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      cycle.id,
      user.id,
      p.title,
      p.description,
      p.district_id,
      p.category_id,
      p.latitude,
      p.longitude,
      p.cost,
      JSON.stringify(p.cost_items),
    ],
  );
  await recordAudit(db, actor, 'budget.propose', 'budget_project', row!.id, null, p);
  return row!.id;
}

export async function updateProposal(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cycle: Cycle,
  project: Project,
  body: unknown,
  now: Date,
): Promise<void> {
  if (project.author_id !== user.id) throw new ForbiddenError('only the author edits a proposal');
  assertPhase(cycle, now, ['proposals']);
  const p = parseProposal(cycle, body);
  await db.query(
    `UPDATE budget_projects SET title = $2, description = $3, district_id = $4, category_id = $5, latitude = $6, longitude = $7, cost = $8, cost_items = $9 WHERE id = $1`,
    [
      project.id,
      p.title,
      p.description,
      p.district_id,
      p.category_id,
      p.latitude,
      p.longitude,
      p.cost,
      JSON.stringify(p.cost_items),
    ],
  );
  await recordAudit(
    db,
    actor,
    'budget.proposal_update',
    'budget_project',
    project.id,
    { title: project.title, cost: project.cost },
    p,
  );
}

/** An expert's verdict: feasible (optionally at an adjusted cost, with the reason), infeasible (with the reason), or merged into another proposal. */
export async function reviewProject(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cycle: Cycle,
  project: Project,
  body: unknown,
  now: Date,
): Promise<void> {
  assertRuns(user, cycle);
  assertPhase(cycle, now, ['review']);
  const check = new Checker(body);
  const verdict = check.oneOf('verdict', ['feasible', 'infeasible', 'merged'] as const);
  const note = check.optionalText('review_note', 5000);
  let adjusted: number | null = null;
  let reason: string | null = null;
  let mergedInto: number | null = null;
  if (verdict === 'infeasible' && !note) check.fail('review_note', 'budgets.error.reason_required');
  if (verdict === 'feasible') {
    adjusted = check.number('adjusted_cost', { min: 1, max: MAX_AMOUNT, integer: true });
    reason = check.optionalText('cost_reason', 2000);
    if (adjusted !== null && adjusted !== project.cost && !reason)
      check.fail('cost_reason', 'budgets.error.reason_required');
    if (adjusted === project.cost) adjusted = null;
  }
  if (verdict === 'merged') {
    mergedInto = check.number('merged_into', { min: 1, integer: true, required: true });
    if (mergedInto !== null) {
      const target = await db.one<{ review_state: string }>(
        'SELECT review_state FROM budget_projects WHERE id = $1 AND cycle_id = $2',
        [mergedInto, cycle.id],
      );
      if (!target || mergedInto === project.id || target.review_state === 'merged')
        check.fail('merged_into', 'budgets.error.merge_target');
    }
  }
  check.done();
  await db.query(
    `UPDATE budget_projects SET review_state = $2, review_note = $3, adjusted_cost = $4, cost_reason = $5, merged_into = $6, reviewed_at = $7 WHERE id = $1`,
    [project.id, verdict, note, adjusted, reason, mergedInto, now],
  );
  await recordAudit(
    db,
    actor,
    'budget.review',
    'budget_project',
    project.id,
    { review_state: project.review_state, adjusted_cost: project.adjusted_cost },
    { review_state: verdict, note, adjusted_cost: adjusted, cost_reason: reason, merged_into: mergedInto },
  );
}

// ---- Ballots ----

export interface Ballot {
  id: number;
  district_id: number | null;
  confirmed_at: Date | null;
  declared_birth_year: number | null;
  declared_resident: boolean;
  choices: number[];
}

export async function getBallot(db: Queryable, cycleId: number, userId: number): Promise<Ballot | undefined> {
  return db.one<Ballot>(
    `SELECT b.id, b.district_id, b.confirmed_at, b.declared_birth_year, b.declared_resident,
       ARRAY(SELECT project_id FROM budget_ballot_choices c WHERE c.ballot_id = b.id ORDER BY project_id) AS choices
     FROM budget_ballots b WHERE b.cycle_id = $1 AND b.user_id = $2`,
    [cycleId, userId],
  );
}

/** The projects on the ballot: those the experts found feasible, at the cost voters see. */
export async function votableProjects(db: Queryable, cycleId: number): Promise<Map<number, BallotProject>> {
  const rows = await db.query<{ id: number; district_id: number; category_id: number; cost: number }>(
    `SELECT id, district_id, category_id, coalesce(adjusted_cost, cost)::float8 AS cost FROM budget_projects WHERE cycle_id = $1 AND review_state = 'feasible'`,
    [cycleId],
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, district: r.district_id, category: r.category_id, cost: r.cost }]));
}

export interface BallotInput {
  choices: number[];
  birthYear: number | null;
  resident: boolean;
  confirm: boolean;
  /** Saved as a draft, but checked as if cast: the step before the review page. */
  review?: boolean;
}

/** The first image of each project of the cycle that has one, for the ballot's cards. */
export async function firstImages(
  db: Queryable,
  cycleId: number,
): Promise<Map<number, { id: number; description: string }>> {
  const rows = await db.query<{ project_id: number; id: number; description: string }>(
    `SELECT DISTINCT ON (f.project_id) f.project_id, f.id, f.description FROM budget_files f
     JOIN budget_projects p ON p.id = f.project_id WHERE p.cycle_id = $1 AND f.kind = 'image' ORDER BY f.project_id, f.id`,
    [cycleId],
  );
  return new Map(rows.map((r) => [r.project_id, { id: r.id, description: r.description }]));
}

/**
 * The rule's problems as a ValidationError whose messages name what is wrong: the category with
 * two choices and those projects, the district over its amount, the project that cannot be chosen.
 */
async function ruleError(
  db: Queryable,
  cycle: Cycle,
  choices: number[],
  votable: ReadonlyMap<number, BallotProject>,
  problems: BallotProblem[],
): Promise<ValidationError> {
  const titles = new Map(
    (
      await db.query<{ id: number; title: string }>(
        'SELECT id, title FROM budget_projects WHERE cycle_id = $1 AND id = ANY($2::int[])',
        [cycle.id, choices.filter((id) => id <= 2_147_483_647)],
      )
    ).map((r) => [r.id, r.title]),
  );
  const title = (id: number) => `«${titles.get(id) ?? `#${id}`}»`;
  const name = (list: { id: number; name: string }[], id: number | undefined) =>
    list.find((x) => x.id === id)?.name ?? '';
  const picked = choices.map((id) => votable.get(id)).filter((p) => p !== undefined);
  const named = (p: BallotProblem): Record<string, string | number> => {
    switch (p.code) {
      case 'too_many':
        return { ...p.params, count: choices.length };
      case 'two_in_category': {
        const category = picked.find((a) => picked.some((b) => b !== a && b.category === a.category))!.category;
        return {
          category: name(cycle.categories, category),
          projects: picked
            .filter((x) => x.category === category)
            .map((x) => title(x.id))
            .join(', '),
        };
      }
      case 'over_budget':
      case 'under_share':
        return { ...p.params, district: name(cycle.districts, picked[0]?.district) };
      case 'not_votable':
        return { project: title(choices.find((id) => !votable.has(id)) ?? 0) };
      case 'two_districts':
        return { districts: [...new Set(picked.map((x) => name(cycle.districts, x.district)))].join(', ') };
      default:
        return { ...p.params };
    }
  };
  return new ValidationError(
    problems.map((p) => ({ field: 'projects', message: `budgets.ballot.${p.code}`, params: named(p) })),
  );
}

export function parseBallotInput(body: unknown): BallotInput {
  const input = (body ?? {}) as Record<string, unknown>;
  const raw = input.projects ?? input.project ?? [];
  const list = (Array.isArray(raw) ? raw : [raw]).map((v) => Number(v));
  if (list.some((v) => !Number.isSafeInteger(v) || v < 1) || list.length > 500) {
    throw new ValidationError([{ field: 'projects', message: 'budgets.ballot.not_votable' }]);
  }
  const year = input.birth_year === undefined || input.birth_year === '' ? null : Number(input.birth_year);
  if (year !== null && (!Number.isInteger(year) || year < 1900 || year > 2100))
    throw new ValidationError([{ field: 'birth_year', message: 'validation.integer' }]);
  const on = (v: unknown) => ['on', 'true', '1', true].includes(v as string);
  return {
    choices: list,
    birthYear: year,
    resident: on(input.resident),
    confirm: on(input.confirm),
    review: on(input.review),
  };
}

function eligibilityProblems(cycle: Cycle, user: CurrentUser, input: BallotInput, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const identity = identityCheck(cycle.signer_check).verify(user);
  if (!identity.ok) problems.push({ field: 'identity', message: identity.reason });
  if (input.birthYear === null) problems.push({ field: 'birth_year', message: 'validation.required' });
  else if (now.getUTCFullYear() - input.birthYear < cycle.min_age)
    problems.push({ field: 'birth_year', message: 'budgets.error.too_young', params: { age: cycle.min_age } });
  if (cycle.residents_only && !input.resident) problems.push({ field: 'resident', message: 'budgets.error.resident' });
  return problems;
}

/**
 * Saves the person's ballot (created on first use, one per cycle by a unique index), replacing
 * its choices; with `confirm` it becomes final. The rule is checked on the server every time,
 * with the confirmation's extra checks when confirming. A confirmed ballot cannot change.
 */
export async function saveBallot(
  db: Database,
  actor: Actor,
  user: CurrentUser,
  cycle: Cycle,
  input: BallotInput,
  now: Date,
): Promise<Ballot> {
  assertPhase(cycle, now, ['voting']);
  const eligibility = eligibilityProblems(cycle, user, input, now);
  if (eligibility.length) throw new ValidationError(eligibility, 403);
  const votable = await votableProjects(db, cycle.id);
  const amounts = new Map(cycle.districts.map((d) => [d.id, d.amount]));
  const problems = ballotProblems(rule(cycle), input.choices, votable, amounts, input.confirm || input.review === true);
  if (problems.length) throw await ruleError(db, cycle, input.choices, votable, problems);
  const district = input.choices.length ? votable.get(input.choices[0]!)!.district : null;
  return db.transaction(async (tx) => {
    const ballot = await tx.one<{ id: number; confirmed_at: Date | null }>(
      `INSERT INTO budget_ballots (cycle_id, user_id, district_id, declared_birth_year, declared_resident, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (cycle_id, user_id) WHERE user_id IS NOT NULL DO UPDATE SET updated_at = excluded.updated_at
       RETURNING id, confirmed_at`,
      [cycle.id, user.id, district, input.birthYear, input.resident, now],
    );
    // The row is now locked by this transaction: a racing save of the same ballot waits here.
    if (ballot!.confirmed_at)
      throw new ValidationError([{ field: 'projects', message: 'budgets.ballot.confirmed' }], 409);
    await tx.query(
      'UPDATE budget_ballots SET district_id = $2, declared_birth_year = $3, declared_resident = $4, confirmed_at = $5 WHERE id = $1',
      [ballot!.id, district, input.birthYear, input.resident, input.confirm ? now : null],
    );
    await tx.query('DELETE FROM budget_ballot_choices WHERE ballot_id = $1', [ballot!.id]);
    if (input.choices.length) {
      await tx.query('INSERT INTO budget_ballot_choices (ballot_id, project_id) SELECT $1, unnest($2::int[])', [
        ballot!.id,
        input.choices,
      ]);
    }
    if (input.confirm)
      await recordAudit(tx, actor, 'budget.ballot_confirm', 'budget_cycle', cycle.id, null, {
        ballot: ballot!.id,
        projects: input.choices.length,
      });
    return (await getBallot(tx, cycle.id, user.id))!;
  });
}

/** An official enters a paper ballot, identified by its number; checked by the same rule, and audited. */
export async function enterPaperBallot(
  db: Database,
  actor: Actor,
  user: CurrentUser,
  cycle: Cycle,
  body: unknown,
  now: Date,
): Promise<number> {
  assertRuns(user, cycle);
  assertPhase(cycle, now, ['voting', 'ballot_review']);
  const check = new Checker(body);
  const reference = check.text('paper_reference', { required: true, max: 100 });
  check.done();
  const { choices } = parseBallotInput(body);
  const votable = await votableProjects(db, cycle.id);
  const problems = ballotProblems(
    rule(cycle),
    choices,
    votable,
    new Map(cycle.districts.map((d) => [d.id, d.amount])),
    true,
  );
  if (problems.length) throw await ruleError(db, cycle, choices, votable, problems);
  return db.transaction(async (tx) => {
    if (
      await tx.one('SELECT 1 FROM budget_ballots WHERE cycle_id = $1 AND paper AND paper_reference = $2', [
        cycle.id,
        reference,
      ])
    ) {
      throw new ValidationError([{ field: 'paper_reference', message: 'budgets.error.paper_duplicate' }], 409);
    }
    const row = await tx.one<{ id: number }>(
      `INSERT INTO budget_ballots (cycle_id, paper, paper_reference, entered_by, district_id, confirmed_at) VALUES ($1, true, $2, $3, $4, $5) RETURNING id`,
      [cycle.id, reference, user.id, votable.get(choices[0]!)!.district, now],
    );
    await tx.query('INSERT INTO budget_ballot_choices (ballot_id, project_id) SELECT $1, unnest($2::int[])', [
      row!.id,
      choices,
    ]);
    await recordAudit(tx, actor, 'budget.paper_ballot', 'budget_cycle', cycle.id, null, {
      ballot: row!.id,
      reference,
      projects: choices,
    });
    return row!.id;
  });
}

// ---- Results ----

/** Votes per project from confirmed ballots (online and paper): the recount anyone can repeat. */
export async function countVotes(db: Queryable, cycleId: number): Promise<Map<number, number>> {
  const rows = await db.query<{ project_id: number; votes: number }>(
    `SELECT c.project_id, count(*)::int AS votes FROM budget_ballot_choices c JOIN budget_ballots b ON b.id = c.ballot_id
     WHERE b.cycle_id = $1 AND b.confirmed_at IS NOT NULL GROUP BY c.project_id`,
    [cycleId],
  );
  return new Map(rows.map((r) => [r.project_id, r.votes]));
}

/** Counts the votes and marks each district's winners; from the results phase on, and repeatable. */
export async function computeResults(
  db: Queryable,
  actor: Actor,
  cycle: Cycle,
  now: Date,
): Promise<Map<number, number[]>> {
  assertPhase(cycle, now, ['results', 'implementation']);
  const votes = await countVotes(db, cycle.id);
  const projects = (await listProjects(db, cycle.id)).filter((p) => p.review_state === 'feasible');
  // One order of votes for the whole cycle: each project must fit its district's money and, where
  // its category has an amount, the category's.
  const selection = selectAcross(
    projects.map((p) => ({
      id: p.id,
      cost: votedCost(p),
      votes: votes.get(p.id) ?? 0,
      submittedOrder: p.id,
      district: p.district_id,
      category: p.category_id,
    })),
    new Map(cycle.districts.map((d) => [d.id, d.amount])),
    new Map(cycle.categories.filter((c) => c.amount !== null).map((c) => [c.id, c.amount!])),
  );
  const winners = new Map<number, number[]>(
    cycle.districts.map((d) => [
      d.id,
      selection.winners.filter((id) => projects.find((p) => p.id === id)!.district_id === d.id),
    ]),
  );
  const winning = [...winners.values()].flat();
  // The counts just made are stored, not counted again: every project of the cycle, 0 if unvoted.
  await db.query(
    `UPDATE budget_projects p SET votes = coalesce(v.votes, 0), winner = p.id = ANY($2::int[]),
       implementation_status = CASE WHEN p.id = ANY($2::int[]) THEN coalesce(p.implementation_status, 'planned') END
     FROM budget_projects bp LEFT JOIN unnest($3::int[], $4::int[]) AS v (id, votes) ON v.id = bp.id
     WHERE p.id = bp.id AND bp.cycle_id = $1`,
    [cycle.id, winning, [...votes.keys()], [...votes.values()]],
  );
  await recordAudit(db, actor, 'budget.results', 'budget_cycle', cycle.id, null, { winners: winning });
  return winners;
}

export async function recordProgress(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cycle: Cycle,
  project: Project,
  body: unknown,
): Promise<void> {
  assertRuns(user, cycle);
  if (!project.winner)
    throw new ValidationError([{ field: 'implementation_status', message: 'budgets.error.not_winner' }], 409);
  const check = new Checker(body);
  const status = check.oneOf('implementation_status', [
    'planned',
    'procurement',
    'in_progress',
    'done',
    'cancelled',
  ] as const);
  const spent = check.number('spent', { min: 0, max: MAX_AMOUNT, integer: true });
  const note = check.text('note', { required: true, max: 5000 });
  const reference = check.optionalText('procurement', 300);
  const procurementOcid = reference ? procedureOcid(reference) : null;
  if (reference && !procurementOcid) check.fail('procurement', 'budgets.error.procurement_reference');
  check.done();
  await db.query(
    'UPDATE budget_projects SET implementation_status = $2, spent = $3, procurement_ocid = $4 WHERE id = $1',
    [project.id, status, spent, procurementOcid],
  );
  await db.query('INSERT INTO budget_progress_notes (project_id, author_id, note) VALUES ($1, $2, $3)', [
    project.id,
    user.id,
    note,
  ]);
  await recordAudit(
    db,
    actor,
    'budget.progress',
    'budget_project',
    project.id,
    {
      implementation_status: project.implementation_status,
      spent: project.spent,
      procurement_ocid: project.procurement_ocid,
    },
    { implementation_status: status, spent, note, procurement_ocid: procurementOcid },
  );
}

/** The participatory-budget projects a procurement procedure delivers (for the procedure's page). */
export async function projectsDeliveredBy(
  db: Queryable,
  ocid: string,
): Promise<{ id: number; cycle_id: number; title: string; title_uk: string; title_en: string; title_bg: string }[]> {
  return db.query(
    `SELECT p.id, p.cycle_id, p.title, c.title_uk, c.title_en, c.title_bg
     FROM budget_projects p JOIN budget_cycles c ON c.id = p.cycle_id
     WHERE p.procurement_ocid = $1 ORDER BY p.id`,
    [ocid],
  );
}
