/**
 * The search engine on Meilisearch: translates a SearchQuery into Meilisearch searches over the places index that
 * meili-search.projection.ts maintains, with the SQL engine's observable contract (the same contract suite):
 *
 * - Groups in order (médecin traitant, with slots, without slots) are separate filtered searches: the médecin
 *   traitant by `rpps = X`; "with slots" by ONE range condition on the precomputed array of slot starts of the
 *   consultation type (`slotStarts_<type> a TO b`, true when some slot starts in the window); "without" by its NOT.
 * - A point search sorts each group by `_geoPoint` and reads it page by page until the requested rows, and every
 *   place at the same distance as the last of them, are in hand; the exact distance and radius then come from the
 *   same great-circle formula as PostgreSQL's earthdistance (Meilisearch's own haversine uses another Earth radius,
 *   so it is asked for a slightly larger radius and the client applies the exact bound).
 * - A zone search (commune, département) cannot be randomised by Meilisearch per seed: it reads the ids of the
 *   group's candidates and orders them by their rotation key (zone-order.ts), exactly as the SQL engine does.
 *   Distance ties of a point search are broken by md5(rpps:locationId:seed), also as in SQL, so both engines
 *   return the same rows in the same order.
 * - A name is a substring of the name key (SQL `LIKE %name%`): the filter keeps places holding every trigram of the
 *   name, the client checks the substring.
 * - The slot's `source` is never read for ordering (neutrality).
 * The page's documents are then fetched by id and turned into cards (slots of the window, by start, at most 20).
 */
