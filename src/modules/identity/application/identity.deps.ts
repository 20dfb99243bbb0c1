import type { CommandHandler } from '../../../shared-kernel/application/command-handler.ts';
import type { EventStore } from '../../../shared-kernel/event-store/event-store.port.ts';
import type { Logger } from '../../../shared-kernel/logging/logger.ts';
import type { SqlDatabase } from '../../../shared-kernel/sql/sql-database.ts';
import type { AccountEvent, ClientEvent } from '../contracts/identity.events.ts';
import type { ClientCommand, ClientState } from '../domain/client.decider.ts';
import type { AccountCommand, AccountState } from '../domain/account.decider.ts';
import type { RelyingParty } from '../infrastructure/oidc-relying-party.ts';
import type { SessionStore } from '../infrastructure/session-store.ts';

export interface IdentitySettings {
  /** Secure cookies (always outside local development over http). */
  readonly secureCookies: boolean;
  /** The session cookie's SameSite (`none` for an LRM page of another site embedding <sas-search>; needs Secure). */
  readonly sessionSameSite: 'lax' | 'none';
  /** Where the platform is reached by browsers, e.g. http://localhost:3000 (known once listening). */
  publicUrl: string;
  /** mTLS: the organisational unit a client certificate must carry (null: any certificate signed by the CA). */
  readonly clientCertOu: string | null;
}

/** What the identity use cases need, bound in the module's container. */
export interface IdentityDeps {
  readonly accounts: CommandHandler<AccountCommand, AccountEvent, AccountState>;
  readonly clients: CommandHandler<ClientCommand, ClientEvent, ClientState>;
  readonly eventStore: EventStore;
  readonly sessions: SessionStore;
  readonly readDb: SqlDatabase;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly logger: Logger;
  readonly settings: IdentitySettings;
  /** Client secret at the OpenID provider (never logged). */
  readonly oidcClientSecret: string;
  /** The relying party, configured once the public URL is known. */
  relyingParty(): RelyingParty;
}
