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

/** For forms: `max` submissions per address in 15 minutes. */
export function formRateLimit(max: number) {
  return {
    rateLimit: {
      timeWindow: 15 * 60_000,
      max,
      keyGenerator: (request: FastifyRequest) => `${request.routeOptions.url}:${request.ip}`,
      errorResponseBuilder: exceeded,
    },
  };
}
