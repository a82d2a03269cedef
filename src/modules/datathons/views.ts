// Pages of datathons: the list, each datathon's hub (challenges, teams, submissions, results,
// the jury's page, the organisers' page), a team's page with its submission form, a submission's
// page with the people's vote and the judge's score form, and the challenge form.
import { html, paragraphs, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, tabs, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatNumber } from '../../platform/i18n/locales.ts';
import { localName } from '../cities/service.ts';
import { formatInZone, toZonedLocal } from '../community/time.ts';
import {
  MAX_CRITERIA,
  SUBMISSION_LICENCES,
  type Challenge,
  type Datathon,
  type RankedSubmission,
  type ScoreRow,
  type Submission,
  type Team,
  type TeamRequest,
} from './service.ts';

type Errors = Record<string, string> | undefined;

export interface Flash {
  notice?: string;
  error?: string;
  errors?: Errors;
  values?: FieldValues;
}

function flash(ctx: PageContext, f: Flash): SafeHtml {
  return html`${f.notice ? html`<p class="notice success" role="status">${f.notice}</p>` : ''}${
    f.error ? html`<p class="notice danger" role="alert">${f.error}</p>` : ''
  }${f.errors && !f.error ? html`<p class="notice danger" role="alert">${ctx.t('validation.fix_errors')}</p>` : ''}`;
}

const when = (ctx: PageContext, d: Pick<Datathon, 'time_zone'>, at: Date) =>
  html`<time datetime="${at.toISOString()}">${formatInZone(ctx.locale, at, d.time_zone)}</time>`;

const datasetLinks = (ctx: PageContext, list: Challenge['datasets']) =>
  list.length
    ? html`<ul class="inline-list">${list.map((ds) => html`<li><a href="/datasets/${ds.name}">${localTitle(ctx, ds)}</a></li>`)}</ul>`
    : html`<span class="hint">—</span>`;

function localTitle(ctx: PageContext, o: { title_uk: string; title_en: string; title_bg: string }): string {
  const value = ctx.locale === 'en' ? o.title_en : ctx.locale === 'bg' ? o.title_bg : o.title_uk;
  return value || o.title_uk;
}

export type HubTab = 'challenges' | 'teams' | 'submissions' | 'results' | 'judging' | 'manage';

export interface HubRoles {
  organizer: boolean;
  judge: boolean;
}

/** The head every page of a datathon shares: title, key dates, and the tabs. */
export function hubHead(ctx: PageContext, d: Datathon, current: HubTab, roles: HubRoles, now: Date): SafeHtml {
  const { t } = ctx;
  const phase =
    now < d.submission_deadline
      ? t('datathons.phase_open')
      : d.results_published_at
        ? t('datathons.phase_results')
        : t('datathons.phase_judging');
  const items: { href: string; label: string; current?: boolean }[] = [
    { href: `/datathons/${d.event_id}`, label: t('datathons.tab_challenges'), current: current === 'challenges' },
    { href: `/datathons/${d.event_id}/teams`, label: t('datathons.tab_teams'), current: current === 'teams' },
    {
      href: `/datathons/${d.event_id}/submissions`,
      label: t('datathons.tab_submissions'),
      current: current === 'submissions',
    },
    { href: `/datathons/${d.event_id}/results`, label: t('datathons.tab_results'), current: current === 'results' },
  ];
  if (roles.judge)
    items.push({
      href: `/datathons/${d.event_id}/judging`,
      label: t('datathons.tab_judging'),
      current: current === 'judging',
    });
  if (roles.organizer)
    items.push({
      href: `/datathons/${d.event_id}/manage`,
      label: t('datathons.tab_manage'),
      current: current === 'manage',
    });
  return html`<p><a href="/events/${d.event_id}">← ${t('datathons.back_to_event')}</a></p>
<h1>${d.title}</h1>
<p><span class="badge info">${t('datathons.datathon')}</span> <span class="badge">${phase}</span></p>
<dl class="facts">
  <dt>${t('datathons.deadline')}</dt><dd>${when(ctx, d, d.submission_deadline)}</dd>
  <dt>${t('datathons.voting')}</dt><dd>${when(ctx, d, d.submission_deadline)} – ${when(ctx, d, d.voting_closes_at)}</dd>
  <dt>${t('datathons.team_size')}</dt><dd>${t('datathons.team_size_value', { min: d.team_min, max: d.team_max })}</dd>
</dl>
${tabs(t('datathons.sections'), items)}`;
}

