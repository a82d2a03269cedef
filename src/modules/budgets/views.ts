// Pages of the participatory-budgeting module.
import { codeName } from '../open-budget/views.ts';
import { html, paragraphs, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, fieldError, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { localName, type City } from '../cities/service.ts';
import { PHASES, phaseAt, type Phase } from './rules.ts';
import { votedCost, type Ballot, type Cycle, type Project } from './service.ts';
import { meterState } from './meter.ts';
import { prozorroTenderId } from '../procurement/reference.ts';

type Errors = Record<string, string> | undefined;

export const cycleTitle = (ctx: PageContext, c: Pick<Cycle, 'title_uk' | 'title_en' | 'title_bg'>) =>
  ctx.locale === 'en' ? c.title_en : ctx.locale === 'bg' ? c.title_bg : c.title_uk;

const money = (ctx: PageContext, amount: number, currency = 'UAH') =>
  `${formatNumber(ctx.locale, amount)} ${currency === 'UAH' ? ctx.t('budgets.uah') : currency}`;

export function phaseBadge(ctx: PageContext, phase: Phase): SafeHtml {
  return html`<span class="badge phase-${phase}">${ctx.t(`budgets.phases.${phase}`)}</span>`;
}

export function listPage(
  ctx: PageContext,
  cycles: Omit<Cycle, 'districts' | 'categories' | 'size_classes'>[],
  now: Date,
  canCreate: boolean,
): SafeHtml {
  const { t } = ctx;
  return html`
<h1>${t('budgets.title')}</h1>
<p class="lead">${t('budgets.intro')}</p>
${canCreate ? html`<p><a class="button" href="/budgets/new">${t('budgets.new_cycle')}</a></p>` : ''}
${
  cycles.length
    ? html`<ul class="results">${cycles.map(
        (c) => html`<li>
  <h2><a href="/budgets/${c.id}">${cycleTitle(ctx, c)}</a></h2>
  <p>${phaseBadge(ctx, phaseAt(c.starts, now))} · <a href="/cities/${c.city_slug}">${c.city_slug}</a> · ${money(ctx, c.total_amount, c.currency)}</p>
</li>`,
      )}</ul>`
    : html`<div class="empty-state"><p>${t('budgets.none')}</p></div>`
}`;
}

function timeline(ctx: PageContext, cycle: Cycle, current: Phase): SafeHtml {
  return html`<ol class="phases">${PHASES.map(
    (phase) => html`<li${phase === current ? html` aria-current="step" class="current"` : ''}>
  <strong>${ctx.t(`budgets.phases.${phase}`)}</strong> <span class="hint">${formatDateTime(ctx.locale, cycle.starts[phase])}</span></li>`,
  )}</ol>`;
}

export interface CyclePageState {
  now: Date;
  projects: Project[];
  canRun: boolean;
  ballot: Ballot | undefined;
  /** Shown during voting only when the cycle shows live totals, and from the results on. */
  votes: Map<number, number> | null;
  /** The programme of the city budget the cycle is paid from (cycleProgramme). */
  programme?: { code: string; year: number | null; name: string } | null;
  notice?: string;
  errors?: Record<string, string>;
  values?: FieldValues;
}

export function cyclePage(ctx: PageContext, city: City, cycle: Cycle, state: CyclePageState): SafeHtml {
  const { t } = ctx;
  const phase = phaseAt(cycle.starts, state.now);
  const name = (list: { id: number; name: string }[], id: number) => list.find((x) => x.id === id)?.name ?? '—';
  const visible = state.projects.filter((p) => p.review_state !== 'merged');
  const resultsOut = (phase === 'results' || phase === 'implementation') && state.projects.some((p) => p.winner);
  return html`
<p><a href="/budgets">← ${t('budgets.title')}</a></p>
${state.notice ? html`<p class="notice success" role="status">${state.notice}</p>` : ''}
<h1>${cycleTitle(ctx, cycle)}</h1>
<p>${phaseBadge(ctx, phase)} · <a href="/cities/${city.slug}">${localName(city, ctx.locale)}</a> · ${money(ctx, cycle.total_amount, cycle.currency)}</p>
${cycle.description ? paragraphs(cycle.description) : ''}
${
  state.programme
    ? html`<p id="programme">${t('openBudget.cycle.paid_from')} ${
        state.programme.year
          ? html`<a href="/city-budget/${city.slug}/${state.programme.year}?view=PROGRAM&amp;code=${state.programme.code}#ob-drill"><code>${state.programme.code}</code> ${codeName(ctx.locale, 'program', state.programme.code, state.programme.year, state.programme.name)}</a>`
          : html`<code>${state.programme.code}</code> (${t('openBudget.cycle.no_budget_yet')})`
      }</p>`
    : ''
}
<p class="actions">
  ${phase === 'proposals' ? html`<a class="button" href="/budgets/${cycle.id}/projects/new">${t('budgets.propose')}</a>` : ''}
  ${phase === 'voting' ? html`<a class="button" href="/budgets/${cycle.id}/ballot">${state.ballot?.confirmed_at ? t('budgets.ballot.see') : t('budgets.ballot.vote')}</a>` : ''}
  ${state.canRun ? html`<a href="/budgets/${cycle.id}/manage">${t('budgets.manage')}</a>` : ''}
</p>

<h2>${t('budgets.schedule')}</h2>
${timeline(ctx, cycle, phase)}

<h2>${t('budgets.rules_title')}</h2>
<p>${
    cycle.voting_rule === 'approval'
      ? t(cycle.one_per_category ? 'budgets.rule_approval_category' : 'budgets.rule_approval', {
          max: cycle.max_choices ?? 1,
        })
      : t(cycle.min_spend_share > 0 ? 'budgets.rule_knapsack' : 'budgets.rule_knapsack_any', {
          share: Math.round(cycle.min_spend_share * 100),
        })
  } ${t('budgets.eligibility', { age: cycle.min_age })}</p>

<h2>${t('budgets.districts')}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t('budgets.district')}</th><th scope="col" class="number">${t('budgets.amount')}</th>${
    resultsOut ? html`<th scope="col" class="number">${t('budgets.winners_cost')}</th>` : ''
  }</tr></thead>
<tbody>${cycle.districts.map(
    (d) =>
      html`<tr><td>${d.name}</td><td class="number">${money(ctx, d.amount, cycle.currency)}</td>${
        resultsOut
          ? html`<td class="number">${money(
              ctx,
              state.projects.filter((p) => p.winner && p.district_id === d.id).reduce((s, p) => s + votedCost(p), 0),
              cycle.currency,
            )}</td>`
          : ''
      }</tr>`,
  )}</tbody></table></div>

${
  cycle.categories.some((c) => c.amount !== null)
    ? html`<h2>${t('budgets.categories')}</h2>
<ul>${cycle.categories.map((c) => html`<li>${c.name}${c.amount !== null ? html` — ${t('budgets.category_amount', { amount: money(ctx, c.amount, cycle.currency) })}` : ''}</li>`)}</ul>`
    : ''
}

${
  visible.some((p) => p.latitude !== null)
    ? html`<h2>${t('budgets.map')}</h2>
<div id="rows-map" class="map" role="region" aria-label="${t('budgets.map')}" data-geojson="/budgets/${cycle.id}/projects.geojson"></div>`
    : ''
}

<h2>${resultsOut ? t('budgets.results') : t('budgets.projects')}</h2>
${
  visible.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${t('budgets.project')}</th><th scope="col">${t('budgets.district')}</th>
<th scope="col">${t('budgets.category')}</th><th scope="col" class="number">${t('budgets.cost')}</th><th scope="col">${t('budgets.review')}</th>${
        state.votes ? html`<th scope="col" class="number">${t('budgets.votes')}</th>` : ''
      }</tr></thead>
<tbody>${[...visible]
        .sort((a, b) => (state.votes ? (state.votes.get(b.id) ?? 0) - (state.votes.get(a.id) ?? 0) : 0) || a.id - b.id)
        .map(
          (p) => html`<tr${p.winner ? html` class="winner"` : ''}>
  <td><a href="/budgets/${cycle.id}/projects/${p.id}">${p.title}</a>${p.winner ? html` <span class="badge state-answered">${t('budgets.winner')}</span>` : ''}</td>
  <td>${name(cycle.districts, p.district_id)}</td><td>${name(cycle.categories, p.category_id)}</td>
  <td class="number">${money(ctx, votedCost(p), cycle.currency)}</td><td>${t(`budgets.review_states.${p.review_state}`)}</td>${
    state.votes ? html`<td class="number">${formatNumber(ctx.locale, state.votes.get(p.id) ?? 0)}</td>` : ''
  }</tr>`,
        )}</tbody></table></div>`
    : html`<div class="empty-state"><p>${t('budgets.no_projects')}</p></div>`
}
<p class="actions"><a href="/api/v1/budgets/${cycle.id}">${t('budgets.as_json')}</a>${
    resultsOut
      ? cycle.districts.map(
          (d) =>
            html` <a href="/budgets/${cycle.id}/pabulib?district=${d.id}">${t('budgets.pabulib', { district: d.name })}</a>`,
        )
      : ''
  }
  <a href="/budgets/${cycle.id}/projects.csv">${t('budgets.projects_csv')}</a></p>`;
}

export function projectPage(
  ctx: PageContext,
  cycle: Cycle,
  project: Project,
  state: {
    now: Date;
    canRun: boolean;
    isAuthor: boolean;
    votes: number | null;
    notes: { note: string; created_at: Date }[];
    files: { id: number; kind: 'image' | 'photo'; description: string }[];
    /** Whether the procedure that delivers the project has been imported here (so it has a page). */
    procedureImported: boolean;
    values?: FieldValues;
    errors?: Record<string, string>;
  },
): SafeHtml {
  const { t } = ctx;
  const phase = phaseAt(cycle.starts, state.now);
  const values = state.values ?? {};
  const errors = state.errors;
  const name = (list: { id: number; name: string }[], id: number) => list.find((x) => x.id === id)?.name ?? '—';
  return html`
<p><a href="/budgets/${cycle.id}">← ${cycleTitle(ctx, cycle)}</a></p>
<h1>${project.title}</h1>
<p><span class="badge">${t(`budgets.review_states.${project.review_state}`)}</span>${project.winner ? html` <span class="badge state-answered">${t('budgets.winner')}</span>` : ''}
 · ${name(cycle.districts, project.district_id)} · ${name(cycle.categories, project.category_id)}${project.author_name ? html` · ${t('budgets.author')}: ${project.author_name}` : ''}</p>
${paragraphs(project.description)}
${gallery(
  cycle,
  project,
  state.files.filter((f) => f.kind === 'image'),
)}
${fieldError(errors, 'file')}${fieldError(errors, 'description')}
${state.isAuthor && phase === 'proposals' ? imageForm(ctx, cycle, project, 'budgets.add_image') : ''}
<h2>${t('budgets.cost_breakdown')}</h2>
<div class="table-wrap"><table><tbody>${project.cost_items.map((i) => html`<tr><td>${i.item}</td><td class="number">${money(ctx, i.amount, cycle.currency)}</td></tr>`)}
<tr><th scope="row">${t('budgets.total')}</th><td class="number"><strong>${money(ctx, project.cost, cycle.currency)}</strong></td></tr></tbody></table></div>
${project.adjusted_cost ? html`<p class="notice">${t('budgets.adjusted', { cost: money(ctx, project.adjusted_cost, cycle.currency) })} ${project.cost_reason ?? ''}</p>` : ''}
${project.review_note ? html`<h2>${t('budgets.review_note')}</h2><p>${project.review_note}</p>` : ''}
${project.merged_into ? html`<p>${t('budgets.merged_into')} <a href="/budgets/${cycle.id}/projects/${project.merged_into}">#${project.merged_into}</a></p>` : ''}
${state.votes !== null ? html`<p><strong>${t('budgets.votes')}:</strong> ${formatNumber(ctx.locale, state.votes)}</p>` : ''}
${
  project.winner
    ? html`<h2>${t('budgets.implementation')}</h2>
<p>${t(`budgets.implementation_states.${project.implementation_status ?? 'planned'}`)}${project.spent !== null ? html` · ${t('budgets.spent')}: ${money(ctx, project.spent, cycle.currency)}` : ''}</p>
${project.procurement_ocid ? procurementLink(ctx, project.procurement_ocid, state.procedureImported) : ''}
${state.notes.length ? html`<ul>${state.notes.map((n) => html`<li>${formatDateTime(ctx.locale, n.created_at)}: ${n.note}</li>`)}</ul>` : ''}
${gallery(
  cycle,
  project,
  state.files.filter((f) => f.kind === 'photo'),
)}
${state.canRun ? imageForm(ctx, cycle, project, 'budgets.add_photo') : ''}`
    : ''
}
${state.isAuthor && phase === 'proposals' ? html`<p><a class="button" href="/budgets/${cycle.id}/projects/${project.id}/edit">${t('budgets.edit_proposal')}</a></p>` : ''}
${
  state.canRun && phase === 'review' && project.review_state !== 'merged'
    ? html`<form method="post" action="/budgets/${cycle.id}/projects/${project.id}/review" class="stacked wide">
  ${csrfField(ctx)}<h2>${t('budgets.expert_review')}</h2>
  ${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
  ${selectField({ name: 'verdict', label: t('budgets.verdict'), values, errors, empty: '—', choices: ['feasible', 'infeasible', 'merged'].map((v) => ({ value: v, label: t(`budgets.review_states.${v}`) })) })}
  ${textAreaField({ name: 'review_note', label: t('budgets.review_note'), values, errors, rows: 3 })}
  ${textField({ name: 'adjusted_cost', label: t('budgets.adjusted_cost'), values, errors, type: 'number' })}
  ${textField({ name: 'cost_reason', label: t('budgets.cost_reason'), values, errors })}
  ${textField({ name: 'merged_into', label: t('budgets.merge_target'), values, errors, type: 'number' })}
  <button type="submit">${t('budgets.save_review')}</button></form>`
    : ''
}
${
  state.canRun && project.winner
    ? html`<form method="post" action="/budgets/${cycle.id}/projects/${project.id}/progress" class="stacked wide">
  ${csrfField(ctx)}<h2>${t('budgets.report_progress')}</h2>
  ${selectField({
    name: 'implementation_status',
    label: t('budgets.status'),
    values: { implementation_status: project.implementation_status, ...values },
    errors,
    choices: ['planned', 'procurement', 'in_progress', 'done', 'cancelled'].map((v) => ({
      value: v,
      label: t(`budgets.implementation_states.${v}`),
    })),
  })}
  ${textField({ name: 'spent', label: t('budgets.spent'), values: { spent: project.spent, ...values }, errors, type: 'number' })}
  ${textField({ name: 'procurement', label: t('budgets.procurement_reference'), extra: html` aria-describedby="procurement-hint"`, values: { procurement: project.procurement_ocid ? (prozorroTenderId(project.procurement_ocid) ?? project.procurement_ocid) : '', ...values }, errors })}
  <p class="hint" id="procurement-hint">${t('budgets.procurement_reference_hint')}</p>
  ${textAreaField({ name: 'note', label: t('budgets.progress_note'), values, errors, rows: 3 })}
  <button type="submit">${t('budgets.save_progress')}</button></form>`
    : ''
}`;
}

/** The procedure that delivers the project: our page of it when imported here, and Prozorro's. */
function procurementLink(ctx: PageContext, ocid: string, imported: boolean): SafeHtml {
  const tenderId = prozorroTenderId(ocid);
  return html`<p>${ctx.t('budgets.procurement')}: ${
    imported
      ? html`<a href="/procurement/procedures/${encodeURIComponent(ocid)}">${tenderId ?? ocid}</a>`
      : html`${tenderId ?? ocid}`
  }${tenderId ? html` · <a href="https://prozorro.gov.ua/tender/${tenderId}">${ctx.t('budgets.on_prozorro')}</a>` : ''}</p>`;
}

function gallery(cycle: Cycle, project: Project, files: { id: number; description: string }[]): SafeHtml {
  if (!files.length) return html``;
  return html`<ul class="gallery">${files.map(
    (
      f,
    ) => html`<li><figure><img src="/budgets/${cycle.id}/projects/${project.id}/files/${f.id}" alt="${f.description}" loading="lazy">
    <figcaption>${f.description}</figcaption></figure></li>`,
  )}</ul>`;
}

function imageForm(ctx: PageContext, cycle: Cycle, project: Project, title: string): SafeHtml {
  const { t } = ctx;
  // The token and the description come before the file, so they are checked before it is stored.
  return html`<form method="post" action="/budgets/${cycle.id}/projects/${project.id}/files" enctype="multipart/form-data" class="stacked">
  ${csrfField(ctx)}<h2>${t(title)}</h2>
  <label for="image-description">${t('budgets.image_description')}</label>
  <input type="text" id="image-description" name="description" maxlength="300" required>
  <label for="image-file">${t('budgets.image_file')}</label>
  <p class="hint" id="image-file-hint">${t('budgets.image_hint')}</p>
  <input type="file" id="image-file" name="file" accept=".png,.jpg,.jpeg,.webp" required aria-describedby="image-file-hint">
  <button type="submit">${t('budgets.upload')}</button></form>`;
}

export function proposalForm(
  ctx: PageContext,
  cycle: Cycle,
  values: FieldValues,
  errors: Errors,
  projectId: number | null,
  center: { latitude: number | null; longitude: number | null } | null = null,
): SafeHtml {
  const { t } = ctx;
  const largest = Math.max(0, ...cycle.size_classes.map((c) => c.max_cost));
  return html`
<p><a href="/budgets/${cycle.id}">← ${cycleTitle(ctx, cycle)}</a></p>
<h1>${t(projectId ? 'budgets.edit_proposal' : 'budgets.propose')}</h1>
<p class="lead">${t('budgets.propose_intro')} ${cycle.size_classes.map((c) => `${c.name}: ${money(ctx, c.max_cost, cycle.currency)}`).join('; ')}</p>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${projectId ? `/budgets/${cycle.id}/projects/${projectId}/edit` : `/budgets/${cycle.id}/projects/new`}" class="stacked wide" novalidate>
  ${csrfField(ctx)}
  ${textField({ name: 'title', label: t('budgets.field_title'), values, errors, extra: html` maxlength="200"` })}
  ${textAreaField({ name: 'description', label: t('budgets.field_description'), values, errors, rows: 8 })}
  ${selectField({ name: 'district_id', label: t('budgets.district'), values, errors, empty: '—', choices: cycle.districts.map((d) => ({ value: String(d.id), label: `${d.name} (${money(ctx, d.amount, cycle.currency)})` })) })}
  ${selectField({ name: 'category_id', label: t('budgets.category'), values, errors, empty: '—', choices: cycle.categories.map((c) => ({ value: String(c.id), label: c.name })) })}
  ${textAreaField({ name: 'cost_items', label: t('budgets.field_cost_items'), values, errors, rows: 5, hint: t('budgets.cost_items_hint', { max: money(ctx, largest, cycle.currency) }) })}
  <p class="hint">${t('budgets.place_hint')}</p>
  <div id="point-picker" class="map small" role="region" aria-label="${t('budgets.place_map')}" data-lat-input="latitude" data-lon-input="longitude"
    data-center-lat="${center?.latitude ?? ''}" data-center-lon="${center?.longitude ?? ''}"></div>
  ${textField({ name: 'latitude', label: t('budgets.latitude'), values, errors })}
  ${textField({ name: 'longitude', label: t('budgets.longitude'), values, errors })}
  <button type="submit">${t('budgets.submit_proposal')}</button>
</form>`;
}

/** The first words of a project's description, for its card. */
function excerpt(text: string, max = 180): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, cut.lastIndexOf(' ') > max / 2 ? cut.lastIndexOf(' ') : max).replace(/[,.;:!?-]+$/, '')}…`;
}

