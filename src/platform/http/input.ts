// Input no route ever accepts, refused once here before any module sees it, with a 400 that names
// the parameter and where it was (query, path, body):
// - a NUL byte in any value or name (PostgreSQL cannot store one in text, so it failed as a 500
//   deep inside whatever query it reached);
// - a query string or form body that is not valid percent-encoded UTF-8 (the parser let "%FF"
//   through as the three characters "%FF");
// - a query parameter given more than once where the route's schema does not take a list
//   (handlers expect one string);
// - a number that is not finite: JSON's 1e999 is Infinity, and Ajv coerces "1e999" in a query or
//   path to Infinity without applying the schema's minimum and maximum.
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import querystring from 'node:querystring';
import { ValidationError, type FieldProblem } from '../errors.ts';

export type InputPlace = NonNullable<FieldProblem['in']>;

/** Decodes one `name=value` component as browsers encode forms; null when it is not valid UTF-8. */
function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * The problems of a query string or form body: names and values that are not valid UTF-8 once
 * percent-decoded, or that hold a NUL byte. Each problem names the parameter (as far as it can be
 * read) and `place`.
 */
export function encodingProblems(text: string, place: InputPlace): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!text) return problems;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const rawValue = equals < 0 ? '' : pair.slice(equals + 1);
    const name = decodeComponent(rawName);
    const value = decodeComponent(rawValue);
    const field = printable(name ?? rawName);
    if (name === null || value === null) problems.push({ field, message: 'validation.bad_encoding', in: place });
    else if (name.includes('\0') || value.includes('\0'))
      problems.push({ field, message: 'validation.nul_byte', in: place });
  }
  return problems;
}

/** A name fit to quote in a message: no control characters, at most 100 characters. */
function printable(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}

/** Where a value sits in a parsed body: its key and its parent's place (the path is built only when needed). */
interface Place {
  key: string;
  parent: Place | null;
}

function pathOf(place: Place | null): string {
  const keys: string[] = [];
  for (let p = place; p; p = p.parent) keys.push(p.key);
  return printable(keys.reverse().join('/'));
}

/**
 * The problems of a parsed value (a JSON body, the path parameters): strings or property names
 * with a NUL byte, and numbers that are not finite, each named by its path ("extras/0/value").
 * Walked without recursion, since a body may nest arrays fifty thousand deep.
 */
export function valueProblems(value: unknown, where: InputPlace): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const problem = (place: Place | null, message: string) =>
    problems.push({ field: pathOf(place) || where, message, in: where });
  const stack: [unknown, Place | null][] = [[value, null]];
  while (stack.length > 0 && problems.length < 20) {
    const [item, place] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\0')) problem(place, 'validation.nul_byte');
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) problem(place, 'validation.finite_number');
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], { key: String(i), parent: place }]);
    } else if (item !== null && typeof item === 'object') {
      for (const key of Object.keys(item).reverse()) {
        if (key.includes('\0')) problem({ key, parent: place }, 'validation.nul_byte');
        else stack.push([(item as Record<string, unknown>)[key], { key, parent: place }]);
      }
    }
  }
  return problems;
}

/** Whether a JSON schema lets a value be a list. */
function allowsList(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const s = schema as { type?: unknown; anyOf?: unknown[]; oneOf?: unknown[] };
  if (s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array'))) return true;
  return [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(allowsList);
}

/** Query parameters given more than once that the route does not take as a list. */
function repeatedProblems(request: FastifyRequest): FieldProblem[] {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || typeof query !== 'object') return [];
  const declared = (request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  return Object.keys(query)
    .filter((name) => Array.isArray(query[name]) && !allowsList(declared?.[name]))
    .map((name) => ({ field: printable(name), message: 'validation.repeated', in: 'query' as const }));
}

function refuse(problems: FieldProblem[]): void {
  if (problems.length > 0) throw new ValidationError(problems, 400);
}

/**
 * Before schema validation: the raw query string, the path parameters and the parsed body.
 * (Form bodies were checked byte for byte by `strictFormParser` as they were parsed.)
 */
export async function refuseHostileInput(request: FastifyRequest): Promise<void> {
  const url = request.raw.url ?? '';
  const question = url.indexOf('?');
  refuse([
    ...(question >= 0 ? encodingProblems(url.slice(question + 1).split('#')[0]!, 'query') : []),
    ...repeatedProblems(request),
    ...valueProblems(request.params, 'path'),
    ...valueProblems(request.body, 'body'),
  ]);
}

/** After schema validation: values the schema coerced into numbers that are not finite. */
export async function refuseNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  refuse([
    ...valueProblems(request.query, 'query'),
    ...valueProblems(request.params, 'path'),
    ...valueProblems(request.body, 'body'),
  ]);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON-body parser: Fastify's own (prototype-poisoning checks and all), after the bytes are
 * checked to be UTF-8; decoding them loosely turned invalid bytes into U+FFFD and stored those.
 */
export function strictJsonParser(fastify: FastifyInstance): FastifyBodyParser<Buffer> {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      done(new ValidationError([{ field: 'body', message: 'validation.not_utf8', in: 'body' }], 400), undefined);
      return;
    }
    parseJson(request, text, done);
  };
}

/** The form-body parser: as @fastify/formbody's, but a body that is not valid UTF-8 is refused. */
export function strictFormParser(text: string): Record<string, unknown> {
  refuse(encodingProblems(text, 'body'));
  return querystring.parse(text, undefined, undefined, { maxKeys: 0 });
}
