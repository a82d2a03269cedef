// A city's compliance with its mandatory datasets is open data too: a CSV of the city's list
// items and their checks (always the current state) and, when the city's editors publish it, a
// dataset of the city's catalog whose resource is that CSV — as the city's register is
// (inventory.ts publishRegister, which this follows). Who decides what a city's catalog publishes
// is the city: only its editors (and admins) publish it (policy.ts).
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { csvLine } from '../../platform/csv.ts';
import { ValidationError } from '../../platform/errors.ts';
import { translator } from '../../platform/i18n/locales.ts';
import { addResource, createDataset } from '../catalog/service.ts';
import { CHECKS, type CityCompliance } from './service.ts';

export const complianceDatasetName = (citySlug: string) => `${citySlug}-open-data-compliance`.slice(0, 100);

/** One row per list item: its code, names, legal basis, each check, the points and the datasets. */
export function complianceCsv(compliance: CityCompliance, datasetUrl: (name: string) => string): string {
  const lines = [
    csvLine([
      'code',
      'legal_act',
      'name_uk',
      'name_en',
      'name_bg',
      'legal_basis',
      'frequency',
      ...CHECKS,
      'points',
      'points_max',
      'datasets',
    ]),
  ];
  for (const i of compliance.items)
    lines.push(
      csvLine([
        i.item.code,
        i.item.legal_act,
        i.item.name_uk,
        i.item.name_en,
        i.item.name_bg,
        i.item.legal_basis,
        i.item.frequency ?? '',
        ...CHECKS.map((c) => (i.checks[c] ? 'true' : 'false')),
        i.points,
        CHECKS.length,
        i.datasets.map((d) => datasetUrl(d.name)).join(' '),
      ]),
    );
  return lines.join('');
}

/** Publishes (once) the city's compliance as a dataset of its catalog; later calls mark it updated now. */
export async function publishCompliance(
  db: Queryable,
  actor: Actor,
  city: { id: number; slug: string; name_uk: string; name_en: string; name_bg: string },
  now: Date,
): Promise<string> {
  const name = complianceDatasetName(city.slug);
  const existing = await db.one<{ id: number; city_id: number }>('SELECT id, city_id FROM datasets WHERE name = $1', [
    name,
  ]);
  if (existing && existing.city_id !== city.id)
    throw new ValidationError([{ field: 'dataset', message: 'dataProgramme.errors.compliance_name_taken' }], 409);
  let id = existing?.id;
  if (!id) {
    const [uk, en, bg] = (['uk', 'en', 'bg'] as const).map((l) => translator(l));
    const dataset = await createDataset(
      db,
      actor,
      {
        name,
        city_id: city.id,
        title_uk: uk!('dataProgramme.compliance_dataset_title', { city: city.name_uk }),
        title_en: en!('dataProgramme.compliance_dataset_title', { city: city.name_en }),
        title_bg: bg!('dataProgramme.compliance_dataset_title', { city: city.name_bg }),
        description_uk: uk!('dataProgramme.compliance_dataset_description'),
        description_en: en!('dataProgramme.compliance_dataset_description'),
        description_bg: bg!('dataProgramme.compliance_dataset_description'),
        license_id: 'CC-BY-4.0',
        themes: ['GOVE'],
        keywords: ['open data', 'compliance', 'відкриті дані'],
        frequency: 'MONTHLY',
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
      name: 'CSV',
      description: '',
      format: 'CSV',
      // A path of this site, as the events dataset's (community/open-data.ts): right on any host.
      url: `/cities/${city.slug}/compliance.csv`,
    });
    id = dataset.id;
  }
  await db.query('UPDATE datasets SET data_updated_at = $2 WHERE id = $1', [id, now]);
  await recordAudit(db, actor, 'compliance.publish_dataset', 'dataset', id, null, { city_id: city.id });
  return name;
}
