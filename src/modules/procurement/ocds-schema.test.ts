// The OCDS a city publishes is valid against the official OCDS 1.1 schemas (vendored in
// test/standards/ocds-1.1.5, see its README): the record package of the API, and the demo
// releases as a release package.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { demoProcurementReleases } from '../../demo/procurement.ts';

const DIR = path.join(import.meta.dirname, '../../../test/standards/ocds-1.1.5');

/** The schemas are draft-04: their `id` is draft-07's `$id`; OCDS's own keywords (codelist, omitWhenMerged…) are annotations. */
function load(name: string) {
  const { id, $schema: _, ...schema } = JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8'));
  return { $id: id, ...schema };
}

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  for (const name of ['release-schema.json', 'versioned-release-validation-schema.json']) ajv.addSchema(load(name));
  return {
    records: ajv.compile(load('record-package-schema.json')),
    releases: ajv.compile(load('release-package-schema.json')),
  };
}

const errorsOf = (validate: { errors?: unknown[] | null }) => JSON.stringify(validate.errors?.slice(0, 5), null, 1);

describe('OCDS 1.1 schemas', () => {
  test('the demo releases form a valid release package', () => {
    const { releases } = validator();
    const pkg = {
      uri: 'https://example.org/lviv-2026.json',
      version: '1.1',
      publishedDate: '2026-12-01T00:00:00Z',
      publisher: { name: 'Hromada demo' },
      releases: demoProcurementReleases(),
    };
    assert.ok(releases(pkg), errorsOf(releases));
  });

  test('a package missing what the schema requires is invalid (the validator can fail)', () => {
    const { records } = validator();
    assert.equal(records({ version: '1.1', records: [{ releases: [] }] }), false);
  });

  for (const engine of ENGINES) {
    describe(`on ${engine}`, () => {
      let app: FastifyInstance;
      before(async () => {
        app = await createTestApp(engine);
      });
      after(async () => {
        await app.close();
      });
      test("the API's record package for Lviv is valid", async () => {
        const { records } = validator();
        const response = await app.inject('/api/v1/procurement/cities/lviv/records?year=2026');
        assert.equal(response.statusCode, 200);
        const pkg = response.json();
        assert.ok(pkg.records.length > 100);
        assert.ok(records(pkg), errorsOf(records));
        // A page of a paged package is a record package as well.
        const page = (await app.inject('/api/v1/procurement/cities/lviv/records?year=2026&limit=20&offset=20')).json();
        assert.equal(page.records.length, 20);
        assert.ok(page.links.next && page.links.prev);
        assert.ok(records(page), errorsOf(records));
      });
    });
  }
});