const ruleText = (ctx: PageContext, cycle: Cycle) =>
  cycle.voting_rule === 'approval'
    ? ctx.t(cycle.one_per_category ? 'budgets.rule_approval_category' : 'budgets.rule_approval', {
        max: cycle.max_choices ?? 1,
      })
    : ctx.t(cycle.min_spend_share > 0 ? 'budgets.rule_knapsack' : 'budgets.rule_knapsack_any', {
        share: Math.round(cycle.min_spend_share * 100),
      });

/** The meter of the chosen projects against the rule, as the server sees them; the island redoes it live. */
function ballotMeter(ctx: PageContext, cycle: Cycle, chosen: Project[]): SafeHtml {
  const { t } = ctx;
  const state = meterState(
    cycle.voting_rule === 'approval' ? { kind: 'approval', maxChoices: cycle.max_choices ?? 1 } : { kind: 'knapsack' },
    chosen.map((p) => ({ cost: votedCost(p), district: p.district_id })),
    new Map(cycle.districts.map((d) => [d.id, d.amount])),
  );
  const currency = cycle.currency === 'UAH' ? t('budgets.uah') : cycle.currency;
  const districtName = (id: number | undefined) => cycle.districts.find((d) => d.id === id)?.name ?? '';
  const text = t(`budgets.ballot.${state.key}`, {
    ...state.params,
    spent: money(ctx, state.params.spent ?? 0, cycle.currency),
    amount: money(ctx, state.params.amount ?? 0, cycle.currency),
    district: districtName(state.params.district),
  });
  // The messages with their numbers left as {placeholders}, for the island to fill in.
  const templates = Object.fromEntries(
    (['meter_empty', 'meter_cost', 'meter_over', 'meter_count', 'meter_too_many', 'meter_two_districts'] as const).map(
      (key) => [
        key,
        t(`budgets.ballot.${key}`, {
          spent: `{spent} ${currency}`,
          amount: `{amount} ${currency}`,
          district: '{district}',
          count: '{count}',
          max: '{max}',
        }),
      ],
    ),
  );
  return html`<div class="ballot-meter${state.over ? ' over' : ''}" id="ballot-meter-box"
  data-rule="${cycle.voting_rule}" data-max-choices="${cycle.max_choices ?? 1}" data-texts="${JSON.stringify(templates)}">
  <label for="ballot-meter">${t('budgets.ballot.meter_label')}</label>
  <progress id="ballot-meter" max="${state.max}" value="${state.value}" aria-describedby="ballot-meter-text"></progress>
  <p id="ballot-meter-text" aria-live="polite">${text}</p>
</div>`;
}