export function listPage(
  ctx: PageContext,
  result: { items: Datathon[]; total: number },
  page: { limit: number; offset: number },
): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('datathons.title')}</h1>
<p>${t('datathons.intro')}</p>
${
  result.items.length
    ? html`<ul class="cards">${result.items.map(
        (d) => html`<li class="card"><h2><a href="/datathons/${d.event_id}">${d.title}</a></h2>
<p class="hint">${t('datathons.deadline')}: ${when(ctx, d, d.submission_deadline)}</p></li>`,
      )}</ul>${pagination(ctx, '/datathons', {}, { total: result.total, ...page })}`
    : html`<div class="empty-state"><p>${t('datathons.none')}</p><p><a href="/events?kind=datathon">${t('datathons.see_events')}</a></p></div>`
}`;
}

/** A datathon event whose organisers have not set it up yet. */
export function notSetUpPage(ctx: PageContext, event: { id: number; title: string }, organizer: boolean): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/events/${event.id}">← ${t('datathons.back_to_event')}</a></p>
<h1>${event.title}</h1>
<div class="empty-state"><p>${t('datathons.not_set_up')}</p>${
    organizer ? html`<p><a class="button" href="/datathons/${event.id}/manage">${t('datathons.set_up')}</a></p>` : ''
  }</div>`;
}

export function challengesPage(
  ctx: PageContext,
  d: Datathon,
  challenges: Challenge[],
  state: { roles: HubRoles; now: Date; signedIn: boolean; myTeam: Team | undefined } & Flash,
): SafeHtml {
  const { t } = ctx;
  const open = state.now < d.submission_deadline;
  const values = state.values ?? {};
  return html`${hubHead(ctx, d, 'challenges', state.roles, state.now)}
${flash(ctx, state)}
${d.description ? paragraphs(d.description) : ''}
<h2>${t('datathons.challenges')}</h2>
${state.roles.organizer ? html`<p><a class="button secondary" href="/datathons/${d.event_id}/challenges/new">${t('datathons.new_challenge')}</a></p>` : ''}
${
  challenges.length
    ? html`<ol class="challenge-list">${challenges.map(
        (c) => html`<li id="challenge-${c.id}"><h3>${c.title}</h3>
<p class="hint">${t('datathons.posed_by', { organization: localName({ name_uk: c.organization_name_uk, name_en: c.organization_name_en, name_bg: c.organization_name_bg }, ctx.locale) })}${c.prize ? html` · <strong>${t('datathons.prize')}:</strong> ${c.prize}` : ''} · ${t('datathons.team_count', { count: c.team_count })}</p>
${paragraphs(c.statement)}
<p><strong>${t('datathons.datasets_to_use')}:</strong></p>${datasetLinks(ctx, c.datasets)}
${state.roles.organizer ? html`<p><a href="/datathons/${d.event_id}/challenges/${c.id}/edit">${t('datathons.edit')}</a></p>` : ''}</li>`,
      )}</ol>`
    : html`<div class="empty-state"><p>${t('datathons.no_challenges')}</p></div>`
}
${
  open && challenges.length
    ? state.myTeam
      ? html`<p>${t('datathons.your_team')}: <a href="/datathons/${d.event_id}/teams/${state.myTeam.id}">${state.myTeam.name}</a></p>`
      : state.signedIn
        ? html`<h2 id="new-team">${t('datathons.create_team')}</h2>
<form method="post" action="/datathons/${d.event_id}/teams" class="stacked" novalidate>${csrfField(ctx)}
${textField({ name: 'name', label: t('datathons.team_name'), values, errors: state.errors, extra: html` maxlength="100" required` })}
${selectField({ name: 'challenge', label: t('datathons.challenge'), values, errors: state.errors, choices: challenges.map((c) => ({ value: String(c.id), label: c.title })) })}
<button type="submit">${t('datathons.create_team')}</button></form>`
        : html`<p><a href="/login?next=/datathons/${d.event_id}">${t('datathons.sign_in_to_join')}</a></p>`
    : ''
}`;
}

