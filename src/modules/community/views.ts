// Pages of community events: the list across the network or one city's, an event's page with
// registration, the organisers' form and their page for the list of registrants, attendance,
// messages, materials and the report; the parts for the home page and a city's profile.
import { html, paragraphs, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatNumber, type Locale } from '../../platform/i18n/locales.ts';
import { localName } from '../cities/service.ts';
import {
  AUDIENCES,
  EVENT_KINDS,
  MATERIAL_KINDS,
  registrationWindow,
  type CommunityEvent,
  type EventSession,
  type Material,
  type Photo,
  type Registration,
  type RegistrantRow,
} from './service.ts';
import { formatInZone, formatSpan, TIME_ZONES, zoneLabel } from './time.ts';

export interface CityChoice {
  slug: string;
  name_uk: string;
  name_en: string;
  name_bg: string;
  latitude: number | null;
  longitude: number | null;
}
export interface OrganizationChoice {
  id: number;
  name_uk: string;
  name_en: string;
  name_bg: string;
}

function orgName(ctx: PageContext, o: { name_uk: string; name_en: string; name_bg: string }): string {
  return localName(o, ctx.locale);
}

/** Where the event is: the city (and venue), or online. */
export function eventPlace(ctx: PageContext, e: CommunityEvent): string {
  const city = e.city_slug
    ? localName({ name_uk: e.city_name_uk!, name_en: e.city_name_en!, name_bg: e.city_name_bg! }, ctx.locale)
    : null;
  return [city, e.online ? ctx.t('community.online') : null].filter(Boolean).join(' · ');
}

export function kindBadge(ctx: PageContext, e: Pick<CommunityEvent, 'kind'>): SafeHtml {
  return html`<span class="badge info">${ctx.t(`community.kinds.${e.kind}`)}</span>`;
}

function whenText(ctx: PageContext, e: CommunityEvent): SafeHtml {
  return html`<time datetime="${e.starts_at.toISOString()}">${formatSpan(ctx.locale, e.starts_at, e.ends_at, e.time_zone)}</time> <span class="hint">(${zoneLabel(ctx.locale, e.starts_at, e.time_zone)})</span>`;
}

function seatsText(ctx: PageContext, e: CommunityEvent): string {
  return e.capacity === null
    ? ctx.t('community.seats_unlimited', { count: e.confirmed_count })
    : ctx.t('community.seats', { taken: e.confirmed_count, capacity: e.capacity });
}

function eventItem(ctx: PageContext, e: CommunityEvent, now: Date): SafeHtml {
  return html`<li>
  <h2><a href="/events/${e.id}">${e.title}</a></h2>
  <p>${kindBadge(ctx, e)} ${e.cancelled_at ? html`<span class="badge danger">${ctx.t('community.cancelled')}</span>` : ''} ${whenText(ctx, e)}</p>
  <p class="hint">${eventPlace(ctx, e)} · ${e.organizers.map((o) => orgName(ctx, o)).join(', ')}${e.ends_at > now ? html` · ${seatsText(ctx, e)}` : ''}</p>
</li>`;
}

export interface ListQuery {
  kind?: string;
  city?: string;
  organization?: string;
  when: 'upcoming' | 'past';
  limit: number;
  offset: number;
}

