// Generated execution files of a city budget in the Treasury's own format (openbudget.gov.ua:
// `;`-separated, quoted, CRLF, decimal point, FAKT_AMT cumulative from January), for the demo,
// the tests and the benchmark. The figures are invented (labelled demo); codes and names are the
// real classifications'. Deterministic for the same arguments.

/** A programme (КПКВКМБ) with its function (КФКВК) and name; the first two digits are the spending unit. */
const PROGRAMMES: [string, string, string][] = [
  ['0210160', '0111', 'Керівництво і управління у відповідній сфері у містах'],
  ['0218110', '0320', 'Заходи із запобігання та ліквідації надзвичайних ситуацій та наслідків стихійного лиха'],
  ['0611010', '0910', 'Надання дошкільної освіти'],
  ['0611021', '0921', 'Надання загальної середньої освіти закладами загальної середньої освіти'],
  ['0611070', '0960', 'Надання позашкільної освіти закладами позашкільної освіти'],
  ['0712010', '0731', 'Багатопрофільна стаціонарна медична допомога населенню'],
  ['0712111', '0726', 'Первинна медична допомога населенню, що надається центрами первинної медичної допомоги'],
  ['0813032', '1070', 'Надання пільг окремим категоріям громадян з оплати послуг зв’язку'],
  ['0813242', '1090', 'Інші заходи у сфері соціального захисту і соціального забезпечення'],
  ['1014060', '0828', 'Забезпечення діяльності палаців i будинків культури, клубів, центрів дозвілля'],
  ['1115031', '0810', 'Утримання та навчально-тренувальна робота комунальних дитячо-юнацьких спортивних шкіл'],
  ['1216030', '0620', 'Організація благоустрою населених пунктів'],
  ['1217426', '0453', 'Інші заходи у сфері електротранспорту'],
  ['1217461', '0456', 'Утримання та розвиток автомобільних доріг та дорожньої інфраструктури'],
];

/** The programmes' relative sizes, in the order above. */
const PROGRAMME_WEIGHTS = [3, 0.6, 9, 14, 2, 8, 3, 0.4, 4, 1.5, 1.2, 5, 3.5, 6];

const ECONOMIC: [string, string, number][] = [
  ['2111', 'Заробітна плата', 0.42],
  ['2120', 'Нарахування на оплату праці', 0.09],
  ['2210', 'Предмети, матеріали, обладнання та інвентар', 0.06],
  ['2240', 'Оплата послуг (крім комунальних)', 0.12],
  ['2273', 'Оплата електроенергії', 0.05],
  ['2610', 'Субсидії та поточні трансферти підприємствам (установам, організаціям)', 0.14],
  ['3110', 'Придбання обладнання і предметів довгострокового користування', 0.05],
  ['3132', 'Капітальний ремонт інших об’єктів', 0.07],
];

/** Revenue codes (ККД): leaves with their parents, the share of the year's revenue, and the fund. */
const INCOMES: [string, string, number, 'C' | 'S'][] = [
  [
    '11010100',
    'Податок на доходи фізичних осіб, що сплачується податковими агентами, із доходів платника податку у вигляді заробітної плати',
    0.52,
    'C',
  ],
  [
    '11010400',
    'Податок на доходи фізичних осіб, що сплачується податковими агентами, із доходів платника податку інших ніж заробітна плата',
    0.05,
    'C',
  ],
  [
    '11010500',
    'Податок на доходи фізичних осіб, що сплачується фізичними особами за результатами річного декларування',
    0.01,
    'C',
  ],
  [
    '14040200',
    'Акцизний податок з реалізації суб’єктами господарювання роздрібної торгівлі підакцизних товарів',
    0.04,
    'C',
  ],
  ['18010500', 'Земельний податок з юридичних осіб', 0.03, 'C'],
  ['18010600', 'Орендна плата з юридичних осіб', 0.04, 'C'],
  ['18050300', 'Єдиний податок з юридичних осіб', 0.02, 'C'],
  ['18050400', 'Єдиний податок з фізичних осіб', 0.1, 'C'],
  [
    '24062100',
    'Грошові стягнення за шкоду, заподіяну порушенням законодавства про охорону навколишнього природного середовища',
    0.01,
    'S',
  ],
  ['25010100', 'Плата за послуги, що надаються бюджетними установами згідно з їх основною діяльністю', 0.03, 'S'],
  ['41033900', 'Освітня субвенція з державного бюджету місцевим бюджетам', 0.15, 'C'],
];
const INCOME_PARENTS: [string, string][] = [
  ['11010000', 'Податок на доходи фізичних осіб'],
  ['11000000', 'Податки на доходи, податки на прибуток, податки на збільшення ринкової вартості'],
  ['10000000', 'Податкові надходження'],
];