export function challengeForm(
  ctx: PageContext,
  d: Datathon,
  options: {
    id: number | null;
    organizations: { slug: string; name_uk: string; name_en: string; name_bg: string }[];
  } & Flash,
): SafeHtml {
  const { t } = ctx;
  const values = options.values ?? {};
  const errors = options.errors;
  return html`<p><a href="/datathons/${d.event_id}">← ${d.title}</a></p>
<h1>${t(options.id ? 'datathons.edit_challenge' : 'datathons.new_challenge')}</h1>
${flash(ctx, options)}
<form method="post" action="/datathons/${d.event_id}/challenges/${options.id ?? 'new'}${options.id ? '/edit' : ''}" class="stacked wide" novalidate>${csrfField(ctx)}
${selectField({ name: 'organization', label: t('datathons.posed_by_label'), values, errors, empty: '', choices: options.organizations.map((o) => ({ value: o.slug, label: localName(o, ctx.locale) })) })}
${textField({ name: 'title', label: t('datathons.field_title'), values, errors, extra: html` maxlength="200" required` })}
${textAreaField({ name: 'statement', label: t('datathons.statement'), values, errors, rows: 8 })}
${textField({ name: 'prize', label: t('datathons.prize'), values, errors, extra: html` maxlength="500"` })}
${textAreaField({ name: 'datasets', label: t('datathons.datasets_field'), values, errors, rows: 3, hint: t('datathons.datasets_hint') })}
<button type="submit">${t('datathons.save')}</button></form>`;
}

function memberList(team: Team): SafeHtml {
  return html`<ul>${team.members.map((m) => html`<li>${m.display_name}</li>`)}</ul>`;
}

export function teamsPage(
  ctx: PageContext,
  d: Datathon,
  teams: Team[],
  total: number,
  state: { roles: HubRoles; now: Date; offset: number; limit: number },
): SafeHtml {
  const { t } = ctx;
  return html`${hubHead(ctx, d, 'teams', state.roles, state.now)}
<h2>${t('datathons.teams')}</h2>
${
  teams.length
    ? html`<div class="table-wrap"><table class="responsive"><caption class="visually-hidden">${t('datathons.teams')}</caption>
<thead><tr><th scope="col">${t('datathons.team')}</th><th scope="col">${t('datathons.challenge')}</th><th scope="col">${t('datathons.members')}</th><th scope="col">${t('datathons.submission')}</th></tr></thead>
<tbody>${teams.map(
        (
          team,
        ) => html`<tr><td data-label="${t('datathons.team')}"><a href="/datathons/${d.event_id}/teams/${team.id}">${team.name}</a></td>
<td data-label="${t('datathons.challenge')}">${team.challenge_title}</td>
<td data-label="${t('datathons.members')}">${formatNumber(ctx.locale, team.members.length)} / ${d.team_max}</td>
<td data-label="${t('datathons.submission')}">${team.submission_id ? t('datathons.submitted') : '—'}</td></tr>`,
      )}</tbody></table></div>${pagination(ctx, `/datathons/${d.event_id}/teams`, {}, { total, limit: state.limit, offset: state.offset })}`
    : html`<div class="empty-state"><p>${t('datathons.no_teams')}</p><p><a href="/datathons/${d.event_id}#new-team">${t('datathons.create_team')}</a></p></div>`
}`;
}