export function eventListPage(
  ctx: PageContext,
  result: { items: CommunityEvent[]; total: number },
  query: ListQuery,
  cities: CityChoice[],
  canCreate: boolean,
  now: Date,
): SafeHtml {
  const { t } = ctx;
  const city = cities.find((c) => c.slug === query.city);
  const feed = city
    ? `/events/calendar/cities/${city.slug}.ics`
    : query.organization
      ? `/events/calendar/organizations/${query.organization}.ics`
      : null;
  const tab = (when: 'upcoming' | 'past') => {
    const params = new URLSearchParams();
    if (query.kind) params.set('kind', query.kind);
    if (query.city) params.set('city', query.city);
    if (query.organization) params.set('organization', query.organization);
    if (when === 'past') params.set('when', 'past');
    const qs = params.toString();
    return html`<li><a href="/events${qs ? `?${qs}` : ''}"${query.when === when ? html` aria-current="page"` : ''}>${t(`community.when.${when}`)}</a></li>`;
  };
  return html`
<h1>${city ? t('community.city_events_title', { city: localName(city, ctx.locale) }) : t('community.events_title')}</h1>
<p class="lead">${t('community.events_intro')}</p>
<p class="actions">${canCreate ? html`<a class="button" href="/events/new">${t('community.new_event')}</a>` : ''}
  ${feed ? html`<a href="${feed}">${t(city ? 'community.city_feed' : 'community.organizer_feed')}</a>` : ''}</p>
<nav class="tabs" aria-label="${t('community.when_label')}"><ul>${tab('upcoming')}${tab('past')}</ul></nav>
<form method="get" action="/events" class="filters" role="search">
  ${query.when === 'past' ? html`<input type="hidden" name="when" value="past">` : ''}
  ${query.organization ? html`<input type="hidden" name="organization" value="${query.organization}">` : ''}
  <label>${t('community.kind')}<select name="kind"><option value="">${t('community.all_kinds')}</option>${EVENT_KINDS.map(
    (k) => html`<option value="${k}"${k === query.kind ? html` selected` : ''}>${t(`community.kinds.${k}`)}</option>`,
  )}</select></label>
  <label>${t('community.city')}<select name="city"><option value="">${t('community.all_cities')}</option>${cities.map(
    (c) =>
      html`<option value="${c.slug}"${c.slug === query.city ? html` selected` : ''}>${localName(c, ctx.locale)}</option>`,
  )}</select></label>
  <button type="submit">${t('community.apply')}</button>
</form>
<p role="status">${t('community.found', { count: result.total })}</p>
${
  result.items.length
    ? html`<ul class="results">${result.items.map((e) => eventItem(ctx, e, now))}</ul>`
    : html`<div class="empty-state"><p>${t(query.when === 'past' ? 'community.none_past' : 'community.none_upcoming')}</p></div>`
}
${pagination(ctx, '/events', { kind: query.kind, city: query.city, organization: query.organization, when: query.when === 'past' ? 'past' : undefined }, { total: result.total, limit: query.limit, offset: query.offset })}`;
}

export interface EventPageState {
  now: Date;
  registration: Registration | undefined;
  position: number | null;
  canOrganize: boolean;
  sessions: EventSession[];
  materials: Material[];
  photos: Photo[];
  /** What other modules show on the event's page (platform/sections.ts). */
  linked?: SafeHtml;
  notice?: string;
  error?: string;
}

function registrationBlock(ctx: PageContext, e: CommunityEvent, state: EventPageState): SafeHtml {
  const { t } = ctx;
  const window = registrationWindow(e, state.now);
  const r = state.registration && state.registration.status !== 'cancelled' ? state.registration : undefined;
  const status = r
    ? html`<p class="notice ${r.status === 'confirmed' ? 'success' : 'info'}">${
        r.status === 'confirmed'
          ? t('community.you_are_registered')
          : t('community.you_are_waiting', { position: state.position ?? 0 })
      }</p>`
    : '';
  const cancelForm =
    r && state.now < e.starts_at
      ? html`<form method="post" action="/events/${e.id}/cancel-registration" class="inline-form">${csrfField(ctx)}<button type="submit" class="button secondary">${t(r.status === 'confirmed' ? 'community.cancel_registration' : 'community.leave_waiting_list')}</button></form>`
      : '';
  let action: SafeHtml | string = '';
  if (!r && window === 'open') {
    const full = e.capacity !== null && e.confirmed_count >= e.capacity;
    action = ctx.user
      ? html`<form method="post" action="/events/${e.id}/register" class="inline-form">${csrfField(ctx)}<button type="submit" class="button">${t(full ? 'community.join_waiting_list' : 'community.register')}</button></form>`
      : html`<a class="button" href="/login?next=${encodeURIComponent(`/events/${e.id}`)}">${t('community.login_to_register')}</a>`;
  } else if (!r && window === 'not_open')
    action = html`<p>${t('community.registration_opens', { at: formatInZone(ctx.locale, e.registration_opens_at, e.time_zone) })}</p>`;
  else if (!r && window === 'closed') action = html`<p>${t('community.registration_closed')}</p>`;
  return html`<section aria-labelledby="registration-title">
<h2 id="registration-title">${t('community.registration')}</h2>
<p>${seatsText(ctx, e)}${e.waitlisted_count ? ` · ${t('community.waiting_count', { count: e.waitlisted_count })}` : ''}</p>
${window === 'open' ? html`<p class="hint">${t('community.registration_until', { at: formatInZone(ctx.locale, e.registration_closes_at, e.time_zone) })}</p>` : ''}
${status}<p class="actions">${action}${cancelForm}</p>
</section>`;
}

