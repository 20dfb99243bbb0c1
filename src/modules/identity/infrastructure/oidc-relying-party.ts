/**
 * The platform as an OpenID Connect relying party of Pro Santé Connect (or of the embedded development
 * provider: same code, another issuer). Authorization code + PKCE (S256) + nonce + state, `acr_values=eidas1`,
 * scopes `openid scope_all`, userinfo as JSON or as a signed JWT, RP-initiated logout with `id_token_hint`.
 */
import * as oidc from 'openid-client';

export interface RelyingPartyOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  /** Plain http is allowed for a loopback development provider only. */
  readonly allowInsecure: boolean;
}

export interface LoginRequest {
  readonly url: URL;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface PscLogin {
  readonly idToken: string;
  readonly claims: Record<string, unknown>;
}

export class RelyingParty {
  readonly #options: RelyingPartyOptions;
  #config: Promise<oidc.Configuration> | undefined;

  constructor(options: RelyingPartyOptions) {
    this.#options = options;
  }

  /** Discovery happens on first use and is cached; a failure is retried at the next login. */
  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(
        new URL(this.#options.issuer),
        this.#options.clientId,
        { client_secret: this.#options.clientSecret },
        oidc.ClientSecretBasic(this.#options.clientSecret),
        this.#options.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.#config = undefined;
        throw error;
      });
    return this.#config;
  }

  async beginLogin(): Promise<LoginRequest> {
    const config = await this.#configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.#options.redirectUri,
      scope: 'openid scope_all',
      response_type: 'code',
      acr_values: 'eidas1',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Exchanges the code (checking state, nonce, PKCE), then reads userinfo; claims from both, userinfo wins. */
  async completeLogin(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<PscLogin> {
    const config = await this.#configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: expected.codeVerifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims || !tokens.id_token) throw new Error('no ID token in the token response');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    return { idToken: tokens.id_token, claims: { ...idClaims, ...userinfo } };
  }

  async logoutUrl(idToken: string, state: string): Promise<URL> {
    const config = await this.#configuration();
    return oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: this.#options.postLogoutRedirectUri, state });
  }
}