export function teamPage(
  ctx: PageContext,
  d: Datathon,
  team: Team,
  state: {
    roles: HubRoles;
    now: Date;
    member: boolean;
    signedIn: boolean;
    hasTeam: boolean;
    requests: TeamRequest[];
    submission: Submission | undefined;
  } & Flash,
): SafeHtml {
  const { t } = ctx;
  const open = state.now < d.submission_deadline;
  const errors = state.errors;
  const values = state.values ?? {};
  const sub = state.submission;
  const submissionValues: FieldValues =
    state.values && 'description' in state.values
      ? state.values
      : sub
        ? { ...sub, datasets: sub.datasets.map((ds) => ds.name).join('\n') }
        : { licence: 'MIT' };
  return html`${hubHead(ctx, d, 'teams', state.roles, state.now)}
${flash(ctx, state)}
<h2>${t('datathons.team')}: ${team.name}</h2>
<p class="hint">${t('datathons.challenge')}: <a href="/datathons/${d.event_id}#challenge-${team.challenge_id}">${team.challenge_title}</a></p>
<h3>${t('datathons.members')} (${team.members.length} / ${d.team_max})</h3>
${memberList(team)}
${team.members.length < d.team_min ? html`<p class="notice warning">${t('datathons.team_too_small_hint', { min: d.team_min })}</p>` : ''}
${
  state.member && open
    ? html`${
        state.requests.length
          ? html`<h3>${t('datathons.pending')}</h3><ul>${state.requests.map(
              (r) =>
                html`<li>${r.display_name} <span class="badge">${t(`datathons.request_kinds.${r.kind}`)}</span>${
                  r.kind === 'request'
                    ? html` <form method="post" action="/datathons/${d.event_id}/requests/${r.id}/accept" class="inline">${csrfField(ctx)}<button type="submit">${t('datathons.accept')}</button></form>
<form method="post" action="/datathons/${d.event_id}/requests/${r.id}/decline" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('datathons.decline')}</button></form>`
                    : ''
                }</li>`,
            )}</ul>`
          : ''
      }
${
  team.members.length < d.team_max
    ? html`<form method="post" action="/datathons/${d.event_id}/teams/${team.id}/invite" class="stacked" novalidate>${csrfField(ctx)}
${textField({ name: 'email', label: t('datathons.invite_email'), values, errors, type: 'email', extra: html` autocomplete="off"` })}
<button type="submit">${t('datathons.invite')}</button></form>`
    : html`<p>${t('datathons.team_full_hint')}</p>`
}
<form method="post" action="/datathons/${d.event_id}/teams/${team.id}/leave">${csrfField(ctx)}<button type="submit" class="secondary">${t('datathons.leave')}</button></form>`
    : ''
}
${
  !state.member && open && state.signedIn && !state.hasTeam && team.members.length < d.team_max
    ? html`<form method="post" action="/datathons/${d.event_id}/teams/${team.id}/join">${csrfField(ctx)}<button type="submit">${t('datathons.ask_to_join')}</button></form>`
    : ''
}
<h2 id="submission">${t('datathons.submission')}</h2>
${sub ? html`<p><a href="/datathons/${d.event_id}/submissions/${sub.id}">${sub.title}</a></p>` : ''}
${
  state.member && open
    ? html`<p class="hint">${t('datathons.editable_until', { at: formatInZone(ctx.locale, d.submission_deadline, d.time_zone) })}</p>
<form method="post" action="/datathons/${d.event_id}/teams/${team.id}/submission" class="stacked wide" novalidate>${csrfField(ctx)}
${textField({ name: 'title', label: t('datathons.field_title'), values: submissionValues, errors, extra: html` maxlength="200" required` })}
${textAreaField({ name: 'description', label: t('datathons.description'), values: submissionValues, errors, rows: 6 })}
${textField({ name: 'repository_url', label: t('datathons.repository'), values: submissionValues, errors, type: 'url' })}
${textField({ name: 'demo_url', label: t('datathons.demo'), values: submissionValues, errors, type: 'url' })}
${selectField({ name: 'licence', label: t('datathons.licence'), values: submissionValues, errors, choices: SUBMISSION_LICENCES.map((l) => ({ value: l, label: l })) })}
${textAreaField({ name: 'datasets', label: t('datathons.datasets_used'), values: submissionValues, errors, rows: 3, hint: t('datathons.datasets_hint') })}
<button type="submit">${t('datathons.save_submission')}</button></form>`
    : !sub
      ? html`<div class="empty-state"><p>${t('datathons.no_submission')}</p></div>`
      : ''
}`;
}

export function submissionsPage(
  ctx: PageContext,
  d: Datathon,
  submissions: Submission[],
  total: number,
  state: { roles: HubRoles; now: Date; visible: boolean; offset: number; limit: number },
): SafeHtml {
  const { t } = ctx;
  return html`${hubHead(ctx, d, 'submissions', state.roles, state.now)}
<h2>${t('datathons.submissions')}</h2>
${
  !state.visible
    ? html`<div class="empty-state"><p>${t('datathons.submissions_hidden', { count: total })}</p></div>`
    : submissions.length
      ? html`<ul class="cards">${submissions.map(
          (s) => html`<li class="card"><h3><a href="/datathons/${d.event_id}/submissions/${s.id}">${s.title}</a></h3>
<p class="hint">${s.team_name} · ${s.challenge_title}</p><p>${t('datathons.votes_count', { count: s.votes })}</p></li>`,
        )}</ul>${pagination(ctx, `/datathons/${d.event_id}/submissions`, {}, { total, limit: state.limit, offset: state.offset })}`
      : html`<div class="empty-state"><p>${t('datathons.no_submissions')}</p></div>`
}`;
}

