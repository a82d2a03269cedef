// The DCAT-AP output validated against the official DCAT-AP 3.0.1 SHACL shapes (SEMIC).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import N3 from 'n3';
import rdf from '@zazuko/env-node';
import SHACLValidator from 'rdf-validate-shacl';
import type { FastifyInstance } from 'fastify';
import { createDemoAppWithFiles } from '../../../test/demo-with-files.ts';

const SHAPES_DIR = path.resolve(import.meta.dirname, '../../../test/standards/dcat-ap-3.0.1');

function parseTurtle(text: string) {
  const dataset = rdf.dataset();
  for (const q of new N3.Parser().parse(text)) dataset.add(q as never);
  return dataset;
}

describe('DCAT-AP 3', () => {
  let app: FastifyInstance;
  let validator: SHACLValidator;
  before(async () => {
    // With the demo's files uploaded, so that distributions carry their size and SHA-256.
    app = await createDemoAppWithFiles('pglite', { ingest: false });
    const shapes = parseTurtle(fs.readFileSync(path.join(SHAPES_DIR, 'dcat-ap-SHACL.ttl'), 'utf8'));
    for (const q of parseTurtle(fs.readFileSync(path.join(SHAPES_DIR, 'ranges.ttl'), 'utf8'))) shapes.add(q);
    validator = new SHACLValidator(shapes, { factory: rdf });
  });
  after(() => app.close());

  const violations = async (turtle: string) => {
    const report = await validator.validate(parseTurtle(turtle));
    return report.results
      .filter((r) => r.severity?.value.endsWith('Violation'))
      .map((r) => `${r.focusNode?.value} ${r.path?.value}: ${r.message.map((m) => m.value).join(' ')}`);
  };

  test('the catalog conforms to the DCAT-AP 3.0.1 shapes and lists published datasets only', async () => {
    const response = await app.inject('/catalog.ttl');
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/turtle/);
    assert.deepEqual(await violations(response.body), []);
    assert.match(response.body, /lviv-budget-2024/);
    assert.ok(!response.body.includes('lviv-council-decisions-draft'));
    const published = (await app.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM datasets WHERE state = 'published'`,
    ))!.n;
    assert.match(response.body, new RegExp(`hydra:totalItems (${published}|"${published}")`));
  });

  test('each dataset conforms, as Turtle and as JSON-LD with the same statements', async () => {
    const ttl = await app.inject('/dataset/lviv-budget-2024.ttl');
    assert.equal(ttl.statusCode, 200);
    assert.deepEqual(await violations(ttl.body), []);
    const jsonld = (await app.inject('/dataset/lviv-budget-2024.jsonld')).json();
    const dataset = jsonld['@graph'].find((n: { '@type'?: string[] }) =>
      n['@type']?.includes('http://www.w3.org/ns/dcat#Dataset'),
    );
    assert.equal(
      dataset['http://purl.org/dc/terms/title'][0]['@value'],
      'Бюджет Львівської міської територіальної громади на 2024 рік',
    );
    assert.equal(dataset['http://www.w3.org/ns/dcat#distribution'].length, 2);
    assert.equal((await app.inject('/dataset/lviv-council-decisions-draft.ttl')).statusCode, 404);
    assert.equal((await app.inject('/dataset/..%2Fetc.ttl')).statusCode, 400);
  });

  test('RDF/XML carries the same statements and conforms too', async () => {
    const parseRdfXml = async (text: string) => {
      const dataset = rdf.dataset();
      const stream = rdf.formats.parsers.import('application/rdf+xml', Readable.from([text]), {
        baseIRI: 'http://localhost/',
      })!;
      for await (const q of stream as unknown as AsyncIterable<never>) dataset.add(q);
      return dataset;
    };
    const withoutBlankNodes = (
      dataset: Iterable<{ subject: { termType: string }; object: { termType: string }; toString?: () => string }>,
    ) =>
      [...dataset]
        .filter((q) => q.subject.termType !== 'BlankNode' && q.object.termType !== 'BlankNode')
        .map((q) => rdf.dataset([q as never]).toCanonical())
        .sort();
    for (const url of ['/dataset/lviv-budget-2024', '/catalog']) {
      const xml = await app.inject(`${url}.rdf`);
      assert.equal(xml.statusCode, 200);
      assert.match(xml.headers['content-type'] as string, /application\/rdf\+xml/);
      const fromXml = await parseRdfXml(xml.body);
      const fromTurtle = parseTurtle((await app.inject(`${url}.ttl`)).body);
      assert.equal(fromXml.size, fromTurtle.size, url);
      assert.deepEqual(
        withoutBlankNodes(fromXml as never),
        withoutBlankNodes(fromTurtle as never).map((t) => t.replaceAll('.ttl?', '.rdf?')),
        url,
      );
      const report = await validator.validate(fromXml);
      assert.deepEqual(
        report.results
          .filter((r) => r.severity?.value.endsWith('Violation'))
          .map((r) => r.message.map((m) => m.value).join()),
        [],
        url,
      );
    }
    assert.equal((await app.inject('/dataset/lviv-council-decisions-draft.rdf')).statusCode, 404);
  });

  test('uploads carry byte size and SHA-256, every dataset a contact, place, languages and access rights', async () => {
    const ttl = (await app.inject('/dataset/lviv-budget-2024.ttl')).body;
    const sha = (await app.db.query<{ sha256: string; size_bytes: string }>(
      `SELECT r.sha256, r.size_bytes::text FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = 'lviv-budget-2024'`,
    ))!;
    assert.equal(sha.length, 2);
    for (const { sha256, size_bytes } of sha) {
      assert.match(ttl, new RegExp(`spdx:checksumValue "${sha256}"\\^\\^xsd:hexBinary`));
      assert.match(ttl, new RegExp(`dcat:byteSize "${size_bytes}"\\^\\^xsd:nonNegativeInteger`));
    }
    assert.match(ttl, /spdx:algorithm spdx:checksumAlgorithm_sha256/);
    assert.match(ttl, /dcat:mediaType <http:\/\/www.iana.org\/assignments\/media-types\/text\/csv>/);
    assert.match(ttl, /dct:license <http:\/\/www.opendefinition.org\/licenses\/cc-by>/);
    assert.match(ttl, /vcard:fn [^;]*"Lviv City Council"@en/);
    assert.match(ttl, /vcard:hasEmail <mailto:opendata@lviv.example>/);
    // Every published dataset, with or without a contact of its own.
    const catalog = parseTurtle((await app.inject('/catalog.ttl')).body);
    const datasets = [...catalog.match(null, rdf.ns.rdf.type, rdf.namedNode('http://www.w3.org/ns/dcat#Dataset'))];
    assert.ok(datasets.length > 7);
    for (const { subject } of datasets) {
      const one = (predicate: string) => [...catalog.match(subject, rdf.namedNode(predicate), null)];
      const contact = one('http://www.w3.org/ns/dcat#contactPoint');
      assert.equal(contact.length, 1, subject.value);
      assert.ok(catalog.match(contact[0]!.object, rdf.namedNode('http://www.w3.org/2006/vcard/ns#fn'), null).size > 0);
      assert.equal(one('http://purl.org/dc/terms/spatial').length, 1, subject.value);
      assert.ok(one('http://purl.org/dc/terms/language').length >= 1, subject.value);
      assert.deepEqual(
        one('http://purl.org/dc/terms/accessRights').map((q) => q.object.value),
        ['http://publications.europa.eu/resource/authority/access-right/PUBLIC'],
      );
    }
  });

  test('modified_since takes a date or a date and time; bad values are a 400 in the format asked', async () => {
    const future = await app.inject(`/catalog.ttl?modified_since=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
    assert.match(future.body, /hydra:totalItems (0|"0")/);
    const published = (await app.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM datasets WHERE state = 'published'`,
    ))!.n;
    for (const since of ['2026-01-01', '2000-01-01T00:00', '2000-01-01T02:00:00+02:00', '2000-01-01T00:00:00.5Z']) {
      const response = await app.inject(`/catalog.ttl?modified_since=${encodeURIComponent(since)}`);
      assert.equal(response.statusCode, 200, since);
      if (since.startsWith('2000'))
        assert.match(response.body, new RegExp(`hydra:totalItems (${published}|"${published}")`));
    }
    const afterSeed = await app.db.one<{ d: string }>(
      `SELECT to_char(max(modified_at) + interval '1 day', 'YYYY-MM-DD') AS d FROM datasets`,
    );
    assert.match((await app.inject(`/catalog.ttl?modified_since=${afterSeed!.d}`)).body, /hydra:totalItems (0|"0")/);

    const bad = await app.inject('/catalog.ttl?modified_since=yesterday');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.headers['content-type'] as string, /^text\/plain/);
    assert.match(bad.body, /modified_since .*"yesterday"/);
    for (const value of ['2026-02-30', '2026-01-01T25:00', '2026-13-01', '2026-01-01T10:00+19:00']) {
      const response = await app.inject(`/catalog.jsonld?modified_since=${encodeURIComponent(value)}`);
      assert.equal(response.statusCode, 400, value);
      assert.match(response.headers['content-type'] as string, /^application\/problem\+json/);
      assert.match(response.json().detail, /modified_since/);
    }
    const page = await app.inject('/catalog.rdf?page=0');
    assert.equal(page.statusCode, 400);
    assert.match(page.headers['content-type'] as string, /^application\/problem\+xml/);
    assert.match(page.body, /<detail>page \(in the query\) must be &gt;= 1<\/detail>/);
    const unknown = await app.inject('/catalog.jsonld?rows=5');
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().detail, /unknown parameter "rows"/);
    const missing = await app.inject('/dataset/lviv-council-decisions-draft.jsonld');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.headers['content-type'] as string, /^application\/problem\+json/);
  });

  test('paging: a page past the last is empty; every page says where the next is, both ways Hydra has', async () => {
    const page = await app.inject('/catalog.ttl?page=2');
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('a dcat:Dataset'));
    assert.match(
      page.body,
      /hydra:PartialCollectionView, hydra:PagedCollection|hydra:PagedCollection, hydra:PartialCollectionView/,
    );
    assert.match(page.body, /hydra:previous <http:\/\/localhost:3000\/catalog.ttl\?page=1>/);
    assert.match(page.body, /hydra:previousPage <http:\/\/localhost:3000\/catalog.ttl\?page=1>/);
  });
});
