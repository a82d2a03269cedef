// The catalog as DCAT-AP 3 RDF, for harvesters (data.europa.eu, national portals): the whole
// catalog with Hydra paging and modified_since at /catalog.ttl, .jsonld and .rdf (RDF/XML), and
// each dataset at /dataset/{name}.ttl, .jsonld and .rdf. Only published datasets are described.
import fp from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import N3 from 'n3';
import { listCities, listOblasts, type City, type Oblast } from '../cities/service.ts';
import { listOrganizations, type Organization } from '../organizations/service.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { describeProblem } from '../../platform/http/context.ts';
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
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  spdx: 'http://spdx.org/rdf/terms#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
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

/**
 * A licence as CKAN's licence register knows it, so that CKAN's dcat extension maps it back to the
 * CKAN licence id: by its register url, or, for the generic licences that have none, by the title.
 */
function licenceDocument(id: string | null) {
  const lic = licence(id);
  if (!lic) return undefined;
  const title = (licence(lic.ckanId) ?? lic).title;
  return { node: lic.ckanUrl ? namedNode(lic.ckanUrl) : blankNode(`licence-${lic.ckanId}`), title };
}

/** IANA media types of the formats the catalog knows, for dcat:mediaType. */
const MEDIA_TYPES: Record<string, string> = {
  CSV: 'text/csv',
  TSV: 'text/tab-separated-values',
  JSON: 'application/json',
  GEOJSON: 'application/geo+json',
  XML: 'application/xml',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  XLS: 'application/vnd.ms-excel',
  ODS: 'application/vnd.oasis.opendocument.spreadsheet',
  PDF: 'application/pdf',
  ZIP: 'application/zip',
  RDF: 'application/rdf+xml',
  TTL: 'text/turtle',
  JSONLD: 'application/ld+json',
  TXT: 'text/plain',
  HTML: 'text/html',
  KML: 'application/vnd.google-earth.kml+xml',
  GPX: 'application/gpx+xml',
};
const MEDIA_TYPE = 'http://www.iana.org/assignments/media-types/';
/** The IANA media type of a format the catalog knows (CSV: text/csv). */
export const mediaTypeOf = (format: string): string | undefined => MEDIA_TYPES[format.toUpperCase()];
const LANGUAGE = 'http://publications.europa.eu/resource/authority/language/';
const LANGUAGES = { uk: 'UKR', en: 'ENG', bg: 'BUL' } as const;
const PUBLIC_ACCESS = 'http://publications.europa.eu/resource/authority/access-right/PUBLIC';

/** Where a dataset comes from: its city, the city's oblast and its council (the contact when none is given). */
export interface Publisher {
  city: City;
  oblast: Oblast | undefined;
  council: Organization | undefined;
}

const names = (row: { name_uk: string; name_en: string; name_bg: string }) =>
  (['uk', 'en', 'bg'] as const).filter((lang) => row[`name_${lang}`]).map((lang) => literal(row[`name_${lang}`], lang));

/** The city as a dct:Location (names, centroid), part of its oblast. */
function placeQuads(publisher: Publisher, base: string): Quad[] {
  const { city, oblast } = publisher;
  const place = namedNode(`${base}/cities/${city.slug}#place`);
  const q: Quad[] = [quad(place, a, u('dct', 'Location'))];
  for (const name of names(city)) q.push(quad(place, u('skos', 'prefLabel'), name));
  // One plain label, so that readers taking a single name (ckanext-dcat's spatial_text) get the same one.
  q.push(quad(place, u('rdfs', 'label'), literal(city.name_uk)));
  if (city.katottg) q.push(quad(place, u('dct', 'identifier'), literal(city.katottg)));
  if (city.latitude !== null && city.longitude !== null)
    q.push(
      quad(place, u('dcat', 'centroid'), literal(`POINT(${city.longitude} ${city.latitude})`, u('gsp', 'wktLiteral'))),
    );
  if (oblast) {
    const region = namedNode(`${base}/cities?oblast=${encodeURIComponent(oblast.slug)}`);
    q.push(quad(place, u('dct', 'isPartOf'), region));
    q.push(quad(region, a, u('dct', 'Location')));
    for (const name of names(oblast)) q.push(quad(region, u('skos', 'prefLabel'), name));
  }
  return q;
}

