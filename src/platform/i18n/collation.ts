// Sort keys that put names in the reader's alphabetical order when compared bytewise
// (COLLATE "C"), so ordering is identical on PGlite (C locale only) and any PostgreSQL server,
// and can be paginated in SQL. Unicode code point order is wrong for Ukrainian: є, і, ї, ґ
// come after я. Each letter of the locale's alphabet is mapped to consecutive code points.

import type { Locale } from './locales.ts';

const ALPHABETS: Record<Locale, string> = {
  uk: 'абвгґдеєжзиіїйклмнопрстуфхцчшщьюя',
  bg: 'абвгдежзийклмнопрстуфхцчшщъьюя',
  en: 'abcdefghijklmnopqrstuvwxyz',
};

const BASE = 0x0400; // letters of the alphabet become U+0401…; other Cyrillic goes after them

const tables = new Map<Locale, Map<string, string>>();
function table(locale: Locale): Map<string, string> {
  let map = tables.get(locale);
  if (!map) {
    map = new Map([...ALPHABETS[locale]].map((letter, index) => [letter, String.fromCharCode(BASE + 1 + index)]));
    tables.set(locale, map);
  }
  return map;
}

export function collationKey(text: string, locale: Locale): string {
  const letters = table(locale);
  let key = '';
  for (const char of text.normalize('NFC').toLocaleLowerCase(locale)) {
    if (char === "'" || char === '’' || char === 'ʼ' || char === '`') continue; // apostrophes are ignored
    if (char === '-' || char === '‑' || /\s/.test(char)) {
      if (!key.endsWith(' ')) key += ' ';
      continue;
    }
    const mapped = letters.get(char);
    if (mapped) key += mapped;
    else if (/[\u0400-\u04ff]/.test(char)) key += String.fromCodePoint(0x0500 + char.codePointAt(0)! - 0x0400);
    else key += char;
  }
  return key.trim();
}

/** Lower-cased, apostrophe-free text that searches are matched against (same on every engine). */
export function searchFold(text: string): string {
  return text
    .normalize('NFC')
    .toLocaleLowerCase('uk')
    .replace(/['’ʼ`]/g, '');
}
