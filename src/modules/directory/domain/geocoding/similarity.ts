/**
 * Trigram similarity for typo-tolerant name matching ("Toulous" → "Toulouse", "Montpelier" → "Montpellier").
 * Works on normalised keys (see normalize.ts). Each word is padded with two leading spaces and one trailing space,
 * the pg_trgm convention, so that word starts weigh more than word ends and short words still yield trigrams.
 */

/** The distinct trigrams of a normalised key. */
export function trigrams(key: string): Set<string> {
  const out = new Set<string>();
  let start = 0;
  while (start <= key.length) {
    let end = key.indexOf(' ', start);
    if (end === -1) end = key.length;
    if (end > start) {
      const padded = `  ${key.slice(start, end)} `;
      for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
    }
    start = end + 1;
  }
  return out;
}

/** Jaccard similarity of two trigram sets given their shared count: shared / |A ∪ B|, in [0, 1]. */
export const jaccard = (shared: number, sizeA: number, sizeB: number): number =>
  sizeA + sizeB - shared === 0 ? 0 : shared / (sizeA + sizeB - shared);

/** Trigram similarity of two normalised keys, in [0, 1] (1 = same trigram set). */
export function similarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return jaccard(shared, ta.size, tb.size);
}

/** Size of the trigram code space: keys hold only [a-z0-9 ] (37 symbols), so a trigram is a number < 37³. */
export const TRIGRAM_SPACE = 37 * 37 * 37;

const symbol = (code: number): number => (code === 32 ? 0 : code >= 97 ? code - 96 : code - 48 + 27);

/**
 * The distinct trigrams of a normalised key as integers in [0, TRIGRAM_SPACE) — same trigrams as `trigrams`,
 * without allocating strings (the geocoder indexes 35k names at start-up). Characters outside [a-z0-9 ] must
 * not occur (normalised keys never hold any).
 */
export function trigramCodes(key: string): number[] {
  const out: number[] = [];
  let start = 0;
  while (start <= key.length) {
    let end = key.indexOf(' ', start);
    if (end === -1) end = key.length;
    if (end > start) {
      // padded word: "  w… " — symbols 0 0 w… 0
      let a = 0;
      let b = 0;
      for (let i = start; i <= end; i++) {
        const c = i < end ? symbol(key.charCodeAt(i)) : 0;
        const code = (a * 37 + b) * 37 + c;
        if (!out.includes(code)) out.push(code);
        a = b;
        b = c;
      }
    }
    start = end + 1;
  }
  return out;
}
