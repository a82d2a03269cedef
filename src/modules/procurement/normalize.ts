// From a compiled release in Prozorro's OCDS shape to the rows the pages and red flags query.
// Prozorro's extensions read here: tender.procurementMethodType, tender.mainProcurementCategory,
// bids.details (the bids extension), complaints on the tender and on awards (Prozorro's
// complaints), contract amendments with Prozorro's rationaleTypes and status, parties by UA-EDR.
import { OcdsInputError } from './ocds-stream.ts';

type Obj = Record<string, unknown>;

export interface ProcedureRows {
  procedure: {
    ocid: string;
    tender_id: string;
    title: string;
    buyer_edrpou: string | null;
    buyer_name: string;
    buyer_kind: string | null;
    method: string | null;
    method_type: string | null;
    main_category: string | null;
    status: string | null;
    value_amount: number | null;
    currency: string | null;
    tender_start: string | null;
    tender_end: string | null;
    started_at: string | null;
    year: number | null;
    release_date: string;
    bidders: number;
    spend: number;
    search_text: string;
  };
  lots: { ocid: string; lot_id: string; title: string; status: string | null; value_amount: number | null }[];
  items: {
    ocid: string;
    item_id: string;
    lot_id: string | null;
    description: string;
    cpv: string | null;
    quantity: number | null;
    unit: string | null;
  }[];
  bids: {
    ocid: string;
    bid_id: string;
    tenderer_edrpou: string | null;
    tenderer_name: string;
    tenderers: number;
    status: string | null;
    amount: number | null;
    date: string | null;
    lot_id: string | null;
  }[];
  awards: {
    ocid: string;
    award_id: string;
    lot_id: string | null;
    bid_id: string | null;
    status: string | null;
    supplier_edrpou: string | null;
    supplier_name: string;
    suppliers: number;
    amount: number | null;
    date: string | null;
  }[];
  contracts: {
    ocid: string;
    contract_id: string;
    award_id: string | null;
    status: string | null;
    supplier_edrpou: string | null;
    supplier_name: string;
    amount: number | null;
    date_signed: string | null;
    period_start: string | null;
    period_end: string | null;
  }[];
  changes: {
    ocid: string;
    contract_id: string;
    change_id: string;
    status: string | null;
    rationale: string;
    rationale_types: string[];
    date: string | null;
  }[];
  complaints: {
    ocid: string;
    complaint_id: string;
    scope: 'tender' | 'award';
    related_id: string | null;
    type: string | null;
    status: string | null;
    title: string;
    date_submitted: string | null;
    date_decision: string | null;
  }[];
  parties: { edrpou: string; name: string }[];
}

const OCID = /^ocds-[a-z0-9]{6}-\S+$/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** Bid statuses as OCDS's bid status codes; Prozorro's own API says active / unsuccessful / invalid. */
const BID_STATUS: Record<string, string> = {
  active: 'valid',
  valid: 'valid',
  unsuccessful: 'disqualified',
  invalid: 'disqualified',
  disqualified: 'disqualified',
  pending: 'pending',
  draft: 'invited',
  invited: 'invited',
  deleted: 'withdrawn',
  withdrawn: 'withdrawn',
};

const obj = (value: unknown): Obj =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
const arr = (value: unknown): Obj[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Checks what the importer relies on; throws with the JSON pointer of the first problem. */
export function checkRelease(release: Obj, where: string): void {
  const ocid = release.ocid;
  if (typeof ocid !== 'string' || ocid === '') throw new OcdsInputError(`${where}/ocid`, 'a release without "ocid"');
  if (!OCID.test(ocid))
    throw new OcdsInputError(`${where}/ocid`, `"${ocid.slice(0, 80)}" is not an OCDS ocid (ocds-xxxxxx-…)`);
  if (typeof release.date !== 'string' || Number.isNaN(Date.parse(release.date)))
    throw new OcdsInputError(`${where}/date`, 'a release needs its "date" as an ISO 8601 date-time');
  const tenderCurrency = str(obj(obj(release.tender).value).currency);
  walk(release, `${where}`, tenderCurrency);
}

/** Every value's currency and every period's dates, anywhere in the release. */
function walk(value: unknown, pointer: string, tenderCurrency: string | null): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], `${pointer}/${i}`, tenderCurrency);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const object = value as Obj;
  if ('amount' in object && 'currency' in object) {
    const currency = object.currency;
    if (currency !== null && (typeof currency !== 'string' || !CURRENCIES.has(currency)))
      throw new OcdsInputError(
        `${pointer}/currency`,
        `"${String(currency).slice(0, 20)}" is not an ISO 4217 currency code`,
      );
    if (tenderCurrency && currency && currency !== tenderCurrency && !pointer.includes('/planning/'))
      throw new OcdsInputError(
        `${pointer}/currency`,
        `${currency} differs from the tender's currency ${tenderCurrency}`,
      );
    if (object.amount !== null && num(object.amount) === null)
      throw new OcdsInputError(`${pointer}/amount`, 'an amount must be a number');
  }
  if ('startDate' in object || 'endDate' in object) {
    const start = str(object.startDate);
    const end = str(object.endDate);
    for (const [name, date] of [
      ['startDate', start],
      ['endDate', end],
    ] as const)
      if (date !== null && Number.isNaN(Date.parse(date)))
        throw new OcdsInputError(`${pointer}/${name}`, `"${date.slice(0, 40)}" is not a date`);
    if (start && end && Date.parse(start) > Date.parse(end))
      throw new OcdsInputError(pointer, `dates out of order: startDate ${start} is after endDate ${end}`);
  }
  for (const [key, child] of Object.entries(object))
    if (child && typeof child === 'object') walk(child, `${pointer}/${key}`, tenderCurrency);
}

