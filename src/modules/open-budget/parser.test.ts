// The Treasury file reader: the real format's quirks, and every problem the report names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBudgetFile, type FileKind } from './parser.ts';
import { incomesFile, programExpensesFile } from '../../demo/open-budget.ts';

const INCOMES: FileKind = { item: 'INCOMES', classification: '' };
const PROGRAM: FileKind = { item: 'EXPENSES', classification: 'PROGRAM' };
const HEADER = 'REP_PERIOD;FUND_TYP;COD_BUDGET;COD_INCO;NAME_INC;ZAT_AMT;PLANS_AMT;FAKT_AMT';
const bytes = (text: string) => new TextEncoder().encode(text);
const problems = (report: { severity: string; problem: string }[], severity = 'error') =>
  report.filter((r) => r.severity === severity).map((r) => r.problem);

test('a generated incomes file reads clean: parents kept but not leaves, sections from the top code', () => {
  const file = incomesFile('13201100000', 2025, 3, 1_000_000);
  const parsed = parseBudgetFile(bytes(file.text), 'inc.csv', INCOMES, 2025);
  assert.deepEqual(problems(parsed.report), []);
  assert.deepEqual(
    problems(parsed.report, 'warning').filter((p) => p !== 'unknown_code' && p !== 'more'),
    [],
  );
  assert.equal(parsed.facts.length, file.rows);
  assert.deepEqual(parsed.months, [1, 2, 3]);
  const pit = parsed.facts.find((f) => f.code === '11010000' && f.month === 1 && f.fund === 'T')!;
  assert.equal(pit.isLeaf, false);
  const leaf = parsed.facts.find((f) => f.code === '11010100' && f.month === 1 && f.fund === 'T')!;
  assert.equal(leaf.isLeaf, true);
  assert.equal(leaf.sectionCode, '10000000');
  assert.equal(parsed.encoding, 'utf-8');
});

test('windows-1251, quotes with ; and "" inside, CRLF: read as written', () => {
  const text = `${HEADER}\r\n01.2025;T;13201100000;11010100;"ПДФО; ""зарплата""";100.50;10.25;9.75\r\n`;
  const cp1251 = Buffer.from(
    [...text].map((ch) => {
      const code = ch.charCodeAt(0);
      if (code < 128) return code;
      const map: Record<string, number> = {
        П: 0xcf,
        Д: 0xc4,
        Ф: 0xd4,
        О: 0xce,
        з: 0xe7,
        а: 0xe0,
        р: 0xf0,
        п: 0xef,
        л: 0xeb,
        т: 0xf2,
      };
      return map[ch]!;
    }),
  );
  const parsed = parseBudgetFile(cp1251, 'inc.csv', INCOMES);
  assert.deepEqual(problems(parsed.report), []);
  assert.equal(parsed.encoding, 'windows-1251');
  assert.equal(parsed.facts[0]!.name, 'ПДФО; "зарплата"');
  assert.equal(parsed.facts[0]!.planYear, '100.50');
});

test('errors name the row and column: text in amounts, comma decimals, bad period, fund, duplicates, missing column', () => {
  const text = [
    HEADER,
    '01.2025;T;13201100000;11010100;"a";abc;1.00;1.00',
    '01.2025;T;13201100000;11010400;"b";1,50;1.00;1.00',
    '13.2025;T;13201100000;11010500;"c";1.00;1.00;1.00',
    '01.2025;X;13201100000;11010500;"c";1.00;1.00;1.00',
    '02.2025;T;13201100000;11010500;"c";1.00;1.00;1.00',
    '02.2025;T;13201100000;11010500;"c";1.00;1.00;1.00',
  ].join('\r\n');
  const { report } = parseBudgetFile(bytes(text), 'bad.csv', INCOMES);
  const find = (problem: string) => report.find((r) => r.problem === problem);
  assert.deepEqual(find('not_a_number'), {
    severity: 'error',
    problem: 'not_a_number',
    file: 'bad.csv',
    row: 2,
    column: 'ZAT_AMT',
    params: { value: 'abc' },
  });
  assert.equal(report.filter((r) => r.problem === 'not_a_number')[1]!.row, 3);
  assert.equal(find('bad_period')!.row, 4);
  assert.equal(find('bad_fund')!.column, 'FUND_TYP');
  assert.deepEqual(find('duplicate_row')!.params, { first: 6 });
  assert.equal(find('duplicate_row')!.row, 7);

  const missing = parseBudgetFile(
    bytes('REP_PERIOD;FUND_TYP;COD_BUDGET;COD_INCO;ZAT_AMT;PLANS_AMT\r\n'),
    'm.csv',
    INCOMES,
  );
  assert.deepEqual(
    missing.report.map((r) => [r.problem, r.column]),
    [['missing_column', 'FAKT_AMT']],
  );
});

