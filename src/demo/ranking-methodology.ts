// DEMO CONTENT: a transparency methodology modelled on the 14 areas of the "Transparent Cities"
// editions of 2019–2021, with 85 indicators written for this demo. It is not the coalition's
// official methodology; it exists so that every ranking page shows realistic data out of the box.
import type { MethodologyDocument } from '../modules/ranking/methodology.ts';
import type { IndicatorType } from '../modules/ranking/scoring.ts';

type Text3 = [en: string, uk: string, bg: string];
type Evidence = MethodologyDocument['areas'][number]['indicators'][number]['evidence'];
/** question, points, type, evidence methods, not applicable allowed */
type DemoIndicator = [question: Text3, points: 1 | 2, type: IndicatorType, evidence: Evidence, naAllowed?: boolean];

const W: Evidence = ['website'];
const WR: Evidence = ['website', 'information_request'];
const OD: Evidence = ['open_data', 'website'];

const AREAS: { name: Text3; indicators: DemoIndicator[] }[] = [
  {
    name: [
      'Information on the work of the council',
      'Інформація про діяльність ради',
      'Информация за работата на съвета',
    ],
    indicators: [
      [
        [
          'Draft decisions are published at least 20 days before adoption',
          'Проєкти рішень оприлюднюються щонайменше за 20 днів до ухвалення',
          'Проектите на решения се публикуват поне 20 дни преди приемането',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'Adopted decisions are published within 5 working days',
          'Ухвалені рішення оприлюднюються протягом 5 робочих днів',
          'Приетите решения се публикуват до 5 работни дни',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'Roll-call votes are published as open data',
          'Поіменні голосування оприлюднюються як відкриті дані',
          'Поименните гласувания се публикуват като отворени данни',
        ],
        2,
        'both',
        OD,
      ],
      [
        [
          'Council sessions are streamed and archived online',
          'Сесії ради транслюються та зберігаються онлайн',
          'Сесиите на съвета се излъчват и архивират онлайн',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Committee meeting minutes are published',
          'Протоколи засідань комісій оприлюднюються',
          'Протоколите от заседанията на комисиите се публикуват',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Councillors’ contact details and reception hours are published',
          'Контакти депутатів і графік прийому оприлюднені',
          'Контактите на съветниците и приемното им време са публикувани',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Councillors’ annual reports are published',
          'Щорічні звіти депутатів оприлюднюються',
          'Годишните отчети на съветниците се публикуват',
        ],
        1,
        'legal',
        WR,
      ],
    ],
  },
  {
    name: ['Access to information and participation', 'Доступ і участь', 'Достъп до информация и участие'],
    indicators: [
      [
        [
          'Information requests can be filed online',
          'Запити на інформацію можна подати онлайн',
          'Заявленията за достъп до информация могат да се подават онлайн',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'The register of public information is kept up to date',
          'Система обліку публічної інформації актуальна',
          'Регистърът на обществената информация е актуален',
        ],
        2,
        'legal',
        WR,
      ],
      [
        [
          'Electronic petitions are available to residents',
          'Мешканцям доступні електронні петиції',
          'Електронните петиции са достъпни за жителите',
        ],
        2,
        'both',
        W,
      ],
      [
        [
          'Public hearings are announced and their results published',
          'Громадські слухання анонсуються, результати оприлюднюються',
          'Обществените изслушвания се обявяват и резултатите им се публикуват',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Local initiatives have a clear procedure in the city statute',
          'Місцеві ініціативи мають чіткий порядок у статуті',
          'Местните инициативи имат ясен ред в устава на града',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'An open-data portal publishes the mandatory datasets',
          'Портал відкритих даних містить обовʼязкові набори',
          'Порталът за отворени данни съдържа задължителните набори',
        ],
        2,
        'both',
        OD,
      ],
    ],
  },
  {
    name: ['Public procurement', 'Публічні закупівлі', 'Обществени поръчки'],
    indicators: [
      [
        [
          'Annual procurement plans are published with their amendments',
          'Річні плани закупівель оприлюднюються зі змінами',
          'Годишните планове за поръчки се публикуват с промените',
        ],
        1,
        'legal',
        OD,
      ],
      [
        [
          'Below-threshold purchases go through the e-procurement system',
          'Допорогові закупівлі проводяться через електронну систему',
          'Покупките под прага минават през електронната система',
        ],
        2,
        'best_practice',
        OD,
      ],
      [
        [
          'The share of competitive procedures exceeds 50%',
          'Частка конкурентних процедур перевищує 50%',
          'Делът на конкурентните процедури надвишава 50%',
        ],
        2,
        'best_practice',
        OD,
      ],
      [
        [
          'Procurement analytics are published for residents',
          'Аналітика закупівель оприлюднюється для мешканців',
          'Анализът на поръчките се публикува за жителите',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Contracts and their amendments are published in full',
          'Договори та зміни до них оприлюднюються повністю',
          'Договорите и измененията им се публикуват изцяло',
        ],
        1,
        'legal',
        OD,
      ],
      [
        [
          'Municipal enterprises’ procurement is monitored by the council',
          'Закупівлі комунальних підприємств контролює рада',
          'Поръчките на общинските предприятия се контролират от съвета',
        ],
        1,
        'best_practice',
        WR,
      ],
    ],
  },
  {
    name: ['Housing policy', 'Житлова політика', 'Жилищна политика'],
    indicators: [
      [
        [
          'The housing queue is published with each person’s place',
          'Квартирна черга оприлюднена з місцем кожного',
          'Жилищната опашка се публикува с мястото на всеки',
        ],
        2,
        'both',
        W,
        true,
      ],
      [
        [
          'Decisions on granting housing are published',
          'Рішення про надання житла оприлюднюються',
          'Решенията за предоставяне на жилище се публикуват',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Service-housing allocations are published with reasons',
          'Надання службового житла оприлюднюється з підставами',
          'Разпределението на служебни жилища се публикува с мотиви',
        ],
        1,
        'legal',
        WR,
      ],
      [
        [
          'A housing-fund register is published as open data',
          'Реєстр житлового фонду оприлюднено як відкриті дані',
          'Регистърът на жилищния фонд е публикуван като отворени данни',
        ],
        1,
        'best_practice',
        OD,
      ],
      [
        [
          'Condominium support programmes have published rules',
          'Програми підтримки ОСББ мають оприлюднені правила',
          'Програмите за подкрепа на етажната собственост имат публикувани правила',
        ],
        1,
        'best_practice',
        W,
        true,
      ],
      [
        [
          'Tariffs for housing services are published with calculations',
          'Тарифи на житлові послуги оприлюднені з розрахунками',
          'Тарифите за жилищни услуги са публикувани с разчетите',
        ],
        1,
        'legal',
        W,
      ],
    ],
  },
  {
    name: ['Budget process', 'Бюджетний процес', 'Бюджетен процес'],
    indicators: [
      [
        [
          'The draft budget is published before the council votes on it',
          'Проєкт бюджету оприлюднюється до голосування',
          'Проектобюджетът се публикува преди гласуването',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'A citizens’ budget explains the budget in plain language',
          'Бюджет для громадян пояснює бюджет простою мовою',
          'Бюджет за гражданите обяснява бюджета на ясен език',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Quarterly budget execution reports are published',
          'Квартальні звіти про виконання бюджету оприлюднюються',
          'Тримесечните отчети за изпълнението на бюджета се публикуват',
        ],
        2,
        'legal',
        OD,
      ],
      [
        [
          'Budget programme passports and reports are published',
          'Паспорти бюджетних програм і звіти оприлюднюються',
          'Паспортите на бюджетните програми и отчетите се публикуват',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'A participatory budget of at least 1% of expenditure is held',
          'Громадський бюджет становить щонайменше 1% видатків',
          'Гражданският бюджет е поне 1% от разходите',
        ],
        2,
        'best_practice',
        W,
      ],
      [
        [
          'Public discussion of the draft budget is held',
          'Проводиться публічне обговорення проєкту бюджету',
          'Провежда се обществено обсъждане на проектобюджета',
        ],
        1,
        'best_practice',
        WR,
      ],
      [
        [
          'Spending data are published on a transparency portal',
          'Дані про видатки оприлюднено на порталі прозорості',
          'Данните за разходите са публикувани на портал за прозрачност',
        ],
        1,
        'both',
        OD,
      ],
    ],
  },
  {
    name: ['Financial assistance and grants', 'Фінансова допомога та гранти', 'Финансова помощ и грантове'],
    indicators: [
      [
        [
          'Grants to civil-society organisations are competitive',
          'Гранти громадським організаціям надаються на конкурсі',
          'Грантовете за граждански организации са конкурсни',
        ],
        2,
        'best_practice',
        W,
      ],
      [
        [
          'Competition results and scoring are published',
          'Результати конкурсів і оцінки оприлюднюються',
          'Резултатите от конкурсите и оценките се публикуват',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Reports of funded projects are published',
          'Звіти профінансованих проєктів оприлюднюються',
          'Отчетите на финансираните проекти се публикуват',
        ],
        1,
        'best_practice',
        WR,
      ],
      [
        [
          'Support for businesses has published criteria',
          'Підтримка бізнесу має оприлюднені критерії',
          'Подкрепата за бизнеса има публикувани критерии',
        ],
        1,
        'best_practice',
        W,
        true,
      ],
      [
        [
          'One-off financial aid to residents follows published rules',
          'Разова допомога мешканцям надається за оприлюдненими правилами',
          'Еднократната помощ за жители следва публикувани правила',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Recipients of aid are published in aggregate without personal data',
          'Отримувачі допомоги оприлюднюються узагальнено',
          'Получателите на помощ се публикуват обобщено без лични данни',
        ],
        1,
        'best_practice',
        OD,
      ],
    ],
  },
  {
    name: ['Social services', 'Соціальні послуги', 'Социални услуги'],
    indicators: [
      [
        [
          'A catalogue of social services is published',
          'Оприлюднено каталог соціальних послуг',
          'Публикуван е каталог на социалните услуги',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Needs assessment for social services is published',
          'Оцінка потреб у соціальних послугах оприлюднена',
          'Оценката на нуждите от социални услуги е публикувана',
        ],
        2,
        'legal',
        WR,
      ],
      [
        [
          'Social services can be ordered online',
          'Соціальні послуги можна замовити онлайн',
          'Социалните услуги могат да се заявят онлайн',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Social-service providers are chosen competitively',
          'Надавачі соціальних послуг обираються на конкурсі',
          'Доставчиците на социални услуги се избират конкурсно',
        ],
        1,
        'best_practice',
        W,
        true,
      ],
      [
        [
          'Accessibility of public buildings is audited and published',
          'Доступність публічних будівель перевірено й оприлюднено',
          'Достъпността на обществените сгради е проверена и публикувана',
        ],
        2,
        'both',
        WR,
      ],
      [
        [
          'Benefits and their eligibility are explained on the website',
          'Пільги та умови їх отримання пояснені на сайті',
          'Облекченията и условията за тях са обяснени на сайта',
        ],
        1,
        'legal',
        W,
      ],
    ],
  },
  {
    name: ['Human resources', 'Кадрова політика', 'Човешки ресурси'],
    indicators: [
      [
        [
          'Vacancies are published with requirements',
          'Вакансії оприлюднюються з вимогами',
          'Свободните места се публикуват с изискванията',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Competition results for posts are published',
          'Результати конкурсів на посади оприлюднюються',
          'Резултатите от конкурсите за длъжности се публикуват',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Heads of municipal enterprises are chosen competitively',
          'Керівники комунальних підприємств обираються на конкурсі',
          'Ръководителите на общинските предприятия се избират конкурсно',
        ],
        2,
        'best_practice',
        WR,
      ],
      [
        [
          'Salaries of the mayor and deputies are published',
          'Зарплати міського голови та заступників оприлюднені',
          'Заплатите на кмета и заместниците са публикувани',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Competition committees include civil-society members',
          'До конкурсних комісій входять представники громадськості',
          'В конкурсните комисии участват представители на гражданското общество',
        ],
        1,
        'best_practice',
        WR,
      ],
      [
        [
          'Staff numbers and structure are published',
          'Чисельність і структура апарату оприлюднені',
          'Числеността и структурата на администрацията са публикувани',
        ],
        1,
        'legal',
        W,
      ],
    ],
  },
  {
    name: ['Anti-corruption and ethics', 'Антикорупційна діяльність та етика', 'Антикорупция и етика'],
    indicators: [
      [
        [
          'An anti-corruption programme is adopted and reported on',
          'Антикорупційну програму ухвалено, звіти оприлюднюються',
          'Антикорупционна програма е приета и се отчита',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'An authorised anti-corruption officer is named',
          'Призначено уповноваженого з антикорупції',
          'Определен е служител по антикорупция',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'A whistle-blower channel is available and explained',
          'Канал для викривачів доступний і пояснений',
          'Каналът за сигнализиране е достъпен и обяснен',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'A code of ethics for officials and councillors is published',
          'Кодекс етики посадовців і депутатів оприлюднено',
          'Етичният кодекс на служителите и съветниците е публикуван',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Conflicts of interest in council votes are declared publicly',
          'Конфлікт інтересів під час голосувань декларується публічно',
          'Конфликтите на интереси при гласуване се декларират публично',
        ],
        1,
        'legal',
        WR,
      ],
      [
        [
          'Results of internal audits are published',
          'Результати внутрішніх аудитів оприлюднюються',
          'Резултатите от вътрешните одити се публикуват',
        ],
        1,
        'best_practice',
        WR,
      ],
    ],
  },
  {
    name: ['Land use and construction', 'Землекористування та будівництво', 'Земеползване и строителство'],
    indicators: [
      [
        [
          'The general plan and zoning plan are published',
          'Генеральний план і план зонування оприлюднені',
          'Общият устройствен план и планът за зониране са публикувани',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'Draft detailed plans go to public hearings',
          'Проєкти детальних планів проходять громадські слухання',
          'Проектите на подробни планове минават през обществени изслушвания',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Land plots are leased only through auctions',
          'Земельні ділянки передаються в оренду лише на аукціонах',
          'Поземлените имоти се отдават под наем само чрез търгове',
        ],
        2,
        'both',
        OD,
      ],
      [
        [
          'A map of land plots and their users is published',
          'Оприлюднено карту земельних ділянок і користувачів',
          'Публикувана е карта на поземлените имоти и ползвателите им',
        ],
        1,
        'best_practice',
        OD,
      ],
      [
        [
          'Construction permits and urban-planning conditions are published',
          'Дозволи на будівництво й містобудівні умови оприлюднюються',
          'Разрешенията за строеж и устройствените условия се публикуват',
        ],
        1,
        'legal',
        OD,
      ],
      [
        [
          'Equity contributions to city infrastructure are published',
          'Пайова участь у розвитку інфраструктури оприлюднена',
          'Вноските за градската инфраструктура са публикувани',
        ],
        1,
        'best_practice',
        WR,
      ],
    ],
  },
  {
    name: ['Municipal enterprises', 'Комунальні підприємства', 'Общински предприятия'],
    indicators: [
      [
        [
          'Financial plans of municipal enterprises are published',
          'Фінансові плани комунальних підприємств оприлюднені',
          'Финансовите планове на общинските предприятия са публикувани',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'Annual financial statements are published',
          'Річна фінансова звітність оприлюднена',
          'Годишните финансови отчети са публикувани',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Supervisory boards are set up for large enterprises',
          'Для великих підприємств створено наглядові ради',
          'За големите предприятия са създадени надзорни съвети',
        ],
        2,
        'best_practice',
        WR,
        true,
      ],
      [
        [
          'Enterprises’ websites publish their tariffs and services',
          'Сайти підприємств містять тарифи й послуги',
          'Сайтовете на предприятията съдържат тарифите и услугите',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Managers’ contracts and salaries are published',
          'Контракти й зарплати керівників оприлюднені',
          'Договорите и заплатите на ръководителите са публикувани',
        ],
        1,
        'best_practice',
        WR,
      ],
      [
        [
          'A register of municipal enterprises is published',
          'Реєстр комунальних підприємств оприлюднено',
          'Регистърът на общинските предприятия е публикуван',
        ],
        1,
        'legal',
        OD,
      ],
    ],
  },
  {
    name: ['Municipal property', 'Комунальне майно', 'Общинска собственост'],
    indicators: [
      [
        [
          'A register of municipal property is published as open data',
          'Реєстр комунального майна оприлюднено як відкриті дані',
          'Регистърът на общинската собственост е публикуван като отворени данни',
        ],
        2,
        'legal',
        OD,
      ],
      [
        [
          'Property is leased through electronic auctions',
          'Майно передається в оренду через електронні аукціони',
          'Имотите се отдават под наем чрез електронни търгове',
        ],
        2,
        'both',
        OD,
      ],
      [
        [
          'Privatisation is carried out through open auctions',
          'Приватизація проводиться на відкритих аукціонах',
          'Приватизацията се извършва чрез открити търгове',
        ],
        1,
        'legal',
        OD,
        true,
      ],
      [
        [
          'Lists of vacant premises are published',
          'Переліки вільних приміщень оприлюднюються',
          'Списъците на свободните помещения се публикуват',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Lease income is reported annually',
          'Доходи від оренди звітуються щорічно',
          'Приходите от наеми се отчитат ежегодно',
        ],
        1,
        'best_practice',
        WR,
      ],
      [
        [
          'A map of municipal property is published',
          'Оприлюднено карту комунального майна',
          'Публикувана е карта на общинската собственост',
        ],
        1,
        'best_practice',
        W,
      ],
    ],
  },
  {
    name: ['Education', 'Освіта', 'Образование'],
    indicators: [
      [
        [
          'School and kindergarten enrolment is electronic',
          'Запис до шкіл і садочків електронний',
          'Записването в училища и детски градини е електронно',
        ],
        2,
        'best_practice',
        W,
      ],
      [
        [
          'School catchment areas are published on a map',
          'Території обслуговування шкіл оприлюднено на карті',
          'Районите на училищата са публикувани на карта',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Schools publish their budgets and spending',
          'Школи оприлюднюють бюджети й витрати',
          'Училищата публикуват бюджетите и разходите си',
        ],
        1,
        'legal',
        WR,
      ],
      [
        [
          'Heads of schools are appointed through competitions',
          'Директори шкіл призначаються за конкурсом',
          'Директорите на училища се назначават чрез конкурс',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'Parents can see queues to kindergartens online',
          'Батьки бачать черги до садочків онлайн',
          'Родителите виждат опашките за детски градини онлайн',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Charitable contributions to schools are reported',
          'Благодійні внески до шкіл звітуються',
          'Благотворителните дарения за училищата се отчитат',
        ],
        1,
        'best_practice',
        WR,
      ],
    ],
  },
  {
    name: [
      'Investment and economic development',
      'Інвестиції та економічний розвиток',
      'Инвестиции и икономическо развитие',
    ],
    indicators: [
      [
        [
          'A development strategy with indicators is published',
          'Стратегія розвитку з показниками оприлюднена',
          'Стратегията за развитие с показатели е публикувана',
        ],
        2,
        'legal',
        W,
      ],
      [
        [
          'Strategy implementation reports are published',
          'Звіти про виконання стратегії оприлюднюються',
          'Отчетите за изпълнение на стратегията се публикуват',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'An investment passport of the city is published',
          'Оприлюднено інвестиційний паспорт міста',
          'Публикуван е инвестиционен паспорт на града',
        ],
        1,
        'best_practice',
        W,
      ],
      [
        [
          'Investment sites are listed with their conditions',
          'Інвестиційні майданчики наведено з умовами',
          'Инвестиционните площадки са изброени с условията си',
        ],
        1,
        'best_practice',
        OD,
      ],
      [
        [
          'Loans and guarantees of the city are published',
          'Запозичення та гарантії міста оприлюднені',
          'Заемите и гаранциите на града са публикувани',
        ],
        1,
        'legal',
        WR,
      ],
      [
        [
          'Regulatory acts go through published impact analysis',
          'Регуляторні акти мають оприлюднений аналіз впливу',
          'Регулаторните актове имат публикуван анализ на въздействието',
        ],
        1,
        'legal',
        W,
      ],
      [
        [
          'International technical assistance projects are reported',
          'Проєкти міжнародної технічної допомоги звітуються',
          'Проектите за международна техническа помощ се отчитат',
        ],
        1,
        'best_practice',
        WR,
        true,
      ],
      [
        [
          'A business ombudsman or council for entrepreneurs works',
          'Діє бізнес-омбудсмен або рада підприємців',
          'Действа бизнес омбудсман или съвет на предприемачите',
        ],
        1,
        'best_practice',
        W,
      ],
    ],
  },
];

