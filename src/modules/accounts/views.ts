// Pages of the accounts module: register, log in, confirm, forgotten password, the account page.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, fieldError, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textField } from '../../platform/html/fields.ts';
import { formatDateTime } from '../../platform/i18n/locales.ts';
import type { ApiToken } from '../../platform/auth.ts';
import { PASSWORD_MIN } from './service.ts';

type Errors = Record<string, string> | undefined;
type Values = Record<string, unknown>;

function field(name: string, label: string, type: string, values: Values, errors: Errors, extra: SafeHtml = html``) {
  return textField({ name, label, type, values, errors, extra });
}

function errorSummary(ctx: PageContext, errors: Errors) {
  return errors ? html`<p class="notice error" role="alert">${errors._form ?? ctx.t('validation.fix_errors')}</p>` : '';
}

export function registerPage(
  ctx: PageContext,
  values: Values,
  errors: Errors,
  cities: { value: string; label: string }[],
): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('accounts.register_title')}</h1>
${errorSummary(ctx, errors)}
<form method="post" action="/register" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${field('display_name', t('accounts.display_name'), 'text', values, errors, html` autocomplete="name" required maxlength="100"`)}
  ${field('email', t('accounts.email'), 'email', values, errors, html` autocomplete="email" required`)}
  ${field('password', t('accounts.password'), 'password', values, errors, html` autocomplete="new-password" required minlength="${PASSWORD_MIN}"`)}
  <p class="hint">${t('accounts.password_hint', { min: PASSWORD_MIN })}</p>
  ${field('password_confirm', t('accounts.password_confirm'), 'password', values, errors, html` autocomplete="new-password" required`)}
  ${selectField({ name: 'home_city', label: t('accounts.home_city'), values, errors, choices: cities, empty: t('accounts.home_city_none') })}
  <p class="hint">${t('accounts.home_city_hint')}</p>
  <span class="checkbox"><input type="checkbox" id="privacy_consent" name="privacy_consent" value="yes"${values.privacy_consent === 'yes' ? html` checked` : ''}${
    errors?.privacy_consent ? html` aria-invalid="true" aria-describedby="privacy_consent-error"` : ''
  } required>
  <label for="privacy_consent">${t('accounts.privacy_consent')} <a href="/privacy">${t('accounts.privacy_notice')}</a></label></span>
  ${fieldError(errors, 'privacy_consent')}
  <button type="submit">${t('accounts.register_button')}</button>
</form>
<p>${t('accounts.have_account')} <a href="/login">${t('nav.login')}</a></p>`;
}

export function loginPage(ctx: PageContext, values: Values, errors: Errors, notice?: string): SafeHtml {
  const { t } = ctx;
  const next = String(values.next ?? '');
  return html`<h1>${t('accounts.login_title')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
${errorSummary(ctx, errors)}
<form method="post" action="/login" class="stacked" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="next" value="${next}">
  ${field('email', t('accounts.email'), 'email', values, errors, html` autocomplete="username" required`)}
  ${field('password', t('accounts.password'), 'password', values, errors, html` autocomplete="current-password" required`)}
  <button type="submit">${t('accounts.login_button')}</button>
</form>
<p><a href="/forgot">${t('accounts.forgot_link')}</a> · <a href="/register">${t('nav.register')}</a></p>`;
}

export function confirmPage(ctx: PageContext, token: string, valid: boolean | null): SafeHtml {
  const { t } = ctx;
  if (valid === true)
    return html`<h1>${t('accounts.confirm_title')}</h1><p class="notice success" role="status">${t('accounts.confirmed')}</p><p><a href="/account">${t('accounts.account_title')}</a></p>`;
  if (valid === false)
    return html`<h1>${t('accounts.confirm_title')}</h1><p class="notice error" role="alert">${t('accounts.link_invalid')}</p>`;
  return html`<h1>${t('accounts.confirm_title')}</h1>
<p>${t('accounts.confirm_intro')}</p>
<form method="post" action="/confirm" class="stacked">
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${token}">
  <button type="submit">${t('accounts.confirm_button')}</button>
</form>`;
}

export function forgotPage(ctx: PageContext, values: Values, errors: Errors, sent: boolean): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('accounts.forgot_title')}</h1>
${sent ? html`<p class="notice success" role="status">${t('accounts.reset_sent')}</p>` : ''}
${errorSummary(ctx, errors)}
<p>${t('accounts.forgot_intro')}</p>
<form method="post" action="/forgot" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${field('email', t('accounts.email'), 'email', values, errors, html` autocomplete="email" required`)}
  <button type="submit">${t('accounts.send_link')}</button>
</form>`;
}

export function resetPage(ctx: PageContext, token: string, errors: Errors, valid: boolean): SafeHtml {
  const { t } = ctx;
  if (!valid)
    return html`<h1>${t('accounts.reset_title')}</h1><p class="notice error" role="alert">${t('accounts.link_invalid')}</p><p><a href="/forgot">${t('accounts.forgot_link')}</a></p>`;
  return html`<h1>${t('accounts.reset_title')}</h1>
${errorSummary(ctx, errors)}
<form method="post" action="/reset" class="stacked" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${token}">
  ${field('password', t('accounts.new_password'), 'password', {}, errors, html` autocomplete="new-password" required minlength="${PASSWORD_MIN}"`)}
  <p class="hint">${t('accounts.password_hint', { min: PASSWORD_MIN })}</p>
  ${field('password_confirm', t('accounts.password_confirm'), 'password', {}, errors, html` autocomplete="new-password" required`)}
  <button type="submit">${t('accounts.reset_button')}</button>
</form>`;
}

