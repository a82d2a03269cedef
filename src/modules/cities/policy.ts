// Who may do what with cities. Reading is public; changing is for platform admins.
import { isAdmin, type Policy } from '../../platform/http/guards.ts';

export const canManageCities: Policy = isAdmin;
