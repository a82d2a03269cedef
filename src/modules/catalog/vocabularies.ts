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
  /** The licence's own canonical address, or '' for a generic one ("other (open)"). */
  url: string;
  /** Whether it meets the Open Definition (CKAN's od_conformance "approved"). */
  open: boolean;
  /** The id of this licence, or of the licence family it belongs to, in CKAN's default licence register. */
  ckanId: string;
  /** The url CKAN's default licence register gives that id ('' where CKAN gives none). */
  ckanUrl: string;
  /** CKAN's is_generic: a kind of licence rather than one text. */
  generic?: boolean;
}

/**
 * The licences a dataset may carry. The first six are the catalog's own; the rest are CKAN's default
 * licence register (ckan/model/license.py: ids, titles, urls and od_conformance as CKAN gives them)
 * for the ids that name no licence of the catalog, so that CKAN clients and harvested datasets keep
 * their licence. CKAN's cc-by and cc-by-sa carry no version, so they stay distinct from the 4.0
 * licences; cc-zero, odc-odbl and odc-pddl have one version only and are the catalog's CC0-1.0,
 * ODbL-1.0 and PDDL-1.0 (see licenceFor).
 */
export const LICENCES: Licence[] = [
  {
    id: 'CC-BY-4.0',
    title: 'Creative Commons Attribution 4.0',
    url: 'https://creativecommons.org/licenses/by/4.0/',
    open: true,
    ckanId: 'cc-by',
    ckanUrl: 'http://www.opendefinition.org/licenses/cc-by',
  },
  {
    id: 'CC-BY-SA-4.0',
    title: 'Creative Commons Attribution Share-Alike 4.0',
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
    open: true,
    ckanId: 'cc-by-sa',
    ckanUrl: 'http://www.opendefinition.org/licenses/cc-by-sa',
  },
  {
    id: 'CC0-1.0',
    title: 'Creative Commons CC0 1.0',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    open: true,
    ckanId: 'cc-zero',
    ckanUrl: 'http://www.opendefinition.org/licenses/cc-zero',
  },
  {
    id: 'ODbL-1.0',
    title: 'Open Data Commons Open Database License 1.0',
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
    open: true,
    ckanId: 'odc-odbl',
    ckanUrl: 'http://www.opendefinition.org/licenses/odc-odbl',
  },
  {
    id: 'PDDL-1.0',
    title: 'Open Data Commons Public Domain Dedication and License 1.0',
    url: 'https://opendatacommons.org/licenses/pddl/1-0/',
    open: true,
    ckanId: 'odc-pddl',
    ckanUrl: 'http://www.opendefinition.org/licenses/odc-pddl',
  },
  {
    id: 'other-closed',
    title: 'Other (Not Open)',
    url: '',
    open: false,
    ckanId: 'other-closed',
    ckanUrl: '',
    generic: true,
  },
  // CKAN's default register, the ids that are no licence above.
  ...(
    [
      ['notspecified', 'License not specified', '', false, true],
      ['odc-by', 'Open Data Commons Attribution License', 'http://www.opendefinition.org/licenses/odc-by', true, false],
      ['cc-by', 'Creative Commons Attribution', 'http://www.opendefinition.org/licenses/cc-by', true, false],
      [
        'cc-by-sa',
        'Creative Commons Attribution Share-Alike',
        'http://www.opendefinition.org/licenses/cc-by-sa',
        true,
        false,
      ],
      ['gfdl', 'GNU Free Documentation License', 'http://www.opendefinition.org/licenses/gfdl', true, false],
      ['other-open', 'Other (Open)', '', true, true],
      ['other-pd', 'Other (Public Domain)', '', true, true],
      ['other-at', 'Other (Attribution)', '', true, true],
      [
        'uk-ogl',
        'UK Open Government Licence (OGL)',
        'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/',
        true,
        false,
      ],
      [
        'cc-nc',
        'Creative Commons Non-Commercial (Any)',
        'http://creativecommons.org/licenses/by-nc/2.0/',
        false,
        false,
      ],
      ['other-nc', 'Other (Non-Commercial)', '', false, true],
    ] as const
  ).map(([id, title, url, open, generic]) => ({ id, title, url, open, ckanId: id, ckanUrl: url, generic })),
];
export const LICENCE_IDS = LICENCES.map((l) => l.id);
export const licence = (id: string | null | undefined) => LICENCES.find((l) => l.id === id);

/**
 * The licence a client means by an id: one of ours by its id, else the one whose CKAN id it is
 * (cc-zero is CC0-1.0). Undefined for an id neither knows.
 */
export const licenceFor = (id: string) => licence(id) ?? LICENCES.find((l) => l.ckanId === id);

/** Formats that the metadata quality score counts as open and machine-readable. */
export const OPEN_FORMATS = ['CSV', 'TSV', 'JSON', 'GEOJSON', 'XML', 'ODS', 'RDF', 'TTL', 'JSONLD', 'KML', 'GPX'];
