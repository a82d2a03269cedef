// How a city's logo and accent colour appear: the header of its pages, the stylesheet that
// carries the colour (the site's CSP allows no inline styles), and the editors' form.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, type PageContext } from '../../platform/html/layout.ts';
import type { FieldErrors } from '../../platform/html/fields.ts';
import { describedBy, fieldError } from '../../platform/html/layout.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { localName, type City } from './service.ts';
import { MAX_LOGO_BYTES, MIN_CONTRAST } from './brand.ts';

export interface CityBrand {
  slug: string;
  names: { name_uk: string; name_en: string; name_bg: string };
  /** The logo's address on this site (versioned by its hash), or null. */
  logo: string | null;
  accent: string | null;
}

type BrandColumns = Pick<
  City,
  'slug' | 'name_uk' | 'name_en' | 'name_bg' | 'logo_sha256' | 'logo_key' | 'accent_color'
>;

export function cityBrandOf(city: BrandColumns): CityBrand {
  return {
    slug: city.slug,
    names: city,
    logo: city.logo_key && city.logo_sha256 ? `/cities/${city.slug}/logo?v=${city.logo_sha256.slice(0, 12)}` : null,
    accent: city.accent_color,
  };
}

/** A city's brand by id, for other modules' pages; null when the city is unknown. */
export async function cityBrandById(db: Queryable, cityId: number): Promise<CityBrand | null> {
  const row = await db.one<BrandColumns>(
    'SELECT slug, name_uk, name_en, name_bg, logo_key, logo_sha256, accent_color FROM cities WHERE id = $1',
    [cityId],
  );
  return row ? cityBrandOf(row) : null;
}

/** The stylesheet giving the page the city's accent colour, when it has one. */
export function brandStyles(brand: CityBrand | null): string[] {
  return brand?.accent ? [`/cities/${brand.slug}/brand.css?v=${brand.accent.slice(1)}`] : [];
}

/** The page's heading with the city's logo beside it, in the city's accent colour. */
export function brandHeading(ctx: PageContext, brand: CityBrand, title: string | SafeHtml): SafeHtml {
  const name = localName(brand.names, ctx.locale);
  return html`<header class="city-brand${brand.accent ? ' city-brand-accent' : ''}">
  ${brand.logo ? html`<img class="city-brand-logo" src="${brand.logo}" alt="${ctx.t('cities.brand.logo_alt', { city: name })}" height="72">` : ''}
  <h1>${title}</h1>
</header>`;
}

export function brandFormPage(
  ctx: PageContext,
  city: City,
  values: { accent: string },
  errors: FieldErrors,
  notice?: string,
): SafeHtml {
  const { t } = ctx;
  const brand = cityBrandOf(city);
  const name = localName(city, ctx.locale);
  return html`<p><a href="/cities/${city.slug}">← ${name}</a></p>
${brandHeading(ctx, brand, t('cities.brand.title', { city: name }))}
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p>${t('cities.brand.intro')}</p>
<form method="post" action="/cities/${city.slug}/brand" enctype="multipart/form-data">
  ${csrfField(ctx)}
  <div><label for="accent">${t('cities.brand.accent')}</label>
  <p class="hint">${t('cities.brand.accent_hint', { min: MIN_CONTRAST })}</p>
  <input type="text" id="accent" name="accent" value="${values.accent}" placeholder="#0b4f8a" maxlength="7" autocomplete="off"${describedBy(errors, 'accent')}>
  ${fieldError(errors, 'accent')}</div>
  <div><label for="file">${t('cities.brand.logo')}</label>
  <p class="hint">${t('cities.brand.logo_hint', { kb: MAX_LOGO_BYTES / 1024 })}</p>
  <input type="file" id="file" name="file" accept="image/png,image/svg+xml,.png,.svg"${describedBy(errors, 'file')}>
  ${fieldError(errors, 'file')}</div>
  ${brand.logo ? html`<p><label><input type="checkbox" name="remove_logo" value="1"> ${t('cities.brand.remove_logo')}</label></p>` : ''}
  <p><button type="submit" class="button">${t('cities.brand.save')}</button></p>
</form>`;
}
