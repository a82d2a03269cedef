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
import { createTestApp } from '../../../test/helpers.ts';

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
    app = await createTestApp('pglite');
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

  test('modified_since and paging', async () => {
    const future = await app.inject(`/catalog.ttl?modified_since=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
    assert.match(future.body, /hydra:totalItems (0|"0")/);
    assert.equal((await app.inject('/catalog.ttl?modified_since=yesterday')).statusCode, 400);
    assert.equal((await app.inject('/catalog.jsonld?page=0')).statusCode, 400);
  });
});
