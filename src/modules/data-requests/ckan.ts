// Data requests through CKAN's Action API, with ckanext-datarequests' action names and dicts
// (github.com/conwetlab/ckanext-datarequests, actions.py: show_datarequest and list_datarequests,
// registered as datarequest_show and datarequest_index): reading only. A city is the
// organization (its slug is the organization's id, as organization_show gives it); the accepted
// dataset is given by name, which package_show takes as an id. Hromada's own answer (state,
// planned date, decline reason) comes as extra keys.
import type { FastifyInstance } from 'fastify';
import { CkanError, integer, missing, registerCkanAction, text, type Params } from '../catalog/ckan.ts';
import { getRequest, listRequests, type DataRequest } from './service.ts';
import { canSee } from './policy.ts';

function datarequestDict(r: DataRequest, publicUrl: string) {
  return {
    id: String(r.id),
    user_id: r.requester_id === null ? null : String(r.requester_id),
    user: r.requester_name === null ? null : { display_name: r.requester_name },
    title: r.title,
    description: r.description,
    organization_id: r.city_slug,
    open_time: r.created_at.toISOString(),
    accepted_dataset_id: r.dataset_name,
    close_time: r.closed_at?.toISOString() ?? null,
    closed: r.closed_at !== null,
    followers: r.follower_count,
    comments_count: r.comment_count,
    state: r.state,
    planned_date: r.planned_date,
    decline_reason: r.decline_reason,
    answer_due: r.answer_due,
    url: `${publicUrl.replace(/\/$/, '')}/data-requests/${r.id}`,
  };
}

function bool(params: Params, field: string): boolean | undefined {
  const value = params[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true' || value === 'True') return true;
  if (value === false || value === 'false' || value === 'False') return false;
  throw new CkanError(409, 'Validation Error', `${field} must be true or false`, {
    [field]: ['Must be true or false'],
  });
}

export function registerDataRequestActions(app: FastifyInstance): void {
  const { db } = app;
  registerCkanAction(
    app,
    'datarequest_show',
    {
      help: "Return a data request (ckanext-datarequests).\n\n:param id: the id of the data request\n:returns: id, user_id, title, description, organization_id, open_time, accepted_dataset_id, close_time, closed, followers, and Hromada's state, planned_date, decline_reason, answer_due\n:rtype: dictionary",
    },
    async (params, request) => {
      const id = text(params, 'id', 20);
      if (!id) throw missing('id');
      const n = Number(id);
      const notFound = new CkanError(404, 'Not Found Error', `Data Request ${id} not found in the data base`);
      if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) throw notFound;
      const r = await getRequest(db, n).catch(() => null);
      if (!r || !canSee(request.user, r)) throw notFound;
      return datarequestDict(r, app.config.publicUrl);
    },
  );
  registerCkanAction(
    app,
    'datarequest_index',
    {
      help: 'Return data requests (ckanext-datarequests).\n\n:param organization_id: only requests to this city (its name)\n:param closed: only closed (true) or open (false) requests\n:param q: words in the title or description\n:param sort: asc (oldest first, the default) or desc\n:param offset: the first to return (default 0)\n:param limit: how many (default 10, at most 1000)\n:returns: count, facets and result (a list of data requests)\n:rtype: dictionary',
    },
    async (params) => {
      const city = text(params, 'organization_id', 200);
      let cityId: number | undefined;
      if (city) {
        const row = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [city]);
        if (!row) throw new CkanError(404, 'Not Found Error', 'Organization not found');
        cityId = row.id;
      }
      const sort = text(params, 'sort', 10) ?? 'asc';
      if (sort !== 'asc' && sort !== 'desc')
        throw new CkanError(409, 'Validation Error', 'sort must be asc or desc', { sort: ['Must be asc or desc'] });
      const result = await listRequests(
        db,
        {
          cityId,
          closed: bool(params, 'closed'),
          q: text(params, 'q', 200),
          ascending: sort === 'asc',
          limit: integer(params, 'limit', 10, 1, 1000),
          offset: integer(params, 'offset', 0, 0, 10_000_000),
        },
        app.clock.now(),
      );
      return {
        count: result.total,
        facets: {},
        result: result.items.map((r) => datarequestDict(r, app.config.publicUrl)),
      };
    },
  );
}
