// Configuration mistakes stop the start with a message naming the variable, before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

test('MAP_TILES_URL: an XYZ template on one host, with the attribution its licence asks for', () => {
  const tiles =
    (mapTilesUrl: string, mapTilesAttribution = '© Tiles') =>
    () =>
      loadConfig({ mapTilesUrl, mapTilesAttribution });
  assert.equal(
    tiles('https://tiles.example.org/{z}/{x}/{y}.png')().mapTilesUrl,
    'https://tiles.example.org/{z}/{x}/{y}.png',
  );
  assert.throws(tiles('https://tiles.example.org/tile.png'), /MAP_TILES_URL must be .*\{z\}, \{x\} and \{y\}/);
  assert.throws(tiles('https://{s}.tiles.example.org/{z}/{x}/{y}.png'), /MAP_TILES_URL .*one host/);
  assert.throws(tiles('javascript:alert(1)//{z}/{x}/{y}'), /MAP_TILES_URL/);
  assert.throws(tiles('https://tiles.example.org/{z}/{x}/{y}.png', ' '), /MAP_TILES_ATTRIBUTION/);
  assert.equal(loadConfig({}).mapTilesUrl, process.env.MAP_TILES_URL || undefined);
});

test('numbers and addresses are checked by name', () => {
  assert.throws(() => loadConfig({ databaseUrl: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ publicUrl: 'ftp://x' }), /PUBLIC_URL/);
  assert.throws(() => loadConfig({ datastoreReadUrl: 'x' }), /DATASTORE_READ_URL/);
});
