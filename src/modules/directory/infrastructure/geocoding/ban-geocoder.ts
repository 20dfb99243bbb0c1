/**
 * Adapter for the Base Adresse Nationale search API (https://api-adresse.data.gouv.fr/search/): turns the
 * address of an LRM URL (streetnumber, streetname, city, postcode, inseecode) into a point.
 *
 * PRIVACY RULE. The street address comes from the LRM URL and describes where a patient is (usually their
 * home). It is used for this one search only: it is sent to the BAN and then dropped. It is never stored
 * (no event, no projection, no cache key) and never logged (not in errors either: error results below carry
 * the HTTP status or the failure kind, never the query). Only the resulting point, its precision and score
 * may be kept by the caller, for the duration of the search.
 *
 * Never throws: a timeout, a network failure, an HTTP error or an unreadable body gives `{ ok: false, error }`
 * with a typed `BanGeocoderError`; "no good enough match" is `{ ok: true, value: null }`.
 */
import type { GeoPoint } from '../../../../shared-kernel/geo/geo-point.ts';
import type { Result } from '../../../../shared-kernel/errors/result.ts';

export type BanPrecision = 'housenumber' | 'street' | 'municipality';

export type BanMatch = {
  readonly point: GeoPoint;
  readonly precision: BanPrecision;
  /** BAN label ("61 Rue de la République 69003 Lyon"): for display in the current search only, like the query. */
  readonly label: string;
  /** BAN relevance score in [0, 1]. */
  readonly score: number;
  readonly citycode: string | null;
  readonly postcode: string | null;
};

export type BanGeocoderErrorKind = 'timeout' | 'network' | 'http' | 'parse' | 'invalid-query';

/** A failure to geocode. Deliberately holds no part of the address (see the privacy rule above). */
export type BanGeocoderError = {
  readonly kind: BanGeocoderErrorKind;
  readonly message: string;
  readonly status?: number;
};

export type BanAddress = {
  readonly streetnumber?: string | null;
  readonly streetname?: string | null;
  readonly city?: string | null;
  readonly postcode?: string | null;
  readonly inseecode?: string | null;
};

export type BanGeocoderOptions = {
  /** e.g. https://api-adresse.data.gouv.fr (the `/search/` path is appended). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Matches scoring below this are ignored (default 0.5). */
  readonly minScore?: number;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Number of features asked for (default 5). */
  readonly limit?: number;
};

/** BAN `q` must hold 3 to 200 characters. */
const MAX_QUERY_LENGTH = 200;
const MIN_QUERY_LENGTH = 3;

/**
 * Paris, Lyon and Marseille: the BAN files addresses under the arrondissement codes (751xx, 6938x, 132xx),
 * so a `citycode` filter with the city's code would match nothing. The filter is then left out.
 */
const PLM_CITY_CODES = new Set(['75056', '69123', '13055']);

export class BanGeocoder {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly minScore: number;
  private readonly fetchFn: typeof fetch;
  private readonly limit: number;

  constructor(options: BanGeocoderOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.minScore = options.minScore ?? 0.5;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.limit = options.limit ?? 5;
  }

  async geocode(address: BanAddress): Promise<Result<BanMatch | null, BanGeocoderError>> {
    const url = this.buildUrl(address);
    if (!url.ok) return url;
    let response: Response;
    try {
      response = await this.fetchFn(url.value, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') {
        return failure('timeout', `BAN did not answer within ${this.timeoutMs} ms`);
      }
      return failure('network', `BAN unreachable (${name || 'error'})`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return failure('http', `BAN answered HTTP ${response.status}`, response.status);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') return failure('timeout', `BAN did not answer within ${this.timeoutMs} ms`);
      return failure('parse', 'BAN answered a body that is not JSON');
    }
    return this.pick(body, address);
  }

  private buildUrl(address: BanAddress): Result<string, BanGeocoderError> {
    const number = (address.streetnumber ?? '').replace(/\D/g, ''); // the LRM rule: digits only
    const street = clean(address.streetname);
    const city = clean(address.city);
    const postcode = clean(address.postcode);
    const citycode = clean(address.inseecode).toUpperCase();
    const q = (street ? [number, street, postcode, city] : [postcode, city]).filter((part) => part !== '').join(' ');
    if (q.length < MIN_QUERY_LENGTH) return failure('invalid-query', 'An address needs at least a street or a city');
    const params = new URLSearchParams({ q: q.slice(0, MAX_QUERY_LENGTH), limit: String(this.limit) });
    if (citycode !== '' && !PLM_CITY_CODES.has(citycode)) params.set('citycode', citycode);
    else if (/^\d{5}$/.test(postcode)) params.set('postcode', postcode);
    if (!street) params.set('type', 'municipality');
    return { ok: true, value: `${this.baseUrl}/search/?${params.toString()}` };
  }

  private pick(body: unknown, address: BanAddress): Result<BanMatch | null, BanGeocoderError> {
    if (!isRecord(body) || body.type !== 'FeatureCollection' || !Array.isArray(body.features)) {
      return failure('parse', 'BAN answered JSON that is not a GeoJSON FeatureCollection');
    }
    const wantedNumber = (address.streetnumber ?? '').replace(/\D/g, '') !== '';
    let best: BanMatch | null = null;
    for (const feature of body.features) {
      const match = readFeature(feature);
      if (match === null) return failure('parse', 'BAN answered a feature without a point, a score or a type');
      if (match.score < this.minScore) continue;
      // A number that the BAN did not find falls back to the street: say so by the precision, never pretend.
      const precision: BanPrecision = match.precision === 'housenumber' && !wantedNumber ? 'street' : match.precision;
      if (best === null || match.score > best.score) best = { ...match, precision };
    }
    return { ok: true, value: best };
  }
}

function readFeature(feature: unknown): BanMatch | null {
  if (!isRecord(feature) || !isRecord(feature.geometry) || !isRecord(feature.properties)) return null;
  const coordinates = feature.geometry.coordinates;
  if (!Array.isArray(coordinates) || coordinates.length < 2) return null;
  const [lon, lat] = coordinates as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) return null;
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
  const p = feature.properties;
  if (typeof p.score !== 'number' || typeof p.type !== 'string') return null;
  return {
    point: { lat, lon },
    precision: precisionOf(p.type),
    label: typeof p.label === 'string' ? p.label : '',
    score: p.score,
    citycode: typeof p.citycode === 'string' ? p.citycode : null,
    postcode: typeof p.postcode === 'string' ? p.postcode : null,
  };
}

/** BAN types: housenumber, street, locality (lieu-dit: street level), municipality. */
const precisionOf = (type: string): BanPrecision =>
  type === 'housenumber' ? 'housenumber' : type === 'street' || type === 'locality' ? 'street' : 'municipality';

const clean = (value: string | null | undefined): string => (value ?? '').replace(/\s+/g, ' ').trim();

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const failure = (kind: BanGeocoderErrorKind, message: string, status?: number): { ok: false; error: BanGeocoderError } => ({
  ok: false,
  error: status === undefined ? { kind, message } : { kind, message, status },
});