export function eventPage(ctx: PageContext, e: CommunityEvent, state: EventPageState): SafeHtml {
  const { t } = ctx;
  const past = state.now >= e.ends_at;
  return html`
<p><a href="/events${past ? '?when=past' : ''}">← ${t('community.events_title')}</a></p>
${state.notice ? html`<p class="notice success" role="status">${state.notice}</p>` : ''}
${state.error ? html`<p class="notice danger" role="alert">${state.error}</p>` : ''}
<h1>${e.title}</h1>
<p>${kindBadge(ctx, e)} ${e.cancelled_at ? html`<span class="badge danger">${t('community.cancelled')}</span>` : ''}</p>
<dl class="facts">
  <dt>${t('community.when_label')}</dt><dd>${whenText(ctx, e)}</dd>
  <dt>${t('community.where')}</dt><dd>${eventPlace(ctx, e) || '—'}${e.venue ? html`<br>${e.venue}` : ''}${
    e.online && e.online_url && state.registration?.status === 'confirmed'
      ? html`<br><a href="${e.online_url}">${t('community.join_online')}</a>`
      : ''
  }</dd>
  <dt>${t('community.organizers')}</dt><dd>${e.organizers.map((o, i) => html`${i ? ', ' : ''}<a href="/events?organization=${o.slug}">${orgName(ctx, o)}</a>`)}</dd>
</dl>
<p class="actions"><a href="/events/${e.id}/event.ics">${t('community.add_to_calendar')}</a>
  ${state.canOrganize ? html`<a href="/events/${e.id}/manage">${t('community.manage')}</a> <a href="/events/${e.id}/edit">${t('community.edit')}</a>` : ''}</p>
${e.kind === 'datathon' ? html`<p><a class="button" href="/datathons/${e.id}">${t('datathons.hub_link')}</a></p>` : ''}
${e.description ? paragraphs(e.description) : ''}
${state.linked ?? ''}
${
  state.sessions.length
    ? html`<h2>${t('community.programme')}</h2><ol class="phases">${state.sessions.map(
        (s) =>
          html`<li><strong>${s.title}</strong> <span class="hint">${formatSpan(ctx.locale, s.starts_at, s.ends_at, e.time_zone)}</span></li>`,
      )}</ol>`
    : ''
}
${
  e.latitude !== null
    ? html`<h2>${t('community.venue_map')}</h2><div id="rows-map" class="map small" role="region" aria-label="${t('community.venue_map')}" data-geojson="/events/${e.id}/venue.geojson"></div>`
    : ''
}
${past || e.cancelled_at ? '' : registrationBlock(ctx, e, state)}
${past ? afterBlock(ctx, e, state) : ''}`;
}

