/**
 * Pro Santé Connect login against the real platform and its development provider, over HTTP: sessions,
 * refusals (forged or expired session, replayed state, wrong nonce, missing CSRF token, deactivated account),
 * first logins (an effecteur's account is created; a regulator links to the account made for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared-kernel/time/clock.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { Browser, formOf, loginAs } from '../support/http-browser.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const id = (role: Parameters<typeof demoIdentityByRole>[0]) => demoIdentityByRole(role).nationalId;

describe.skipIf(!testDatabaseUrl)('login with Pro Santé Connect (development provider)', () => {
  let t: TestPlatform;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' }, clock: () => clock.now() });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('logs a demo regulator in with code + PKCE, then out here and at the provider', async () => {
    const regulator = await loginAs(t.url, id('regulateur-osnp'));
    expect(regulator.me).toMatchObject({ status: 'active', roles: [{ role: 'regulateur-osnp', territories: ['31'] }] });
    const cookie = regulator.browser.cookies.get('sas_session');
    expect(cookie).toBeTruthy();

    const logout = await regulator.api('/auth/logout', { method: 'POST' });
    expect(logout.status).toBe(200);
    const { redirectTo } = (await logout.json()) as { redirectTo: string };
    expect(redirectTo).toContain('/dev-idp/');
    expect(redirectTo).toContain('id_token_hint=');
    expect((await regulator.api('/api/me')).status).toBe(401);

    // The provider asks to confirm the logout, then returns to the platform.
    const confirmation = await regulator.browser.follow(redirectTo, `${t.url}/never`);
    const { action, fields } = formOf(await confirmation.response!.text());
    fields.set('logout', 'yes'); // the "Se déconnecter" button
    const back = await regulator.browser.follow(new URL(action, confirmation.url), `${t.url}/?deconnecte=1`, { method: 'POST', body: fields });
    expect(back.url.href).toBe(`${t.url}/?deconnecte=1`);
    // The provider session is gone too: a new login shows its login page again.
    const again = await regulator.browser.follow(`${t.url}/auth/login`, `${t.url}/never`);
    expect(again.url.pathname).toMatch(/^\/dev-idp\/interaction\//);
  });

  it('creates an effecteur account at its first login', async () => {
    const newcomer = await loginAs(t.url, id('nouvel-effecteur'));
    expect(newcomer.me.status).toBe('active');
    expect(newcomer.me.roles).toEqual([{ role: 'effecteur', territories: [] }]);
    const again = await loginAs(t.url, id('nouvel-effecteur'));
    expect(again.me.accountId).toBe(newcomer.me.accountId);
  });

  it('links a first regulator login to the account its gestionnaire created', async () => {
    const osnp = await loginAs(t.url, id('nouvelle-osnp'));
    expect(osnp.me).toMatchObject({ status: 'link-required', accountId: null, roles: [] });
    expect((await osnp.api('/api/availability/slots')).status).toBe(403);
    const wrong = await osnp.api('/api/identity/link', { method: 'POST', json: { givenName: 'A', familyName: 'B', email: 'inconnue@demo.sas.invalid' } });
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ code: 'NoPendingAccountForEmail' });
    const identity = demoIdentityByRole('nouvelle-osnp');
    await eventually(async () => {
      const accounts = await t.platform.readDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM identity_accounts WHERE email = $1`, [identity.email]);
      return accounts.rows[0]?.n === 1;
    });
    const linked = await osnp.api('/api/identity/link', { method: 'POST', json: { givenName: identity.givenName, familyName: identity.familyName, email: identity.email } });
    expect(linked.status).toBe(200);
    const me = (await (await osnp.api('/api/me')).json()) as { status: string; roles: unknown[] };
    expect(me).toMatchObject({ status: 'active', roles: [{ role: 'regulateur-osnp', territories: ['31'] }] });
    expect((await osnp.api('/api/availability/slots')).status).toBe(200);
  });

  it('refuses a forged session cookie', async () => {
    const browser = new Browser();
    browser.cookies.set('sas_session', 'forged-'.padEnd(43, 'x'));
    expect((await browser.request(`${t.url}/api/me`)).status).toBe(401);
  });

  it('refuses a state-changing request without the CSRF token, or with another session’s', async () => {
    const effecteur = await loginAs(t.url, id('effecteur'));
    const other = await loginAs(t.url, id('delegataire'));
    const body = { effecteurId: '10000000009', start: new Date(clock.now().getTime() + 7_200_000).toISOString(), end: new Date(clock.now().getTime() + 9_000_000).toISOString() };
    const headBefore = await t.platform.eventStore.headPosition();
    const missing = await effecteur.api('/api/availability/slots', { method: 'POST', json: body, csrf: false });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ code: 'CsrfTokenInvalid' });
    const cookie = [...effecteur.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const foreign = await fetch(`${t.url}/api/availability/slots`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': other.csrfToken }, body: JSON.stringify(body) });
    expect(foreign.status).toBe(403);
    expect(await t.platform.eventStore.headPosition()).toBe(headBefore);
    expect((await effecteur.api('/api/availability/slots', { method: 'POST', json: body })).status).toBe(201);
  });

  it('accepts a callback once, from the browser that started the login, and refuses a replay', async () => {
    const browser = new Browser();
    const started = await browser.follow(`${t.url}/auth/login`, `${t.url}/never`);
    const { action, fields } = formOf(await started.response!.text());
    fields.set('nationalId', id('ioa'));
    const atCallback = await browser.follow(new URL(action, started.url), `${t.url}/auth/callback`, { method: 'POST', body: fields });
    // Another browser (without the login cookie) presenting the same callback is refused…
    expect((await new Browser().request(atCallback.url)).status).toBe(400);
    // …and the right one gets in, once.
    const first = await browser.request(atCallback.url);
    expect(first.status).toBe(302);
    const replay = await browser.request(atCallback.url);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ code: 'LoginStateInvalid' });
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    const browser = new Browser();
    const started = await browser.follow(`${t.url}/auth/login`, `${t.url}/never`);
    // Tamper with the nonce the platform expects, as if the token had been minted for another request.
    await t.platform.readDb.query(`UPDATE identity_pending_logins SET nonce = 'not-the-nonce-that-was-sent'`);
    const { action, fields } = formOf(await started.response!.text());
    fields.set('nationalId', id('ioa'));
    const atCallback = await browser.follow(new URL(action, started.url), `${t.url}/auth/callback`, { method: 'POST', body: fields });
    const response = await browser.request(atCallback.url);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'LoginFailed' });
    expect(browser.cookies.has('sas_session')).toBe(false);
  });

  it('ends a session that was idle too long', async () => {
    const auditor = await loginAs(t.url, id('auditeur'));
    expect((await auditor.api('/api/me')).status).toBe(200);
    clock.advance(31 * 60_000);
    expect((await auditor.api('/api/me')).status).toBe(401);
  });

  it('ends the sessions of an account deactivated mid-session', async () => {
    const ioa = await loginAs(t.url, id('ioa'));
    expect((await ioa.api('/api/availability/slots')).status).toBe(200);
    const admin = await loginAs(t.url, id('admin-national'));
    const deactivated = await admin.api(`/api/identity/accounts/${ioa.me.accountId}/deactivate`, { method: 'POST' });
    expect(deactivated.status).toBe(204);
    expect((await ioa.api('/api/availability/slots')).status).toBe(401);
    // And it cannot log in again.
    await expect(loginAs(t.url, id('ioa'))).rejects.toThrow(/403/);
  });
});
