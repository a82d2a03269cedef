// The page shell every HTML page shares: skip link, header with navigation and the language
// switcher, main content, footer. Scripts are external files only (strict CSP).
import { html, jsonForHtml, trustedHtml, type SafeHtml } from './html.ts';
import { LOCALES, LOCALE_NAMES, LOCALE_SHORT_NAMES, type Locale, type Translate } from '../i18n/locales.ts';
import type { CurrentUser } from '../auth.ts';
import { assetUrl } from '../http/static.ts';

export interface PageContext {
  t: Translate;
  locale: Locale;
  user: CurrentUser | null;
  /** Path and query of the current request, to come back to after switching language. */
  url: string;
  /** A CSRF token for forms on this page. */
  csrfToken: () => string;
  /** The operator's raster tile server, if any (MAP_TILES_URL): map islands read it from <body>. */
  mapTiles?: { url: string; attribution: string };
}

export interface Page {
  title: string;
  body: SafeHtml;
  description?: string;
  /** Extra scripts (bundled islands) and stylesheets this page needs, by URL under /static. */
  scripts?: string[];
  styles?: string[];
  /** Reload the page every so many seconds when JavaScript is off (a page following work in progress). */
  refreshSeconds?: number;
  /** Alternate machine-readable representations, as <link rel="alternate">. */
  alternates?: { href: string; type: string; title?: string }[];
  /** Structured data for search engines (schema.org), embedded as a JSON-LD data block. */
  jsonLd?: unknown;
  /** Which top-level navigation item is current. */
  nav?:
    | 'home'
    | 'cities'
    | 'map'
    | 'datasets'
    | 'petitions'
    | 'budgets'
    | 'ranking'
    | 'city-budget'
    | 'procurement'
    | 'community'
    | 'api'
    | 'admin'
    | 'dashboard'
    | 'account';
}

export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken()}">`;
}

/** The menu item of pages that name none, by where they are (the newer modules' pages). */
const NAV_BY_PATH: [RegExp, NonNullable<Page['nav']>][] = [
  [/^\/city-budget(\/|\?|$)/, 'city-budget'],
  [/^\/(procurement(\/|\?|$)|cities\/[^/]+\/procurement)/, 'procurement'],
  [/^\/(community|events|datathons|showcase|data-requests|academy|handbook)(\/|\?|\.|$)/, 'community'],
  [/^\/data-programme(\/|\?|$)/, 'datasets'],
];

