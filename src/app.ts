// Builds the Fastify application: platform plugins first (security headers, cookies, CSRF,
// rate limits, request context), then one plugin per module.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import csrf from '@fastify/csrf-protection';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import helmet from 'helmet';
import swagger from '@fastify/swagger';
import type { Config } from './platform/config.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import type { Database } from './platform/db/index.ts';
import { openFileStore, type FileStore } from './platform/files.ts';
import { SharedCounter, sharedStore } from './platform/http/rate-limits.ts';
import { DataVersions } from './platform/data-version.ts';
import { isApiRequest, isCkanRequest, requestContext } from './platform/http/context.ts';
import { strictFormParser, strictJsonParser } from './platform/http/input.ts';
import { staticAssets } from './platform/http/static.ts';
import { healthRoutes } from './modules/health/routes.ts';
import { homeRoutes } from './modules/home/routes.ts';
import { Sections } from './platform/sections.ts';
import { citiesModule } from './modules/cities/routes.ts';
import { organizationsModule } from './modules/organizations/routes.ts';
import { accountsModule } from './modules/accounts/routes.ts';
import { adminModule } from './modules/admin/routes.ts';
import { apiDocsModule } from './modules/api-docs/routes.ts';
import { openApiOptions } from './modules/api-docs/openapi.ts';
import { catalogModule } from './modules/catalog/routes.ts';
import { ckanModule } from './modules/catalog/ckan.ts';
import { ckanOrganizationsModule } from './modules/catalog/ckan-organizations.ts';
import { ckanSiteModule } from './modules/catalog/ckan-site.ts';
import { ckanActivityModule } from './modules/catalog/ckan-activity.ts';
import { catalogFeedsModule } from './modules/catalog/feeds.ts';
import { dcatModule } from './modules/catalog/dcat.ts';
import { datastoreModule } from './modules/datastore/routes.ts';
import { datastoreWriteModule } from './modules/datastore/write-api.ts';
import { petitionsModule } from './modules/petitions/routes.ts';
import { budgetsModule } from './modules/budgets/routes.ts';
import { budgetReferenceModule } from './modules/open-budget/reference-routes.ts';
import { openBudgetModule } from './modules/open-budget/routes.ts';
import { rankingModule } from './modules/ranking/routes.ts';
import { rankingWorkModule } from './modules/ranking/work-routes.ts';
import { procurementModule } from './modules/procurement/routes.ts';
import { procurementOverviewModule } from './modules/procurement/overview.ts';
import { communityModule } from './modules/community/routes.ts';
import { dataProgrammeModule } from './modules/data-programme/routes.ts';
import { handbookModule } from './modules/handbook/routes.ts';
import { dataRequestsModule } from './modules/data-requests/routes.ts';
import { academyModule } from './modules/academy/routes.ts';
import { showcaseModule } from './modules/showcase/routes.ts';
import { datathonsModule } from './modules/datathons/routes.ts';

export interface AppOptions {
  config: Config;
  db: Database;
  /** Pino logger options; false in tests. */
  logger?: boolean | object;
  /** The time deadlines are measured against; a FakeClock in tests. */
  clock?: Clock;
  /** Called for every route as it is registered (tests walk every route with it). */
  onRoute?: (route: RouteOptions) => void;
}

