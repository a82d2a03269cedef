// The admin area (users, memberships, audit log, outbox) is for platform admins only.
import { isAdmin, type Policy } from '../../platform/http/guards.ts';

export const canAdminister: Policy = isAdmin;
