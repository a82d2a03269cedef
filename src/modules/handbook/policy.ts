// Who may write the handbook: the platform's editors (a city's editors) and admins. Reading it,
// its history and its printable edition is public.
import type { Policy } from '../../platform/http/guards.ts';
import { editsSomeCity } from '../catalog/policy.ts';

export const canEditHandbook: Policy = (user) => editsSomeCity(user);
