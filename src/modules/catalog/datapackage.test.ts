// datapackage.json of every published demo dataset, validated against the official Frictionless
// JSON Schemas (Data Package, Data Resource and Table Schema, v1.0 and v2.0; test/standards/README.md
// says where they come from), and checked against what it points at: each path is an absolute URL
// that answers, an upload's bytes and hash are the file's, and a Table Schema names the columns of
// the CSV it describes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { createDemoAppWithFiles } from '../../../test/demo-with-files.ts';

const STANDARDS = path.resolve(import.meta.dirname, '../../../test/standards');
const VERSIONS = ['1.0', '2.0'] as const;
const SCHEMAS = ['datapackage', 'dataresource', 'tableschema'] as const;

/** One validator per schema and version; the schemas carry their own keywords (propertyOrder, context). */
function validators(): Record<(typeof VERSIONS)[number], Record<(typeof SCHEMAS)[number], ValidateFunction>> {
  const compile = (version: string, name: string) => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajvFormats.default(ajv);
    ajv.addFormat('textarea', true); // an editor hint in the schemas, not a constraint
    const file = path.join(STANDARDS, `frictionless-${version}`, `${name}.json`);
    return ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8')));
  };
  return Object.fromEntries(
    VERSIONS.map((v) => [v, Object.fromEntries(SCHEMAS.map((name) => [name, compile(v, name)]))]),
  ) as ReturnType<typeof validators>;
}

const problems = (validate: ValidateFunction, value: unknown) =>
  validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

interface PackageResource {
  name: string;
  path: string;
  profile: string;
  format?: string;
  mediatype?: string;
  bytes?: number;
  hash?: string;
  schema?: { fields: { name: string; type: string }[]; primaryKey: string[] };
}

describe('datapackage.json', () => {
  let app: FastifyInstance;
  let check: ReturnType<typeof validators>;
  before(async () => {
    app = await createDemoAppWithFiles('pglite');
    check = validators();
  });
  after(() => app.close());

  test('every published dataset validates against Data Package, Data Resource and Table Schema, v1.0 and v2.0', async () => {
    const names = await app.db.query<{ name: string }>(
      `SELECT name FROM datasets WHERE state = 'published' ORDER BY name`,
    );
    assert.ok(names.length > 7);
    let tabular = 0;
    for (const { name } of names) {
      const response = await app.inject(`/datasets/${name}/datapackage.json`);
      assert.equal(response.statusCode, 200, name);
      const pkg = response.json();
      for (const version of VERSIONS) {
        assert.deepEqual(problems(check[version].datapackage, pkg), [], `${name} as Data Package ${version}`);
        for (const resource of pkg.resources as PackageResource[]) {
          assert.deepEqual(problems(check[version].dataresource, resource), [], `${name}/${resource.name} ${version}`);
          if (resource.schema)
            assert.deepEqual(
              problems(check[version].tableschema, resource.schema),
              [],
              `${name}/${resource.name} Table Schema ${version}`,
            );
        }
      }
      assert.ok(!('keywords' in pkg) || pkg.keywords.length > 0, `${name}: no empty keywords`);
      for (const licence of pkg.licenses ?? []) {
        assert.ok(licence.name && licence.title, `${name}: licence named and titled`);
        if (licence.path) assert.match(licence.path, /^https?:\/\//);
      }
      for (const resource of pkg.resources as PackageResource[]) {
        assert.match(resource.path, /^https?:\/\//, `${name}/${resource.name}: an absolute URL`);
        if (resource.schema) tabular++;
      }
    }
    assert.ok(tabular >= 3, `the demo's DataStore resources are tabular (${tabular})`);
    // What the schemas refuse, so that passing means something: a path from the site's root, no keywords.
    const broken = { name: 'broken', keywords: [], resources: [{ name: 'cities', path: '/api/v1/cities' }] };
    for (const version of VERSIONS) assert.notDeepEqual(problems(check[version].datapackage, broken), [], version);
    const untyped = { fields: [{ name: 'a', type: 'text' }] };
    for (const version of VERSIONS) assert.notDeepEqual(problems(check[version].tableschema, untyped), [], version);
  });

  test('each path leads to what the package says: uploads by bytes and hash, tables by their columns', async () => {
    const base = app.config.publicUrl;
    const names = await app.db.query<{ name: string }>(
      `SELECT DISTINCT d.name FROM datasets d JOIN resources r ON r.dataset_id = d.id
       WHERE d.state = 'published' AND r.file_key IS NOT NULL ORDER BY d.name`,
    );
    let uploads = 0;
    for (const { name } of names) {
      const pkg = (await app.inject(`/datasets/${name}/datapackage.json`)).json();
      for (const resource of pkg.resources as PackageResource[]) {
        if (!resource.path.startsWith(base)) continue;
        const data = await app.inject(resource.path.slice(base.length));
        assert.equal(data.statusCode, 200, resource.path);
        if (resource.schema) {
          assert.equal(resource.format, 'csv');
          const header = data.body.split(/\r?\n/)[0]!;
          assert.equal(
            header,
            resource.schema.fields
              .map((f) => (/[",\n]/.test(f.name) ? `"${f.name.replaceAll('"', '""')}"` : f.name))
              .join(','),
            `${name}/${resource.name}: the Table Schema names the CSV's columns`,
          );
        } else if (resource.bytes !== undefined) {
          uploads++;
          assert.equal(resource.bytes, data.rawPayload.length, resource.path);
          assert.equal(resource.hash, `sha256:${crypto.createHash('sha256').update(data.rawPayload).digest('hex')}`);
        }
      }
    }
    assert.ok(uploads >= 3, `the demo's uploads (${uploads})`);
  });

  test('a draft has none; a link given as a path on this site becomes an absolute URL', async () => {
    assert.equal((await app.inject('/datasets/lviv-council-decisions-draft/datapackage.json')).statusCode, 404);
    const cities = (await app.inject('/datasets/hromada-cities/datapackage.json')).json();
    assert.equal(cities.resources[0].path, `${app.config.publicUrl}/api/v1/cities?limit=500`);
    assert.equal(cities.resources[0].mediatype, 'application/json');
    assert.equal(cities.licenses[0].path, 'https://creativecommons.org/licenses/by/4.0/');
  });
});
