// The style guide: every component of public/app.css, live, with the class names to use.
// For platform admins (and the engineers they are): the route sits behind the admin policy.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import type { PageContext } from '../../platform/html/layout.ts';
import { formatNumber } from '../../platform/i18n/locales.ts';

/** The palette's tokens, as shown in the swatches (each has a .sg-swatch-<name> rule in app.css). */
export const COLOUR_TOKENS = [
  'primary',
  'primary-strong',
  'accent',
  'text',
  'text-muted',
  'surface',
  'surface-soft',
  'border',
  'success',
  'warning',
  'danger',
  'info',
] as const;
const TYPE_SCALE = ['xs', 'sm', 'base', 'md', 'lg', 'xl', '2xl'] as const;
const SPACING = [1, 2, 3, 4, 5, 6] as const;
const KINDS = ['info', 'success', 'warning', 'danger'] as const;

export function styleguidePage(ctx: PageContext): SafeHtml {
  const { t } = ctx;
  const classes = (...names: string[]) =>
    html`<p class="hint">${t('styleguide.classes')}: ${names.map((n, i) => html`${i ? ', ' : ''}<code>${n}</code>`)}</p>`;
  const section = (id: string, hint: string, body: SafeHtml) =>
    html`<section class="sg-section" aria-labelledby="sg-${id}"><h2 id="sg-${id}">${t(`styleguide.${id}`)}</h2>
<p>${hint}</p>${body}</section>`;
  const sections = [
    'colours',
    'type',
    'spacing',
    'buttons',
    'cards',
    'badges',
    'notices',
    'tables',
    'tabs',
    'accordions',
    'progress',
    'empty',
    'pagination',
  ];
  const rows = [
    { city: t('styleguide.sample_city_1'), score: 88.5, state: 'success' as const },
    { city: t('styleguide.sample_city_2'), score: 61.25, state: 'warning' as const },
    { city: t('styleguide.sample_city_3'), score: 30, state: 'danger' as const },
  ];
  return html`<p><a href="/admin">← ${t('admin.title')}</a></p>
<h1>${t('styleguide.title')}</h1>
<p class="lead">${t('styleguide.intro')}</p>
<nav class="sg-toc" aria-label="${t('styleguide.contents')}"><ul class="inline-list">${sections.map(
    (id) => html`<li><a href="#sg-${id}">${t(`styleguide.${id}`)}</a></li>`,
  )}</ul></nav>

${section(
  'colours',
  t('styleguide.colours_hint'),
  html`<ul class="sg-swatches">${COLOUR_TOKENS.map(
    (name) => html`<li><span class="sg-swatch sg-swatch-${name}"></span><code>--color-${name}</code></li>`,
  )}</ul>`,
)}

${section(
  'type',
  t('styleguide.type_hint'),
  html`<ul class="sg-scale">${TYPE_SCALE.map(
    (size) => html`<li class="sg-text-${size}"><code>--text-${size}</code> ${t('styleguide.sample_text')}</li>`,
  )}</ul>`,
)}

${section(
  'spacing',
  t('styleguide.spacing_hint'),
  html`<ul class="sg-scale">${SPACING.map(
    (step) => html`<li><span class="sg-space sg-space-${step}"></span> <code>--space-${step}</code></li>`,
  )}</ul>`,
)}

${section(
  'buttons',
  t('styleguide.buttons_hint'),
  html`<div class="actions">
  <button type="button">${t('styleguide.primary')}</button>
  <button type="button" class="secondary">${t('styleguide.secondary')}</button>
  <button type="button" class="danger">${t('styleguide.danger')}</button>
  <button type="button" class="small">${t('styleguide.small')}</button>
  <a class="button" href="#sg-buttons">${t('styleguide.link_button')}</a>
  <button type="button" disabled>${t('styleguide.disabled')}</button>
  <button type="button" class="link-button">${t('styleguide.looks_like_link')}</button>
</div>
${classes('button', 'a.button', '.secondary', '.danger', '.small', '.link-button', '.actions')}`,
)}

${section(
  'cards',
  t('styleguide.cards_hint'),
  html`<ul class="cards">
  <li class="card"><h3>${t('styleguide.card_title')}</h3><span class="stat">${formatNumber(ctx.locale, 1234)}</span><p>${t('styleguide.card_text')}</p></li>
  <li class="card raised"><h3>${t('styleguide.card_raised')}</h3><p>${t('styleguide.card_text')}</p></li>
</ul>
${classes('.cards', '.card', '.card.raised', '.stat')}`,
)}

${section(
  'badges',
  t('styleguide.badges_hint'),
  html`<p class="actions"><span class="badge">${t('styleguide.neutral')}</span>${KINDS.map(
    (kind) => html`<span class="badge ${kind}">${t(`styleguide.${kind}`)}</span>`,
  )}</p>
${classes('.badge', '.badge.info', '.badge.success', '.badge.warning', '.badge.danger')}`,
)}

${section(
  'notices',
  t('styleguide.notices_hint'),
  html`<p class="notice">${t('styleguide.neutral')}: ${t('styleguide.notice_text')}</p>
${KINDS.map((kind) => {
  const name = kind === 'danger' ? 'error' : kind; // pages use .notice.error; .notice.danger is its alias
  return html`<p class="notice ${name}">${t(`styleguide.${kind}`)}: ${t('styleguide.notice_text')}</p>`;
})}
${classes('.notice', '.notice.info', '.notice.success', '.notice.warning', '.notice.error / .notice.danger')}`,
)}

${section(
  'tables',
  t('styleguide.tables_hint'),
  html`<div class="table-wrap"><table class="responsive">
  <caption class="visually-hidden">${t('styleguide.tables')}</caption>
  <thead><tr><th scope="col">${t('styleguide.col_city')}</th><th scope="col" class="number">${t('styleguide.col_score')}</th><th scope="col">${t('styleguide.col_state')}</th></tr></thead>
  <tbody>${rows.map(
    (row) => html`<tr><th scope="row" data-label="${t('styleguide.col_city')}">${row.city}</th>
    <td class="number" data-label="${t('styleguide.col_score')}">${formatNumber(ctx.locale, row.score)}</td>
    <td data-label="${t('styleguide.col_state')}"><span class="badge ${row.state}">${t(`styleguide.${row.state}`)}</span></td></tr>`,
  )}</tbody>
</table></div>
${classes('.table-wrap', 'table.responsive', 'td[data-label]', 'th[data-label]', 'td.number')}`,
)}

${section(
  'tabs',
  t('styleguide.tabs_hint'),
  html`<nav class="tabs" aria-label="${t('styleguide.tabs')}"><ul>
  <li><a href="#sg-tabs" aria-current="page">${t('styleguide.tab_overview')}</a></li>
  <li><a href="#sg-tables">${t('styleguide.tab_data')}</a></li>
  <li><a href="#sg-cards">${t('styleguide.tab_history')}</a></li>
</ul></nav>
${classes('nav.tabs', 'a[aria-current="page"]')}`,
)}

${section(
  'accordions',
  t('styleguide.accordions_hint'),
  html`<details class="accordion" open><summary><h3>${t('styleguide.panel_1')}</h3><span class="badge info">3</span></summary><p>${t('styleguide.panel_text')}</p></details>
<details class="accordion"><summary><h3>${t('styleguide.panel_2')}</h3><span class="badge">0</span></summary><p>${t('styleguide.panel_text')}</p></details>
${classes('details.accordion', 'details.area-panel', 'summary h3')}`,
)}

${section(
  'progress',
  t('styleguide.progress_hint'),
  html`<div class="progress-line"><progress id="sg-progress" max="100" value="64" aria-label="${t('styleguide.progress')}">64%</progress><span>64%</span></div>
<div class="progress-line"><progress class="success" max="100" value="100" aria-label="${t('styleguide.success')}">100%</progress><span>100%</span></div>
${classes('progress', 'progress.success', '.progress-line')}`,
)}

${section(
  'empty',
  t('styleguide.empty_hint'),
  html`<div class="empty-state"><p>${t('styleguide.empty_title')}</p><p>${t('styleguide.empty_text')}</p><p><a class="button" href="#sg-empty">${t('styleguide.empty_action')}</a></p></div>
${classes('.empty-state')}`,
)}

${section(
  'pagination',
  t('styleguide.pagination_hint'),
  html`<nav class="pagination" aria-label="${t('pagination.label')}">
  <a href="#sg-pagination" rel="prev">${t('pagination.previous')}</a>
  <span>${t('pagination.range', { from: 51, to: 100, total: 214 })}</span>
  <a href="#sg-pagination" rel="next">${t('pagination.next')}</a>
</nav>
${classes('nav.pagination', 'a[aria-current]')}`,
)}`;
}