test('the wrong item for the chosen kind is named', () => {
  const file = programExpensesFile('13201100000', 2025, 1, 1_000_000, 2);
  const { report, facts } = parseBudgetFile(bytes(file.text), 'exp.csv', INCOMES);
  assert.equal(facts.length, 0);
  assert.deepEqual(report[0]!.params, { chosen: 'INCOMES', found: 'EXPENSES' });
  const ok = parseBudgetFile(bytes(file.text), 'exp.csv', PROGRAM, 2025);
  assert.deepEqual(problems(ok.report), []);
  assert.equal(ok.facts.length, file.rows);
});

test('mixed encodings are refused: UTF-8 text with windows-1251 bytes in it', () => {
  const utf8 = Buffer.from(`${HEADER}\r\n01.2025;T;13201100000;11010100;"Податок на доходи";1.00;1.00;1.00\r\n`);
  const mixed = Buffer.concat([
    utf8,
    Buffer.from('01.2025;C;13201100000;11010100;"'),
    Buffer.from([0xcf, 0xee, 0xe4]),
    Buffer.from('";1.00;1.00;1.00\r\n'),
  ]);
  const { report } = parseBudgetFile(mixed, 'mixed.csv', INCOMES);
  assert.deepEqual(problems(report), ['mixed_encoding']);
});

test('warnings: T ≠ C + S, a falling cumulative figure, a missing month, a parent that is not the sum of its children, unknown codes', () => {
  const text = [
    HEADER,
    '01.2025;C;13201100000;11010100;"a";100.00;10.00;10.00',
    '01.2025;S;13201100000;11010100;"a";50.00;5.00;5.00',
    '01.2025;T;13201100000;11010100;"a";150.00;15.00;16.00',
    '01.2025;T;13201100000;11010000;"parent";150.00;15.00;99.00',
    '03.2025;T;13201100000;11010100;"a";150.00;15.00;12.00',
  ].join('\r\n');
  const { report, facts } = parseBudgetFile(bytes(text), 'w.csv', INCOMES);
  const warnings = problems(report, 'warning');
  for (const w of ['t_not_c_plus_s', 'cumulative_falls', 'missing_period', 'parent_not_sum'])
    assert.ok(warnings.includes(w), `${w} in ${warnings}`);
  assert.equal(report.find((r) => r.problem === 't_not_c_plus_s')!.column, 'FAKT_AMT');
  assert.equal(report.find((r) => r.problem === 'cumulative_falls')!.row, 6);
  assert.deepEqual(report.find((r) => r.problem === 'missing_period')!.params, { period: '02.2025' });
  assert.equal(report.find((r) => r.problem === 'parent_not_sum')!.row, 5);
  assert.equal(facts.length, 5, 'warnings keep every row');
});

// Financing and lending, in the columns of the Treasury's files (rows as in Lviv's and Dnipro's
// files of January–February 2021, seen in atsokol/openbudget-data-update data/credits.csv and
// data/debts.csv, written back in the Treasury's own format).
const CREDITS: FileKind = { item: 'CREDITS', classification: 'CREDIT' };
const DEBTS: FileKind = { item: 'FINANCING_DEBTS', classification: '' };
const CREDITOR: FileKind = { item: 'FINANCING_CREDITOR', classification: '' };
const CREDITS_HEADER =
  'REP_PERIOD;FUND_TYP;COD_BUDGET;COD_CRED_KK;COD_CRED_KK_NAME;ZAT_AMT;PLANS_AMT;FAKT_AMT;FAKTBN_AMT;DONE_CORR_YEAR_PCT';
const DEBTS_HEADER = 'REP_PERIOD;FUND_TYP;COD_BUDGET;COD_FINA;NAME_FIN;ZAT_AMT;FAKT_AMT;DONE_CORR_YEAR_PCT';

test('a CREDITS file: granting and repayment read, repayments growing in size do not "fall"', () => {
  const text = [
    CREDITS_HEADER,
    '01.2021;T;13563000000;4113;"Надання інших внутрішніх кредитів";18751000;18751000;0;;0',
    '01.2021;T;13563000000;4123;"Повернення інших внутрішніх кредитів";-2251000;0;-108938.62;;4.84',
    '02.2021;T;13563000000;4113;"Надання інших внутрішніх кредитів";18751000;18751000;0;;0',
    '02.2021;T;13563000000;4123;"Повернення інших внутрішніх кредитів";-2251000;0;-213698.18;;9.49',
    '',
  ].join('\r\n');
  const parsed = parseBudgetFile(bytes(text), 'credits.csv', CREDITS, 2021);
  assert.deepEqual(problems(parsed.report), []);
  assert.deepEqual(problems(parsed.report, 'warning'), []);
  assert.equal(parsed.facts.length, 4);
  const repaid = parsed.facts.find((f) => f.code === '4123' && f.month === 2)!;
  assert.equal(repaid.executed, '-213698.18');
  assert.equal(repaid.sectionCode, '4000');
  // A repayment that shrinks is a cumulative figure that falls.
  const shrinking = parseBudgetFile(bytes(text.replace('-213698.18', '-100000.00')), 'credits.csv', CREDITS, 2021);
  assert.deepEqual(
    shrinking.report.map((r) => [r.problem, r.row, r.column]),
    [['cumulative_falls', 5, 'FAKT_AMT']],
  );
});

