/**
 * BanGeocoder against RECORDED BAN responses (tests/directory/fixtures/ban/*.json) served by a real HTTP server
 * on 127.0.0.1: no network access beyond loopback.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BanGeocoder } from '../../src/modules/directory/infrastructure/geocoding/ban-geocoder.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/ban/${name}`, import.meta.url), 'utf8');

/** What the fake BAN answers, chosen by the test through the `q` parameter. */
const routes: Record<string, { status?: number; body?: string; delayMs?: number; contentType?: string }> = {
  'Rue de la République': { body: fixture('housenumber.json') },
  "Rue d'Alsace-Lorraine": { body: fixture('street.json') },
  'Allée des Licornes': { body: fixture('empty.json') },
  'Impasse Lilou': { body: fixture('low-score.json') },
  'Rue Tronquée': { body: fixture('malformed.json') },
  'Rue Lente': { body: fixture('empty.json'), delayMs: 2_000 },
  'Rue en Panne': { status: 503, body: '<html>Service Unavailable</html>', contentType: 'text/html' },
  'Rue Bizarre': { body: '{"type":"Feature","features":"nope"}' },
};

let server: Server;
let baseUrl: string;
const requests: URL[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    const q = url.searchParams.get('q') ?? '';
    const route = url.pathname === '/search/' ? Object.entries(routes).find(([needle]) => q.includes(needle))?.[1] : undefined;
    const answer = route ?? { status: 404, body: '{"code":404,"message":"Not found"}' };
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json; charset=utf-8' });
      res.end(answer.body ?? '');
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests.length = 0;
});

const geocoder = () => new BanGeocoder({ baseUrl, timeoutMs: 500 });

describe('BanGeocoder (recorded BAN responses, loopback server)', () => {
  it('returns the best house-number match, with [lon, lat] read as a GeoPoint', async () => {
    const result = await geocoder().geocode({ streetnumber: '61', streetname: 'Rue de la République', city: 'Lyon', postcode: '69003', inseecode: '69383' });
    expect(result).toEqual({
      ok: true,
      value: {
        point: { lat: 45.759939, lon: 4.846557 },
        precision: 'housenumber',
        label: '61 Rue de la République 69003 Lyon',
        score: 0.9621345454545454,
        citycode: '69383',
        postcode: '69003',
      },
    });
    const sent = requests[0]!;
    expect(sent.pathname).toBe('/search/');
    expect(sent.searchParams.get('q')).toBe('61 Rue de la République 69003 Lyon');
    expect(sent.searchParams.get('citycode')).toBe('69383');
    expect(sent.searchParams.get('limit')).toBe('5');
    expect(sent.searchParams.has('type')).toBe(false);
  });

  it('keeps digits only in the street number (LRM rule) and never filters on a PLM city code', async () => {
    await geocoder().geocode({ streetnumber: '61 bis', streetname: 'Rue de la République', city: 'Lyon', postcode: '69003', inseecode: '69123' });
    expect(requests[0]!.searchParams.get('q')).toBe('61 Rue de la République 69003 Lyon');
    // Lyon's own code would match nothing: the BAN files Lyon under 6938x; the postcode filters instead
    expect(requests[0]!.searchParams.has('citycode')).toBe(false);
    expect(requests[0]!.searchParams.get('postcode')).toBe('69003');
  });

  it('returns a street-level match when the number is unknown', async () => {
    const result = await geocoder().geocode({ streetnumber: '999', streetname: "Rue d'Alsace-Lorraine", city: 'Toulouse', postcode: '31000', inseecode: '31555' });
    expect(result.ok && result.value).toMatchObject({ precision: 'street', point: { lat: 43.604652, lon: 1.441773 }, label: "Rue d'Alsace-Lorraine 31000 Toulouse" });
  });

  it('returns null (not an error) for an empty result and for matches under the score threshold', async () => {
    expect(await geocoder().geocode({ streetnumber: '12', streetname: 'Allée des Licornes Imaginaires', city: 'Saint-Étienne', postcode: '42000', inseecode: '42218' })).toEqual({ ok: true, value: null });
    expect(await geocoder().geocode({ streetnumber: '3', streetname: 'Impasse Lilou', city: 'Saint-Étienne', postcode: '42000' })).toEqual({ ok: true, value: null });
    // with a lower threshold the same answer is accepted
    const lenient = new BanGeocoder({ baseUrl, timeoutMs: 500, minScore: 0.3 });
    const result = await lenient.geocode({ streetnumber: '3', streetname: 'Impasse Lilou', city: 'Saint-Étienne', postcode: '42000' });
    expect(result.ok && result.value?.precision).toBe('street');
  });

  it('turns a truncated body into a parse error', async () => {
    const result = await geocoder().geocode({ streetnumber: '1', streetname: 'Rue Tronquée', city: 'Paris', postcode: '75015', inseecode: '75115' });
    expect(result).toEqual({ ok: false, error: { kind: 'parse', message: expect.any(String) } });
  });

  it('turns JSON that is not a FeatureCollection into a parse error', async () => {
    const result = await geocoder().geocode({ streetnumber: '1', streetname: 'Rue Bizarre', city: 'Paris' });
    expect(result.ok ? null : result.error.kind).toBe('parse');
  });

  it('turns an HTTP error into an http error with its status', async () => {
    const result = await geocoder().geocode({ streetnumber: '1', streetname: 'Rue en Panne', city: 'Paris' });
    expect(result).toEqual({ ok: false, error: { kind: 'http', status: 503, message: 'BAN answered HTTP 503' } });
  });

  it('gives up after the timeout', async () => {
    const started = performance.now();
    const result = await new BanGeocoder({ baseUrl, timeoutMs: 150 }).geocode({ streetnumber: '1', streetname: 'Rue Lente', city: 'Paris' });
    expect(result.ok ? null : result.error.kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('turns a refused connection into a network error', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await new BanGeocoder({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 500 }).geocode({ streetnumber: '1', streetname: 'Rue de la République', city: 'Lyon' });
    expect(result.ok ? null : result.error.kind).toBe('network');
  });

  it('never throws, even when the injected fetch does', async () => {
    const throwing = new BanGeocoder({ baseUrl, timeoutMs: 500, fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(throwing.geocode({ streetname: 'Rue de la République', city: 'Lyon' })).resolves.toMatchObject({ ok: false, error: { kind: 'network' } });
  });

  it('keeps the address out of error results (privacy rule)', async () => {
    const results = await Promise.all([
      geocoder().geocode({ streetnumber: '1', streetname: 'Rue Tronquée', city: 'Paris' }),
      geocoder().geocode({ streetnumber: '1', streetname: 'Rue en Panne', city: 'Paris' }),
      new BanGeocoder({ baseUrl, timeoutMs: 100 }).geocode({ streetnumber: '1', streetname: 'Rue Lente', city: 'Paris' }),
    ]);
    for (const result of results) {
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toMatch(/Rue|Paris/);
    }
  });

  it('asks for a municipality when there is no street, and refuses an address without street nor city', async () => {
    await geocoder().geocode({ city: 'Allée des Licornes', postcode: '42000' });
    expect(requests[0]!.searchParams.get('type')).toBe('municipality');
    expect(requests[0]!.searchParams.get('q')).toBe('42000 Allée des Licornes');
    const result = await geocoder().geocode({ streetnumber: '12' });
    expect(result.ok ? null : result.error.kind).toBe('invalid-query');
    expect(requests).toHaveLength(1);
  });
});
