/**
 * GET /sas/recherche — the LRM contextual search entry (INT_L01) against the real platform, with real logins
 * through the development provider and a fake Base Adresse Nationale on loopback: origin check ("flux
 * disabled" page), address resolution (INSEE code, arrondissements, city, BAN street precision, commune centre
 * fall-back), home page for an address that cannot be placed, specialty → filière, médecin traitant → RPPS or the
 * "not identified" notice, login round trip, garbage input, and the privacy rule: the patient's address is in no
 * log, no redirect and no stored login state.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared-kernel/config/config.ts';
import { createLogger } from '../../src/shared-kernel/logging/logger.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { Browser, formOf, loginAs, type LoggedIn } from '../support/http-browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const banFixture = readFileSync(new URL('./fixtures/ban/housenumber.json', import.meta.url), 'utf8');
const emptyBan = readFileSync(new URL('./fixtures/ban/empty.json', import.meta.url), 'utf8');

/** The demo effecteur's RPPS (valid Luhn key) as the LRM sends it. */
const MT_RPPS = '10000000009';
const MT_URN = `urn:oid:1.2.250.1.71.4.2.1|8${MT_RPPS}`;
const SM54 = 'urn:oid:1.2.250.1.213.2.28|SM54';

/** Address parts used below: none of them may show up in a log, a redirect or the database. */
const STREET = 'Rue de la République';
const BROKEN_STREET = 'Rue en Panne Zéphyrine';
const QUIET_STREET = 'Impasse des Glycines Oubliées';
const CITY_BY_NAME = 'Villefranche-de-Lauragais';
const PRIVATE = [STREET, 'République', encodeURIComponent(STREET), BROKEN_STREET, 'Zéphyrine', 'Zephyrine', QUIET_STREET, 'Glycines', CITY_BY_NAME, 'Lauragais'];

