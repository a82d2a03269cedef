// Rate limits for what a bot would abuse: the public API (lower for anonymous callers) and the
// account forms (login, registration, password reset), counted per client address.
//
// Counts live in the database, so a limit holds across every server and across restarts. A
// server reserves a block of hits at a time (one hit for small limits, a twentieth of the limit
// for large ones) and serves them from memory, so most requests to a busy route cost no round
// trip; a block left unused when the window ends is lost, so a client alternating between N
// servers may get up to N blocks fewer than the limit, never more.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/index.ts';

interface Allowance {
  windowStart: number;
  /** Hits counted in the database before this server's current block. */
  base: number;
  /** Hits of the block this server has served. */
  used: number;
  /** Hits of the block not yet served; once the database says the limit is spent, -1. */
  left: number;
  /** The reservation under way, which hits arriving meanwhile wait for. */
  reserving?: Promise<void>;
}

/** Fixed-window counters in the `rate_limits` table, reserved in blocks by each server. */
export class SharedCounter {
  private readonly db: Queryable;
  private readonly allowances = new Map<string, Allowance>();
  private reservations = 0;
  constructor(db: Queryable) {
    this.db = db;
  }

  /** Counts one hit of `key`; returns its number in the window (above `max`: refused) and the ms left. */
  async hit(key: string, windowMs: number, max: number): Promise<{ current: number; ttl: number }> {
    for (;;) {
      const now = Date.now();
      const windowStart = Math.floor(now / windowMs) * windowMs;
      const ttl = windowStart + windowMs - now;
      let allowance = this.allowances.get(key);
      if (!allowance || allowance.windowStart !== windowStart) {
        if (this.allowances.size > 10_000) {
          for (const [k, a] of this.allowances) if (a.windowStart + windowMs <= now) this.allowances.delete(k);
        }
        allowance = { windowStart, base: 0, used: 0, left: 0 };
        this.allowances.set(key, allowance);
      }
      if (allowance.left < 0) return { current: max + 1, ttl };
      if (allowance.left > 0) {
        allowance.left--;
        allowance.used++;
        return { current: allowance.base + allowance.used, ttl };
      }
      // The block is spent: one reservation at a time per key; hits arriving meanwhile wait for it.
      allowance.reserving ??= this.reserve(key, allowance, max).finally(() => {
        allowance.reserving = undefined;
      });
      await allowance.reserving;
    }
  }

  private async reserve(key: string, allowance: Allowance, max: number): Promise<void> {
    const block = Math.max(1, Math.ceil(max / 20));
    const row = await this.db.one<{ count: number }>(
      `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, to_timestamp($2::float8 / 1000), $3)
       ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + EXCLUDED.count RETURNING count`,
      [key, allowance.windowStart, block],
    );
    const before = row!.count - block;
    if (++this.reservations % 1000 === 0) {
      // Windows that ended a day ago are nobody's any more.
      await this.db.query(`DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'`);
    }
    if (before >= max) {
      allowance.left = -1;
      return;
    }
    allowance.base = before;
    allowance.used = 0;
    allowance.left = Math.min(block, max - before);
  }
}

/** A store for @fastify/rate-limit that counts in the database, per route. */
export function sharedStore(counter: SharedCounter) {
  return class SharedStore {
    private readonly prefix: string;
    constructor(_options: unknown, prefix = '') {
      this.prefix = prefix;
    }
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
      max: number,
    ) {
      counter.hit(`${this.prefix}${key}`, timeWindow, max).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }
    child(options: object) {
      const route = (options as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo ?? {};
      return new SharedStore(options, `${[route.method ?? ''].flat().join(',')} ${route.url ?? ''} `);
    }
  };
}

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

/** For uploads: `max()` files an hour per account (per address for anyone not signed in), per route. */
export function uploadRateLimit(max: () => number) {
  return {
    rateLimit: {
      timeWindow: 60 * 60_000,
      max,
      keyGenerator: (request: FastifyRequest) => `${request.user ? `user:${request.user.id}` : `ip:${request.ip}`}`,
      errorResponseBuilder: exceeded,
    },
  };
}

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
  const addresses = new WindowCounter('account-form-address', FORM_WINDOW, perAddress);
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
 * A fixed-window limit per key, for a second limit on one route (the plugin runs one) or a limit
 * keyed by something only the handler knows. `hit` throws a 429 past the maximum. Counted in the
 * database like the plugin's limits, under `name`.
 */
export class WindowCounter {
  private readonly name: string;
  private readonly windowMs: number;
  private readonly max: () => number;
  constructor(name: string, windowMs: number, max: number | (() => number)) {
    this.name = name;
    this.windowMs = windowMs;
    this.max = typeof max === 'number' ? () => max : max;
  }

  async hit(request: FastifyRequest, key: string): Promise<void> {
    const max = this.max();
    const { current, ttl } = await request.server.rateCounter.hit(`${this.name}:${key}`, this.windowMs, max);
    if (current > max) throw exceeded(request, { max, after: `${Math.ceil(ttl / 60_000)} minutes` });
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Rate-limit counts shared by every server on the database. */
    rateCounter: SharedCounter;
  }
}
