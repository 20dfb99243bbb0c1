/**
 * Development OpenID Connect provider imitating Pro Santé Connect (PSC), built on `oidc-provider`.
 *
 * It exists for the embedded default configuration, demonstrations and tests: the platform's relying party uses
 * exactly the same code path against it as against PSC, only the issuer URL differs. It mirrors what matters of
 * PSC: authorization code flow with PKCE (S256) required, `nonce`, `state`, scopes `openid scope_all`,
 * `acr_values=eidas1` (→ `acr: 'eidas1'`), client authentication `client_secret_basic`/`client_secret_post`,
 * userinfo answered as a signed JWT (`application/jwt`, RS256), PSC claims (`SubjectNameID`, `SubjectRefPro`…),
 * RP-initiated logout with `id_token_hint`, `post_logout_redirect_uri` and `state`. The endpoints use
 * Keycloak's paths (`/protocol/openid-connect/…`) like PSC.
 *
 * Login is a French page listing the demo identities (no password); consent is granted automatically.
 * State is kept in memory (lost at restart), keys and cookie keys are generated at each start.
 *
 * Mounting: the returned handler expects to be mounted under the issuer's path (`app.use('/dev-idp', handler)`):
 * it then sees paths relative to the mount point (express strips the prefix and keeps `req.originalUrl`).
 * Used directly on a bare `http.Server`, it strips the issuer's path itself. Mount it BEFORE any body parser.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoIdentity } from './demo-identities.ts';

export interface DevIdentityProviderClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
}

export interface DevIdentityProviderOptions {
  /** Issuer URL including the mount path, e.g. `http://127.0.0.1:3000/dev-idp` (https, or http on loopback only). */
  readonly issuer: string;
  readonly clients: readonly DevIdentityProviderClient[];
  readonly identities: readonly DemoIdentity[];
}

export interface DevIdentityProvider {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** PSC scope releasing every PSC claim. */
export const PSC_SCOPE_ALL = 'scope_all';
/** The only PSC authentication level. */
export const PSC_ACR = 'eidas1';

const PSC_CLAIMS = ['SubjectNameID', 'given_name', 'family_name', 'preferred_username', 'email', 'SubjectRefPro'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Minimal typings of the parts of oidc-provider used here (the package ships no type declarations).

interface OidcInteraction {
  readonly uid: string;
  readonly prompt: { readonly name: string; readonly reasons: readonly string[] };
  readonly params: Readonly<Record<string, unknown>>;
  readonly session?: { readonly accountId?: string };
}

interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: readonly string[]): void;
  save(): Promise<string>;
}

interface OidcProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  readonly Grant: {
    new (init: { accountId: string; clientId: string }): OidcGrant;
    find(id: string): Promise<OidcGrant | undefined>;
  };
  on(event: string, listener: (...args: unknown[]) => void): void;
}

type OidcProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProviderInstance;

