// CKAN's ckanext-showcase actions over the showcase, with CKAN's envelope (registered through the
// catalog's registerCkanAction), so that clients of CKAN portals with the extension work here.
// The shapes follow the extension (github.com/ckan/ckanext-showcase, logic/action/get.py and
// logic/schema.py, plugin.py's _add_to_pkg_dict):
// - a showcase is a package dict of type "showcase" with no resources and no organisation;
// - ckanext_showcase_show is package_show with the showcase's show schema: image_url is taken out
//   of the extras, and image_display_url and num_datasets are added;
// - ckanext_showcase_list is model_dictize.package_dictize of each active showcase: image_url
//   stays among the extras, and nothing is added;
// - ckanext_package_showcase_list and ckanext_showcase_package_list answer with package_search
//   results, which go through before_dataset_view (so showcases carry image_display_url and
//   num_datasets); an unknown package_id or showcase_id is a Validation Error "Not found: Dataset".
// Only published entries are showcases here ("active"); pending and rejected ones are not shown.
import type { FastifyInstance } from 'fastify';
import { CkanError, missing, packageDict, registerCkanAction, text, type Params } from '../catalog/ckan.ts';
import { cityMap } from '../catalog/ckan-site.ts';
import { visibilityFor } from '../catalog/policy.ts';
import { getDataset, listResources, PUBLIC_ONLY, searchDatasets } from '../catalog/service.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { findEntry, listEntries, SHOWCASE_LICENCES, type Entry } from './service.ts';

const isoLocal = (at: Date | string) => new Date(at).toISOString().replace('Z', '');

export function showcaseDict(e: Entry, publicUrl: string, form: 'show' | 'dictize') {
  const base = publicUrl.replace(/\/$/, '');
  const image = e.images[0] ? `${base}/showcase/${e.name}/images/${e.images[0].id}` : '';
  const licence = SHOWCASE_LICENCES.find((l) => l.id === e.license_id);
  const extras = [
    { key: 'showcase_kind', value: e.kind },
    { key: 'showcase_stage', value: e.stage },
  ];
  return {
    id: e.uuid,
    name: e.name,
    title: e.title,
    notes: e.description,
    type: 'showcase',
    state: 'active',
    private: false,
    author: e.authors.map((a) => a.name).join(', ') || null,
    author_email: null,
    maintainer: null,
    maintainer_email: null,
    license_id: e.license_id,
    license_title: licence?.title ?? e.license_id,
    ...(licence?.url ? { license_url: licence.url } : {}),
    url: e.links.find((l) => l.kind === 'site')?.url ?? '',
    version: null,
    owner_org: null,
    organization: null,
    metadata_created: isoLocal(e.created_at),
    metadata_modified: isoLocal(e.updated_at),
    tags: [],
    num_tags: 0,
    groups: [],
    resources: [],
    num_resources: 0,
    relationships_as_object: [],
    relationships_as_subject: [],
    ...(form === 'show'
      ? { extras, image_url: image, image_display_url: image, num_datasets: e.datasets.length }
      : { extras: [...(image ? [{ key: 'image_url', value: image }] : []), ...extras] }),
  };
}

export function registerShowcaseCkanActions(app: FastifyInstance): void {
  const { db } = app;
  const publicUrl = () => app.config.publicUrl;
  const notFoundField = (field: string) =>
    new CkanError(409, 'Validation Error', `${field}: Not found: Dataset`, { [field]: ['Not found: Dataset'] });
  const published = async (key: string) => {
    const entry = await findEntry(db, key);
    return entry && entry.status === 'published' ? entry : undefined;
  };

  registerCkanAction(
    app,
    'ckanext_showcase_list',
    { help: 'Return a list of all showcases in the site.' },
    async () => {
      const all: Entry[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await listEntries(db, { limit: 500, offset });
        all.push(...page.items);
        if (all.length >= page.total || !page.items.length) break;
      }
      return all.map((e) => showcaseDict(e, publicUrl(), 'dictize'));
    },
  );

  registerCkanAction(
    app,
    'ckanext_showcase_show',
    {
      help: 'Return the pkg_dict for a showcase (package).\n\n:param id: the id or name of the showcase\n:type id: string',
    },
    async (params: Params, request) => {
      const id = text(params, 'id', 200) ?? text(params, 'name_or_id', 200);
      if (!id) throw missing('id');
      const entry = await published(id);
      if (entry) return showcaseDict(entry, publicUrl(), 'show');
      // As the extension, which calls package_show: an id of a dataset answers with that dataset.
      const dataset = await getDataset(db, id, visibilityFor(request.user));
      return packageDict(dataset, await listResources(db, [dataset.id]), await cityMap(db), publicUrl());
    },
  );

  registerCkanAction(
    app,
    'ckanext_package_showcase_list',
    {
      help: 'List showcases associated with a package.\n\n:param package_id: id or name of the package\n:type package_id: string\n\n:rtype: list of dictionaries',
    },
    async (params: Params, request) => {
      const id = text(params, 'package_id', 200);
      if (!id) throw missing('package_id');
      let datasetId: number;
      try {
        datasetId = (await getDataset(db, id, visibilityFor(request.user))).id;
      } catch (error) {
        if (error instanceof NotFoundError) throw notFoundField('package_id');
        throw error;
      }
      // package_search answers with at most 100 rows (rows: 100 in the extension).
      const { items } = await listEntries(db, { datasetId, limit: 100, offset: 0 });
      return items.map((e) => showcaseDict(e, publicUrl(), 'show'));
    },
  );

  registerCkanAction(
    app,
    'ckanext_showcase_package_list',
    {
      help: 'List packages associated with a showcase.\n\n:param showcase_id: id or name of the showcase\n:type showcase_id: string\n\n:rtype: list of dictionaries',
    },
    async (params: Params) => {
      const id = text(params, 'showcase_id', 200);
      if (!id) throw missing('showcase_id');
      const entry = await published(id);
      if (!entry) throw notFoundField('showcase_id');
      if (!entry.datasets.length) return [];
      const ids = entry.datasets.map((d) => d.id);
      // package_search: public datasets only, at most 100.
      const found = await searchDatasets(db, {
        limit: 100,
        offset: 0,
        visibility: PUBLIC_ONLY,
        filter: (p) => `d.id = ANY($${p.push(ids)}::int[])`,
      });
      const resources = await listResources(
        db,
        found.items.map((d) => d.id),
      );
      const cities = await cityMap(db);
      return found.items.map((d) =>
        packageDict(
          d,
          resources.filter((r) => r.dataset_id === d.id),
          cities,
          publicUrl(),
        ),
      );
    },
  );
}
