// Route guards: the one way modules check permissions. A module's policy.ts says *who* may do
// something; `allow(policy)` turns that into a preHandler that answers 401/login or 403.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CurrentUser } from '../auth.ts';
import { ForbiddenError } from '../errors.ts';
import { isApiRequest } from './context.ts';
import { localPath } from './redirects.ts';

export type Policy = (user: CurrentUser) => boolean;

/** The longest `next` the login page takes back; longer ones lose their query (a long filtered view). */
export const MAX_RETURN_PATH = 2000;

/** Where to come back to after signing in: this page, or just its path when the whole URL is too long to carry. */
function returnPath(url: string): string {
  const path = localPath(url, '/');
  return path.length <= MAX_RETURN_PATH ? path : localPath(path.split('?')[0], '/').slice(0, MAX_RETURN_PATH);
}

export function allow(policy: Policy) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.user) {
      if (isApiRequest(request)) {
        return reply.problem(401, 'Authentication required', 'Send Authorization: Bearer <token>.');
      }
      if (request.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(returnPath(request.url))}`);
      throw Object.assign(new ForbiddenError('login required'), { statusCode: 401 });
    }
    if (!policy(request.user)) throw new ForbiddenError('forbidden');
  };
}

export const signedIn: Policy = () => true;
export const isAdmin: Policy = (user) => user.isAdmin;