function materialLine(ctx: PageContext, e: CommunityEvent, m: Material): SafeHtml {
  const href = m.url ?? `/events/${e.id}/materials/${m.id}`;
  return html`<li><span class="badge">${ctx.t(`community.material_kinds.${m.kind}`)}</span> <a href="${href}">${m.title}</a>${
    m.size_bytes
      ? html` <span class="hint">(${formatNumber(ctx.locale, Math.ceil(m.size_bytes / 1024))} KB)</span>`
      : ''
  }</li>`;
}

function afterBlock(ctx: PageContext, e: CommunityEvent, state: EventPageState): SafeHtml {
  const { t } = ctx;
  const nothing = !e.report && !state.materials.length && !state.photos.length;
  return html`<section aria-labelledby="after-title">
<h2 id="after-title">${t('community.after_event')}</h2>
${nothing ? html`<div class="empty-state"><p>${t('community.no_report_yet')}</p></div>` : ''}
${e.report ? html`<h3>${t('community.report')}</h3>${paragraphs(e.report)}` : ''}
${state.photos.length ? html`<ul class="gallery">${state.photos.map((p) => html`<li><figure><img src="/events/${e.id}/photos/${p.id}" alt="${p.caption}" loading="lazy"><figcaption>${p.caption}</figcaption></figure></li>`)}</ul>` : ''}
${state.materials.length ? html`<h3>${t('community.materials')}</h3><ul>${state.materials.map((m) => materialLine(ctx, e, m))}</ul>` : ''}
</section>`;
}

export function eventForm(
  ctx: PageContext,
  options: {
    id: number | null;
    values: FieldValues;
    errors?: Record<string, string>;
    cities: CityChoice[];
    organizations: OrganizationChoice[];
  },
): SafeHtml {
  const { t } = ctx;
  const { values, errors, cities, organizations } = options;
  const chosen = new Set(
    (Array.isArray(values.organizers)
      ? values.organizers
      : typeof values.organizers === 'string'
        ? [values.organizers]
        : []
    ).map(String),
  );
  const city = cities.find((c) => c.slug === values.city);
  const time = (name: string, label: string) =>
    textField({ name, label, values, errors, type: 'datetime-local', extra: html` required` });
  return html`
<p><a href="${options.id ? `/events/${options.id}` : '/events'}">← ${t('community.events_title')}</a></p>
<h1>${t(options.id ? 'community.edit_event' : 'community.new_event')}</h1>
${errors ? html`<p class="notice danger" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${options.id ? `/events/${options.id}/edit` : '/events/new'}" class="stacked wide" novalidate>
  ${csrfField(ctx)}
  ${selectField({ name: 'kind', label: t('community.kind'), values, errors, choices: EVENT_KINDS.map((k) => ({ value: k, label: t(`community.kinds.${k}`) })) })}
  ${textField({ name: 'title', label: t('community.field_title'), values, errors, extra: html` maxlength="200" required` })}
  ${textAreaField({ name: 'description', label: t('community.field_description'), values, errors, rows: 6 })}
  <fieldset class="checkboxes"${errors?.organizers ? html` aria-describedby="organizers-error"` : ''}>
    <legend>${t('community.organizers')}</legend>
    ${organizations.map(
      (o, i) =>
        html`<span class="checkbox"><input type="checkbox" id="organizers-${i}" name="organizers" value="${o.id}"${chosen.has(String(o.id)) ? html` checked` : ''}><label for="organizers-${i}">${orgName(ctx, o)}</label></span>`,
    )}
    ${errors?.organizers ? html`<p class="field-error" id="organizers-error">${errors.organizers}</p>` : ''}
  </fieldset>
  ${selectField({ name: 'city', label: t('community.city'), values, errors, empty: t('community.no_city'), choices: cities.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) })) })}
  <span class="checkbox"><input type="checkbox" id="online" name="online" value="on"${values.online === 'on' || values.online === true ? html` checked` : ''}><label for="online">${t('community.field_online')}</label></span>
  ${textField({ name: 'online_url', label: t('community.field_online_url'), values, errors, type: 'url' })}
  ${textField({ name: 'venue', label: t('community.field_venue'), values, errors, extra: html` maxlength="300"` })}
  <p class="hint">${t('community.place_hint')}</p>
  <div id="point-picker" class="map small" role="region" aria-label="${t('community.venue_map')}" data-lat-input="latitude" data-lon-input="longitude"
    data-center-lat="${city?.latitude ?? ''}" data-center-lon="${city?.longitude ?? ''}"></div>
  ${textField({ name: 'latitude', label: t('community.latitude'), values, errors })}
  ${textField({ name: 'longitude', label: t('community.longitude'), values, errors })}
  ${selectField({ name: 'time_zone', label: t('community.time_zone'), values, errors, choices: TIME_ZONES.map((z) => ({ value: z, label: t(`community.zones.${z.replace('/', '_')}`) })) })}
  ${time('starts_at', t('community.field_starts'))}
  ${time('ends_at', t('community.field_ends'))}
  ${textAreaField({ name: 'sessions', label: t('community.field_sessions'), values, errors, rows: 5, hint: t('community.sessions_hint') })}
  ${textField({ name: 'capacity', label: t('community.field_capacity'), values, errors, type: 'number', extra: html` min="1" max="100000"` })}
  ${time('registration_opens_at', t('community.field_opens'))}
  ${time('registration_closes_at', t('community.field_closes'))}
  <button type="submit">${t('community.save')}</button>
