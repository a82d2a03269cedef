// Machine-readable views of the catalog for crawlers and harvesters: a Frictionless
// datapackage.json per dataset, schema.org Dataset JSON-LD on dataset pages, sitemap.xml, and an
// Atom feed of new and updated datasets. Only published datasets appear in any of them.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../../platform/html/html.ts';
import { getCity, listCities, type City } from '../cities/service.ts';
import { PUBLIC_ONLY, getDataset, listResources, searchDatasets, type Dataset, type Resource } from './service.ts';
import { licence, themeUri } from './vocabularies.ts';
import { mediaTypeOf } from './dcat.ts';
import type { Field } from '../datastore/ingest.ts';

const TABLE_SCHEMA_TYPES: Record<string, string> = {
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  text: 'string',
};

/**
 * Frictionless Data Package (v1, valid as v2 too): the dataset, its licence, and each resource by an
 * absolute URL (a file with its size and SHA-256). A resource in the DataStore comes a second time as
 * a Tabular Data Resource: its rows as the CSV dump serves them (the `_id` column first), described
 * by a Table Schema from the data dictionary.
 */
export function dataPackage(
  dataset: Dataset,
  resources: (Resource & { datastore_fields?: Field[] | null })[],
  city: City,
  publicUrl: string,
) {
  const lic = licence(dataset.license_id);
  const absolute = (url: string) => (url.startsWith('/') ? `${publicUrl}${url}` : url);
  return {
    profile: 'data-package',
    id: `${publicUrl}/datasets/${dataset.name}`,
    name: dataset.name,
    title: dataset.title_uk,
    ...(dataset.description_uk ? { description: dataset.description_uk } : {}),
    homepage: `${publicUrl}/datasets/${dataset.name}`,
    created: new Date(dataset.created_at).toISOString(),
    ...(dataset.keywords.length ? { keywords: dataset.keywords } : {}),
    ...(lic ? { licenses: [{ name: lic.id, ...(lic.url ? { path: lic.url } : {}), title: lic.title }] } : {}),
    contributors: [{ title: city.name_uk, role: 'publisher', path: `${publicUrl}/cities/${city.slug}` }],
    resources: resources.flatMap((r) => {
      const mediatype = mediaTypeOf(r.format);
      const described = { title: r.name, ...(r.description ? { description: r.description } : {}) };
      const original = {
        name: r.id,
        ...described,
        profile: 'data-resource',
        path: r.url ? absolute(r.url) : `${publicUrl}/datasets/${dataset.name}/resources/${r.id}/download`,
        ...(r.format ? { format: r.format.toLowerCase() } : {}),
        ...(mediatype ? { mediatype } : {}),
        ...(r.size_bytes !== null ? { bytes: r.size_bytes } : {}),
        ...(r.sha256 ? { hash: `sha256:${r.sha256}` } : {}),
      };
      if (!r.datastore_fields) return [original];
      // Its rows as the DataStore serves them, which the data dictionary describes column by column.
      const table = {
        name: `${r.id}-table`,
        ...described,
        profile: 'tabular-data-resource',
        path: `${publicUrl}/datastore/dump/${r.id}`,
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        schema: {
          fields: [
            { name: '_id', type: 'integer', constraints: { required: true, unique: true } },
            ...r.datastore_fields.map((f) => ({
              name: f.id,
              type: TABLE_SCHEMA_TYPES[f.type] ?? 'string',
              ...(f.label ? { title: f.label } : {}),
              ...(f.description ? { description: f.description } : {}),
            })),
          ],
          primaryKey: ['_id'],
        },
        sources: [{ title: r.name, path: original.path }],
      };
      return [original, table];
    }),
  };
}

