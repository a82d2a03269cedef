// The offline base map: Ukraine's regions from geo/ukraine-oblasts.geojson (geoBoundaries), each
// feature given its ISO code, the region's slug and its name in the asked language. Maps draw it
// where no tile server is configured, and colour it for choropleths by region.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LOCALES, type Locale } from '../../platform/i18n/locales.ts';
import { localName, type Oblast } from './service.ts';

const BOUNDARIES = path.resolve(import.meta.dirname, '../../../geo/ukraine-oblasts.geojson');

/** Regions in the boundary file that the oblasts table does not hold (yet). */
const EXTRA_NAMES: Record<string, Oblast> = {
  'UA-40': {
    slug: 'sevastopol',
    name_uk: 'місто Севастополь',
    name_en: 'Sevastopol',
    name_bg: 'град Севастопол',
    iso_code: 'UA-40',
  },
};

interface Feature {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: unknown;
}

export async function geoRoutes(app: FastifyInstance): Promise<void> {
  // Reference data that changes only with a migration: built once per language and process.
  const built = new Map<Locale, Promise<string>>();
  const build = async (locale: Locale) => {
    const [file, rows] = await Promise.all([
      fs.readFile(BOUNDARIES, 'utf8'),
      app.db.query<Oblast>('SELECT slug, name_uk, name_en, name_bg, iso_code FROM oblasts WHERE iso_code IS NOT NULL'),
    ]);
    const byIso = new Map<string, Oblast>([
      ...Object.entries(EXTRA_NAMES),
      ...rows.map((o) => [o.iso_code!, o] as const),
    ]);
    const collection = JSON.parse(file) as { features: Feature[] };
    return JSON.stringify({
      type: 'FeatureCollection',
      attribution: 'Boundaries: geoBoundaries (gbOpen, UKR ADM1)',
      features: collection.features.map((f) => {
        const iso = String(f.properties.shapeISO);
        const oblast = byIso.get(iso);
        return {
          type: 'Feature',
          properties: {
            iso,
            slug: oblast?.slug ?? null,
            name: oblast ? localName(oblast, locale) : f.properties.shapeName,
          },
          geometry: f.geometry,
        };
      }),
    });
  };

  app.get<{ Querystring: { lang: Locale } }>(
    '/geo/oblasts.geojson',
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: { lang: { type: 'string', enum: [...LOCALES], default: 'uk' } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { lang } = request.query;
      let body = built.get(lang);
      if (!body) {
        body = build(lang);
        built.set(lang, body);
        body.catch(() => built.delete(lang));
      }
      return reply
        .type('application/geo+json')
        .header('cache-control', 'public, max-age=86400')
        .send(await body);
    },
  );
}
