// A datathon's challenges, submissions and results are open data: one dataset in the catalog of
// the city whose council organises the datathon (community's rule in community/open-data.ts: a
// city's catalog publishes only what its own council organises), with the live CSV exports as
// resources. Created once, with the first challenge or the results, whichever comes first.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export function datathonDatasetName(citySlug: string, eventId: number): string {
  return `${citySlug}-datathon-${eventId}`.slice(0, 100);
}

export async function ensureDatathonDataset(db: Queryable, actor: Actor, eventId: number): Promise<void> {
  const city = await db.one<{
    id: number;
    slug: string;
    name_uk: string;
    name_en: string;
    name_bg: string;
    title: string;
  }>(
    `SELECT c.id, c.slug, c.name_uk, c.name_en, c.name_bg, e.title FROM community_events e
     JOIN cities c ON c.id = e.city_id
     WHERE e.id = $1 AND EXISTS (SELECT 1 FROM community_event_organizers eo JOIN organizations o ON o.id = eo.organization_id
       WHERE eo.event_id = e.id AND o.kind = 'city_council' AND o.city_id = c.id)`,
    [eventId],
  );
  if (!city) return;
  const name = datathonDatasetName(city.slug, eventId);
  if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) return;
  const dataset = await createDataset(
    db,
    actor,
    {
      name,
      city_id: city.id,
      title_uk: `Дататон «${city.title}»: виклики, рішення й результати`.slice(0, 300),
      title_en: `Datathon “${city.title}”: challenges, submissions and results`.slice(0, 300),
      title_bg: `Дататон „${city.title}“: предизвикателства, решения и резултати`.slice(0, 300),
      description_uk:
        'Виклики дататону (хто їх поставив, які набори даних використати, приз), рішення команд (назва, опис, посилання на код і демо, використані набори, ліцензія, голоси людей) та результати журі (нормалізований зважений бал і місце) після їх оприлюднення. Без персональних даних учасників. Оновлюється автоматично.',
      description_en:
        'The datathon’s challenges (who posed them, the datasets to use, the prize), the teams’ submissions (title, description, links to the code and a demo, datasets used, licence, people’s votes) and the jury’s results (normalised weighted score and rank) once published. No personal data of participants. Updated automatically.',
      description_bg:
        'Предизвикателствата на дататона (кой ги е поставил, кои набори от данни да се използват, наградата), решенията на отборите (заглавие, описание, връзки към кода и демото, използвани набори, лиценз, гласове на хората) и резултатите на журито (нормализиран претеглен резултат и място) след публикуването им. Без лични данни на участниците. Обновява се автоматично.',
      license_id: 'CC-BY-4.0',
      themes: ['GOVE', 'TECH'],
      keywords: ['дататон', 'datathon', 'open data'],
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
  for (const [file, title] of [
    ['challenges', 'Виклики (CSV)'],
    ['submissions', 'Рішення (CSV)'],
    ['results', 'Результати журі (CSV)'],
  ] as const)
    await addResource(db, actor, dataset, {
      name: title,
      description: '',
      format: 'CSV',
      url: `/datathons/${eventId}/${file}.csv`,
    });
}
