// The classification lists: hierarchy by each classification's own rule, names in three
// languages, the version in force for a year, and lookups by year.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CLASSIFICATIONS,
  classificationLists,
  isWellFormedCode,
  listVersion,
  lookupCode,
  parentOf,
} from './classifications.ts';

test('every kind has at least one list with a source, a validFrom and a coverage note', () => {
  for (const kind of CLASSIFICATIONS) {
    const lists = classificationLists(kind);
    assert.ok(lists.length > 0, kind);
    for (const list of lists) {
      assert.match(list.validFrom, /^\d{4}-\d{2}-\d{2}$/);
      assert.match(list.source, /Мінфіну|Міністерства фінансів/, `${list.id} names the Ministry of Finance order`);
      assert.match(list.source, /№\s*\d+/, `${list.id} names the order number`);
      assert.ok(list.coverage.length > 20, `${list.id} says what it covers`);
      assert.ok(list.entries.size > 0, list.id);
    }
  }
});

test('every entry has a non-empty name in uk, en and bg, and a code of its classification shape', () => {
  for (const kind of CLASSIFICATIONS) {
    for (const list of classificationLists(kind)) {
      for (const entry of list.entries.values()) {
        assert.ok(isWellFormedCode(kind, entry.code), `${list.id} ${entry.code}`);
        for (const lang of ['uk', 'en', 'bg'] as const) {
          assert.ok(entry.name[lang].trim().length > 0, `${list.id} ${entry.code} ${lang}`);
        }
        // Ukrainian names are in Cyrillic, English ones are not.
        assert.match(entry.name.uk, /[А-ЯІЇЄҐа-яіїєґ]/, `${list.id} ${entry.code} uk`);
        assert.doesNotMatch(entry.name.en, /[А-Яа-я]/, `${list.id} ${entry.code} en`);
        assert.match(entry.name.bg, /[А-Яа-я]/, `${list.id} ${entry.code} bg`);
      }
    }
  }
});

test("every entry's parent exists in the same list, and parentOf chains end at null", () => {
  for (const kind of CLASSIFICATIONS) {
    for (const list of classificationLists(kind)) {
      for (const entry of list.entries.values()) {
        assert.equal(entry.parent, parentOf(kind, entry.code));
        if (entry.parent !== null) {
          assert.ok(list.entries.has(entry.parent), `${list.id}: parent ${entry.parent} of ${entry.code} is missing`);
        }
        const seen = new Set<string>();
        let code: string | null = entry.code;
        while (code !== null) {
          assert.ok(!seen.has(code), `${list.id}: cycle at ${code}`);
          seen.add(code);
          code = parentOf(kind, code);
        }
        assert.ok(seen.size <= 5, `${list.id}: ${entry.code} is at most 5 levels deep`);
      }
    }
  }
});

test('parentOf follows each classification rule, also for codes not in any list', () => {
  assert.equal(parentOf('income', '11010100'), '11010000');
  assert.equal(parentOf('income', '11010000'), '11000000');
  assert.equal(parentOf('income', '11000000'), '10000000');
  assert.equal(parentOf('income', '10000000'), null);
  assert.equal(parentOf('income', '41051000'), '41050000');
  assert.equal(parentOf('income', '99990101'), '99990100', 'an unknown code still has a parent');
  assert.equal(parentOf('economic', '2111'), '2110');
  assert.equal(parentOf('economic', '2110'), '2100');
  assert.equal(parentOf('economic', '2100'), '2000');
  assert.equal(parentOf('economic', '2000'), null);
  assert.equal(parentOf('economic', '3122'), '3120');
  assert.equal(parentOf('credit', '4112'), '4110');
  assert.equal(parentOf('functional', '0111'), '0110');
  assert.equal(parentOf('functional', '0110'), '0100');
  assert.equal(parentOf('functional', '0100'), null);
  assert.equal(parentOf('functional', '1010'), '1000');
  assert.equal(parentOf('program', '1021'), '1000');
  assert.equal(parentOf('program', '7461'), '7000');
  assert.equal(parentOf('program', '0160'), '0100');
  assert.equal(parentOf('program', '0100'), null);
  assert.equal(parentOf('program', '9000'), null);
  assert.equal(parentOf('program', '0611021'), '1021', 'a local programme belongs to its typical programme');
  assert.equal(parentOf('program', '0610000'), '0600000');
  assert.equal(parentOf('program', '0600000'), null);
  assert.equal(parentOf('financing', '208400'), '208000');
  assert.equal(parentOf('financing', '201110'), '201100');
  assert.equal(parentOf('financing', '201000'), '200000');
  assert.equal(parentOf('financing', '200000'), null);
  // Codes of the wrong shape have no place in the hierarchy.
  assert.equal(parentOf('economic', '21110'), null);
  assert.equal(parentOf('income', '1101010A'), null);
  assert.equal(parentOf('program', '10210'), null);
});

