import { err, ok, validationError, type Result } from '../errors/result.ts';
import { parseAdeli, type Adeli } from './adeli.id.ts';
import { isLuhnValid } from './siret.id.ts';

/** RPPS number: the lifelong national identifier of a health professional, 11 digits, Luhn key last. */
export type Rpps = string & { readonly __brand: 'Rpps' };

/**
 * A professional's national identifier (IDNPS, "Identification nationale PP", OID 1.2.250.1.71.4.2.1):
 * the identifier-type prefix followed by the identifier — `8` + RPPS (12 chars) or `0` + ADELI (10 chars).
 * It is the key of the RPPS extraction and of FHIR `Practitioner.identifier`.
 */
export type NationalId = { readonly kind: 'rpps'; readonly rpps: Rpps } | { readonly kind: 'adeli'; readonly adeli: Adeli };

const RPPS = /^\d{11}$/;

export function parseRpps(input: unknown): Result<Rpps> {
  if (typeof input !== 'string') return err(validationError('InvalidRpps', 'An RPPS number must be a string of 11 digits'));
  // Trim only: an RPPS is never written grouped, so inner spaces signal a wrong value rather than formatting.
  const value = input.trim();
  if (!RPPS.test(value)) {
    return err(validationError('InvalidRpps', 'An RPPS number must be exactly 11 digits', { value: input }));
  }
  if (!isLuhnValid(value)) {
    return err(validationError('InvalidRpps', 'The RPPS check digit (Luhn key) is wrong', { value: input }));
  }
  return ok(value as Rpps);
}

/**
 * Synthetic practitioners of demo data sets and benchmarks have RPPS numbers `19xxxxxxxxx` (valid Luhn key), a
 * range the national register does not allocate, so they can never be mistaken for real professionals.
 */
export const DEMO_RPPS_PREFIX = '19';
export const isDemoRpps = (rpps: string): boolean => rpps.startsWith(DEMO_RPPS_PREFIX);

export const isRpps = (value: unknown): value is Rpps => typeof value === 'string' && RPPS.test(value) && isLuhnValid(value);

/** The IDNPS of an RPPS professional, as used in FHIR and in the RPPS extraction. */
export const toNationalId = (rpps: Rpps): string => `8${rpps}`;

/** Parses an IDNPS (`8`+RPPS or `0`+ADELI); the prefix decides the kind, the rest is validated as such. */
export function parseNationalId(input: unknown): Result<NationalId> {
  if (typeof input !== 'string') {
    return err(validationError('InvalidNationalId', 'A national identifier (IDNPS) must be a string'));
  }
  const value = input.trim();
  if (value.length === 12 && value.startsWith('8')) {
    const rpps = parseRpps(value.slice(1));
    return rpps.ok ? ok({ kind: 'rpps', rpps: rpps.value }) : nationalIdError(input, rpps.error.message);
  }
  if (value.length === 10 && value.startsWith('0')) {
    const adeli = parseAdeli(value.slice(1));
    return adeli.ok ? ok({ kind: 'adeli', adeli: adeli.value }) : nationalIdError(input, adeli.error.message);
  }
  return nationalIdError(input, 'expected 8 followed by an 11-digit RPPS, or 0 followed by a 9-character ADELI');
}

const nationalIdError = (input: string, reason: string) =>
  err(validationError('InvalidNationalId', `Invalid national identifier (IDNPS): ${reason}`, { value: input }));
