// Admin pages: dashboard, users and their roles, the audit log, the mail outbox.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, describedBy, fieldError, pagination, tabs, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textField } from '../../platform/html/fields.ts';
import { formatDateTime, formatNumber, LOCALES, LOCALE_NAMES } from '../../platform/i18n/locales.ts';
import { ROLES } from '../../platform/auth.ts';
import type { AuditEvent } from '../../platform/audit.ts';
import type { OutboxMessage } from '../../platform/mail.ts';
import type { MembershipRow, UserRow } from '../accounts/service.ts';
import { localName, type Oblast } from '../cities/service.ts';
import type { Organization } from '../organizations/service.ts';

type Page = { total: number; limit: number; offset: number };

/** The admin's sections as tabs above each of their lists (cities and organizations use it too). */
export function adminTabs(
  ctx: PageContext,
  current: 'overview' | 'cities' | 'organizations' | 'users' | 'audit' | 'outbox',
): SafeHtml {
  const { t } = ctx;
  return tabs(t('admin.title'), [
    { href: '/admin', label: t('admin.overview'), current: current === 'overview' },
    { href: '/admin/cities', label: t('admin.cities'), current: current === 'cities' },
    { href: '/admin/organizations', label: t('admin.organizations'), current: current === 'organizations' },
    { href: '/admin/users', label: t('admin.users'), current: current === 'users' },
    { href: '/admin/audit', label: t('admin.audit'), current: current === 'audit' },
    { href: '/admin/outbox', label: t('admin.outbox'), current: current === 'outbox' },
  ]);
}

export function dashboardPage(ctx: PageContext, counts: Record<string, number>): SafeHtml {
  const { t } = ctx;
  const card = (href: string, label: string, count: number | undefined) =>
    html`<li class="card"><h2><a href="${href}">${label}</a></h2>${count === undefined ? '' : html`<span class="stat">${formatNumber(ctx.locale, count)}</span>`}</li>`;
  return html`<h1>${t('admin.title')}</h1>
${adminTabs(ctx, 'overview')}
<ul class="cards">
  ${card('/admin/cities', t('admin.cities'), counts.cities)}
  ${card('/admin/organizations', t('admin.organizations'), counts.organizations)}
  ${card('/admin/users', t('admin.users'), counts.users)}
  ${card('/admin/audit', t('admin.audit'), counts.audit)}
  ${card('/admin/outbox', t('admin.outbox'), counts.outbox)}
  ${card('/styleguide', t('admin.styleguide'), undefined)}
</ul>`;
}

export function userListPage(ctx: PageContext, users: UserRow[], q: string, page: Page): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('admin.users')}</h1>
${adminTabs(ctx, 'users')}
<p><a class="button" href="/admin/users/new">${t('admin.invite_user')}</a></p>
<form method="get" action="/admin/users" class="filters" role="search">
  <label for="q">${t('admin.search_users')}<input type="search" id="q" name="q" value="${q}" maxlength="200"></label>
  <button type="submit">${t('cities.apply')}</button>
</form>
<div class="table-wrap"><table class="responsive">
  <thead><tr><th scope="col">${t('accounts.email')}</th><th scope="col">${t('accounts.display_name')}</th><th scope="col">${t('admin.status')}</th><th scope="col">${t('accounts.created')}</th></tr></thead>
  <tbody>${users.map(
    (
      u,
    ) => html`<tr><th scope="row"><a href="/admin/users/${u.id}">${u.email}</a></th><td data-label="${t('accounts.display_name')}">${u.display_name}</td>
    <td data-label="${t('admin.status')}">${u.disabled_at ? t('admin.disabled') : u.email_confirmed_at ? t('accounts.email_confirmed') : t('accounts.email_unconfirmed')}</td>
    <td data-label="${t('accounts.created')}">${formatDateTime(ctx.locale, u.created_at)}</td></tr>`,
  )}</tbody>