function projectCard(
  ctx: PageContext,
  cycle: Cycle,
  p: Project,
  image: { id: number; description: string } | undefined,
  checked: boolean,
): SafeHtml {
  const category = cycle.categories.find((c) => c.id === p.category_id)?.name ?? '';
  return html`<li class="card ballot-card">
  ${image ? html`<img src="/budgets/${cycle.id}/projects/${p.id}/files/${image.id}" alt="${image.description}" loading="lazy">` : ''}
  <h3><a href="/budgets/${cycle.id}/projects/${p.id}">${p.title}</a></h3>
  <p><span class="badge">${category}</span></p>
  <p>${excerpt(p.description)}</p>
  <p class="stat">${money(ctx, votedCost(p), cycle.currency)}</p>
  <div class="checkbox"><input type="checkbox" id="project-${p.id}" name="projects" value="${p.id}" data-cost="${votedCost(p)}"${checked ? html` checked` : ''}>
    <label for="project-${p.id}">${ctx.t('budgets.ballot.add')}<span class="visually-hidden">: ${p.title}</span></label></div>
</li>`;
}

export function ballotPage(
  ctx: PageContext,
  cycle: Cycle,
  projects: Project[],
  ballot: Ballot | undefined,
  values: FieldValues,
  errors: Errors,
  notice?: string,
  images: Map<number, { id: number; description: string }> = new Map(),
): SafeHtml {
  const { t } = ctx;
  if (ballot?.confirmed_at) return castPage(ctx, cycle, projects, ballot);
  const chosen = new Set(
    (Array.isArray(values.projects)
      ? values.projects
      : values.projects
        ? [values.projects]
        : (ballot?.choices ?? [])
    ).map(String),
  );
  const votable = projects.filter((p) => p.review_state === 'feasible');
  const categoryName = (p: Project) => cycle.categories.find((c) => c.id === p.category_id)?.name ?? '';
  return html`
<p><a href="/budgets/${cycle.id}">← ${cycleTitle(ctx, cycle)}</a></p>
<h1>${t('budgets.ballot.title')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p class="lead">${ruleText(ctx, cycle)} ${t('budgets.ballot.one_district')}</p>
${errors ? html`<div class="notice error" role="alert">${Object.values(errors).map((e) => html`<p>${e}</p>`)}</div>` : ''}
<form method="post" action="/budgets/${cycle.id}/ballot" class="stacked wide ballot" id="ballot-form">
  ${csrfField(ctx)}
  ${cycle.districts.map((d) => {
    const here = votable
      .filter((p) => p.district_id === d.id)
      .sort((a, b) => categoryName(a).localeCompare(categoryName(b), ctx.locale) || a.id - b.id);
    return html`<fieldset class="ballot-district" data-district="${d.id}" data-amount="${d.amount}" data-name="${d.name}">
    <legend>${d.name} — ${money(ctx, d.amount, cycle.currency)}</legend>
    ${
      here.length
        ? html`<ul class="cards ballot-cards">${here.map((p) => projectCard(ctx, cycle, p, images.get(p.id), chosen.has(String(p.id))))}</ul>`
        : html`<p class="hint">${t('budgets.ballot.no_projects')}</p>`
    }
  </fieldset>`;
  })}
  ${textField({ name: 'birth_year', label: t('budgets.ballot.birth_year'), values: { birth_year: values.birth_year ?? ballot?.declared_birth_year }, errors, type: 'number' })}
  <div class="checkbox"><input type="checkbox" id="resident" name="resident" value="on"${(values.birth_year === undefined ? ballot?.declared_resident : values.resident === 'on') ? html` checked` : ''}>
    <label for="resident">${t('budgets.ballot.resident')}</label></div>
  ${fieldError(errors, 'resident')}${fieldError(errors, 'identity')}
  <p class="hint">${t('budgets.ballot.declaration_hint')}</p>
  <div class="ballot-bar">
    ${ballotMeter(
      ctx,
      cycle,
      votable.filter((p) => chosen.has(String(p.id))),
    )}
    <p class="actions"><button type="submit" name="save" value="1" class="secondary">${t('budgets.ballot.save')}</button>
      <button type="submit" name="review" value="on">${t('budgets.ballot.review')}</button></p>
  </div>
</form>`;
}

