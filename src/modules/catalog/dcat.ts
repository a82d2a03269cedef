// The catalog as DCAT-AP 3 RDF, for harvesters (data.europa.eu, national portals): the whole
// catalog with Hydra paging and modified_since at /catalog.ttl, .jsonld and .rdf (RDF/XML), and
// each dataset at /dataset/{name}.ttl, .jsonld and .rdf. Only published datasets are described.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import N3 from 'n3';
import { listCities, type City } from '../cities/service.ts';
import { PUBLIC_ONLY, getDataset, listResources, type Dataset, type Resource } from './service.ts';
import { frequencyUri, licence, themeUri } from './vocabularies.ts';
import { translator } from '../../platform/i18n/locales.ts';

const { namedNode, literal, quad, blankNode } = N3.DataFactory;
type Quad = N3.Quad;

const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  adms: 'http://www.w3.org/ns/adms#',
};
const PREFIXES = { ...NS };
const u = (ns: keyof typeof NS, name: string) => namedNode(NS[ns] + name);
const a = u('rdf', 'type');
const dateTime = (value: Date | string) => literal(new Date(value).toISOString(), u('xsd', 'dateTime'));
const date = (value: string) => literal(value, u('xsd', 'date'));
const FILE_TYPE = 'http://publications.europa.eu/resource/authority/file-type/';
const KNOWN_FILE_TYPES = new Set([
  'CSV',
  'TSV',
  'JSON',
  'GEOJSON',
  'XML',
  'XLSX',
  'XLS',
  'ODS',
  'PDF',
  'ZIP',
  'RDF',
  'TXT',
  'HTML',
  'KML',
  'GPX',
]);

function datasetQuads(d: Dataset, resources: Resource[], city: City | undefined, base: string): Quad[] {
  const q: Quad[] = [];
  const s = namedNode(`${base}/datasets/${d.name}`);
  q.push(quad(s, a, u('dcat', 'Dataset')));
  for (const [lang, title] of [
    ['uk', d.title_uk],
    ['en', d.title_en],
    ['bg', d.title_bg],
  ] as const)
    if (title) q.push(quad(s, u('dct', 'title'), literal(title, lang)));
  for (const [lang, text] of [
    ['uk', d.description_uk || d.title_uk],
    ['en', d.description_en],
    ['bg', d.description_bg],
  ] as const)
    if (text) q.push(quad(s, u('dct', 'description'), literal(text, lang)));
  q.push(quad(s, u('dct', 'identifier'), literal(d.name)));
  q.push(quad(s, u('dcat', 'landingPage'), namedNode(`${base}/datasets/${d.name}`)));
  q.push(quad(namedNode(`${base}/datasets/${d.name}`), a, u('foaf', 'Document')));
  q.push(quad(s, u('dct', 'issued'), dateTime(d.published_at ?? d.created_at)));
  q.push(quad(s, u('dct', 'modified'), dateTime(d.modified_at)));
  for (const keyword of d.keywords) q.push(quad(s, u('dcat', 'keyword'), literal(keyword, 'uk')));
  for (const theme of d.themes) {
    q.push(quad(s, u('dcat', 'theme'), namedNode(themeUri(theme))));
    q.push(quad(namedNode(themeUri(theme)), a, u('skos', 'Concept')));
    for (const lang of ['uk', 'en', 'bg'] as const)
      q.push(
        quad(
          namedNode(themeUri(theme)),
          u('skos', 'prefLabel'),
          literal(translator(lang)(`catalog.themes.${theme}`), lang),
        ),
      );
  }
  const frequency = namedNode(frequencyUri(d.frequency));
  q.push(quad(s, u('dct', 'accrualPeriodicity'), frequency));
  q.push(quad(frequency, a, u('dct', 'Frequency')));
  if (city) {
    const publisher = namedNode(`${base}/cities/${city.slug}`);
    q.push(quad(s, u('dct', 'publisher'), publisher));
  }
  if (d.contact_email) {
    const contact = blankNode(`contact-${d.name}`);
    q.push(quad(s, u('dcat', 'contactPoint'), contact));
    q.push(quad(contact, a, u('vcard', 'Kind')));
    q.push(quad(contact, u('vcard', 'hasEmail'), namedNode(`mailto:${d.contact_email}`)));
    if (d.contact_name) q.push(quad(contact, u('vcard', 'fn'), literal(d.contact_name)));
  }
  if (d.temporal_start || d.temporal_end) {
    const period = blankNode(`period-${d.name}`);
    q.push(quad(s, u('dct', 'temporal'), period));
    q.push(quad(period, a, u('dct', 'PeriodOfTime')));
    if (d.temporal_start) q.push(quad(period, u('dcat', 'startDate'), date(d.temporal_start)));
    if (d.temporal_end) q.push(quad(period, u('dcat', 'endDate'), date(d.temporal_end)));
  }
  const lic = licence(d.license_id);
  for (const r of resources) {
    const dist = namedNode(`${base}/datasets/${d.name}/resources/${r.id}`);
    q.push(quad(s, u('dcat', 'distribution'), dist));
    q.push(quad(dist, a, u('dcat', 'Distribution')));
    q.push(quad(dist, u('dct', 'title'), literal(r.name, 'uk')));
    if (r.description) q.push(quad(dist, u('dct', 'description'), literal(r.description, 'uk')));
    const access = r.url
      ? r.url.startsWith('/')
        ? `${base}${r.url}`
        : r.url
      : `${base}/datasets/${d.name}/resources/${r.id}/download`;
    q.push(quad(dist, u('dcat', 'accessURL'), namedNode(access)));
    if (!r.url) q.push(quad(dist, u('dcat', 'downloadURL'), namedNode(access)));
    q.push(quad(dist, u('dct', 'issued'), dateTime(r.created_at)));
    q.push(quad(dist, u('dct', 'modified'), dateTime(r.modified_at)));
    const format = r.format.toUpperCase();
    if (KNOWN_FILE_TYPES.has(format)) {
      q.push(quad(dist, u('dct', 'format'), namedNode(FILE_TYPE + format)));
      q.push(quad(namedNode(FILE_TYPE + format), a, u('dct', 'MediaTypeOrExtent')));
    }
    if (lic?.url) {
      q.push(quad(dist, u('dct', 'license'), namedNode(lic.url)));
      q.push(quad(namedNode(lic.url), a, u('dct', 'LicenseDocument')));
    }
  }
  return q;
}

