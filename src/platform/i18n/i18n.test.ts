import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCALES, messageKeys, translator, formatNumber } from './locales.ts';
import { collationKey } from './collation.ts';
import { DEMO_CITIES } from '../../demo/cities.ts';

test('every locale file has exactly the same messages', () => {
  const uk = messageKeys('uk');
  for (const locale of LOCALES) assert.deepEqual(messageKeys(locale), uk, `${locale}.json differs from uk.json`);
});

test('Ukrainian plural forms: 1 місто, 3 міста, 5 міст, 21 місто', () => {
  const t = translator('uk');
  assert.equal(t('cities.found', { count: 1 }), 'Знайдено 1 місто');
  assert.equal(t('cities.found', { count: 3 }), 'Знайдено 3 міста');
  assert.equal(t('cities.found', { count: 5 }), 'Знайдено 5 міст');
  assert.equal(t('cities.found', { count: 21 }), 'Знайдено 21 місто');
  assert.equal(translator('en')('cities.found', { count: 1 }), '1 city found');
  assert.equal(translator('bg')('cities.found', { count: 2 }), 'Намерени са 2 града');
});

test('numbers are formatted for the reader', () => {
  assert.equal(formatNumber('en', 1234567), '1,234,567');
  assert.match(formatNumber('uk', 1234567), /^1\s234\s567$/u);
});

test('an unknown key shows the key rather than crashing', () => {
  assert.equal(translator('en')('no.such.key'), 'no.such.key');
});

test('collation keys sort city names like the Ukrainian and Bulgarian alphabets (Intl.Collator)', () => {
  for (const [locale, index] of [
    ['uk', 1],
    ['en', 2],
    ['bg', 3],
  ] as const) {
    const names = DEMO_CITIES.map((c) => c[index]);
    const collator = new Intl.Collator(locale, { sensitivity: 'base', ignorePunctuation: true });
    const expected = [...names].sort(collator.compare);
    const byKey = [...names].sort((a, b) => {
      const ka = collationKey(a, locale),
        kb = collationKey(b, locale);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    assert.deepEqual(byKey, expected, `order for ${locale}`);
  }
  // Code point order would put Ізмаїл after Ясиня; the key puts і between и and ї.
  assert.ok(collationKey('Ізмаїл', 'uk') < collationKey('Йосипівка', 'uk'));
  assert.ok(collationKey('Ґалаґан', 'uk') < collationKey('Дубно', 'uk'));
  assert.ok(collationKey('Євпаторія', 'uk') < collationKey('Житомир', 'uk'));
});