</form>`;
}

export function managePage(
  ctx: PageContext,
  e: CommunityEvent,
  registrants: RegistrantRow[],
  state: {
    now: Date;
    notice?: string;
    errors?: Record<string, string>;
    values?: FieldValues;
    materials: Material[];
    photos: Photo[];
  },
): SafeHtml {
  const { t } = ctx;
  const values = state.values ?? {};
  const errors = state.errors;
  const started = state.now >= e.starts_at;
  const confirmed = registrants.filter((r) => r.status === 'confirmed');
  return html`
<p><a href="/events/${e.id}">← ${e.title}</a></p>
${state.notice ? html`<p class="notice success" role="status">${state.notice}</p>` : ''}
${errors ? html`<p class="notice danger" role="alert">${t('validation.fix_errors')}</p>` : ''}
<h1>${t('community.manage_title', { title: e.title })}</h1>
<p>${seatsText(ctx, e)} · ${t('community.waiting_count', { count: e.waitlisted_count })}</p>
<p class="actions"><a class="button secondary" href="/events/${e.id}/registrations.csv">${t('community.export_csv')}</a>
 <a href="/events/${e.id}/edit">${t('community.edit')}</a></p>
<h2>${t('community.registrants')}</h2>
${
  registrants.length
    ? html`<form method="post" action="/events/${e.id}/attendance">${csrfField(ctx)}
<div class="table-wrap"><table class="responsive">
<caption class="visually-hidden">${t('community.registrants')}</caption>
<thead><tr><th scope="col">${t('community.person')}</th><th scope="col">${t('community.status')}</th><th scope="col">${t('community.registered_at')}</th><th scope="col">${t('community.attended')}</th></tr></thead>
<tbody>${registrants.map(
        (
          r,
        ) => html`<tr><th scope="row" data-label="${t('community.person')}">${r.display_name} <span class="hint">${r.email}</span></th>
<td data-label="${t('community.status')}"><span class="badge">${t(`community.statuses.${r.status}`)}</span></td>
<td data-label="${t('community.registered_at')}">${formatInZone(ctx.locale, r.registered_at, e.time_zone)}</td>
<td data-label="${t('community.attended')}">${
          r.status === 'confirmed'
            ? html`<span class="checkbox"><input type="checkbox" id="attended-${r.id}" name="attended" value="${r.id}"${r.attended ? html` checked` : ''}${started ? '' : html` disabled`}><label for="attended-${r.id}">${t('community.came', { name: r.display_name })}</label></span>`
            : '—'
        }</td></tr>`,
      )}</tbody></table></div>
${started && confirmed.length ? html`<button type="submit">${t('community.save_attendance')}</button>` : html`<p class="hint">${t('community.attendance_after_start')}</p>`}
</form>`
    : html`<div class="empty-state"><p>${t('community.no_registrants')}</p></div>`
}
<h2 id="message">${t('community.message_registrants')}</h2>
<form method="post" action="/events/${e.id}/message" class="stacked wide" novalidate>${csrfField(ctx)}
  ${selectField({ name: 'audience', label: t('community.audience'), values, errors, choices: AUDIENCES.map((a) => ({ value: a, label: t(`community.audiences.${a}`) })) })}
  ${textField({ name: 'subject', label: t('community.subject'), values, errors, extra: html` maxlength="200"` })}
  ${textAreaField({ name: 'message', label: t('community.message'), values, errors, rows: 5 })}
  <button type="submit">${t('community.send')}</button>
