// ckanext-dcat's RDF harvester (harvesters/rdf.py, DCATRDFHarvester) pointed at /catalog.ttl, replayed
// request by request: for each page a HEAD, then a GET; the body parsed as the Content-Type says;
// each dcat:Dataset read as its default profile (euro_dcat_ap_3, profiles/euro_dcat_ap_base.py and
// base.py) reads it on a stock CKAN (ckan.locale_default en, CKAN's default licence register and
// resource_formats.json); the guid from the dataset's URI; then the next page from hydra:next on a
// hydra:PartialCollectionView or hydra:nextPage on a hydra:PagedCollection, until there is none. The
// profile's reading is written out below from its source, so that what a stock CKAN would store is
// checked field by field against the catalog's own data for every published dataset.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import N3 from 'n3';
import rdf from '@zazuko/env-node';
import type { FastifyInstance } from 'fastify';
import { Client, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { createDemoAppWithFiles } from '../../../test/demo-with-files.ts';

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const RDFS_LABEL = 'http://www.w3.org/2000/01/rdf-schema#label';
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const VCARD = 'http://www.w3.org/2006/vcard/ns#';
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const SPDX = 'http://spdx.org/rdf/terms#';
const HYDRA = 'http://www.w3.org/ns/hydra/core#';

/** CKAN's default licence register (ckan/model/license.py): id, url, title. */
const CKAN_LICENCES: [string, string, string][] = [
  ['notspecified', '', 'License not specified'],
  [
    'odc-pddl',
    'http://www.opendefinition.org/licenses/odc-pddl',
    'Open Data Commons Public Domain Dedication and License (PDDL)',
  ],
  ['odc-odbl', 'http://www.opendefinition.org/licenses/odc-odbl', 'Open Data Commons Open Database License (ODbL)'],
  ['odc-by', 'http://www.opendefinition.org/licenses/odc-by', 'Open Data Commons Attribution License'],
  ['cc-zero', 'http://www.opendefinition.org/licenses/cc-zero', 'Creative Commons CCZero'],
  ['cc-by', 'http://www.opendefinition.org/licenses/cc-by', 'Creative Commons Attribution'],
  ['cc-by-sa', 'http://www.opendefinition.org/licenses/cc-by-sa', 'Creative Commons Attribution Share-Alike'],
  ['gfdl', 'http://www.opendefinition.org/licenses/gfdl', 'GNU Free Documentation License'],
  ['other-open', '', 'Other (Open)'],
  ['other-pd', '', 'Other (Public Domain)'],
  ['other-at', '', 'Other (Attribution)'],
  [
    'uk-ogl',
    'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/',
    'UK Open Government Licence (OGL)',
  ],
  ['cc-nc', 'http://creativecommons.org/licenses/by-nc/2.0/', 'Creative Commons Non-Commercial (Any)'],
  ['other-nc', '', 'Other (Non-Commercial)'],
  ['other-closed', '', 'Other (Not Open)'],
];
/** The catalog's own licences and the CKAN licence each is (or belongs to). */
const CKAN_ID_OF: Record<string, string> = {
  'CC-BY-4.0': 'cc-by',
  'CC-BY-SA-4.0': 'cc-by-sa',
  'CC0-1.0': 'cc-zero',
  'ODbL-1.0': 'odc-odbl',
  'PDDL-1.0': 'odc-pddl',
};
/** The lines of CKAN's resource_formats.json for the formats the catalog has: format, mimetype. */
const CKAN_FORMATS: [string, string][] = [
  ['CSV', 'text/csv'],
  ['TSV', 'text/tab-separated-values'],
  ['JSON', 'application/json'],
  ['GeoJSON', 'application/geo+json'],
  ['XLSX', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['XLS', 'application/vnd.ms-excel'],
  ['XML', 'application/xml'],
  ['PDF', 'application/pdf'],
  ['ZIP', 'application/zip'],
];

/** An RDF graph in document order, which is the order rdflib's memory store hands objects back in. */
class Graph {
  readonly quads: N3.Quad[];
  constructor(quads: N3.Quad[]) {
    this.quads = quads;
  }
  objects(subject: N3.Term, predicate: string): N3.Term[] {
    return this.quads.filter((q) => q.subject.equals(subject) && q.predicate.value === predicate).map((q) => q.object);
  }
  subjects(predicate: string, object: string): N3.Term[] {
    const found = this.quads.filter((q) => q.predicate.value === predicate && q.object.value === object);
    return [...new Map(found.map((q) => [`${q.subject.termType} ${q.subject.value}`, q.subject])).values()];
  }
  has(subject: N3.Term, predicate: string, object: string): boolean {
    return this.objects(subject, predicate).some((o) => o.value === object);
  }
}

/** RDFProfile._object_value: the literal in the default language, else the first; a node's label or IRI. */
function objectValue(g: Graph, subject: N3.Term, predicate: string): string {
  let fallback = '';
  for (const o of g.objects(subject, predicate)) {
    if (o.termType === 'Literal') {
      if (o.language === 'en') return o.value;
      if (fallback === '') fallback = o.value;
    } else {
      const labels = g.objects(o, RDFS_LABEL);
      return labels.length ? labels[0]!.value : o.value;
    }
  }
  return fallback;
}
const objectList = (g: Graph, subject: N3.Term, predicate: string) => g.objects(subject, predicate).map((o) => o.value);

/** The name of an agent or contact: the default language's, else a plain one, else any (base.py). */
function translatedName(g: Graph, subject: N3.Term, predicate: string): string {
  const names = g.objects(subject, predicate);
  const english = names.find((n) => n.termType === 'Literal' && n.language === 'en');
  const plain = names.find((n) => n.termType !== 'Literal' || !n.language);
  return english?.value ?? plain?.value ?? names[0]?.value ?? '';
}

interface HarvestedResource {
  uri: string;
  name: string;
  url: string;
  format?: string;
  mimetype?: string;
  size?: number;
  hash?: string;
  hash_algorithm?: string;
  license?: string;
}
interface Harvested {
  title: string;
  notes: string;
  url: string;
  tags: string[];
  license_id: string;
  extras: Record<string, string>;
  resources: HarvestedResource[];
}

/** EuropeanDCATAP3Profile.parse_dataset, the parts a stock CKAN stores. */
function parseDataset(g: Graph, ref: N3.Term): Harvested {
  const extras: Record<string, string> = {};
  const simple: [string, string][] = [
    ['issued', `${DCT}issued`],
    ['modified', `${DCT}modified`],
    ['identifier', `${DCT}identifier`],
    ['frequency', `${DCT}accrualPeriodicity`],
  ];
  for (const [key, predicate] of simple) {
    const value = objectValue(g, ref, predicate);
    if (value) extras[key] = value;
  }
  for (const [key, predicate] of [
    ['language', `${DCT}language`],
    ['theme', `${DCAT}theme`],
  ] as const) {
    const values = objectList(g, ref, predicate);
    if (values.length) extras[key] = JSON.stringify(values);
  }
  const contact = g.objects(ref, `${DCAT}contactPoint`)[0];
  if (contact) {
    const name = translatedName(g, contact, `${VCARD}fn`);
    if (name) extras.contact_name = name;
    const email = objectValue(g, contact, `${VCARD}hasEmail`).replace(/^mailto:/, '');
    if (email) extras.contact_email = email;
    const url = objectValue(g, contact, `${VCARD}hasURL`);
    if (url) extras.contact_url = url;
  }
  const publisher = g.objects(ref, `${DCT}publisher`)[0];
  if (publisher) {
    if (publisher.termType === 'NamedNode') extras.publisher_uri = publisher.value;
    extras.publisher_name = translatedName(g, publisher, `${FOAF}name`);
  }
  const period = g.objects(ref, `${DCT}temporal`)[0];
  if (period) {
    const start = objectValue(g, period, `${DCAT}startDate`);
    const end = objectValue(g, period, `${DCAT}endDate`);
    if (start) extras.temporal_start = start;
    if (end) extras.temporal_end = end;
  }
  for (const spatial of g.objects(ref, `${DCT}spatial`)) {
    if (spatial.termType === 'NamedNode') extras.spatial_uri = spatial.value;
    if (g.has(spatial, RDF_TYPE, `${DCT}Location`)) {
      for (const label of g.objects(spatial, `${SKOS}prefLabel`)) extras.spatial_text = label.value;
      for (const label of g.objects(spatial, RDFS_LABEL)) extras.spatial_text = label.value;
      const centroid = g.objects(spatial, `${DCAT}centroid`)[0];
      if (centroid) extras.spatial_centroid = centroid.value;
    }
  }
  extras.uri = ref.termType === 'NamedNode' ? ref.value : '';
  const rights = g.objects(ref, `${DCT}accessRights`)[0];
  if (rights) extras.access_rights = rights.value;

  // _license: the first distribution's licence found in the register, by url, then by title.
  let licenseId = '';
  for (const distribution of g.objects(ref, `${DCAT}distribution`)) {
    const licence = g.objects(distribution, `${DCT}license`)[0];
    if (!licence) continue;
    const title = objectValue(g, licence, `${DCT}title`);
    const match =
      CKAN_LICENCES.findLast(([, url]) => url === licence.value) ?? CKAN_LICENCES.findLast(([, , t]) => t === title);
    if (match) {
      licenseId = match[0];
      break;
    }
  }

  const resources = g.objects(ref, `${DCAT}distribution`).map((distribution) => {
    const resource: HarvestedResource = {
      uri: distribution.termType === 'NamedNode' ? distribution.value : '',
      name: objectValue(g, distribution, `${DCT}title`),
      url: objectValue(g, distribution, `${DCAT}downloadURL`) || objectValue(g, distribution, `${DCAT}accessURL`),
    };
    // _distribution_format with normalize_ckan_format: the media type, then the label CKAN knows for it.
    const imt = objectValue(g, distribution, `${DCAT}mediaType`) || undefined;
    const format = g.objects(distribution, `${DCT}format`)[0];
    let label = format && format.termType !== 'Literal' ? format.value : format?.value;
    const known = CKAN_FORMATS.find(
      ([name, mime]) => mime === imt?.toLowerCase() || name.toLowerCase() === label?.toLowerCase(),
    );
    if (known) label = known[0];
    if (imt) resource.mimetype = imt;
    if (label ?? imt) resource.format = label ?? imt;
    const size = objectValue(g, distribution, `${DCAT}byteSize`);
    if (size) resource.size = Math.trunc(Number(size));
    for (const checksum of g.objects(distribution, `${SPDX}checksum`)) {
      resource.hash_algorithm = objectValue(g, checksum, `${SPDX}algorithm`);
      resource.hash = objectValue(g, checksum, `${SPDX}checksumValue`);
    }
    const licence = objectValue(g, distribution, `${DCT}license`);
    if (licence) resource.license = licence;
    return resource;
  });

  const keywords = objectList(g, ref, `${DCAT}keyword`).flatMap((k) =>
    k.includes(',') ? k.split(',').map((t) => t.trim()) : [k],
  );
  return {
    title: objectValue(g, ref, `${DCT}title`),
    notes: objectValue(g, ref, `${DCT}description`),
    url: objectValue(g, ref, `${DCAT}landingPage`),
    tags: keywords,
    license_id: licenseId,
    extras,
    resources,
  };
}

/** RDFParser.next_page. */
function nextPage(g: Graph): string | null {
  for (const type of [`${HYDRA}PartialCollectionView`, `${HYDRA}PagedCollection`])
    for (const view of g.subjects(RDF_TYPE, type)) {
      const next = g.objects(view, `${HYDRA}next`)[0] ?? g.objects(view, `${HYDRA}nextPage`)[0];
      if (next) return next.value;
    }
  return null;
}

async function parse(text: string, contentType: string, baseIRI: string): Promise<N3.Quad[]> {
  if (contentType === 'text/turtle') return new N3.Parser({ baseIRI, format: 'text/turtle' }).parse(text);
  const stream = rdf.formats.parsers.import(contentType, Readable.from([text]), { baseIRI })!;
  const quads: N3.Quad[] = [];
  for await (const q of stream as unknown as AsyncIterable<N3.Quad>) quads.push(q);
  return quads;
}

interface HarvestRun {
  requests: string[];
  /** By guid, in the order gathered. */
  datasets: Map<string, Harvested>;
}

/** DCATRDFHarvester.gather_stage: page after page until there is no next one. */
async function gather(app: FastifyInstance, sourceUrl: string): Promise<HarvestRun> {
  const base = app.config.publicUrl;
  const run: HarvestRun = { requests: [], datasets: new Map() };
  let next: string | null = sourceUrl;
  let firstHash: string | undefined;
  while (next) {
    assert.ok(next.startsWith(base), `the next page is on this site: ${next}`);
    const url: string = next.slice(base.length);
    // _get_content_and_type: a HEAD first (a GET instead only after a 405 or 400), then the GET.
    const head: { statusCode: number } = await app.inject({
      method: 'HEAD',
      url,
      headers: { 'user-agent': 'python-requests/2.32.3' },
    });
    assert.equal(head.statusCode, 200, `HEAD ${url}`);
    const response = await app.inject({ method: 'GET', url, headers: { 'user-agent': 'python-requests/2.32.3' } });
    run.requests.push(`GET ${url}`);
    assert.equal(response.statusCode, 200, `GET ${url}: ${response.body.slice(0, 300)}`);
    const contentType = String(response.headers['content-type']).split(';')[0]!;
    // The same body on a following page ends the run with a warning: never so here.
    const hash = crypto.createHash('md5').update(response.body).digest('hex');
    if (firstHash) assert.notEqual(hash, firstHash, `${url} repeats the first page`);
    else firstHash = hash;
    const g = new Graph(await parse(response.body, contentType, next));
    for (const ref of g.subjects(RDF_TYPE, `${DCAT}Dataset`)) {
      const dataset = parseDataset(g, ref);
      // _get_guid: the uri extra, else the identifier.
      const guid = dataset.extras.uri || dataset.extras.identifier;
      assert.ok(guid, 'every dataset has a guid');
      assert.ok(!run.datasets.has(guid), `${guid} seen once`);
      run.datasets.set(guid, dataset);
    }
    next = nextPage(g);
  }
  return run;
}

interface Expected {
  name: string;
  uuid: string;
  title_uk: string;
  title_en: string;
  title_bg: string;
  description_uk: string;
  description_en: string;
  keywords: string[];
  license_id: string;
  frequency: string;
  themes: string[];
  contact_name: string | null;
  contact_email: string | null;
  temporal_start: string | null;
  temporal_end: string | null;
  modified_at: Date;
  city_slug: string;
  city_uk: string;
  city_en: string;
  council_en: string | null;
  latitude: number | null;
  longitude: number | null;
}

for (const engine of ENGINES) {
  describe(`ckanext-dcat's RDF harvester on /catalog.ttl, ${engine}`, () => {
    let app: FastifyInstance;
    let base: string;
    let call: (action: string, body: unknown) => Promise<{ statusCode: number; body: string }>;
    before(async () => {
      app = await createDemoAppWithFiles(engine, { ingest: false });
      base = app.config.publicUrl;
      const client = new Client(app);
      await client.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await client.get('/account');
      const page = await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'harvest' });
      const token = /id="new-token">([^<]+)</.exec(page.body)![1]!;
      call = (action, body) =>
        app.inject({
          method: 'POST',
          url: `/api/3/action/${action}`,
          headers: { authorization: token, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
      // More than a page (100) of published datasets, so that the harvester has to follow the paging.
      const published = (await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM datasets WHERE state = 'published'`,
      ))!.n;
      for (let i = published; i <= 130; i++) {
        const created = await call('package_create', {
          name: `harvest-paging-${i}`,
          title: `Paging ${i}`,
          notes: 'A dataset so that the catalog has two pages.',
          owner_org: 'lviv',
          license_id: 'other-open',
          tags: [{ name: 'paging' }, { name: 'a, b' }],
          resources: [{ name: 'Link', url: `https://data.lviv.example/paging-${i}.pdf`, format: 'PDF' }],
        });
        assert.equal(created.statusCode, 200, created.body);
      }
    });
    after(() => app.close());

    async function expectedDatasets(): Promise<Map<string, Expected>> {
      const rows = await app.db.query<Expected>(
        `SELECT d.name, d.uuid::text AS uuid, d.title_uk, d.title_en, d.title_bg, d.description_uk, d.description_en, d.keywords, d.license_id,
           d.frequency, d.themes, d.contact_name, d.contact_email, to_char(d.temporal_start, 'YYYY-MM-DD') AS temporal_start,
           to_char(d.temporal_end, 'YYYY-MM-DD') AS temporal_end, d.modified_at, c.slug AS city_slug, c.name_uk AS city_uk,
           c.name_en AS city_en, c.latitude::float8 AS latitude, c.longitude::float8 AS longitude,
           (SELECT o.name_en FROM organizations o WHERE o.city_id = c.id AND o.kind = 'city_council' ORDER BY o.slug LIMIT 1) AS council_en
         FROM datasets d JOIN cities c ON c.id = d.city_id WHERE d.state = 'published'`,
      );
      return new Map(rows.map((r) => [`${base}/dataset/${r.uuid}`, r]));
    }

    test('the first run visits every page once and gets every published dataset once, as its profile reads it', async () => {
      const run = await gather(app, `${base}/catalog.ttl`);
      assert.deepEqual(run.requests, ['GET /catalog.ttl', `GET /catalog.ttl?page=2`]);
      const expected = await expectedDatasets();
      assert.ok(expected.size > 100);
      assert.deepEqual([...run.datasets.keys()].sort(), [...expected.keys()].sort());
      const resources = await app.db.query<{
        id: string;
        name: string;
        dataset: string;
        format: string;
        url: string | null;
        size_bytes: number | null;
        sha256: string | null;
      }>(
        `SELECT r.id, r.name, d.name AS dataset, r.format, r.url, r.size_bytes::float8 AS size_bytes, r.sha256
         FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE d.state = 'published' ORDER BY r.position, r.created_at`,
      );
      let uploads = 0;
      for (const [guid, got] of run.datasets) {
        const want = expected.get(guid)!;
        const at = `${want.name}: `;
        assert.equal(got.title, want.title_en || want.title_uk, `${at}title`);
        assert.equal(got.notes, want.description_en || want.description_uk || want.title_uk, `${at}notes`);
        assert.equal(got.url, `${base}/datasets/${want.name}`, `${at}url`);
        assert.deepEqual(
          got.tags,
          want.keywords.flatMap((k) => k.split(',').map((t) => t.trim())),
          `${at}tags`,
        );
        assert.equal(got.license_id, CKAN_ID_OF[want.license_id] ?? want.license_id, `${at}license_id`);
        assert.equal(got.extras.identifier, want.uuid, `${at}identifier`);
        assert.equal(got.extras.uri, guid);
        assert.equal(new Date(got.extras.modified!).getTime(), new Date(want.modified_at).getTime(), `${at}modified`);
        assert.ok(got.extras.issued, `${at}issued`);
        assert.equal(
          got.extras.frequency,
          `http://publications.europa.eu/resource/authority/frequency/${want.frequency}`,
        );
        assert.deepEqual(
          JSON.parse(got.extras.theme ?? '[]'),
          want.themes.map((t) => `http://publications.europa.eu/resource/authority/data-theme/${t}`),
        );
        const languages = [want.title_uk && 'UKR', want.title_en && 'ENG', want.title_bg && 'BUL'].filter(Boolean);
        assert.deepEqual(
          JSON.parse(got.extras.language!),
          languages.map((l) => `http://publications.europa.eu/resource/authority/language/${l}`),
          `${at}language`,
        );
        assert.equal(got.extras.access_rights, 'http://publications.europa.eu/resource/authority/access-right/PUBLIC');
        assert.equal(
          got.extras.contact_name,
          want.contact_name ?? want.council_en ?? want.city_en,
          `${at}contact_name`,
        );
        assert.equal(got.extras.contact_email, want.contact_email ?? undefined, `${at}contact_email`);
        assert.equal(got.extras.publisher_uri, `${base}/cities/${want.city_slug}`);
        assert.equal(got.extras.publisher_name, want.city_en);
        assert.equal(got.extras.spatial_uri, `${base}/cities/${want.city_slug}#place`);
        assert.equal(got.extras.spatial_text, want.city_uk);
        if (want.latitude !== null)
          assert.equal(got.extras.spatial_centroid, `POINT(${want.longitude} ${want.latitude})`, `${at}centroid`);
        assert.equal(got.extras.temporal_start, want.temporal_start ?? undefined);
        assert.equal(got.extras.temporal_end, want.temporal_end ?? undefined);

        const mine = resources.filter((r) => r.dataset === want.name);
        assert.equal(got.resources.length, mine.length, `${at}resources`);
        for (const r of mine) {
          const resource = got.resources.find((h) => h.uri === `${guid}/resource/${r.id}`);
          assert.ok(resource, `${at}resource ${r.id}`);
          assert.equal(resource.name, r.name);
          const url = r.url
            ? r.url.startsWith('/')
              ? `${base}${r.url}`
              : r.url
            : `${base}/datasets/${want.name}/resources/${r.id}/download`;
          assert.equal(resource.url, url, `${at}url of ${r.name}`);
          const known = CKAN_FORMATS.find(([name]) => name.toLowerCase() === r.format.toLowerCase());
          if (known) {
            assert.equal(resource.format, known[0], `${at}format of ${r.name}`);
            assert.equal(resource.mimetype, known[1], `${at}mimetype of ${r.name}`);
          }
          assert.equal(resource.size, r.size_bytes ?? undefined, `${at}size of ${r.name}`);
          assert.equal(resource.hash, r.sha256 ?? undefined, `${at}hash of ${r.name}`);
          if (r.sha256) {
            uploads++;
            assert.equal(resource.hash_algorithm, 'http://spdx.org/rdf/terms#checksumAlgorithm_sha256');
          }
        }
      }
      assert.ok(uploads >= 3, `the demo's uploads carry their size and SHA-256 (${uploads})`);
    });

    test('an RDF/XML source gives the same datasets', async () => {
      const turtle = await gather(app, `${base}/catalog.ttl`);
      const xml = await gather(app, `${base}/catalog.rdf`);
      assert.deepEqual(xml.requests, ['GET /catalog.rdf', `GET /catalog.rdf?page=2`]);
      assert.deepEqual([...xml.datasets.keys()].sort(), [...turtle.datasets.keys()].sort());
      for (const [guid, dataset] of turtle.datasets) assert.deepEqual(xml.datasets.get(guid), dataset, guid);
    });

    test('a second run with nothing changed sees nothing modified; a change, a new dataset and a deletion are seen', async () => {
      const first = await gather(app, `${base}/catalog.ttl`);
      const second = await gather(app, `${base}/catalog.ttl`);
      const changed = (a: HarvestRun, b: HarvestRun) =>
        [...b.datasets]
          .filter(([guid, d]) => a.datasets.get(guid)?.extras.modified !== d.extras.modified)
          .map(([g]) => g);
      assert.deepEqual([...second.datasets.keys()], [...first.datasets.keys()]);
      assert.deepEqual(changed(first, second), []);
      assert.deepEqual(second.datasets, first.datasets);

      const since = new Date().toISOString();
      // A dataset's guid is its IRI by id (/dataset/{id}), as ckanext-dcat names CKAN's datasets.
      const iri = async (name: string) =>
        `${base}/dataset/${(await app.db.one<{ uuid: string }>('SELECT uuid::text AS uuid FROM datasets WHERE name = $1', [name]))!.uuid}`;
      const [budget, paging130] = [await iri('lviv-budget-2024'), await iri('harvest-paging-130')];
      const patched = await call('package_patch', { id: 'lviv-budget-2024', notes: 'Revised notes.' });
      assert.equal(patched.statusCode, 200, patched.body);
      const deleted = await call('package_delete', { id: 'harvest-paging-130' });
      assert.equal(deleted.statusCode, 200, deleted.body);
      const added = await call('package_create', {
        name: 'harvest-new',
        title: 'New',
        owner_org: 'lviv',
        license_id: 'CC0-1.0',
      });
      assert.equal(added.statusCode, 200, added.body);
      const fresh = await iri('harvest-new');
      const third = await gather(app, `${base}/catalog.ttl`);
      assert.deepEqual(changed(first, third).sort(), [budget, fresh].sort());
      // _mark_datasets_for_deletion: in the harvester's records, not in the source any more.
      assert.deepEqual(
        [...first.datasets.keys()].filter((guid) => !third.datasets.has(guid)),
        [paging130],
      );
      // An incremental harvest asks for what changed since the last one (a date alone works too).
      const incremental = await gather(app, `${base}/catalog.ttl?modified_since=${encodeURIComponent(since)}`);
      assert.deepEqual([...incremental.datasets.keys()].sort(), [budget, fresh].sort());
      // A rename keeps the guid: the harvester updates the dataset it has instead of adding a copy.
      const renamed = await call('package_patch', { id: 'harvest-new', name: 'harvest-renamed' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      const fourth = await gather(app, `${base}/catalog.ttl`);
      assert.equal(fourth.datasets.get(fresh)?.url, `${base}/datasets/harvest-renamed`);
      assert.deepEqual([...fourth.datasets.keys()].sort(), [...third.datasets.keys()].sort());
      // The IRI leads to the dataset's page.
      const page = await app.inject(fresh.slice(base.length));
      assert.equal(page.statusCode, 303);
      assert.equal(page.headers.location, '/datasets/harvest-renamed');
      const today = since.slice(0, 10);
      const byDate = await gather(app, `${base}/catalog.ttl?modified_since=${today}`);
      assert.ok(byDate.datasets.has(fresh));
    });
  });
}
