// Demo declarations of the data programme: which demo datasets fulfil which items of Resolution
// 835's list, so that the compliance pages have something to show. The list items themselves are
// real and ship with migration 0070; only these pairings are demo.
import type { Actor } from '../platform/audit.ts';
import type { Queryable } from '../platform/db/index.ts';
import { declareItem } from '../modules/data-programme/service.ts';
import { saveInventoryItem } from '../modules/data-programme/inventory.ts';

const DEMO_DECLARATIONS: [dataset: string, itemCode: string][] = [
  ['lviv-public-transport-stops', 'mun-024'],
  ['lviv-council-decisions-draft', 'all-009а'],
  ['zhytomyr-procurement-2023', 'mun-027'],
  ['vinnytsia-kindergartens', 'all-001'],
];

export async function seedDemoProgramme(db: Queryable, actor: Actor, now: Date): Promise<void> {
  for (const [name, code] of DEMO_DECLARATIONS) {
    const dataset = await db.one<{ id: number; city_id: number }>('SELECT id, city_id FROM datasets WHERE name = $1', [
      name,
    ]);
    const item = await db.one<{ id: number }>(
      `SELECT id FROM mandatory_items WHERE legal_act = 'UA-CMU-835-2015' AND code = $1`,
      [code],
    );
    if (dataset && item) await declareItem(db, actor, dataset, item.id, now);
  }
}

/** Units of a demo city council that hold the demo register's information. */
const UNITS = [
  'Департамент фінансової політики',
  'Управління транспорту',
  'Управління архітектури та урбаністики',
  'Управління комунальної власності',
  'Управління освіти',
  'Управління охорони здоров’я',
  'Управління соціального захисту',
  'Відділ звернень громадян',
  'Управління екології',
  'Управління земельних ресурсів',
] as const;

/** The demo register: 60 kinds of information a city council holds ([name, unit index, system, format]). */
const DEMO_INVENTORY: [string, number, string, string][] = [
  ['Виконання міського бюджету', 0, 'АС «Бюджет»', 'XLSX'],
  ['Бюджетні програми та паспорти', 0, 'АС «Бюджет»', 'XLSX'],
  ['Розпорядники бюджетних коштів', 0, 'АС «Бюджет»', 'XLSX'],
  ['Місцеві податки і збори', 0, 'Рішення ради', 'DOCX'],
  ['Договори, укладені виконавчими органами', 0, 'СЕД', 'PDF'],
  ['Зупинки громадського транспорту', 1, 'ГІС міста', 'GeoJSON'],
  ['Маршрути громадського транспорту', 1, 'ГІС міста', 'GeoJSON'],
  ['Розклад руху громадського транспорту', 1, 'Диспетчерська система', 'GTFS'],
  ['Перевізники та договори з ними', 1, 'СЕД', 'XLSX'],
  ['Транспортні засоби на маршрутах', 1, 'Диспетчерська система', 'CSV'],
  ['Паркувальні майданчики', 1, 'ГІС міста', 'SHP'],
  ['Пасажиропотік за маршрутами', 1, 'Система е-квитка', 'CSV'],
  ['Містобудівні умови та обмеження', 2, 'Реєстр містобудівної документації', 'PDF'],
  ['Будівельні паспорти', 2, 'Реєстр містобудівної документації', 'PDF'],
  ['Генеральний план міста', 2, 'ГІС міста', 'SHP'],
  ['Детальні плани територій', 2, 'ГІС міста', 'SHP'],
  ['Доступність об’єктів для маломобільних груп', 2, 'Таблиці обстежень', 'XLSX'],
  ['Рекламні засоби', 2, 'Реєстр дозволів', 'XLSX'],
  ['Об’єкти комунальної власності', 3, 'Облік майна', 'XLSX'],
  ['Майно, передане в оренду', 3, 'Облік майна', 'XLSX'],
  ['Вільні приміщення для оренди', 3, 'Облік майна', 'XLSX'],
  ['Комунальні підприємства', 3, 'Облік майна', 'DOCX'],
  ['Приватизація комунального майна', 3, 'Prozorro.Продажі', 'JSON'],
  ['Заклади загальної середньої освіти', 4, 'ІСУО', 'XLSX'],
  ['Заклади дошкільної освіти', 4, 'ІСУО', 'XLSX'],
  ['Черга до дитячих садків', 4, 'Електронна черга', 'CSV'],
  ['Зарахування до перших класів', 4, 'ІСУО', 'XLSX'],
  ['Позашкільні заклади та гуртки', 4, 'Таблиці управління', 'XLSX'],
  ['Мережа закладів охорони здоров’я', 5, 'Таблиці управління', 'XLSX'],
  ['Аптеки комунальної власності', 5, 'Таблиці управління', 'XLSX'],
  ['Медичні працівники закладів', 5, 'Кадровий облік', 'XLSX'],
  ['Пільгові категорії населення', 6, 'ЄДАРП', 'DBF'],
  ['Отримувачі житлових субсидій', 6, 'ЄДАРП', 'DBF'],
  ['Центри надання соціальних послуг', 6, 'Таблиці управління', 'XLSX'],
  ['Соціальне житло', 6, 'Облік житла', 'XLSX'],
  ['Квартирна черга', 6, 'Облік житла', 'XLSX'],
  ['Звернення громадян за темами', 7, 'Контакт-центр 1580', 'CSV'],
  ['Запити на публічну інформацію', 7, 'СЕД', 'XLSX'],
  ['Електронні петиції', 7, 'Портал петицій', 'JSON'],
  ['Звіти про розгляд запитів на інформацію', 7, 'СЕД', 'DOCX'],
  ['Якість атмосферного повітря', 8, 'Станції моніторингу', 'CSV'],
  ['Зелені насадження', 8, 'Реєстр зелених насаджень', 'SHP'],
  ['Контейнерні майданчики для відходів', 8, 'ГІС міста', 'GeoJSON'],
  ['Громадські вбиральні', 8, 'Таблиці управління', 'XLSX'],
  ['Дозволи на видалення дерев', 8, 'СЕД', 'PDF'],
  ['Рівень шуму', 8, 'Станції моніторингу', 'CSV'],
  ['Земельні ділянки комунальної власності', 9, 'Облік земель', 'SHP'],
  ['Орендарі земельних ділянок', 9, 'Облік земель', 'XLSX'],
  ['Ділянки, запропоновані для забудови', 9, 'ГІС міста', 'SHP'],
  ['Нормативна грошова оцінка земель', 9, 'Технічна документація', 'PDF'],
  ['Земельні торги', 9, 'Prozorro.Продажі', 'JSON'],
  ['Рішення міської ради', 7, 'СЕД', 'DOCX'],
  ['Рішення виконавчого комітету', 7, 'СЕД', 'DOCX'],
  ['Розпорядження міського голови', 7, 'СЕД', 'DOCX'],
  ['Регуляторні акти та їх відстеження', 0, 'СЕД', 'DOCX'],
  ['Структура виконавчих органів', 7, 'Кадровий облік', 'DOCX'],
  ['Титульні списки ремонтів і благоустрою', 2, 'Таблиці управління', 'XLSX'],
  ['Об’єкти та засоби торгівлі', 3, 'Реєстр дозволів', 'XLSX'],
  ['Ярмарки та їх організатори', 3, 'Реєстр дозволів', 'XLSX'],
  ['Громадський бюджет: проєкти та голосування', 0, 'Платформа громадського бюджету', 'JSON'],
];

