// Every imported year of a city budget is also open data: a dataset of the portal whose CSV file
// is loaded into the DataStore (so CKAN clients and SQL reach it), plus a Fiscal Data Package
// descriptor (datapackage.json with the fiscal model) that OpenSpending-style tools read.
import type { Queryable } from '../../platform/db/index.ts';
import { SYSTEM_ACTOR } from '../../platform/audit.ts';
import type { FileStore } from '../../platform/files.ts';
import { addResource, createDataset, getDataset } from '../catalog/service.ts';
import { addUploadedResource, replaceUploadedFile } from '../datastore/service.ts';
import { factsCsv } from './service.ts';

const FACTS_FILE = (slug: string, year: number) => `${slug}-city-budget-${year}.csv`;

async function* encoded(lines: AsyncIterable<string>): AsyncIterable<Uint8Array> {
  let buffer = '';
  for await (const line of lines) {
    buffer += line;
    if (buffer.length > 1 << 20) {
      yield Buffer.from(buffer);
      buffer = '';
    }
  }
  if (buffer) yield Buffer.from(buffer);
}

/** Creates or refreshes the year's dataset: the CSV of every fact (re-loaded into the DataStore) and the descriptor link. */
export async function publishBudgetYear(
  db: Queryable,
  files: FileStore,
  city: { id: number; slug: string; name_uk: string },
  year: number,
): Promise<void> {
  const name = `${city.slug}-city-budget-${year}`.slice(0, 100);
  const file = await files.put(encoded(factsCsv(db, city.id, year)), 2 * 1024 * 1024 * 1024);
  const fileName = FACTS_FILE(city.slug, year);
  const existing = await db.one<{ id: number }>('SELECT id FROM datasets WHERE name = $1', [name]);
  if (existing) {
    const resource = await db.one<{ id: string; file_key: string }>(
      'SELECT id, file_key FROM resources WHERE dataset_id = $1 AND file_name = $2',
      [existing.id, fileName],
    );
    if (resource) {
      await replaceUploadedFile(db, SYSTEM_ACTOR, resource.id, { file, fileName });
      await files.remove(resource.file_key).catch(() => {});
      return;
    }
  }
  const dataset = existing
    ? await getDataset(db, name, { all: true, states: ['draft', 'private'] })
    : await createDataset(
        db,
        SYSTEM_ACTOR,
        {
          name,
          city_id: city.id,
          title_uk: `Бюджет міста: ${city.name_uk}, ${year} — виконання`,
          title_en: `City budget: ${city.name_uk}, ${year} — execution`,
          title_bg: `Бюджет на града: ${city.name_uk}, ${year} — изпълнение`,
          description_uk:
            'Виконання бюджету міста за даними Казначейства (openbudget.gov.ua): доходи та видатки за місяцями, фондами та кодами класифікацій; план на рік з урахуванням змін, план на період і касове виконання наростаючим підсумком та за місяць.',
          description_en:
            'The city budget’s execution from the Treasury’s files (openbudget.gov.ua): revenues and spending by month, fund and classification code; the annual plan with amendments, the plan to date and cash execution, cumulative and for the month.',
          description_bg:
            'Изпълнение на бюджета на града по данни на Държавното казначейство на Украйна (openbudget.gov.ua): приходи и разходи по месеци, фондове и класификационни кодове; годишен план с промените, план към периода и касово изпълнение, натрупано и за месеца.',
          license_id: 'CC-BY-4.0',
          themes: ['GOVE', 'ECON'],
          keywords: ['бюджет міста', 'відкритий бюджет', 'city budget'],
          frequency: 'MONTHLY',
          contact_name: null,
          contact_email: null,
          temporal_start: `${year}-01-01`,
          temporal_end: `${year}-12-31`,
          spatial: city.name_uk,
          legal_basis: null,
          purpose: null,
        },
        'published',
      );
  await addUploadedResource(db, SYSTEM_ACTOR, dataset, {
    file,
    fileName,
    name: `Виконання бюджету ${year} (CSV)`,
    description: '',
  });
  await addResource(db, SYSTEM_ACTOR, dataset, {
    name: 'Fiscal Data Package (datapackage.json)',
    description: '',
    format: 'JSON',
    url: `/city-budget/${city.slug}/${year}/datapackage.json`,
  });
}