import { createHash } from 'node:crypto';
import { HttpProblem, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { placeShuffle, rotationKey, seedStart } from '../../application/search/zone-order.ts';
import type { Meilisearch } from 'meilisearch';
import type { SearchCard, SearchEngine, SearchQuery, SearchSlot } from '../../application/search/search-engine.port.ts';
import { nameTrigrams, slotStartsField, type PlaceDocument } from './meili-search.documents.ts';
import { MAX_CANDIDATES, type MeiliSearchIndexes } from './meili-search.indexes.ts';

const MAX_SLOTS_PER_CARD = 20;
/** Meilisearch's haversine uses a smaller Earth radius than PostgreSQL's earth(): ask for a little more, then cut. */
const GEO_RADIUS_SLACK = 1.01;
/** Places read per request while walking a point search in distance order. */
const DEFAULT_GEO_PAGE = 200;

type Group = SearchCard['group'];

/** A quoted filter value: `"` and `\` escaped as the Meilisearch filter parser expects. */
export const filterValue = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A finite number as text (JavaScript's shortest round-trip form, which the filter parser reads back exactly). */
const num = (n: number) => {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return String(n);
};

/**
 * "Has a slot starting in [from, to) (of the consultation type)": one range condition on an array field, which
 * Meilisearch evaluates per value. Starts are epoch seconds of millisecond instants, so `< to` is `<= to - 1 ms`.
 * Null when the window is empty (no slot can match).
 */
export function slotFilter(q: Pick<SearchQuery, 'from' | 'to' | 'consultationType'>): string | null {
  const from = q.from.getTime();
  const to = q.to.getTime() - 1;
  if (!(to >= from)) return null;
  return `${slotStartsField(q.consultationType)} ${num(from / 1000)} TO ${num(to / 1000)}`;
}

export const geoRadiusFilter = (lat: number, lon: number, radiusM: number) => `_geoRadius(${num(lat)}, ${num(lon)}, ${num(radiusM)})`;
export const geoPointSort = (lat: number, lon: number) => `_geoPoint(${num(lat)}, ${num(lon)}):asc`;

/** The conditions every group shares: filière, place, specialty, name pre-filter. */
export function baseFilters(q: SearchQuery, withPlace = true): string[] {
  const filters = [`filieres = ${filterValue(q.filiere)}`];
  const place = q.place;
  if (!withPlace) {
    // the médecin traitant's places are shown wherever they are
  } else if (place.kind === 'point') filters.push(geoRadiusFilter(place.lat, place.lon, Math.ceil(place.radiusKm * 1000 * GEO_RADIUS_SLACK) + 1));
  else if (place.kind === 'commune') filters.push(`inseeCode = ${filterValue(place.inseeCode)}`);
  else if (place.kind === 'departement') filters.push(`departement = ${filterValue(place.departement)}`);
  else throw new HttpProblem(STRUCTURES_UNSUPPORTED);
  if (q.specialty) filters.push(`specialtyCode = ${filterValue(q.specialty)}`);
  if (q.acceptsEnSus) filters.push('acceptsEnSus = true');
  if (q.conventionSector) filters.push(`sector = ${filterValue(q.conventionSector)}`);
  // Any subset of the name's trigrams keeps every place whose name key holds the name; the client checks the rest.
  if (q.name) for (const t of nameTrigrams(q.name).slice(0, 12)) filters.push(`nameTrigrams = ${filterValue(t)}`);
  return filters;
}

export interface GroupSearch {
  readonly group: Group;
  /** AND of these conditions. */
  readonly filter: readonly string[];
}

/** The filtered searches of a query, one per group, in the order their results are shown. */
export function groupSearches(q: SearchQuery): GroupSearch[] {
  const base = baseFilters(q);
  const slots = slotFilter(q);
  const treating = q.treatingRpps ? `rpps = ${filterValue(q.treatingRpps)}` : null;
  const notTreating = q.treatingRpps ? [`rpps != ${filterValue(q.treatingRpps)}`] : [];
  const groups: GroupSearch[] = [];
  if (q.onlyAvailable && slots === null) return [];
  // The médecin traitant's places come first wherever they are (the real platform fetches them apart).
  if (treating) groups.push({ group: 'medecin-traitant', filter: [...baseFilters(q, false), treating, ...(q.onlyAvailable ? [slots!] : [])] });
  // SAS participants with slots, then the other practitioners with slots (both shown as 'with-slots').
  if (slots !== null) groups.push({ group: 'with-slots', filter: [...base, ...notTreating, slots, 'participant = true'] });
  if (slots !== null) groups.push({ group: 'with-slots', filter: [...base, ...notTreating, slots, 'participant = false'] });
  if (!q.onlyAvailable) groups.push({ group: 'without-slots', filter: [...base, ...notTreating, ...(slots !== null ? [`NOT ${slots}`] : [])] });
  return groups;
}

/** Joins conditions into one filter expression (each parenthesised: `NOT`, `TO` and `_geoRadius` stay unambiguous). */
export const filterExpression = (conditions: readonly string[]) => conditions.map((c) => `(${c})`).join(' AND ');

/** PostgreSQL's earth(): the radius cube/earthdistance uses, in metres. */
const PG_EARTH_M = 6_378_168;
/**
 * Great-circle distance in metres exactly as PostgreSQL computes `earth_distance(ll_to_earth(a), ll_to_earth(b))`
 * (the chord between the two points on a sphere of radius earth(), turned into an arc), so that radius bounds,
 * ordering and the rounded distance on the card are those of the SQL engine.
 */
export function earthDistanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const xyz = (lat: number, lon: number) => [
    PG_EARTH_M * Math.cos(lat * rad) * Math.cos(lon * rad),
    PG_EARTH_M * Math.cos(lat * rad) * Math.sin(lon * rad),
    PG_EARTH_M * Math.sin(lat * rad),
  ];
  const [ax, ay, az] = xyz(lat1, lon1) as [number, number, number];
  const [bx, by, bz] = xyz(lat2, lon2) as [number, number, number];
  const chord = Math.sqrt((ax - bx) ** 2 + (ay - by) ** 2 + (az - bz) ** 2);
  const half = chord / (2 * PG_EARTH_M);
  return half > 1 ? Math.PI * PG_EARTH_M : 2 * PG_EARTH_M * Math.asin(half);
}

/** Whether a place is inside the radius of a point search, as SQL decides it (`earth_distance <= radius`). */
export const withinRadius = (distanceM: number, radiusKm: number) => distanceM <= radiusKm * 1000;

/** The seeded key of the stable random order: md5(rpps:locationId:seed) in hex, as the SQL engine computes it. */
export const seededKey = (rpps: string, locationId: string, seed: string) => createHash('md5').update(`${rpps}:${locationId}:${seed}`).digest('hex');

/** What a candidate needs to be ranked (the light fields read for every candidate). */
export interface Candidate {
  readonly id: string;
  readonly rpps: string;
  readonly locationId: string;
  readonly nameKey: string;
  readonly _geo?: { readonly lat: number; readonly lng: number } | null;
}

export interface RankedCandidate extends Candidate {
  readonly group: Group;
  readonly distanceKm: number | null;
  /** Point search: the seeded md5 tie-break; zone: the place's position in the search's rotation (zone-order.ts). */
  readonly key: string | number;
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
/** Within a group: by distance (point search), then the seeded key, then rpps and location (as the SQL ORDER BY). */
export const compareRanked = (a: RankedCandidate, b: RankedCandidate) =>
  (a.distanceKm ?? 0) - (b.distanceKm ?? 0) || cmp(a.key, b.key) || cmp(a.rpps, b.rpps) || cmp(a.locationId, b.locationId);

/** Ranks a group's candidates, dropping those the exact radius and name checks refuse. */
export function rankCandidates(candidates: readonly Candidate[], group: Group, q: SearchQuery): RankedCandidate[] {
  const place = q.place;
  const start = seedStart(q.seed);
  const ranked: RankedCandidate[] = [];
  for (const c of candidates) {
    if (q.name && !c.nameKey.includes(q.name)) continue;
    let distanceKm: number | null = null;
    if (place.kind === 'point') {
      if (!c._geo) continue;
      const metres = earthDistanceM(place.lat, place.lon, c._geo.lat, c._geo.lng);
      if (group !== 'medecin-traitant' && !withinRadius(metres, place.radiusKm)) continue;
      distanceKm = metres / 1000;
    }
    const key = place.kind === 'point' ? seededKey(c.rpps, c.locationId, q.seed) : rotationKey(placeShuffle(c.rpps, c.locationId), start);
    ranked.push({ ...c, group, distanceKm, key });
  }
  return ranked.sort(compareRanked);
}

/** The card of a place: the slots of the window (and type), by start then id, at most 20. */
export function cardOf(doc: PlaceDocument, ranked: Pick<RankedCandidate, 'group' | 'distanceKm'>, q: Pick<SearchQuery, 'from' | 'to' | 'consultationType'>): SearchCard {
  const from = q.from.getTime();
  const to = q.to.getTime();
  const iso = (epochS: number) => new Date(Math.round(epochS * 1000)).toISOString();
  const slots: SearchSlot[] = doc.slots
    .filter((s) => {
      const start = Math.round(s.start * 1000);
      return start >= from && start < to && (!q.consultationType || s.types.includes(q.consultationType));
    })
    .sort((a, b) => a.start - b.start || cmp(a.slotId, b.slotId))
    .slice(0, MAX_SLOTS_PER_CARD)
    .map((s) => ({ slotId: s.slotId, start: iso(s.start), end: iso(s.end), consultationTypes: [...s.types], source: s.source, ...(s.stale ? { stale: true } : {}), ...(s.bookingMode ? { bookingMode: s.bookingMode } : {}) }));
  return {
    rpps: doc.rpps,
    locationId: doc.locationId,
    givenName: doc.givenName,
    familyName: doc.familyName,
    civility: doc.civility,
    specialty: doc.specialtyLabel,
    address: { streetNumber: doc.streetNumber, streetName: doc.streetName, postcode: doc.postcode, commune: doc.commune, inseeCode: doc.inseeCode },
    structure: doc.structure,
    phone: doc.phone,
    // Structures are not indexed in Meilisearch yet (no CPTS card there): see STRUCTURES_UNSUPPORTED.
    structures: [],
    participation: doc.participation ?? null,
    // Nor are the structures' own places (SOS Médecins cards): every Meilisearch document is a practitioner's place.
    effecteurStructure: null,
    distanceKm: ranked.distanceKm === null ? null : Math.round(ranked.distanceKm * 10) / 10,
    group: ranked.group,
    slots,
  };
}

/**
 * Structures (the CPTS card, the structure filter, a structure's members) are searched on the SQL read model
 * only: the Meilisearch documents do not carry memberships yet. A query that needs them is refused clearly
 * rather than answered without them.
 */
const STRUCTURES_UNSUPPORTED = problem(
  501,
  'SearchByStructureUnsupported',
  'La recherche par structure (CPTS, MSP, centre de santé, SOS Médecins) n’est pas disponible avec le moteur Meilisearch ; utilisez le moteur SQL (SEARCH_ENGINE=sql).',
);

const LIGHT_FIELDS = ['id', 'rpps', 'locationId', 'nameKey', '_geo'];

/** The search engine on the Meilisearch places index. */
export class MeiliSearchEngine implements SearchEngine {
  readonly name = 'meilisearch';
  readonly #client: Meilisearch;
  readonly #indexes: MeiliSearchIndexes;
  readonly #geoPage: number;

  /** `geoPageSize`: places read per request in a point search (tests make it small to walk several pages). */
  constructor(indexes: MeiliSearchIndexes, options: { geoPageSize?: number } = {}) {
    this.#indexes = indexes;
    this.#client = indexes.client;
    this.#geoPage = options.geoPageSize ?? DEFAULT_GEO_PAGE;
  }

  async search(q: SearchQuery): Promise<SearchCard[]> {
    if (q.structureKind || q.place.kind === 'structure') throw new HttpProblem(STRUCTURES_UNSUPPORTED);
    if (q.limit <= 0) return [];
    await this.#indexes.ensure('live');
    const need = q.offset + q.limit;
    const ranked: RankedCandidate[] = [];
    for (const g of groupSearches(q)) {
      if (ranked.length >= need) break;
      const candidates = q.place.kind === 'point' && g.group !== 'medecin-traitant' ? await this.#nearest(g, q, need - ranked.length) : await this.#all(g.filter);
      ranked.push(...rankCandidates(candidates, g.group, q));
    }
    const page = ranked.slice(q.offset, need);
    if (page.length === 0) return [];
    const docs = await this.#documents(page.map((c) => c.id));
    return page.flatMap((c) => {
      const doc = docs.get(c.id);
      // A place closed between the two reads is left out rather than shown stale.
      return doc ? [cardOf(doc, c, q)] : [];
    });
  }

  #places() {
    return this.#client.index<PlaceDocument>(this.#indexes.names.live.places);
  }

  /** Every candidate of a group (zone search): ids and what ranking needs, no slots. */
  async #all(filter: readonly string[]): Promise<Candidate[]> {
    const result = await this.#places().search<Candidate>(null, { filter: filterExpression(filter), attributesToRetrieve: LIGHT_FIELDS, limit: MAX_CANDIDATES, offset: 0 });
    if (result.hits.length >= MAX_CANDIDATES) throw new Error(`Meilisearch search: more than ${MAX_CANDIDATES} candidates in one group; narrow the zone`);
    return result.hits;
  }

  /**
   * The nearest candidates of a group (point search), in Meilisearch's distance order: at least `wanted` that pass
   * the exact checks (or all of them), plus every candidate at the same distance as the last one kept, so that the
   * seeded tie-break sees the whole tie.
   */
  async #nearest(g: GroupSearch, q: SearchQuery, wanted: number): Promise<Candidate[]> {
    const place = q.place;
    if (place.kind !== 'point') return [];
    const out: Candidate[] = [];
    let accepted = 0;
    let boundary: number | null = null;
    const page = this.#geoPage;
    for (let offset = 0; ; offset += page) {
      const result = await this.#places().search<Candidate>(null, {
        filter: filterExpression(g.filter),
        sort: [geoPointSort(place.lat, place.lon)],
        attributesToRetrieve: LIGHT_FIELDS,
        offset,
        limit: page,
      });
      for (const hit of result.hits) {
        const d = hit._geo ? earthDistanceM(place.lat, place.lon, hit._geo.lat, hit._geo.lng) : Infinity;
        if (boundary !== null && d > boundary) return out;
        // Beyond the exact radius (inside Meilisearch's slightly larger one): skipped, rankCandidates would drop it.
        if (!withinRadius(d, place.radiusKm)) continue;
        out.push(hit);
        if (!q.name || hit.nameKey.includes(q.name)) accepted++;
        if (boundary === null && accepted >= wanted) boundary = d;
      }
      if (result.hits.length < page || offset + page >= MAX_CANDIDATES) return out;
    }
  }

  async #documents(ids: readonly string[]): Promise<Map<string, PlaceDocument>> {
    const result = await this.#places().search<PlaceDocument>(null, { filter: `id IN [${ids.map(filterValue).join(', ')}]`, limit: ids.length, offset: 0 });
    return new Map(result.hits.map((doc) => [doc.id, doc as PlaceDocument]));
  }
}