</form>
<h2 id="report">${t('community.report')}</h2>
<form method="post" action="/events/${e.id}/report" class="stacked wide" novalidate>${csrfField(ctx)}
  ${textAreaField({ name: 'report', label: t('community.report_text'), values: { report: values.report ?? e.report }, errors, rows: 6 })}
  <button type="submit">${t('community.save_report')}</button>
</form>
<h3>${t('community.add_photo')}</h3>
<form method="post" action="/events/${e.id}/photos" enctype="multipart/form-data" class="stacked wide">${csrfField(ctx)}
  ${textField({ name: 'caption', label: t('community.caption'), values, errors, extra: html` maxlength="300"` })}
  <label for="photo-file">${t('community.photo_file')}</label><input type="file" id="photo-file" name="file" accept="image/png,image/jpeg,image/webp">
  ${errors?.file ? html`<p class="field-error">${errors.file}</p>` : ''}
  <button type="submit">${t('community.upload')}</button>
</form>
${state.photos.length ? html`<p>${t('community.photos_count', { count: state.photos.length })}</p>` : ''}
<h2 id="materials">${t('community.materials')}</h2>
${state.materials.length ? html`<ul>${state.materials.map((m) => materialLine(ctx, e, m))}</ul>` : ''}
<form method="post" action="/events/${e.id}/materials" class="stacked wide" novalidate>${csrfField(ctx)}
  ${selectField({ name: 'material_kind', label: t('community.material_kind'), values, errors, choices: MATERIAL_KINDS.map((k) => ({ value: k, label: t(`community.material_kinds.${k}`) })) })}
  ${textField({ name: 'material_title', label: t('community.material_title'), values, errors, extra: html` maxlength="200"` })}
  ${textField({ name: 'material_url', label: t('community.material_url'), values, errors, type: 'url' })}
  <button type="submit">${t('community.add_material')}</button>
</form>
<h3>${t('community.add_file')}</h3>
<form method="post" action="/events/${e.id}/materials/file" enctype="multipart/form-data" class="stacked wide">${csrfField(ctx)}
  ${textField({ name: 'file_title', label: t('community.material_title'), values, errors, extra: html` maxlength="200"` })}
  <label for="material-file">${t('community.material_file')}</label><input type="file" id="material-file" name="file" accept="application/pdf,image/png,image/jpeg,image/webp">
  <button type="submit">${t('community.upload')}</button>
</form>
${
  e.cancelled_at || started
    ? ''
    : html`<h2>${t('community.cancel_event')}</h2>
<form method="post" action="/events/${e.id}/cancel" class="inline-form">${csrfField(ctx)}<button type="submit" class="button danger">${t('community.cancel_event')}</button></form>`
}`;
}

/** A short list of events as cards, for the home page and a city's profile. */
export function eventCards(ctx: PageContext, events: CommunityEvent[]): SafeHtml {
  return html`<ul class="cards">${events.map(
    (e) => html`<li class="card"><h3><a href="/events/${e.id}">${e.title}</a></h3>
<p>${kindBadge(ctx, e)}</p><p class="hint">${formatSpan(ctx.locale, e.starts_at, e.ends_at, e.time_zone)} · ${eventPlace(ctx, e)}</p></li>`,
  )}</ul>`;
}

export function homeEventsSection(ctx: PageContext, events: CommunityEvent[], total: number): SafeHtml {
  return html`<section class="home-section" id="home-events" aria-labelledby="home-events-title">