/** The chosen projects with their district, category and cost, and the total: a list that fits a phone. */
function choicesList(ctx: PageContext, cycle: Cycle, chosen: Project[]): SafeHtml {
  const { t } = ctx;
  const name = (list: { id: number; name: string }[], id: number) => list.find((x) => x.id === id)?.name ?? '—';
  return html`<ul class="ballot-choices">${chosen.map(
    (p) => html`<li><span><a href="/budgets/${cycle.id}/projects/${p.id}">${p.title}</a>
  <span class="hint">${name(cycle.districts, p.district_id)} · ${name(cycle.categories, p.category_id)}</span></span>
  <strong>${money(ctx, votedCost(p), cycle.currency)}</strong></li>`,
  )}
<li class="ballot-total"><span>${t('budgets.total')}</span><strong>${money(
    ctx,
    chosen.reduce((sum, p) => sum + votedCost(p), 0),
    cycle.currency,
  )}</strong></li></ul>`;
}

/** The step before casting: the saved choices, the total, the warning, and Cast or Back to edit. */
export function ballotReviewPage(ctx: PageContext, cycle: Cycle, projects: Project[], ballot: Ballot): SafeHtml {
  const { t } = ctx;
  const chosen = projects.filter((p) => ballot.choices.includes(p.id));
  return html`
<p><a href="/budgets/${cycle.id}">← ${cycleTitle(ctx, cycle)}</a></p>
<h1>${t('budgets.ballot.review_title')}</h1>
<p class="lead">${t('budgets.ballot.review_intro')}</p>
<h2>${t('budgets.ballot.your_choices')}</h2>
${choicesList(ctx, cycle, chosen)}
<p>${t('budgets.ballot.declared', {
    year: String(ballot.declared_birth_year ?? '—'),
    resident: ballot.declared_resident ? t('budgets.ballot.declared_resident') : '',
  })}</p>
<p class="notice warning" id="irreversible">${t('budgets.ballot.irreversible')}</p>
<form method="post" action="/budgets/${cycle.id}/ballot" class="actions">
  ${csrfField(ctx)}
  ${chosen.map((p) => html`<input type="hidden" name="projects" value="${p.id}">`)}
  <input type="hidden" name="birth_year" value="${ballot.declared_birth_year ?? ''}">
  ${ballot.declared_resident ? html`<input type="hidden" name="resident" value="on">` : ''}
  <button type="submit" name="confirm" value="on">${t('budgets.ballot.confirm')}</button>
  <a class="button secondary" href="/budgets/${cycle.id}/ballot">${t('budgets.ballot.back')}</a>
</form>`;
}