export function layout(ctx: PageContext, page: Page): string {
  const { t, user } = ctx;
  const current = NAV_BY_PATH.find(([pattern]) => pattern.test(ctx.url))?.[1] ?? page.nav;
  // The section the page belongs to, named beside the phone's "Menu" button.
  let currentLabel = '';
  const navItem = (key: NonNullable<Page['nav']>, href: string, label: string) => {
    if (current === key) currentLabel = label;
    return html`<li><a href="${href}"${current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  };
  const languageLinks = LOCALES.map(
    (code: Locale) =>
      html`<li><a href="/lang/${code}?next=${encodeURIComponent(ctx.url)}" lang="${code}" hreflang="${code}"${
        code === ctx.locale ? html` aria-current="true"` : ''
      }><span class="language-name">${LOCALE_NAMES[code]}</span><span class="language-short" aria-hidden="true">${LOCALE_SHORT_NAMES[code]}</span></a></li>`,
  );
  const account = user
    ? html`${navItem('dashboard', '/dashboard', t('nav.dashboard'))}${navItem('account', '/account', user.displayName)}
        <li><form method="post" action="/logout" class="inline-form">${csrfField(ctx)}<button type="submit" class="link-button">${t('nav.logout')}</button></form></li>`
    : html`<li><a href="/login">${t('nav.login')}</a></li><li><a href="/register">${t('nav.register')}</a></li>`;
  const navItems = html`
      ${navItem('home', '/', t('nav.home'))}
      ${navItem('datasets', '/datasets', t('nav.datasets'))}
      ${navItem('city-budget', '/city-budget', t('nav.city_budget'))}
      ${navItem('procurement', '/procurement', t('nav.procurement'))}
      ${navItem('petitions', '/petitions', t('nav.petitions'))}
      ${navItem('budgets', '/budgets', t('nav.budgets'))}
      ${navItem('ranking', '/ranking', t('nav.ranking'))}
      ${navItem('community', '/community', t('nav.community'))}
      ${navItem('cities', '/cities', t('nav.cities'))}
      ${navItem('api', '/api/docs', t('nav.api'))}
      ${user?.isAdmin ? navItem('admin', '/admin', t('nav.admin')) : ''}
      ${account}`;
  return (
    '<!doctype html>\n' +
    html`<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${t('site.name')}</title>
${page.description ? html`<meta name="description" content="${page.description}">` : ''}
<link rel="icon" href="${assetUrl('/static/favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assetUrl('/static/app.css')}">
${(page.styles ?? []).map((href) => html`<link rel="stylesheet" href="${assetUrl(href)}">`)}
${(page.scripts ?? []).map((src) => html`<script src="${assetUrl(src)}" defer></script>`)}
${page.refreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${page.refreshSeconds}"></noscript>` : ''}
${(page.alternates ?? []).map((a) => html`<link rel="alternate" type="${a.type}" href="${a.href}"${a.title ? html` title="${a.title}"` : ''}>`)}
${page.jsonLd ? html`<script type="application/ld+json">${trustedHtml(jsonForHtml(page.jsonLd))}</script>` : ''}
</head>
<body${ctx.mapTiles ? html` data-map-tiles="${ctx.mapTiles.url}" data-map-attribution="${ctx.mapTiles.attribution}"` : ''}>
<a class="skip-link" href="#main">${t('nav.skip')}</a>
<header class="site-header">
  <div class="bar">
    <a class="brand" href="/">${t('site.name')}</a>
    <nav aria-label="${t('nav.languages')}" class="languages"><ul>${languageLinks}</ul></nav>
  </div>
  <nav aria-label="${t('nav.main')}" class="main-nav">
    <details class="menu">
    <summary>${t('nav.menu')}${currentLabel ? html`<span class="menu-current">: ${currentLabel}</span>` : ''}</summary>
    <ul>${navItems}
    </ul>
    </details>
  </nav>
</header>
<main id="main" tabindex="-1">
${page.body}
</main>
<footer class="site-footer">
  <p>${t('site.footer')}</p>
  <p><a href="/api/v1/openapi.json">OpenAPI</a> · <a href="/api/docs">${t('nav.api')}</a> · <a href="/privacy">${t('privacy.title')}</a></p>
</footer>
</body>
</html>`.value
  );
}

/** Tabs: links to the sibling views of one thing, the current one marked for the eye and for screen readers. */
export function tabs(label: string, items: { href: string; label: string; current?: boolean }[]): SafeHtml {
  return html`<nav class="tabs" aria-label="${label}"><ul>${items.map(
    (item) => html`<li><a href="${item.href}"${item.current ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
  )}</ul></nav>`;
}

/** Previous/next links for a paginated list, keeping the other query parameters. */
export function pagination(
  ctx: PageContext,
  basePath: string,
  query: Record<string, string | number | undefined>,
  page: { total: number; limit: number; offset: number },
  /** The query parameter that carries the offset (a page with two lists needs another name). */
  offsetParam = 'offset',
): SafeHtml {
  if (page.total <= page.limit) return html``;
  const link = (offset: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined && value !== '') params.set(key, String(value));
    if (offset > 0) params.set(offsetParam, String(offset));
    const qs = params.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const from = page.offset + 1;
  const to = Math.min(page.offset + page.limit, page.total);
  return html`<nav class="pagination" aria-label="${ctx.t('pagination.label')}">
    ${page.offset > 0 ? html`<a href="${link(Math.max(0, page.offset - page.limit))}" rel="prev">${ctx.t('pagination.previous')}</a>` : ''}
    <span>${ctx.t('pagination.range', { from, to, total: page.total })}</span>
    ${to < page.total ? html`<a href="${link(page.offset + page.limit)}" rel="next">${ctx.t('pagination.next')}</a>` : ''}
  </nav>`;
}

/** The message under a form field, tied to it by id for screen readers. */
export function fieldError(errors: Record<string, string> | undefined, field: string): SafeHtml {
  const message = errors?.[field];
  return message ? html`<p class="field-error" id="${field}-error">${message}</p>` : html``;
}

export function describedBy(errors: Record<string, string> | undefined, field: string): SafeHtml {
  return errors?.[field] ? html` aria-describedby="${field}-error" aria-invalid="true"` : html``;
}
