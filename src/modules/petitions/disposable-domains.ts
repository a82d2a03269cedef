// Throw-away mailbox services: an address there proves nobody, so it cannot sign. The list holds
// the widely used ones; a domain's subdomains are covered too.
const DISPOSABLE = new Set([
  '10minutemail.com', '10minutemail.net', '20minutemail.com', 'mailinator.com', 'mailinator.net', 'guerrillamail.com',
  'guerrillamail.net', 'guerrillamail.org', 'guerrillamailblock.com', 'sharklasers.com', 'grr.la', 'yopmail.com', 'yopmail.fr',
  'yopmail.net', 'temp-mail.org', 'tempmail.com', 'tempmail.net', 'temp-mail.io', 'tempmailo.com', 'tempr.email',
  'throwawaymail.com', 'trashmail.com', 'trashmail.de', 'trashmail.net', 'getnada.com', 'nada.email', 'dispostable.com',
  'maildrop.cc', 'mailnesia.com', 'mintemail.com', 'mohmal.com', 'moakt.com', 'mytemp.email', 'emailondeck.com',
  'fakeinbox.com', 'fakemail.net', 'spamgourmet.com', 'spambox.us', 'mailcatch.com', 'inboxkitten.com', 'burnermail.io',
  'discard.email', 'dropmail.me', 'emailfake.com', 'email-fake.com', 'fexpost.com', 'getairmail.com', 'harakirimail.com',
  'incognitomail.org', 'jetable.org', 'linshiyouxiang.net', 'mail-temp.com', 'mailpoof.com', 'mailtemp.net', 'mvrht.com',
  'owlymail.com', 'tempail.com', 'tempinbox.com', 'tmail.ws', 'tmpmail.org', 'tmpmail.net', 'wegwerfmail.de', 'zetmail.com',
  'mail.tm', 'mailsac.com', 'spam4.me', 'byom.de', 'crazymailing.com', 'cuvox.de', 'dayrep.com', 'einrot.com', 'fleckens.hu',
  'gustr.com', 'jourrapide.com', 'rhyta.com', 'superrito.com', 'teleworm.us', 'armyspy.com',
]);

export function isDisposableDomain(domain: string): boolean {
  const parts = domain.toLowerCase().split('.');
  for (let i = 0; i < parts.length - 1; i++) if (DISPOSABLE.has(parts.slice(i).join('.'))) return true;
  return false;
}
