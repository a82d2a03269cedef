// A city's community events are also open data: a dataset in the city's catalog whose resources
// are the live exports (CSV and iCalendar).
//
// Who decides what a city's catalog publishes (security review, finding 3): the city itself. So
// the dataset holds only the events the city's council organises or co-organises; it is created
// with the first of them, and its resources are the council's exports. Naming the council as an
// organiser takes a membership of it (or an admin; see mayOrganizeFor in policy.ts). Events of
// other organisations stay out of every city's catalog; they are still on /events and its feeds.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export function eventsDatasetName(citySlug: string): string {
  return `${citySlug}-community-events`.slice(0, 100);
}

/** Publishes the events dataset of each city whose council organises this event, once. */
export async function publishCityEventsDataset(db: Queryable, actor: Actor, eventId: number): Promise<void> {
  const councils = await db.query<{
    council_slug: string;
    id: number;
    slug: string;
    name_uk: string;
    name_en: string;
    name_bg: string;
  }>(
    `SELECT o.slug AS council_slug, c.id, c.slug, c.name_uk, c.name_en, c.name_bg
     FROM community_event_organizers eo JOIN organizations o ON o.id = eo.organization_id
     JOIN cities c ON c.id = o.city_id
     WHERE eo.event_id = $1 AND o.kind = 'city_council' ORDER BY o.id`,
    [eventId],
  );
  for (const city of councils) await publishDataset(db, actor, city);
}

async function publishDataset(
  db: Queryable,
  actor: Actor,
  city: { council_slug: string; id: number; slug: string; name_uk: string; name_en: string; name_bg: string },
): Promise<void> {
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
        'Зустрічі, навчальні курси, дататони й форуми, які організовує або співорганізовує міська рада: вид, організатори, час, місце, кількість місць, зареєстровані та присутні. Оновлюється автоматично.',
      description_en:
        'Meetups, training courses, datathons and forums the city council organises or co-organises: kind, organisers, time, place, seats, registrations and attendance. Updated automatically.',
      description_bg:
        'Срещи, обучителни курсове, дататони и форуми, които общинският съвет организира или съорганизира: вид, организатори, време, място, места, регистрирани и присъствали. Обновява се автоматично.',
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
    url: `/events.csv?organization=${city.council_slug}`,
  });
  await addResource(db, actor, dataset, {
    name: 'Календар подій (iCalendar)',
    description: '',
    format: 'ICS',
    url: `/events/calendar/organizations/${city.council_slug}.ics`,
  });
}
