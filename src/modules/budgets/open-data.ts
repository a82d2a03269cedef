// Every budget cycle is also open data: its projects, costs, verdicts, votes and outcomes as a
// dataset of the portal, whose resources are the live exports.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export async function publishCycleDataset(
  db: Queryable,
  actor: Actor,
  city: { id: number; slug: string; name_uk: string },
  cycleId: number,
  titles: { uk: string; en: string; bg: string },
): Promise<void> {
  const name = `${city.slug}-participatory-budget-${cycleId}`.slice(0, 100);
  if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) return;
  const dataset = await createDataset(
    db,
    actor,
    {
      name,
      city_id: city.id,
      title_uk: titles.uk,
      title_en: titles.en,
      title_bg: titles.bg,
      description_uk:
        'Проєкти громадського бюджету: район, категорія, вартість, висновок експертів, голоси, переможці та стан реалізації. Оновлюється автоматично.',
      description_en:
        'Participatory-budget projects: district, category, cost, the experts’ verdict, votes, winners and implementation. Updated automatically.',
      description_bg:
        'Проекти на гражданския бюджет: район, категория, стойност, становище на експертите, гласове, победители и изпълнение. Обновява се автоматично.',
      license_id: 'CC-BY-4.0',
      themes: ['GOVE', 'ECON'],
      keywords: ['громадський бюджет', 'participatory budgeting'],
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
    name: 'Проєкти (CSV)',
    description: '',
    format: 'CSV',
    url: `/budgets/${cycleId}/projects.csv`,
  });
  await addResource(db, actor, dataset, {
    name: 'Проєкти на мапі (GeoJSON)',
    description: '',
    format: 'GEOJSON',
    url: `/budgets/${cycleId}/projects.geojson`,
  });
}
