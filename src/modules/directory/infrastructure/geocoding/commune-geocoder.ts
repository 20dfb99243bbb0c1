/**
 * Embedded commune geocoder: the whole commune list (data/reference/communes-fr.csv, ~35k rows) in memory,
 * indexed by INSEE code, postcode, normalised name (exact and prefix) and name trigrams (typo tolerance).
 *
 * Used to place a search (`loc=`), to resolve the commune of an LRM URL (INSEE code, postcode, city) and as the
 * fall-back when the street-level geocoder (BAN) is unavailable. Loaded once at start-up (~0.1–0.3 s), read-only.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  isInseeCommune,
  isPostcode,
  type InseeCommune,
  type Postcode,
} from '../../../../shared-kernel/ids/insee-commune.id.ts';
import type { Commune, CommuneCandidate, CommuneKind, CommuneMatch, CommuneResolution } from '../../domain/geocoding/commune.ts';
import { foldText, normalizeCommuneName } from '../../domain/geocoding/normalize.ts';
import { jaccard, similarity, TRIGRAM_SPACE, trigramCodes } from '../../domain/geocoding/similarity.ts';

export const DEFAULT_COMMUNES_CSV = fileURLToPath(new URL('../../../../../data/reference/communes-fr.csv', import.meta.url));

const EXPECTED_HEADER = ['insee', 'name', 'postcodes', 'departement', 'region', 'population', 'lat', 'lon', 'kind', 'parent'];

/** Below this trigram similarity a name is not offered as a typo of the query. */
const MIN_FUZZY_SIMILARITY = 0.4;
/** Prefix matches are only looked for from this many characters on ("sa" would list 4,000 "saint…"). */
const MIN_PREFIX_LENGTH = 3;

const SCORE = { insee: 1, exact: 1, postcodeArrondissement: 0.97, postcode: 0.96, parent: 0.9, prefixBase: 0.75, fuzzyScale: 0.7 };

export type SearchOptions = { readonly limit?: number };
export type ResolveInput = { readonly inseeCode?: string | null; readonly postcode?: string | null; readonly city?: string | null };

type Filter = { readonly postcode?: string; readonly departement?: string };

export class CommuneGeocoder {
  /** Milliseconds spent reading, parsing and indexing the file. */
  readonly loadTimeMs: number;
  private readonly communes: readonly Commune[];
  private readonly byInsee: Map<string, Commune>;
  private readonly byPostcodeIndex: Map<string, Commune[]>;
  private readonly byKey: Map<string, Commune[]>;
  /** Distinct keys, sorted: prefix search by binary search. */
  private readonly sortedKeys: readonly string[];
  /**
   * Inverted trigram index in compressed-row form, keyed by trigram code (see `trigramCodes`): the communes whose
   * key holds trigram `t` are `postings[offsets[t] .. offsets[t + 1])`. Integer codes and one flat array instead
   * of a Map of strings to thousands of small arrays keep the load fast and the garbage collector quiet.
   */
  private readonly offsets: Uint32Array;
  private readonly postings: Uint32Array;
  /** Number of distinct trigrams of each commune's key. */
  private readonly trigramCount: Uint16Array;

  private constructor(communes: readonly Commune[], loadStartedAt: number) {
    this.communes = communes;
    this.byInsee = new Map();
    this.byPostcodeIndex = new Map();
    this.byKey = new Map();
    this.trigramCount = new Uint16Array(communes.length);
    // Pass 1: trigram codes of every commune, in one flat list; how many communes hold each trigram.
    const perCommune: number[] = [];
    const frequency = new Uint32Array(TRIGRAM_SPACE);
    for (let i = 0; i < communes.length; i++) {
      const c = communes[i] as Commune;
      this.byInsee.set(c.inseeCode, c);
      for (const p of c.postcodes) push(this.byPostcodeIndex, p, c);
      push(this.byKey, c.key, c);
      const codes = trigramCodes(c.key);
      this.trigramCount[i] = codes.length;
      for (const t of codes) {
        (frequency[t] as number)++;
        perCommune.push(t);
      }
    }
    // Pass 2: prefix sums, then fill the postings.
    this.offsets = new Uint32Array(TRIGRAM_SPACE + 1);
    for (let t = 0; t < TRIGRAM_SPACE; t++) this.offsets[t + 1] = (this.offsets[t] as number) + (frequency[t] as number);
    this.postings = new Uint32Array(perCommune.length);
    const cursor = this.offsets.slice(0, TRIGRAM_SPACE);
    let k = 0;
    for (let i = 0; i < communes.length; i++) {
      const n = this.trigramCount[i] as number;
      for (let j = 0; j < n; j++) {
        const t = perCommune[k++] as number;
        this.postings[(cursor[t] as number)++] = i;
      }
    }
    for (const list of this.byPostcodeIndex.values()) list.sort(byPrecisionThenPopulation);
    for (const list of this.byKey.values()) list.sort(byPrecisionThenPopulation);
    this.sortedKeys = [...this.byKey.keys()].sort();
    this.loadTimeMs = performance.now() - loadStartedAt;
  }