export function accountPage(
  ctx: PageContext,
  tokens: ApiToken[],
  options: {
    newToken?: string;
    notice?: string;
    errors?: Errors;
    passwordErrors?: Errors;
    revokeAllErrors?: Errors;
    roles: string[];
  },
): SafeHtml {
  const { t, user } = ctx;
  if (!user) return html``;
  return html`<h1>${t('accounts.account_title')}</h1>
${options.notice ? html`<p class="notice success" role="status">${options.notice}</p>` : ''}
<dl class="facts">
  <dt>${t('accounts.display_name')}</dt><dd>${user.displayName}</dd>
  <dt>${t('accounts.email')}</dt><dd>${user.email} ${user.emailConfirmed ? html`<span class="badge">${t('accounts.email_confirmed')}</span>` : html`<span class="badge">${t('accounts.email_unconfirmed')}</span>`}</dd>
  <dt>${t('accounts.roles')}</dt><dd>${options.roles.join(', ')}</dd>
</dl>
${user.emailConfirmed ? '' : html`<form method="post" action="/account/resend-confirmation" class="inline-form">${csrfField(ctx)}<button type="submit">${t('accounts.resend')}</button></form>`}
<h2 id="tokens">${t('accounts.tokens_title')}</h2>
<p>${t('accounts.tokens_intro')}</p>
${options.newToken ? html`<div class="notice success" role="status"><p>${t('accounts.token_created')}</p><p class="token" id="new-token">${options.newToken}</p></div>` : ''}
${
  tokens.length === 0
    ? html`<div class="empty-state"><p>${t('accounts.no_tokens')}</p></div>`
    : html`<div class="table-wrap"><table>
  <thead><tr><th scope="col">${t('accounts.token_name')}</th><th scope="col">${t('accounts.token_prefix')}</th><th scope="col">${t('accounts.created')}</th><th scope="col">${t('accounts.last_used')}</th><th scope="col">${t('admin.actions')}</th></tr></thead>
  <tbody>${tokens.map(
    (token) => html`<tr><td>${token.name}</td><td><code>${token.prefix}…</code></td>
    <td>${formatDateTime(ctx.locale, token.created_at)}</td><td>${token.last_used_at ? formatDateTime(ctx.locale, token.last_used_at) : '—'}</td>
    <td><form method="post" action="/account/tokens/${token.id}/revoke" class="inline-form">${csrfField(ctx)}<button type="submit" class="danger">${t('accounts.revoke')}<span class="visually-hidden"> ${token.name}</span></button></form></td></tr>`,
  )}</tbody>
</table></div>`
}
<form method="post" action="/account/tokens" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${field('name', t('accounts.token_name'), 'text', {}, options.errors, html` required maxlength="100"`)}
  <button type="submit">${t('accounts.create_token')}</button>
</form>
${
  tokens.length === 0
    ? ''
    : html`<h3 id="revoke-all">${t('accounts.revoke_all_title')}</h3>
${options.revokeAllErrors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/account/tokens/revoke-all" class="stacked" novalidate>
  ${csrfField(ctx)}
  <p id="revoke-all-warning">${t('accounts.revoke_all_warning')}</p>
  <div class="checkbox"><input type="checkbox" id="revoke-all-confirm" name="confirm" value="on" required aria-describedby="revoke-all-warning${options.revokeAllErrors?.confirm ? ' confirm-error' : ''}"${options.revokeAllErrors?.confirm ? html` aria-invalid="true"` : ''}><label for="revoke-all-confirm">${t('accounts.revoke_all_confirm')}</label></div>
  ${fieldError(options.revokeAllErrors, 'confirm')}
  <button type="submit" class="danger">${t('accounts.revoke_all_button')}</button>
</form>`
}
<h2 id="password">${t('accounts.change_password')}</h2>
${options.passwordErrors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/account/password" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${field('current_password', t('accounts.current_password'), 'password', {}, options.passwordErrors, html` autocomplete="current-password" required`)}
  ${field('password', t('accounts.new_password'), 'password', {}, options.passwordErrors, html` autocomplete="new-password" required minlength="${PASSWORD_MIN}"`)}
  <p class="hint">${t('accounts.password_hint', { min: PASSWORD_MIN })}</p>
  ${field('password_confirm', t('accounts.password_confirm'), 'password', {}, options.passwordErrors, html` autocomplete="new-password" required`)}
  <p class="hint">${t('accounts.password_change_ends')}</p>
  <button type="submit">${t('accounts.reset_button')}</button>
</form>
<h2>${t('accounts.api_example')}</h2>
<pre><code>curl -H "Authorization: Bearer hmd_…" ${'/api/v1/me'}</code></pre>`;
}

/** The privacy notice registration asks consent to: what is kept, why, who sees it, the person's rights. */
export function privacyPage(ctx: PageContext, version: string): SafeHtml {
  const { t } = ctx;
  const part = (key: string) => html`<h2>${t(`privacy.${key}_title`)}</h2><p>${t(`privacy.${key}`)}</p>`;
  return html`<h1>${t('privacy.title')}</h1>
<p class="lead">${t('privacy.intro')}</p>
${['what', 'why', 'who', 'how_long', 'rights'].map(part)}
<p class="hint">${t('privacy.version', { version })}</p>`;
}
