// The controlled vocabularies of DCAT-AP that the catalog uses: EU data themes, EU update
// frequencies, and the licences a city may publish under. Labels live in the locale files
// (catalog.themes.*, catalog.frequencies.*); URIs are the official ones.

export const THEMES = [
  'AGRI',
  'ECON',
  'EDUC',
  'ENER',
  'ENVI',
  'GOVE',
  'HEAL',
  'INTR',
  'JUST',
  'REGI',
  'SOCI',
  'TECH',
  'TRAN',
] as const;
export type Theme = (typeof THEMES)[number];
export const themeUri = (theme: string) => `http://publications.europa.eu/resource/authority/data-theme/${theme}`;

/** Frequencies with the number of days after which a dataset that promised them is overdue. */
export const FREQUENCIES = {
  DAILY: 2,
  WEEKLY: 9,
  MONTHLY: 35,
  QUARTERLY: 100,
  BIANNUAL: 190,
  ANNUAL: 380,
  BIENNIAL: 745,
  IRREG: null,
  UNKNOWN: null,
  NEVER: null,
} as const satisfies Record<string, number | null>;
export type Frequency = keyof typeof FREQUENCIES;
export const FREQUENCY_CODES = Object.keys(FREQUENCIES) as Frequency[];
export const frequencyUri = (code: string) => `http://publications.europa.eu/resource/authority/frequency/${code}`;

export interface Licence {
  id: string;
  title: string;
  url: string;
  /** Whether it meets the Open Definition (CKAN's od_conformance). */
  open: boolean;
}

export const LICENCES: Licence[] = [
  {
    id: 'CC-BY-4.0',
    title: 'Creative Commons Attribution 4.0',
    url: 'https://creativecommons.org/licenses/by/4.0/',
    open: true,
  },
  {
    id: 'CC-BY-SA-4.0',
    title: 'Creative Commons Attribution Share-Alike 4.0',
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
    open: true,
  },
  {
    id: 'CC0-1.0',
    title: 'Creative Commons CC0 1.0',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    open: true,
  },
  {
    id: 'ODbL-1.0',
    title: 'Open Data Commons Open Database License 1.0',
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
    open: true,
  },
  {
    id: 'PDDL-1.0',
    title: 'Open Data Commons Public Domain Dedication and License 1.0',
    url: 'https://opendatacommons.org/licenses/pddl/1-0/',
    open: true,
  },
  { id: 'other-closed', title: 'Other (not open)', url: '', open: false },
];
export const LICENCE_IDS = LICENCES.map((l) => l.id);
export const licence = (id: string) => LICENCES.find((l) => l.id === id);

/** Formats that the metadata quality score counts as open and machine-readable. */
export const OPEN_FORMATS = ['CSV', 'TSV', 'JSON', 'GEOJSON', 'XML', 'ODS', 'RDF', 'TTL', 'JSONLD', 'KML', 'GPX'];