/** A dataset's IRI: /dataset/{id} (dereferenced to its page), as ckanext-dcat builds it from CKAN's id. */
const datasetIri = (d: Pick<Dataset, 'uuid'>, base: string) => namedNode(`${base}/dataset/${d.uuid}`);

function datasetQuads(d: Dataset, resources: Resource[], publisher: Publisher | undefined, base: string): Quad[] {
  const q: Quad[] = [];
  // Named by the stable id, as ckanext-dcat names a dataset (/dataset/{id}): harvesters key on it, and a rename keeps it.
  const s = datasetIri(d, base);
  q.push(quad(s, a, u('dcat', 'Dataset')));
  // The languages the metadata is in: those the dataset has a title in.
  const languages: N3.NamedNode[] = [];
  for (const [lang, title] of [
    ['uk', d.title_uk],
    ['en', d.title_en],
    ['bg', d.title_bg],
  ] as const)
    if (title) {
      q.push(quad(s, u('dct', 'title'), literal(title, lang)));
      languages.push(namedNode(LANGUAGE + LANGUAGES[lang]));
    }
  for (const [lang, text] of [
    ['uk', d.description_uk || d.title_uk],
    ['en', d.description_en],
    ['bg', d.description_bg],
  ] as const)
    if (text) q.push(quad(s, u('dct', 'description'), literal(text, lang)));
  for (const language of languages) {
    q.push(quad(s, u('dct', 'language'), language));
    q.push(quad(language, a, u('dct', 'LinguisticSystem')));
  }
  q.push(quad(s, u('dct', 'identifier'), literal(d.uuid)));
  q.push(quad(s, u('dcat', 'landingPage'), namedNode(`${base}/datasets/${d.name}`)));
  q.push(quad(namedNode(`${base}/datasets/${d.name}`), a, u('foaf', 'Document')));
  q.push(quad(s, u('dct', 'issued'), dateTime(d.published_at ?? d.created_at)));
  q.push(quad(s, u('dct', 'modified'), dateTime(d.modified_at)));
  // Only published datasets are described, and those anyone may read.
  q.push(quad(s, u('dct', 'accessRights'), namedNode(PUBLIC_ACCESS)));
  q.push(quad(namedNode(PUBLIC_ACCESS), a, u('dct', 'RightsStatement')));
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
  if (publisher) {
    q.push(quad(s, u('dct', 'publisher'), namedNode(`${base}/cities/${publisher.city.slug}`)));
    q.push(quad(s, u('dct', 'spatial'), namedNode(`${base}/cities/${publisher.city.slug}#place`)));
  }
  // The contact: the one the dataset names, else the city council (or the city) that publishes it.
  const contact = blankNode(`contact-${d.name}`);
  q.push(quad(s, u('dcat', 'contactPoint'), contact));
  q.push(quad(contact, a, u('vcard', 'Kind')));
  q.push(quad(contact, a, u('vcard', 'Organization')));
  if (d.contact_name) q.push(quad(contact, u('vcard', 'fn'), literal(d.contact_name)));
  else if (publisher)
    for (const name of names(publisher.council ?? publisher.city)) q.push(quad(contact, u('vcard', 'fn'), name));
  if (d.contact_email) q.push(quad(contact, u('vcard', 'hasEmail'), namedNode(`mailto:${d.contact_email}`)));
  const website = publisher?.council?.website ?? publisher?.city.website;
  if (website) q.push(quad(contact, u('vcard', 'hasURL'), namedNode(website)));
  if (d.temporal_start || d.temporal_end) {
    const period = blankNode(`period-${d.name}`);
    q.push(quad(s, u('dct', 'temporal'), period));
    q.push(quad(period, a, u('dct', 'PeriodOfTime')));
    if (d.temporal_start) q.push(quad(period, u('dcat', 'startDate'), date(d.temporal_start)));
    if (d.temporal_end) q.push(quad(period, u('dcat', 'endDate'), date(d.temporal_end)));
  }
  const lic = licenceDocument(d.license_id);
  for (const r of resources) {
    const dist = namedNode(`${s.value}/resource/${r.id}`);
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
    const mediaType = mediaTypeOf(format);
    if (mediaType) {
      // Labelled with the bare type: CKAN's dcat extension reads the label as the resource's mimetype.
      const node = namedNode(MEDIA_TYPE + mediaType);
      q.push(quad(dist, u('dcat', 'mediaType'), node));
      q.push(quad(node, a, u('dct', 'MediaType')));
      q.push(quad(node, u('rdfs', 'label'), literal(mediaType)));
    }
    if (r.size_bytes !== null)
      q.push(quad(dist, u('dcat', 'byteSize'), literal(String(r.size_bytes), u('xsd', 'nonNegativeInteger'))));
    if (r.sha256) {
      const checksum = blankNode(`checksum-${r.id}`);
      q.push(quad(dist, u('spdx', 'checksum'), checksum));
      q.push(quad(checksum, a, u('spdx', 'Checksum')));
      q.push(quad(checksum, u('spdx', 'algorithm'), u('spdx', 'checksumAlgorithm_sha256')));
      q.push(quad(checksum, u('spdx', 'checksumValue'), literal(r.sha256.toLowerCase(), u('xsd', 'hexBinary'))));
      q.push(quad(u('spdx', 'checksumAlgorithm_sha256'), a, u('spdx', 'ChecksumAlgorithm')));
    }
    if (lic) {
      q.push(quad(dist, u('dct', 'license'), lic.node));
      q.push(quad(lic.node, a, u('dct', 'LicenseDocument')));
      q.push(quad(lic.node, u('dct', 'title'), literal(lic.title)));
      // A generic licence has no address: its label stands for it where a reader wants one value.
      if (lic.node.termType === 'BlankNode') q.push(quad(lic.node, u('rdfs', 'label'), literal(lic.title)));
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

/**
 * modified_since as harvesters send it: a date (2026-01-01, midnight UTC) or an ISO 8601 date and
 * time, with seconds, fractions and an offset optional (UTC without one). Undefined if it is none.
 */
export function parseModifiedSince(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
    value.trim(),
  );
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', fraction = '', zone = 'Z'] = match;
  const parts = [y, mo, d, h, mi, sec].map(Number) as [number, number, number, number, number, number];
  const utc = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]));
  // Out-of-range fields (2026-02-30, 25:00) would roll over silently: refused instead.
  if (
    utc.getUTCFullYear() !== parts[0] ||
    utc.getUTCMonth() !== parts[1] - 1 ||
    utc.getUTCDate() !== parts[2] ||
    utc.getUTCHours() !== parts[3] ||
    utc.getUTCMinutes() !== parts[4] ||
    utc.getUTCSeconds() !== parts[5]
  )
    return undefined;
  const offset = /^z$/i.test(zone)
    ? 0
    : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  if (Math.abs(offset) > 18 * 60) return undefined;
  return new Date(utc.getTime() - offset * 60_000 + Math.floor(Number(`0${fraction || '.0'}`) * 1000));
}

