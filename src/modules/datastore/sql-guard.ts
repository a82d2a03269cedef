// What datastore_search_sql lets through, decided on PostgreSQL's own parse tree (libpg_query,
// the server's parser compiled to WebAssembly) before anything reaches the database.
//
// Accepted: exactly one SELECT (with CTEs, joins, subqueries, window functions, set operations)
// that reads DataStore resources by their id (`FROM "<resource id>"`) and calls only the
// functions and casts listed below. Everything else is refused with the reason: other
// statements, SELECT … INTO, FOR UPDATE, data-modifying CTEs, schemas (system catalogs
// included), parameters, functions outside the list (pg_sleep, set_config, current_setting,
// query_to_xml, pg_read_file, lo_import, dblink, generate_series…), casts to reg* types.
//
// The walk allows node types by name, so a node this file does not know is refused, not
// passed through. This is the first of two locks: the query then runs as a login role that
// can read nothing but the views of public resources (see sql-sandbox.ts).
import { parse } from 'libpg-query';

export class SqlRefused extends Error {}

const RESOURCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_RESOURCES = 20;

/** The functions people use for analysis: aggregates, windows, text, numbers, dates, JSON building. */
export const ALLOWED_FUNCTIONS = new Set(
  `count sum avg min max stddev stddev_pop stddev_samp variance var_pop var_samp string_agg array_agg
  bool_and bool_or every percentile_cont percentile_disc mode corr covar_pop covar_samp regr_slope regr_intercept
  regr_r2 json_agg jsonb_agg json_object_agg jsonb_object_agg
  row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
  length char_length character_length octet_length bit_length lower upper initcap trim btrim ltrim rtrim
  substring substr left right position strpos replace translate split_part concat concat_ws format reverse
  starts_with regexp_replace regexp_match regexp_matches regexp_split_to_array regexp_like regexp_count
  regexp_substr regexp_instr md5 to_char to_number to_date to_timestamp ascii chr overlay normalize
  like_escape similar_to_escape similar_escape
  abs ceil ceiling floor round trunc sign sqrt cbrt power pow exp ln log log10 mod div pi width_bucket random
  degrees radians sin cos tan asin acos atan atan2 gcd lcm scale
  now date_trunc date_part extract age make_date make_time make_timestamp make_timestamptz make_interval
  justify_days justify_hours justify_interval date_bin isfinite timezone clock_timestamp statement_timestamp
  json_build_object jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb row_to_json
  unnest string_to_array array_to_string array_length cardinality array_position array_positions
  array_append array_cat array_remove array_replace`.split(/\s+/),
);

/** Types a value may be cast to (the last part of the name; `pg_catalog.` is allowed before it). */
const ALLOWED_TYPES = new Set(
  `text varchar bpchar char name int2 int4 int8 smallint integer bigint int numeric decimal float4 float8 real
  bool boolean date time timetz timestamp timestamptz interval json jsonb uuid`.split(/\s+/),
);

/** CURRENT_DATE and friends; CURRENT_USER, SESSION_USER and CURRENT_SCHEMA are not needed for analysis. */
const ALLOWED_VALUE_FUNCTIONS = new Set([
  'SVFOP_CURRENT_DATE',
  'SVFOP_CURRENT_TIME',
  'SVFOP_CURRENT_TIME_N',
  'SVFOP_CURRENT_TIMESTAMP',
  'SVFOP_CURRENT_TIMESTAMP_N',
  'SVFOP_LOCALTIME',
  'SVFOP_LOCALTIME_N',
  'SVFOP_LOCALTIMESTAMP',
  'SVFOP_LOCALTIMESTAMP_N',
]);

/** Parse-tree nodes with nothing to check beyond their children. */
const PLAIN_NODES = new Set([
  'ResTarget',
  'ColumnRef',
  'A_Const',
  'BoolExpr',
  'TypeCast',
  'RangeSubselect',
  'JoinExpr',
  'WindowDef',
  'CaseExpr',
  'CaseWhen',
  'CoalesceExpr',
  'MinMaxExpr',
  'NullTest',
  'BooleanTest',
  'A_Star',
  'A_Indirection',
  'A_Indices',
  'A_ArrayExpr',
  'RowExpr',
  'String',
  'Integer',
  'Float',
  'Boolean',
  'BitString',
  'List',
  'GroupingSet',
  'GroupingFunc',
  'Alias',
  'NamedArgExpr',
]);

type Tree = Record<string, unknown>;

const isNode = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The single node type of a wrapped node (`{ SelectStmt: {…} }`), or undefined for a plain struct. */
function nodeType(value: Tree): string | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 && /^[A-Z]/.test(keys[0]!) ? keys[0] : undefined;
}

function names(list: unknown): string[] {
  return Array.isArray(list)
    ? list.map((item) => String((item as { String?: { sval?: string } }).String?.sval ?? ''))
    : [];
}

/** A qualified name may only be qualified by pg_catalog; returns the unqualified name. */
function builtinName(list: unknown, what: string): string {
  const parts = names(list);
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog')) {
    throw new SqlRefused(`${what} "${parts.join('.')}" is outside the allowed list`);
  }
  return parts.at(-1)!.toLowerCase();
}

class Walk {
  readonly resources = new Set<string>();

  statement(stmt: Tree): void {
    const select = stmt.SelectStmt as Tree | undefined;
    if (!select) throw new SqlRefused(`only SELECT is allowed, not ${nodeType(stmt) ?? 'this statement'}`);
    this.select(select, new Set());
  }