/** After casting: one confirmation and what was cast. */
function castPage(ctx: PageContext, cycle: Cycle, projects: Project[], ballot: Ballot): SafeHtml {
  const { t } = ctx;
  return html`
<p><a href="/budgets/${cycle.id}">← ${cycleTitle(ctx, cycle)}</a></p>
<h1>${t('budgets.ballot.title')}</h1>
<p class="notice success" role="status" id="confirmed">${t('budgets.ballot.is_confirmed', { when: formatDateTime(ctx.locale, ballot.confirmed_at!) })}</p>
<h2>${t('budgets.ballot.your_choices')}</h2>
${choicesList(
  ctx,
  cycle,
  projects.filter((p) => ballot.choices.includes(p.id)),
)}`;
}

export function managePage(
  ctx: PageContext,
  cycle: Cycle,
  now: Date,
  values: FieldValues,
  errors: Errors,
  notice?: string,
  extra: { programmes?: Map<string, string> } = {},
): SafeHtml {
  const { t } = ctx;
  const phase = phaseAt(cycle.starts, now);
  return html`
<p><a href="/budgets/${cycle.id}">← ${cycleTitle(ctx, cycle)}</a></p>
<h1>${t('budgets.manage')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<p>${phaseBadge(ctx, phase)}</p>
${
  phase === 'voting' || phase === 'ballot_review'
    ? html`<form method="post" action="/budgets/${cycle.id}/paper" class="stacked wide">
  ${csrfField(ctx)}<h2>${t('budgets.paper.title')}</h2><p class="hint">${t('budgets.paper.hint')}</p>
  ${textField({ name: 'paper_reference', label: t('budgets.paper.reference'), values, errors })}
  ${textField({ name: 'projects', label: t('budgets.paper.projects'), values, errors })}
  <button type="submit">${t('budgets.paper.enter')}</button></form>`
    : html`<p>${t('budgets.paper.closed')}</p>`
}
${programmeForm(ctx, cycle, values, errors, extra.programmes ?? new Map())}
${
  phase === 'results' || phase === 'implementation'
    ? html`<form method="post" action="/budgets/${cycle.id}/results">${csrfField(ctx)}
  <h2>${t('budgets.results')}</h2><p>${t('budgets.results_hint')}</p><button type="submit">${t('budgets.publish_results')}</button></form>`
    : ''
}`;
}