/**
 * An error in the family of the serialisation asked for, never an HTML page: RFC 9457 problem
 * details as JSON for JSON-LD and as XML for RDF/XML, plain text for Turtle.
 */
function rdfError(format: RdfFormat, status: number, detail: string) {
  const title = STATUS_CODES[status] ?? 'Error';
  if (format === 'jsonld')
    return {
      type: 'application/problem+json; charset=utf-8',
      body: JSON.stringify({ type: 'about:blank', title, status, detail }),
    };
  if (format === 'rdf')
    return {
      type: 'application/problem+xml; charset=utf-8',
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<problem xmlns="urn:ietf:rfc:7807"><type>about:blank</type><title>${escapeXml(title)}</title><status>${status}</status><detail>${escapeXml(detail)}</detail></problem>\n`,
    };
  return { type: 'text/plain; charset=utf-8', body: `${status} ${title}: ${detail}\n` };
}

async function routes(app: FastifyInstance) {
  const { db } = app;
  const base = app.config.publicUrl;

  /** Each city's place in the catalog: the city, its oblast and its council. */
  async function publishers(): Promise<Map<number, Publisher>> {
    const oblasts = new Map((await listOblasts(db, 'uk')).map((o): [string, Oblast] => [o.slug, o]));
    const councils = new Map<number, Organization>();
    for (const o of (await listOrganizations(db, { kind: 'city_council', limit: 10_000, offset: 0 })).items)
      if (o.city_id !== null && !councils.has(o.city_id)) councils.set(o.city_id, o);
    return new Map(
      (await listCities(db, { locale: 'uk', limit: 5000, offset: 0 })).items.map((city): [number, Publisher] => [
        city.id,
        { city, oblast: oblasts.get(city.oblast_slug), council: councils.get(city.id) },
      ]),
    );
  }

  /** The statements about a city that its datasets point at: the publisher and the place. */
  const cityQuads = (publisher: Publisher) => [...agentQuads(publisher.city, base), ...placeQuads(publisher, base)];

  async function catalogQuads(format: RdfFormat, page: number, since: Date | undefined, sinceText: string | undefined) {
    const params: unknown[] = [PAGE_SIZE + 1, (page - 1) * PAGE_SIZE];
    if (since) params.push(since);
    // In the order datasets were created, so that a harvester paging through sees each once even
    // while datasets change (a changed one keeps its place; a new one comes at the end).
    const names = await db.query<{ name: string }>(
      `SELECT d.name FROM datasets d WHERE d.state = 'published' ${since ? 'AND d.modified_at >= $3' : ''} ORDER BY d.id LIMIT $1 OFFSET $2`,
      params,
    );
    const total = (await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM datasets d WHERE d.state = 'published' ${since ? 'AND d.modified_at >= $1' : ''}`,
      since ? [since] : [],
    ))!.n;
    const places = await publishers();
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
    const datasets: Dataset[] = [];
    for (const { name } of names.slice(0, PAGE_SIZE)) datasets.push(await getDataset(db, name, PUBLIC_ONLY));
    // The page's resources in one query.
    const resources = await listResources(
      db,
      datasets.map((d) => d.id),
    );
    for (const dataset of datasets) {
      q.push(quad(catalog, u('dcat', 'dataset'), datasetIri(dataset, base)));
      const own = resources.filter((r) => r.dataset_id === dataset.id);
      q.push(...datasetQuads(dataset, own, places.get(dataset.city_id), base));
      usedCities.add(dataset.city_id);
    }
    for (const cityId of usedCities) q.push(...cityQuads(places.get(cityId)!));
    // Hydra paging: hydra:next on a PartialCollectionView (data.europa.eu, ckanext-dcat 2) and the
    // older hydra:nextPage on a PagedCollection (ckanext-dcat before 2.1) on the same node.
    const pageUrl = (n: number) =>
      `${base}/catalog.${format}?page=${n}${sinceText ? `&modified_since=${encodeURIComponent(sinceText)}` : ''}`;
    const view = namedNode(pageUrl(page));
    const last = Math.max(1, Math.ceil(total / PAGE_SIZE));
    q.push(quad(view, a, u('hydra', 'PartialCollectionView')));
    q.push(quad(view, a, u('hydra', 'PagedCollection')));
    const links: [string, string, number | null][] = [
      ['first', 'firstPage', 1],
      ['last', 'lastPage', last],
      ['next', 'nextPage', page < last ? page + 1 : null],
      ['previous', 'previousPage', page > 1 ? page - 1 : null],
    ];
    for (const [current, deprecated, target] of links)
      if (target !== null) {
        q.push(quad(view, u('hydra', current), namedNode(pageUrl(target))));
        q.push(quad(view, u('hydra', deprecated), namedNode(pageUrl(target))));
      }
    q.push(quad(view, u('hydra', 'totalItems'), literal(String(total), u('xsd', 'integer'))));
    q.push(quad(view, u('hydra', 'itemsPerPage'), literal(String(PAGE_SIZE), u('xsd', 'integer'))));
    return q;
  }

  const catalogQuery = {
    type: 'object',
    additionalProperties: false,
    properties: {
      page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
      modified_since: { type: 'string', maxLength: 64 },
    },
  } as const;

  /** Every error of an RDF address, from validation to a missing dataset, in the format asked. */
  const errorHandlerFor =
    (format: RdfFormat) =>
    (error: FastifyError & { problems?: FieldProblem[] }, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      const detail =
        status >= 500
          ? 'Something went wrong on our side; it has been logged.'
          : error.validation
            ? error.validation
                .map((v) => {
                  const extra = (v.params as { additionalProperty?: string }).additionalProperty;
                  const name = v.instancePath.replace(/^\//, '');
                  const where = error.validationContext === 'querystring' ? 'in the query' : 'in the address';
                  return extra ? `unknown parameter "${extra}"` : `${name || 'the request'} (${where}) ${v.message}`;
                })
                .join('; ')
            : error.problems
              ? error.problems.map((p) => describeProblem(request.t ?? translator('en'), p)).join('; ')
              : error.message;
      const answer = rdfError(format, status, detail);
      return reply.code(status).type(answer.type).send(answer.body);
    };

  for (const format of Object.keys(FORMATS) as RdfFormat[]) {
    app.get<{ Querystring: { page: number; modified_since?: string } }>(
      `/catalog.${format}`,
      { schema: { hide: true, querystring: catalogQuery }, errorHandler: errorHandlerFor(format) },
      async (request, reply) => {
        const { page, modified_since: sinceText } = request.query;
        const since = sinceText === undefined ? undefined : parseModifiedSince(sinceText);
        if (sinceText !== undefined && !since) {
          const answer = rdfError(
            format,
            400,
            `modified_since (in the query) must be a date (2026-01-01) or an ISO 8601 date and time (2026-01-01T10:00:00Z), not "${sinceText}"`,
          );
          return reply.code(400).type(answer.type).send(answer.body);
        }
        return reply
          .type(FORMATS[format].type)
          .send(await FORMATS[format].write(await catalogQuads(format, page, since, sinceText)));
      },
    );
  }

  app.get<{ Params: { file: string } }>(
    '/dataset/:file',
    {
      schema: {
        hide: true,
        params: {
          type: 'object',
          // A file (name.ttl|.jsonld|.rdf), or a dataset's IRI (its id), which leads to its page.
          properties: {
            file: {
              type: 'string',
              pattern:
                '^([a-z0-9][a-z0-9_-]{1,99}\\.(ttl|jsonld|rdf)|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
            },
          },
        },
      },
      // The format the address asks for, even when it is not valid (Turtle if it names none).
      errorHandler: (error, request, reply) =>
        errorHandlerFor((/\.(jsonld|rdf)(?:\?|$)/.exec(request.url)?.[1] as RdfFormat | undefined) ?? 'ttl')(
          error as FastifyError,
          request,
          reply,
        ),
    },
    async (request, reply) => {
      const file = /^(.+)\.(ttl|jsonld|rdf)$/.exec(request.params.file);
      if (!file) {
        const dataset = await getDataset(db, request.params.file, PUBLIC_ONLY);
        return reply.redirect(`/datasets/${dataset.name}`, 303);
      }
      const [, name, extension] = file;
      const dataset = await getDataset(db, name!, PUBLIC_ONLY);
      const publisher = (await publishers()).get(dataset.city_id);
      const quads = [
        ...datasetQuads(dataset, await listResources(db, [dataset.id]), publisher, base),
        ...(publisher ? cityQuads(publisher) : []),
      ];
      const format = FORMATS[extension as RdfFormat];
      return reply.type(format.type).send(await format.write(quads));
    },
  );
}

export const dcatModule = fp(routes, { name: 'dcat' });
