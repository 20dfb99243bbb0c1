import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundingBox, distanceKm, EARTH_RADIUS_KM, isInBoundingBox, parseGeoPoint, type GeoPoint } from './geo-point.ts';

const PARIS: GeoPoint = { lat: 48.8566, lon: 2.3522 };
const LYON: GeoPoint = { lat: 45.764, lon: 4.8357 };

const point = fc.record({
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }),
});

describe('parseGeoPoint', () => {
  it('accepts valid positions, including the limits', () => {
    expect(parseGeoPoint({ lat: 48.8566, lon: 2.3522 })).toEqual({ ok: true, value: PARIS });
    expect(parseGeoPoint({ lat: -90, lon: 180 }).ok).toBe(true);
    expect(parseGeoPoint({ lat: 90, lon: -180 }).ok).toBe(true);
  });

  it.each([
    [{ lat: 91, lon: 0 }],
    [{ lat: 0, lon: -180.0001 }],
    [{ lat: Number.NaN, lon: 0 }],
    [{ lat: 0, lon: Number.POSITIVE_INFINITY }],
    [{ lat: '48.85', lon: 2.35 }],
    [{ lat: 48.85 }],
    [null],
    [[48.85, 2.35]],
  ])('refuses %j with InvalidGeoPoint', (input) => {
    const r = parseGeoPoint(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('InvalidGeoPoint');
  });
});

describe('distanceKm', () => {
  it('Paris–Lyon is about 391.5 km', () => {
    expect(distanceKm(PARIS, LYON)).toBeCloseTo(391.5, -0.3); // ± 1 km
    expect(Math.abs(distanceKm(PARIS, LYON) - 391.5)).toBeLessThan(1);
  });

  it('a quarter meridian and antipodes', () => {
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 90, lon: 0 })).toBeCloseTo((Math.PI / 2) * EARTH_RADIUS_KM, 6);
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * EARTH_RADIUS_KM, 6);
    expect(distanceKm({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 })).toBeCloseTo(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 }), 6);
  });

  it('is zero to itself, symmetric, non-negative and bounded by half the circumference', () => {
    fc.assert(
      fc.property(point, point, (a, b) => {
        expect(distanceKm(a, a)).toBe(0);
        expect(distanceKm(a, b)).toBeCloseTo(distanceKm(b, a), 9);
        expect(distanceKm(a, b)).toBeGreaterThanOrEqual(0);
        expect(distanceKm(a, b)).toBeLessThanOrEqual(Math.PI * EARTH_RADIUS_KM + 1e-9);
      }),
    );
  });

  it('satisfies the triangle inequality', () => {
    // Once a counterexample of the haversine formula (nearly antipodal points lose precision in its asin).
    const [a, b, c] = [{ lat: 0, lon: 0 }, { lat: -0.0000010456548945759365, lon: 0 }, { lat: 0, lon: -179.99999879258178 }];
    expect(distanceKm(a, c)).toBeLessThanOrEqual(distanceKm(a, b) + distanceKm(b, c) + 1e-6);
    fc.assert(
      fc.property(point, point, point, (a, b, c) => {
        expect(distanceKm(a, c)).toBeLessThanOrEqual(distanceKm(a, b) + distanceKm(b, c) + 1e-6);
      }),
    );
  });
});

describe('boundingBox', () => {
  it('around Paris, 10 km', () => {
    const box = boundingBox(PARIS, 10);
    expect(box.maxLat - box.minLat).toBeCloseTo((2 * 10 * 180) / (Math.PI * EARTH_RADIUS_KM), 7);
    expect(box.minLon).toBeLessThan(PARIS.lon);
    expect(box.maxLon).toBeGreaterThan(PARIS.lon);
    expect(isInBoundingBox(box, LYON)).toBe(false);
    expect(isInBoundingBox(boundingBox(PARIS, 400), LYON)).toBe(true);
  });

  it('contains every point within the radius (never under-covers)', () => {
    const nearby = fc
      .record({
        center: fc.record({ lat: fc.double({ min: -89, max: 89, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) }),
        dLat: fc.double({ min: -3, max: 3, noNaN: true }),
        dLon: fc.double({ min: -6, max: 6, noNaN: true }),
        radiusKm: fc.double({ min: 0, max: 500, noNaN: true }),
      })
      .map(({ center, dLat, dLon, radiusKm }) => {
        const lat = Math.max(-90, Math.min(90, center.lat + dLat));
        let lon = center.lon + dLon;
        if (lon > 180) lon -= 360;
        if (lon < -180) lon += 360;
        return { center, p: { lat, lon }, radiusKm };
      });
    fc.assert(
      fc.property(nearby, ({ center, p, radiusKm }) => {
        fc.pre(distanceKm(center, p) <= radiusKm);
        expect(isInBoundingBox(boundingBox(center, radiusKm), p)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('wraps across the antimeridian and covers all longitudes near a pole', () => {
    const fiji = boundingBox({ lat: -17.7, lon: 179.9 }, 50);
    expect(fiji.minLon).toBeGreaterThan(fiji.maxLon);
    expect(isInBoundingBox(fiji, { lat: -17.7, lon: -179.9 })).toBe(true);
    expect(isInBoundingBox(fiji, { lat: -17.7, lon: 0 })).toBe(false);
    const pole = boundingBox({ lat: 89.9, lon: 0 }, 50);
    expect(pole).toMatchObject({ maxLat: 90, minLon: -180, maxLon: 180 });
    expect(() => boundingBox(PARIS, -1)).toThrow(RangeError);
  });
});