/** schema.org Dataset, for search engines' dataset search. */
export function schemaOrgDataset(dataset: Dataset, resources: Resource[], city: City | undefined, publicUrl: string) {
  return {
    '@context': 'https://schema.org/',
    '@type': 'Dataset',
    name: dataset.title_uk,
    alternateName: [dataset.title_en, dataset.title_bg].filter(Boolean),
    description: dataset.description_uk || dataset.title_uk,
    url: `${publicUrl}/datasets/${dataset.name}`,
    identifier: dataset.name,
    keywords: dataset.keywords,
    license: licence(dataset.license_id)?.url || undefined,
    isAccessibleForFree: true,
    dateCreated: new Date(dataset.created_at).toISOString(),
    dateModified: new Date(dataset.modified_at).toISOString(),
    ...(dataset.temporal_start || dataset.temporal_end
      ? { temporalCoverage: `${dataset.temporal_start ?? '..'}/${dataset.temporal_end ?? '..'}` }
      : {}),
    ...(dataset.spatial ? { spatialCoverage: dataset.spatial } : {}),
    creator: city
      ? { '@type': 'GovernmentOrganization', name: city.name_uk, url: `${publicUrl}/cities/${city.slug}` }
      : undefined,
    about: dataset.themes.map((th) => themeUri(th)),
    distribution: resources.map((r) => ({
      '@type': 'DataDownload',
      name: r.name,
      encodingFormat: r.format || undefined,
      contentUrl: r.url ?? `${publicUrl}/datasets/${dataset.name}/resources/${r.id}/download`,
    })),
  };
}

const xml = (text: string) => escapeHtml(text);

async function routes(app: FastifyInstance) {
  const { db } = app;
  const base = app.config.publicUrl;

  app.get<{ Params: { name: string } }>(
    '/datasets/:name/datapackage.json',
    {
      schema: {
        hide: true,
        params: { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{1,99}$' } } },
      },
    },
    async (request) => {
      const dataset = await getDataset(db, request.params.name, PUBLIC_ONLY);
      const resources = await listResources(db, [dataset.id]);
      const dictionaries = await db.query<{ id: string; datastore_fields: Field[] | null }>(
        'SELECT id, datastore_fields FROM resources WHERE dataset_id = $1 AND datastore_table IS NOT NULL',
        [dataset.id],
      );
      const fields = new Map(dictionaries.map((d) => [d.id, d.datastore_fields]));
      return dataPackage(
        dataset,
        resources.map((r) => ({ ...r, datastore_fields: fields.get(r.id) ?? null })),
        await getCity(db, dataset.city_slug),
        base,
      );
    },
  );

  app.get('/sitemap.xml', { schema: { hide: true } }, async (request, reply) => {
    const datasets = await searchDatasets(db, { sort: '-modified', limit: 45_000, offset: 0, visibility: PUBLIC_ONLY });
    const cities = await listCities(db, { locale: 'uk', limit: 5000, offset: 0 });
    const urls = [
      `${base}/`,
      `${base}/datasets`,
      `${base}/cities`,
      `${base}/cities/map`,
      `${base}/api/docs`,
      ...cities.items.map((c) => `${base}/cities/${c.slug}`),
    ].map((loc) => `<url><loc>${xml(loc)}</loc></url>`);
    urls.push(
      ...datasets.items.map(
        (d) =>
          `<url><loc>${xml(`${base}/datasets/${d.name}`)}</loc><lastmod>${new Date(d.modified_at).toISOString()}</lastmod></url>`,
      ),
    );
    return reply
      .type('application/xml; charset=utf-8')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`,
      );
  });

  app.get('/datasets/feed.atom', { schema: { hide: true } }, async (request, reply) => {
    const datasets = await searchDatasets(db, { sort: '-modified', limit: 50, offset: 0, visibility: PUBLIC_ONLY });
    const updated = datasets.items[0]
      ? new Date(datasets.items[0].modified_at).toISOString()
      : new Date(0).toISOString();
    const entries = datasets.items.map(
      (d) => `<entry>
  <id>${xml(`${base}/datasets/${d.name}`)}</id>
  <title>${xml(d.title_uk)}</title>
  <link rel="alternate" href="${xml(`${base}/datasets/${d.name}`)}"/>
  <updated>${new Date(d.modified_at).toISOString()}</updated>
  <published>${new Date(d.published_at ?? d.created_at).toISOString()}</published>
  <author><name>${xml(d.city_slug)}</name></author>
  <summary>${xml(d.description_uk.slice(0, 500))}</summary>
</entry>`,
    );
    return reply.type('application/atom+xml; charset=utf-8').send(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk">
<id>${xml(`${base}/datasets/feed.atom`)}</id>
<title>Громада — відкриті дані</title>
<link rel="self" href="${xml(`${base}/datasets/feed.atom`)}"/>
<link rel="alternate" href="${xml(`${base}/datasets`)}"/>
<updated>${updated}</updated>
${entries.join('\n')}
</feed>
`);
  });
}

export const catalogFeedsModule = fp(routes, { name: 'catalog-feeds' });
