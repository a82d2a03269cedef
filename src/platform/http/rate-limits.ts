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
  const addresses = new WindowCounter(FORM_WINDOW, perAddress);
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
    onRequest: async (request: FastifyRequest) => addresses.hit(request, request.ip),
  };
}

/**
 * A fixed-window counter per key, for a second limit on one route (the plugin runs one) or a
 * limit keyed by something only the handler knows. `hit` throws a 429 past the maximum.
 */
export class WindowCounter {
  private readonly counts = new Map<string, { count: number; resetAt: number }>();
  private readonly windowMs: number;
  private readonly max: () => number;
  constructor(windowMs: number, max: number | (() => number)) {
    this.windowMs = windowMs;
    this.max = typeof max === 'number' ? () => max : max;
  }

  hit(request: FastifyRequest, key: string): void {
    const now = Date.now();
    if (this.counts.size > 10_000)
      for (const [k, entry] of this.counts) if (entry.resetAt <= now) this.counts.delete(k);
    let entry = this.counts.get(key);
    if (!entry || entry.resetAt <= now) this.counts.set(key, (entry = { count: 0, resetAt: now + this.windowMs }));
    const max = this.max();
    if (++entry.count > max)
      throw exceeded(request, { max, after: `${Math.ceil((entry.resetAt - now) / 60_000)} minutes` });
  }
}
