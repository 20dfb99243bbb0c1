/**
 * Machine clients (booking vendors, LRM systems): per-client secrets (development, integration) and TLS client
 * certificates (production mTLS), each with its own identity; rotation and revocation take effect at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientStreamName } from '../../src/modules/identity/contracts/identity.events.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { IDENTITY } from '../../src/modules/identity/identity.tokens.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

describe.skipIf(!testDatabaseUrl)('machine clients with secrets', () => {
  let t: TestPlatform;
  let admin: LoggedIn;
  const whoami = (authorization: string) => fetch(`${t.url}/api/identity/clients/me`, { headers: { authorization } });

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    admin = await loginAs(t.url, demoIdentityByRole('admin-national').nationalId);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('registers a vendor, authenticates it, rotates and revokes its secret at once', async () => {
    const registered = await admin.api('/api/identity/clients', { method: 'POST', json: { clientId: 'editeur-agenda', kind: 'vendor', name: 'Éditeur d’agenda' } });
    expect(registered.status).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await whoami(basic('editeur-agenda', secret));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ clientId: 'editeur-agenda', kind: 'vendor', name: 'Éditeur d’agenda' });
    expect((await whoami(basic('editeur-agenda', `${secret}x`))).status).toBe(401);
    expect((await whoami(basic('editeur-inconnu', secret))).status).toBe(401);
    expect((await whoami('Basic !!!')).status).toBe(401);

    // A machine is not a person: it gets no user route.
    expect((await fetch(`${t.url}/api/me`, { headers: { authorization: basic('editeur-agenda', secret) } })).status).toBe(403);
    expect((await fetch(`${t.url}/api/identity/accounts`, { headers: { authorization: basic('editeur-agenda', secret) } })).status).toBe(403);

    const rotated = await admin.api('/api/identity/clients/editeur-agenda/rotate-secret', { method: 'POST' });
    const { secret: next } = (await rotated.json()) as { secret: string };
    expect((await whoami(basic('editeur-agenda', secret))).status).toBe(401);
    expect((await whoami(basic('editeur-agenda', next))).status).toBe(200);

    expect((await admin.api('/api/identity/clients/editeur-agenda/revoke', { method: 'POST' })).status).toBe(204);
    expect((await whoami(basic('editeur-agenda', next))).status).toBe(401);

    // The audit trail: who registered, rotated and revoked the client, and never the secret itself.
    const history = await t.platform.eventStore.readStream(clientStreamName('editeur-agenda'));
    expect(history.map((e) => e.type)).toEqual(['ClientRegistered', 'ClientSecretRotated', 'ClientRevoked']);
    expect(history.every((e) => e.metadata.actor.accountId === admin.me.accountId)).toBe(true);
    expect(JSON.stringify(history)).not.toContain(secret);
    expect(JSON.stringify(history)).not.toContain(next);
  });

  it('refuses bad registrations and unknown clients', async () => {
    expect((await admin.api('/api/identity/clients', { method: 'POST', json: { clientId: 'Bad Id', kind: 'vendor', name: 'x' } })).status).toBe(400);
    expect((await admin.api('/api/identity/clients', { method: 'POST', json: { clientId: 'lrm-x', kind: 'printer', name: 'x' } })).status).toBe(400);
    expect((await admin.api('/api/identity/clients/nobody-here/revoke', { method: 'POST' })).status).toBe(404);
    const first = await admin.api('/api/identity/clients', { method: 'POST', json: { clientId: 'lrm-twice', kind: 'lrm', name: 'LRM' } });
    expect(first.status).toBe(201);
    expect((await admin.api('/api/identity/clients', { method: 'POST', json: { clientId: 'lrm-twice', kind: 'lrm', name: 'LRM' } })).status).toBe(409);
  });
});

/** A throwaway PKI made with the openssl command line. */
function makePki(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2');
  const signed = (name: string, subject: string, caName: string, ext?: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    const extArgs: string[] = [];
    if (ext) {
      writeFileSync(join(dir, `${name}.ext`), ext);
      extArgs.push('-extfile', `${name}.ext`);
    }
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...extArgs);
  };
  ca('clients-ca');
  ca('other-ca');
  signed('server', '/CN=127.0.0.1', 'clients-ca', 'subjectAltName=IP:127.0.0.1\n');
  signed('lrm', '/OU=SAS-LRM/CN=lrm-samu31', 'clients-ca');
  signed('wrong-ou', '/OU=AUTRE/CN=lrm-samu31', 'clients-ca');
  signed('foreign', '/OU=SAS-LRM/CN=lrm-samu31', 'other-ca');
  const read = (file: string) => readFileSync(join(dir, file));
  return { read, file: (name: string) => join(dir, name) };
}

const opensslAvailable = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!testDatabaseUrl || !opensslAvailable)('machine clients with TLS client certificates (mTLS)', () => {
  let t: TestPlatform;
  const dir = mkdtempSync(join(tmpdir(), 'sas-pki-'));
  const pki = makePki(dir);

  function call(path: string, client?: 'lrm' | 'wrong-ou' | 'foreign'): Promise<{ status: number; body: string }> {
    const url = new URL(path, t.url);
    return new Promise((resolve, reject) => {
      const req = request(
        { hostname: url.hostname, port: url.port, path: url.pathname, ca: pki.read('clients-ca.crt'), ...(client ? { cert: pki.read(`${client}.crt`), key: pki.read(`${client}.key`) } : {}) },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    t = await startTestPlatform({
      env: { TLS_CERT_FILE: pki.file('server.crt'), TLS_KEY_FILE: pki.file('server.key'), TLS_CLIENT_CA_FILE: pki.file('clients-ca.crt'), CLIENT_CERT_OU: 'SAS-LRM' },
    });
    const deps = t.platform.containers.get('identity')!.get(IDENTITY.deps);
    const ctx = { actor: { accountId: 'test-admin', role: 'admin-national' }, correlationId: 'mtls-test-0001', now: new Date() };
    await deps.clients.handle(clientStreamName('lrm-samu31'), { type: 'RegisterClient', clientId: 'lrm-samu31', kind: 'lrm', name: 'LRM du SAMU 31', secretHash: null }, ctx);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS and authenticates a client certificate of the CA with the right OU', async () => {
    expect(t.url).toMatch(/^https:/);
    const me = await call('/api/identity/clients/me', 'lrm');
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ clientId: 'lrm-samu31', kind: 'lrm' });
  });

  it('refuses a certificate of another CA, a wrong OU, or none', async () => {
    expect((await call('/api/identity/clients/me', 'foreign')).status).toBe(401);
    expect((await call('/api/identity/clients/me', 'wrong-ou')).status).toBe(401);
    expect((await call('/api/identity/clients/me')).status).toBe(401);
  });

  it('refuses a revoked client at once', async () => {
    const deps = t.platform.containers.get('identity')!.get(IDENTITY.deps);
    const ctx = { actor: { accountId: 'test-admin', role: 'admin-national' }, correlationId: 'mtls-test-0002', now: new Date() };
    await deps.clients.handle(clientStreamName('lrm-samu31'), { type: 'RevokeClient', reason: 'test' }, ctx);
    expect((await call('/api/identity/clients/me', 'lrm')).status).toBe(401);
  });
});