  /** Reads and indexes the commune file. Throws on a malformed file (a start-up failure, not a request error). */
  static async load(csvPath: string = DEFAULT_COMMUNES_CSV): Promise<CommuneGeocoder> {
    const startedAt = performance.now();
    const text = await readFile(csvPath, 'utf8');
    return new CommuneGeocoder(parseCommunesCsv(text, csvPath), startedAt);
  }

  /** Builds a geocoder from CSV text (tests, other sources). */
  static fromCsv(text: string, source = 'communes.csv'): CommuneGeocoder {
    const startedAt = performance.now();
    return new CommuneGeocoder(parseCommunesCsv(text, source), startedAt);
  }

  get size(): number {
    return this.communes.length;
  }

  /** Every commune and municipal arrondissement of the file. */
  all(): readonly Commune[] {
    return this.communes;
  }

  byInseeCode(code: string): Commune | null {
    return this.byInsee.get(code.trim().toUpperCase()) ?? null;
  }

  /** Communes served by a postcode, arrondissements first, then by decreasing population. */
  byPostcode(postcode: string): readonly Commune[] {
    return this.byPostcodeIndex.get(postcode.trim()) ?? [];
  }

  /** The city of a municipal arrondissement (Paris 15e → Paris), else null. */
  parentOf(commune: Commune): Commune | null {
    return commune.parentInseeCode ? this.byInsee.get(commune.parentInseeCode) ?? null : null;
  }

  /**
   * Free-text commune search, best first: "Toulouse", "31000 Toulouse", "Toulouse 31", "Toulouse (31)", "31000",
   * "31555" (INSEE), "St Etienne", "Paris 15e", "Toulous". Ranking: INSEE code / postcode, exact normalised name
   * (ties broken by population), prefix, then trigram similarity. An arrondissement found by name is followed by
   * its city.
   */
  search(text: string, options: SearchOptions = {}): CommuneCandidate[] {
    const limit = Math.max(1, options.limit ?? 10);
    const tokens = foldText(text).split(' ').filter((t) => t !== '');
    if (tokens.length === 0) return [];

    const found = new Candidates();
    const codes = tokens.filter((t) => /^\d{5}$/.test(t) || /^2[ab]\d{3}$/.test(t));
    const words = tokens.filter((t) => !codes.includes(t));
    const postcodes = codes.filter((c) => isPostcode(c));

    if (words.length === 0) {
      for (const code of codes) {
        const commune = this.byInseeCode(code);
        if (commune) found.add(commune, SCORE.insee, 'insee');
        for (const c of this.byPostcode(code)) {
          found.add(c, c.kind === 'arrondissement-municipal' ? SCORE.postcodeArrondissement : SCORE.postcode, 'postcode');
        }
      }
      return found.ranked(limit);
    }

    // Interpretations of the words: the whole text is a name ("Paris 15"), or a département code sits at
    // one end of it ("Toulouse 31", "31 Toulouse"). A postcode in the text restricts every interpretation.
    const interpretations: Array<{ key: string; filter: Filter }> = [];
    const base: Filter = postcodes[0] ? { postcode: postcodes[0] } : {};
    interpretations.push({ key: normalizeCommuneName(words.join(' ')), filter: base });
    if (words.length > 1) {
      const first = words[0] as string;
      const last = words[words.length - 1] as string;
      if (isDepartementCode(last)) interpretations.push({ key: normalizeCommuneName(words.slice(0, -1).join(' ')), filter: { ...base, departement: last.toUpperCase() } });
      if (isDepartementCode(first)) interpretations.push({ key: normalizeCommuneName(words.slice(1).join(' ')), filter: { ...base, departement: first.toUpperCase() } });
    }
    for (const { key, filter } of interpretations) this.matchName(key, filter, found);
    // A postcode that contradicts the name ("75015 Toulouse"): trust the name rather than return nothing.
    if (found.isEmpty() && base.postcode) {
      for (const { key, filter } of interpretations) this.matchName(key, { ...filter, postcode: undefined }, found);
    }
    for (const code of codes) {
      const commune = this.byInseeCode(code);
      if (commune) found.add(commune, SCORE.insee, 'insee');
    }
    return found.ranked(limit);
  }

