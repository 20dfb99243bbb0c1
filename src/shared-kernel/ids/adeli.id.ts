import { err, ok, validationError, type Result } from '../errors/result.ts';
import { isLuhnValid } from './siret.id.ts';

/**
 * ADELI number: the departmental identifier of health professionals not (yet) in the RPPS
 * (paramedical professions, some psychologists…). 9 characters: 2 for the département of registration,
 * 1 for the profession, 5 for an order number, 1 check digit.
 */
export type Adeli = string & { readonly __brand: 'Adeli' };

/**
 * Accepted département prefixes: 01–19, 21–95, 2A/2B (Corsica) and 97/98 (overseas, where the third
 * character is the overseas département digit rather than the profession). 00, 20, 96 and 99 are refused.
 *
 * Check digit: Luhn over the 9 digits. For Corsican numbers (2A/2B) no official numeric substitution is
 * documented in the sources we have, so we validate the format only and do NOT verify the key: refusing a
 * real professional is worse than letting a typo through, and the RPPS/ADELI import cross-checks anyway.
 */
const ADELI = /^(0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|97|98|2A|2B)\d{7}$/;

export function parseAdeli(input: unknown): Result<Adeli> {
  if (typeof input !== 'string') return err(validationError('InvalidAdeli', 'An ADELI number must be a string of 9 characters'));
  const value = input.replace(/\s/g, '').toUpperCase();
  if (!ADELI.test(value)) {
    return err(
      validationError(
        'InvalidAdeli',
        'An ADELI number must be 9 characters: a département (01-95, 2A, 2B, 97, 98) followed by 7 digits',
        { value: input },
      ),
    );
  }
  const corsican = value.startsWith('2A') || value.startsWith('2B');
  if (!corsican && !isLuhnValid(value)) {
    return err(validationError('InvalidAdeli', 'The ADELI check digit (Luhn key) is wrong', { value: input }));
  }
  return ok(value as Adeli);
}

/** Guard for the canonical form (upper case, no spaces). */
export const isAdeli = (value: unknown): value is Adeli =>
  typeof value === 'string' && ADELI.test(value) && parseAdeli(value).ok;

/** The département of registration ('75', '2A'; '97'/'98' for overseas, the next digit tells which). */
export const adeliDepartement = (adeli: Adeli): string => adeli.slice(0, 2);
