import { err, ok, validationError, type Result } from '../errors/result.ts';

/** A WGS84 position in decimal degrees (the convention of the BAN, geo.api.gouv.fr and FHIR `position`). */
export type GeoPoint = { readonly lat: number; readonly lon: number };

/** Axis-aligned box in degrees. When it crosses the antimeridian, `minLon > maxLon` (the box wraps). */
export type BoundingBox = { readonly minLat: number; readonly maxLat: number; readonly minLon: number; readonly maxLon: number };

/** IUGG mean Earth radius; the spherical model errs by < 0.5 %, far below what "nearby doctors" needs. */
export const EARTH_RADIUS_KM = 6371.0088;

const PAD_DEG = 1e-9;

const rad = (deg: number): number => (deg * Math.PI) / 180;
const deg = (r: number): number => (r * 180) / Math.PI;

/** Accepts `{ lat, lon }` numbers only: strings are refused so that an unparsed query string cannot slip in. */
export function parseGeoPoint(input: unknown): Result<GeoPoint> {
  if (typeof input !== 'object' || input === null) {
    return err(validationError('InvalidGeoPoint', 'A position must be an object { lat, lon } in decimal degrees'));
  }
  const { lat, lon } = input as { lat?: unknown; lon?: unknown };
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    return err(validationError('InvalidGeoPoint', 'Latitude must be a finite number between -90 and 90', { lat }));
  }
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    return err(validationError('InvalidGeoPoint', 'Longitude must be a finite number between -180 and 180', { lon }));
  }
  return ok({ lat, lon });
}

/** Great-circle distance (haversine, numerically stable for small distances). */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  // The central angle by the Vincenty formula for a sphere (atan2 of its sine and cosine parts): as exact as
  // haversine for near points and, unlike haversine's asin, still exact for nearly antipodal ones.
  const [φ1, φ2, Δλ] = [rad(a.lat), rad(b.lat), rad(b.lon - a.lon)];
  const y = Math.hypot(Math.cos(φ2) * Math.sin(Δλ), Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ));
  const x = Math.sin(φ1) * Math.sin(φ2) + Math.cos(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return EARTH_RADIUS_KM * Math.atan2(y, x);
}

/**
 * A box containing every point within `radiusKm` of `center`: a cheap index-friendly pre-filter
 * (`lat BETWEEN … AND lon BETWEEN …`) before the exact `distanceKm`. It over-covers (corners), never
 * under-covers. Near a pole, or when the radius spans all longitudes, the longitude range is the full circle.
 */
export function boundingBox(center: GeoPoint, radiusKm: number): BoundingBox {
  if (!Number.isFinite(radiusKm) || radiusKm < 0) throw new RangeError(`boundingBox: radius must be a finite, non-negative number of km, got ${radiusKm}`);
  // A 1e-9° pad (~0.1 mm) absorbs floating-point rounding so that the box never excludes a point that
  // distanceKm puts within the radius.
  const dLat = deg(radiusKm / EARTH_RADIUS_KM) + PAD_DEG;
  const minLat = center.lat - dLat;
  const maxLat = center.lat + dLat;
  if (minLat <= -90 || maxLat >= 90 || dLat >= 90) {
    return { minLat: Math.max(-90, minLat), maxLat: Math.min(90, maxLat), minLon: -180, maxLon: 180 };
  }
  // Widest longitude extent of the circle (reached at latitude asin(sin φ / cos δ), not at the centre's).
  const sinRatio = Math.sin(radiusKm / EARTH_RADIUS_KM) / Math.cos(rad(center.lat));
  if (sinRatio >= 1) return { minLat, maxLat, minLon: -180, maxLon: 180 };
  const dLon = deg(Math.asin(sinRatio)) + PAD_DEG;
  return { minLat, maxLat, minLon: wrapLon(center.lon - dLon), maxLon: wrapLon(center.lon + dLon) };
}

/** Whether `p` lies in `box`, honouring a box that wraps across the antimeridian. */
export function isInBoundingBox(box: BoundingBox, p: GeoPoint): boolean {
  if (p.lat < box.minLat || p.lat > box.maxLat) return false;
  return box.minLon <= box.maxLon ? p.lon >= box.minLon && p.lon <= box.maxLon : p.lon >= box.minLon || p.lon <= box.maxLon;
}

const wrapLon = (lon: number): number => (lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon);