export interface GeneratedFile {
  text: string;
  rows: number;
}

/** Seasonal execution: cumulative share of the year's plan done by the end of each month. */
function doneBy(month: number, variation: number): number {
  const even = month / 12;
  return Math.min(1, even * (0.9 + 0.08 * Math.sin(month + variation)) + (month === 12 ? 0.06 : 0));
}

const money = (value: number) => value.toFixed(2);
const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** INCOMES of one budget for one year, months 1…`months`, C, S and T rows, with ККД parent rows. */
export function incomesFile(budgetCode: string, year: number, months: number, annual: number): GeneratedFile {
  const lines = ['REP_PERIOD;FUND_TYP;COD_BUDGET;COD_INCO;NAME_INC;ZAT_AMT;PLANS_AMT;FAKT_AMT'];
  for (let m = 1; m <= months; m++) {
    const period = `${String(m).padStart(2, '0')}.${year}`;
    const parents = new Map<string, { plan: number; toDate: number; done: number; fund: 'C' | 'S' }>();
    INCOME_PARENTS.forEach(([code]) => parents.set(code, { plan: 0, toDate: 0, done: 0, fund: 'C' }));
    for (const [index, [code, name, share, fund]] of INCOMES.entries()) {
      const plan = Math.round(annual * share * 100) / 100;
      const toDate = plan * (m / 12);
      const done = Math.round(plan * doneBy(m, index + year) * 100) / 100;
      for (const f of [fund, 'T'] as const)
        lines.push(
          `${period};${f};${budgetCode};${code};${quote(name)};${money(plan)};${money(toDate)};${money(done)}`,
        );
      if (code.startsWith('1101')) {
        for (const parent of INCOME_PARENTS) {
          const p = parents.get(parent[0])!;
          p.plan += plan;
          p.toDate += toDate;
          p.done += done;
        }
      }
    }
    // Parent rows the files carry beside their children (equal to their sums here).
    for (const [code, name] of INCOME_PARENTS) {
      const p = parents.get(code)!;
      for (const f of ['C', 'T'])
        lines.push(
          `${period};${f};${budgetCode};${code};${quote(name)};${money(p.plan)};${money(p.toDate)};${money(p.done)}`,
        );
    }
  }
  return { text: `${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}

const EXPENSE_HEADER =
  'REP_PERIOD;FUND_TYP;COD_BUDGET;COD_CONS_MB_PK;COD_CONS_MB_PK_NAME;COD_CONS_MB_FK;COD_CONS_MB_FK_NAME;COD_CONS_EK;COD_CONS_EK_NAME;ZAT_AMT;PLANS_AMT;FAKT_AMT;FAKT_V2MB_AMT;FAKTSIK_AMT;FAKTSPP_AMT;FAKTSID_AMT';

/**
 * EXPENSES by PROGRAM of one budget for one year: per month and programme, each economic item in
 * the general (C) and special (S) fund and their total (T). `programmes` more than the 14 named
 * ones repeat them under further spending units (for the benchmark's larger files).
 */
export function programExpensesFile(
  budgetCode: string,
  year: number,
  months: number,
  annual: number,
  programmes = PROGRAMMES.length,
): GeneratedFile {
  const lines = [EXPENSE_HEADER];
  const list = Array.from({ length: programmes }, (_, i) => {
    const [pk, fk, name] = PROGRAMMES[i % PROGRAMMES.length]!;
    const unit = Math.floor(i / PROGRAMMES.length);
    // Further copies go to spending units 20, 21, … so every programme code stays distinct.
    return [unit === 0 ? pk : `${String(20 + unit).padStart(2, '0')}${pk.slice(2)}`, fk, name] as const;
  });
  // Programmes of different sizes: schools and hospitals large, communications benefits small.
  const weights = list.map((_, i) => PROGRAMME_WEIGHTS[i % PROGRAMME_WEIGHTS.length]!);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  for (let m = 1; m <= months; m++) {
    const period = `${String(m).padStart(2, '0')}.${year}`;
    for (const [p, [pk, fk, name]] of list.entries()) {
      const perProgramme = (annual * weights[p]!) / weightSum;
      for (const [e, [ek, ekName, share]] of ECONOMIC.entries()) {
        const plan = Math.round(perProgramme * share * 100) / 100;
        const special = ek.startsWith('3') ? plan : Math.round(plan * 0.08 * 100) / 100;
        const general = Math.round((plan - special) * 100) / 100;
        const f = doneBy(m, p + e + year);
        const rows: [string, number][] = [
          ['C', general],
          ['S', special],
          ['T', general + special],
        ];
        for (const [fund, amount] of rows) {
          const done =
            fund === 'T'
              ? Math.round(general * f * 100) / 100 + Math.round(special * f * 100) / 100
              : Math.round(amount * f * 100) / 100;
          lines.push(
            `${period};${fund};${budgetCode};${pk};${quote(name)};${fk};"";${ek};${quote(ekName)};${money(amount)};${money((amount * m) / 12)};${money(done)};0.00;0.00;0.00;0.00`,
          );
        }
      }
    }
  }
  return { text: `${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}

/** Lviv's budget code in the demo (the reference data's seed uses the same). */
export const DEMO_BUDGET_CODE = '13563000000';

/** DONE_CORR_YEAR_PCT as the Treasury's files carry it: execution against the annual plan, in per cent. */
const donePct = (done: number, plan: number) => (plan === 0 ? '' : ((done / plan) * 100).toFixed(2));

/**
 * CREDITS by the CREDIT classification of one budget for one year, in the Treasury's columns
 * (REP_PERIOD, FUND_TYP, COD_BUDGET, COD_CRED_KK, COD_CRED_KK_NAME, ZAT_AMT, PLANS_AMT, FAKT_AMT,
 * FAKTBN_AMT, DONE_CORR_YEAR_PCT; see parser.ts for the source): loans granted (positive) and
 * repaid (negative, with no plan to date, as in the real files), cumulative from January, C, S
 * and T rows. `annual` is the year's granting.
 */
export function creditsFile(budgetCode: string, year: number, months: number, annual: number): GeneratedFile {
  const lines = [
    'REP_PERIOD;FUND_TYP;COD_BUDGET;COD_CRED_KK;COD_CRED_KK_NAME;ZAT_AMT;PLANS_AMT;FAKT_AMT;FAKTBN_AMT;DONE_CORR_YEAR_PCT',
  ];
  // Code, name, share of the year's granting (negative: repayment), C share.
  const CREDITS: [string, string, number, number][] = [
    ['4112', 'Надання кредитів підприємствам, установам, організаціям', 0.7, 0],
    ['4113', 'Надання інших внутрішніх кредитів', 0.3, 0.85],
    ['4122', 'Повернення кредитів підприємствами, установами, організаціями', -0.45, 0],
    ['4123', 'Повернення інших внутрішніх кредитів', -0.12, 0],
  ];
  for (let m = 1; m <= months; m++) {
    const period = `${String(m).padStart(2, '0')}.${year}`;
    for (const [index, [code, name, share, generalShare]] of CREDITS.entries()) {
      const plan = Math.round(annual * share * 100) / 100;
      const general = Math.round(plan * generalShare * 100) / 100;
      const parts: ['C' | 'S', number][] = [
        ['C', general],
        ['S', Math.round((plan - general) * 100) / 100],
      ];
      let totals = [0, 0, 0];
      for (const [fund, amount] of parts) {
        if (amount === 0) continue;
        const toDate = share > 0 ? Math.round(((amount * m) / 12) * 100) / 100 : 0;
        const done = Math.round(amount * doneBy(m, index + year + 3) * 100) / 100;
        totals = [totals[0]! + amount, totals[1]! + toDate, totals[2]! + done];
        lines.push(
          `${period};${fund};${budgetCode};${code};${quote(name)};${money(amount)};${money(toDate)};${money(done)};0.00;${donePct(done, amount)}`,
        );
      }
      lines.push(
        `${period};T;${budgetCode};${code};${quote(name)};${money(totals[0]!)};${money(totals[1]!)};${money(totals[2]!)};;${donePct(totals[2]!, totals[0]!)}`,
      );
    }
  }
  return { text: `${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}

/**
 * FINANCING_DEBTS (financing by type of debt obligation) of one budget for one year, in the
 * Treasury's columns (REP_PERIOD, FUND_TYP, COD_BUDGET, COD_FINA, NAME_FIN, ZAT_AMT, FAKT_AMT,
 * DONE_CORR_YEAR_PCT; no PLANS_AMT) and codes: 400000 debt operations = 401000 borrowing (here
 * domestic, long-term, special fund) + 402000 repayment (negative); 600000 operations with
 * assets = 602000 change of budget funds = 602100 at the start − 602200 at the end + 602400 the
 * general fund's transfer to the development budget (negative in C, positive in S). Section rows
 * beside their children, as in the real files. `deficits[m - 1]` is the month's cumulative
 * deficit (spending and net lending less revenue, total fund) that the financing covers, so the
 * file agrees with the year's other files.
 */
export function financingDebtsFile(
  budgetCode: string,
  year: number,
  months: number,
  deficits: number[],
  borrowing: number,
): GeneratedFile {
  const lines = ['REP_PERIOD;FUND_TYP;COD_BUDGET;COD_FINA;NAME_FIN;ZAT_AMT;FAKT_AMT;DONE_CORR_YEAR_PCT'];
  const NAMES: Record<string, string> = {
    '400000': 'Фінансування за борговими операціями',
    '401000': 'Запозичення',
    '401100': 'Внутрішні запозичення',
    '401101': 'Довгострокові зобов’язання',
    '402000': 'Погашення',
    '402100': 'Внутрішні зобов’язання',
    '402101': 'Довгострокові зобов’язання',
    '600000': 'Фінансування за активними операціями',
    '602000': 'Зміни обсягів бюджетних коштів',
    '602100': 'На початок періоду',
    '602200': 'На кінець періоду',
    '602400': 'Кошти, що передаються із загального фонду бюджету до бюджету розвитку (спеціального фонду)',
  };
  const repayment = -Math.round(borrowing * 0.55);
  const transfer = Math.round(borrowing * 1.6);
  const start = { C: Math.round(borrowing * 2.2), S: Math.round(borrowing * 1.4) };
  for (let m = 1; m <= months; m++) {
    const period = `${String(m).padStart(2, '0')}.${year}`;
    // Borrowing comes in two tranches (May and October); repayment runs monthly.
    const borrowed = (m >= 5 ? borrowing * 0.5 : 0) + (m >= 10 ? borrowing * 0.5 : 0);
    const repaid = Math.round(((repayment * m) / 12) * 100) / 100;
    const moved = Math.round(((transfer * m) / 12) * 100) / 100;
    // What the balances cover: the deficit less net borrowing, split 60/40 between the funds.
    const change = Math.round((deficits[m - 1]! - borrowed - repaid) * 100) / 100;
    const changeC = Math.round(change * 0.6 * 100) / 100;
    const rows: Record<'C' | 'S', Record<string, [number, number]>> = { C: {}, S: {} };
    for (const fund of ['C', 'S'] as const) {
      const r = rows[fund];
      const fundChange = fund === 'C' ? changeC : Math.round((change - changeC) * 100) / 100;
      if (fund === 'S') {
        r['401101'] = r['401100'] = r['401000'] = [borrowing, borrowed];
        r['402101'] = r['402100'] = r['402000'] = [repayment, repaid];
        r['400000'] = [borrowing + repayment, Math.round((borrowed + repaid) * 100) / 100];
      }
      const sign = fund === 'C' ? -1 : 1;
      r['602400'] = [sign * transfer, sign * moved];
      r['602100'] = [start[fund], start[fund]];
      // 602000 = 602100 − 602200 + 602400, so the end balance follows from the change.
      const end = Math.round((start[fund] + sign * moved - fundChange) * 100) / 100;
      r['602200'] = [start[fund], end];
      r['602000'] = [sign * transfer, fundChange];
      r['600000'] = r['602000'];
    }
    const codes = Object.keys(NAMES);
    for (const fund of ['C', 'S', 'T'] as const)
      for (const code of codes) {
        const value =
          fund === 'T'
            ? rows.C[code] || rows.S[code]
              ? ([0, 1].map((i) => Math.round(((rows.C[code]?.[i] ?? 0) + (rows.S[code]?.[i] ?? 0)) * 100) / 100) as [
                  number,
                  number,
                ])
              : undefined
            : rows[fund][code];
        if (!value) continue;
        lines.push(
          `${period};${fund};${budgetCode};${code};${quote(NAMES[code]!)};${money(value[0])};${money(value[1])};${donePct(value[1], value[0])}`,
        );
      }
  }
  return { text: `${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}
