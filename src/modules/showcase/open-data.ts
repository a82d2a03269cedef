// A city's showcase is also open data: a dataset in the city's catalog whose resources are the live
// exports of the entries running in the city or wanted by it (CSV and JSON). As with community
// events (community/open-data.ts), the city decides what its catalog publishes: the dataset is
// created when one of the city's editors first marks an entry as adopted or wanted there.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export function showcaseDatasetName(citySlug: string): string {
  return `${citySlug}-showcase`.slice(0, 100);
}

/** Publishes the city's showcase dataset, once. */
export async function publishCityShowcaseDataset(db: Queryable, actor: Actor, cityId: number): Promise<void> {
  const city = await db.one<{ id: number; slug: string; name_uk: string; name_en: string; name_bg: string }>(
    'SELECT id, slug, name_uk, name_en, name_bg FROM cities WHERE id = $1',
    [cityId],
  );
  if (!city) return;
  const name = showcaseDatasetName(city.slug);
  if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) return;
  const dataset = await createDataset(
    db,
    actor,
    {
      name,
      city_id: city.id,
      title_uk: `Застосунки на відкритих даних: ${city.name_uk}`,
      title_en: `Apps on open data: ${city.name_en}`,
      title_bg: `Приложения с отворени данни: ${city.name_bg}`,
      description_uk:
        'Застосунки, інструменти, візуалізації, історії та API на відкритих даних, які місто використовує (з датами) або хоче використовувати: вид, стадія, ліцензія, автори, набори даних, посилання. Оновлюється автоматично.',
      description_en:
        'Apps, tools, visualisations, stories and APIs built on open data that the city uses (with dates) or wants to use: kind, stage, licence, authors, datasets, links. Updated automatically.',
      description_bg:
        'Приложения, инструменти, визуализации, истории и API с отворени данни, които градът използва (с дати) или иска да използва: вид, етап, лиценз, автори, набори от данни, връзки. Обновява се автоматично.',
      license_id: 'CC-BY-4.0',
      themes: ['GOVE', 'TECH'],
      keywords: ['відкриті дані', 'open data', 'showcase'],
      frequency: 'IRREG',
      contact_name: null,
      contact_email: null,
      temporal_start: null,
      temporal_end: null,
      spatial: city.name_uk,
      legal_basis: null,
      purpose: null,
    },
    'published',
  );
  await addResource(db, actor, dataset, {
    name: 'Застосунки, які працюють у місті (CSV)',
    description: '',
    format: 'CSV',
    url: `/showcase.csv?city=${city.slug}`,
  });
  await addResource(db, actor, dataset, {
    name: 'Застосунки, яких місто хоче (CSV)',
    description: '',
    format: 'CSV',
    url: `/showcase.csv?wanted_by=${city.slug}`,
  });
  await addResource(db, actor, dataset, {
    name: 'Застосунки міста (JSON, API)',
    description: '',
    format: 'JSON',
    url: `/api/v1/showcase?city=${city.slug}&limit=500`,
  });
}