function agentQuads(city: City, base: string): Quad[] {
  const agent = namedNode(`${base}/cities/${city.slug}`);
  return [
    quad(agent, a, u('foaf', 'Agent')),
    quad(agent, u('foaf', 'name'), literal(city.name_uk, 'uk')),
    quad(agent, u('foaf', 'name'), literal(city.name_en, 'en')),
    quad(agent, u('foaf', 'name'), literal(city.name_bg, 'bg')),
  ];
}

function toTurtle(quads: Quad[]): Promise<string> {
  const writer = new N3.Writer({ prefixes: PREFIXES });
  // Grouped by subject (the writer merges only consecutive statements), duplicates dropped.
  const seen = new Set<string>();
  const order = new Map<string, number>();
  quads.forEach((q) => order.set(q.subject.value, order.get(q.subject.value) ?? order.size));
  const sorted = quads
    .filter(
      (q) =>
        !seen.has(`${q.subject.value} ${q.predicate.value} ${q.object.id}`) &&
        seen.add(`${q.subject.value} ${q.predicate.value} ${q.object.id}`),
    )
    .sort((x, y) => order.get(x.subject.value)! - order.get(y.subject.value)!);
  writer.addQuads(sorted);
  return new Promise((resolve, reject) => writer.end((error, result) => (error ? reject(error) : resolve(result))));
}

