// Who may do what with organisations. Reading is public; changing is for platform admins.
import { isAdmin, type Policy } from '../../platform/http/guards.ts';

export const canManageOrganizations: Policy = isAdmin;