test('a FINANCING_DEBTS file: no PLANS_AMT, balances not summed as children, section rows required', () => {
  const rows = [
    // Dnipro, January 2021, total fund (debt operations and the change of balances).
    '01.2021;T;04576000000;400000;"Фінансування за борговими операціями";-644140386;-46616649.67;7.24',
    '01.2021;T;04576000000;401000;"Запозичення";33004656;9807920;29.72',
    '01.2021;T;04576000000;402000;"Погашення";-677145042;-56424569.67;8.33',
    '01.2021;T;04576000000;600000;"Фінансування за активними операціями";0;-463177313.42;',
    '01.2021;T;04576000000;602000;"Зміни обсягів бюджетних коштів";0;-463177313.42;',
    '01.2021;T;04576000000;602100;"На початок періоду";0;239716880.27;',
    '01.2021;T;04576000000;602200;"На кінець періоду";0;780622669.71;',
    '01.2021;T;04576000000;602300;"Інші розрахунки";0;77728476.02;',
  ];
  const text = `${[DEBTS_HEADER, ...rows].join('\r\n')}\r\n`;
  const parsed = parseBudgetFile(bytes(text), 'debts.csv', DEBTS, 2021);
  assert.deepEqual(problems(parsed.report), []);
  // 602000 = 602100 − 602200 + 602300 is no "parent not the sum of its children".
  assert.deepEqual(problems(parsed.report, 'warning'), []);
  const section = parsed.facts.find((f) => f.code === '400000')!;
  assert.equal(section.planPeriod, null);
  assert.equal(section.sectionCode, '400000');
  assert.equal(parsed.facts.find((f) => f.code === '602100')!.sectionCode, '600000');

  // Without its section row a section has no total: reported.
  const noSection = parseBudgetFile(
    bytes(`${[DEBTS_HEADER, ...rows.filter((r) => !r.includes(';600000;'))].join('\r\n')}\r\n`),
    'debts.csv',
    DEBTS,
    2021,
  );
  assert.deepEqual(
    noSection.report.map((r) => [r.severity, r.problem, r.row, r.column, r.params?.code]),
    [['warning', 'no_section_row', 5, 'COD_FINA', '600000']],
  );

  // Errors name file, row and column.
  const bad = parseBudgetFile(bytes(text.replace('-56424569.67', '-56 424 569,67')), 'debts.csv', DEBTS, 2021);
  assert.deepEqual(
    bad.report.map((r) => [r.problem, r.file, r.row, r.column]),
    [['not_a_number', 'debts.csv', 4, 'FAKT_AMT']],
  );
  assert.equal(bad.facts.length, 0);
  const noCode = parseBudgetFile(bytes(text.replace('COD_FINA', 'COD_FIN')), 'debts.csv', DEBTS, 2021);
  assert.deepEqual(
    noCode.report.map((r) => [r.problem, r.row, r.column]),
    [['missing_column', 1, 'COD_FINA']],
  );
  // The other financing item: same columns, its codes tell.
  const wrong = parseBudgetFile(bytes(text), 'debts.csv', CREDITOR, 2021);
  assert.deepEqual(
    wrong.report.map((r) => [r.problem, r.row, r.column, r.params?.found]),
    [['wrong_item', 2, 'COD_FINA', 'FINANCING_DEBTS']],
  );
  // A CREDITS file chosen as financing: the wrong item, by its code column.
  const credits = parseBudgetFile(bytes(`${CREDITS_HEADER}\r\n`), 'c.csv', DEBTS, 2021);
  assert.equal(credits.report[0]!.problem, 'wrong_item');
});

test('a FINANCING_CREDITOR file (read with FINANCING_DEBTS’s columns) by creditor type', () => {
  const text = [
    DEBTS_HEADER,
    '03.2025;T;13563000000;200000;"Внутрішнє фінансування";100;250.5;',
    '03.2025;T;13563000000;208000;"Фінансування за рахунок зміни залишків коштів бюджетів";100;250.5;',
    '',
  ].join('\r\n');
  const parsed = parseBudgetFile(bytes(text), 'creditor.csv', CREDITOR, 2025);
  assert.deepEqual(problems(parsed.report), []);
  assert.equal(parsed.facts.find((f) => f.code === '208000')!.isLeaf, true);
  assert.equal(parsed.facts.find((f) => f.code === '200000')!.isLeaf, false);
});
