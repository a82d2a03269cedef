// CKAN's activity streams (ckanext-activity, CKAN 2.10/2.11) built from the audit log: every
// change to a dataset there becomes an activity, "new package" (dataset.create), "deleted package"
// (its state set to deleted) or "changed package" (its metadata, state or resources), with the
// package as it was after the change in `data.package`. As CKAN's permission labels, stored with
// each activity when it happens, an activity is public only if the dataset was public after it
// (or, for a deletion, before it); the rest are shown only to the editors of the dataset's city
// and admins. Activity by the system (the demo seed, background jobs) is CKAN's "hidden" site
// user activity: only admins get it, with include_hidden_activity.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { City } from '../cities/service.ts';
import { CkanError, integer, missing, packageDict, registerCkanAction, text, type Params } from './ckan.ts';
import { cityOrNotFound } from './ckan-organizations.ts';
import { bool, cityMap, userIdOf } from './ckan-site.ts';
import { editableCityIds, visibilityFor } from './policy.ts';
import { getDataset, listResources, type Dataset } from './service.ts';

const ACTIVITY_TYPES = ['new package', 'changed package', 'deleted package'] as const;

interface ActivityRow {
  id: string;
  at: Date;
  actor_user_id: number | null;
  activity_type: (typeof ACTIVITY_TYPES)[number];
  state: string;
  metadata: Record<string, unknown>;
  dataset_id: number;
}

/** Which activities: of one dataset, of one city's datasets, by one user, or all. */
type Scope = { datasetId: number } | { cityId: number } | { userId: number } | Record<string, never>;

/** A timestamp parameter (after/before): Unix seconds, as CKAN takes them, or ISO 8601. */
function timestamp(params: Params, field: string): Date | undefined {
  const raw = text(params, field, 40);
  if (raw === undefined) return undefined;
  const date = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999)
    throw new CkanError(409, 'Validation Error', `${field} must be a Unix timestamp or an ISO 8601 date`, {
      [field]: ['Must be a Unix timestamp or an ISO 8601 date'],
    });
  return date;
}

/** activity_types / exclude_activity_types: a list of CKAN's package activity types. */
function activityTypes(params: Params, field: string): string[] | undefined {
  let value = params[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      value = JSON.parse(value);
    } catch {
      // One type, not a JSON list.
    }
  }
  const items = Array.isArray(value) ? value : [value];
  for (const item of items)
    if (typeof item !== 'string' || item.length > 100)
      throw new CkanError(409, 'Validation Error', `${field} must be a list of activity types`, {
        [field]: [`Use some of: ${ACTIVITY_TYPES.join(', ')}`],
      });
  return items as string[];
}

/** One page of the activities in scope that the caller may see, newest first, as CKAN's activity dicts. */
async function activities(app: FastifyInstance, request: FastifyRequest, params: Params, scope: Scope) {
  const db: Queryable = app.db;
  const limit = integer(params, 'limit', 31, 1, 100);
  const offset = integer(params, 'offset', 0, 0, 10_000_000);
  const after = timestamp(params, 'after');
  const before = timestamp(params, 'before');
  const include = activityTypes(params, 'activity_types');
  const exclude = activityTypes(params, 'exclude_activity_types');
  if (include && exclude)
    throw new CkanError(
      409,
      'Validation Error',
      'activity_types: Cannot be used together with exclude_activity_types',
      {
        activity_types: ['Cannot be used together with `exclude_activity_types'],
      },
    );
  const user = request.user;
  const editable = editableCityIds(user);
  const hidden = user?.isAdmin === true && bool(params, 'include_hidden_activity');

  const values: unknown[] = [];
  const events = [`e.entity_type = 'dataset'`];
  if ('datasetId' in scope) events.push(`e.entity_id = $${values.push(String(scope.datasetId))}`);
  if ('userId' in scope) events.push(`e.actor_user_id = $${values.push(scope.userId)}`);
  if (!hidden) events.push('e.actor_user_id IS NOT NULL');
  if (after) events.push(`e.at > $${values.push(after.toISOString())}::timestamptz`);
  if (before) events.push(`e.at < $${values.push(before.toISOString())}::timestamptz`);
  const outer: string[] = ['a.metadata IS NOT NULL'];
  if ('cityId' in scope) outer.push(`d.city_id = $${values.push(scope.cityId)}`);
  if (include) outer.push(`a.activity_type = ANY($${values.push(include)}::text[])`);
  if (exclude) outer.push(`NOT (a.activity_type = ANY($${values.push(exclude)}::text[]))`);
  // What the caller may see: public activity, and all of the activity of the cities they edit.
  if (editable !== null)
    outer.push(
      `(a.state = 'published' OR (a.state = 'deleted' AND a.state_before = 'published') OR d.city_id = ANY($${values.push(editable)}::int[]))`,
    );
  values.push(limit, offset);
  // The dataset's state after each event and before it, and its metadata as last saved by then.
  const latest = (condition: string, column: string) =>
    `(SELECT s.${column} FROM audit_events s WHERE s.entity_type = 'dataset' AND s.entity_id = e.entity_id
       AND ${condition} ORDER BY s.id DESC LIMIT 1)`;
  const rows = await db.query<ActivityRow>(
    `WITH a AS (
       SELECT e.id AS event_id, e.at, e.actor_user_id, e.entity_id,
         CASE WHEN e.action = 'dataset.create' THEN 'new package'
              WHEN e.action = 'dataset.state' AND e.after->>'state' = 'deleted' THEN 'deleted package'
              ELSE 'changed package' END AS activity_type,
         ${latest(`s.id <= e.id AND s.after->>'state' IS NOT NULL`, "after->>'state'")} AS state,
         ${latest(`s.id < e.id AND s.after->>'state' IS NOT NULL`, "after->>'state'")} AS state_before,
         ${latest(`s.id <= e.id AND s.action IN ('dataset.create', 'dataset.update')`, 'after')} AS metadata
       FROM audit_events e WHERE ${events.join(' AND ')})
     SELECT a.event_id::text AS id, a.at, a.actor_user_id, a.activity_type, a.state, a.metadata, d.id AS dataset_id
     FROM a JOIN datasets d ON d.id::text = a.entity_id
     WHERE ${outer.join(' AND ')}
     ORDER BY a.event_id DESC LIMIT $${values.length - 1} OFFSET $${values.length}`,
    values,
  );
  const cities: Map<number, City> = await cityMap(db);
  const ids = [...new Set(rows.map((r) => r.dataset_id))];
  const resources = await listResources(db, ids);
  // The datasets as they are now, for what the log's metadata does not hold (their ids, dates).
  const current = new Map(
    (ids.length ? await db.query<Dataset>('SELECT * FROM datasets WHERE id = ANY($1::int[])', [ids]) : []).map((d) => [
      d.id,
      d,
    ]),
  );
  return rows.map((row) => {
    // The package as it was after the event: its metadata then, the resources it had then.
    const dataset = {
      ...current.get(row.dataset_id),
      ...row.metadata,
      id: row.dataset_id,
      state: row.state,
      modified_at: row.at,
    } as Dataset;
    dataset.city_slug = cities.get(dataset.city_id)?.slug ?? '';
    const then = resources.filter(
      (r) => r.dataset_id === row.dataset_id && new Date(r.created_at).getTime() <= new Date(row.at).getTime(),
    );
    const pkg = packageDict(dataset, then, cities, app.config.publicUrl);
    return {
      id: row.id,
      timestamp: new Date(row.at).toISOString().replace('Z', ''),
      user_id: row.actor_user_id === null ? null : String(row.actor_user_id),
      object_id: pkg.id,
      revision_id: null,
      activity_type: row.activity_type,
      data: { package: pkg, actor: row.actor_user_id === null ? 'system' : `user-${row.actor_user_id}` },
    };
  });
}