/** Which demo entries are published (as which demo dataset), restricted (why) or planned. */
const DEMO_PUBLISHED: Record<string, string> = {
  'Виконання міського бюджету': 'lviv-budget-2024',
  'Зупинки громадського транспорту': 'lviv-public-transport-stops',
};
const DEMO_RESTRICTED: Record<string, string> = {
  'Пільгові категорії населення':
    'Персональні дані отримувачів пільг (Закон України «Про захист персональних даних», ст. 7); оприлюднюється лише знеособлена статистика.',
  'Отримувачі житлових субсидій': 'Персональні дані (Закон України «Про захист персональних даних», ст. 7).',
  'Медичні працівники закладів': 'Персональні дані працівників (Закон України «Про захист персональних даних»).',
  'Квартирна черга': 'Персональні дані заявників; оприлюднюється лише кількість у черзі.',
};

/** A demo register of 60 entries for one city: some published, some restricted, some planned (a few overdue). */
export async function seedDemoInventory(db: Queryable, actor: Actor, citySlug: string, now: Date): Promise<void> {
  const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [citySlug]);
  if (!city) return;
  for (const [index, [name, unit, system, format]] of DEMO_INVENTORY.entries()) {
    const restricted = DEMO_RESTRICTED[name];
    const dataset = DEMO_PUBLISHED[name];
    // Every fourth of the rest is planned, spread from two months ago to four months ahead.
    const planned = !restricted && !dataset && index % 4 === 1;
    const plannedOn = new Date(now.getTime() + (index * 5 - 60) * 86_400_000).toISOString().slice(0, 10);
    await saveInventoryItem(
      db,
      actor,
      city.id,
      {
        name,
        description: '',
        unit: UNITS[unit]!,
        contact: 'opendata@lviv.example',
        system,
        format,
        personal_data: restricted !== undefined,
        legal_limits: restricted ? 'Закон України «Про захист персональних даних», ст. 7' : '',
        demand: (index * 7) % 4,
        impact: (index * 5 + 1) % 4,
        readiness: ['XLSX', 'CSV', 'JSON', 'GeoJSON', 'GTFS'].includes(format) ? 3 : format === 'PDF' ? 0 : 1,
        status: restricted ? 'restricted' : dataset ? 'published' : planned ? 'planned' : 'not_published',
        planned_on: planned ? plannedOn : null,
        responsible_name: planned ? 'Олена Коваль' : null,
        responsible_email: planned ? 'olena.koval@lviv.example' : null,
        dataset: dataset ?? null,
        restriction_reason: restricted ?? null,
        mandatory_code: null,
      },
      null,
      now,
    );
  }
}