export function submissionPage(
  ctx: PageContext,
  d: Datathon,
  s: Submission,
  state: {
    roles: HubRoles;
    now: Date;
    member: boolean;
    votingOpen: boolean;
    myVote: { submission_id: number; valid: boolean } | undefined;
    signedIn: boolean;
    myScores: ScoreRow[];
    conflict: string | null;
  } & Flash,
): SafeHtml {
  const { t } = ctx;
  const open = state.now < d.submission_deadline;
  const judgingOpen = !open && !d.results_published_at;
  const values: FieldValues = state.values ?? {};
  if (!state.values)
    for (const sc of state.myScores) {
      values[`score_${sc.criterion_id}`] = String(sc.score);
      values[`comment_${sc.criterion_id}`] = sc.comment;
    }
  return html`${hubHead(ctx, d, 'submissions', state.roles, state.now)}
${flash(ctx, state)}
<h2>${s.title}</h2>
<p class="hint">${t('datathons.team')}: <a href="/datathons/${d.event_id}/teams/${s.team_id}">${s.team_name}</a> · ${t('datathons.challenge')}: ${s.challenge_title}</p>
${paragraphs(s.description)}
<dl class="facts">
  <dt>${t('datathons.repository')}</dt><dd>${s.repository_url ? html`<a href="${s.repository_url}" rel="nofollow ugc">${s.repository_url}</a>` : '—'}</dd>
  <dt>${t('datathons.demo')}</dt><dd>${s.demo_url ? html`<a href="${s.demo_url}" rel="nofollow ugc">${s.demo_url}</a>` : '—'}</dd>
  <dt>${t('datathons.licence')}</dt><dd>${s.licence}</dd>
  <dt>${t('datathons.datasets_used')}</dt><dd>${datasetLinks(ctx, s.datasets)}</dd>
</dl>
<h3>${t('datathons.screenshots')}</h3>
${
  s.screenshots.length
    ? html`<ul class="gallery">${s.screenshots.map(
        (sc) =>
          html`<li><figure><img src="/datathons/${d.event_id}/submissions/${s.id}/screenshots/${sc.id}" alt="${sc.caption}" loading="lazy"><figcaption>${sc.caption}${
            state.member && open
              ? html` <form method="post" action="/datathons/${d.event_id}/submissions/${s.id}/screenshots/${sc.id}/delete" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('datathons.remove')}</button></form>`
              : ''
          }</figcaption></figure></li>`,
      )}</ul>`
    : html`<p class="hint">${t('datathons.no_screenshots')}</p>`
}
${
  state.member && open
    ? html`<form method="post" action="/datathons/${d.event_id}/submissions/${s.id}/screenshots" enctype="multipart/form-data" class="stacked">${csrfField(ctx)}
${textField({ name: 'caption', label: t('datathons.caption'), values, errors: state.errors, extra: html` maxlength="300" required` })}
<label for="file">${t('datathons.screenshot_file')}</label>
<input type="file" id="file" name="file" accept="image/png,image/jpeg,image/webp"${state.errors?.file ? html` aria-describedby="file-error" aria-invalid="true"` : ''}>
${state.errors?.file ? html`<p class="field-error" id="file-error">${state.errors.file}</p>` : ''}
<button type="submit">${t('datathons.upload')}</button></form>`
    : ''
}
${state.member && open ? html`<p><a href="/datathons/${d.event_id}/teams/${s.team_id}#submission">${t('datathons.edit_submission')}</a></p>` : ''}
${!state.member && !open ? html`<p class="hint">${t('datathons.frozen')}</p>` : ''}
<section aria-labelledby="vote-title"><h2 id="vote-title">${t('datathons.peoples_choice')}</h2>
<p>${t('datathons.votes_count', { count: s.votes })}</p>
${
  state.myVote
    ? html`<p class="notice success">${state.myVote.submission_id === s.id ? t('datathons.you_voted_here') : t('datathons.you_voted_elsewhere')}</p>`
    : state.votingOpen
      ? state.signedIn
        ? state.member
          ? html`<p class="hint">${t('datathons.error.own_team')}</p>`
          : html`<form method="post" action="/datathons/${d.event_id}/submissions/${s.id}/vote">${csrfField(ctx)}<button type="submit">${t('datathons.vote')}</button></form>`
        : html`<p><a href="/login?next=/datathons/${d.event_id}/submissions/${s.id}">${t('datathons.sign_in_to_vote')}</a></p>`
      : html`<p class="hint">${open ? t('datathons.voting_not_yet') : t('datathons.voting_over')}</p>`
}</section>
${
  state.roles.judge && judgingOpen
    ? html`<section aria-labelledby="score-title"><h2 id="score-title">${t('datathons.your_scores')}</h2>
