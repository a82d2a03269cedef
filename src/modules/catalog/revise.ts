// package_revise's dictionary operations, as CKAN's ckan/lib/navl/dictization_functions.py defines
// them: match a dataset dict against a partial one, filter fields out by glob patterns, and merge
// updates in, with "flattened keys" such as `resources__0__name` or `resources__1f9ab__url` (a list
// item by its index or by the first five or more characters of its id).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Dict = { [key: string]: Json };
type Path = (string | number)[];

/** An operation that cannot apply to the dict (CKAN's DataError), with CKAN's message. */
export class ReviseError extends Error {}

/** Sets a key as an own property, whatever its name (a "__proto__" key stays data, never a prototype). */
const put = (dict: Dict, key: string, value: Json) =>
  Object.defineProperty(dict, key, { value, writable: true, enumerable: true, configurable: true });

const isDict = (value: unknown): value is Dict => !!value && typeof value === 'object' && !Array.isArray(value);
const joined = (path: Path) => path.map(String).join('__');

/** Deep equality of JSON values, as Python's == on parsed JSON. */
function same(a: Json | undefined, b: Json | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => same(item, b[i]));
  }
  if (isDict(a) || isDict(b)) {
    if (!isDict(a) || !isDict(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}

/** The paths in `select` whose values differ from `data`'s (check_dict / check_list). */
export function unmatched(data: Json | undefined, select: Json, path: Path = []): Path[] {
  if (isDict(select)) {
    if (!isDict(data)) return [path];
    return Object.keys(select)
      .sort()
      .flatMap((k) => (Object.hasOwn(data, k) ? unmatchedValue(data[k]!, select[k]!, [...path, k]) : [[...path, k]]));
  }
  if (Array.isArray(select)) {
    if (!Array.isArray(data)) return [path];
    return select.flatMap((v, i) => (i >= data.length ? [[...path, i]] : unmatchedValue(data[i]!, v, [...path, i])));
  }
  return same(data, select) ? [] : [path];
}
const unmatchedValue = (data: Json, select: Json, path: Path): Path[] =>
  isDict(select) || Array.isArray(select) ? unmatched(data, select, path) : same(data, select) ? [] : [path];

/** The value at a flattened key and its path (resolve_string_key). */
export function resolve(data: Json, key: string): { value: Json; path: Path } {
  const path: Path = [];
  let current: Json = data;
  for (const k of key.split('__')) {
    const fail = () => new ReviseError(`Unmatched key ${joined([...path, k])}`);
    if (isDict(current)) {
      if (!Object.hasOwn(current, k)) throw fail();
      path.push(k);
      current = current[k]!;
      continue;
    }
    if (!Array.isArray(current)) throw fail();
    if (k.length >= 5) {
      const list: Json[] = current;
      const index = list.findIndex((item) => {
        if (!isDict(item) || typeof item.id !== 'string') throw fail();
        return item.id.startsWith(k);
      });
      if (index < 0) throw fail();
      path.push(index);
      current = list[index]!;
      continue;
    }
    const index = /^-?\d+$/.test(k) ? Number(k) : Number.NaN;
    if (!(index >= -current.length && index < current.length)) throw fail();
    const position = index < 0 ? current.length + index : index;
    path.push(position);
    current = current[position]!;
  }
  return { value: current, path };
}

/** Merges `update` into `data` in place (update_merge_dict / update_merge_list). */
export function mergeDict(data: Dict, update: Json, path: Path = []): void {
  if (!isDict(update)) throw new ReviseError(`Expected dict for ${joined(path)}`);
  for (const [k, v] of Object.entries(update)) {
    const current = data[k];
    if (!Object.hasOwn(data, k)) put(data, k, v);
    else if (isDict(current)) mergeDict(current, v, [...path, k]);
    else if (Array.isArray(current)) mergeList(current, v, [...path, k]);
    else put(data, k, v);
  }
}

function mergeList(data: Json[], update: Json, path: Path): void {
  if (!Array.isArray(update)) throw new ReviseError(`Expected list for ${joined(path)}`);
  update.forEach((v, i) => {
    const current = data[i];
    if (i >= data.length) data.push(v);
    else if (isDict(current)) mergeDict(current, v, [...path, i]);
    else if (Array.isArray(current)) mergeList(current, v, [...path, i]);
    else data[i] = v;
  });
}

/** One `update__<key>` (update_merge_string_key), `__extend` appending to a list. */
export function mergeKey(data: Dict, key: string, value: Json): void {
  const parts = key.split('__');
  const last = parts.pop()!;
  const parentKey = parts.join('__');
  const { value: parent, path } = parentKey ? resolve(data, parentKey) : { value: data as Json, path: [] as Path };
  if (isDict(parent)) {
    mergeDict(parent, { [last]: value }, path);
    return;
  }
  if (!Array.isArray(parent)) throw new ReviseError(`Expected list or dict for ${parentKey}`);
  if (last === 'extend') {
    if (!Array.isArray(value)) throw new ReviseError(`Expected list for ${parentKey}`);
    parent.push(...value);
    return;
  }
  const { value: child, path: childPath } = resolve(parent, last);
  const index = childPath[0] as number;
  if (isDict(child)) mergeDict(child, value, [...path, index]);
  else if (Array.isArray(child)) mergeList(child, value, [...path, index]);
  else parent[index] = value;
}

/**
 * Removes fields by glob patterns in place (filter_glob_match): `-resources__1` removes the second
 * resource, `+title` protects title from a later `-*`; the first pattern to match a field wins.
 */
export function filterGlob(data: Json, patterns: string[]): void {
  filterParsed(
    data,
    patterns.map((p) => ({ keep: p.startsWith('+'), globs: p.replace(/^[-+]+/, '').split('__') })),
  );
}

type Glob = { keep: boolean; globs: string[] };
function filterParsed(data: Json, parsed: Glob[]): void {
  if (isDict(data)) {
    const protectedKeys: Dict = {};
    const children = new Map<string, Glob[]>();
    for (const { keep, globs } of parsed) {
      const head = globs[0]!;
      if (head === '*') {
        if (keep) for (const [k, v] of Object.entries(data)) put(protectedKeys, k, v);
        else for (const k of Object.keys(data)) delete data[k];
        continue;
      }
      if (!Object.hasOwn(data, head)) continue;
      if (globs.length > 1) children.set(head, [...(children.get(head) ?? []), { keep, globs: globs.slice(1) }]);
      else if (keep) put(protectedKeys, head, data[head]!);
      else delete data[head];
    }
    for (const [k, v] of Object.entries(protectedKeys)) put(data, k, v);
    for (const [head, globs] of children) if (Object.hasOwn(data, head)) filterParsed(data[head]!, globs);
    return;
  }
  if (!Array.isArray(data)) return;
  const kept = new Set<number>();
  const removed = new Set<number>();
  const children = new Map<number, Glob[]>();
  const all = data.map((_, i) => i);
  for (const { keep, globs } of parsed) {
    const head = globs[0]!;
    if (head === '*') {
      if (keep) for (const i of all) if (!removed.has(i)) kept.add(i);
      if (!keep) for (const i of all) if (!kept.has(i)) removed.add(i);
      continue;
    }
    let index: number;
    try {
      index = resolve(data, head).path[0] as number;
    } catch (error) {
      if (error instanceof ReviseError) continue;
      throw error;
    }
    if (globs.length > 1) children.set(index, [...(children.get(index) ?? []), { keep, globs: globs.slice(1) }]);
    else if (keep) {
      if (!removed.has(index)) kept.add(index);
    } else if (!kept.has(index)) removed.add(index);
  }
  const gone = (i: number) => removed.has(i) && !kept.has(i);
  for (const [index, globs] of children) if (!gone(index)) filterParsed(data[index]!, globs);
  const remaining = data.filter((_, i) => !gone(i));
  data.splice(0, data.length, ...remaining);
}

/** CKAN's json_or_string: a string that parses as JSON is that JSON, else the string. */
export function jsonOrString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** CKAN's json_list_or_string: JSON, else a comma-separated list. */
export function jsonListOrString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value.split(',');
  }
}