/** Flattened, expanded JSON-LD: one node object per subject, full IRIs, typed literals. */
function toJsonLd(quads: Quad[]): object {
  const nodes = new Map<string, Record<string, unknown[] | string>>();
  const id = (term: N3.Term) => (term.termType === 'BlankNode' ? `_:${term.value}` : term.value);
  for (const { subject, predicate, object } of quads) {
    const key = id(subject);
    let node = nodes.get(key);
    if (!node) nodes.set(key, (node = { '@id': key }));
    const target = node;
    const push = (property: string, value: unknown) => {
      target[property] = [...((target[property] as unknown[] | undefined) ?? []), value];
    };
    if (predicate.value === NS.rdf + 'type') {
      push('@type', object.value);
      continue;
    }
    const value =
      object.termType === 'Literal'
        ? {
            '@value': object.value,
            ...(object.language
              ? { '@language': object.language }
              : object.datatype.value !== NS.xsd + 'string'
                ? { '@type': object.datatype.value }
                : {}),
          }
        : { '@id': id(object) };
    push(predicate.value, value);
  }
  return { '@graph': [...nodes.values()] };
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/**
 * RDF/XML, the serialisation older harvesters (CKAN's dcat extension among them) ask for: one
 * rdf:Description per subject, predicates as qualified names of the known namespaces.
 */
export function toRdfXml(quads: Quad[]): string {
  const prefixOf = new Map(Object.entries(NS).map(([prefix, iri]) => [iri, prefix]));
  const qname = (iri: string) => {
    const split = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1;
    const prefix = prefixOf.get(iri.slice(0, split));
    if (!prefix || !/^[A-Za-z_][\w.-]*$/.test(iri.slice(split)))
      throw new Error(`no XML name for the predicate ${iri}`);
    return `${prefix}:${iri.slice(split)}`;
  };
  const subjects = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const { subject, predicate, object } of quads) {
    const key = `${subject.termType === 'BlankNode' ? 'rdf:nodeID' : 'rdf:about'}="${escapeXml(subject.value)}"`;
    const statement = `${subject.value} ${predicate.value} ${object.id}`;
    if (seen.has(statement)) continue;
    seen.add(statement);
    const name = qname(predicate.value);
    let element: string;
    if (object.termType === 'Literal') {
      const attribute = object.language
        ? ` xml:lang="${escapeXml(object.language)}"`
        : object.datatype.value !== NS.xsd + 'string'
          ? ` rdf:datatype="${escapeXml(object.datatype.value)}"`
          : '';
      element = `<${name}${attribute}>${escapeXml(object.value)}</${name}>`;
    } else {
      element = `<${name} ${object.termType === 'BlankNode' ? 'rdf:nodeID' : 'rdf:resource'}="${escapeXml(object.value)}"/>`;
    }
    subjects.set(key, [...(subjects.get(key) ?? []), element]);
  }
  const namespaces = Object.entries(NS)
    .map(([prefix, iri]) => `xmlns:${prefix}="${iri}"`)
    .join('\n  ');
  const descriptions = [...subjects].map(
    ([key, elements]) => `  <rdf:Description ${key}>\n    ${elements.join('\n    ')}\n  </rdf:Description>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n  ${namespaces}>\n${descriptions.join('\n')}\n</rdf:RDF>\n`;
}

/** The serialisations offered, by file extension. */
const FORMATS = {
  ttl: { type: 'text/turtle; charset=utf-8', write: toTurtle },
  jsonld: { type: 'application/ld+json; charset=utf-8', write: (quads: Quad[]) => JSON.stringify(toJsonLd(quads)) },
  rdf: { type: 'application/rdf+xml; charset=utf-8', write: toRdfXml },
} as const;
type RdfFormat = keyof typeof FORMATS;

const PAGE_SIZE = 100;

async function routes(app: FastifyInstance) {
  const { db } = app;
  const base = app.config.publicUrl;

  async function catalogQuads(format: RdfFormat, page: number, modifiedSince: string | undefined): Promise<Quad[]> {
    const params: unknown[] = [PAGE_SIZE + 1, (page - 1) * PAGE_SIZE];
    const since = modifiedSince ? `AND d.modified_at >= $3` : '';
    if (modifiedSince) params.push(modifiedSince);
    const names = await db.query<{ name: string }>(
      `SELECT d.name FROM datasets d WHERE d.state = 'published' ${since} ORDER BY d.modified_at DESC, d.id LIMIT $1 OFFSET $2`,
      params,
    );
    const total = (await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM datasets d WHERE d.state = 'published' ${modifiedSince ? 'AND d.modified_at >= $1' : ''}`,
      modifiedSince ? [modifiedSince] : [],
    ))!.n;
    const cities = new Map(
      (await listCities(db, { locale: 'uk', limit: 5000, offset: 0 })).items.map((c): [number, City] => [c.id, c]),
    );
    const catalog = namedNode(`${base}/catalog`);
    const operator = namedNode(`${base}/`);
    const q: Quad[] = [
      quad(catalog, a, u('dcat', 'Catalog')),
      quad(catalog, u('dct', 'title'), literal('Громада — відкриті дані міст', 'uk')),
      quad(catalog, u('dct', 'title'), literal('Hromada — open data of cities', 'en')),
      quad(
        catalog,
        u('dct', 'description'),
        literal('Набори відкритих даних, які публікують міста на платформі «Громада».', 'uk'),
      ),
      quad(
        catalog,
        u('dct', 'description'),
        literal('Open datasets published by cities on the Hromada platform.', 'en'),
      ),
      quad(catalog, u('dct', 'publisher'), operator),
      quad(operator, a, u('foaf', 'Agent')),
      quad(operator, u('foaf', 'name'), literal('Hromada', 'en')),
      quad(catalog, u('foaf', 'homepage'), namedNode(`${base}/datasets`)),
      quad(namedNode(`${base}/datasets`), a, u('foaf', 'Document')),
    ];
    const usedCities = new Set<number>();
    for (const { name } of names.slice(0, PAGE_SIZE)) {
      const dataset = await getDataset(db, name, PUBLIC_ONLY);
      q.push(quad(catalog, u('dcat', 'dataset'), namedNode(`${base}/datasets/${name}`)));
      q.push(...datasetQuads(dataset, await listResources(db, [dataset.id]), cities.get(dataset.city_id), base));
      usedCities.add(dataset.city_id);
    }
    for (const cityId of usedCities) q.push(...agentQuads(cities.get(cityId)!, base));
    // Hydra paging, as data.europa.eu's harvester follows it.
    const pageUrl = (n: number) =>
      `${base}/catalog.${format}?page=${n}${modifiedSince ? `&modified_since=${encodeURIComponent(modifiedSince)}` : ''}`;
    const view = namedNode(pageUrl(page));
    const last = Math.max(1, Math.ceil(total / PAGE_SIZE));
    q.push(quad(view, a, u('hydra', 'PartialCollectionView')));
    q.push(quad(view, u('hydra', 'first'), namedNode(pageUrl(1))));
    q.push(quad(view, u('hydra', 'last'), namedNode(pageUrl(last))));
    if (page < last) q.push(quad(view, u('hydra', 'next'), namedNode(pageUrl(page + 1))));
    if (page > 1) q.push(quad(view, u('hydra', 'previous'), namedNode(pageUrl(page - 1))));
    q.push(quad(view, u('hydra', 'totalItems'), literal(String(total), u('xsd', 'integer'))));
    return q;
  }

  const catalogQuery = {
    type: 'object',
    additionalProperties: false,
    properties: {
      page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
      modified_since: { type: 'string', format: 'date-time' },
    },
  } as const;

  for (const format of Object.keys(FORMATS) as RdfFormat[]) {
    app.get<{ Querystring: { page: number; modified_since?: string } }>(
      `/catalog.${format}`,
      { schema: { hide: true, querystring: catalogQuery } },
      async (request, reply) =>
        reply
          .type(FORMATS[format].type)
          .send(
            await FORMATS[format].write(await catalogQuads(format, request.query.page, request.query.modified_since)),
          ),
    );
  }

  app.get<{ Params: { file: string } }>(
    '/dataset/:file',
    {
      schema: {
        hide: true,
        params: {
          type: 'object',
          properties: { file: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{1,99}\\.(ttl|jsonld|rdf)$' } },
        },
      },
    },
    async (request, reply) => {
      const [, name, extension] = /^(.+)\.(ttl|jsonld|rdf)$/.exec(request.params.file)!;
      const dataset = await getDataset(db, name!, PUBLIC_ONLY);
      const cities = (await listCities(db, { locale: 'uk', limit: 5000, offset: 0 })).items;
      const city = cities.find((c) => c.id === dataset.city_id);
      const quads = [
        ...datasetQuads(dataset, await listResources(db, [dataset.id]), city, base),
        ...(city ? agentQuads(city, base) : []),
      ];
      const format = FORMATS[extension as RdfFormat];
      return reply.type(format.type).send(await format.write(quads));
    },
  );
}

export const dcatModule = fp(routes, { name: 'dcat' });
