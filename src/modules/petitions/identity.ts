// How a signer (or a voter) proves who they are. One interface, so that BankID, Diia or a
// qualified electronic signature can be added as further checks without touching the modules
// that ask; today the platform has the verified e-mail address.
import type { CurrentUser } from '../../platform/auth.ts';

export const SIGNER_CHECKS = ['verified_email'] as const;
export type SignerCheck = (typeof SIGNER_CHECKS)[number];

export interface IdentityCheck {
  id: SignerCheck;
  /** ok, or the locale key of the reason this person cannot take part yet. */
  verify(user: CurrentUser): { ok: true } | { ok: false; reason: string };
}

const verifiedEmail: IdentityCheck = {
  id: 'verified_email',
  verify: (user) => (user.emailConfirmed ? { ok: true } : { ok: false, reason: 'petitions.error.confirm_email' }),
};

const CHECKS: Record<SignerCheck, IdentityCheck> = { verified_email: verifiedEmail };

export function identityCheck(id: SignerCheck): IdentityCheck {
  return CHECKS[id] ?? verifiedEmail;
}