describe.skipIf(!testDatabaseUrl)('LRM contextual search entry (/sas/recherche)', () => {
  let t: TestPlatform;
  let regulator: LoggedIn;
  let ban: Server;
  const banQueries: string[] = [];
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });

  const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
  async function entry(params: Record<string, string> | string, as: LoggedIn = regulator) {
    const response = await as.api(`/sas/recherche?${typeof params === 'string' ? params : query(params)}`);
    const location = response.headers.get('location');
    const body = await response.text();
    return { status: response.status, location, url: location ? new URL(location, t.url) : null, body };
  }

  beforeAll(async () => {
    ban = createServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('q') ?? '';
      banQueries.push(q);
      if (q.includes('Panne')) {
        res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(q.includes('République') ? banFixture : emptyBan);
    });
    await new Promise<void>((resolve) => ban.listen(0, '127.0.0.1', resolve));
    t = await startTestPlatform({
      env: { DEMO_DATA: 'true', BAN_URL: `http://127.0.0.1:${(ban.address() as AddressInfo).port}` },
      logger: createLogger({ level: 'trace', destination: sink }),
    });
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
  });
  afterAll(async () => {
    await t?.stop();
    ban?.closeAllConnections();
    await new Promise<void>((resolve) => (ban ? ban.close(() => resolve()) : resolve()));
  });

  it('valid origin, médecin traitant and specialty URNs, street address: the search page at the BAN point, rounded', async () => {
    banQueries.length = 0;
    const r = await entry({ origin: 'samu-lrm-test1-authority', practitioner: MT_URN, specialty: SM54, streetnumber: '61 bis', streetname: STREET, city: 'Lyon', inseecode: '69383' });
    expect(r.status).toBe(303);
    expect(r.url!.pathname).toBe('/recherche');
    expect(Object.fromEntries(r.url!.searchParams)).toEqual({
      lrm: '1',
      lat: '45.760', // BAN 45.759939
      lon: '4.847', // BAN 4.846557
      radiusKm: expect.stringMatching(/^\d+(\.\d+)?$/),
      inseecode: '69383',
      filiere: 'medecine-generale',
      practitioner: MT_RPPS,
    });
    // The street went to the BAN (digits only for the number), and nowhere else.
    expect(banQueries).toHaveLength(1);
    expect(banQueries[0]).toContain(`61 ${STREET}`);
  });

  it('places the patient by INSEE code (arrondissements included) or by city, at the commune centre without a street', async () => {
    const at = async (params: Record<string, string>) => {
      const r = await entry({ origin: 'TEST-SAMU000', ...params });
      expect(r.status, r.body).toBe(303);
      return Object.fromEntries(r.url!.searchParams);
    };
    expect(await at({ inseecode: '75115' })).toMatchObject({ lat: '48.859', lon: '2.347', inseecode: '75115', filiere: 'medecine-generale' });
    expect(await at({ inseecode: '13201' })).toMatchObject({ inseecode: '13201' });
    expect(await at({ inseecode: '2A004' })).toMatchObject({ lat: '41.923', lon: '8.706', inseecode: '2A004' });
    expect(await at({ city: 'toulouse' })).toMatchObject({ lat: '43.601', lon: '1.433', inseecode: '31555' });
    expect(await at({ city: CITY_BY_NAME })).toMatchObject({ inseecode: '31582' });
    // A street the BAN does not know, or a BAN that fails: the commune centre.
    expect(await at({ inseecode: '31555', streetname: QUIET_STREET })).toMatchObject({ lat: '43.601', lon: '1.433' });
    expect(await at({ inseecode: '31555', streetnumber: '3', streetname: BROKEN_STREET })).toMatchObject({ lat: '43.601', lon: '1.433' });
    expect(logs).toContain('BAN geocoding failed: commune centre used');
  });

  it('unknown or empty origin: the "flux disabled" page, without results', async () => {
    for (const origin of ['samu-inconnu', '', 'test-samu000']) {
      const r = await entry({ origin, practitioner: MT_URN, inseecode: '31555', streetname: QUIET_STREET });
      expect(r.status, origin).toBe(403);
      expect(r.location).toBeNull();
      expect(r.body).toContain('Le flux LRM vers la plateforme SAS est désactivé');
      expect(r.body).toMatch(/Contactez le support/);
      expect(r.body).toContain('data-lrm-error="flux-desactive"');
      expect(r.body).not.toContain('/recherche?');
      expect(r.body).not.toContain('Glycines');
    }
    // Surrounding spaces are trimmed; the lower-case spelling above is another authority.
    expect((await entry({ origin: ' TEST-SAMU000 ', inseecode: '31555' })).status).toBe(303);
    expect((await entry({ origin: 'samu-<script>', inseecode: '31555' })).body).toContain('samu-&lt;script&gt;');
  });

  it('no address, a bad INSEE code, an unknown city or a number without street: the home page with a message', async () => {
    const cases: Record<string, string>[] = [
      {},
      { inseecode: '99999' },
      { inseecode: 'abc' },
      { inseecode: '99999', city: 'Toulouse' },
      { city: 'Zzyzx-sur-Rien' },
      { city: 'Saint-Denis' }, // four communes of that name and no INSEE code: not guessed
      { inseecode: '69383', streetnumber: '61' },
      { streetname: STREET },
      { streetnumber: '12', streetname: '   ', city: 'Lyon' },
    ];
    for (const params of cases) {
      const r = await entry({ origin: 'samu-lrm-test1-authority', practitioner: MT_URN, ...params });
      expect(r.status, JSON.stringify(params)).toBe(303);
      expect(r.location, JSON.stringify(params)).toBe('/?message=adresse-introuvable');
    }
  });

  it('maps the specialty to its filière; unknown or empty: médecine générale', async () => {
    const filiereOf = async (specialty: string | null) => {
      const r = await entry({ origin: 'TEST-SAMU000', inseecode: '31555', ...(specialty === null ? {} : { specialty }) });
      expect(r.status).toBe(303);
      return { filiere: r.url!.searchParams.get('filiere'), specialty: r.url!.searchParams.get('specialty') };
    };
    expect(await filiereOf(SM54)).toEqual({ filiere: 'medecine-generale', specialty: null });
    expect(await filiereOf('urn:oid:1.2.250.1.213.2.28|SM43')).toEqual({ filiere: 'psychiatrie', specialty: 'SM43' });
    expect(await filiereOf('urn:oid:1.2.250.1.71.1.2.7|40')).toEqual({ filiere: 'chirurgiens-dentistes', specialty: null });
    expect(await filiereOf('urn:oid:1.2.250.1.71.1.2.7|50')).toEqual({ filiere: 'sages-femmes', specialty: null });
    expect(await filiereOf('Sages-femmes')).toEqual({ filiere: 'sages-femmes', specialty: null });
    for (const unknown of [null, '', 'urn:oid:1.2.250.1.213.2.28|SM99', 'urn:oid:1.2.250.1.213.2.28', 'urn:oid:9.9|SM43', 'Cardiologie', 'x'.repeat(500)]) {
      expect(await filiereOf(unknown), String(unknown)).toEqual({ filiere: 'medecine-generale', specialty: null });
    }
  });

  it('a médecin traitant in another form, or with a wrong RPPS key: the "not identified" notice; none: nothing', async () => {
    const mtOf = async (practitioner: string | null) => {
      const r = await entry({ origin: 'TEST-SAMU000', inseecode: '31555', ...(practitioner === null ? {} : { practitioner }) });
      expect(r.status).toBe(303);
      return { practitioner: r.url!.searchParams.get('practitioner'), mt: r.url!.searchParams.get('mt') };
    };
    expect(await mtOf(MT_URN)).toEqual({ practitioner: MT_RPPS, mt: null });
    expect(await mtOf(` ${MT_URN} `)).toEqual({ practitioner: MT_RPPS, mt: null });
    for (const bad of [
      'urn:oid:1.2.250.1.71.4.2.1|810000000000', // wrong Luhn key
      'urn:oid:1.2.250.1.71.4.2.2|810000000009', // IDNST, not IDNPS
      'urn:oid:1.2.250.1.71.4.2.1|010000000009', // ADELI prefix
      'urn:oid:1.2.250.1.71.4.2.1|81000000000', // 10 digits
      'urn:oid:1.2.250.1.71.4.2.1:810000000009',
      '10000000009', // unprefixed number
      '810000000009',
      'Dr Claire Dubois', // a name
    ]) {
      expect(await mtOf(bad), bad).toEqual({ practitioner: null, mt: 'non-identifie' });
    }
    expect(await mtOf(null)).toEqual({ practitioner: null, mt: null });
    expect(await mtOf('')).toEqual({ practitioner: null, mt: null });
  });

  it('without origin: the ordinary search page (no LRM mode), without the address', async () => {
    const r = await entry({ practitioner: MT_URN, specialty: 'urn:oid:1.2.250.1.71.1.2.7|40', streetname: QUIET_STREET, city: 'Toulouse' });
    expect(r.status).toBe(303);
    expect(r.url!.pathname).toBe('/recherche');
    expect(r.url!.searchParams.get('lrm')).toBeNull();
    expect(Object.fromEntries(r.url!.searchParams)).toMatchObject({ inseecode: '31555', filiere: 'chirurgiens-dentistes', practitioner: MT_RPPS });
    expect(r.location).not.toMatch(/Toulouse|Glycines/);
  });

  it('not logged in: the normal login, then back to the same search — the address never stored on the way', async () => {
    const browser = new Browser();
    const url = `${t.url}/sas/recherche?${query({ origin: 'samu-lrm-test1-authority', practitioner: MT_URN, specialty: SM54, streetnumber: '61', streetname: STREET, city: 'Lyon', inseecode: '69383' })}`;
    const first = await browser.request(url);
    expect(first.status).toBe(303);
    const toLogin = new URL(first.headers.get('location')!, t.url);
    expect(toLogin.pathname).toBe('/auth/login');
    const returnTo = toLogin.searchParams.get('returnTo')!;
    expect(returnTo.startsWith('/sas/recherche?')).toBe(true);
    expect(Object.fromEntries(new URL(returnTo, t.url).searchParams)).toEqual({ origin: 'samu-lrm-test1-authority', specialty: SM54, practitioner: MT_URN, inseecode: '69383', lat: '45.760', lon: '4.847' });

    const atProvider = await browser.follow(toLogin, `${t.url}/never`);
    expect(atProvider.url.pathname.startsWith('/dev-idp/')).toBe(true);
    const { rows } = await t.platform.readDb.query<{ return_to: string }>(`SELECT return_to FROM identity_pending_logins`);
    expect(rows.map((r) => r.return_to)).toContain(returnTo);
    for (const row of rows) for (const value of PRIVATE) expect(row.return_to).not.toContain(value);

    const { action, fields } = formOf(await atProvider.response!.text());
    fields.set('nationalId', demoIdentityByRole('ioa').nationalId);
    const done = await browser.follow(new URL(action, atProvider.url), (u) => u.pathname === '/recherche' || u.pathname === '/', { method: 'POST', body: fields });
    expect(done.url.pathname).toBe('/recherche');
    expect(Object.fromEntries(done.url.searchParams)).toMatchObject({ lrm: '1', lat: '45.760', lon: '4.847', inseecode: '69383', filiere: 'medecine-generale', practitioner: MT_RPPS });
  });

  it('not logged in with an unknown origin or no address: the same outcome after the login', async () => {
    for (const [params, expected] of [
      [{ origin: 'samu-inconnu', streetname: STREET, inseecode: '69383' }, 403],
      [{ origin: 'TEST-SAMU000', streetnumber: '61', inseecode: '69383' }, '/?message=adresse-introuvable'],
      [{ origin: 'TEST-SAMU000', practitioner: 'Dr Dubois', inseecode: '31555' }, 'non-identifie'],
      [{ origin: 'é'.repeat(100), practitioner: 'x'.repeat(100), specialty: 'é'.repeat(100), streetname: STREET, city: CITY_BY_NAME }, 403],
    ] as const) {
      const browser = new Browser();
      const first = await browser.request(`${t.url}/sas/recherche?${query(params)}`);
      const toLogin = new URL(first.headers.get('location')!, t.url);
      const returnTo = toLogin.searchParams.get('returnTo')!;
      for (const value of PRIVATE) expect(returnTo).not.toContain(value);
      // The login accepts the return path (at most 500 characters).
      const login = await browser.request(toLogin);
      expect(login.status, returnTo).toBe(302);
      // Back from the login, the logged-in regulator gets what the original URL gives.
      const r = await entry(returnTo.slice('/sas/recherche?'.length));
      if (expected === 403) expect(r.status).toBe(403);
      else if (expected === 'non-identifie') expect(r.url!.searchParams.get('mt')).toBe('non-identifie');
      else expect(r.location).toBe(expected);
    }
  });

  it('a logged-in user without a regulation role: an HTML "access refused" page', async () => {
    const effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    const r = await entry({ origin: 'TEST-SAMU000', inseecode: '31555' }, effecteur);
    expect(r.status).toBe(403);
    expect(r.body).toContain('<html lang="fr">');
    expect(r.body).toContain('Accès refusé');
  });

  it('never answers 500 on garbage', async () => {
    const long = 'x'.repeat(5_000);
    const garbage = [
      query({ origin: long }),
      query({ origin: 'TEST-SAMU000', streetname: long, inseecode: '31555' }),
      query({ origin: 'TEST-SAMU000', city: long }),
      query({ origin: 'TEST-SAMU000', inseecode: long }),
      query({ origin: 'TEST-SAMU000', practitioner: long, inseecode: '31555' }),
      query({ origin: 'TEST-SAMU000', inseecode: '31555', lat: 'NaN', lon: '1e400' }),
      query({ origin: 'TEST-SAMU000', lat: '91', lon: '2' }),
      'origin=TEST-SAMU000&origin=samu-lrm-test1-authority&inseecode=31555',
      'origin=TEST-SAMU000&inseecode=31555&inseecode=75115',
      'origin=TEST-SAMU000&inseecode=%E0%A4%A&city=%ZZ',
      'origin=TEST-SAMU000&streetname=a%00b&inseecode=31555',
      'origin[]=x&inseecode[a]=1',
      'origin=TEST-SAMU000&inseecode=%2F..%2F..%2Fetc',
      '&&&==&',
    ];
    for (const q of garbage) {
      const r = await entry(q);
      expect(r.status, q).toBeLessThan(500);
      expect([303, 403], q).toContain(r.status);
    }
    // A point carried over the login is accepted on its own.
    const carried = await entry({ origin: 'TEST-SAMU000', lat: '43.6', lon: '1.43' });
    expect(Object.fromEntries(carried.url!.searchParams)).toMatchObject({ lat: '43.600', lon: '1.430' });
  });

  it('keeps the address out of the logs, while logging what happened', async () => {
    // Every request above was logged at trace level (requests, the LRM analytics line, the BAN failure).
    expect(logs).toMatch(/"msg":"lrm contextual search"/);
    expect(logs).toMatch(/"outcome":"search"/);
    expect(logs).toMatch(/"outcome":"flux-disabled"/);
    expect(logs).toMatch(/"outcome":"address-not-found"/);
    expect(logs).toMatch(/"msg":"request"/);
    for (const value of PRIVATE) expect(logs.includes(value), `"${value}" appears in the logs`).toBe(false);
    expect(logs).not.toMatch(/streetname=|streetnumber=|city=/);
  });

  it('reads LRM_ORIGINS (embedded default: the two test authorities; none: no LRM)', () => {
    expect(loadConfig({}).lrmOrigins).toEqual(['samu-lrm-test1-authority', 'TEST-SAMU000']);
    expect(loadConfig({ LRM_ORIGINS: ' fr.health.samu690 , TEST-SAMU000,' }).lrmOrigins).toEqual(['fr.health.samu690', 'TEST-SAMU000']);
    expect(loadConfig({ LRM_ORIGINS: 'none' }).lrmOrigins).toEqual([]);
    expect(() => loadConfig({ LRM_ORIGINS: 'bad origin' })).toThrow(/LRM_ORIGINS/);
    expect(loadConfig({}).banUrl).toBeUndefined();
  });
});
