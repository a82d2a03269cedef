// OCDS merge rules (OCDS 1.1, "Merging", https://standard.open-contracting.org/1.1/en/schema/merging/):
// releases of one contracting process, in date order, are merged into its compiled release.
// - `id`, `date` and `tag` are omitted when merged (omitWhenMerged); the compiled release gets
//   tag ["compiled"], the latest release's date, and id "{ocid}-{date}" as the reference
//   implementation (open-contracting/ocds-merge) does.
// - Objects merge field by field; a null removes the field.
// - Literals, and arrays of anything but objects, are replaced.
// - Arrays of objects merge by `id` (identifier merge): matching objects merge, others are appended.
//   Arrays whose schema says wholeListMerge (additionalIdentifiers, additionalClassifications), and
//   arrays of objects without `id`, are replaced whole.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const OMIT_WHEN_MERGED = new Set(['id', 'date', 'tag']);
const WHOLE_LIST_MERGE = new Set(['additionalIdentifiers', 'additionalClassifications']);

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeArray(key: string, output: Json | undefined, input: Json[]): Json {
  const objects = input.length > 0 && input.every(isObject);
  if (!objects || WHOLE_LIST_MERGE.has(key) || !input.every((o) => (o as JsonObject).id !== undefined)) return input;
  if (input.length === 0) return output ?? input;
  const result: JsonObject[] = Array.isArray(output) && output.every(isObject) ? output.map((o) => ({ ...o })) : [];
  for (const item of input as JsonObject[]) {
    const match = result.findIndex((o) => String(o.id) === String(item.id));
    if (match >= 0) result[match] = mergeObject(result[match]!, item, false);
    else result.push(mergeObject({}, item, false));
  }
  return result;
}

function mergeObject(output: JsonObject, input: JsonObject, topLevel: boolean): JsonObject {
  const result: JsonObject = { ...output };
  for (const [key, value] of Object.entries(input)) {
    if (topLevel && OMIT_WHEN_MERGED.has(key)) continue;
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeArray(key, result[key], value);
    else if (isObject(value)) result[key] = mergeObject(isObject(result[key]) ? result[key] : {}, value, false);
    else result[key] = value;
  }
  return result;
}

/** The compiled release of releases of one ocid (any order: they are sorted by date, stably). */
export function compileReleases(releases: Record<string, unknown>[]): Record<string, unknown> {
  if (!releases.length) throw new Error('no releases to compile');
  const sorted = [...releases].sort((a, b) => Date.parse(String(a.date)) - Date.parse(String(b.date)));
  let compiled: JsonObject = {};
  for (const release of sorted) compiled = mergeObject(compiled, release as JsonObject, true);
  const last = sorted[sorted.length - 1]!;
  const ocid = String(last.ocid);
  const date = String(last.date);
  return { ...compiled, ocid, id: `${ocid}-${date}`, date, tag: ['compiled'] };
}