/** The programme of the city budget the cycle is paid from: a code, offered from the city's imported programmes. */
function programmeField(ctx: PageContext, value: string, errors: Errors, programmes: Map<string, string>): SafeHtml {
  const { t } = ctx;
  const error = errors?.programme_code;
  return html`<label for="programme_code">${t('openBudget.cycle.programme')}</label>
<input id="programme_code" name="programme_code" inputmode="numeric" maxlength="7" value="${value}"${programmes.size ? html` list="programme-codes"` : ''} aria-describedby="programme_code-hint${error ? ' programme_code-error' : ''}"${error ? html` aria-invalid="true"` : ''}>
<p class="hint" id="programme_code-hint">${t(programmes.size ? 'openBudget.cycle.programme_hint' : 'openBudget.cycle.programme_hint_none')}</p>
${error ? html`<p class="field-error" id="programme_code-error">${error}</p>` : ''}
${
  programmes.size
    ? html`<datalist id="programme-codes">${[...programmes].map(
        ([code, name]) => html`<option value="${code}">${code} — ${name}</option>`,
      )}</datalist>`
    : ''
}`;
}

function programmeForm(
  ctx: PageContext,
  cycle: Cycle,
  values: FieldValues,
  errors: Errors,
  programmes: Map<string, string>,
): SafeHtml {
  const value = String(values.programme_code ?? cycle.programme_code ?? '');
  return html`<form method="post" action="/budgets/${cycle.id}/programme" class="stacked wide">${csrfField(ctx)}
<h2>${ctx.t('openBudget.cycle.programme_title')}</h2>
${programmeField(ctx, value, errors, programmes)}
<button type="submit">${ctx.t('openBudget.cycle.programme_save')}</button></form>`;
}

