/**
 * What availability knows of an account, folded from identity's public account events (never from its tables or
 * streams), to push regulators to the end-to-end booking vendors (INT_R02). Pure.
 *
 * Who is pushed (ADR 0008): accounts holding `regulateur-osnp` or `ioa` — the real platform's `sas_regulateur_osnp` and
 * `sas_ioa` (shared/reference/sas-interfaces.md §3), the people who book at a vendor on a patient's behalf. Other roles
 * (effecteur, gestionnaires, référent, administrateur, auditeur) never are. The vendor learns an account from its
 * creation by its SAS technical id (INTRN = the account id) and gets its IDNPS and Pro Santé Connect name once linked —
 * the guide's "PUT addressed by the old identifier with the new IDNPS in the body".
 */
import type { Role } from '../../../../shared-kernel/auth/principal.ts';
import type { AccountEvent } from '../../../identity/contracts/identity.events.ts';

/** Roles whose holders are pushed to the end-to-end vendors. */
export const REGULATION_ROLES: readonly Role[] = ['regulateur-osnp', 'ioa'];

export interface RegulatorAccount {
  readonly accountId: string;
  readonly status: 'pending-link' | 'active' | 'deactivated';
  /** The PSC national id once linked (`8`+RPPS for a health professional), else null. */
  readonly nationalId: string | null;
  readonly givenName: string;
  readonly familyName: string;
  /** Professional e-mail (also the login at the vendor). */
  readonly email: string | null;
  readonly grants: readonly { readonly role: Role; readonly territories: readonly string[] }[];
}

/** The account after `event` (null before its creation). */
export function evolveRegulatorAccount(doc: RegulatorAccount | null, event: AccountEvent): RegulatorAccount | null {
  if (event.type === 'AccountCreated') {
    const { accountId, givenName, familyName, email } = event.data;
    return doc ?? { accountId, status: 'pending-link', nationalId: null, givenName, familyName, email, grants: [] };
  }
  if (!doc) return null;
  switch (event.type) {
    case 'AccountLinkedToPsc':
      return {
        ...doc,
        status: doc.status === 'deactivated' ? 'deactivated' : 'active',
        nationalId: event.data.nationalId,
        givenName: event.data.givenName,
        familyName: event.data.familyName,
        email: event.data.email ?? doc.email,
      };
    case 'RoleGranted':
      return { ...doc, grants: [...doc.grants.filter((g) => g.role !== event.data.role), { role: event.data.role, territories: [...event.data.territories] }] };
    case 'RoleRevoked':
      return { ...doc, grants: doc.grants.filter((g) => g.role !== event.data.role) };
    case 'AccountDeactivated':
      return { ...doc, status: 'deactivated' };
    case 'AccountReactivated':
      return { ...doc, status: doc.nationalId ? 'active' : 'pending-link' };
  }
}

export const isRegulator = (doc: RegulatorAccount): boolean => doc.grants.some((g) => REGULATION_ROLES.includes(g.role));

/** Whether the vendors should hold the account as active: a regulator whose account is not deactivated. */
export const activeAtVendors = (doc: RegulatorAccount): boolean => isRegulator(doc) && doc.status !== 'deactivated';

/** Territories of the account's grants (who manages it). */
export const territoriesOf = (doc: RegulatorAccount): string[] => [...new Set(doc.grants.flatMap((g) => g.territories))];
