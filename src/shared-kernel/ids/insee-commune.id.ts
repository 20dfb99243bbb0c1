import { err, ok, validationError, type Result } from '../errors/result.ts';

/** INSEE commune code (Code officiel géographique): 5 characters, département first. */
export type InseeCommune = string & { readonly __brand: 'InseeCommune' };
/** French postal code: 5 digits. Not a commune code: a postcode can span several communes and vice versa. */
export type Postcode = string & { readonly __brand: 'Postcode' };

export type ParsedCommune = { readonly code: InseeCommune; readonly departement: string };

/**
 * - metropolitan: 2-digit département 01–19, 21–95 + 3 digits. "20" no longer exists: Corsica has been
 *   2A/2B since 1976, so a code starting with 20 is a postcode mistaken for a commune code.
 * - Corsica: 2A/2B + 3 digits.
 * - overseas: 3-digit code + 2 digits — DROM 971–974, 976; overseas collectivities that the COG numbers
 *   the same way: 975 Saint-Pierre-et-Miquelon, 977 Saint-Barthélemy, 978 Saint-Martin, 984 TAAF,
 *   986 Wallis-et-Futuna, 987 Polynésie française, 988 Nouvelle-Calédonie, 989 Clipperton.
 *   (985 was Mayotte before 2011 and is no longer used.)
 */
const COMMUNE = /^(?:(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2A|2B)\d{3}|(?:97[1-8]|98[46-9])\d{2})$/;

export function parseInseeCommune(input: unknown): Result<InseeCommune> {
  if (typeof input !== 'string') return err(validationError('InvalidInseeCommune', 'An INSEE commune code must be a string'));
  const value = input.trim().toUpperCase();
  if (!COMMUNE.test(value)) {
    return err(
      validationError(
        'InvalidInseeCommune',
        'An INSEE commune code must be 5 characters: a département (01-95 except 20, 2A, 2B) and 3 digits, ' +
          'or an overseas code (971-978, 984, 986-989) and 2 digits',
        { value: input },
      ),
    );
  }
  return ok(value as InseeCommune);
}

/** Parses and also returns the département, which callers almost always need next (routing to a SAS). */
export function parseCommune(input: unknown): Result<ParsedCommune> {
  const code = parseInseeCommune(input);
  return code.ok ? ok({ code: code.value, departement: departementOf(code.value) }) : code;
}

export const isInseeCommune = (value: unknown): value is InseeCommune => typeof value === 'string' && COMMUNE.test(value);

/** '75056' → '75', '2A004' → '2A', '97411' → '974': overseas départements have 3-character codes. */
export const departementOf = (code: InseeCommune): string => code.slice(0, code.startsWith('97') || code.startsWith('98') ? 3 : 2);

/**
 * Postcodes: 5 digits, never starting with 00 (01000 is the lowest). Corsica uses 20xxx, overseas 97xxx
 * and 98xxx (98000 is Monaco, routed by La Poste), so no finer rule is sound here.
 */
export function parsePostcode(input: unknown): Result<Postcode> {
  if (typeof input !== 'string') return err(validationError('InvalidPostcode', 'A postcode must be a string of 5 digits'));
  const value = input.trim();
  if (!/^\d{5}$/.test(value) || value.startsWith('00')) {
    return err(validationError('InvalidPostcode', 'A French postcode must be 5 digits, from 01000 to 98999', { value: input }));
  }
  return ok(value as Postcode);
}

export const isPostcode = (value: unknown): value is Postcode => typeof value === 'string' && parsePostcode(value).ok && value.trim() === value;