export function cycleForm(ctx: PageContext, cities: City[], values: FieldValues, errors: Errors): SafeHtml {
  const { t } = ctx;
  const input = (name: string, label: string, type = 'text') => textField({ name, label, values, errors, type });
  return html`
<p><a href="/budgets">← ${t('budgets.title')}</a></p>
<h1>${t('budgets.new_cycle')}</h1>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/budgets/new" class="stacked wide" novalidate>
  ${csrfField(ctx)}
  ${selectField({ name: 'city', label: t('budgets.city'), values, errors, empty: '—', choices: cities.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) })) })}
  ${input('slug', t('admin.slug'))}
  ${input('title_uk', t('budgets.title_uk'))}${input('title_en', t('budgets.title_en'))}${input('title_bg', t('budgets.title_bg'))}
  ${textAreaField({ name: 'description', label: t('budgets.description'), values, errors, rows: 4 })}
  ${textAreaField({ name: 'districts', label: t('budgets.districts'), values, errors, rows: 4, hint: t('budgets.districts_hint') })}
  ${textAreaField({ name: 'categories', label: t('budgets.categories'), values, errors, rows: 4, hint: t('budgets.categories_hint') })}
  ${textAreaField({ name: 'size_classes', label: t('budgets.size_classes'), values, errors, rows: 3, hint: t('budgets.size_classes_hint') })}
  ${PHASES.map((phase) => input(`${phase}_at`, t('budgets.phase_start', { phase: t(`budgets.phases.${phase}`) }), 'date'))}
  ${selectField({ name: 'voting_rule', label: t('budgets.voting_rule'), values, errors, choices: ['approval', 'knapsack'].map((r) => ({ value: r, label: t(`budgets.rules.${r}`) })) })}
  ${input('max_choices', t('budgets.max_choices'), 'number')}
  <div class="checkbox"><input type="checkbox" id="one_per_category" name="one_per_category" value="on"${values.one_per_category === 'on' ? html` checked` : ''}><label for="one_per_category">${t('budgets.one_per_category')}</label></div>
  ${input('min_spend_share', t('budgets.min_spend_share'), 'number')}
  ${input('min_age', t('budgets.min_age'), 'number')}
  <div class="checkbox"><input type="checkbox" id="residents_only" name="residents_only" value="on"${values.residents_only === 'on' ? html` checked` : ''}><label for="residents_only">${t('budgets.residents_only')}</label></div>
  <div class="checkbox"><input type="checkbox" id="live_totals" name="live_totals" value="on"${values.live_totals === 'on' ? html` checked` : ''}><label for="live_totals">${t('budgets.live_totals')}</label></div>
  ${programmeField(ctx, String(values.programme_code ?? ''), errors, new Map())}
  <button type="submit">${t('budgets.create')}</button>
</form>`;
}

