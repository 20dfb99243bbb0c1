/**
 * Demo machine clients of the embedded default, issued in-process. The module that runs a demo peer of the platform
 * (availability: its embedded vendor simulator) needs the credentials of a machine client that the identity module
 * owns; modules share no code, so the identity module provides the issuing function here (in the root container,
 * `TOKENS.demoMachineClients`) and the other module calls it.
 *
 * The secret is generated at each start — at the first one the client is registered, later the secret is rotated —
 * because the platform keeps only its hash: it lives in memory only, handed from one module to the other, never
 * stored, logged or shown. Never in production (the identity module does not provide it there).
 */
export interface DemoMachineClientRequest {
  readonly clientId: string;
  readonly kind: 'vendor' | 'lrm';
  readonly name: string;
}

export interface DemoMachineCredentials {
  readonly clientId: string;
  readonly secret: string;
}

export type DemoMachineClientIssuer = (request: DemoMachineClientRequest) => Promise<DemoMachineCredentials | null>;

export class DemoMachineClients {
  #issuer: DemoMachineClientIssuer | null = null;

  /** Called by the identity module (development and test only). */
  provide(issuer: DemoMachineClientIssuer): void {
    this.#issuer = issuer;
  }

  /** Registers the client (or rotates its secret) and answers its fresh credentials; null when nobody issues them. */
  async issue(request: DemoMachineClientRequest): Promise<DemoMachineCredentials | null> {
    return this.#issuer ? this.#issuer(request) : null;
  }
}

/** The `Authorization` header value (HTTP Basic) of machine credentials. */
export const basicAuthorization = (credentials: DemoMachineCredentials): string =>
  `Basic ${Buffer.from(`${credentials.clientId}:${credentials.secret}`).toString('base64')}`;