/**
 * The Fiscal Data Package descriptor of a year's CSV: the table schema with each column's
 * `columnType` from the fiscal vocabulary, and the model (measures and dimensions).
 */
export function fiscalDataPackage(
  city: { slug: string; name_uk: string; name_en: string },
  year: number,
  baseUrl: string,
): Record<string, unknown> {
  const field = (name: string, type: string, columnType: string, title: string) => ({ name, type, columnType, title });
  return {
    profile: 'fiscal-data-package',
    name: `${city.slug}-city-budget-${year}`,
    title: `City budget: ${city.name_en}, ${year} — execution`,
    description: 'Revenues and spending by month, fund and classification code, from the Treasury’s execution files.',
    homepage: `${baseUrl}/city-budget/${city.slug}/${year}`,
    countryCode: 'UA',
    fiscalPeriod: { start: `${year}-01-01`, end: `${year}-12-31` },
    licenses: [{ name: 'CC-BY-4.0', path: 'https://creativecommons.org/licenses/by/4.0/' }],
    resources: [
      {
        name: 'execution',
        path: `${baseUrl}/city-budget/${city.slug}/${year}/facts.csv`,
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        profile: 'tabular-data-resource',
        currency: 'UAH',
        schema: {
          fields: [
            field('budget_code', 'string', 'administrative-classification:generic:code', 'Budget code (COD_BUDGET)'),
            field('year', 'integer', 'date:fiscal-year', 'Fiscal year'),
            field('month', 'integer', 'date:fiscal-period', 'Month the cumulative figures run to'),
            field('item', 'string', 'direction', 'INCOMES (revenue) or EXPENSES (expenditure)'),
            field('classification', 'string', 'classification:generic:level1:label', 'Classification of the code'),
            field('fund', 'string', 'fund:code', 'C general fund, S special fund, T total'),
            field('code', 'string', 'classification:generic:code', 'Code in the classification'),
            field('program_code', 'string', 'activity:generic:program:code', 'Programme (КПКВКМБ)'),
            field('functional_code', 'string', 'functional-classification:generic:code', 'Function (КФКВК)'),
            field('economic_code', 'string', 'economic-classification:generic:code', 'Economic item (КЕКВ)'),
            field('name', 'string', 'classification:generic:label', 'Name'),
            field('is_leaf', 'boolean', 'unknown:boolean', 'A leaf row (totals are sums of leaves)'),
            field('plan_year', 'number', 'value', 'Annual plan with amendments (ZAT_AMT)'),
            field('plan_to_date', 'number', 'value', 'Plan to date (PLANS_AMT)'),
            field('executed_cumulative', 'number', 'value', 'Execution since January (FAKT_AMT)'),
            field('executed_in_month', 'number', 'value', 'Execution in the month'),
          ],
        },
      },
    ],
    model: {
      measures: {
        plan_year: { source: 'plan_year', currency: 'UAH', phase: 'revised' },
        executed_cumulative: { source: 'executed_cumulative', currency: 'UAH', phase: 'executed' },
        executed_in_month: { source: 'executed_in_month', currency: 'UAH', phase: 'executed' },
      },
      dimensions: {
        date: {
          dimensionType: 'datetime',
          primaryKey: ['year', 'month'],
          attributes: { year: { source: 'year' }, month: { source: 'month' } },
        },
        fund: { dimensionType: 'fact', primaryKey: ['fund'], attributes: { fund: { source: 'fund' } } },
        classification: {
          dimensionType: 'classification',
          primaryKey: ['code'],
          attributes: { code: { source: 'code' }, name: { source: 'name', labelfor: 'code' } },
        },
        program: {
          dimensionType: 'activity',
          primaryKey: ['program_code'],
          attributes: { program_code: { source: 'program_code' } },
        },
        function: {
          dimensionType: 'classification',
          primaryKey: ['functional_code'],
          attributes: { functional_code: { source: 'functional_code' } },
        },
        economic: {
          dimensionType: 'classification',
          primaryKey: ['economic_code'],
          attributes: { economic_code: { source: 'economic_code' } },
        },
      },
    },
  };
}
