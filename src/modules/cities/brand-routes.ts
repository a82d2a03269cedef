// A city's logo and accent colour: the editors' form, the logo served from this site, and the
// stylesheet with the colour. Who may change them: canBrandCity (policy.ts).
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { FileTooLargeError, type ReceivedUpload, receiveUpload, sendStoredFile } from '../../platform/files.ts';
import { actorOf, csrfBeforeFile } from '../../platform/http/forms.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { uploadRateLimit } from '../../platform/http/rate-limits.ts';
import { slugParam } from '../../platform/http/schemas.ts';
import { BrandError, checkPng, MAX_LOGO_BYTES, parseAccent, sanitizeSvg } from './brand.ts';
import { brandFormPage, brandStyles, cityBrandOf } from './brand-view.ts';
import { canBrandCity } from './policy.ts';
import { getCity, localName, setCityBrand, type City } from './service.ts';

/** What the logo's own response may do if opened directly: draw, with inline styles, and nothing else. */
const LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'";

const params = { type: 'object', properties: { slug: slugParam }, required: ['slug'] } as const;

export async function brandRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;

  async function editableCity(request: FastifyRequest): Promise<City> {
    const city = await getCity(db, (request.params as { slug: string }).slug);
    if (!canBrandCity(request.user, city.id)) throw new ForbiddenError('only the city’s editors may change its logo');
    return city;
  }

  function form(
    request: FastifyRequest,
    reply: FastifyReply,
    city: City,
    accent: string,
    errors?: Record<string, string>,
    notice?: string,
    status = 200,
  ) {
    return reply.page(
      {
        title: request.t('cities.brand.title', { city: localName(city, request.locale) }),
        nav: 'cities',
        styles: brandStyles(cityBrandOf(city)),
        body: brandFormPage(request.pageContext(), city, { accent }, errors, notice),
      },
      status,
    );
  }

  app.get<{ Params: { slug: string }; Querystring: { saved?: string; removed?: string } }>(
    '/cities/:slug/brand',
    {
      preHandler: allow(signedIn),
      schema: {
        params,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { saved: { type: 'string', maxLength: 1 }, removed: { type: 'string', maxLength: 500 } },
        },
      },
    },
    async (request, reply) => {
      const city = await editableCity(request);
      const { saved, removed } = request.query;
      const notice = saved
        ? [request.t('admin.saved'), removed ? request.t('cities.brand.cleaned', { removed }) : ''].join(' ')
        : undefined;
      return form(request, reply, city, city.accent_color ?? '', undefined, notice);
    },
  );

  app.post<{ Params: { slug: string } }>(
    '/cities/:slug/brand',
    {
      preHandler: allow(signedIn),
      schema: { params },
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const city = await editableCity(request);
      const refuse = (field: string, error: BrandError, accent: string, status = 422) =>
        form(request, reply, city, accent, { [field]: request.t(error.key, error.values) }, undefined, status);
      let upload: ReceivedUpload;
      try {
        upload = await receiveUpload(request as never, app.files, MAX_LOGO_BYTES, csrfBeforeFile(app, request, reply));
      } catch (error) {
        if (error instanceof FileTooLargeError)
          return refuse(
            'file',
            new BrandError('cities.brand.error.too_large', { kb: MAX_LOGO_BYTES / 1024 }),
            city.accent_color ?? '',
            413,
          );
        throw error;
      }
      const accentInput = (upload.fields.accent ?? '').slice(0, 100);
      const uploaded = upload.stored?.file.key ?? null;
      let created: string | null = null;
      try {
        const accent = (() => {
          try {
            return parseAccent(accentInput);
          } catch (error) {
            if (error instanceof BrandError) throw Object.assign(error, { field: 'accent' });
            throw error;
          }
        })();
        let logo: Parameters<typeof setCityBrand>[3]['logo'] = upload.fields.remove_logo === '1' ? null : undefined;
        let removed: string[] = [];
        if (uploaded) {
          const chunks: Buffer[] = [];
          for await (const chunk of (await app.files.open(uploaded)).stream) chunks.push(chunk as Buffer);
          const bytes = Buffer.concat(chunks);
          if (bytes.subarray(0, 4).toString('latin1') === '\x89PNG') {
            checkPng(bytes);
            logo = { key: uploaded, type: 'image/png', sha256: upload.stored!.file.sha256 };
            created = uploaded;
          } else {
            // Only the rewritten SVG is kept; the upload goes.
            const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
            if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(svg|!DOCTYPE)[\s>:]/i.test(text))
              throw new BrandError('cities.brand.error.type');
            const clean = sanitizeSvg(text);
            removed = clean.removed;
            const stored = await app.files.put(Readable.from([Buffer.from(clean.svg)]), MAX_LOGO_BYTES);
            created = stored.key;
            logo = { key: stored.key, type: 'image/svg+xml', sha256: stored.sha256 };
          }
        }
        const replaced = await db.transaction((tx) => setCityBrand(tx, actorOf(request), city.id, { logo, accent }));
        if (replaced) await app.files.remove(replaced).catch(() => {});
        if (uploaded && created !== uploaded) await app.files.remove(uploaded).catch(() => {});
        const query = new URLSearchParams({
          saved: '1',
          ...(removed.length ? { removed: removed.join(', ').slice(0, 480) } : {}),
        });
        return reply.redirect(`/cities/${city.slug}/brand?${query}`, 303);
      } catch (error) {
        if (uploaded) await app.files.remove(uploaded).catch(() => {});
        if (created && created !== uploaded) await app.files.remove(created).catch(() => {});
        if (error instanceof BrandError)
          return refuse((error as BrandError & { field?: string }).field ?? 'file', error, accentInput);
        throw error;
      }
    },
  );

  app.get<{ Params: { slug: string }; Querystring: { v?: string } }>(
    '/cities/:slug/logo',
    {
      schema: {
        params,
        querystring: { type: 'object', properties: { v: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      if (!city.logo_key || !city.logo_type) throw new NotFoundError('this city has no logo');
      const current = request.query.v === city.logo_sha256?.slice(0, 12);
      reply
        .type(city.logo_type)
        .header('content-security-policy', LOGO_CSP)
        .header('x-content-type-options', 'nosniff')
        .header(
          'content-disposition',
          `inline; filename="${city.slug}-logo.${city.logo_type === 'image/png' ? 'png' : 'svg'}"`,
        )
        .header('cache-control', current ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      return sendStoredFile(request, reply, app.files, city.logo_key);
    },
  );

  app.get<{ Params: { slug: string } }>('/cities/:slug/brand.css', { schema: { params } }, async (request, reply) => {
    const city = await getCity(db, request.params.slug);
    if (!city.accent_color) throw new NotFoundError('this city has no accent colour');
    // The colour was checked as #rrggbb when saved, and the column's CHECK holds it to that.
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(`.city-brand, .city-branded { --city-accent: ${city.accent_color}; }\n`);
  });
}
