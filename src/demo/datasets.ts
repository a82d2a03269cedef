// Demo datasets: what Ukrainian cities typically publish. Most resource links point at example
// addresses (clearly not real files); the city list is served by this platform, and three
// resources are demo files loaded into the DataStore (see files.ts).
import type { Frequency } from '../modules/catalog/vocabularies.ts';
import { budgetRevenueXlsx, budgetSpendingCsv, transportStopsGeoJson } from './files.ts';

interface DemoDataset {
  name: string;
  city: string;
  title: { uk: string; en: string; bg: string };
  description: { uk: string; en: string; bg: string };
  license: string;
  themes: string[];
  keywords: string[];
  frequency: Frequency;
  contact?: string;
  temporal?: [string, string];
  spatial?: string;
  state?: 'draft' | 'published' | 'private';
  /** When the data last changed, to show an overdue dataset. */
  dataUpdated?: string;
  /** A resource with `file` is uploaded and loaded into the DataStore when the seed has a data folder. */
  resources: {
    name: string;
    url: string;
    format: string;
    file?: { name: string; content: () => Uint8Array | Promise<Uint8Array> };
  }[];
}

export const DEMO_DATASETS: DemoDataset[] = [
  {
    name: 'lviv-budget-2024',
    city: 'lviv',
    title: {
      uk: 'Бюджет Львівської міської територіальної громади на 2024 рік',
      en: 'Lviv city budget 2024',
      bg: 'Бюджет на Лвов за 2024 г.',
    },
    description: {
      uk: 'Затверджені доходи та видатки бюджету громади за програмною класифікацією, з усіма змінами протягом року. Демонстраційні дані.',
      en: 'Approved revenue and spending of the city budget by programme classification, with all changes during the year. Demo data.',
      bg: 'Утвърдени приходи и разходи на общинския бюджет по програмна класификация, с всички промени през годината. Демонстрационни данни.',
    },
    license: 'CC-BY-4.0',
    themes: ['ECON', 'GOVE'],
    keywords: ['бюджет', 'видатки', 'доходи', '2024'],
    frequency: 'MONTHLY',
    contact: 'opendata@lviv.example',
    temporal: ['2024-01-01', '2024-12-31'],
    spatial: 'Львівська міська територіальна громада',
    resources: [
      {
        name: 'Видатки бюджету (CSV)',
        url: 'https://data.lviv.example/budget-2024-spending.csv',
        format: 'CSV',
        file: { name: 'budget-2024-spending.csv', content: budgetSpendingCsv },
      },
      {
        name: 'Доходи бюджету (XLSX)',
        url: 'https://data.lviv.example/budget-2024-revenue.xlsx',
        format: 'XLSX',
        file: { name: 'budget-2024-revenue.xlsx', content: budgetRevenueXlsx },
      },
    ],
  },
  {
    name: 'lviv-public-transport-stops',
    city: 'lviv',
    title: {
      uk: 'Зупинки громадського транспорту Львова',
      en: 'Lviv public transport stops',
      bg: 'Спирки на градския транспорт в Лвов',
    },
    description: {
      uk: 'Координати, назви та маршрути всіх зупинок міського громадського транспорту. Демонстраційні дані.',
      en: 'Coordinates, names and routes of all public transport stops in the city. Demo data.',
      bg: 'Координати, имена и маршрути на всички спирки на градския транспорт. Демонстрационни данни.',
    },
    license: 'CC0-1.0',
    themes: ['TRAN', 'REGI'],
    keywords: ['транспорт', 'зупинки', 'GTFS'],
    frequency: 'QUARTERLY',
    contact: 'opendata@lviv.example',
    spatial: 'Львів',
    resources: [
      {
        name: 'Зупинки (GeoJSON)',
        url: 'https://data.lviv.example/stops.geojson',
        format: 'GEOJSON',
        file: { name: 'stops.geojson', content: transportStopsGeoJson },
      },
    ],
  },
  {
    name: 'lviv-council-decisions-draft',
    city: 'lviv',
    state: 'draft',
    title: {
      uk: 'Рішення виконавчого комітету (чернетка)',
      en: 'Executive committee decisions (draft)',
      bg: 'Решения на изпълнителния комитет (чернова)',
    },
    description: {
      uk: 'Набір готується до публікації.',
      en: 'Being prepared for publication.',
      bg: 'Подготвя се за публикуване.',
    },
    license: 'CC-BY-4.0',
    themes: ['GOVE'],
    keywords: ['рішення'],
    frequency: 'WEEKLY',
    resources: [],
  },
  {
    name: 'zhytomyr-procurement-2023',
    city: 'zhytomyr',
    title: {
      uk: 'Публічні закупівлі Житомирської міської ради 2023',
      en: 'Zhytomyr City Council public procurement 2023',
      bg: 'Обществени поръчки на Житомир 2023',
    },
    description: {
      uk: 'Перелік закупівель розпорядників бюджетних коштів міста: предмет, очікувана вартість, переможець, сума договору. Демонстраційні дані.',
      en: 'Procurement by the city’s budget holders: subject, expected value, winner, contract amount. Demo data.',
      bg: 'Обществени поръчки на разпоредителите с бюджетни средства: предмет, прогнозна стойност, изпълнител, сума на договора. Демонстрационни данни.',
    },
    license: 'CC-BY-4.0',
    themes: ['ECON', 'GOVE'],
    keywords: ['закупівлі', 'Prozorro', 'договори'],
    frequency: 'ANNUAL',
    contact: 'data@zt-rada.example',
    temporal: ['2023-01-01', '2023-12-31'],
    spatial: 'Житомир',
    resources: [
      { name: 'Закупівлі 2023 (CSV)', url: 'https://opendata.zt-rada.example/procurement-2023.csv', format: 'CSV' },
    ],
  },
  {
    name: 'vinnytsia-kindergartens',
    city: 'vinnytsia',
    title: { uk: 'Заклади дошкільної освіти Вінниці', en: 'Vinnytsia kindergartens', bg: 'Детски градини във Виница' },
    description: {
      uk: 'Адреси, кількість груп і місць, мова навчання, контакти дитячих садків міста. Демонстраційні дані.',
      en: 'Addresses, groups and places, language of instruction and contacts of the city’s kindergartens. Demo data.',
      bg: 'Адреси, групи и места, език на обучение и контакти на детските градини в града. Демонстрационни данни.',
    },
    license: 'CC-BY-4.0',
    themes: ['EDUC', 'SOCI'],
    keywords: ['освіта', 'дитячі садки'],
    frequency: 'ANNUAL',
    contact: 'opendata@vmr.example',
    spatial: 'Вінниця',
    dataUpdated: '2022-09-01T00:00:00Z',
    resources: [
      { name: 'Дитячі садки (JSON)', url: 'https://opendata.vmr.example/kindergartens.json', format: 'JSON' },
    ],
  },
  {
    name: 'mykolaiv-air-quality',
    city: 'mykolaiv',
    title: { uk: 'Якість повітря в Миколаєві', en: 'Air quality in Mykolaiv', bg: 'Качество на въздуха в Николаев' },
    description: {
      uk: 'Погодинні вимірювання PM2.5, PM10 та NO2 на станціях моніторингу міста. Демонстраційні дані.',
      en: 'Hourly PM2.5, PM10 and NO2 readings from the city’s monitoring stations. Demo data.',
      bg: 'Ежечасни измервания на PM2.5, PM10 и NO2 от станциите за мониторинг. Демонстрационни данни.',
    },
    license: 'ODbL-1.0',
    themes: ['ENVI', 'HEAL'],
    keywords: ['повітря', 'екологія', 'моніторинг'],
    frequency: 'DAILY',
    spatial: 'Миколаїв',
    dataUpdated: '2025-01-10T00:00:00Z',
    resources: [{ name: 'Вимірювання (CSV)', url: 'https://data.mkrada.example/air.csv', format: 'CSV' }],
  },
  {
    name: 'kyiv-petitions-2024',
    city: 'kyiv',
    title: {
      uk: 'Електронні петиції до Київської міської ради 2024',
      en: 'E-petitions to Kyiv City Council 2024',
      bg: 'Електронни петиции до Киевския градски съвет 2024',
    },
    description: {
      uk: 'Петиції, кількість підписів, статус розгляду та відповіді міської ради. Демонстраційні дані.',
      en: 'Petitions, signature counts, review status and the council’s responses. Demo data.',
      bg: 'Петиции, брой подписи, статус на разглеждане и отговори на съвета. Демонстрационни данни.',
    },
    license: 'CC-BY-4.0',
    themes: ['GOVE', 'SOCI'],
    keywords: ['петиції', 'участь'],
    frequency: 'MONTHLY',
    contact: 'opendata@kyivcity.example',
    temporal: ['2024-01-01', '2024-12-31'],
    spatial: 'Київ',
    resources: [{ name: 'Петиції (CSV)', url: 'https://data.kyivcity.example/petitions-2024.csv', format: 'CSV' }],
  },
  {
    name: 'hromada-cities',
    city: 'kyiv',
    title: {
      uk: 'Міста платформи «Громада»',
      en: 'Cities on the Hromada platform',
      bg: 'Градовете в платформата „Громада“',
    },
    description: {
      uk: 'Назви трьома мовами, області, населення та координати міст, представлених на платформі. Оновлюється разом із платформою.',
      en: 'Names in three languages, oblasts, population and coordinates of the cities on the platform. Updated with the platform.',
      bg: 'Имена на три езика, области, население и координати на градовете в платформата. Обновява се заедно с платформата.',
    },
    license: 'CC-BY-4.0',
    themes: ['REGI'],
    keywords: ['міста', 'громади'],
    frequency: 'IRREG',
    spatial: 'Україна',
    resources: [{ name: 'Міста (JSON, API)', url: '/api/v1/cities?limit=500', format: 'JSON' }],
  },
];