  /**
   * The commune of an LRM URL (INSEE code, postcode, city), following the platform's rule:
   * 1. an INSEE code wins; a code that resolves to nothing gives null (the LRM flow then sends the user to the
   *    home page instead of guessing);
   * 2. else city + postcode: the commune of that postcode whose name is the city (exact normalised name, else a
   *    single close typo); "Paris" + 75015 gives the arrondissement Paris 15e;
   * 3. else the city alone, when exactly one commune has that name ("Saint-Denis" alone is ambiguous: null).
   * A postcode without a city is not enough (null).
   */
  resolve(input: ResolveInput): CommuneResolution | null {
    const insee = input.inseeCode?.trim().toUpperCase();
    if (insee) {
      const commune = isInseeCommune(insee) ? this.byInsee.get(insee) : undefined;
      return commune ? { commune, precision: 'commune' } : null;
    }
    const city = input.city?.trim();
    if (!city) return null;
    const key = normalizeCommuneName(city);
    const postcode = input.postcode?.trim();
    if (postcode) {
      const served = this.byPostcode(postcode);
      const exact = served.filter((c) => c.key === key);
      let chosen: Commune | null = exact.length === 1 ? (exact[0] as Commune) : null;
      if (!chosen && exact.length === 0) {
        const close = served.filter((c) => similarity(c.key, key) >= 0.6);
        if (close.length === 1) chosen = close[0] as Commune;
      }
      if (chosen) {
        // "Paris" + 75015: the arrondissement that the postcode designates inside the city.
        const arrondissements = served.filter((c) => c.parentInseeCode === chosen.inseeCode);
        return { commune: arrondissements.length === 1 ? (arrondissements[0] as Commune) : chosen, precision: 'commune' };
      }
      if (exact.length > 1) return null;
    }
    const named = this.byKey.get(key) ?? [];
    return named.length === 1 ? { commune: named[0] as Commune, precision: 'commune' } : null;
  }

  private matchName(key: string, filter: Filter, found: Candidates): void {
    if (key === '') return;
    const keep = (c: Commune): boolean =>
      (filter.postcode === undefined || c.postcodes.includes(filter.postcode as Postcode)) &&
      (filter.departement === undefined || c.departement === filter.departement);

    for (const c of this.byKey.get(key) ?? []) {
      if (!keep(c)) continue;
      found.add(c, SCORE.exact, 'exact');
      const parent = this.parentOf(c);
      if (parent) found.add(parent, SCORE.parent, 'parent');
      // "75015 Paris": the arrondissement the postcode designates is as exact as the city, and more precise
      // (arrondissements rank before their city on equal scores).
      if (filter.postcode !== undefined && c.kind === 'commune') {
        for (const a of this.byPostcode(filter.postcode)) if (a.parentInseeCode === c.inseeCode) found.add(a, SCORE.exact, 'exact');
      }
    }

    if (key.length >= MIN_PREFIX_LENGTH) {
      for (let i = lowerBound(this.sortedKeys, key); i < this.sortedKeys.length; i++) {
        const k = this.sortedKeys[i] as string;
        if (!k.startsWith(key)) break;
        if (k === key) continue;
        // "marseille 1" is not a prefix of "marseille 13": numbers are whole.
        if (/\d$/.test(key) && /\d/.test(k[key.length] as string)) continue;
        for (const c of this.byKey.get(k) ?? []) {
          if (keep(c)) found.add(c, SCORE.prefixBase + 0.2 * (key.length / k.length), 'prefix');
        }
      }
    }

    // Trigram similarity: count the query trigrams each commune shares, through the inverted index.
    const codes = trigramCodes(key);
    const shared = new Map<number, number>();
    for (const t of codes) {
      for (let p = this.offsets[t] as number, end = this.offsets[t + 1] as number; p < end; p++) {
        const i = this.postings[p] as number;
        shared.set(i, (shared.get(i) ?? 0) + 1);
      }
    }
    for (const [i, n] of shared) {
      const sim = jaccard(n, codes.length, this.trigramCount[i] as number);
      if (sim < MIN_FUZZY_SIMILARITY) continue;
      const c = this.communes[i] as Commune;
      if (keep(c)) found.add(c, SCORE.fuzzyScale * sim, 'fuzzy');
    }
  }
}

