// Rate limits for what a bot would abuse: the public API (lower for anonymous callers) and the
// account forms (login, registration, password reset), counted per client address.
import type { FastifyInstance, FastifyRequest } from 'fastify';

function exceeded(_request: FastifyRequest, context: { max: number; after: string }) {
  return Object.assign(new Error(`Rate limit exceeded: at most ${context.max} requests, retry in ${context.after}`), {
    statusCode: 429,
  });
}

export function apiRateLimit(app: FastifyInstance) {
  return {
    rateLimit: {
      timeWindow: 60_000,
      max: (request: FastifyRequest) =>
        request.user ? app.config.apiRateLimitAuthenticated : app.config.apiRateLimitAnonymous,
      keyGenerator: (request: FastifyRequest) => (request.user ? `user:${request.user.id}` : `ip:${request.ip}`),
      errorResponseBuilder: exceeded,
    },
  };
}

const FORM_WINDOW = 15 * 60_000;

/** For forms: `max` submissions per client address in 15 minutes. */
export function formRateLimit(max: number) {
  return {
    rateLimit: {
      timeWindow: FORM_WINDOW,
      max,
      keyGenerator: (request: FastifyRequest) => `${request.routeOptions.url}:${request.ip}`,
      errorResponseBuilder: exceeded,
    },
  };
}

/**
 * For forms that name an account (login, password reset): `perAccount` submissions per address
 * and e-mail in 15 minutes, so guessing one account's password is slowed down without locking
 * out everyone behind one office or school NAT; `perAddress` caps all accounts tried from one
 * address. The plugin runs one limit per request, so the second is counted here.
 */
export function accountFormRateLimit(perAccount: number, perAddress: number) {
  const counts = new Map<string, { count: number; resetAt: number }>();
  return {
    config: {
      rateLimit: {
        timeWindow: FORM_WINDOW,
        max: perAccount,
        hook: 'preHandler' as const, // after the body is parsed, so the e-mail can be part of the key
        keyGenerator: (request: FastifyRequest) => {
          const email = (request.body as { email?: unknown } | undefined)?.email;
          const account = typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
          return `${request.routeOptions.url}:${request.ip}:${account}`;
        },
        errorResponseBuilder: exceeded,
      },
    },
    onRequest: async (request: FastifyRequest) => {
      const now = Date.now();
      if (counts.size > 10_000) for (const [key, entry] of counts) if (entry.resetAt <= now) counts.delete(key);
      let entry = counts.get(request.ip);
      if (!entry || entry.resetAt <= now) counts.set(request.ip, (entry = { count: 0, resetAt: now + FORM_WINDOW }));
      if (++entry.count > perAddress) {
        throw exceeded(request, { max: perAddress, after: `${Math.ceil((entry.resetAt - now) / 60_000)} minutes` });
      }
    },
  };
}
