/**
 * The LRM contextual search (INT_L01): a SAMU regulation software (LRM) opens
 * `/sas/recherche?origin=…&practitioner=…&specialty=…&streetnumber=…&streetname=…&city=…&inseecode=…` in the
 * regulator's browser. This file turns those parameters into where the browser goes next — the search page with
 * a point, a filière and the médecin traitant, the home page when the address cannot be placed, or the "flux
 * disabled" page for an unknown origin.
 *
 * PRIVACY RULE. `streetnumber`, `streetname` and `city` are where a patient is. They are read here, sent to the
 * BAN when it is configured, and dropped: never stored, never logged, never put in a URL. What leaves this file
 * is the commune's INSEE code and a point rounded to 3 decimals (about 100 m).
 *
 * Never throws on input: any value (repeated, over-long, garbage) has an outcome.
 */
import type { GeoPoint } from '../../../../shared-kernel/geo/geo-point.ts';
import { parseRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import type { Result } from '../../../../shared-kernel/errors/result.ts';
import type { Commune } from '../../domain/geocoding/commune.ts';
import { foldText } from '../../domain/geocoding/normalize.ts';
import type { Filiere } from '../../domain/filiere.ts';
import type { BanAddress, BanGeocoderError, BanMatch } from '../../infrastructure/geocoding/ban-geocoder.ts';
import type { CommuneGeocoder } from '../../infrastructure/geocoding/commune-geocoder.ts';
import type { FiliereRegistry } from '../../infrastructure/filiere-registry.ts';
import type { SearchRadiusPolicy } from '../../infrastructure/search-radius.ts';

/** OIDs of the LRM URL (sas-interfaces.md §5 and §10). */
export const OID = {
  /** IDNPS: `8` + RPPS. */
  idnps: '1.2.250.1.71.4.2.1',
  /** TRE_R38 spécialité ordinale (SM54 médecine générale…). */
  specialty: '1.2.250.1.213.2.28',
  /** TRE_G15 profession (40 chirurgien-dentiste…). */
  profession: '1.2.250.1.71.1.2.7',
} as const;

/** Longest accepted value per parameter; longer is garbage (treated as an invalid value, never an error). */
const MAX_LENGTH: Readonly<Record<string, number>> = {
  origin: 100,
  practitioner: 100,
  specialty: 100,
  streetnumber: 20,
  streetname: 200,
  city: 100,
  inseecode: 10,
  lat: 20,
  lon: 20,
};

/** Where the home page says the address could not be placed. */
export const ADDRESS_NOT_FOUND_LOCATION = '/?message=adresse-introuvable';

/** Query value meaning "the LRM sent a médecin traitant that could not be identified" on /recherche. */
export const MT_NOT_IDENTIFIED = 'non-identifie';

export interface BanPort {
  geocode(address: BanAddress): Promise<Result<BanMatch | null, BanGeocoderError>>;
}

export interface LrmEntryDeps {
  readonly geocoder: () => CommuneGeocoder;
  readonly filieres: () => FiliereRegistry;
  readonly radius: () => SearchRadiusPolicy;
  /** The street-level geocoder, when configured. */
  readonly ban: BanPort | null;
  /** Active LRM authorities (`affectation_authority`). */
  readonly origins: ReadonlySet<string>;
  /** Called when the BAN fails (the error holds no part of the address); the commune centre is used instead. */
  readonly onBanFailure?: (error: BanGeocoderError) => void;
}

/** A parameter as one string: undefined when absent; null when repeated, over-long or holding control characters. */
type Param = string | undefined | null;

function param(query: Readonly<Record<string, unknown>>, name: string): Param {
  if (!Object.hasOwn(query, name)) return undefined;
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return null;
  if (value.length > (MAX_LENGTH[name] ?? 100)) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return null;
  return value.trim();
}

// ---------------------------------------------------------------- specialty

export type SpecialtyFormat = 'absent' | 'urn-specialty' | 'urn-profession' | 'urn-unknown' | 'text' | 'text-unknown' | 'invalid';

export interface SpecialtyChoice {
  readonly filiere: Filiere;
  /** A TRE_R38 code narrowing the filière, or null for the whole filière. */
  readonly specialty: string | null;
  readonly format: SpecialtyFormat;
  /** The value carried over a login (same outcome), or null when nothing needs carrying. */
  readonly canonical: string | null;
}

const SPECIALTY_URN = new RegExp(`^urn:oid:${OID.specialty.replaceAll('.', '\\.')}\\|(SM\\d{2})$`, 'i');
const PROFESSION_URN = new RegExp(`^urn:oid:${OID.profession.replaceAll('.', '\\.')}\\|(\\d{2})$`, 'i');

/** The default filière when it qualifies, else the first by id; null for an empty list. */
function preferDefault(candidates: readonly Filiere[], registry: FiliereRegistry): Filiere | null {
  if (candidates.length === 0) return null;
  const fallback = registry.default();
  return candidates.find((f) => f.id === fallback.id) ?? [...candidates].sort((a, b) => a.id.localeCompare(b.id))[0]!;
}

/**
 * `urn:oid:1.2.250.1.213.2.28|SMxx` (TRE_R38 specialty) or `urn:oid:1.2.250.1.71.1.2.7|40` (TRE_G15 profession)
 * gives the filière covering it; a filière's id or label as plain text gives that filière; anything else, and
 * nothing, gives the default filière (médecine générale). The specialty narrows the search only inside a filière
 * grouping distinct specialties (psychiatrie: SM42 adult, SM43 child); the default filière's codes (SM54, SM53,
 * SM26) are all qualifications in general medicine and do not narrow it.
 */
export function chooseSpecialty(value: Param, registry: FiliereRegistry): SpecialtyChoice {
  const fallback = (format: SpecialtyFormat): SpecialtyChoice => ({ filiere: registry.default(), specialty: null, format, canonical: null });
  if (value === undefined || value === '') return fallback('absent');
  if (value === null) return fallback('invalid');
  const bySpecialty = SPECIALTY_URN.exec(value);
  if (bySpecialty) {
    const code = bySpecialty[1]!.toUpperCase();
    const filiere = preferDefault(registry.all().filter((f) => f.specialties.includes(code)), registry);
    if (!filiere) return fallback('urn-unknown');
    const narrows = filiere.default !== true && filiere.specialties.length > 1;
    return { filiere, specialty: narrows ? code : null, format: 'urn-specialty', canonical: `urn:oid:${OID.specialty}|${code}` };
  }
  const byProfession = PROFESSION_URN.exec(value);
  if (byProfession) {
    const code = byProfession[1]!;
    const covering = registry.all().filter((f) => f.professions.includes(code));
    const filiere = covering.some((f) => f.default === true) ? registry.default() : preferDefault(covering, registry);
    if (!filiere) return fallback('urn-unknown');
    return { filiere, specialty: null, format: 'urn-profession', canonical: `urn:oid:${OID.profession}|${code}` };
  }
  if (value.toLowerCase().startsWith('urn:')) return fallback('urn-unknown');
  const key = foldText(value);
  const named = registry.all().find((f) => foldText(f.id) === key || foldText(f.label) === key);
  return named ? { filiere: named, specialty: null, format: 'text', canonical: named.id } : fallback('text-unknown');
}

// ---------------------------------------------------------------- médecin traitant

export type PractitionerChoice =
  | { readonly kind: 'absent' }
  | { readonly kind: 'rpps'; readonly rpps: string }
  /** Another URN or OID, a bare number, a name, a wrong Luhn key: the page says the MT was not identified. */
  | { readonly kind: 'not-identified' };

const IDNPS_URN = new RegExp(`^urn:oid:${OID.idnps.replaceAll('.', '\\.')}\\|8(\\d{11})$`, 'i');

export function choosePractitioner(value: Param): PractitionerChoice {
  if (value === undefined || value === '') return { kind: 'absent' };
  const match = value === null ? null : IDNPS_URN.exec(value);
  if (!match) return { kind: 'not-identified' };
  const rpps = parseRpps(match[1]);
  return rpps.ok ? { kind: 'rpps', rpps: rpps.value } : { kind: 'not-identified' };
}

// ---------------------------------------------------------------- address

export type AddressResult = 'ban-housenumber' | 'ban-street' | 'commune' | 'point' | 'no-city' | 'unknown-insee' | 'unknown-city' | 'number-without-street' | 'no-coordinates' | 'invalid';

export type AddressResolution =
  | { readonly ok: true; readonly commune: Commune | null; readonly point: GeoPoint; readonly result: AddressResult }
  | { readonly ok: false; readonly result: AddressResult };

const INSEE = /^(\d{5}|2[AB]\d{3})$/;
const COORDINATE = /^-?\d{1,3}(\.\d{1,12})?$/;

/** About 100 m: the only precision of the patient's position that leaves the platform's memory. */
export const roundCoordinate = (value: number): string => (Math.round(value * 1000) / 1000).toFixed(3);

/**
 * INSEE code (arrondissements of Paris, Lyon and Marseille included), else the city by name; the street through
 * the BAN when configured, else the commune centre. A number without a street, no city, or an INSEE code or
 * city that resolves to nothing: not found. A bare `lat`+`lon` (the address already resolved, as carried over a
 * login) is accepted when no address part is given.
 */
export async function resolveAddress(query: Readonly<Record<string, unknown>>, deps: LrmEntryDeps): Promise<AddressResolution> {
  const inseecode = param(query, 'inseecode');
  const city = param(query, 'city');
  const streetname = param(query, 'streetname');
  const streetnumber = param(query, 'streetnumber');
  if ([inseecode, city, streetname, streetnumber].includes(null)) return { ok: false, result: 'invalid' };
  const number = (streetnumber ?? '').replace(/\D/g, '');
  const street = (streetname ?? '').replace(/\s+/g, ' ');
  if (number !== '' && street === '') return { ok: false, result: 'number-without-street' };
  const carried = street === '' ? carriedPoint(query) : null;

  const geocoder = deps.geocoder();
  let commune: Commune | null = null;
  if (inseecode) {
    const code = inseecode.toUpperCase();
    commune = INSEE.test(code) ? geocoder.byInseeCode(code) : null;
    if (!commune) return { ok: false, result: 'unknown-insee' };
  } else if (city) {
    commune = geocoder.resolve({ city })?.commune ?? null;
    if (!commune) return { ok: false, result: 'unknown-city' };
  }
  if (!commune) return carried ? { ok: true, commune: null, point: carried, result: 'point' } : { ok: false, result: 'no-city' };

  if (street !== '' && deps.ban) {
    const found = await deps.ban.geocode({ streetnumber: number, streetname: street, city: commune.name, inseecode: commune.inseeCode });
    if (!found.ok) deps.onBanFailure?.(found.error);
    else if (found.value && found.value.precision !== 'municipality' && sameCommune(found.value.citycode, commune, geocoder)) {
      return { ok: true, commune, point: found.value.point, result: found.value.precision === 'housenumber' ? 'ban-housenumber' : 'ban-street' };
    }
  }
  if (carried) return { ok: true, commune, point: carried, result: 'point' };
  // Without a street-level match: the commune centre (an arrondissement's is its city's).
  if (!commune.point) return { ok: false, result: 'no-coordinates' };
  return { ok: true, commune, point: commune.point, result: 'commune' };
}

/** `lat` + `lon` as carried over a login (see addressFreeEntryPath), or null. */
function carriedPoint(query: Readonly<Record<string, unknown>>): GeoPoint | null {
  const lat = param(query, 'lat');
  const lon = param(query, 'lon');
  if (!lat || !lon || !COORDINATE.test(lat) || !COORDINATE.test(lon)) return null;
  const point = { lat: Number(lat), lon: Number(lon) };
  return Math.abs(point.lat) <= 90 && Math.abs(point.lon) <= 180 ? point : null;
}

/** A BAN match is kept only inside the commune asked for (or one of its arrondissements, or its city). */
function sameCommune(citycode: string | null, commune: Commune, geocoder: CommuneGeocoder): boolean {
  if (citycode === null || citycode === commune.inseeCode) return true;
  const found = geocoder.byInseeCode(citycode);
  return found !== null && (found.parentInseeCode === commune.inseeCode || found.inseeCode === commune.parentInseeCode);
}

// ---------------------------------------------------------------- outcome

export type OriginCheck = 'absent' | 'active' | 'unknown' | 'empty';

export function checkOrigin(query: Readonly<Record<string, unknown>>, origins: ReadonlySet<string>): { check: OriginCheck; origin: string | null } {
  const origin = param(query, 'origin');
  if (origin === undefined) return { check: 'absent', origin: null };
  if (origin === null) return { check: 'unknown', origin: null };
  if (origin === '') return { check: 'empty', origin: '' };
  return { check: origins.has(origin) ? 'active' : 'unknown', origin };
}

export interface LrmAnalytics {
  readonly origin: OriginCheck;
  /** The `origin` value (an LRM authority, never patient data; bounded, without control characters). */
  readonly authority: string | null;
  readonly address: AddressResult | 'not-checked';
  readonly practitioner: PractitionerChoice['kind'];
  readonly specialty: SpecialtyFormat;
}

export type LrmOutcome =
  /** No `origin`: the ordinary search page, with what the parameters say (never the street or the city). */
  | { readonly kind: 'ordinary'; readonly location: string; readonly analytics: LrmAnalytics }
  /** `origin` empty or not an active LRM authority. */
  | { readonly kind: 'flux-disabled'; readonly origin: string | null; readonly analytics: LrmAnalytics }
  | { readonly kind: 'address-not-found'; readonly location: string; readonly analytics: LrmAnalytics }
  | { readonly kind: 'search'; readonly location: string; readonly analytics: LrmAnalytics };

function searchLocation(address: AddressResolution, specialty: SpecialtyChoice, practitioner: PractitionerChoice, deps: LrmEntryDeps, lrm: boolean): string {
  const p = new URLSearchParams();
  if (lrm) p.set('lrm', '1');
  if (address.ok) {
    p.set('lat', roundCoordinate(address.point.lat));
    p.set('lon', roundCoordinate(address.point.lon));
    p.set('radiusKm', String(address.commune ? deps.radius().radiusFor(address.commune.departement, specialty.filiere) : specialty.filiere.defaultRadiusKm));
    if (address.commune) p.set('inseecode', address.commune.inseeCode);
  }
  p.set('filiere', specialty.filiere.id);
  if (specialty.specialty) p.set('specialty', specialty.specialty);
  if (practitioner.kind === 'rpps') p.set('practitioner', practitioner.rpps);
  if (practitioner.kind === 'not-identified') p.set('mt', MT_NOT_IDENTIFIED);
  return `/recherche?${p.toString()}`;
}

/** Where a logged-in regulator goes for this LRM URL. */
export async function resolveLrmEntry(query: Readonly<Record<string, unknown>>, deps: LrmEntryDeps): Promise<LrmOutcome> {
  const origin = checkOrigin(query, deps.origins);
  const specialty = chooseSpecialty(param(query, 'specialty'), deps.filieres());
  const practitioner = choosePractitioner(param(query, 'practitioner'));
  const analytics = (address: AddressResult | 'not-checked'): LrmAnalytics => ({ origin: origin.check, authority: origin.origin, address, practitioner: practitioner.kind, specialty: specialty.format });
  if (origin.check === 'empty' || origin.check === 'unknown') return { kind: 'flux-disabled', origin: origin.origin, analytics: analytics('not-checked') };
  const address = await resolveAddress(query, deps);
  if (origin.check === 'absent') return { kind: 'ordinary', location: searchLocation(address, specialty, practitioner, deps, false), analytics: analytics(address.result) };
  if (!address.ok) return { kind: 'address-not-found', location: ADDRESS_NOT_FOUND_LOCATION, analytics: analytics(address.result) };
  return { kind: 'search', location: searchLocation(address, specialty, practitioner, deps, true), analytics: analytics(address.result) };
}

/**
 * The same LRM URL with the patient's address replaced by what it resolves to (INSEE code and rounded point), for
 * the way through the login: the login keeps its return path in the database for a few minutes, and the address
 * must not be stored. After the login this path gives the same outcome as the original URL.
 */
export async function addressFreeEntryPath(path: string, query: Readonly<Record<string, unknown>>, deps: LrmEntryDeps): Promise<string> {
  const p = new URLSearchParams();
  const origin = checkOrigin(query, deps.origins);
  // An unknown origin is carried as is, for the "flux disabled" page to name it — unless it would make the return
  // path longer than the login accepts (an empty origin ends the same way).
  if (origin.check === 'active') p.set('origin', origin.origin!);
  else if (origin.check !== 'absent') p.set('origin', origin.origin && encodeURIComponent(origin.origin).length <= 150 ? origin.origin : '');
  const specialty = chooseSpecialty(param(query, 'specialty'), deps.filieres());
  if (specialty.canonical) p.set('specialty', specialty.canonical);
  const practitioner = choosePractitioner(param(query, 'practitioner'));
  if (practitioner.kind === 'rpps') p.set('practitioner', `urn:oid:${OID.idnps}|8${practitioner.rpps}`);
  if (practitioner.kind === 'not-identified') p.set('practitioner', MT_NOT_IDENTIFIED);
  if (origin.check === 'active' || origin.check === 'absent') {
    const address = await resolveAddress(query, deps);
    if (address.ok) {
      if (address.commune) p.set('inseecode', address.commune.inseeCode);
      p.set('lat', roundCoordinate(address.point.lat));
      p.set('lon', roundCoordinate(address.point.lon));
    }
  }
  const search = p.toString();
  return search === '' ? path : `${path}?${search}`;
}