<h2 id="home-events-title">${ctx.t('community.home_title')}</h2>
${eventCards(ctx, events)}
<p><a href="/events">${ctx.t('community.all_upcoming', { count: total })}</a></p>
</section>`;
}

export function cityEventsSection(
  ctx: PageContext,
  city: { slug: string },
  upcoming: CommunityEvent[],
  past: CommunityEvent[],
): SafeHtml | null {
  if (!upcoming.length && !past.length) return null;
  const { t } = ctx;
  return html`<section id="city-events" aria-labelledby="city-events-title">
<h2 id="city-events-title">${t('community.city_section_title')}</h2>
${upcoming.length ? html`<h3>${t('community.when.upcoming')}</h3>${eventCards(ctx, upcoming)}` : ''}
${past.length ? html`<h3>${t('community.when.past')}</h3><ul>${past.map((e) => html`<li><a href="/events/${e.id}">${e.title}</a> <span class="hint">${formatInZone(ctx.locale, e.starts_at, e.time_zone)}</span></li>`)}</ul>` : ''}
<p class="actions"><a href="/events?city=${city.slug}">${t('community.city_all_events')}</a> <a href="/events/calendar/cities/${city.slug}.ics">${t('community.city_feed')}</a></p>
</section>`;
}

/** schema.org Event for search engines. */
export function eventJsonLd(e: CommunityEvent, publicUrl: string, locale: Locale, sessions: EventSession[]) {
  const url = `${publicUrl.replace(/\/$/, '')}/events/${e.id}`;
  const place = e.city_slug
    ? {
        '@type': 'Place',
        name:
          e.venue ??
          localName({ name_uk: e.city_name_uk!, name_en: e.city_name_en!, name_bg: e.city_name_bg! }, locale),
        address: {
          '@type': 'PostalAddress',
          addressLocality: localName(
            { name_uk: e.city_name_uk!, name_en: e.city_name_en!, name_bg: e.city_name_bg! },
            locale,
          ),
          addressCountry: e.time_zone === 'Europe/Sofia' ? 'BG' : 'UA',
        },
        ...(e.latitude !== null
          ? { geo: { '@type': 'GeoCoordinates', latitude: e.latitude, longitude: e.longitude } }
          : {}),
      }
    : null;
  // The event's page, never the join link: the page shows that to confirmed registrants only.
  const online = e.online ? { '@type': 'VirtualLocation', url } : null;
  return {
    '@context': 'https://schema.org',
    '@type': 'Event',
    '@id': url,
    url,
    name: e.title,
    description: e.description || undefined,
    startDate: e.starts_at.toISOString(),
    endDate: e.ends_at.toISOString(),
    eventStatus: e.cancelled_at ? 'https://schema.org/EventCancelled' : 'https://schema.org/EventScheduled',
    eventAttendanceMode: e.online
      ? e.city_slug
        ? 'https://schema.org/MixedEventAttendanceMode'
        : 'https://schema.org/OnlineEventAttendanceMode'
      : 'https://schema.org/OfflineEventAttendanceMode',
    location: [place, online].filter(Boolean),
    organizer: e.organizers.map((o) => ({ '@type': 'Organization', name: localName(o, locale) })),
    ...(e.capacity !== null ? { maximumAttendeeCapacity: e.capacity } : {}),
    inLanguage: locale,
    ...(sessions.length
      ? {
          subEvent: sessions.map((s) => ({
            '@type': 'Event',
            name: s.title,
            startDate: s.starts_at.toISOString(),
            endDate: s.ends_at.toISOString(),
          })),
        }
      : {}),
  };
}
