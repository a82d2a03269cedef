// Per-request context shared by every module: the reader's locale and translator, the current
// user (session cookie for pages, bearer token for the API), page rendering, and errors as
// RFC 9457 problem details (API) or an error page (HTML).
import { STATUS_CODES } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_LOCALE, isLocale, translator, type Locale, type Translate } from '../i18n/locales.ts';
import { SESSION_COOKIE, userForApiToken, userForSession, type CurrentUser } from '../auth.ts';
import { layout, type Page, type PageContext } from '../html/layout.ts';
import { html } from '../html/html.ts';
import { ValidationError, type FieldProblem } from '../errors.ts';
import { refuseHostileInput, refuseNonFiniteNumbers } from './input.ts';
import type { Database } from '../db/index.ts';

export const LOCALE_COOKIE = 'hromada_lang';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
    user: CurrentUser | null;
    /** The page context for views: locale, translator, user, CSRF. */
    pageContext(): PageContext;
  }
  interface FastifyReply {
    page(page: Page, statusCode?: number): FastifyReply;
    problem(status: number, title: string, detail?: string, extra?: Record<string, unknown>): FastifyReply;
  }
}

/** One problem as text: the field, where it was when it came in a request, and the message. */
export function describeProblem(t: Translate, problem: FieldProblem): string {
  return `${problem.field}${problem.in ? ` (${t(`errors.in_${problem.in}`)})` : ''}: ${t(problem.message, problem.params)}`;
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') && !request.url.startsWith('/api/docs');
}

/**
 * The CKAN API: actions at /api/3/action/ and /api/action/ (where ckanapi posts) and the version
 * probes /api, /api/1, /api/2, /api/3.
 */
export function isCkanRequest(request: FastifyRequest): boolean {
  return /^\/api(?:\/(?:3\/)?action\/|(?:\/(?:[123]\/?)?)?(?:\?|$))/.test(request.url);
}

/** Reads `Authorization: Bearer <token>`, or CKAN's bare `Authorization: <token>`. */
function tokenFrom(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : header.trim();
}

export const requestContext = fp(async (app) => {
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('t', null as unknown as Translate);
  app.decorateRequest('user', null);
  app.decorateRequest('pageContext', function (this: FastifyRequest): PageContext {
    const reply = (this as unknown as { _reply?: FastifyReply })._reply;
    let token: string | undefined;
    return {
      t: this.t,
      locale: this.locale,
      user: this.user,
      url: this.url,
      csrfToken: () => (token ??= reply ? reply.generateCsrf() : ''),
      mapTiles: app.config.mapTilesUrl
        ? { url: app.config.mapTilesUrl, attribution: app.config.mapTilesAttribution }
        : undefined,
    };
  });

  app.decorateReply('page', function (this: FastifyReply, page: Page, statusCode = 200) {
    return this.code(statusCode)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(layout(this.request.pageContext(), page));
  });

  app.decorateReply(
    'problem',
    function (this: FastifyReply, status: number, title: string, detail?: string, extra = {}) {
      return this.code(status)
        .type('application/problem+json; charset=utf-8')
        .send({
          type: 'about:blank',
          title,
          status,
          ...(detail ? { detail } : {}),
          instance: this.request.url,
          ...extra,
        });
    },
  );

  app.addHook('onRequest', async (request, reply) => {
    (request as unknown as { _reply: FastifyReply })._reply = reply;
    const cookieLocale = request.cookies[LOCALE_COOKIE];
    request.locale = isLocale(cookieLocale) ? cookieLocale : DEFAULT_LOCALE;
    request.t = translator(request.locale);

    if (isApiRequest(request)) {
      // The API authenticates by token only, never by cookie, so it needs no CSRF defence.
      const token = tokenFrom(request);
      if (token) {
        request.user = await userForApiToken(app.db, token);
        // CKAN 2.10+ takes an unknown token for no token: public reads work, writes are refused
        // with its 403 Authorization Error. The rest of the API says the token is wrong.
        if (!request.user && !isCkanRequest(request)) {
          return reply.problem(
            401,
            'Invalid API token',
            'The token in the Authorization header is unknown or revoked.',
          );
        }
      }
    } else {
      const session = request.cookies[SESSION_COOKIE];
      if (session) request.user = await userForSession(app.db, session);
    }
  });

  // NUL bytes, broken percent-encoding, repeated parameters and non-finite numbers never reach a
  // module (input.ts): refused before schema validation, and after it for what the schema coerced.
  app.addHook('preValidation', refuseHostileInput);
  app.addHook('preHandler', refuseNonFiniteNumbers);

  app.setNotFoundHandler((request, reply) => {
    if (isApiRequest(request))
      return reply.problem(404, 'Not Found', `No resource at ${request.method} ${request.url.split('?')[0]}`);
    const t = request.t ?? translator(DEFAULT_LOCALE);
    return reply.page(
      {
        title: t('errors.not_found_title'),
        body: html`<h1>${t('errors.not_found_title')}</h1><p>${t('errors.not_found')}</p><p><a href="/">${t('nav.home')}</a></p>`,
      },
      404,
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const t = request.t ?? translator(DEFAULT_LOCALE);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');

    if (isApiRequest(request)) {
      if (error instanceof ValidationError) {
        return reply.problem(
          error.statusCode,
          error.statusCode === 400 ? 'Invalid request' : 'Invalid input',
          error.problems.map((p) => describeProblem(t, p)).join('; '),
          {
            errors: error.problems.map((p) => ({
              pointer: `/${p.field}`,
              ...(p.in ? { in: p.in } : {}),
              detail: t(p.message, p.params),
            })),
          },
        );
      }
      if (error.validation) {
        // Fastify's schema validation: name the parameter and where it was (query, body, path).
        const where = error.validationContext ?? 'request';
        const errors = error.validation.map((v) => {
          const missing = (v.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
          const name = missing.missingProperty ?? missing.additionalProperty ?? v.instancePath.replace(/^\//, '');
          const detail = missing.additionalProperty
            ? `unknown parameter "${missing.additionalProperty}"`
            : `${name || where} ${v.message}`;
          return { pointer: `/${name}`, in: where, detail };
        });
        return reply.problem(400, 'Invalid request', errors.map((e) => `${e.in}: ${e.detail}`).join('; '), { errors });
      }
      const title = STATUS_CODES[status] ?? 'Error';
      return reply.problem(
        status,
        title,
        status >= 500 ? 'Something went wrong on our side; it has been logged.' : error.message,
      );
    }

    const messages: Record<number, string> = {
      400: t('errors.bad_request'),
      403:
        error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
          ? t('errors.csrf')
          : t('errors.forbidden'),
      404: t('errors.not_found'),
      413: t('errors.too_large'),
      429: t('errors.rate_limited'),
    };
    // Input refused outside a form's own handling lists each problem with its field and where it was.
    const invalid = error instanceof ValidationError ? error : null;
    const message = invalid
      ? t('errors.bad_request')
      : (messages[status] ?? (status >= 500 ? t('errors.server') : error.message));
    const problems = invalid?.problems.map((p) => html`<li>${describeProblem(t, p)}</li>`);
    return reply.page(
      {
        title: t('errors.title'),
        body: html`<h1>${t('errors.title')}</h1><p class="notice error" role="alert">${message}</p>${problems ? html`<ul>${problems}</ul>` : ''}<p><a href="/">${t('nav.home')}</a></p>`,
      },
      status,
    );
  });
});
