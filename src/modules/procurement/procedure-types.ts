// Prozorro's procedure types (`tender.procurementMethodType`) by name, so pages say "Спрощена
// закупівля" rather than `belowThreshold`. The Ukrainian and English names are those of Prozorro's
// API documentation (ProzorroUKR/openprocurement.api, docs/source/tendering/*/index.rst and its
// English translation); the Bulgarian ones are ours. A code not listed here is shown as it came.
import type { PageContext } from '../../platform/html/layout.ts';

export const PROCEDURE_TYPES = [
  'reporting',
  'negotiation',
  'negotiation.quick',
  'belowThreshold',
  'aboveThreshold',
  'aboveThresholdUA',
  'aboveThresholdEU',
  'aboveThresholdUA.defense',
  'simple.defense',
  'competitiveDialogueUA',
  'competitiveDialogueEU',
  'competitiveDialogueUA.stage2',
  'competitiveDialogueEU.stage2',
  'closeFrameworkAgreementUA',
  'closeFrameworkAgreementSelectionUA',
  'priceQuotation',
  'esco',
  'requestForProposal',
  'competitiveOrdering',
  'complexAsset.arma',
] as const;

const KNOWN = new Set<string>(PROCEDURE_TYPES);

/** The key of a type's name in the locale files (their keys cannot hold dots). */
export const procedureTypeKey = (code: string) => `procurement.procedure_type.${code.replaceAll('.', '_')}`;

/** A procedure type's name in the page's language, or the code itself when it is not one we know. */
export function procedureTypeName(ctx: Pick<PageContext, 't'>, code: string | null | undefined): string {
  if (!code) return '—';
  return KNOWN.has(code) ? ctx.t(procedureTypeKey(code)) : code;
}
