import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNationalId } from '../../src/shared-kernel/ids/rpps.id.ts';
import { DEMO_IDENTITIES, DEMO_ROLES, demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { Browser, formOf } from '../support/http-browser.ts';
import {
  createDevIdentityProvider,
  type DevIdentityProvider,
} from '../../src/modules/identity/infrastructure/dev-idp/dev-identity-provider.ts';

const CLIENT_ID = 'sas-platform';
const CLIENT_SECRET = 'dev-secret-for-tests';

describe('dev identity provider (Pro Santé Connect imitation)', () => {
  let server: Server;
  let idp: DevIdentityProvider;
  let issuer: string;
  let redirectUri: string;
  let postLogoutUri: string;
  let config: client.Configuration;

  beforeAll(async () => {
    const app = express();
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    issuer = `${base}/dev-idp`;
    redirectUri = `${base}/auth/callback`;
    postLogoutUri = `${base}/auth/logged-out`;
    idp = await createDevIdentityProvider({
      issuer,
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutUri] }],
      identities: DEMO_IDENTITIES,
    });
    app.use('/dev-idp', (req, res) => idp.handler(req, res));
    config = await client.discovery(new URL(issuer), CLIENT_ID, CLIENT_SECRET, undefined, { execute: [client.allowInsecureRequests] });
  });

  afterAll(async () => {
    await idp?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const startLogin = async (browser: Browser, extra: Record<string, string> = {}, pkce = true) => {
    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: 'openid scope_all',
      acr_values: 'eidas1',
      nonce,
      state,
      ...extra,
    };
    if (pkce) {
      params.code_challenge = await client.calculatePKCECodeChallenge(codeVerifier);
      params.code_challenge_method = 'S256';
    }
    const url = client.buildAuthorizationUrl(config, params);
    const result = await browser.follow(url, redirectUri);
    return { codeVerifier, nonce, state, ...result };
  };

  const login = async (browser: Browser, nationalId: string) => {
    const started = await startLogin(browser);
    expect(started.response?.status).toBe(200);
    const html = await started.response!.text();
    const { action } = formOf(html);
    const done = await browser.follow(new URL(action, started.url), redirectUri, {
      method: 'POST',
      body: new URLSearchParams({ nationalId }),
    });
    expect(done.url.href.startsWith(redirectUri)).toBe(true);
    return { ...started, callbackUrl: done.url };
  };

  it('publishes a PSC-like discovery document', async () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.acr_values_supported).toEqual(['eidas1']);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'scope_all']));
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(metadata.userinfo_signing_alg_values_supported).toContain('RS256');
    expect(metadata.token_endpoint).toBe(`${issuer}/protocol/openid-connect/token`);
    expect(metadata.end_session_endpoint).toBe(`${issuer}/protocol/openid-connect/logout`);
  });

  it('has Luhn-valid national ids, one identity per role', () => {
    expect(DEMO_IDENTITIES).toHaveLength(DEMO_ROLES.length);
    for (const identity of DEMO_IDENTITIES) {
      const parsed = parseNationalId(identity.nationalId);
      expect(parsed.ok, identity.nationalId).toBe(true);
      expect(identity.email.endsWith('@demo.sas.invalid')).toBe(true);
    }
    expect(new Set(DEMO_IDENTITIES.map((i) => i.nationalId)).size).toBe(DEMO_IDENTITIES.length);
    expect(demoIdentityByRole('effecteur').nationalId).toBe('810000000009');
    expect(demoIdentityByRole('effecteur').professionCode).toBe('10');
  });

  it('shows a French login page listing every demo identity in one form', async () => {
    const browser = new Browser();
    const started = await startLogin(browser);
    expect(started.response?.status).toBe(200);
    expect(started.response?.headers.get('content-type')).toMatch(/text\/html/);
    const html = await started.response!.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Connexion de démonstration — Pro Santé Connect');
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<form/g)).toHaveLength(1);
    for (const identity of DEMO_IDENTITIES) {
      expect(html).toContain(`name="nationalId" value="${identity.nationalId}"`);
    }
    expect(formOf(html).action).toMatch(/^\/dev-idp\/interaction\//);
  });

  it('runs the authorization code flow with PKCE and releases the PSC claims', async () => {
    const browser = new Browser();
    const effecteur = demoIdentityByRole('effecteur');
    const { callbackUrl, codeVerifier, nonce, state } = await login(browser, effecteur.nationalId);
    expect(callbackUrl.searchParams.get('state')).toBe(state);
    expect(callbackUrl.searchParams.get('iss')).toBe(issuer);

    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedNonce: nonce,
      expectedState: state,
    });
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: issuer,
      aud: CLIENT_ID,
      sub: effecteur.nationalId,
      SubjectNameID: effecteur.nationalId,
      acr: 'eidas1',
      nonce,
      given_name: effecteur.givenName,
      family_name: effecteur.familyName,
    });

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, effecteur.nationalId);
    expect(userinfo).toMatchObject({
      sub: effecteur.nationalId,
      SubjectNameID: effecteur.nationalId,
      given_name: effecteur.givenName,
      family_name: effecteur.familyName,
      preferred_username: effecteur.nationalId,
      email: effecteur.email,
      SubjectRefPro: {
        codeCivilite: 'MME',
        exercices: [
          {
            codeProfession: '10',
            codeCategorieProfessionnelle: 'C',
            codeSavoirFaire: 'SM54',
            nomDexercice: effecteur.familyName,
            prenomDexercice: effecteur.givenName,
            activities: [],
          },
        ],
      },
    });
  });

  it('answers userinfo as a signed JWT', async () => {
    const browser = new Browser();
    const operator = demoIdentityByRole('regulateur-osnp');
    const { callbackUrl, codeVerifier, nonce, state } = await login(browser, operator.nationalId);
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: codeVerifier, expectedNonce: nonce, expectedState: state });
    const response = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/jwt/);
    const jwt = await response.text();
    const [header, payload] = jwt.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header?.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: operator.nationalId, SubjectRefPro: { codeCivilite: 'MME', exercices: [] } });
  });

  it('accepts client_secret_basic as well as client_secret_post', async () => {
    const basicConfig = await client.discovery(new URL(issuer), CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET), {
      execute: [client.allowInsecureRequests],
    });
    const browser = new Browser();
    const { callbackUrl, codeVerifier, nonce, state } = await login(browser, demoIdentityByRole('ioa').nationalId);
    const tokens = await client.authorizationCodeGrant(basicConfig, callbackUrl, { pkceCodeVerifier: codeVerifier, expectedNonce: nonce, expectedState: state });
    expect(tokens.claims()?.sub).toBe(demoIdentityByRole('ioa').nationalId);
  });

  it('refuses an authorization request without PKCE', async () => {
    const browser = new Browser();
    const { url } = await startLogin(browser, {}, false);
    expect(url.href.startsWith(redirectUri)).toBe(true);
    expect(url.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a wrong code_verifier, then a replayed code', async () => {
    const browser = new Browser();
    const { callbackUrl, nonce, state } = await login(browser, demoIdentityByRole('auditeur').nationalId);
    await expect(
      client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedNonce: nonce,
        expectedState: state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    const second = await login(new Browser(), demoIdentityByRole('auditeur').nationalId);
    const checks = { pkceCodeVerifier: second.codeVerifier, expectedNonce: second.nonce, expectedState: second.state };
    await client.authorizationCodeGrant(config, second.callbackUrl, checks);
    await expect(client.authorizationCodeGrant(config, second.callbackUrl, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('keeps the session until end-session, then asks to log in again', async () => {
    const browser = new Browser();
    const identity = demoIdentityByRole('admin-national');
    const first = await login(browser, identity.nationalId);
    const tokens = await client.authorizationCodeGrant(config, first.callbackUrl, {
      pkceCodeVerifier: first.codeVerifier,
      expectedNonce: first.nonce,
      expectedState: first.state,
    });

    // Provider session alive: a new authorization request returns straight to the RP (silent SSO, like PSC).
    const silent = await startLogin(browser);
    expect(silent.url.href.startsWith(redirectUri)).toBe(true);
    expect(silent.url.searchParams.get('code')).toBeTruthy();

    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: postLogoutUri,
      state: 'local-session-42',
    });
    const confirmation = await browser.follow(endSession, postLogoutUri);
    expect(confirmation.response?.status).toBe(200);
    const html = await confirmation.response!.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Se déconnecter');
    expect(html).not.toMatch(/<script/i);
    const { action, fields } = formOf(html);
    fields.set('logout', 'yes');
    const loggedOut = await browser.follow(new URL(action, confirmation.url), postLogoutUri, { method: 'POST', body: fields });
    expect(loggedOut.url.href.startsWith(postLogoutUri)).toBe(true);
    expect(loggedOut.url.searchParams.get('state')).toBe('local-session-42');

    const again = await startLogin(browser);
    expect(again.response?.status).toBe(200);
    expect(await again.response!.text()).toContain('Connexion de démonstration — Pro Santé Connect');
  });

  it('rejects an unknown identity on the login form', async () => {
    const browser = new Browser();
    const started = await startLogin(browser);
    const { action } = formOf(await started.response!.text());
    const response = await browser.request(new URL(action, started.url), { method: 'POST', body: new URLSearchParams({ nationalId: '899999999999' }) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Identité de démonstration inconnue');
  });
});
