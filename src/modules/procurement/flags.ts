// Red flags. Each indicator is the rule of its source, implemented in SQL over the normalised
// tables, and stores the evidence (which bids, dates, amounts) that made it fire. Names and
// explanations for people are in locales/procurement (procurement.flag.<id>); the rule as written,
// its source and the data it needs are here and shown on the page as they are.
//
// The fences (quartiles over a whole set) are MATERIALIZED CTEs: computed once, not once per row
// they are compared with.
//
// Sources:
// - open-contracting/cardinal-rs, docs/cli/indicators/R/<nnn>.md (OCP's red-flags guide), defaults as documented.
//   Quartiles are PostgreSQL's percentile_cont (linear interpolation).
// - ProzorroUKR/prozorro-risks, src/prozorro/risks/rules/<rule>.py (the rule's comments and constants).
// - DOZORRO users' requests as written in issue 16 (no threshold but the issue's own).
import type { Queryable } from '../../platform/db/index.ts';

export interface Indicator {
  id: string;
  subject: 'procedure' | 'contract' | 'buyer' | 'supplier';
  /** The rule as its source writes it. */
  rule: string;
  /** Where the rule comes from: repository and file, or document. */
  source: string;
  sourceUrl: string;
  /** The OCDS fields it reads. */
  needs: string[];
  /** INSERT … SELECT into the flags table; $1 is the evaluation time (the application clock). */
  sql: string;
}

const CARDINAL = 'https://github.com/open-contracting/cardinal-rs/blob/main/docs/cli/indicators/R/';
const RISKS = 'https://github.com/ProzorroUKR/prozorro-risks/blob/master/src/prozorro/risks/rules/';

/** Bids that count as submitted (cardinal-rs glossary: pending, valid or disqualified; not invited or withdrawn). */
const SUBMITTED = `status IN ('pending', 'valid', 'disqualified')`;
const INSERT = 'INSERT INTO procurement_flags (indicator, subject_type, subject_id, ocid, value, evidence)';

/** prozorro-risks: tender_matches_requirements(value=True): goods/services ≥ 400 000, works ≥ 1 500 000. */
const RISKS_VALUE = `((p.main_category IN ('goods', 'services') AND p.value_amount >= 400000)
  OR (p.main_category = 'works' AND p.value_amount >= 1500000))`;
const RISKS_KINDS = `coalesce(p.buyer_kind, 'other') IN ('authority', 'central', 'general', 'social', 'special', 'defense')`;

/** Procedures comparable on price (cardinal-rs R024/R058 exclusions), with the winning and second-lowest valid bids. */
const PRICE_GAPS = `
  WITH single_winner AS (
    SELECT a.ocid, min(a.supplier_edrpou) AS winner, min(a.award_id) AS award_id
    FROM procurement_awards a
    GROUP BY a.ocid
    HAVING count(*) FILTER (WHERE a.status = 'active') = 1
      AND count(*) FILTER (WHERE a.status = 'pending') = 0
      AND bool_and(a.status <> 'active' OR a.suppliers = 1)
  ), ranked AS (
    -- Valid bids in price order; each with the next one's amount (lead), so no self-join is needed.
    SELECT b.ocid, b.amount, b.tenderer_edrpou, b.tenderer_name, w.winner,
      row_number() OVER by_price AS rank,
      lead(b.amount) OVER by_price AS second, lead(b.tenderer_edrpou) OVER by_price AS second_edrpou,
      lead(b.tenderer_name) OVER by_price AS second_name
    FROM procurement_bids b JOIN single_winner w ON w.ocid = b.ocid
    WHERE b.status = 'valid' AND b.amount IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM procurement_bids m WHERE m.ocid = b.ocid AND m.tenderers > 1)
    WINDOW by_price AS (PARTITION BY b.ocid ORDER BY b.amount, b.bid_id)
  ), gaps AS (
    SELECT r.ocid, r.amount AS winning, r.second, r.tenderer_edrpou AS winner_edrpou, r.tenderer_name AS winner_name,
      r.second_edrpou, r.second_name, (r.second - r.amount) / r.amount AS difference
    FROM ranked r
    WHERE r.rank = 1 AND r.second IS NOT NULL AND r.tenderer_edrpou = r.winner AND r.amount > 0
  ), fences AS MATERIALIZED (
    SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY difference) AS q1,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY difference) AS q3, count(*) AS n FROM gaps
  )`;

