import { err, ok, validationError, type Result } from '../errors/result.ts';
import { isLuhnValid } from './siret.id.ts';

/**
 * FINESS number: identifier of a health or social establishment, either a legal entity (EJ) or a
 * geographic establishment (ET). 9 characters: département (2 chars), order number, Luhn check digit.
 */
export type Finess = string & { readonly __brand: 'Finess' };

/**
 * Accepted prefixes: 01–19, 21–95, 2A/2B (Corsica), and overseas 97x/98x (the third digit is part of
 * the overseas code, e.g. 970421038 CHU de La Réunion). We deliberately expose no `departementOf`: overseas
 * FINESS numbers do not carry the INSEE département code as is (La Réunion, 974, is 9704…), so derive
 * geography from the establishment's address (INSEE commune code) instead.
 *
 * Check digit: Luhn over the 9 digits (equivalently, the key of the first 8), verified on real numbers
 * (750712184 AP-HP, 690781810 Hospices civils de Lyon, 970421038 CHU de La Réunion, 050005917 from the SAS
 * interface samples).
 * For Corsica (2A/2B) we found no authoritative numeric substitution rule, so we validate the format only
 * and do not verify the key — refusing a real Corsican hospital would be worse than missing a typo.
 */
const FINESS = /^(0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2A|2B|97\d|98\d)\d+$/;

export function parseFiness(input: unknown): Result<Finess> {
  if (typeof input !== 'string') return err(validationError('InvalidFiness', 'A FINESS number must be a string of 9 characters'));
  const value = input.replace(/\s/g, '').toUpperCase();
  if (value.length !== 9 || !FINESS.test(value)) {
    return err(
      validationError(
        'InvalidFiness',
        'A FINESS number must be 9 characters: a département (01-95, 2A, 2B, 97x, 98x) then digits',
        { value: input },
      ),
    );
  }
  if (!isCorsican(value) && !isLuhnValid(value)) {
    return err(validationError('InvalidFiness', 'The FINESS check digit (Luhn key) is wrong', { value: input }));
  }
  return ok(value as Finess);
}

export const isFiness = (value: unknown): value is Finess =>
  typeof value === 'string' && value.length === 9 && FINESS.test(value) && parseFiness(value).ok;

const isCorsican = (value: string): boolean => value.startsWith('2A') || value.startsWith('2B');