${
  state.conflict
    ? html`<p class="notice danger" role="alert">${t('datathons.error.conflict', { organization: state.conflict })}</p>`
    : d.criteria.length
      ? html`<form method="post" action="/datathons/${d.event_id}/submissions/${s.id}/score" class="stacked wide" novalidate>${csrfField(ctx)}
${state.errors?.scores ? html`<p class="field-error" id="scores-error">${state.errors.scores}</p>` : ''}
${d.criteria.map(
  (c) => html`<fieldset><legend>${c.name} <span class="hint">(${t('datathons.weight')} ${c.weight})</span></legend>
${selectField({ name: `score_${c.id}`, label: t('datathons.score'), values, errors: state.errors, empty: '', choices: [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: t(`datathons.score_labels.${n}`) })) })}
${textAreaField({ name: `comment_${c.id}`, label: t('datathons.comment'), values, errors: state.errors, rows: 2 })}</fieldset>`,
)}
<button type="submit">${t('datathons.save_scores')}</button></form>`
      : html`<p>${t('datathons.error.no_criteria')}</p>`
}</section>`
    : ''
}`;
}

export function resultsPage(
  ctx: PageContext,
  d: Datathon,
  state: {
    roles: HubRoles;
    now: Date;
    results: RankedSubmission[] | null;
    submissions: Map<number, Submission>;
    votes: { submission_id: number; votes: number }[];
    scoresheet: ScoreRow[] | null;
  },
): SafeHtml {
  const { t } = ctx;
  const title = (id: number) => state.submissions.get(id)?.title ?? `#${id}`;
  const team = (id: number) => state.submissions.get(id)?.team_name ?? '';
  const fmt = (n: number) => n.toFixed(2);
  return html`${hubHead(ctx, d, 'results', state.roles, state.now)}
<h2>${t('datathons.jury_results')}</h2>
${!d.results_published_at && state.results ? html`<p class="notice warning">${t('datathons.preview')}</p>` : ''}
${
  state.results
    ? state.results.length
      ? html`<div class="table-wrap"><table class="responsive"><caption class="visually-hidden">${t('datathons.jury_results')}</caption>
<thead><tr><th scope="col">${t('datathons.rank')}</th><th scope="col">${t('datathons.submission')}</th><th scope="col">${t('datathons.normalised')}</th><th scope="col">${t('datathons.raw')}</th><th scope="col">${t('datathons.judges_count')}</th></tr></thead>
<tbody>${state.results.map(
          (r) => html`<tr><td data-label="${t('datathons.rank')}">${r.rank}</td>
<td data-label="${t('datathons.submission')}"><a href="/datathons/${d.event_id}/submissions/${r.submission_id}">${title(r.submission_id)}</a> <span class="hint">${team(r.submission_id)}</span></td>
<td data-label="${t('datathons.normalised')}">${fmt(r.score)}</td><td data-label="${t('datathons.raw')}">${fmt(r.raw_score)}</td><td data-label="${t('datathons.judges_count')}">${r.judges}</td></tr>`,
        )}</tbody></table></div>`
      : html`<div class="empty-state"><p>${t('datathons.no_submissions')}</p></div>`
    : html`<div class="empty-state"><p>${t('datathons.results_not_yet')}</p></div>`
}
<details open><summary>${t('datathons.method_title')}</summary>
<p>${t('datathons.method_normalise')}</p><p>${t('datathons.method_weights')}</p><p>${t('datathons.method_ties')}</p></details>
<h2>${t('datathons.peoples_choice')}</h2>
<p class="hint">${t('datathons.peoples_choice_apart')}</p>
${
  state.votes.length
    ? html`<ol>${state.votes.map(
        (v) =>
          html`<li><a href="/datathons/${d.event_id}/submissions/${v.submission_id}">${title(v.submission_id)}</a> — ${t('datathons.votes_count', { count: v.votes })}</li>`,
      )}</ol>`
    : html`<div class="empty-state"><p>${t('datathons.no_submissions')}</p></div>`
}
${
  state.scoresheet
    ? html`<h2>${t('datathons.scoresheet')}</h2>
${
  state.scoresheet.length
    ? html`<div class="table-wrap"><table class="responsive"><caption class="visually-hidden">${t('datathons.scoresheet')}</caption>
<thead><tr><th scope="col">${t('datathons.submission')}</th><th scope="col">${t('datathons.judge')}</th><th scope="col">${t('datathons.criterion')}</th><th scope="col">${t('datathons.score')}</th><th scope="col">${t('datathons.comment')}</th></tr></thead>
<tbody>${state.scoresheet.map(
        (
          s,
        ) => html`<tr><td data-label="${t('datathons.submission')}">${title(s.submission_id)}</td><td data-label="${t('datathons.judge')}">${s.judge_name}</td>
<td data-label="${t('datathons.criterion')}">${d.criteria.find((c) => c.id === s.criterion_id)?.name ?? ''}</td><td data-label="${t('datathons.score')}">${s.score}</td><td data-label="${t('datathons.comment')}">${s.comment}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="hint">${t('datathons.no_scores')}</p>`
}`
    : ''
}
<p><a href="/datathons/${d.event_id}/results.csv">${t('datathons.download_csv')}</a></p>`;
}

export function judgingPage(
  ctx: PageContext,
  d: Datathon,
  state: {
    roles: HubRoles;
    now: Date;
    submissions: Submission[];
    scored: Set<number>;
    conflicts: Map<number, string>;
  },
): SafeHtml {
  const { t } = ctx;
  return html`${hubHead(ctx, d, 'judging', state.roles, state.now)}
<h2>${t('datathons.tab_judging')}</h2>
<p>${state.now < d.submission_deadline ? t('datathons.judging_later') : d.results_published_at ? t('datathons.judging_over') : t('datathons.judging_now')}</p>
${
  state.submissions.length
    ? html`<ul>${state.submissions.map(
        (s) =>
          html`<li><a href="/datathons/${d.event_id}/submissions/${s.id}#score-title">${s.title}</a> <span class="hint">${s.team_name}</span> ${
            state.conflicts.has(s.id)
              ? html`<span class="badge danger">${t('datathons.conflict_badge')}</span>`
              : state.scored.has(s.id)
                ? html`<span class="badge success">${t('datathons.scored')}</span>`
                : html`<span class="badge">${t('datathons.to_score')}</span>`
          }</li>`,
      )}</ul>`
    : html`<div class="empty-state"><p>${t('datathons.no_submissions')}</p></div>`
}`;
}

export function managePage(
  ctx: PageContext,
  d: Datathon | undefined,
  event: { id: number; title: string; time_zone: string },
  state: {
    roles: HubRoles;
    now: Date;
    judges: { user_id: number; display_name: string; email: string }[];
    conflicts: { submission_title: string; judge_name: string; organization: string; recorded_at: Date }[];
    invalidations: { ip_block: string | null; email_domain: string | null; reason: string; invalidated: number }[];
  } & Flash,
): SafeHtml {
  const { t } = ctx;
  const errors = state.errors;
  const local = (at: Date) => toZonedLocal(at, event.time_zone);
  const settings: FieldValues =
    state.values && 'team_min' in state.values
      ? state.values
      : d
        ? {
            team_min: d.team_min,
            team_max: d.team_max,
            submission_deadline: local(d.submission_deadline),
            voting_closes_at: local(d.voting_closes_at),
          }
        : { team_min: 2, team_max: 5 };
  const values = state.values ?? {};
  const settingsForm = html`<h2>${t('datathons.settings')}</h2>
<form method="post" action="/datathons/${event.id}/settings" class="stacked" novalidate>${csrfField(ctx)}
${textField({ name: 'team_min', label: t('datathons.team_min'), values: settings, errors, type: 'number', extra: html` min="1" max="20" required` })}
${textField({ name: 'team_max', label: t('datathons.team_max'), values: settings, errors, type: 'number', extra: html` min="1" max="20" required` })}
${textField({ name: 'submission_deadline', label: t('datathons.deadline'), values: settings, errors, type: 'datetime-local', extra: html` required` })}
${textField({ name: 'voting_closes_at', label: t('datathons.voting_closes'), values: settings, errors, type: 'datetime-local', extra: html` required` })}
<p class="hint">${t('datathons.zone_hint', { zone: event.time_zone })}</p>
<button type="submit">${t('datathons.save')}</button></form>`;
  if (!d)
    return html`<p><a href="/events/${event.id}">← ${event.title}</a></p><h1>${event.title}</h1>${flash(ctx, state)}${settingsForm}`;
  return html`${hubHead(ctx, d, 'manage', state.roles, state.now)}
${flash(ctx, state)}
${settingsForm}
<h2>${t('datathons.jury')}</h2>
${
  state.judges.length
    ? html`<ul>${state.judges.map(
        (j) => html`<li>${j.display_name} <span class="hint">${j.email}</span>
<form method="post" action="/datathons/${d.event_id}/judges/${j.user_id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('datathons.remove')}</button></form></li>`,
      )}</ul>`
    : html`<p class="hint">${t('datathons.no_judges')}</p>`
}
<form method="post" action="/datathons/${d.event_id}/judges" class="stacked" novalidate>${csrfField(ctx)}
${textField({ name: 'judge_email', label: t('datathons.judge_email'), values, errors, type: 'email', extra: html` autocomplete="off"` })}
<button type="submit">${t('datathons.add_judge')}</button></form>
<h2>${t('datathons.criteria')}</h2>
<p class="hint">${t('datathons.criteria_hint', { max: MAX_CRITERIA })}</p>
${
  d.criteria.length
    ? html`<ul>${d.criteria.map(
        (c) => html`<li>${c.name} <span class="hint">(${t('datathons.weight')} ${c.weight})</span>
<form method="post" action="/datathons/${d.event_id}/criteria/${c.id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('datathons.remove')}</button></form></li>`,
      )}</ul>`
    : ''
}
${
  d.criteria.length < MAX_CRITERIA
    ? html`<form method="post" action="/datathons/${d.event_id}/criteria" class="stacked" novalidate>${csrfField(ctx)}