</table></div>
${pagination(ctx, '/admin/users', { q }, page)}`;
}

export function inviteUserPage(
  ctx: PageContext,
  values: Record<string, unknown>,
  errors: Record<string, string> | undefined,
): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/admin/users">← ${t('admin.users')}</a></p>
<h1>${t('admin.invite_user')}</h1>
<p class="lead">${t('admin.invite_intro')}</p>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/admin/users/new" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${textField({ name: 'display_name', label: t('accounts.display_name'), values, errors, extra: html` required maxlength="100"` })}
  ${textField({ name: 'email', label: t('accounts.email'), type: 'email', values, errors, extra: html` required` })}
  ${selectField({ name: 'locale', label: t('admin.language'), values, errors, choices: LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] })) })}
  <button type="submit">${t('admin.send_invitation')}</button>
</form>`;
}

export function userDetailPage(
  ctx: PageContext,
  user: UserRow,
  memberships: MembershipRow[],
  organizations: Organization[],
  oblasts: Oblast[],
  options: { errors?: Record<string, string>; values?: Record<string, unknown>; notice?: string },
): SafeHtml {
  const { t } = ctx;
  const errors = options.errors;
  const values = options.values ?? {};
  return html`<p><a href="/admin/users">← ${t('admin.users')}</a></p>
<h1>${user.email}</h1>
${options.notice ? html`<p class="notice success" role="status">${options.notice}</p>` : ''}
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<h2>${t('admin.account')}</h2>
<form method="post" action="/admin/users/${user.id}" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${textField({ name: 'display_name', label: t('accounts.display_name'), values: { display_name: user.display_name, ...values }, errors })}
  <label for="locale">${t('admin.language')}</label>
  <select id="locale" name="locale">${LOCALES.map((l) => html`<option value="${l}"${l === user.locale ? html` selected` : ''}>${LOCALE_NAMES[l]}</option>`)}</select>
  <p class="checkbox"><input type="checkbox" id="confirmed" name="confirmed"${user.email_confirmed_at ? html` checked` : ''}> <label for="confirmed">${t('accounts.email_confirmed')}</label></p>
  <p class="checkbox"><input type="checkbox" id="disabled" name="disabled"${user.disabled_at ? html` checked` : ''}${describedBy(errors, 'disabled')}> <label for="disabled">${t('admin.disabled')}</label></p>
  ${fieldError(errors, 'disabled')}
  <button type="submit">${t('admin.save')}</button>
</form>
<h2>${t('admin.memberships')}</h2>
${
  memberships.length === 0
    ? html`<p>—</p>`
    : html`<ul>${memberships.map(
        (
          m,
        ) => html`<li>${t(`roles.${m.role}`)}${m.organization_slug ? html` · ${m.organization_slug}` : ''}${m.oblast_slug ? html` · ${m.oblast_slug}` : ''}
  <form method="post" action="/admin/users/${user.id}/memberships/${m.id}/delete" class="inline-form">${csrfField(ctx)}<button type="submit" class="link-button">${t('admin.remove')}<span class="visually-hidden"> ${t(`roles.${m.role}`)}</span></button></form></li>`,
      )}</ul>`
}
<form method="post" action="/admin/users/${user.id}/memberships" class="stacked" novalidate>
  ${csrfField(ctx)}
  <h3>${t('admin.add_role')}</h3>
  ${selectField({ name: 'role', label: t('admin.role'), values, errors, choices: ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) })) })}
  ${selectField({
    name: 'organization',
    label: t('admin.organization'),
    values,
    errors,
    empty: '—',
    choices: organizations.map((o) => ({ value: o.slug, label: localName(o, ctx.locale) })),
  })}
  <p class="hint">${t('admin.organization_hint')}</p>
  ${selectField({
    name: 'oblast',
    label: t('cities.oblast'),
    values,
    errors,
    empty: '—',
    choices: oblasts.map((o) => ({ value: o.slug, label: localName(o, ctx.locale) })),
  })}
  <p class="hint">${t('admin.oblast_hint')}</p>
  <button type="submit">${t('admin.add_role')}</button>
</form>
<p><a href="/admin/audit?entity_type=user&amp;entity_id=${user.id}">${t('admin.history')}</a></p>`;
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The fields an event changed, each with its value before and after (only those that differ). */
export function auditChanges(before: unknown, after: unknown): { field: string; before: string; after: string }[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields
    .filter((field) => JSON.stringify(b[field]) !== JSON.stringify(a[field]))
    .map((field) => ({ field, before: before ? show(b[field]) : '', after: after ? show(a[field]) : '' }));
}

export function auditPage(
  ctx: PageContext,
  events: AuditEvent[],
  filter: { entity_type: string; entity_id: string },
  page: Page,
): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('admin.audit')}</h1>
${adminTabs(ctx, 'audit')}
<form method="get" action="/admin/audit" class="filters">
  <label for="entity_type">${t('admin.entity_type')}
    <select id="entity_type" name="entity_type"><option value="">—</option>
    ${['city', 'organization', 'user', 'api_token'].map((e) => html`<option value="${e}"${e === filter.entity_type ? html` selected` : ''}>${t(`admin.entity.${e}`)}</option>`)}</select></label>
  <label for="entity_id">${t('admin.entity_id')}<input type="text" id="entity_id" name="entity_id" value="${filter.entity_id}" maxlength="40"></label>
  <button type="submit">${t('cities.apply')}</button>
