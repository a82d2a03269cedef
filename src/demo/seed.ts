// Fills an empty database with demo content: cities, organisations and one user per role.
// Runs only when there are no cities yet, so it never touches real data.
import { seedDemoBudgetReference } from './budget-reference.ts';
import { seedDemoCityBudget } from './city-budget.ts';
import { Readable } from 'node:stream';
import type { Database } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import type { Role } from '../platform/auth.ts';
import { countCities, createCity } from '../modules/cities/service.ts';
import { createOrganization, type OrganizationKind } from '../modules/organizations/service.ts';
import { createConfirmedUser } from '../modules/accounts/service.ts';
import { createDataset, addResource, type DatasetInput } from '../modules/catalog/service.ts';
import { addUploadedResource } from '../modules/datastore/service.ts';
import { fileStoreOf, type FileStore } from '../platform/files.ts';
import { DEMO_CITIES } from './cities.ts';
import { DEMO_DATASETS } from './datasets.ts';
import { seedDemoPetitions } from './petitions.ts';
import { seedDemoBudgets } from './budgets.ts';
import { seedDemoInventory, seedDemoProgramme } from './programme.ts';
import { seedHandbook } from '../modules/handbook/chapters.ts';
import { seedDemoRanking } from './ranking.ts';
import { seedDemoProcurement } from './procurement.ts';
import { seedDemoCommunity } from './community.ts';
import { seedDemoDataRequests } from './data-requests.ts';
import { seedDemoAcademy } from './academy.ts';
import { seedDemoShowcase } from './showcase.ts';
import { seedDemoDatathon } from './datathons.ts';

export const DEMO_PASSWORD = 'hromada-demo-2026';

export const DEMO_USERS: { email: string; name: string; role: Role; organization?: string; oblast?: string }[] = [
  { email: 'admin@hromada.demo', name: 'Олена Адміністраторка', role: 'admin', organization: 'hromada-operator' },
  {
    email: 'editor.lviv@hromada.demo',
    name: 'Андрій Редактор (Львів)',
    role: 'city_editor',
    organization: 'lviv-city-council',
  },
  {
    email: 'assessor@hromada.demo',
    name: 'Ірина Оцінювачка',
    role: 'cso_assessor',
    organization: 'transparency-watch',
  },
  {
    email: 'coordinator.lviv@hromada.demo',
    name: 'Тарас Координатор',
    role: 'regional_coordinator',
    oblast: 'lvivska',
  },
  { email: 'citizen@hromada.demo', name: 'Марія Мешканка', role: 'citizen' },
];

const DEMO_ORGANIZATIONS: {
  slug: string;
  kind: OrganizationKind;
  uk: string;
  en: string;
  bg: string;
  city: string | null;
}[] = [
  {
    slug: 'hromada-operator',
    kind: 'operator',
    uk: 'Оператор платформи «Громада»',
    en: 'Hromada platform operator',
    bg: 'Оператор на платформата „Громада“',
    city: 'kyiv',
  },
  {
    slug: 'lviv-city-council',
    kind: 'city_council',
    uk: 'Львівська міська рада',
    en: 'Lviv City Council',
    bg: 'Лвовски градски съвет',
    city: 'lviv',
  },
  {
    slug: 'zhytomyr-city-council',
    kind: 'city_council',
    uk: 'Житомирська міська рада',
    en: 'Zhytomyr City Council',
    bg: 'Житомирски градски съвет',
    city: 'zhytomyr',
  },
  {
    slug: 'vinnytsia-city-council',
    kind: 'city_council',
    uk: 'Вінницька міська рада',
    en: 'Vinnytsia City Council',
    bg: 'Виницки градски съвет',
    city: 'vinnytsia',
  },
  {
    slug: 'mykolaiv-city-council',
    kind: 'city_council',
    uk: 'Миколаївська міська рада',
    en: 'Mykolaiv City Council',
    bg: 'Николаевски градски съвет',
    city: 'mykolaiv',
  },
  {
    slug: 'transparency-watch',
    kind: 'cso',
    uk: 'ГО «Прозорість» (демо)',
    en: 'Transparency Watch NGO (demo)',
    bg: 'НПО „Прозрачност“ (демо)',
    city: 'kyiv',
  },
  {
    slug: 'civic-lviv',
    kind: 'cso',
    uk: 'Громадська рада Львова (демо)',
    en: 'Civic Lviv (demo)',
    bg: 'Гражданско Лвов (демо)',
    city: 'lviv',
  },
  {
    slug: 'open-data-odesa',
    kind: 'cso',
    uk: 'Відкриті дані Одеси (демо)',
    en: 'Open Data Odesa (demo)',
    bg: 'Отворени данни Одеса (демо)',
    city: 'odesa',
  },
];