  /** A SELECT with the names of the CTEs visible to it. */
  select(select: Tree, visible: ReadonlySet<string>): void {
    if (select.intoClause) throw new SqlRefused('SELECT … INTO is not allowed');
    if (select.lockingClause) throw new SqlRefused('FOR UPDATE and FOR SHARE are not allowed');
    let inner = visible;
    const withClause = select.withClause as Tree | undefined;
    if (withClause) {
      const ctes = (withClause.ctes as Tree[]).map((node) => node.CommonTableExpr as Tree);
      const ctenames = ctes.map((cte) => String(cte.ctename));
      // A recursive WITH sees all its names everywhere; otherwise each sees the ones before it.
      ctes.forEach((cte, i) => {
        const seen = new Set([...visible, ...(withClause.recursive ? ctenames : ctenames.slice(0, i))]);
        const query = cte.ctequery as Tree;
        if (!query.SelectStmt) throw new SqlRefused(`a data-modifying WITH (${nodeType(query)}) is not allowed`);
        this.select(query.SelectStmt as Tree, seen);
        for (const [key, value] of Object.entries(cte)) if (key !== 'ctequery') this.any(value, seen);
      });
      inner = new Set([...visible, ...ctenames]);
    }
    // The arms of UNION, INTERSECT and EXCEPT are SELECTs of their own, with the same checks.
    for (const arm of [select.larg, select.rarg]) if (isNode(arm)) this.select(arm, inner);
    for (const [key, value] of Object.entries(select)) {
      if (key !== 'withClause' && key !== 'larg' && key !== 'rarg') this.any(value, inner);
    }
  }

  any(value: unknown, visible: ReadonlySet<string>): void {
    if (Array.isArray(value)) {
      for (const item of value) this.any(item, visible);
      return;
    }
    if (!isNode(value)) return;
    const type = nodeType(value);
    if (type === undefined) {
      // A plain struct inside a node (an alias, a window, a type name, a constant's value); the
      // shapes that matter are recognised by their fields, so none slips through unchecked.
      if ('relname' in value) this.relation(value, visible);
      else if ('names' in value && 'typemod' in value) this.typeName(value);
      else if ('limitOption' in value || 'targetList' in value) this.select(value, visible);
      else for (const child of Object.values(value)) this.any(child, visible);
      return;
    }
    const node = value[type] as Tree;
    switch (type) {
      case 'SelectStmt':
        this.select(node, visible);
        return;
      case 'RangeVar':
        this.relation(node, visible);
        return;
      case 'FuncCall': {
        const name = builtinName(node.funcname, 'function');
        if (!ALLOWED_FUNCTIONS.has(name)) throw new SqlRefused(`function "${name}" is not allowed`);
        for (const [key, child] of Object.entries(node)) if (key !== 'funcname') this.any(child, visible);
        return;
      }
      case 'RangeFunction':
        if (node.is_rowsfrom || node.coldeflist)
          throw new SqlRefused('ROWS FROM and column definition lists are not allowed');
        for (const child of Object.values(node)) this.any(child, visible);
        return;
      case 'TypeName':
        this.typeName(node);
        return;
      case 'SubLink':
      case 'SortBy': {
        const operator = type === 'SubLink' ? node.operName : node.useOp;
        if (operator) builtinName(operator, 'operator');
        for (const [key, child] of Object.entries(node))
          if (key !== 'operName' && key !== 'useOp') this.any(child, visible);
        return;
      }
      case 'A_Expr':
        builtinName(node.name, 'operator');
        for (const [key, child] of Object.entries(node)) if (key !== 'name') this.any(child, visible);
        return;
      case 'CollateClause':
        builtinName(node.collname, 'collation');
        this.any(node.arg, visible);
        return;
      case 'SQLValueFunction':
        if (!ALLOWED_VALUE_FUNCTIONS.has(String(node.op)))
          throw new SqlRefused(`${String(node.op).slice(6)} is not allowed`);
        return;
      default:
        if (!PLAIN_NODES.has(type)) throw new SqlRefused(`${type} is not allowed`);
        for (const child of Object.values(node)) this.any(child, visible);
    }
  }

  typeName(typeName: Tree): void {
    const name = builtinName(typeName.names, 'type');
    if (!ALLOWED_TYPES.has(name)) throw new SqlRefused(`casting to "${name}" is not allowed`);
    this.any(typeName.typmods, new Set());
  }

  relation(rangeVar: Tree, visible: ReadonlySet<string>): void {
    const name = String(rangeVar.relname);
    if (rangeVar.catalogname || rangeVar.schemaname) {
      throw new SqlRefused(
        `"${[rangeVar.catalogname, rangeVar.schemaname, name].filter(Boolean).join('.')}": only resources may be read, named by their id`,
      );
    }
    if (visible.has(name)) return;
    if (!RESOURCE_ID.test(name)) {
      throw new SqlRefused(`"${name}" is not a resource: name resources by their id, in double quotes`);
    }
    this.resources.add(name);
    if (this.resources.size > MAX_RESOURCES) throw new SqlRefused(`at most ${MAX_RESOURCES} resources in one query`);
    this.any(rangeVar.alias, visible);
  }
}

/**
 * Parses `sql` with PostgreSQL's parser and checks it against the rules above. Returns the ids of
 * the resources it reads; throws SqlRefused with the reason otherwise.
 */
export async function checkSelect(sql: string): Promise<{ resourceIds: string[] }> {
  let tree: { stmts?: { stmt: Tree }[] };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (error) {
    throw new SqlRefused(`the SQL does not parse: ${(error as Error).message}`);
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1) throw new SqlRefused(`exactly one statement is allowed, found ${statements.length}`);
  const walk = new Walk();
  walk.statement(statements[0]!.stmt);
  return { resourceIds: [...walk.resources] };
}