/** The ЄДРПОУ of an organisation reference: from its party's UA-EDR identifier, else from its id. */
function edrpouOf(reference: Obj, parties: Map<string, Obj>): string | null {
  const party = parties.get(String(reference.id ?? ''));
  const identifier = obj(party?.identifier ?? reference.identifier);
  if (str(identifier.id) && (identifier.scheme === 'UA-EDR' || !identifier.scheme)) return str(identifier.id);
  const match = /UA-EDR-(\d{8,10})/.exec(String(reference.id ?? ''));
  return match ? match[1]! : null;
}

/** The local calendar year of a date as written (a date at 00:30 Kyiv time on 1 January is in the new year). */
const yearOf = (date: string | null) => (date && /^\d{4}-/.test(date) ? Number(date.slice(0, 4)) : null);

export function normalize(compiled: Obj): ProcedureRows {
  const ocid = String(compiled.ocid);
  const tender = obj(compiled.tender);
  const parties = new Map(arr(compiled.parties).map((p) => [String(p.id ?? ''), p]));
  const partyRows = new Map<string, string>();
  const remember = (reference: Obj) => {
    const edrpou = edrpouOf(reference, parties);
    const name = str(reference.name) ?? str(parties.get(String(reference.id ?? ''))?.name) ?? '';
    if (edrpou && name) partyRows.set(edrpou, name);
    return { edrpou, name };
  };
  const buyerRef = Object.keys(obj(compiled.buyer)).length ? obj(compiled.buyer) : obj(tender.procuringEntity);
  const buyer = remember(buyerRef);
  const buyerParty = parties.get(String(buyerRef.id ?? ''));
  const buyerKind = str(obj(buyerParty?.details).kind) ?? str(obj(tender.procuringEntity).kind);

  const bidRows: ProcedureRows['bids'] = arr(obj(compiled.bids).details).map((bid, i) => {
    const tenderers = arr(bid.tenderers);
    const first = tenderers[0] ? remember(tenderers[0]) : { edrpou: null, name: '' };
    return {
      ocid,
      bid_id: str(bid.id) ?? String(i),
      tenderer_edrpou: first.edrpou,
      tenderer_name: first.name,
      tenderers: tenderers.length,
      status: BID_STATUS[String(bid.status)] ?? str(bid.status),
      amount: num(obj(bid.value).amount),
      date: str(bid.date),
      lot_id: str((bid.relatedLots as unknown[] | undefined)?.[0]),
    };
  });
  const awardRows: ProcedureRows['awards'] = arr(compiled.awards).map((award, i) => {
    const suppliers = arr(award.suppliers);
    const first = suppliers[0] ? remember(suppliers[0]) : { edrpou: null, name: '' };
    return {
      ocid,
      award_id: str(award.id) ?? String(i),
      lot_id: str((award.relatedLots as unknown[] | undefined)?.[0]) ?? str(award.lotID),
      bid_id: str(award.relatedBid) ?? str(award.bid_id),
      status: str(award.status),
      supplier_edrpou: first.edrpou,
      supplier_name: first.name,
      suppliers: suppliers.length,
      amount: num(obj(award.value).amount),
      date: str(award.date),
    };
  });
  const changes: ProcedureRows['changes'] = [];
  const contractRows: ProcedureRows['contracts'] = arr(compiled.contracts).map((contract, i) => {
    const contractId = str(contract.id) ?? String(i);
    const award = awardRows.find((a) => a.award_id === str(contract.awardID));
    const supplierRef = arr(contract.suppliers)[0];
    const supplier = supplierRef
      ? remember(supplierRef)
      : { edrpou: award?.supplier_edrpou ?? null, name: award?.supplier_name ?? '' };
    // Prozorro's contract changes (`changes`), or OCDS amendments carrying the same fields.
    const amendments = [...arr(contract.changes), ...arr(contract.amendments)];
    amendments.forEach((change, j) => {
      changes.push({
        ocid,
        contract_id: contractId,
        change_id: str(change.id) ?? String(j),
        status: str(change.status) ?? 'active',
        rationale: str(change.rationale) ?? str(change.description) ?? '',
        rationale_types: Array.isArray(change.rationaleTypes) ? change.rationaleTypes.map(String) : [],
        date: str(change.date) ?? str(change.dateSigned),
      });
    });
    return {
      ocid,
      contract_id: contractId,
      award_id: str(contract.awardID),
      status: str(contract.status),
      supplier_edrpou: supplier.edrpou,
      supplier_name: supplier.name,
      amount: num(obj(contract.value).amount),
      date_signed: str(contract.dateSigned) ?? str(contract.date),
      period_start: str(obj(contract.period).startDate),
      period_end: str(obj(contract.period).endDate),
    };
  });
  const complaints: ProcedureRows['complaints'] = [
    ...arr(tender.complaints).map((c) => ({ c, scope: 'tender' as const, related: null as string | null })),
    ...arr(compiled.awards).flatMap((a) =>
      arr(a.complaints).map((c) => ({ c, scope: 'award' as const, related: str(a.id) })),
    ),
  ].map(({ c, scope, related }, i) => ({
    ocid,
    complaint_id: str(c.id) ?? `${scope}-${i}`,
    scope,
    related_id: related,
    type: str(c.type),
    status: str(c.status),
    title: str(c.title) ?? '',
    date_submitted: str(c.dateSubmitted),
    date_decision: str(c.dateDecision),
  }));
  const lots = arr(tender.lots).map((lot, i) => ({
    ocid,
    lot_id: str(lot.id) ?? String(i),
    title: str(lot.title) ?? '',
    status: str(lot.status),
    value_amount: num(obj(lot.value).amount),
  }));
  const items = arr(tender.items).map((item, i) => ({
    ocid,
    item_id: str(item.id) ?? String(i),
    lot_id: str(item.relatedLot),
    description: str(item.description) ?? '',
    cpv: str(obj(item.classification).id),
    quantity: num(item.quantity),
    unit: str(obj(item.unit).name),
  }));

  const submitted = bidRows.filter(
    (b) => b.status === 'valid' || b.status === 'disqualified' || b.status === 'pending',
  );
  const bidders = new Set(submitted.map((b) => b.tenderer_edrpou ?? b.bid_id)).size;
  const activeContracts = contractRows.filter((c) => c.status === 'active' || c.status === 'terminated');
  const spend = activeContracts.length
    ? activeContracts.reduce((sum, c) => sum + (c.amount ?? 0), 0)
    : awardRows.filter((a) => a.status === 'active').reduce((sum, a) => sum + (a.amount ?? 0), 0);
  const tenderPeriod = obj(tender.tenderPeriod);
  const startedAt = str(tender.datePublished) ?? str(tenderPeriod.startDate) ?? str(compiled.date);
  const title = str(tender.title) ?? '';
  const tenderId = ocid.replace(/^ocds-[a-z0-9]{6}-/, '');
  return {
    procedure: {
      ocid,
      tender_id: tenderId,
      title,
      buyer_edrpou: buyer.edrpou,
      buyer_name: buyer.name,
      buyer_kind: buyerKind,
      method: str(tender.procurementMethod),
      method_type: str(tender.procurementMethodType) ?? str(tender.procurementMethodDetails),
      main_category: str(tender.mainProcurementCategory),
      status: str(tender.status),
      value_amount: num(obj(tender.value).amount),
      currency: str(obj(tender.value).currency),
      tender_start: str(tenderPeriod.startDate),
      tender_end: str(tenderPeriod.endDate),
      started_at: startedAt,
      year: yearOf(startedAt),
      release_date: String(compiled.date),
      bidders,
      spend,
      search_text: `${tenderId} ${title} ${buyer.name} ${items.map((i) => `${i.description} ${i.cpv ?? ''}`).join(' ')}`
        .toLowerCase()
        .slice(0, 4000),
    },
    lots,
    items,
    bids: bidRows,
    awards: awardRows,
    contracts: contractRows,
    changes,
    complaints,
    parties: [...partyRows].map(([edrpou, name]) => ({ edrpou, name })),
  };
}
