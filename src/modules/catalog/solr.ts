// The part of Solr's query syntax that CKAN clients send in package_search's q, fq and fq_list
// (ckanapi scripts, ckanext-harvest's CKAN harvester, portals' "more like this" links), parsed
// and compiled to a parameterised SQL condition over `datasets d JOIN cities c`.
//
// Supported: field:value for the fields CKAN exposes (FIELDS below), quoted phrases, a trailing
// `*` (prefix) and `field:*` (has a value), `*:*`, ranges `[a TO b]`, `{a TO b}` (mixed too) with
// `*` for an open end over dates (ISO 8601, NOW and date math such as NOW-1DAY/DAY), numbers and
// names, AND/OR/NOT (also && || !), `+`/`-` prefixes, parentheses and `field:(a OR b)`. A term
// without a field searches the catalog's text, as CKAN's default field `text` does.
// Precedence: NOT, then AND, then OR, then juxtaposition; juxtaposed clauses are all required (CKAN
// sets q.op=AND), so the harvester's `organization:a OR organization:b metadata_modified:[… TO *]`
// means (a OR b) AND modified since. Negation is logical: `-organization:lviv` alone or nested
// means "not Lviv's". Anything else (boosts, fuzzy or inner wildcards, local params, other fields)
// is a SolrError naming the part: the caller answers 409 rather than a different result set.
import { searchFold } from '../../platform/i18n/collation.ts';

export class SolrError extends Error {}

export type SolrNode =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; items: SolrNode[] }
  | { kind: 'not'; item: SolrNode }
  | { kind: 'term'; field: string | null; value: string; phrase: boolean; match: 'exact' | 'prefix' | 'exists' }
  | {
      kind: 'range';
      field: string | null;
      low: string | null;
      high: string | null;
      lowInclusive: boolean;
      highInclusive: boolean;
    };

type FieldKind = 'string' | 'text' | 'array' | 'format' | 'int' | 'date' | 'state' | 'type' | 'private' | 'capacity';
interface Field {
  kind: FieldKind;
  sql: string;
  /** For arrays: how a value is stored (groups are upper-case EU theme codes). */
  normalise?: (value: string) => string;
}

const TITLES = `(d.title_uk || ' ' || d.title_en || ' ' || d.title_bg)`;
/** The fields a CKAN client may filter on, with the column each stands for. */
export const FIELDS: Record<string, Field> = {
  id: { kind: 'string', sql: 'd.uuid::text' },
  name: { kind: 'string', sql: 'd.name' },
  title: { kind: 'text', sql: TITLES },
  title_string: { kind: 'string', sql: 'd.title_uk' },
  text: { kind: 'text', sql: 'd.search_text' },
  organization: { kind: 'string', sql: 'c.slug' },
  owner_org: { kind: 'string', sql: 'c.slug' },
  groups: { kind: 'array', sql: 'd.themes', normalise: (v) => v.toUpperCase() },
  tags: { kind: 'array', sql: 'd.keywords' },
  res_format: { kind: 'format', sql: '' },
  license_id: { kind: 'string', sql: 'd.license_id' },
  state: { kind: 'state', sql: 'd.state' },
  dataset_type: { kind: 'type', sql: '' },
  type: { kind: 'type', sql: '' },
  private: { kind: 'private', sql: 'd.state' },
  capacity: { kind: 'capacity', sql: 'd.state' },
  num_resources: { kind: 'int', sql: '(SELECT count(*) FROM resources r WHERE r.dataset_id = d.id)' },
  num_tags: { kind: 'int', sql: 'cardinality(d.keywords)' },
  metadata_created: { kind: 'date', sql: `date_trunc('milliseconds', d.created_at)` },
  metadata_modified: { kind: 'date', sql: `date_trunc('milliseconds', d.modified_at)` },
};

const MAX_DEPTH = 12;
const MAX_CLAUSES = 100;
// Characters that end a bare term (a colon too, unless the term is a field's value).
const TERM_END = new Set([' ', '\t', '\n', '\r', '(', ')', '[', ']', '{', '}', '"', '^', '~']);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

