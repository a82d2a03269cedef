// A city's community events are also open data: a dataset of the portal per city, whose
// resources are the live exports (every event as CSV, and the city's iCalendar feed). It is
// created with the city's first event.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export function eventsDatasetName(citySlug: string): string {
  return `${citySlug}-community-events`.slice(0, 100);
}

export async function publishCityEventsDataset(db: Queryable, actor: Actor, cityId: number): Promise<void> {
  const city = await db.one<{ id: number; slug: string; name_uk: string; name_en: string; name_bg: string }>(
    'SELECT id, slug, name_uk, name_en, name_bg FROM cities WHERE id = $1',
    [cityId],
  );
  if (!city) return;
  const name = eventsDatasetName(city.slug);
  if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) return;
  const dataset = await createDataset(
    db,
    actor,
    {
      name,
      city_id: city.id,
      title_uk: `Події спільноти відкритих даних: ${city.name_uk}`,
      title_en: `Open-data community events: ${city.name_en}`,
      title_bg: `Събития на общността за отворени данни: ${city.name_bg}`,
      description_uk:
        'Зустрічі, навчальні курси, дататони й форуми в місті: вид, організатори, час, місце, кількість місць, зареєстровані та присутні. Оновлюється автоматично.',
      description_en:
        'Meetups, training courses, datathons and forums in the city: kind, organisers, time, place, seats, registrations and attendance. Updated automatically.',
      description_bg:
        'Срещи, обучителни курсове, дататони и форуми в града: вид, организатори, време, място, места, регистрирани и присъствали. Обновява се автоматично.',
      license_id: 'CC-BY-4.0',
      themes: ['GOVE', 'EDUC'],
      keywords: ['відкриті дані', 'open data', 'events'],
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
    name: 'Події (CSV)',
    description: '',
    format: 'CSV',
    url: `/events.csv?city=${city.slug}`,
  });
  await addResource(db, actor, dataset, {
    name: 'Календар подій (iCalendar)',
    description: '',
    format: 'ICS',
    url: `/events/calendar/cities/${city.slug}.ics`,
  });
}
