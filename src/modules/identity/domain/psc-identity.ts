/**
 * What the platform keeps of a Pro Santé Connect identity, read from the ID token and userinfo claims.
 * Pure parsing: a claim set that lacks the national id or names is refused with a named error.
 */
import { validationError } from '../../../shared-kernel/errors/result.ts';
import { parseNationalId } from '../../../shared-kernel/ids/rpps.id.ts';

export interface PscIdentity {
  readonly nationalId: string;
  /** RPPS inside an `8`-prefixed national id. */
  readonly rpps: string | null;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  /** TRE_G15 profession codes of the person's exercices ('10' = médecin). */
  readonly professionCodes: readonly string[];
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : null);

export function pscIdentityFromClaims(claims: Record<string, unknown>): PscIdentity {
  const nationalId = text(claims.SubjectNameID) ?? text(claims.preferred_username);
  if (!nationalId) throw validationError('PscClaimMissing', 'Pro Santé Connect n’a pas transmis l’identifiant national (SubjectNameID).');
  const parsed = parseNationalId(nationalId);
  if (!parsed.ok) throw validationError('PscNationalIdInvalid', `Identifiant national Pro Santé Connect invalide : ${nationalId}`);
  const ref = claims.SubjectRefPro as { exercices?: { codeProfession?: unknown; nomDexercice?: unknown; prenomDexercice?: unknown }[] } | undefined;
  const exercices = Array.isArray(ref?.exercices) ? ref.exercices : [];
  const givenName = text(claims.given_name) ?? text(exercices[0]?.prenomDexercice);
  const familyName = text(claims.family_name) ?? text(exercices[0]?.nomDexercice);
  if (!givenName || !familyName) throw validationError('PscClaimMissing', 'Pro Santé Connect n’a pas transmis le nom et le prénom.');
  const email = text(claims.email);
  return {
    nationalId,
    rpps: parsed.value.kind === 'rpps' ? parsed.value.rpps : null,
    givenName,
    familyName,
    email: email && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? email.toLowerCase() : null,
    professionCodes: exercices.map((e) => text(e.codeProfession)).filter((c): c is string => c !== null),
  };
}

/** Health professions whose first login creates an effecteur account (médecin; other filières later). */
export const EFFECTEUR_PROFESSIONS: readonly string[] = ['10'];