</form>
<div class="table-wrap"><table>
  <thead><tr><th scope="col">${t('admin.when')}</th><th scope="col">${t('admin.who')}</th><th scope="col">${t('admin.action')}</th><th scope="col">${t('admin.record')}</th><th scope="col">${t('admin.changes')}</th></tr></thead>
  <tbody>${events.map(
    (
      e,
    ) => html`<tr><td>${formatDateTime(ctx.locale, e.at)}</td><td>${e.actor_label}${e.ip ? html`<br><span class="hint">${e.ip}</span>` : ''}</td>
    <td><code>${e.action}</code></td><td>${e.entity_type} ${e.entity_id ?? ''}</td>
    <td>${
      auditChanges(e.before, e.after).length === 0
        ? '—'
        : html`<table class="changes">
      <thead><tr><th scope="col">${t('admin.field')}</th><th scope="col">${t('admin.before')}</th><th scope="col">${t('admin.after')}</th></tr></thead>
      <tbody>${auditChanges(e.before, e.after).map((c) => html`<tr><th scope="row"><code>${c.field}</code></th><td><del>${c.before}</del></td><td><ins>${c.after}</ins></td></tr>`)}</tbody>
    </table>`
    }</td></tr>`,
  )}</tbody>
</table></div>
${pagination(ctx, '/admin/audit', filter, page)}`;
}

export function outboxPage(ctx: PageContext, messages: OutboxMessage[], page: Page, smtpConfigured: boolean): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('admin.outbox')}</h1>
${adminTabs(ctx, 'outbox')}
<p class="lead">${smtpConfigured ? t('admin.outbox_smtp') : t('admin.outbox_no_smtp')}</p>
<div class="table-wrap"><table>
  <thead><tr><th scope="col">${t('admin.when')}</th><th scope="col">${t('admin.to')}</th><th scope="col">${t('admin.subject')}</th><th scope="col">${t('admin.status')}</th></tr></thead>
  <tbody>${messages.map(
    (m) => html`<tr><td>${formatDateTime(ctx.locale, m.created_at)}</td><td>${m.to_address}</td>
    <td><a href="/admin/outbox/${m.id}">${m.subject}</a></td>
    <td>${m.sent_at ? t('admin.sent') : m.last_error ? html`${t('admin.failed')}: ${m.last_error}` : t('admin.queued')}</td></tr>`,
  )}</tbody>
</table></div>
${pagination(ctx, '/admin/outbox', {}, page)}`;
}

export function outboxMessagePage(ctx: PageContext, message: OutboxMessage): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/admin/outbox">← ${t('admin.outbox')}</a></p>
<h1>${message.subject}</h1>
<dl class="facts"><dt>${t('admin.to')}</dt><dd>${message.to_address}</dd><dt>${t('admin.when')}</dt><dd>${formatDateTime(ctx.locale, message.created_at)}</dd></dl>
<pre class="mail-body">${message.body_text}</pre>`;
}