test('listVersion picks the list in force on 1 January of the year', () => {
  assert.equal(listVersion('economic', 2015).id, 'kekv-2013');
  assert.equal(listVersion('economic', 2016).id, 'kekv-2016');
  assert.equal(listVersion('economic', 2020).id, 'kekv-2019');
  assert.equal(listVersion('economic', 2025).id, 'kekv-2021');
  assert.equal(listVersion('economic', 2025).validFrom, '2021-01-01');
  assert.match(listVersion('economic', 2025).source, /№ 615/);
  assert.equal(listVersion('functional', 2019).id, 'kfkvk-2013');
  assert.equal(listVersion('functional', 2023).id, 'kfkvk-2021');
  assert.equal(listVersion('functional', 2024).id, 'kfkvk-2024');
  // Before the oldest list, the oldest is used.
  assert.equal(listVersion('economic', 2005).id, 'kekv-2013');
});

test('lookupCode answers from the list in force that year', () => {
  assert.equal(lookupCode('economic', '2111', 2024)?.name.uk, 'Заробітна плата');
  assert.equal(lookupCode('economic', '2111', 2024)?.parent, '2110');
  // 2276 (energy performance contracts) exists from 2016; 2113 (judges) from 2021.
  assert.equal(lookupCode('economic', '2276', 2015), undefined);
  assert.ok(lookupCode('economic', '2276', 2016));
  assert.equal(lookupCode('economic', '2113', 2020), undefined);
  assert.equal(lookupCode('economic', '2113', 2021)?.name.en, "Judges' remuneration");
  // A renamed code has the name of its year.
  assert.equal(lookupCode('economic', '2275', 2018)?.name.uk, 'Оплата інших енергоносіїв');
  assert.equal(lookupCode('economic', '2275', 2019)?.name.uk, 'Оплата інших енергоносіїв та інших комунальних послуг');
  assert.equal(lookupCode('functional', '0921', 2019)?.name.uk, 'Загальноосвітні навчальні заклади');
  assert.equal(lookupCode('functional', '0921', 2020)?.name.uk, 'Заклади загальної середньої освіти');
  assert.equal(lookupCode('income', '11010100', 2024)?.parent, '11010000');
  assert.equal(lookupCode('financing', '208400', 2024)?.parent, '208000');
  // Unknown codes stay unknown.
  assert.equal(lookupCode('income', '99999999', 2024), undefined);
  assert.equal(lookupCode('economic', 'abcd', 2024), undefined);
});

test('a 7-digit local programme code takes the name of its typical programme', () => {
  const entry = lookupCode('program', '0611021', 2024);
  assert.equal(entry?.code, '0611021');
  assert.equal(entry?.parent, '1021');
  assert.equal(entry?.name.uk, lookupCode('program', '1021', 2024)?.name.uk);
  assert.equal(lookupCode('program', '0610000', 2024), undefined, 'spending-unit rows are city-specific');
  assert.equal(lookupCode('program', '0619999', 2024), undefined);
});
