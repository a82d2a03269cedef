// A city's data requests are open data too: a dataset in the city's catalog, created with the
// city's first request, whose resource is the live CSV export (/data-requests.csv?city=…).
// As in community/open-data.ts, the system publishes it, not the resident who asked.
import type { Queryable } from '../../platform/db/index.ts';
import { SYSTEM_ACTOR } from '../../platform/audit.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export function requestsDatasetName(citySlug: string): string {
  return `${citySlug}-data-requests`.slice(0, 100);
}

/** Publishes the city's data-requests dataset, once. */
export async function publishRequestsDataset(db: Queryable, cityId: number): Promise<void> {
  const city = await db.one<{ slug: string; name_uk: string; name_en: string; name_bg: string }>(
    'SELECT slug, name_uk, name_en, name_bg FROM cities WHERE id = $1',
    [cityId],
  );
  if (!city) return;
  const name = requestsDatasetName(city.slug);
  if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) return;
  // Two first requests to a city on two servers at once: the city's row lock lets one create the
  // dataset; the other, waiting, then finds it.
  await db.query('SELECT 1 FROM cities WHERE id = $1 FOR UPDATE', [cityId]);
  if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) return;
  const dataset = await createDataset(
    db,
    SYSTEM_ACTOR,
    {
      name,
      city_id: cityId,
      title_uk: `Запити на відкриті дані: ${city.name_uk}`,
      title_en: `Requests for open data: ${city.name_en}`,
      title_bg: `Заявки за отворени данни: ${city.name_bg}`,
      description_uk:
        'Набори даних, які мешканці просили оприлюднити, і відповіді міста: стан, запланована дата, оприлюднений набір або причина відмови, строк відповіді в робочих днях. Оновлюється автоматично.',
      description_en:
        'Datasets residents asked the city to publish, and the city’s answers: state, planned date, the published dataset or the reason for declining, the answer period in working days. Updated automatically.',
      description_bg:
        'Набори от данни, които жителите са поискали да бъдат публикувани, и отговорите на града: състояние, планирана дата, публикуваният набор или причината за отказ, срокът за отговор в работни дни. Обновява се автоматично.',
      license_id: 'CC-BY-4.0',
      themes: ['GOVE'],
      keywords: ['відкриті дані', 'open data', 'data requests'],
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
  await addResource(db, SYSTEM_ACTOR, dataset, {
    name: 'Запити на дані (CSV)',
    description: '',
    format: 'CSV',
    url: `/data-requests.csv?city=${city.slug}`,
  });
}
