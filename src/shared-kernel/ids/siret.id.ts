import { err, ok, validationError, type Result } from '../errors/result.ts';

/** SIREN: the 9-digit INSEE identifier of a legal unit (company, association, public body). */
export type Siren = string & { readonly __brand: 'Siren' };
/** SIRET: SIREN + 5-digit NIC, identifying one establishment (a place of business) of that unit. */
export type Siret = string & { readonly __brand: 'Siret' };

/**
 * Luhn (mod 10) check over a string of ASCII digits, check digit included (rightmost).
 * Shared by the French health identifiers (RPPS, ADELI, FINESS) and SIREN/SIRET, all of which
 * use it; lives here because SIRET is the canonical Luhn identifier and this avoids an import cycle.
 */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Double every second digit counting from the right (the check digit itself is not doubled).
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** La Poste's SIREN: its establishments were numbered before the Luhn rule and use a digit-sum rule instead. */
export const LA_POSTE_SIREN = '356000000';

/** Registration numbers are often written grouped ("732 829 320 00074"): spaces are not significant. */
const compact = (input: string): string => input.replace(/[\s\u00a0\u202f]/g, '');

export function parseSiren(input: unknown): Result<Siren> {
  if (typeof input !== 'string') return err(validationError('InvalidSiren', 'A SIREN must be a string of 9 digits'));
  const value = compact(input);
  if (!/^\d{9}$/.test(value)) {
    return err(validationError('InvalidSiren', 'A SIREN must be exactly 9 digits', { value: input }));
  }
  if (!isLuhnValid(value)) {
    return err(validationError('InvalidSiren', 'The SIREN check digit (Luhn key) is wrong', { value: input }));
  }
  return ok(value as Siren);
}

/**
 * Parses a SIRET. The whole 14 digits must pass Luhn, except for La Poste (SIREN 356000000) whose
 * establishments (NIC) were allocated without a Luhn key: INSEE accepts them when the sum of the 14 digits
 * is a multiple of 5. We accept a La Poste SIRET that satisfies either rule, because the head office
 * (35600000000048) is Luhn-valid but does not satisfy the digit-sum rule.
 */
export function parseSiret(input: unknown): Result<Siret> {
  if (typeof input !== 'string') return err(validationError('InvalidSiret', 'A SIRET must be a string of 14 digits'));
  const value = compact(input);
  if (!/^\d{14}$/.test(value)) {
    return err(validationError('InvalidSiret', 'A SIRET must be exactly 14 digits', { value: input }));
  }
  if (!isLuhnValid(value) && !(value.startsWith(LA_POSTE_SIREN) && digitSum(value) % 5 === 0)) {
    return err(validationError('InvalidSiret', 'The SIRET check digit (Luhn key) is wrong', { value: input }));
  }
  return ok(value as Siret);
}

/** The SIREN of the legal unit owning this establishment. */
export const sirenOf = (siret: Siret): Siren => siret.slice(0, 9) as Siren;

/** Guards accept only the canonical (compact) form, so a guarded value can be stored and compared as is. */
export const isSiret = (value: unknown): value is Siret =>
  typeof value === 'string' && /^\d{14}$/.test(value) && parseSiret(value).ok;
export const isSiren = (value: unknown): value is Siren =>
  typeof value === 'string' && /^\d{9}$/.test(value) && parseSiren(value).ok;

function digitSum(digits: string): number {
  let sum = 0;
  for (const c of digits) sum += c.charCodeAt(0) - 48;
  return sum;
}

/**
 * The SIRET of the demo SOS Médecins association (fictitious, `9…` like the vendor simulator's): the demo directory
 * registers the association with it and the embedded vendor simulator publishes the association's slots under it.
 */
export const DEMO_SOS_MEDECINS_SIRET = '90000000000019';
