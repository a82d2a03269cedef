// Route guards: the one way modules check permissions. A module's policy.ts says *who* may do
// something; `allow(policy)` turns that into a preHandler that answers 401/login or 403.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CurrentUser } from '../auth.ts';
import { ForbiddenError } from '../errors.ts';
import { isApiRequest } from './context.ts';
import { localPath } from './redirects.ts';

export type Policy = (user: CurrentUser) => boolean;

export function allow(policy: Policy) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.user) {
      if (isApiRequest(request)) {
        return reply.problem(401, 'Authentication required', 'Send Authorization: Bearer <token>.');
      }
      if (request.method === 'GET')
        return reply.redirect(`/login?next=${encodeURIComponent(localPath(request.url, '/'))}`);
      throw Object.assign(new ForbiddenError('login required'), { statusCode: 401 });
    }
    if (!policy(request.user)) throw new ForbiddenError('forbidden');
  };
}

export const signedIn: Policy = () => true;
export const isAdmin: Policy = (user) => user.isAdmin;