/** A city's cycles on its page. */
/** The home page's participatory budgets open to residents now: voting, or taking proposals. */
export function homeBudgetsSection(
  ctx: PageContext,
  cycles: Omit<Cycle, 'districts' | 'categories' | 'size_classes'>[],
  now: Date,
): SafeHtml {
  const { t } = ctx;
  return html`<section class="home-section" id="home-budgets" aria-labelledby="home-budgets-title">
<h2 id="home-budgets-title">${t('home.budgets_now')}</h2>
<ul class="cards">${cycles.map((c) => {
    const phase = phaseAt(c.starts, now);
    const next = PHASES[PHASES.indexOf(phase) + 1];
    return html`<li class="card"><h3><a href="/budgets/${c.id}">${cycleTitle(ctx, c)}</a></h3>
  <p>${phaseBadge(ctx, phase)} ${next ? html`<span class="hint">${t('home.phase_until', { date: formatDateTime(ctx.locale, c.starts[next]) })}</span>` : ''}</p>
  <p class="stat">${money(ctx, c.total_amount, c.currency)}</p>
  ${phase === 'voting' ? html`<p><a class="button" href="/budgets/${c.id}/ballot">${t('home.vote')}</a></p>` : ''}</li>`;
  })}</ul>
<p><a href="/budgets">${t('home.all_budgets')}</a></p>
</section>`;
}

export function cityBudgetsSection(
  ctx: PageContext,
  cycles: Omit<Cycle, 'districts' | 'categories' | 'size_classes'>[],
  now: Date,
): SafeHtml {
  if (!cycles.length) return html``;
  return html`<h2>${ctx.t('budgets.title')}</h2><ul>${cycles.map((c) => html`<li><a href="/budgets/${c.id}">${cycleTitle(ctx, c)}</a> ${phaseBadge(ctx, phaseAt(c.starts, now))}</li>`)}</ul>`;
}