class Parser {
  private pos = 0;
  private clauses = 0;
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  private fail(message: string, at = this.pos): never {
    const near = this.src.slice(at, at + 40);
    throw new SolrError(near ? `${message} at «${near}»` : `${message} at the end`);
  }
  private skip() {
    while (isSpace(this.src[this.pos])) this.pos++;
  }
  /** An upper-case operator word followed by a space, a bracket or a quote. */
  private word(w: string): boolean {
    if (!this.src.startsWith(w, this.pos)) return false;
    const next = this.src[this.pos + w.length];
    if (next !== undefined && !isSpace(next) && next !== '(' && next !== '"') return false;
    this.pos += w.length;
    return true;
  }
  private symbol(s: string): boolean {
    if (!this.src.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  parse(): SolrNode {
    const node = this.sequence(null, 0);
    this.skip();
    if (this.pos < this.src.length) this.fail('Unexpected ")"');
    return node;
  }

  private sequence(field: string | null, depth: number): SolrNode {
    if (depth > MAX_DEPTH) this.fail(`More than ${MAX_DEPTH} nested parentheses`);
    const items: SolrNode[] = [];
    for (;;) {
      this.skip();
      if (this.pos >= this.src.length || this.src[this.pos] === ')') break;
      items.push(this.or(field, depth));
    }
    if (!items.length) this.fail('Empty expression');
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private or(field: string | null, depth: number): SolrNode {
    const items = [this.and(field, depth)];
    for (;;) {
      this.skip();
      if (!this.word('OR') && !this.symbol('||')) break;
      items.push(this.and(field, depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private and(field: string | null, depth: number): SolrNode {
    const items = [this.unary(field, depth)];
    for (;;) {
      this.skip();
      if (!this.word('AND') && !this.symbol('&&')) break;
      items.push(this.unary(field, depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private unary(field: string | null, depth: number): SolrNode {
    this.skip();
    if (this.word('NOT') || this.symbol('!') || this.symbol('-'))
      return { kind: 'not', item: this.unary(field, depth) };
    if (this.symbol('+')) return this.unary(field, depth);
    return this.primary(field, depth);
  }

  private primary(field: string | null, depth: number): SolrNode {
    this.skip();
    const c = this.src[this.pos];
    if (c === undefined) this.fail('Expected a term');
    if (c === '(') {
      this.pos++;
      const node = this.sequence(field, depth + 1);
      if (!this.symbol(')')) this.fail('Missing ")"');
      return node;
    }
    if (c === '"' || c === '[' || c === '{') return this.value(field, depth);
    const start = this.pos;
    const token = this.term(false);
    if (!token.text) this.fail(`Unexpected "${c}"`);
    if (this.src[this.pos] === ':') {
      this.pos++;
      if (token.text === '*' && token.wild === 'prefix') {
        const star = this.term(true);
        if (star.text !== '*') this.fail('Expected *:*', start);
        return this.leaf({ kind: 'all' });
      }
      if (token.escaped || !FIELDS[token.text]) this.fail(`Field not supported: ${token.text}`, start);
      this.skip();
      return this.value(token.text, depth);
    }
    if (token.text === 'AND' || token.text === 'OR') this.fail(`${token.text} without a left side`, start);
    return this.termNode(field, token, start);
  }

  /** What follows `field:` — a group, a phrase, a range or a term. */
  private value(field: string | null, depth: number): SolrNode {
    const c = this.src[this.pos];
    if (c === '(') {
      this.pos++;
      const node = this.sequence(field, depth + 1);
      if (!this.symbol(')')) this.fail('Missing ")"');
      return node;
    }
    if (c === '"') {
      const text = this.phrase();
      this.noModifier();
      return this.leaf({ kind: 'term', field, value: text, phrase: true, match: 'exact' });
    }
    if (c === '[' || c === '{') {
      if (this.src[this.pos + 1] === '!') this.fail('Local parameters are not supported');
      const lowInclusive = c === '[';
      this.pos++;
      this.skip();
      const low = this.rangeEnd();
      this.skip();
      if (!this.word('TO')) this.fail('Expected TO in a range');
      this.skip();
      const high = this.rangeEnd();
      this.skip();
      const close = this.src[this.pos];
      if (close !== ']' && close !== '}') this.fail('Expected ] or } to close a range');
      this.pos++;
      this.noModifier();
      return this.leaf({ kind: 'range', field, low, high, lowInclusive, highInclusive: close === ']' });
    }
    const start = this.pos;
    const token = this.term(true);
    if (!token.text) this.fail(c === undefined ? 'Expected a value' : `Unexpected "${c}"`);
    return this.termNode(field, token, start);
  }

  private termNode(field: string | null, token: { text: string; wild: Wild }, start: number): SolrNode {
    this.noModifier();
    if (token.wild === 'inner') this.fail('Only a trailing * is supported as a wildcard', start);
    if (token.wild === 'prefix' && token.text === '*') {
      if (field === null) this.fail('A bare * is not supported; use *:*', start);
      return this.leaf({ kind: 'term', field, value: '', phrase: false, match: 'exists' });
    }
    const value = token.wild === 'prefix' ? token.text.slice(0, -1) : token.text;
    return this.leaf({
      kind: 'term',
      field,
      value,
      phrase: false,
      match: token.wild === 'prefix' ? 'prefix' : 'exact',
    });
  }

  private leaf(node: SolrNode): SolrNode {
    if (++this.clauses > MAX_CLAUSES) this.fail(`More than ${MAX_CLAUSES} clauses`);
    return node;
  }

  private noModifier() {
    const c = this.src[this.pos];
    if (c === '^') this.fail('Boosts (^) are not supported');
    if (c === '~') this.fail('Fuzzy and proximity searches (~) are not supported');
  }

  private term(allowColon: boolean): { text: string; wild: Wild; escaped: boolean } {
    let text = '';
    let wild: Wild = 'none';
    let escaped = false;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (TERM_END.has(c) || (c === ':' && !allowColon)) break;
      if (c === '\\') {
        const next = this.src[this.pos + 1];
        if (next === undefined) this.fail('A backslash at the end');
        text += next;
        escaped = true;
        this.pos += 2;
        continue;
      }
      if (c === '*' || c === '?') {
        // Only a trailing * counts as a prefix; it is checked once the term has ended.
        wild = c === '*' && wild === 'none' ? 'prefix' : 'inner';
      } else if (wild === 'prefix') wild = 'inner';
      text += c;
      this.pos++;
    }
    if (wild === 'prefix' && !text.endsWith('*')) wild = 'inner';
    return { text, wild, escaped };
  }

  private phrase(): string {
    const start = this.pos;
    this.pos++;
    let text = '';
    while (this.pos < this.src.length && this.src[this.pos] !== '"') {
      if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) this.pos++;
      text += this.src[this.pos];
      this.pos++;
    }
    if (this.src[this.pos] !== '"') this.fail('Unclosed quote', start);
    this.pos++;
    return text;
  }

  /** One end of a range: `*` (open), a quoted value or a run of characters up to a space or bracket. */
  private rangeEnd(): string | null {
    if (this.src[this.pos] === '"') return this.phrase();
    let text = '';
    let plainStar = false;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (isSpace(c) || c === ']' || c === '}') break;
      if (c === '\\' && this.pos + 1 < this.src.length) {
        text += this.src[this.pos + 1];
        this.pos += 2;
        continue;
      }
      text += c;
      plainStar = text === '*';
      this.pos++;
    }
    if (!text) this.fail('Expected a range bound');
    return plainStar ? null : text;
  }
}

type Wild = 'none' | 'prefix' | 'inner';

/** Parses q or fq; a SolrError names the first unsupported or malformed part. */
export function parseSolr(text: string): SolrNode {
  return new Parser(text).parse();
}

// ---- Compiling ----

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const UNITS: Record<string, 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'milli'> = {
  YEAR: 'year',
  MONTH: 'month',
  DAY: 'day',
  DATE: 'day',
  HOUR: 'hour',
  MINUTE: 'minute',
  SECOND: 'second',
  MILLI: 'milli',
  MILLISECOND: 'milli',
};

/** An ISO 8601 instant (UTC unless an offset is given) or NOW, with Solr's date math; as ISO text. */
export function solrDate(text: string, now = new Date()): string {
  const fail = (): never => {
    throw new SolrError(`Not a date: ${text.slice(0, 40)} (use ISO 8601 such as 2026-01-01T00:00:00Z, or NOW-1DAY)`);
  };
  let rest = text;
  let date: Date;
  if (rest.startsWith('NOW')) {
    date = new Date(now.getTime());
    rest = rest.slice(3);
  } else {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?/.exec(
      rest,
    );
    if (!m) return fail();
    const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7) as string[];
    const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
    const parts = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)];
    date = new Date(Date.UTC(parts[0]!, parts[1]! - 1, parts[2]!, parts[3]!, parts[4]!, parts[5]!, ms));
    if (
      parts[0]! < 1 ||
      date.getUTCMonth() !== parts[1]! - 1 ||
      date.getUTCDate() !== parts[2] ||
      date.getUTCHours() !== parts[3] ||
      date.getUTCMinutes() !== parts[4] ||
      date.getUTCSeconds() !== parts[5]
    )
      return fail();
    const zone = m[8];
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
      if (minutes > 18 * 60) return fail();
      date = new Date(date.getTime() - sign * minutes * 60_000);
    }
    rest = rest.slice(m[0].length);
  }
  // Date math: +N or -N units, or /UNIT to round down, any number of times.
  const math = /^(?:([+-])(\d{1,6})|\/)([A-Z]+?)S?(?=$|[+\-/])/;
  for (let step = 0; rest && step < 10; step++) {
    const m = math.exec(rest);
    const unit = m && UNITS[m[3]!];
    if (!m || !unit) return fail();
    if (m[1]) {
      const n = (m[1] === '-' ? -1 : 1) * Number(m[2]);
      if (unit === 'year') date.setUTCFullYear(date.getUTCFullYear() + n);
      else if (unit === 'month') date.setUTCMonth(date.getUTCMonth() + n);
      else {
        const ms = { day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000, milli: 1 }[unit];
        date = new Date(date.getTime() + n * ms);
      }
    } else {
      const fields: (typeof unit)[] = ['year', 'month', 'day', 'hour', 'minute', 'second', 'milli'];
      const keep = fields.indexOf(unit);
      date = new Date(
        Date.UTC(
          date.getUTCFullYear(),
          keep >= 1 ? date.getUTCMonth() : 0,
          keep >= 2 ? date.getUTCDate() : 1,
          keep >= 3 ? date.getUTCHours() : 0,
          keep >= 4 ? date.getUTCMinutes() : 0,
          keep >= 5 ? date.getUTCSeconds() : 0,
          keep >= 6 ? date.getUTCMilliseconds() : 0,
        ),
      );
    }
    rest = rest.slice(m[0].length);
  }
  if (rest || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return fail();
  return date.toISOString();
}

function integerValue(field: string, text: string): number {
  if (!/^[+-]?\d{1,9}$/.test(text)) throw new SolrError(`${field} takes a whole number, not ${text.slice(0, 40)}`);
  return Number(text);
}

/**
 * The SQL condition for a parsed query, its values appended to `params` as $n. Every condition is
 * true or false, never NULL, so that NOT means "all the others".
 */
export function compileSolr(node: SolrNode, params: unknown[]): string {
  const add = (value: unknown, cast = '') => {
    params.push(value);
    return `$${params.length}${cast}`;
  };
  switch (node.kind) {
    case 'all':
      return 'TRUE';
    case 'and':
    case 'or':
      return `(${node.items.map((i) => compileSolr(i, params)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compileSolr(node.item, params)})`;
    case 'term':
      return term(node, add);
    case 'range':
      return range(node, add);
  }
}

type Add = (value: unknown, cast?: string) => string;

function term(node: Extract<SolrNode, { kind: 'term' }>, add: Add): string {
  const name = node.field ?? 'text';
  const field = FIELDS[name]!;
  const { value, match } = node;
  const unsupported = (what: string): never => {
    throw new SolrError(`${what} is not supported on ${name}`);
  };
  switch (field.kind) {
    case 'string':
      if (match === 'exists') return 'TRUE';
      if (match === 'prefix') return `(${field.sql} LIKE ${add(`${likeEscape(value)}%`)})`;
      return `(${field.sql} = ${add(value)})`;
    case 'text': {
      // Words and phrases are found in the text folded as the search index folds it.
      if (match === 'exists') return 'TRUE';
      const folded = searchFold(value);
      const column = name === 'text' ? field.sql : `lower(${field.sql})`;
      return `(${column} LIKE ${add(`%${likeEscape(folded)}%`)})`;
    }
    case 'array': {
      const normalised = field.normalise ? field.normalise(value) : value;
      if (match === 'exists') return `(cardinality(${field.sql}) > 0)`;
      if (match === 'prefix')
        return `EXISTS (SELECT 1 FROM unnest(${field.sql}) v WHERE v LIKE ${add(`${likeEscape(normalised)}%`)})`;
      return `(${add(normalised, '::text')} = ANY(${field.sql}))`;
    }
    case 'format': {
      const condition =
        match === 'exists'
          ? `r.format <> ''`
          : match === 'prefix'
            ? `upper(r.format) LIKE ${add(`${likeEscape(value.toUpperCase())}%`)}`
            : `upper(r.format) = ${add(value.toUpperCase())}`;
      return `EXISTS (SELECT 1 FROM resources r WHERE r.dataset_id = d.id AND ${condition})`;
    }
    case 'int':
      if (match === 'exists') return 'TRUE';
      if (match === 'prefix') unsupported('A wildcard');
      return `(${field.sql} = ${add(integerValue(name, value), '::int')})`;
    case 'date':
      if (match === 'exists') return 'TRUE';
      if (match === 'prefix') unsupported('A wildcard');
      return `(${field.sql} = ${add(solrDate(value), '::timestamptz')})`;
    case 'state': {
      if (match === 'exists') return 'TRUE';
      if (match === 'prefix') unsupported('A wildcard');
      const states: Record<string, string> = {
        active: `d.state IN ('published', 'private')`,
        draft: `d.state = 'draft'`,
        deleted: `d.state = 'deleted'`,
      };
      return `(${states[value] ?? 'FALSE'})`;
    }
    case 'type':
      if (match === 'prefix') return 'dataset'.startsWith(value) ? 'TRUE' : 'FALSE';
      return match === 'exists' || value === 'dataset' ? 'TRUE' : 'FALSE';
    case 'private':
      if (match === 'exists') return 'TRUE';
      if (value !== 'true' && value !== 'false') throw new SolrError(`private takes true or false, not ${value}`);
      return value === 'true' ? `(d.state = 'private')` : `(d.state <> 'private')`;
    case 'capacity':
      if (match === 'exists') return 'TRUE';
      if (match === 'prefix') unsupported('A wildcard');
      return value === 'private' ? `(d.state = 'private')` : value === 'public' ? `(d.state <> 'private')` : 'FALSE';
  }
}

function range(node: Extract<SolrNode, { kind: 'range' }>, add: Add): string {
  const name = node.field ?? 'text';
  const field = FIELDS[name]!;
  let convert: (text: string) => string;
  let cast: string;
  let column = field.sql;
  if (field.kind === 'date') {
    convert = solrDate;
    cast = '::timestamptz';
  } else if (field.kind === 'int') {
    convert = (t) => String(integerValue(name, t));
    cast = '::int';
  } else if (field.kind === 'string') {
    convert = (t) => t;
    cast = '::text';
    column = `(${field.sql} COLLATE "C")`;
  } else throw new SolrError(`A range is not supported on ${name}`);
  const parts: string[] = [];
  if (node.low !== null) parts.push(`${column} ${node.lowInclusive ? '>=' : '>'} ${add(convert(node.low), cast)}`);
  if (node.high !== null) parts.push(`${column} ${node.highInclusive ? '<=' : '<'} ${add(convert(node.high), cast)}`);
  return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
}

// ---- Sorting ----

export type SortKey =
  | 'id'
  | 'name'
  | 'title'
  | 'created'
  | 'modified'
  | 'score'
  | 'num_resources'
  | 'num_tags'
  | 'license';
export interface SortTerm {
  key: SortKey;
  desc: boolean;
}

/** Fields `sort` accepts, as CKAN names them. */
export const SORT_FIELDS: Record<string, SortKey> = {
  id: 'id',
  name: 'name',
  title: 'title',
  title_string: 'title',
  metadata_created: 'created',
  metadata_modified: 'modified',
  score: 'score',
  relevance: 'score',
  num_resources: 'num_resources',
  num_tags: 'num_tags',
  license_id: 'license',
};

/** Solr's sort: a comma-separated list of `field asc|desc`. */
export function parseSort(text: string): SortTerm[] {
  const terms = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (!terms.length || terms.length > 5) throw new SolrError('Expected one to five `field asc|desc`, comma-separated');
  return terms.map((part) => {
    const m = /^([A-Za-z_]+)\s+(asc|desc)$/i.exec(part);
    if (!m) throw new SolrError(`Expected "field asc" or "field desc", not ${part.slice(0, 40)}`);
    const key = SORT_FIELDS[m[1]!.toLowerCase()];
    if (!key) throw new SolrError(`Cannot sort by ${m[1]}; use ${Object.keys(SORT_FIELDS).join(', ')}`);
    // The old "relevance asc" meant best first, as "score desc" does.
    const desc = m[1]!.toLowerCase() === 'relevance' ? true : m[2]!.toLowerCase() === 'desc';
    return { key, desc };
  });
}