const DEMO_ACTOR: Actor = { userId: null, label: 'demo-seed' };

/**
 * Returns false when the database already has cities and nothing was done. With `files` (a file
 * store, or a data folder for the local one), the demo files are stored there and queued for the
 * DataStore like an editor's uploads; without it their resources are links.
 */
export async function seedDemo(db: Database, files?: FileStore | string): Promise<boolean> {
  const store = files === undefined ? null : fileStoreOf(files);
  return db.transaction(async (tx) => {
    if ((await countCities(tx)) > 0) return false;
    const cityIds = new Map<string, number>();
    for (const [slug, uk, en, bg, oblast, population, latitude, longitude] of DEMO_CITIES) {
      const city = await createCity(tx, DEMO_ACTOR, {
        slug,
        name_uk: uk,
        name_en: en,
        name_bg: bg,
        oblast_slug: oblast,
        population,
        latitude,
        longitude,
        website: null,
        katottg: null,
        edrpou: null,
      });
      cityIds.set(slug, city.id);
    }
    for (const o of DEMO_ORGANIZATIONS) {
      await createOrganization(tx, DEMO_ACTOR, {
        slug: o.slug,
        kind: o.kind,
        name_uk: o.uk,
        name_en: o.en,
        name_bg: o.bg,
        city_id: o.city ? cityIds.get(o.city)! : null,
        website: null,
        edrpou: null,
        parent_id: null,
      });
    }
    await seedDemoBudgetReference(tx, cityIds);
    for (const d of DEMO_DATASETS) {
      const input: DatasetInput = {
        name: d.name,
        city_id: cityIds.get(d.city)!,
        title_uk: d.title.uk,
        title_en: d.title.en,
        title_bg: d.title.bg,
        description_uk: d.description.uk,
        description_en: d.description.en,
        description_bg: d.description.bg,
        license_id: d.license,
        themes: d.themes,
        keywords: d.keywords,
        frequency: d.frequency,
        contact_name: null,
        contact_email: d.contact ?? null,
        temporal_start: d.temporal?.[0] ?? null,
        temporal_end: d.temporal?.[1] ?? null,
        spatial: d.spatial ?? null,
        legal_basis: null,
        purpose: null,
      };
      const dataset = await createDataset(tx, DEMO_ACTOR, input, d.state ?? 'published');
      for (const { file, ...r } of d.resources) {
        if (file && store) {
          const stored = await store.put(Readable.from([await file.content()]), Number.MAX_SAFE_INTEGER, { db: tx });
          await addUploadedResource(tx, DEMO_ACTOR, dataset, {
            file: stored,
            fileName: file.name,
            name: r.name,
            description: '',
          });
        } else {
          await addResource(tx, DEMO_ACTOR, dataset, { description: '', ...r });
        }
      }
      if (d.dataUpdated)
        await tx.query('UPDATE datasets SET data_updated_at = $2, published_at = $2 WHERE id = $1', [
          dataset.id,
          d.dataUpdated,
        ]);
    }
    for (const u of DEMO_USERS) {
      await createConfirmedUser(tx, DEMO_ACTOR, {
        email: u.email,
        password: DEMO_PASSWORD,
        displayName: u.name,
        role: u.role,
        organization: u.organization,
        oblast: u.oblast,
      });
    }
    const citizen = await tx.one<{ id: number }>('SELECT id FROM users WHERE email = $1', ['citizen@hromada.demo']);
    await seedDemoPetitions(tx, DEMO_ACTOR, citizen!.id);
    const admin = await tx.one<{ id: number }>('SELECT id FROM users WHERE email = $1', ['admin@hromada.demo']);
    await seedDemoBudgets(tx, DEMO_ACTOR, admin!.id, citizen!.id);
    await seedDemoRanking(tx, DEMO_ACTOR, admin!.id, store);
    await seedDemoCityBudget(tx, DEMO_ACTOR, cityIds.get('lviv')!, store);
    await seedDemoProcurement(tx, new Date());
    await seedDemoCommunity(tx, DEMO_ACTOR);
    await seedDemoDatathon(tx, DEMO_ACTOR);
    await seedDemoProgramme(tx, DEMO_ACTOR, new Date());
    await seedDemoInventory(tx, DEMO_ACTOR, 'lviv', new Date());
    await seedHandbook(tx, DEMO_ACTOR);
    await seedDemoDataRequests(tx, DEMO_ACTOR);
    await seedDemoAcademy(tx, DEMO_ACTOR, new Date());
    await seedDemoShowcase(tx, DEMO_ACTOR, store);
    return true;
  });
}
