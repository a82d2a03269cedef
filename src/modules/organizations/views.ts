// Admin pages for organisations.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textField } from '../../platform/html/fields.ts';
import { localName, type City } from '../cities/service.ts';
import { ORGANIZATION_KINDS, type Organization } from './service.ts';
import { adminTabs } from '../admin/views.ts';

export function adminOrganizationListPage(
  ctx: PageContext,
  items: Organization[],
  page: { total: number; limit: number; offset: number },
  notice?: string,
): SafeHtml {
  const { t } = ctx;
  return html`
<h1>${t('admin.organizations')}</h1>
${adminTabs(ctx, 'organizations')}
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p><a class="button" href="/admin/organizations/new">${t('admin.new_organization')}</a></p>
<div class="table-wrap"><table>
  <thead><tr><th scope="col">${t('admin.name')}</th><th scope="col">${t('admin.kind')}</th><th scope="col">${t('admin.city')}</th><th scope="col">${t('admin.actions')}</th></tr></thead>
  <tbody>${items.map(
    (o) => html`<tr><td>${localName(o, ctx.locale)}</td><td>${t(`organizations.kind.${o.kind}`)}</td>
    <td>${o.city_slug ? html`<a href="/cities/${o.city_slug}">${o.city_slug}</a>` : '—'}</td>
    <td><a href="/admin/organizations/${o.slug}/edit">${t('admin.edit')}<span class="visually-hidden"> ${localName(o, ctx.locale)}</span></a></td></tr>`,
  )}</tbody>
</table></div>
${pagination(ctx, '/admin/organizations', {}, page)}`;
}

export function organizationFormPage(
  ctx: PageContext,
  cities: City[],
  councils: Organization[],
  values: Record<string, unknown>,
  errors: Record<string, string> | undefined,
  existingSlug: string | null,
): SafeHtml {
  const { t } = ctx;
  const input = (name: string, label: string, type = 'text') => textField({ name, label, type, values, errors });
  const action = existingSlug ? `/admin/organizations/${existingSlug}/edit` : '/admin/organizations/new';
  return html`
<p><a href="/admin/organizations">← ${t('admin.organizations')}</a></p>
<h1>${existingSlug ? t('admin.edit_organization') : t('admin.new_organization')}</h1>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${action}" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${input('slug', t('admin.slug'))}
  <p class="hint">${t('admin.slug_hint')}</p>
  ${selectField({
    name: 'kind',
    label: t('admin.kind'),
    values,
    errors,
    choices: ORGANIZATION_KINDS.map((k) => ({ value: k, label: t(`organizations.kind.${k}`) })),
  })}
  ${input('name_uk', t('admin.name_uk'))}
  ${input('name_en', t('admin.name_en'))}
  ${input('name_bg', t('admin.name_bg'))}
  ${selectField({
    name: 'city_slug',
    label: t('admin.city'),
    values,
    errors,
    empty: '—',
    choices: cities.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) })),
  })}
  ${input('website', t('cities.website'), 'url')}
  ${input('edrpou', t('cities.edrpou'))}
  ${selectField({
    name: 'parent_slug',
    label: t('organizations.parent'),
    values,
    errors,
    empty: '—',
    choices: councils
      .filter((c) => c.slug !== existingSlug)
      .map((c) => ({ value: c.slug, label: localName(c, ctx.locale) })),
  })}
  <p class="hint">${t('organizations.parent_hint')}</p>
  <button type="submit">${t('admin.save')}</button>
</form>
${
  existingSlug
    ? html`<form method="post" action="/admin/organizations/${existingSlug}/delete" class="stacked">
  ${csrfField(ctx)}
  <h2>${t('admin.danger_zone')}</h2>
  <button type="submit" class="danger">${t('admin.delete')}</button>
</form>`
    : ''
}`;
}
