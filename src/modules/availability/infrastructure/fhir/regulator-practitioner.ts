/**
 * The FrPractitionerRegul resource the platform sends a booking vendor for a regulator account (INT_R02,
 * shared/reference/sas-interfaces.md §3): `meta.source` = the SAS OID; identifiers sliced by system — the SAS technical
 * id (INTRN, the account's UUID, always) and the national id (IDNPS, once the account is linked to Pro Santé Connect);
 * `active`; `name.family` and one `name.given`; `telecom` with the professional e-mail only (the guide requires it: it
 * is the regulator's login at the vendor). Nothing else: no phone, no address, never a patient datum.
 *
 * The resource is always addressed by the SAS technical identifier, which never changes: `PUT
 * [base]/Practitioner?identifier=urn:oid:1.2.250.1.213.3.6|{accountId}` creates the account at the vendor the first
 * time and updates that same account afterwards (its IDNPS added, its name changed, `active=false`), so sending the
 * same state twice, or again after a crash, never creates a second account.
 */
import { createHash } from 'node:crypto';
import { IDNPS_SYSTEM, SAS_TECHNICAL_SYSTEM, V2_0203, type FhirResource } from './sas-fhir.ts';

export interface RegulatorFacts {
  readonly accountId: string;
  readonly nationalId: string | null;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  readonly active: boolean;
}

/** An IDNPS the guide accepts: `8` + 11-digit RPPS, or `0` + 9-character ADELI. Other PSC ids are left out. */
const IDNPS = /^(8\d{11}|0[0-9A-Za-z]{9})$/;

export type RegulatorPractitioner = { readonly ok: true; readonly resource: FhirResource; readonly hash: string } | { readonly ok: false; readonly error: string };

/** The resource for `facts`, with the hash of its content; an error when the guide's required elements are missing. */
export function regulatorPractitioner(facts: RegulatorFacts): RegulatorPractitioner {
  const email = facts.email?.trim() ?? '';
  if (email === '') return { ok: false, error: 'Adresse e-mail professionnelle manquante : le guide l’exige (identifiant de connexion chez l’éditeur).' };
  if (facts.familyName.trim() === '' || facts.givenName.trim() === '') return { ok: false, error: 'Nom ou prénom manquant : le guide les exige.' };
  const identifier: Record<string, unknown>[] = [];
  if (facts.nationalId && IDNPS.test(facts.nationalId)) {
    identifier.push({ type: { coding: [{ system: V2_0203, code: 'IDNPS' }] }, system: IDNPS_SYSTEM, value: facts.nationalId });
  }
  identifier.push({ type: { coding: [{ system: V2_0203, code: 'INTRN' }] }, system: SAS_TECHNICAL_SYSTEM, value: facts.accountId });
  const resource: FhirResource = {
    resourceType: 'Practitioner',
    meta: { source: SAS_TECHNICAL_SYSTEM },
    identifier,
    active: facts.active,
    name: [{ family: facts.familyName.trim(), given: [facts.givenName.trim()] }],
    telecom: [{ system: 'email', value: email }],
  };
  return { ok: true, resource, hash: createHash('sha256').update(JSON.stringify(resource)).digest('hex') };
}

/** `system|value` of the SAS technical identifier: the key of every PUT for this account. */
export const regulatorKey = (accountId: string): string => `${SAS_TECHNICAL_SYSTEM}|${accountId}`;

/** `PUT` URL of the account at a vendor. */
export const regulatorPutUrl = (fhirBaseUrl: string, accountId: string): string =>
  `${fhirBaseUrl}/Practitioner?identifier=${encodeURIComponent(regulatorKey(accountId))}`;
