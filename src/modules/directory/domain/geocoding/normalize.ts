/**
 * Pure normalisation of French commune names into comparison keys.
 *
 * The key is what every lookup compares: two spellings that a person would call "the same name" must give the
 * same key, and the key must stay readable (it is also what the trigram similarity works on).
 *
 * - lower case, accents stripped (NFD), ligatures expanded (œ → oe, æ → ae), ß → ss;
 * - every character that is not a letter or a digit (hyphen, apostrophe ’ ', dot, comma, slash, parentheses…)
 *   becomes a space, runs of spaces collapse to one;
 * - "st" / "ste" (and "st." / "ste.") as whole words ⇔ "saint" / "sainte": the key always holds the long form,
 *   so both directions meet on it (`expandSaints`); `abbreviateSaints` gives the short form for display or for
 *   matching data that abbreviates;
 * - leading articles are kept ("le", "la", "les", "l'" → "l"): "Le Mans" and "Mans" are different keys — an
 *   article is part of the official name and dropping it merges distinct communes (Le Havre / Havre is fine,
 *   but La Motte / Motte, Les Mées / Mées… are not);
 * - municipal arrondissements of Paris, Lyon and Marseille, in any of the usual spellings ("Paris 15e",
 *   "Paris 15", "Paris XVe", "Paris 15ème arrondissement", "Lyon 3e Arrdt", "Marseille 1er") → "paris 15",
 *   "lyon 3", "marseille 1" (`arrondissementKey`);
 * - a trailing "cedex" (with its optional office number) is dropped: it is a postal routing mention, not part
 *   of the name ("Toulouse Cedex 9" → "toulouse").
 */

/** Cities split into municipal arrondissements (PLM), with their INSEE code and their number of arrondissements. */
export const PLM_CITIES: Readonly<Record<string, { readonly inseeCode: string; readonly arrondissements: number }>> = {
  paris: { inseeCode: '75056', arrondissements: 20 },
  lyon: { inseeCode: '69123', arrondissements: 9 },
  marseille: { inseeCode: '13055', arrondissements: 16 },
};

const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss' };

/** Lower case, no accents, no ligatures, words separated by single spaces. No word-level rewriting. */
export function foldText(input: string): string {
  return input
    .toLowerCase()
    .replace(/[œæß]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const SAINT_LONG: Readonly<Record<string, string>> = { st: 'saint', ste: 'sainte', sts: 'saints', stes: 'saintes' };
const SAINT_SHORT: Readonly<Record<string, string>> = { saint: 'st', sainte: 'ste', saints: 'sts', saintes: 'stes' };

/** "st etienne" → "saint etienne" (whole words only: "stella", "estissac" are untouched). Input must be folded. */
export const expandSaints = (folded: string): string => mapWords(folded, SAINT_LONG);

/** "saint etienne" → "st etienne" (whole words only). Input must be folded. */
export const abbreviateSaints = (folded: string): string => mapWords(folded, SAINT_SHORT);

const mapWords = (folded: string, table: Readonly<Record<string, string>>): string =>
  folded
    .split(' ')
    .map((w) => table[w] ?? w)
    .join(' ');

const ROMAN: Readonly<Record<string, number>> = { i: 1, v: 5, x: 10 };

/** Roman numeral (i, v, x only: enough for 1–20) → number, or null when it is not a well-formed numeral. */
export function romanToNumber(roman: string): number | null {
  if (!/^[ivx]+$/.test(roman)) return null;
  let total = 0;
  for (let i = 0; i < roman.length; i++) {
    const value = ROMAN[roman[i] as string] as number;
    const next = ROMAN[roman[i + 1] ?? ''] ?? 0;
    total += value < next ? -value : value;
  }
  // Reject non-canonical spellings ("iiii", "vx"…) by writing the number back.
  return toRoman(total) === roman ? total : null;
}

function toRoman(n: number): string {
  const parts: Array<[number, string]> = [
    [10, 'x'],
    [9, 'ix'],
    [5, 'v'],
    [4, 'iv'],
    [1, 'i'],
  ];
  let out = '';
  let rest = n;
  for (const [value, symbol] of parts) {
    while (rest >= value) {
      out += symbol;
      rest -= value;
    }
  }
  return out;
}

/** Ordinal suffixes seen after an arrondissement number: 1er, 1re, 2e, 2eme, 2ème (folded: eme), 2ieme, 2nd, 2d… */
const ORDINAL = /^(\d{1,2}|[ivx]+)(er|re|ere|e|eme|ieme|em|me|nd|nde|d)?$/;
/** Words that may follow the number: "arrondissement" and its abbreviations. */
const ARRONDISSEMENT_WORDS = new Set(['arrondissement', 'arrondissements', 'arr', 'arrt', 'arrdt', 'ardt', 'arrond']);
/** Linking words allowed around the number ("15e arrondissement de Paris"). */
const LINKING_WORDS = new Set(['de', 'du']);

export type ArrondissementRef = { readonly city: keyof typeof PLM_CITIES & string; readonly number: number };

/**
 * Reads "paris 15e", "paris xve arrondissement", "15e arrondissement paris"… (already folded) as an arrondissement.
 * Returns null when the text is not exactly "<PLM city> <arrondissement>" or when the number is out of range.
 */
export function parseArrondissement(folded: string): ArrondissementRef | null {
  const words = folded.split(' ').filter((w) => w !== '' && !ARRONDISSEMENT_WORDS.has(w) && !LINKING_WORDS.has(w));
  if (words.length !== 2) return null;
  const [a, b] = words as [string, string];
  const city = a in PLM_CITIES ? a : b in PLM_CITIES ? b : null;
  const ordinal = city === a ? b : a;
  if (city === null) return null;
  const match = ORDINAL.exec(ordinal);
  if (!match) return null;
  const raw = match[1] as string;
  const number = /^\d+$/.test(raw) ? Number(raw) : romanToNumber(raw);
  const max = (PLM_CITIES[city] as { arrondissements: number }).arrondissements;
  if (number === null || number < 1 || number > max) return null;
  return { city, number };
}

/** The canonical key of an arrondissement: "paris 15". */
export const arrondissementKey = (ref: ArrondissementRef): string => `${ref.city} ${ref.number}`;

const PLM_MENTION = /\b(?:paris|lyon|marseille)\b/;

/** Drops a trailing "cedex" mention ("toulouse cedex 9" → "toulouse"). Input must be folded. */
const stripCedex = (folded: string): string => folded.replace(/(?:^| )cedex(?: \d{1,3})?$/, '').trim();

/**
 * The comparison key of a commune name (see the module comment). Idempotent: `normalizeCommuneName(key) === key`.
 *
 *   normalizeCommuneName("Saint-Étienne")            → "saint etienne"
 *   normalizeCommuneName("ST ETIENNE")               → "saint etienne"
 *   normalizeCommuneName("L'Haÿ-les-Roses")          → "l hay les roses"
 *   normalizeCommuneName("Paris 15e Arrondissement") → "paris 15"
 */
export function normalizeCommuneName(input: string): string {
  const folded = stripCedex(foldText(input));
  // Cheap guard first: this runs for every one of the 35k names at load time.
  const arrondissement = PLM_MENTION.test(folded) ? parseArrondissement(folded) : null;
  if (arrondissement) return arrondissementKey(arrondissement);
  return expandSaints(folded);
}
