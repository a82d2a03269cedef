// The Pabulib .pb format, the shared data format of participatory-budgeting research: three
// sections (META, PROJECTS, VOTES), each a header line and semicolon-separated rows, one file
// per district ("subunit"). Fields holding a semicolon, quote or line break are quoted as in CSV.

export interface PabulibInstance {
  meta: {
    description: string;
    country: string;
    unit: string;
    subunit: string;
    instance: string;
    budget: number;
    voteType: 'approval';
    rule: 'greedy';
    currency: string;
    dateBegin: string;
    dateEnd: string;
    maxLength?: number;
    maxSumCost?: number;
    minSumCost?: number;
    language: string;
  };
  projects: {
    id: number;
    cost: number;
    votes: number;
    name: string;
    category: string;
    selected: boolean;
    latitude?: number | null;
    longitude?: number | null;
  }[];
  votes: { voterId: string; projectIds: number[]; voting_method: 'internet' | 'paper' }[];
}

function field(value: string | number): string {
  const text = String(value);
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const row = (values: (string | number)[]) => values.map(field).join(';');

export function toPabulib(instance: PabulibInstance): string {
  const m = instance.meta;
  const meta: [string, string | number][] = [
    ['description', m.description],
    ['country', m.country],
    ['unit', m.unit],
    ['subunit', m.subunit],
    ['instance', m.instance],
    ['num_projects', instance.projects.length],
    ['num_votes', instance.votes.length],
    ['budget', m.budget],
    ['vote_type', m.voteType],
    ['rule', m.rule],
    ['currency', m.currency],
    ['date_begin', m.dateBegin],
    ['date_end', m.dateEnd],
    ['language', m.language],
    ['min_length', 1],
  ];
  if (m.maxLength !== undefined) meta.push(['max_length', m.maxLength]);
  if (m.maxSumCost !== undefined) meta.push(['max_sum_cost', m.maxSumCost]);
  if (m.minSumCost !== undefined && m.minSumCost > 0) meta.push(['min_sum_cost', m.minSumCost]);
  const withPlace = instance.projects.some((p) => p.latitude !== null && p.latitude !== undefined);
  const lines = [
    'META',
    'key;value',
    ...meta.map(([k, v]) => row([k, v])),
    'PROJECTS',
    `project_id;cost;votes;name;category;selected${withPlace ? ';latitude;longitude' : ''}`,
    ...instance.projects.map((p) =>
      row([
        p.id,
        p.cost,
        p.votes,
        p.name,
        p.category,
        p.selected ? 1 : 0,
        ...(withPlace ? [p.latitude ?? '', p.longitude ?? ''] : []),
      ]),
    ),
    'VOTES',
    'voter_id;vote;voting_method',
    ...instance.votes.map((v) => row([v.voterId, v.projectIds.join(','), v.voting_method])),
  ];
  return lines.join('\n') + '\n';
}
