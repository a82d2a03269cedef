// Where a request may send the browser next. Every redirect target that comes from the request
// (the language switch's and the login form's `next`, the page a guard sends to login) goes
// through localPath, so that none of them can lead off the site or break the Location header.

/** A stand-in origin to resolve a path against; only whether the origin stays the same matters. */
const BASE = 'http://hromada.invalid';

/** Whitespace (browsers drop tabs and line breaks from URLs), control and invisible format characters, backslashes. */
const FORBIDDEN = /[\s\\\p{Cc}\p{Cf}]/u;

/**
 * `target` when it is a path on this site, normalised and percent-encoded (ASCII only, so it is
 * safe in a Location header); otherwise `fallback`. A path starts with exactly one "/": "//host"
 * and "/\host" name another host to a browser, and so does "/\t/host" once the browser has
 * dropped the tab. The WHATWG URL parser, which browsers use, must then resolve it to the same
 * origin, and the resolved path must not start with "//" either ("/..//host" resolves to "//host").
 */
export function localPath(target: unknown, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) return fallback;
  if (FORBIDDEN.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('/') && !path.startsWith('//') ? path : fallback;
}
