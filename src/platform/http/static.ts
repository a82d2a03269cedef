// Serves the application's own assets: public/ (stylesheet, icons), Leaflet's stylesheet, and
// the browser islands from src/client, bundled by esbuild in memory at start-up.
import path from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const CLIENT_ISLANDS = ['cities-map', 'rows-map', 'point-picker', 'ranking-map', 'ranking-autosave'] as const;

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

export const staticAssets = fp(async (app) => {
  const bundles = await bundleIslands();
  await app.register(fastifyStatic, { root: path.join(ROOT, 'public'), prefix: '/static/', maxAge: '1h' });
  await app.register(fastifyStatic, {
    root: path.join(ROOT, 'node_modules/leaflet/dist'),
    prefix: '/static/vendor/leaflet/',
    decorateReply: false,
    maxAge: '1d',
    allowedPath: (pathName) => pathName === '/leaflet.css',
  });
  app.get<{ Params: { file: string } }>('/static/build/:file', { schema: { hide: true } }, async (request, reply) => {
    const code = bundles.get(request.params.file);
    if (code === undefined) return reply.callNotFound();
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(code);
  });
});
