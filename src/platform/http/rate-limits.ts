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

/**
 * For forms: `max` submissions in 15 minutes per client address, and per e-mail address typed
 * when the form has one, so that guessing one account's password is slowed down without
 * locking out everyone behind the same office or school NAT.
 */
export function formRateLimit(max: number) {
  return {
    rateLimit: {
      timeWindow: 15 * 60_000,
      max,
      hook: 'preHandler' as const, // after the body is parsed, so the e-mail can be part of the key
      keyGenerator: (request: FastifyRequest) => {
        const email = (request.body as { email?: unknown } | undefined)?.email;
        const account = typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
        return `${request.routeOptions.url}:${request.ip}:${account}`;
      },
      errorResponseBuilder: exceeded,
    },
  };
}
