// Admin pages for organisations.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, describedBy, fieldError, pagination, type PageContext } from '../../platform/html/layout.ts';
import { localName, type City } from '../cities/service.ts';
import { ORGANIZATION_KINDS, type Organization } from './service.ts';

export function adminOrganizationListPage(ctx: PageContext, items: Organization[], page: { total: number; limit: number; offset: number }, notice?: string): SafeHtml {
  const { t } = ctx;
  return html`
<p><a href="/admin">← ${t('admin.title')}</a></p>
<h1>${t('admin.organizations')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p><a class="button" href="/admin/organizations/new">${t('admin.new_organization')}</a></p>
<div class="table-wrap"><table>
  <thead><tr><th scope="col">${t('admin.name')}</th><th scope="col">${t('admin.kind')}</th><th scope="col">${t('admin.city')}</th><th scope="col">${t('admin.actions')}</th></tr></thead>
  <tbody>${items.map((o) => html`<tr><td>${localName(o, ctx.locale)}</td><td>${t(`organizations.kind.${o.kind}`)}</td>
    <td>${o.city_slug ? html`<a href="/cities/${o.city_slug}">${o.city_slug}</a>` : '—'}</td>
    <td><a href="/admin/organizations/${o.slug}/edit">${t('admin.edit')}<span class="visually-hidden"> ${localName(o, ctx.locale)}</span></a></td></tr>`)}</tbody>
</table></div>
${pagination(ctx, '/admin/organizations', {}, page)}`;
}

export function organizationFormPage(
  ctx: PageContext,
  cities: City[],
  values: Record<string, unknown>,
  errors: Record<string, string> | undefined,
  existingSlug: string | null,
): SafeHtml {
  const { t } = ctx;
  const value = (field: string) => (values[field] === null || values[field] === undefined ? '' : String(values[field]));
  const input = (field: string, label: string, type = 'text') => html`
  <label for="${field}">${label}</label>
  <input type="${type}" id="${field}" name="${field}" value="${value(field)}"${describedBy(errors, field)}>
  ${fieldError(errors, field)}`;
  const action = existingSlug ? `/admin/organizations/${existingSlug}/edit` : '/admin/organizations/new';
  return html`
<p><a href="/admin/organizations">← ${t('admin.organizations')}</a></p>
<h1>${existingSlug ? t('admin.edit_organization') : t('admin.new_organization')}</h1>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${action}" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${input('slug', t('admin.slug'))}
  <p class="hint">${t('admin.slug_hint')}</p>
  <label for="kind">${t('admin.kind')}</label>
  <select id="kind" name="kind"${describedBy(errors, 'kind')}>
    ${ORGANIZATION_KINDS.map((k) => html`<option value="${k}"${k === value('kind') ? html` selected` : ''}>${t(`organizations.kind.${k}`)}</option>`)}
  </select>
  ${fieldError(errors, 'kind')}
  ${input('name_uk', t('admin.name_uk'))}
  ${input('name_en', t('admin.name_en'))}
  ${input('name_bg', t('admin.name_bg'))}
  <label for="city_slug">${t('admin.city')}</label>
  <select id="city_slug" name="city_slug"${describedBy(errors, 'city_slug')}>
    <option value="">—</option>
    ${cities.map((c) => html`<option value="${c.slug}"${c.slug === value('city_slug') ? html` selected` : ''}>${localName(c, ctx.locale)}</option>`)}
  </select>
  ${fieldError(errors, 'city_slug')}
  ${input('website', t('cities.website'), 'url')}
  ${input('edrpou', t('cities.edrpou'))}
  <button type="submit">${t('admin.save')}</button>
</form>
${existingSlug ? html`<form method="post" action="/admin/organizations/${existingSlug}/delete" class="stacked">
  ${csrfField(ctx)}
  <h2>${t('admin.danger_zone')}</h2>
  <button type="submit" class="danger">${t('admin.delete')}</button>
</form>` : ''}`;
}
