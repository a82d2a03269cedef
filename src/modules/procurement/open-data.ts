// A city's procurement is also open data: a dataset of the portal whose resources are the live
// exports (the OCDS record package, and the procedures as CSV), created when the city's first
// procedures are imported.
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import { addResource, createDataset } from '../catalog/service.ts';

export async function publishProcurementDatasets(db: Queryable, actor: Actor, ocids: string[]): Promise<void> {
  if (!ocids.length) return;
  const cities = await db.query<{ id: number; slug: string; name_uk: string }>(
    `SELECT DISTINCT c.id, c.slug, c.name_uk FROM procurement_procedures p JOIN cities c ON c.id = p.city_id
     WHERE p.ocid = ANY($1::text[])`,
    [ocids],
  );
  for (const city of cities) {
    const name = `${city.slug}-procurement`.slice(0, 100);
    if (await db.one('SELECT 1 FROM datasets WHERE name = $1', [name])) continue;
    const dataset = await createDataset(
      db,
      actor,
      {
        name,
        city_id: city.id,
        title_uk: `Публічні закупівлі: ${city.name_uk}`,
        title_en: `Public procurement: ${city.name_uk}`,
        title_bg: `Обществени поръчки: ${city.name_uk}`,
        description_uk:
          'Закупівлі міської ради та її бюджетних установ з Prozorro у форматі OCDS 1.1, з червоними прапорцями. Оновлюється з кожним імпортом.',
        description_en:
          'Procurement by the city council and its budget institutions from Prozorro in OCDS 1.1, with red flags. Updated with every import.',
        description_bg:
          'Обществените поръчки на градския съвет и неговите звена от Prozorro във формат OCDS 1.1, с червени флагове. Обновява се при всеки внос.',
        license_id: 'CC-BY-4.0',
        themes: ['GOVE', 'ECON'],
        keywords: ['закупівлі', 'Prozorro', 'OCDS', 'procurement'],
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
      name: 'OCDS record package (JSON)',
      description: '',
      format: 'JSON',
      url: `/api/v1/procurement/cities/${city.slug}/records`,
    });
    await addResource(db, actor, dataset, {
      name: 'Процедури (CSV)',
      description: '',
      format: 'CSV',
      url: `/cities/${city.slug}/procurement.csv`,
    });
  }
}