/** The cookie-signing secret: HROMADA_SECRET, else one generated once and kept in the data folder. */
function cookieSecret(config: Config): string {
  if (process.env.HROMADA_SECRET) return process.env.HROMADA_SECRET;
  const file = path.join(config.dataDir, 'secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(32).toString('base64url');
    try {
      fs.mkdirSync(config.dataDir, { recursive: true });
      fs.writeFileSync(file, secret, { mode: 0o600 });
    } catch {
      // A read-only data folder: sessions still work, CSRF cookies last until restart.
    }
    return secret;
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: 256 * 1024,
    trustProxy: process.env.TRUST_PROXY === '1',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
    routerOptions: { maxParamLength: 200 },
  });
  app.decorate('db', db);
  app.decorate('config', config);
  // Uploaded files: on this server's disk, or in the database for every server (FILE_STORAGE).
  app.decorate('files', openFileStore(config, db));
  app.decorate('clock', options.clock ?? systemClock);
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  // On shutdown, let requests still in flight finish before the database goes away.
  let inFlight = 0;
  app.addHook('onRequest', async () => {
    inFlight++;
  });
  app.addHook('onResponse', async () => {
    inFlight--;
  });
  app.addHook('onClose', async () => {
    for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await db.close();
  });

  const secureCookies = config.publicUrl.startsWith('https://');
  // Security headers: helmet's middleware, built once (@fastify/helmet built it anew for every
  // request, a tenth of the time of a small response).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // A configured tile server's origin: its images are the map's streets.
        imgSrc: ["'self'", 'data:', ...(config.mapTilesUrl ? [new URL(config.mapTilesUrl).origin] : [])],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: secureCookies ? [] : null,
      },
    },
    hsts: secureCookies,
  });
  app.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
  // CORS for the read API, so that web apps on other sites can call it: the CKAN Action API (GET
  // and POST, as CKAN clients call it) and /api/v1 (GET). The API takes no cookies, only a token
  // in the Authorization header, so no call carries credentials a page could borrow. Pages and
  // forms get no CORS; a preflight there is a 404. The API's resources may be loaded by other
  // sites (JSONP scripts), unlike pages (helmet's same-origin resource policy).
  await app.register(cors, {
    delegator: (request, callback) => {
      const ckan = isCkanRequest(request);
      if (!ckan && !request.url.startsWith('/api/v1/')) return callback(null, { origin: false });
      return callback(null, {
        origin: '*',
        credentials: false,
        methods: ckan ? ['GET', 'HEAD', 'POST'] : ['GET', 'HEAD'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-CKAN-API-Key'],
        maxAge: 86_400,
      });
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    if (isCkanRequest(request) || request.url.startsWith('/api/v1/'))
      reply.header('cross-origin-resource-policy', 'cross-origin');
  });
  await app.register(cookie, { secret: cookieSecret(config) });
  // Form and JSON bodies that are not valid (percent-encoded) UTF-8 are refused as they are parsed.
  await app.register(formbody, { parser: strictFormParser });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app));
  await app.register(csrf, {
    cookieKey: 'hromada_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: true },
  });
  // Cached pages carry the version of the data they show; NOTIFY keeps every server's numbers current.
  const versions = new DataVersions(db);
  await versions.start();
  app.decorate('versions', versions);
  app.addHook('onClose', () => versions.stop());
  // Pages composed from every module's parts (home, city profiles, search): modules add theirs as they register.
  app.decorate('sections', new Sections());
  // Limits are counted in the database, so they hold across servers and restarts.
  const rateCounter = new SharedCounter(db);
  app.decorate('rateCounter', rateCounter);
  await app.register(rateLimit, { global: false, store: sharedStore(rateCounter) });
  // The OpenAPI document of /api/v1, generated from the route schemas (modules/api-docs/openapi.ts).
  await app.register(swagger, openApiOptions(config));
  await app.register(requestContext);

  // Every unsafe request outside the token-authenticated API must carry the form's CSRF token.
  app.addHook('preHandler', (request, reply, done) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method) || isApiRequest(request)) return done();
    if (request.routeOptions.config.csrf === 'multipart' && request.isMultipart()) return done(); // checked by the route
    app.csrfProtection(request, reply, done);
  });

  await app.register(staticAssets);
  await app.register(healthRoutes);
  await app.register(homeRoutes);
  await app.register(citiesModule);
  await app.register(organizationsModule);
  await app.register(accountsModule);
  await app.register(catalogFeedsModule);
  await app.register(dcatModule);
  await app.register(catalogModule);
  await app.register(datastoreModule);
  await app.register(datastoreWriteModule);
  await app.register(petitionsModule);
  await app.register(budgetsModule);
  await app.register(budgetReferenceModule);
  await app.register(openBudgetModule);
  await app.register(rankingModule);
  await app.register(rankingWorkModule);
  await app.register(procurementModule);
  await app.register(procurementOverviewModule);
  await app.register(communityModule);
  await app.register(dataProgrammeModule);
  await app.register(handbookModule);
  await app.register(dataRequestsModule);
  await app.register(academyModule);
  await app.register(datathonsModule);
  await app.register(ckanModule);
  await app.register(ckanOrganizationsModule);
  await app.register(ckanSiteModule);
  await app.register(ckanActivityModule);
  await app.register(adminModule);
  await app.register(apiDocsModule);
  await app.register(showcaseModule);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    clock: Clock;
    /** The versions of cached data, kept current across servers (platform/data-version.ts). */
    versions: DataVersions;
    files: FileStore;
    sections: Sections;
  }
}
