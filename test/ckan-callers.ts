// The callers of the CKAN API in tests: the demo's anonymous visitor, citizen, Lviv editor and
// admin, plus an editor of another city (Zhytomyr), each with an API token, calling actions as
// ckanapi's RemoteCKAN and CKAN's own CLI do: a POST of a JSON body to /api/3/action/<name> with
// the token in the Authorization header (ckanapi sends it as X-CKAN-API-Key too).
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createApiToken } from '../src/platform/auth.ts';
import { createConfirmedUser } from '../src/modules/accounts/service.ts';
import { DEMO_PASSWORD } from '../src/demo/seed.ts';

export interface CkanAnswer {
  status: number;
  body: string;
  success: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: an action's result is whatever JSON it returns
  result: any;
  error: Record<string, unknown> & { __type: string; message: string };
}

export type CkanCall = (action: string, data?: unknown, method?: 'GET' | 'POST') => Promise<CkanAnswer>;

/**
 * A RemoteCKAN-like caller with this token (or none): a POST of JSON to /api/action/<name>, or a
 * GET of /api/3/action/<name> with the data as the query string, as a browser widget sends it.
 */
export function ckanCaller(app: FastifyInstance, token?: string): CkanCall {
  return async (action, data = {}, method = 'POST') => {
    const headers: Record<string, string> = {
      'user-agent': 'ckanapi/4.8 (+https://github.com/ckan/ckanapi)',
      ...(token ? { authorization: token, 'x-ckan-api-key': token } : {}),
    };
    const query = new URLSearchParams(
      Object.entries(data as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v),
      ]),
    ).toString();
    const response =
      method === 'GET'
        ? await app.inject({ method, url: `/api/3/action/${action}${query ? `?${query}` : ''}`, headers })
        : await app.inject({
            method,
            // RemoteCKAN posts to api/action/<name>; CKAN serves it as /api/3/action/<name> too.
            url: `/api/action/${action}`,
            headers: { ...headers, 'content-type': 'application/json' },
            payload: JSON.stringify(data),
          });
    assert.match(String(response.headers['content-type']), /^application\/json/, `${action}: ${response.body}`);
    const body = response.json() as { success: boolean; help: string; result?: unknown; error?: CkanAnswer['error'] };
    assert.match(body.help, /\/api\/3\/action\/help_show\?name=/);
    return {
      status: response.statusCode,
      body: response.body,
      success: body.success,
      result: body.result,
      error: body.error!,
    };
  };
}

export async function userId(app: FastifyInstance, email: string): Promise<number> {
  const row = await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]);
  return row!.id;
}

export interface Callers {
  anonymous: CkanCall;
  citizen: CkanCall;
  editor: CkanCall;
  otherEditor: CkanCall;
  admin: CkanCall;
  ids: { citizen: number; editor: number; otherEditor: number; admin: number };
  tokens: { citizen: string; editor: string; otherEditor: string; admin: string };
}

/** Tokens for the demo's citizen, Lviv editor and admin and for a new Zhytomyr editor. */
export async function ckanCallers(app: FastifyInstance): Promise<Callers> {
  const other = await createConfirmedUser(
    app.db,
    { userId: null, label: 'test' },
    {
      email: 'editor.zhytomyr@hromada.test',
      password: DEMO_PASSWORD,
      displayName: 'Zhytomyr editor',
      role: 'city_editor',
      organization: 'zhytomyr-city-council',
    },
  );
  const ids = {
    citizen: await userId(app, 'citizen@hromada.demo'),
    editor: await userId(app, 'editor.lviv@hromada.demo'),
    otherEditor: other.id,
    admin: await userId(app, 'admin@hromada.demo'),
  };
  const token = async (id: number) => (await createApiToken(app.db, id, 'ckan')).token;
  const tokens = {
    citizen: await token(ids.citizen),
    editor: await token(ids.editor),
    otherEditor: await token(ids.otherEditor),
    admin: await token(ids.admin),
  };
  return {
    anonymous: ckanCaller(app),
    citizen: ckanCaller(app, tokens.citizen),
    editor: ckanCaller(app, tokens.editor),
    otherEditor: ckanCaller(app, tokens.otherEditor),
    admin: ckanCaller(app, tokens.admin),
    ids,
    tokens,
  };
}

/** A CKAN error answer: the status, CKAN's __type and, if given, a field the error names. */
export function assertCkanError(answer: CkanAnswer, status: number, type: string, field?: string): void {
  assert.equal(answer.status, status, answer.body);
  assert.equal(answer.success, false);
  assert.equal(answer.error.__type, type, answer.body);
  if (field) assert.ok(Object.hasOwn(answer.error, field) || answer.error.message.includes(field), answer.body);
}
