// Demo files, made here rather than shipped, that go through the same upload and DataStore load
// as an editor's: a budget CSV written the way Ukrainian accounting software exports it
// (semicolons, decimal commas, day-first dates, a BOM), a revenue workbook, and a GeoJSON of
// transport stops. The figures are invented and labelled as demo data.
import { writeXlsx } from '../modules/datastore/xlsx.ts';

const PROGRAMMES: [string, string, string, number][] = [
  ['0110150', 'Організаційне, інформаційно-аналітичне забезпечення діяльності ради', 'Апарат ради', 412_380_500],
  ['0611010', 'Надання дошкільної освіти', 'Управління освіти', 1_843_220_900],
  ['0611021', 'Надання загальної середньої освіти', 'Управління освіти', 2_967_455_100],
  ['0611070', 'Надання позашкільної освіти', 'Управління освіти', 214_870_300],
  ['0712010', 'Багатопрофільна стаціонарна медична допомога', 'Департамент охорони здоров’я', 688_312_000],
  ['0712111', 'Первинна медична допомога населенню', 'Департамент охорони здоров’я', 301_554_750],
  ['0813241', 'Забезпечення діяльності центрів соціального обслуговування', 'Департамент соцзахисту', 156_022_400],
  ['0813104', 'Соціальні послуги особам з інвалідністю', 'Департамент соцзахисту', 98_745_600],
  ['1014060', 'Забезпечення діяльності палаців і будинків культури', 'Управління культури', 87_410_000],
  ['1115011', 'Проведення спортивних заходів', 'Управління спорту', 45_900_250],
  ['1216030', 'Організація благоустрою населених пунктів', 'Департамент міського господарства', 1_122_640_800],
  ['1217461', 'Утримання та розвиток автомобільних доріг', 'Департамент міського господарства', 1_504_118_300],
  ['1217426', 'Інші заходи у сфері електротранспорту', 'Управління транспорту', 736_204_900],
  ['1218110', 'Заходи із запобігання та ліквідації надзвичайних ситуацій', 'Управління цивільного захисту', 64_380_000],
  ['3718710', 'Резервний фонд місцевого бюджету', 'Фінансове управління', 50_000_000],
];

const localNumber = (value: number) =>
  value
    .toFixed(2)
    .replace('.', ',')
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

/** Spending by programme and quarter: plan, actual, and the date of the last change. */
export function budgetSpendingCsv(): Uint8Array {
  const lines = ['КПКВК;Назва програми;Розпорядник;Квартал;План, грн;Касові видатки, грн;Виконання, %;Дата зміни'];
  PROGRAMMES.forEach(([code, name, holder, annual], p) => {
    for (let quarter = 1; quarter <= 4; quarter++) {
      const plan = (annual / 4) * (0.9 + ((p * 7 + quarter * 3) % 5) / 20);
      const share = 0.78 + ((p * 11 + quarter * 5) % 23) / 100;
      const actual = plan * share;
      const day = String(1 + ((p + quarter * 9) % 27)).padStart(2, '0');
      const month = String(quarter * 3).padStart(2, '0');
      lines.push(
        [
          code,
          name,
          holder,
          quarter,
          localNumber(plan),
          localNumber(actual),
          localNumber(share * 100),
          `${day}.${month}.2024`,
        ].join(';'),
      );
    }
  });
  return new TextEncoder().encode('\ufeff' + lines.join('\r\n') + '\r\n');
}

const REVENUE: [string, string, number, number][] = [
  ['11010000', 'Податок на доходи фізичних осіб', 6_120_400_000, 6_305_118_450.37],
  ['13030000', 'Рентна плата за користування надрами', 2_150_000, 2_004_917.5],
  ['14040000', 'Акцизний податок з реалізації підакцизних товарів', 512_000_000, 538_770_214.08],
  ['18010000', 'Податок на майно', 1_080_300_000, 1_021_455_902.11],
  ['18050000', 'Єдиний податок', 1_645_000_000, 1_702_334_118.9],
  ['21080000', 'Інші надходження', 88_000_000, 95_118_004.4],
  ['22010000', 'Плата за надання адміністративних послуг', 143_700_000, 150_612_775.02],
  ['41020000', 'Дотації з державного бюджету', 0, 0],
  ['41030000', 'Субвенції з державного бюджету', 1_912_800_000, 1_877_015_630.55],
];

/** Revenue by classification code, plan against receipts, as a workbook. */
export async function budgetRevenueXlsx(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  async function* rows() {
    for (const [code, name, plan, received] of REVENUE) yield [code, name, plan, received, '2024-12-31'];
  }
  await writeXlsx(
    'Доходи 2024',
    ['ККД', 'Найменування', 'План, грн', 'Надійшло, грн', 'Станом на'],
    ['text', 'text', 'number', 'number', 'date'],
    rows(),
    (text) => text,
    (chunk) => chunks.push(chunk),
  );
  return Buffer.concat(chunks);
}

const STOPS: [string, number, number, string][] = [
  ['Площа Ринок', 49.8419, 24.0316, '2, 6, 7'],
  ['Головний вокзал', 49.8397, 23.9943, '1, 6, 9'],
  ['Оперний театр', 49.8441, 24.0262, '2, 6'],
  ['Університет', 49.8403, 24.0223, '1, 2, 9'],
  ['Стрийський парк', 49.8245, 24.0256, '4, 5'],
  ['Личаківське кладовище', 49.8315, 24.0567, '7'],
  ['Площа Петрушевича', 49.8345, 24.0295, '3, 5'],
  ['Підзамче', 49.855, 24.04, '6'],
  ['Левандівка', 49.856, 23.974, '9'],
  ['Сихів', 49.796, 24.056, '3, 5, 8'],
  ['Арена Львів', 49.7753, 24.0277, '3'],
  ['Аеропорт', 49.8125, 23.9561, '9'],
];

/** Tram and bus stops as GeoJSON points, with a line for one route. */
export function transportStopsGeoJson(): Uint8Array {
  const features: unknown[] = STOPS.map(([name, lat, lon, routes], i) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { id: i + 1, name, routes, shelter: i % 3 !== 2 },
  }));
  features.push({
    type: 'Feature',
    properties: { id: STOPS.length + 1, name: 'Маршрут 9 (демо)', routes: '9', shelter: null },
    geometry: {
      type: 'LineString',
      coordinates: [STOPS[8]!, STOPS[1]!, STOPS[3]!, STOPS[11]!].map(([, lat, lon]) => [lon, lat]),
    },
  });
  return new TextEncoder().encode(JSON.stringify({ type: 'FeatureCollection', features }, null, 1));
}
