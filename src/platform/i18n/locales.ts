// Texts shown to people come from locales/{uk,en,bg}.json. A message is a string with
// {placeholders}, or an object of plural forms chosen by Intl.PluralRules ({one, few, many, other}).
import fs from 'node:fs';
import path from 'node:path';

export const LOCALES = ['uk', 'en', 'bg'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'uk';

/** The language names as their speakers write them, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { uk: 'Українська', en: 'English', bg: 'Български' };
/** The same names shortened for a phone's header, each the start of its full name (which screen readers hear). */
export const LOCALE_SHORT_NAMES: Record<Locale, string> = { uk: 'Укр', en: 'Eng', bg: 'Бълг' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

type Messages = { [key: string]: string | Messages };
export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

const LOCALES_DIR = path.resolve(import.meta.dirname, '../../../locales');

function readCatalog(file: string): Messages {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Messages;
}

/**
 * locales/{locale}.json, plus locales/<module>/{locale}.json for each module that keeps its texts
 * beside the shared ones (open budget, procurement, ...): a module's top-level keys are its own, and
 * a key defined twice is an error at start-up rather than a silent override.
 */
function load(locale: Locale): Messages {
  const messages = readCatalog(path.join(LOCALES_DIR, `${locale}.json`));
  const moduleDirs = fs
    .readdirSync(LOCALES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const dir of moduleDirs) {
    const file = path.join(LOCALES_DIR, dir, `${locale}.json`);
    for (const [key, value] of Object.entries(readCatalog(file))) {
      if (key in messages) throw new Error(`${file}: the key "${key}" is already defined in another locale file`);
      messages[key] = value;
    }
  }
  return messages;
}

const catalogs: Record<Locale, Messages> = { uk: load('uk'), en: load('en'), bg: load('bg') };

function lookup(messages: Messages, key: string): string | Messages | undefined {
  let node: string | Messages | undefined = messages;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return node;
}

const pluralRules = new Map<Locale, Intl.PluralRules>();
const numberFormats = new Map<Locale, Intl.NumberFormat>();

export function formatNumber(locale: Locale, value: number): string {
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale)));
  return format.format(value);
}

const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();

export function formatDateTime(locale: Locale, value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  let format = dateTimeFormats.get(locale);
  if (!format)
    dateTimeFormats.set(
      locale,
      (format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Kyiv' })),
    );
  return format.format(date);
}

/** A calendar date (YYYY-MM-DD, no time of day) in the reader's language. */
export function formatDate(locale: Locale, isoDate: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );
}

function interpolate(locale: Locale, text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = params[name];
    if (value === undefined) return match;
    return typeof value === 'number' ? formatNumber(locale, value) : value;
  });
}

/** Looks a message up in the locale, falling back to Ukrainian, then to the key itself. */
export function translator(locale: Locale): Translate {
  return (key, params) => {
    let message = lookup(catalogs[locale], key) ?? lookup(catalogs[DEFAULT_LOCALE], key);
    if (message !== undefined && typeof message !== 'string') {
      const count = typeof params?.count === 'number' ? params.count : 0;
      let rules = pluralRules.get(locale);
      if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
      const form = message[rules.select(count)] ?? message.other;
      message = typeof form === 'string' ? form : undefined;
    }
    return message === undefined ? key : interpolate(locale, message, params);
  };
}

/** Every key path present in a catalog, for the test that keeps the three files in step. */
export function messageKeys(locale: Locale): string[] {
  const keys: string[] = [];
  const walk = (node: Messages, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (typeof value === 'string' || ['one', 'few', 'many', 'other'].some((form) => form in value)) keys.push(key);
      else walk(value, key);
    }
  };
  walk(catalogs[locale], '');
  return keys.sort();
}
