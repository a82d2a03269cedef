// Serves the application's own assets from memory: public/ (stylesheet, icons, outline), Leaflet's
// stylesheet, and the browser islands from src/client, bundled by esbuild at start-up. Each asset
// is also served under a name with its content hash (`/static/app.3f2a91c0.css`), which pages
// link to and browsers keep for a year; the plain name stays, with an ETag, for anything that
// links to it directly.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fp from 'fastify-plugin';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const CLIENT_ISLANDS = [
  'cities-map',
  'rows-map',
  'point-picker',
  'ranking-map',
  'compliance-map',
  'ranking-autosave',
  'facet-panel',
  'load-status',
  'ballot-meter',
] as const;

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.geojson': 'application/geo+json',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

/** Plain asset path → its fingerprinted path; filled when the plugin starts. */
const fingerprinted = new Map<string, string>();

/** The address a page should link to for an asset: the fingerprinted one once assets are loaded. */
export function assetUrl(plain: string): string {
  return fingerprinted.get(plain) ?? plain;
}

export async function bundleIslands(): Promise<Map<string, string>> {
  const result = await build({
    entryPoints: CLIENT_ISLANDS.map((name) => path.join(ROOT, 'src/client', `${name}.ts`)),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    outdir: '/build',
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((file) => [path.basename(file.path), file.text]));
}

async function loadAssets(): Promise<Map<string, Asset>> {
  const sources = new Map<string, Buffer>();
  for (const file of fs.readdirSync(path.join(ROOT, 'public'))) {
    sources.set(`/static/${file}`, fs.readFileSync(path.join(ROOT, 'public', file)));
  }
  sources.set(
    '/static/vendor/leaflet/leaflet.css',
    fs.readFileSync(path.join(ROOT, 'node_modules/leaflet/dist/leaflet.css')),
  );
  for (const [file, code] of await bundleIslands()) sources.set(`/static/build/${file}`, Buffer.from(code));
  const assets = new Map<string, Asset>();
  for (const [plain, body] of sources) {
    const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 12);
    const extension = path.extname(plain);
    const type = TYPES[extension] ?? 'application/octet-stream';
    const hashed = `${plain.slice(0, -extension.length)}.${hash}${extension}`;
    assets.set(plain, { body, type, etag: `"${hash}"`, immutable: false });
    assets.set(hashed, { body, type, etag: `"${hash}"`, immutable: true });
    fingerprinted.set(plain, hashed);
  }
  return assets;
}

export const staticAssets = fp(async (app) => {
  const assets = await loadAssets();
  app.get('/static/*', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get(request.url.split('?')[0]!);
    if (!asset) return reply.callNotFound();
    reply
      .header('etag', asset.etag)
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });
});