const levels3 = [
  {
    value: 1,
    description: {
      en: 'Fully published, for the last two years, and up to date',
      uk: 'Оприлюднено повністю, за останні два роки, актуально',
      bg: 'Публикувано изцяло, за последните две години, актуално',
    },
  },
  {
    value: 0.5,
    description: {
      en: 'Partly: at least half, or out of date',
      uk: 'Частково: щонайменше половина або неактуально',
      bg: 'Частично: поне половината или неактуално',
    },
  },
  {
    value: 0,
    description: {
      en: 'Not published, or less than half',
      uk: 'Не оприлюднено або менше половини',
      bg: 'Не е публикувано или по-малко от половината',
    },
  },
];
const levels2 = [
  { value: 1, description: { en: 'Yes, as required', uk: 'Так, як вимагається', bg: 'Да, както се изисква' } },
  { value: 0, description: { en: 'No', uk: 'Ні', bg: 'Не' } },
];

const text = ([en, uk, bg]: Text3) => ({ uk, en, bg });

/** The demo methodology, used by the demo campaigns of two consecutive years (like the real one, which served two editions). */
export function demoMethodology(year: number): MethodologyDocument {
  let counter = 0;
  return {
    year,
    version: `demo-${year}`,
    title: {
      uk: `Прозорі міста ${year} — демо-методологія`,
      en: `Transparent cities ${year} — demo methodology`,
      bg: `Прозрачни градове ${year} — демо методология`,
    },
    areas: AREAS.map((area, a) => {
      const indicators = area.indicators.map(([question, points, type, evidence, na]) => {
        const code = `K${String(++counter).padStart(2, '0')}`;
        return {
          code,
          question: text(question),
          guidance: {
            uk: 'Перевірте офіційний сайт міста й портал відкритих даних; за потреби надішліть запит на інформацію.',
            en: 'Check the city’s official website and open-data portal; send an information request where needed.',
            bg: 'Проверете официалния сайт на града и портала за отворени данни; при нужда подайте заявление за достъп.',
          },
          points,
          type,
          evidence,
          not_applicable_allowed: na === true,
          levels: points === 2 ? levels3 : levels2,
        };
      });
      return {
        code: String(a + 1),
        name: text(area.name),
        max_points: indicators.reduce((sum, i) => sum + i.points, 0),
        indicators,
      };
    }),
  };
}