${textField({ name: 'criterion_name', label: t('datathons.criterion'), values, errors, extra: html` maxlength="100" required` })}
${textField({ name: 'criterion_weight', label: t('datathons.weight_label'), values, errors, type: 'number', extra: html` min="1" max="10" required` })}
<button type="submit">${t('datathons.add_criterion')}</button></form>`
    : ''
}
<h2>${t('datathons.conflicts')}</h2>
${
  state.conflicts.length
    ? html`<ul>${state.conflicts.map((c) => html`<li>${c.judge_name} — ${c.submission_title} (${c.organization})</li>`)}</ul>`
    : html`<p class="hint">${t('datathons.no_conflicts')}</p>`
}
<h2>${t('datathons.publish_results')}</h2>
${
  d.results_published_at
    ? html`<p>${t('datathons.published_at', { at: formatInZone(ctx.locale, d.results_published_at, d.time_zone) })}</p>`
    : html`<p class="hint">${t('datathons.publish_hint')}</p><p><a href="/datathons/${d.event_id}/results">${t('datathons.preview_link')}</a></p>
<form method="post" action="/datathons/${d.event_id}/publish">${csrfField(ctx)}${errors?.publish ? html`<p class="field-error" id="publish-error">${errors.publish}</p>` : ''}<button type="submit">${t('datathons.publish_results')}</button></form>`
}
<h2>${t('datathons.invalidate_votes')}</h2>
<p class="hint">${t('datathons.invalidate_hint')}</p>
<form method="post" action="/datathons/${d.event_id}/invalidate" class="stacked" novalidate>${csrfField(ctx)}
${textField({ name: 'ip_block', label: t('datathons.ip_block'), values, errors })}
${textField({ name: 'email_domain', label: t('datathons.email_domain'), values, errors })}
${textField({ name: 'from', label: t('datathons.from'), values, errors, type: 'datetime-local' })}
${textField({ name: 'to', label: t('datathons.to'), values, errors, type: 'datetime-local' })}
${textAreaField({ name: 'reason', label: t('datathons.reason'), values, errors, rows: 2 })}
<button type="submit">${t('datathons.invalidate')}</button></form>
${
  state.invalidations.length
    ? html`<ul>${state.invalidations.map(
        (i) =>
          html`<li>${[i.ip_block, i.email_domain].filter(Boolean).join(' · ') || '—'}: ${i.reason} — ${t('datathons.invalidated_count', { count: i.invalidated })}</li>`,
      )}</ul>`
    : ''
}`;
}
