// How other modules name a Prozorro procedure: a person pastes the tender's number as Prozorro
// shows it (UA-2026-03-14-000123-a), its address on prozorro.gov.ua, or an ocid; we keep the ocid.
// Prozorro's ocids are `ocds-be6bcu-` + the tender id (the OCDS publisher prefix of Prozorro).

const TENDER_ID = /^UA-\d{4}-\d{2}-\d{2}-\d{6}-[a-z]$/;
const OCID = /^ocds-[a-z0-9]{6}-\S{1,200}$/;
export const PROZORRO_OCID_PREFIX = 'ocds-be6bcu-';

/** The ocid a pasted reference names, or null when it is none of the accepted forms. */
export function procedureOcid(reference: string): string | null {
  const text = reference.trim();
  const fromUrl = /^https?:\/\/(?:www\.)?prozorro\.gov\.ua\/(?:tender|uk\/tender|en\/tender)\/(UA-[^/?#\s]+)/.exec(
    text,
  )?.[1];
  const id = fromUrl ?? text;
  if (TENDER_ID.test(id)) return PROZORRO_OCID_PREFIX + id;
  if (OCID.test(id)) return id;
  return null;
}

/** The tender id of a Prozorro ocid (for its prozorro.gov.ua address), or null for another publisher's. */
export const prozorroTenderId = (ocid: string) =>
  ocid.startsWith(PROZORRO_OCID_PREFIX) ? ocid.slice(PROZORRO_OCID_PREFIX.length) : null;