/** Keeps the best score per commune; ranks by score, then arrondissement-before-city, then population. */
class Candidates {
  private readonly best = new Map<string, CommuneCandidate>();
  add(commune: Commune, score: number, match: CommuneMatch): void {
    const current = this.best.get(commune.inseeCode);
    if (!current || current.score < score) this.best.set(commune.inseeCode, { commune, score, match });
  }
  isEmpty(): boolean {
    return this.best.size === 0;
  }
  ranked(limit: number): CommuneCandidate[] {
    return [...this.best.values()]
      .sort((a, b) => b.score - a.score || byPrecisionThenPopulation(a.commune, b.commune) || a.commune.inseeCode.localeCompare(b.commune.inseeCode))
      .slice(0, limit);
  }
}

function byPrecisionThenPopulation(a: Commune, b: Commune): number {
  const rank = (c: Commune) => (c.kind === 'arrondissement-municipal' ? 0 : 1);
  return rank(a) - rank(b) || b.population - a.population;
}

/** Département codes as typed next to a name: 01–95 (not 20), 2A/2B, 971–976. Input is folded (lower case). */
const isDepartementCode = (token: string): boolean => /^(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2a|2b|97[1-6])$/.test(token);

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** RFC 4180 cells of one line (the file quotes names with a comma or a quote; none do today). */
function cells(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  return [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)]
    .map((m) => m[1] as string)
    .map((c) => (c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c))
    .slice(0, EXPECTED_HEADER.length);
}

function parseCommunesCsv(text: string, source: string): Commune[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '');
  if (header !== EXPECTED_HEADER.join(',')) {
    throw new Error(`${source}: unexpected header "${header}", expected "${EXPECTED_HEADER.join(',')}"`);
  }
  type Row = { -readonly [K in keyof Commune]: Commune[K] };
  const rows: Row[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line === '') continue;
    const [insee = '', name = '', postcodes = '', departement = '', region = '', population = '', lat = '', lon = '', kind = '', parent = ''] = cells(line);
    if (!isInseeCommune(insee) || name === '' || (kind !== 'commune' && kind !== 'arrondissement-municipal')) {
      throw new Error(`${source}:${n + 1}: malformed row "${line}"`);
    }
    const row: Row = {
      inseeCode: insee,
      name,
      postcodes: postcodes === '' ? [] : postcodes.split(' ').filter((p): p is Postcode => /^\d{5}$/.test(p)),
      departement,
      region,
      population: Number(population) || 0,
      point: lat !== '' && lon !== '' ? { lat: Number(lat), lon: Number(lon) } : null,
      pointIsParentCentre: false,
      kind,
      parentInseeCode: parent !== '' && isInseeCommune(parent) ? parent : null,
      key: normalizeCommuneName(name),
    };
    rows.push(row);
  }
  // Arrondissements have no centre in the source: use their city's, and say so (45 rows, all at the end).
  for (const row of rows) {
    if (row.point !== null || row.parentInseeCode === null) continue;
    const parentPoint = rows.find((r) => r.inseeCode === row.parentInseeCode)?.point ?? null;
    if (parentPoint) {
      row.point = parentPoint;
      row.pointIsParentCentre = true;
    }
  }
  return rows;
}
