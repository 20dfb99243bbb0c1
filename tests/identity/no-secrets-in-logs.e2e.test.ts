/**
 * Logs at debug level during logins (successful and refused), CSRF refusals, client registration and machine
 * authentication must contain none of the secrets involved: session and CSRF tokens, ID tokens, the OIDC
 * client secret, authorization codes, client secrets.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared-kernel/logging/logger.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { IDENTITY } from '../../src/modules/identity/identity.tokens.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { Browser, formOf, loginAs } from '../support/http-browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

describe.skipIf(!testDatabaseUrl)('no secret in the logs', () => {
  let t: TestPlatform;
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' }, logger: createLogger({ level: 'trace', destination: sink }) });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('logs what happened without any token or secret', async () => {
    const secrets: string[] = [];
    const admin = await loginAs(t.url, demoIdentityByRole('admin-national').nationalId);
    secrets.push(admin.browser.cookies.get('sas_session')!, admin.csrfToken);

    // A refused login (tampered nonce) logs the refusal.
    const browser = new Browser();
    const started = await browser.follow(`${t.url}/auth/login`, `${t.url}/never`);
    await t.platform.readDb.query(`UPDATE identity_pending_logins SET nonce = 'tampered'`);
    const { action, fields } = formOf(await started.response!.text());
    fields.set('nationalId', demoIdentityByRole('ioa').nationalId);
    const atCallback = await browser.follow(new URL(action, started.url), `${t.url}/auth/callback`, { method: 'POST', body: fields });
    secrets.push(atCallback.url.searchParams.get('code')!);
    expect((await browser.request(atCallback.url)).status).toBe(400);

    // A CSRF refusal, a client registration and machine calls with good and bad secrets.
    expect((await admin.api('/api/identity/clients', { method: 'POST', csrf: false, json: { clientId: 'x-vendor', kind: 'vendor', name: 'X' } })).status).toBe(403);
    const registered = await admin.api('/api/identity/clients', { method: 'POST', json: { clientId: 'log-vendor', kind: 'vendor', name: 'Log' } });
    const { secret } = (await registered.json()) as { secret: string };
    secrets.push(secret);
    const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(`log-vendor:${s}`).toString('base64')}` });
    expect((await fetch(`${t.url}/api/identity/clients/me`, { headers: basic(secret) })).status).toBe(200);
    expect((await fetch(`${t.url}/api/identity/clients/me`, { headers: basic('wrong-secret-value') })).status).toBe(401);

    // The session's ID token and the platform's own client secret at the provider.
    const { rows } = await t.platform.readDb.query<{ id_token: string }>(`SELECT id_token FROM identity_sessions LIMIT 1`);
    secrets.push(rows[0]!.id_token, t.platform.containers.get('identity')!.get(IDENTITY.deps).oidcClientSecret);

    expect(logs).toMatch(/"msg":"login"/);
    expect(logs).toMatch(/Pro Santé Connect login refused/);
    for (const value of secrets) {
      expect(value.length).toBeGreaterThan(10);
      expect(logs.includes(value), `a secret (${value.slice(0, 6)}…) appears in the logs`).toBe(false);
    }
  });
});
