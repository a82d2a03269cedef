// A city that takes petitions publishes them as open data: a dataset of the portal whose resource
// is the anonymised export (petitions, counts, outcomes, response times), always current.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import type { City } from '../cities/service.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export function petitionsDatasetName(city: Pick<City, 'slug'>): string {
  return `${city.slug}-petitions`.slice(0, 100);
}

export async function ensurePetitionsDataset(db: Queryable, actor: Actor, city: City): Promise<void> {
  const name = petitionsDatasetName(city);
  if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) return;
  const dataset = await createDataset(
    db,
    actor,
    {
      name,
      city_id: city.id,
      title_uk: `Електронні петиції: ${city.name_uk}`,
      title_en: `e-Petitions: ${city.name_en}`,
      title_bg: `Електронни петиции: ${city.name_bg}`,
      description_uk:
        'Усі оприлюднені електронні петиції до міської ради: тема, стан, дати, кількість підписів і поріг, рішення та чи вчасно надано відповідь. Без персональних даних авторів і підписантів. Оновлюється автоматично.',
      description_en:
        'Every published e-petition to the city council: topic, state, dates, signatures against the threshold, the decision and whether the response came on time. No personal data of authors or signers. Updated automatically.',
      description_bg:
        'Всички публикувани електронни петиции до общинския съвет: тема, състояние, дати, подписи спрямо прага, решението и дали отговорът е даден навреме. Без лични данни на автори и подписали. Обновява се автоматично.',
      license_id: 'CC-BY-4.0',
      themes: ['GOVE', 'SOCI'],
      keywords: ['петиції', 'e-petitions', 'participation'],
      frequency: 'DAILY',
      contact_name: null,
      contact_email: null,
      temporal_start: null,
      temporal_end: null,
      spatial: city.name_uk,
      legal_basis: 'Закон України «Про звернення громадян», стаття 23-1',
      purpose: null,
    },
    'published',
  );
  await addResource(db, actor, dataset, {
    name: 'Петиції (CSV)',
    description: '',
    format: 'CSV',
    url: `/petitions/export?city=${city.slug}`,
  });
  await addResource(db, actor, dataset, {
    name: 'Петиції (JSON)',
    description: '',
    format: 'JSON',
    url: `/petitions/export?city=${city.slug}&format=json`,
  });
}