interface OidcContext {
  body?: unknown;
  type?: string;
  status?: number;
  readonly oidc: {
    readonly client?: { readonly clientId: string };
    readonly session?: { readonly accountId?: string; grantIdFor(clientId: string): string | undefined };
    readonly result?: { readonly consent?: { readonly grantId?: string } };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// In-memory adapter (replaces oidc-provider's development adapter: same behaviour, no start-up warning, no timers).

interface StoredPayload {
  readonly [key: string]: unknown;
  readonly grantId?: string;
  readonly userCode?: string;
  readonly uid?: string;
}

interface StoredEntry {
  payload: StoredPayload;
  readonly expiresAt: number | undefined;
}

function createMemoryAdapter(store: Map<string, StoredEntry>) {
  const grantIndex = new Map<string, Set<string>>();
  const now = () => Date.now();

  const get = (key: string): StoredPayload | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return class DevIdpMemoryAdapter {
    readonly name: string;

    constructor(name: string) {
      this.name = name;
    }

    #key(id: string): string {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void> {
      const key = this.#key(id);
      store.set(key, { payload: { ...payload }, expiresAt: expiresIn ? now() + expiresIn * 1000 : undefined });
      if (payload.grantId) {
        const keys = grantIndex.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        grantIndex.set(payload.grantId, keys);
      }
      if (payload.userCode) store.set(`userCode:${payload.userCode}`, { payload: { id }, expiresAt: undefined });
      if (payload.uid) store.set(`${this.name}:uid:${payload.uid}`, { payload: { id }, expiresAt: undefined });
    }

    async find(id: string): Promise<StoredPayload | undefined> {
      const payload = get(this.#key(id));
      return payload ? { ...payload } : undefined;
    }

    async findByUid(uid: string): Promise<StoredPayload | undefined> {
      const ref = get(`${this.name}:uid:${uid}`);
      return typeof ref?.id === 'string' ? this.find(ref.id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
      const ref = get(`userCode:${userCode}`);
      return typeof ref?.id === 'string' ? this.find(ref.id) : undefined;
    }

    async consume(id: string): Promise<void> {
      const entry = store.get(this.#key(id));
      if (entry) entry.payload = { ...entry.payload, consumed: Math.floor(now() / 1000) };
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grantIndex.get(grantId) ?? []) store.delete(key);
      grantIndex.delete(grantId);
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function assertIssuer(issuer: string): URL {
  const url = new URL(issuer);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost'))) return url;
  throw new Error(`dev-idp: the issuer must be https, or http on a loopback host (got ${issuer})`);
}

/** PSC claims of a demo identity, as released under `openid scope_all`. */
export function pscClaimsOf(identity: DemoIdentity): Record<string, unknown> {
  return {
    sub: identity.nationalId,
    SubjectNameID: identity.nationalId,
    given_name: identity.givenName,
    family_name: identity.familyName,
    preferred_username: identity.nationalId,
    email: identity.email,
    SubjectRefPro: {
      codeCivilite: identity.civility ?? 'M',
      exercices: identity.professionCode
        ? [
            {
              codeProfession: identity.professionCode,
              codeCategorieProfessionnelle: 'C',
              codeSavoirFaire: identity.professionCode === '10' ? 'SM54' : '',
              nomDexercice: identity.familyName,
              prenomDexercice: identity.givenName,
              activities: [],
            },
          ]
        : [],
    },
  };
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `<style>
body{font-family:Marianne,Arial,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#161616;line-height:1.5}
h1{font-size:1.5rem}
ul{list-style:none;padding:0}
li{margin:.5rem 0}
button{font:inherit;width:100%;text-align:left;padding:.75rem 1rem;border:1px solid #000091;background:#fff;color:#000091;cursor:pointer}
button:hover,button:focus{background:#000091;color:#fff}
button:focus{outline:3px solid #0a76f6;outline-offset:2px}
.identifiant{display:block;font-size:.875rem}
.avertissement{border-left:4px solid #b34000;padding-left:1rem}
</style>`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${STYLE}
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function loginPage(action: string, identities: readonly DemoIdentity[], error?: string): string {
  const items = identities
    .map(
      (identity) => `<li><button type="submit" name="nationalId" value="${escapeHtml(identity.nationalId)}">${escapeHtml(identity.label)}
<span class="identifiant">${escapeHtml(`${identity.givenName} ${identity.familyName}`)} — identifiant national ${escapeHtml(identity.nationalId)}</span></button></li>`,
    )
    .join('\n');
  return page(
    'Connexion de démonstration — Pro Santé Connect',
    `<h1>Connexion de démonstration — Pro Santé Connect</h1>
<p class="avertissement">Ce fournisseur d’identité n’existe que pour la démonstration et les tests de la plateforme SAS.
En production, la plateforme utilise Pro Santé Connect (e-CPS ou carte CPS). Aucun mot de passe n’est demandé.</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<fieldset>
<legend>Choisissez l’identité de démonstration avec laquelle vous connecter</legend>
<ul>
${items}
</ul>
</fieldset>
</form>`,
  );
}

function send(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    return new URLSearchParams(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function createDevIdentityProvider(options: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
  const issuerUrl = assertIssuer(options.issuer);
  const issuer = issuerUrl.href.replace(/\/$/, '');
  const mountPath = issuerUrl.pathname.replace(/\/$/, '');
  const identities = new Map(options.identities.map((identity) => [identity.nationalId, identity]));

  // oidc-provider has no type declarations: a non-literal specifier keeps TypeScript from resolving the module.
  const moduleName = 'oidc-provider';
  const { default: Provider } = (await import(moduleName)) as { default: OidcProviderConstructor };

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  const store = new Map<string, StoredEntry>();

  const grantAll = async (provider: OidcProviderInstance, accountId: string, clientId: string): Promise<string> => {
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(`openid ${PSC_SCOPE_ALL}`);
    grant.addOIDCClaims(['sub', ...PSC_CLAIMS]);
    return grant.save();
  };

  // Assigned right after construction; the configuration callbacks only run while handling requests.
  let provider: OidcProviderInstance | undefined;

  const configuration: Record<string, unknown> = {
    adapter: createMemoryAdapter(store),
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [...client.redirectUris],
      post_logout_redirect_uris: [...client.postLogoutRedirectUris],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // oidc-provider accepts client_secret_post as well for a client_secret_basic client.
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
    })),
    jwks: { keys: [signingKey] },
    cookies: {
      keys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')],
      names: { session: 'devidp_session', interaction: 'devidp_interaction', resume: 'devidp_resume' },
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', PSC_SCOPE_ALL],
    claims: { openid: ['sub'], [PSC_SCOPE_ALL]: [...PSC_CLAIMS] },
    // PSC puts the identity claims in the ID token too, not only in userinfo.
    conformIdTokenClaims: false,
    acrValues: [PSC_ACR],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    routes: {
      authorization: '/auth',
      token: '/protocol/openid-connect/token',
      userinfo: '/protocol/openid-connect/userinfo',
      end_session: '/protocol/openid-connect/logout',
      jwks: '/protocol/openid-connect/certs',
      revocation: '/protocol/openid-connect/revoke',
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: OidcContext, form: string) => {
          ctx.type = 'html';
          ctx.body = page(
            'Déconnexion — Pro Santé Connect (démonstration)',
            `<h1>Déconnexion de Pro Santé Connect (démonstration)</h1>
<p>Vous allez être déconnecté du fournisseur d’identité de démonstration.</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx: OidcContext) => {
          ctx.type = 'html';
          ctx.body = page(
            'Déconnexion réussie — Pro Santé Connect (démonstration)',
            `<h1>Vous êtes déconnecté</h1>
<p>Votre session sur le fournisseur d’identité de démonstration est terminée.</p>`,
          );
        },
      },
    },
    interactions: {
      url: async (_ctx: unknown, interaction: { uid: string }) => `${mountPath}/interaction/${interaction.uid}`,
    },
    // Dev provider: consent is implicit, the grant covers `openid scope_all` and every PSC claim.
    loadExistingGrant: async (ctx: OidcContext) => {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!provider || !clientId || !accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) {
        const existing = await provider.Grant.find(grantId);
        if (existing) return existing;
      }
      return provider.Grant.find(await grantAll(provider, accountId, clientId));
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const identity = identities.get(sub);
      if (!identity) return undefined;
      return { accountId: sub, claims: async () => pscClaimsOf(identity) };
    },
    renderError: async (ctx: OidcContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page(
        'Erreur — Pro Santé Connect (démonstration)',
        `<h1>Une erreur est survenue</h1>
<dl>${Object.entries(out)
          .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
          .join('')}</dl>`,
      );
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  };

  provider = new Provider(issuer, configuration);
  const current = provider;
  const callback = current.callback();

  const handleInteraction = async (req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> => {
    let details: OidcInteraction;
    try {
      details = await current.interactionDetails(req, res);
    } catch {
      send(res, 400, page('Session expirée — Pro Santé Connect (démonstration)', `<h1>Session de connexion introuvable ou expirée</h1>
<p>Recommencez la connexion depuis la plateforme.</p>`));
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, page('Erreur — Pro Santé Connect (démonstration)', '<h1>Demande de connexion invalide</h1>'));
      return;
    }
    const action = `${mountPath}/interaction/${uid}`;
    const clientId = String(details.params.client_id ?? '');

    if (details.prompt.name === 'login') {
      if (req.method === 'GET') {
        send(res, 200, loginPage(action, options.identities));
        return;
      }
      const form = await readForm(req);
      const identity = identities.get(form.get('nationalId') ?? '');
      if (!identity) {
        send(res, 400, loginPage(action, options.identities, 'Identité de démonstration inconnue.'));
        return;
      }
      const grantId = await grantAll(current, identity.nationalId, clientId);
      await current.interactionFinished(
        req,
        res,
        { login: { accountId: identity.nationalId, acr: PSC_ACR, amr: ['demo'] }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    // Any other prompt (consent): granted automatically.
    const accountId = details.session?.accountId;
    if (!accountId) {
      send(res, 400, page('Erreur — Pro Santé Connect (démonstration)', '<h1>Demande de connexion invalide</h1>'));
      return;
    }
    const grantId = await grantAll(current, accountId, clientId);
    await current.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const originalUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
    // Used on a bare http.Server (not mounted by express): strip the issuer's path ourselves, and keep the full
    // URL in `originalUrl` as express does — oidc-provider derives its mount path from the difference.
    if (originalUrl === undefined && mountPath && req.url && (req.url === mountPath || req.url.startsWith(`${mountPath}/`) || req.url.startsWith(`${mountPath}?`))) {
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      const rest = req.url.slice(mountPath.length);
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    if (interaction && (req.method === 'GET' || req.method === 'POST')) {
      handleInteraction(req, res, interaction[1] ?? '').catch(() => {
        if (!res.headersSent) send(res, 500, page('Erreur — Pro Santé Connect (démonstration)', '<h1>Erreur interne du fournisseur de démonstration</h1>'));
        else res.end();
      });
      return;
    }
    callback(req, res);
  };

  return {
    handler,
    async close() {
      store.clear();
    },
  };
}
