/**
 * Demonstration identities served by the development OpenID Connect provider (dev-idp), which imitates
 * Pro Santé Connect. One identity per role of the platform, plus two never-seen-before identities used by the
 * first-login flows (linking a new OSNP regulator, discovering a new médecin effecteur).
 *
 * Every `nationalId` is an IDNPS: `8` followed by an 11-digit RPPS whose last digit is its Luhn key.
 * The RPPS numbers are fictitious (prefix 100001…, except the demo effecteur whose RPPS `10000000009` is the
 * one the demo slots are published for).
 */

import { ROLES } from '../../../../shared-kernel/auth/principal.ts';

export interface DemoIdentity {
  /** IDNPS: '8' + 11-digit RPPS with a valid Luhn key. Becomes `sub`, `SubjectNameID` and `preferred_username`. */
  readonly nationalId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  /** TRE_G15 profession code ('10' médecin, '60' infirmier…), null for an operator who is not a health professional. */
  readonly professionCode: string | null;
  /** French label shown on the dev-idp login page. */
  readonly label: string;
  /** `SubjectRefPro.codeCivilite`; 'M' when omitted. */
  readonly civility?: 'M' | 'MME';
}

export const DEMO_ROLES = [...ROLES, 'nouvelle-osnp', 'nouvel-effecteur'] as const;

export type DemoRole = (typeof DEMO_ROLES)[number];

const DEMO_BY_ROLE: { readonly [R in DemoRole]: DemoIdentity } = {
  'regulateur-osnp': {
    nationalId: '810000100015',
    givenName: 'Camille',
    familyName: 'Fabre',
    email: 'camille.fabre@demo.sas.invalid',
    professionCode: null,
    civility: 'MME',
    label: 'Régulatrice OSNP — Haute-Garonne (31)',
  },
  ioa: {
    nationalId: '810000100023',
    givenName: 'Julien',
    familyName: 'Roussel',
    email: 'julien.roussel@demo.sas.invalid',
    professionCode: '60',
    civility: 'M',
    label: 'Infirmier organisateur de l’accueil (IOA) — Haute-Garonne (31)',
  },
  effecteur: {
    nationalId: '810000000009',
    givenName: 'Claire',
    familyName: 'Dubois',
    email: 'claire.dubois@demo.sas.invalid',
    professionCode: '10',
    civility: 'MME',
    label: 'Médecin généraliste effectrice — Toulouse',
  },
  delegataire: {
    nationalId: '810000100049',
    givenName: 'Sophie',
    familyName: 'Garnier',
    email: 'sophie.garnier@demo.sas.invalid',
    professionCode: null,
    civility: 'MME',
    label: 'Secrétaire délégataire du Dr Claire Dubois',
  },
  'gestionnaire-structure': {
    nationalId: '810000100056',
    givenName: 'Marc',
    familyName: 'Lefèvre',
    email: 'marc.lefevre@demo.sas.invalid',
    professionCode: null,
    civility: 'M',
    label: 'Gestionnaire de structure — Centre de santé de Toulouse',
  },
  'gestionnaire-comptes': {
    nationalId: '810000100064',
    givenName: 'Nadia',
    familyName: 'Benali',
    email: 'nadia.benali@demo.sas.invalid',
    professionCode: null,
    civility: 'MME',
    label: 'Gestionnaire de comptes — Haute-Garonne (31)',
  },
  'referent-territorial': {
    nationalId: '810000100072',
    givenName: 'Pierre',
    familyName: 'Marchand',
    email: 'pierre.marchand@demo.sas.invalid',
    professionCode: null,
    civility: 'M',
    label: 'Référent territorial — Haute-Garonne (31)',
  },
  'admin-national': {
    nationalId: '810000100080',
    givenName: 'Isabelle',
    familyName: 'Moreau',
    email: 'isabelle.moreau@demo.sas.invalid',
    professionCode: null,
    civility: 'MME',
    label: 'Administratrice nationale',
  },
  auditeur: {
    nationalId: '810000100098',
    givenName: 'Thomas',
    familyName: 'Girard',
    email: 'thomas.girard@demo.sas.invalid',
    professionCode: null,
    civility: 'M',
    label: 'Auditeur (lecture seule)',
  },
  'nouvelle-osnp': {
    nationalId: '810000100106',
    givenName: 'Léa',
    familyName: 'Mercier',
    email: 'lea.mercier@demo.sas.invalid',
    professionCode: null,
    civility: 'MME',
    label: 'Nouvelle OSNP — première connexion',
  },
  'nouvel-effecteur': {
    nationalId: '810000100114',
    givenName: 'Antoine',
    familyName: 'Bertrand',
    email: 'antoine.bertrand@demo.sas.invalid',
    professionCode: '10',
    civility: 'M',
    label: 'Médecin effecteur — première connexion',
  },
};

/** The demo identities, in the order of {@link DEMO_ROLES} (the order of the login page). */
export const DEMO_IDENTITIES: readonly DemoIdentity[] = DEMO_ROLES.map((role) => DEMO_BY_ROLE[role]);

export function demoIdentityByRole(role: DemoRole): DemoIdentity {
  return DEMO_BY_ROLE[role];
}