export const INDICATORS: Indicator[] = [
  {
    id: 'R003',
    subject: 'procedure',
    rule: 'The submission period is calculated as (/tender/tenderPeriod/endDate - /tender/tenderPeriod/startDate) in whole days. A contracting process is flagged if the submission period is shorter than the threshold of 15 whole days.',
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/003.md (default threshold 15)',
    sourceUrl: `${CARDINAL}003.md`,
    needs: ['tender.tenderPeriod.startDate', 'tender.tenderPeriod.endDate'],
    sql: `${INSERT}
      SELECT 'R003', 'procedure', p.ocid, p.ocid, d.days,
        jsonb_build_object('startDate', p.tender_start, 'endDate', p.tender_end, 'days', d.days, 'threshold', 15)
      FROM procurement_procedures p
      CROSS JOIN LATERAL (SELECT floor(extract(epoch FROM p.tender_end - p.tender_start) / 86400)::int AS days) d
      WHERE p.tender_start IS NOT NULL AND p.tender_end IS NOT NULL AND d.days < 15`,
  },
  {
    id: 'R018',
    subject: 'procedure',
    rule: "A contracting process is flagged if the number of tenderers is 1 and the procurement method is competitive (/tender/procurementMethod is 'open' or 'selective').",
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/018.md',
    sourceUrl: `${CARDINAL}018.md`,
    needs: ['tender.procurementMethod', 'bids.details.tenderers', 'bids.details.status'],
    sql: `${INSERT}
      SELECT 'R018', 'procedure', p.ocid, p.ocid, 1,
        jsonb_build_object('method', p.method, 'bids', (SELECT jsonb_agg(jsonb_build_object('id', b.bid_id, 'tenderer', b.tenderer_name, 'edrpou', b.tenderer_edrpou, 'amount', b.amount, 'status', b.status)) FROM procurement_bids b WHERE b.ocid = p.ocid AND b.${SUBMITTED}))
      FROM procurement_procedures p
      WHERE p.method IN ('open', 'selective') AND p.bidders = 1`,
  },
  {
    id: 'R024',
    subject: 'procedure',
    rule: 'The difference is (secondLowestValidBidAmount - winningBidAmount) / winningBidAmount. A contracting process is flagged if the difference is less than or equal to the lower fence of Q1 - 1.5(IQR) of the set of differences. Excluded: an award pending, several active awards, the winning bid not the lowest, a bid or award with several parties.',
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/024.md',
    sourceUrl: `${CARDINAL}024.md`,
    needs: ['bids.details.value', 'bids.details.status', 'bids.details.tenderers', 'awards.status', 'awards.suppliers'],
    sql: `${INSERT} ${PRICE_GAPS}
      SELECT 'R024', 'procedure', g.ocid, g.ocid, g.difference,
        jsonb_build_object('winningBid', g.winning, 'winner', g.winner_name, 'secondBid', g.second, 'second', g.second_name,
          'difference', g.difference, 'lowerFence', f.q1 - 1.5 * (f.q3 - f.q1), 'q1', f.q1, 'q3', f.q3, 'processes', f.n)
      FROM gaps g CROSS JOIN fences f WHERE g.difference <= f.q1 - 1.5 * (f.q3 - f.q1)`,
  },
  {
    id: 'R058',
    subject: 'procedure',
    rule: 'The difference is (secondLowestValidBidAmount - winningBidAmount) / winningBidAmount. A contracting process is flagged if the difference is greater than or equal to the upper fence of Q3 + 1.5(IQR) of the set of differences.',
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/058.md',
    sourceUrl: `${CARDINAL}058.md`,
    needs: ['bids.details.value', 'bids.details.status', 'bids.details.tenderers', 'awards.status', 'awards.suppliers'],
    sql: `${INSERT} ${PRICE_GAPS}
      SELECT 'R058', 'procedure', g.ocid, g.ocid, g.difference,
        jsonb_build_object('winningBid', g.winning, 'winner', g.winner_name, 'secondBid', g.second, 'second', g.second_name,
          'difference', g.difference, 'upperFence', f.q3 + 1.5 * (f.q3 - f.q1), 'q1', f.q1, 'q3', f.q3, 'processes', f.n)
      FROM gaps g CROSS JOIN fences f WHERE g.difference >= f.q3 + 1.5 * (f.q3 - f.q1) AND g.difference > 0`,
  },
  {
    id: 'R028',
    subject: 'procedure',
    rule: 'A contracting process is flagged if different tenderers submitted bids with the same price.',
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/028.md',
    sourceUrl: `${CARDINAL}028.md`,
    needs: ['bids.details.value.amount', 'bids.details.tenderers', 'bids.details.status'],
    sql: `${INSERT}
      SELECT 'R028', 'procedure', s.ocid, s.ocid, 1,
        jsonb_build_object('same', jsonb_agg(jsonb_build_object('amount', s.amount, 'tenderers', s.tenderers)))
      FROM (
        SELECT b.ocid, b.amount, jsonb_agg(DISTINCT b.tenderer_name) AS tenderers
        FROM procurement_bids b WHERE b.${SUBMITTED} AND b.amount IS NOT NULL
        GROUP BY b.ocid, b.amount HAVING count(DISTINCT b.tenderer_edrpou) > 1
      ) s GROUP BY s.ocid`,
  },
  {
    id: 'R030',
    subject: 'procedure',
    rule: "A contracting process is flagged if a valid bid's received date is after the submission deadline and at least one tenderer of the valid bid is the supplier of an active award.",
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/030.md',
    sourceUrl: `${CARDINAL}030.md`,
    needs: ['bids.details.date', 'bids.details.status', 'tender.tenderPeriod.endDate', 'awards.suppliers'],
    sql: `${INSERT}
      SELECT DISTINCT ON (p.ocid) 'R030', 'procedure', p.ocid, p.ocid, 1,
        jsonb_build_object('deadline', p.tender_end, 'bidDate', b.date, 'tenderer', b.tenderer_name, 'amount', b.amount)
      FROM procurement_procedures p
      JOIN procurement_bids b ON b.ocid = p.ocid AND b.status = 'valid' AND b.date > p.tender_end
      JOIN procurement_awards a ON a.ocid = p.ocid AND a.status = 'active' AND a.supplier_edrpou = b.tenderer_edrpou
      ORDER BY p.ocid, b.date`,
  },
  {
    id: 'R035',
    subject: 'procedure',
    rule: 'A contracting process is flagged if exactly one tenderer submitted one or more valid bids, the tenderer of the valid bids and the suppliers of all active awards are the same, and at least 1 other tenderer submitted a bid that was disqualified. Excluded: an award pending.',
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/035.md (default threshold 1)',
    sourceUrl: `${CARDINAL}035.md`,
    needs: ['bids.details.status', 'bids.details.tenderers', 'awards.status', 'awards.suppliers'],
    sql: `${INSERT}
      SELECT 'R035', 'procedure', x.ocid, x.ocid, x.disqualified,
        jsonb_build_object('winner', x.winner, 'disqualified', x.names)
      FROM (
        SELECT b.ocid, min(b.tenderer_name) FILTER (WHERE b.status = 'valid') AS winner,
          min(b.tenderer_edrpou) FILTER (WHERE b.status = 'valid') AS winner_edrpou,
          count(DISTINCT b.tenderer_edrpou) FILTER (WHERE b.status = 'disqualified') AS disqualified,
          jsonb_agg(DISTINCT b.tenderer_name) FILTER (WHERE b.status = 'disqualified') AS names,
          count(DISTINCT b.tenderer_edrpou) FILTER (WHERE b.status = 'valid') AS valid_tenderers
        FROM procurement_bids b GROUP BY b.ocid
      ) x
      WHERE x.valid_tenderers = 1 AND x.disqualified >= 1
        AND EXISTS (SELECT 1 FROM procurement_awards a WHERE a.ocid = x.ocid AND a.status = 'active')
        AND NOT EXISTS (SELECT 1 FROM procurement_awards a WHERE a.ocid = x.ocid AND a.status = 'pending')
        AND NOT EXISTS (SELECT 1 FROM procurement_awards a WHERE a.ocid = x.ocid AND a.status = 'active' AND a.supplier_edrpou IS DISTINCT FROM x.winner_edrpou)`,
  },
  {
    id: 'R036',
    subject: 'procedure',
    rule: 'A contracting process is flagged if there are one or more active awards, there are one or more valid bids with amounts, and the lowest submitted bid is disqualified.',
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/036.md',
    sourceUrl: `${CARDINAL}036.md`,
    needs: ['bids.details.value.amount', 'bids.details.status', 'awards.status'],
    sql: `${INSERT}
      SELECT 'R036', 'procedure', l.ocid, l.ocid, 1,
        jsonb_build_object('lowestBid', l.amount, 'tenderer', l.tenderer_name,
          'winner', (SELECT min(a.supplier_name) FROM procurement_awards a WHERE a.ocid = l.ocid AND a.status = 'active'),
          'winningAmount', (SELECT min(a.amount) FROM procurement_awards a WHERE a.ocid = l.ocid AND a.status = 'active'))
      FROM (
        SELECT DISTINCT ON (b.ocid) b.* FROM procurement_bids b
        WHERE b.${SUBMITTED} AND b.amount IS NOT NULL ORDER BY b.ocid, b.amount, (b.status = 'disqualified') DESC
      ) l
      WHERE l.status = 'disqualified'
        AND EXISTS (SELECT 1 FROM procurement_awards a WHERE a.ocid = l.ocid AND a.status = 'active')
        AND EXISTS (SELECT 1 FROM procurement_bids v WHERE v.ocid = l.ocid AND v.status = 'valid' AND v.amount IS NOT NULL)`,
  },
  {
    id: 'R038',
    subject: 'buyer',
    rule: "For each buyer, the ratio is numberOfBidsDisqualifiedByBuyer / numberOfBidsSubmittedToBuyer across all contracting processes. A buyer is flagged if its ratio is greater than or equal to the upper fence of Q3 + 1.5(IQR) of the buyers' ratios.",
    source:
      'open-contracting/cardinal-rs, docs/cli/indicators/R/038.md (buyers; a buyer that disqualified no bid is not flagged)',
    sourceUrl: `${CARDINAL}038.md`,
    needs: ['buyer', 'bids.details.status'],
    sql: `${INSERT}
      WITH ratios AS (
        SELECT p.buyer_edrpou, min(p.buyer_name) AS name, count(*) AS submitted,
          count(*) FILTER (WHERE b.status = 'disqualified') AS disqualified,
          count(*) FILTER (WHERE b.status = 'disqualified')::numeric / count(*) AS ratio
        FROM procurement_procedures p JOIN procurement_bids b ON b.ocid = p.ocid AND b.${SUBMITTED}
        WHERE p.buyer_edrpou IS NOT NULL GROUP BY p.buyer_edrpou
      ), fence AS MATERIALIZED (
        SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY ratio) AS q1, percentile_cont(0.75) WITHIN GROUP (ORDER BY ratio) AS q3, count(*) AS n FROM ratios
      )
      SELECT 'R038', 'buyer', r.buyer_edrpou, NULL, r.ratio,
        jsonb_build_object('name', r.name, 'submitted', r.submitted, 'disqualified', r.disqualified, 'ratio', r.ratio,
          'upperFence', f.q3 + 1.5 * (f.q3 - f.q1), 'buyers', f.n)
      FROM ratios r CROSS JOIN fence f WHERE r.ratio >= f.q3 + 1.5 * (f.q3 - f.q1) AND r.disqualified > 0`,
  },
  {
    id: 'R048',
    subject: 'supplier',
    rule: 'For each tenderer, the variety is the number of distinct first-level classifications (2 digits) across all items awarded to the tenderer. A tenderer is flagged if its variety is greater than or equal to the upper fence of Q3 + 1.5(IQR) of the varieties among tenderers awarded in at least 20 contracting processes.',
    source: 'open-contracting/cardinal-rs, docs/cli/indicators/R/048.md (digits 2, minimum_contracting_processes 20)',
    sourceUrl: `${CARDINAL}048.md`,
    needs: ['awards.status', 'awards.suppliers', 'tender.items.classification', 'awards.relatedLots'],
    sql: `${INSERT}
      WITH awarded AS (
        SELECT a.supplier_edrpou, min(a.supplier_name) AS name, count(DISTINCT a.ocid) AS processes,
          count(DISTINCT left(i.cpv, 2)) AS variety, jsonb_agg(DISTINCT left(i.cpv, 2)) AS divisions
        FROM procurement_awards a
        JOIN procurement_items i ON i.ocid = a.ocid AND (a.lot_id IS NULL OR i.lot_id IS NULL OR i.lot_id = a.lot_id)
        WHERE a.status = 'active' AND a.suppliers = 1 AND a.supplier_edrpou IS NOT NULL AND i.cpv IS NOT NULL
        GROUP BY a.supplier_edrpou HAVING count(DISTINCT a.ocid) >= 20
      ), fence AS MATERIALIZED (
        SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY variety) AS q1, percentile_cont(0.75) WITHIN GROUP (ORDER BY variety) AS q3, count(*) AS n FROM awarded
      )
      SELECT 'R048', 'supplier', w.supplier_edrpou, NULL, w.variety,
        jsonb_build_object('name', w.name, 'processes', w.processes, 'variety', w.variety, 'divisions', w.divisions,
          'upperFence', f.q3 + 1.5 * (f.q3 - f.q1), 'suppliers', f.n)
      FROM awarded w CROSS JOIN fence f WHERE w.variety >= f.q3 + 1.5 * (f.q3 - f.q1)`,
  },
  {
    id: 'ari-1-1',
    subject: 'contract',
    rule: "Якщо в договорі є 3 і більш зміни data.changes і data.changes.status='active', індикатор приймає значення 1. (Договір active; procurementMethodType з переліку правила; вартість: товари/послуги ≥ 400 000, роботи ≥ 1 500 000.)",
    source: 'ProzorroUKR/prozorro-risks, src/prozorro/risks/rules/ari_1_1.py',
    sourceUrl: `${RISKS}ari_1_1.py`,
    needs: [
      'contracts.status',
      'contracts.amendments (changes).status',
      'tender.procurementMethodType',
      'tender.value',
      'tender.mainProcurementCategory',
    ],
    sql: `${INSERT}
      SELECT 'ari-1-1', 'contract', c.ocid || '/' || c.contract_id, c.ocid, count(*),
        jsonb_build_object('contract', c.contract_id, 'supplier', c.supplier_name, 'amount', c.amount,
          'changes', jsonb_agg(jsonb_build_object('id', ch.change_id, 'date', ch.date, 'rationale', ch.rationale, 'types', ch.rationale_types) ORDER BY ch.date))
      FROM procurement_contracts c
      JOIN procurement_procedures p ON p.ocid = c.ocid
      JOIN procurement_contract_changes ch ON ch.ocid = c.ocid AND ch.contract_id = c.contract_id AND ch.status = 'active'
      WHERE c.status = 'active' AND ${RISKS_VALUE} AND ${RISKS_KINDS}
        AND p.method_type IN ('aboveThresholdUA', 'aboveThresholdEU', 'aboveThreshold', 'belowThreshold', 'reporting',
          'competitiveOrdering', 'simple.defense', 'priceQuotation', 'negotiation', 'negotiation.quick')
      GROUP BY c.ocid, c.contract_id, c.supplier_name, c.amount HAVING count(*) >= 3`,
  },
  {
    id: 'sas24-3-4',
    subject: 'contract',
    rule: "Якщо в договорі є зміни у яких data.changes.status='active' та в масив причин data.changes.rationaleTypes містить елементи itemPriceVariation та durationExtension, або itemPriceVariation та fiscalYearExtension, або itemPriceVariation та fiscalYearExtension та durationExtension, то індикатор приймає значення 1.",
    source: 'ProzorroUKR/prozorro-risks, src/prozorro/risks/rules/sas24_3_4.py',
    sourceUrl: `${RISKS}sas24_3_4.py`,
    needs: ['contracts.amendments (changes).rationaleTypes', 'contracts.amendments (changes).status', 'tender.value'],
    sql: `${INSERT}
      SELECT 'sas24-3-4', 'contract', c.ocid || '/' || c.contract_id, c.ocid, 1,
        jsonb_build_object('contract', c.contract_id, 'supplier', c.supplier_name, 'amount', c.amount,
          'changes', jsonb_agg(jsonb_build_object('id', ch.change_id, 'date', ch.date, 'rationale', ch.rationale, 'types', ch.rationale_types) ORDER BY ch.date))
      FROM procurement_contracts c
      JOIN procurement_procedures p ON p.ocid = c.ocid
      JOIN procurement_contract_changes ch ON ch.ocid = c.ocid AND ch.contract_id = c.contract_id AND ch.status = 'active'
      WHERE c.status = 'active' AND ${RISKS_VALUE} AND ${RISKS_KINDS}
        AND p.method_type IN ('negotiation', 'negotiation.quick', 'aboveThresholdUA', 'aboveThresholdEU', 'aboveThreshold', 'belowThreshold', 'reporting')
      GROUP BY c.ocid, c.contract_id, c.supplier_name, c.amount
      HAVING bool_or('itemPriceVariation' = ANY (ch.rationale_types))
        AND bool_or('durationExtension' = ANY (ch.rationale_types) OR 'fiscalYearExtension' = ANY (ch.rationale_types))`,
  },
  {
    id: 'sas24-3-7',
    subject: 'contract',
    rule: 'Якщо дата в контракті data.period.endDate відрізняється менше ніж на 60 днів від дати в тендері data.contracts.date, індикатор приймає значення 1. (Закупівля робіт, вартість ≥ 1 500 000, договір active.)',
    source: 'ProzorroUKR/prozorro-risks, src/prozorro/risks/rules/sas24_3_7.py (CONTRACT_MODIFYING_DAYS_LIMIT = 60)',
    sourceUrl: `${RISKS}sas24_3_7.py`,
    needs: ['contracts.period.endDate', 'contracts.dateSigned', 'tender.mainProcurementCategory', 'tender.value'],
    sql: `${INSERT}
      SELECT 'sas24-3-7', 'contract', c.ocid || '/' || c.contract_id, c.ocid,
        extract(epoch FROM c.period_end - c.date_signed) / 86400,
        jsonb_build_object('contract', c.contract_id, 'supplier', c.supplier_name, 'amount', c.amount,
          'date', c.date_signed, 'endDate', c.period_end, 'limitDays', 60)
      FROM procurement_contracts c JOIN procurement_procedures p ON p.ocid = c.ocid
      WHERE c.status = 'active' AND p.main_category = 'works' AND p.value_amount >= 1500000 AND ${RISKS_KINDS}
        AND p.method_type IN ('negotiation', 'negotiation.quick', 'aboveThresholdUA', 'aboveThresholdEU', 'aboveThreshold', 'belowThreshold', 'reporting')
        AND c.period_end IS NOT NULL AND c.date_signed IS NOT NULL AND c.period_end < c.date_signed + interval '60 days'`,
  },
  {
    id: 'sas24-3-2',
    subject: 'procedure',
    rule: 'Якщо є “Переможець” i “Дискваліфікації” не менше двох, індикатор приймає значення “1” (дискваліфікації: унікальні постачальники data.awards зі status = unsuccessful; товари або послуги; вартість ≥ 400 000).',
    source: 'ProzorroUKR/prozorro-risks, src/prozorro/risks/rules/sas24_3_2.py',
    sourceUrl: `${RISKS}sas24_3_2.py`,
    needs: [
      'awards.status',
      'awards.suppliers',
      'tender.status',
      'tender.procurementMethodType',
      'tender.mainProcurementCategory',
      'tender.value',
    ],
    sql: `${INSERT}
      SELECT 'sas24-3-2', 'procedure', p.ocid, p.ocid, d.n,
        jsonb_build_object('disqualified', d.names, 'winner', (SELECT min(a.supplier_name) FROM procurement_awards a WHERE a.ocid = p.ocid AND a.status = 'active'))
      FROM procurement_procedures p
      JOIN LATERAL (
        SELECT coalesce(a.lot_id, '') AS lot, count(DISTINCT a.supplier_edrpou) AS n, jsonb_agg(DISTINCT a.supplier_name) AS names
        FROM procurement_awards a WHERE a.ocid = p.ocid AND a.status = 'unsuccessful' GROUP BY coalesce(a.lot_id, '')
        ORDER BY 2 DESC LIMIT 1
      ) d ON d.n >= 2
      WHERE p.method_type IN ('aboveThresholdUA', 'aboveThreshold', 'aboveThresholdEU', 'belowThreshold')
        AND p.status IN ('active.qualification', 'active.awarded', 'complete', 'active')
        AND p.main_category IN ('goods', 'services') AND p.value_amount >= 400000 AND ${RISKS_KINDS}
        AND EXISTS (SELECT 1 FROM procurement_awards a WHERE a.ocid = p.ocid AND a.status = 'active' AND coalesce(a.lot_id, '') = d.lot)`,
  },
  {
    id: 'sas24-3-1',
    subject: 'procedure',
    rule: "Якщо в процедурі присутні блоки data.complaints, data.awards.complaints … що мають complaints.status = 'satisfied', то для кожного такого блоку порівнюємо complaints.dateDecision з поточною датою. Якщо від complaints.dateDecision до поточної дати пройшло більше 30 днів, індикатор дорівнює 1.",
    source: 'ProzorroUKR/prozorro-risks, src/prozorro/risks/rules/sas24_3_1.py (DECISION_LIMIT = 30)',
    sourceUrl: `${RISKS}sas24_3_1.py`,
    needs: [
      'tender.complaints',
      'awards.complaints',
      'complaints.status',
      'complaints.dateDecision',
      'tender.procurementMethodType',
    ],
    sql: `${INSERT}
      SELECT DISTINCT ON (p.ocid) 'sas24-3-1', 'procedure', p.ocid, p.ocid, 1,
        jsonb_build_object('complaint', c.title, 'dateDecision', c.date_decision, 'limitDays', 30, 'evaluatedAt', $1::timestamptz)
      FROM procurement_procedures p
      JOIN procurement_complaints c ON c.ocid = p.ocid AND c.status = 'satisfied' AND c.date_decision IS NOT NULL
        AND c.date_decision + interval '30 days' < $1::timestamptz
      WHERE p.method_type IN ('negotiation', 'negotiation.quick', 'aboveThresholdEU', 'aboveThresholdUA', 'aboveThreshold')
        AND ${RISKS_VALUE} AND ${RISKS_KINDS}
      ORDER BY p.ocid, c.date_decision`,
  },
  {
    id: 'single-buyer',
    subject: 'supplier',
    rule: 'A supplier with a single buyer: every procedure the supplier won (an active award) was bought by one and the same buyer.',
    source: 'DOZORRO users, as written in Hromada issue 16',
    sourceUrl: 'https://dozorro.org/',
    needs: ['awards.status', 'awards.suppliers', 'buyer'],
    sql: `${INSERT}
      SELECT 'single-buyer', 'supplier', a.supplier_edrpou, NULL, count(DISTINCT a.ocid),
        jsonb_build_object('name', min(a.supplier_name), 'buyer', min(p.buyer_name), 'buyerEdrpou', min(p.buyer_edrpou),
          'procedures', count(DISTINCT a.ocid), 'amount', sum(a.amount))
      FROM procurement_awards a JOIN procurement_procedures p ON p.ocid = a.ocid
      WHERE a.status = 'active' AND a.supplier_edrpou IS NOT NULL AND p.buyer_edrpou IS NOT NULL
      GROUP BY a.supplier_edrpou HAVING count(DISTINCT p.buyer_edrpou) = 1`,
  },
  {
    id: 'split-purchase',
    subject: 'procedure',
    rule: 'Purchases split into several below-threshold or reporting procedures of one buyer for one CPV class (ДК 021, first 4 digits) within 90 days.',
    source: 'DOZORRO users, as written in Hromada issue 16',
    sourceUrl: 'https://dozorro.org/',
    needs: ['buyer', 'tender.procurementMethodType', 'tender.items.classification', 'tender.tenderPeriod / date'],
    sql: `${INSERT}
      WITH small AS (
        SELECT DISTINCT p.ocid, p.buyer_edrpou, left(i.cpv, 4) AS cpv_class, p.started_at, p.spend, p.title
        FROM procurement_procedures p JOIN procurement_items i ON i.ocid = p.ocid
        WHERE p.method_type IN ('belowThreshold', 'reporting') AND p.buyer_edrpou IS NOT NULL AND i.cpv IS NOT NULL AND p.started_at IS NOT NULL
      ), windowed AS (
        -- Every purchase of the same buyer and class within 90 days either side (a window, not a
        -- self-join): how many, how much, from when to when.
        SELECT s.ocid, s.cpv_class, count(*) OVER near AS purchases, sum(s.spend) OVER near AS amount,
          min(s.started_at) OVER near AS first_date, max(s.started_at) OVER near AS last_date
        FROM small s
        WINDOW near AS (PARTITION BY s.buyer_edrpou, s.cpv_class ORDER BY s.started_at
          RANGE BETWEEN interval '90 days' PRECEDING AND interval '90 days' FOLLOWING)
      )
      SELECT DISTINCT ON (w.ocid) 'split-purchase', 'procedure', w.ocid, w.ocid, w.purchases,
        jsonb_build_object('cpvClass', w.cpv_class, 'purchases', w.purchases, 'amount', w.amount,
          'firstDate', w.first_date, 'lastDate', w.last_date, 'windowDays', 90)
      FROM windowed w WHERE w.purchases > 1
      ORDER BY w.ocid, w.purchases DESC`,
  },
  {
    id: 'non-competitive-share',
    subject: 'buyer',
    rule: "The buyer's share of non-competitive procedures (procurementMethod 'limited' or procurementMethodType 'reporting'/'negotiation…') in all its procedures; flagged when it is a high outlier, at or above Q3 + 1.5(IQR) of all buyers' shares (the outlier rule of cardinal-rs R038).",
    source:
      'DOZORRO users, as written in Hromada issue 16; outlier rule from open-contracting/cardinal-rs docs/cli/indicators/R/038.md',
    sourceUrl: `${CARDINAL}038.md`,
    needs: ['buyer', 'tender.procurementMethod', 'tender.procurementMethodType'],
    sql: `${INSERT}
      WITH shares AS (
        SELECT p.buyer_edrpou, min(p.buyer_name) AS name, count(*) AS procedures,
          count(*) FILTER (WHERE p.method = 'limited' OR p.method_type IN ('reporting', 'negotiation', 'negotiation.quick')) AS non_competitive
        FROM procurement_procedures p WHERE p.buyer_edrpou IS NOT NULL GROUP BY p.buyer_edrpou
      ), ratios AS (SELECT *, non_competitive::numeric / procedures AS share FROM shares),
      fence AS MATERIALIZED (SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY share) AS q1, percentile_cont(0.75) WITHIN GROUP (ORDER BY share) AS q3, count(*) AS n FROM ratios)
      SELECT 'non-competitive-share', 'buyer', r.buyer_edrpou, NULL, r.share,
        jsonb_build_object('name', r.name, 'procedures', r.procedures, 'nonCompetitive', r.non_competitive, 'share', r.share,
          'upperFence', f.q3 + 1.5 * (f.q3 - f.q1), 'buyers', f.n)
      FROM ratios r CROSS JOIN fence f WHERE r.share >= f.q3 + 1.5 * (f.q3 - f.q1) AND r.non_competitive > 0`,
  },
];

export const INDICATOR_BY_ID = new Map(INDICATORS.map((i) => [i.id, i]));

/** Recomputes every flag from the stored data (inside the caller's transaction). Returns flags per indicator. */
export async function recomputeFlags(db: Queryable, now: Date): Promise<Record<string, number>> {
  await db.query('DELETE FROM procurement_flags');
  // Fresh statistics after an import, so the planner sees the tables' real sizes.
  await db.query(
    'ANALYZE procurement_procedures, procurement_bids, procurement_awards, procurement_items, procurement_contracts, procurement_contract_changes, procurement_complaints',
  );
  for (const indicator of INDICATORS) await db.query(indicator.sql, indicator.sql.includes('$1') ? [now] : []);
  const rows = await db.query<{ indicator: string; n: number }>(
    'SELECT indicator, count(*)::int AS n FROM procurement_flags GROUP BY indicator',
  );
  return Object.fromEntries(rows.map((r) => [r.indicator, r.n]));
}

/** Procedures with a flag on the procedure itself or on one of its contracts. */
export const FLAGGED_OCIDS = `SELECT DISTINCT ocid FROM procurement_flags WHERE ocid IS NOT NULL`;