const PAGING =
  ':param offset: where to start (default 0)\n:param limit: the maximum number of activities to return (default 31, at most 100)';

async function routes(app: FastifyInstance) {
  const { db } = app;

  registerCkanAction(
    app,
    'package_activity_list',
    {
      help: `Return a package's activity stream, newest first: "new package", "changed package" and "deleted package" activities, each with the package as it was after it. You must be able to see the package; its activity while it was a draft or private is shown only to its city's editors and admins.\n\n:param id: the id or name of the package\n${PAGING}\n:param after: only activity after this time (Unix seconds or ISO 8601)\n:param before: only activity before this time\n:param include_hidden_activity: include activity by the system (admins only)\n:param activity_types: only these types\n:param exclude_activity_types: not these types\n:rtype: list of dictionaries`,
    },
    async (params, request) => {
      const id = text(params, 'id', 200);
      if (!id) throw missing('id');
      let dataset: Dataset;
      try {
        dataset = await getDataset(db, id, visibilityFor(request.user));
      } catch (error) {
        if (error instanceof NotFoundError) throw new CkanError(404, 'Not Found Error', 'Not found');
        throw error;
      }
      return activities(app, request, params, { datasetId: dataset.id });
    },
  );

  registerCkanAction(
    app,
    'organization_activity_list',
    {
      help: `Return the activity stream of an organization's (a city's) datasets, newest first; activity of drafts and private datasets only to the city's editors and admins.\n\n:param id: the id or name of the organization\n${PAGING}\n:param include_hidden_activity: include activity by the system (admins only)\n:param activity_types: only these types\n:rtype: list of dictionaries`,
    },
    async (params, request) => {
      const id = text(params, 'id', 200);
      if (!id) throw missing('id');
      const city = await cityOrNotFound(db, id);
      return activities(app, request, params, { cityId: city.id });
    },
  );

  const recent = {
    help: `Return the activity stream of all recently added or changed packages, newest first, those the caller may see.\n\n${PAGING}\n:rtype: list of dictionaries`,
  };
  const recentAction = (params: Params, request: FastifyRequest) => activities(app, request, params, {});
  registerCkanAction(app, 'recently_changed_packages_activity_list', recent, recentAction);
  // The name of CKAN's template helper for the same stream, which some scripts call as an action.
  registerCkanAction(app, 'recently_changed_packages_activity_stream', recent, recentAction);

  registerCkanAction(
    app,
    'user_activity_list',
    {
      help: `Return a user's activity stream on datasets, newest first, as the caller may see it.\n\n:param id: the id or name of the user\n${PAGING}\n:param after: only activity after this time\n:param before: only activity before this time\n:rtype: list of dictionaries`,
    },
    async (params, request) => {
      const id = text(params, 'id', 200);
      if (!id) throw missing('id');
      const userId = userIdOf(id);
      const exists = userId === null ? undefined : await db.one('SELECT 1 FROM users WHERE id = $1', [userId]);
      if (userId === null || !exists) throw new CkanError(404, 'Not Found Error', 'Not found: User not found');
      return activities(app, request, params, { userId });
    },
  );
}

export const ckanActivityModule = fp(routes, { name: 'ckan-activity', dependencies: ['ckan'] });
