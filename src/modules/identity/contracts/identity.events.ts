/**
 * Public events of the identity module. Accounts are event-sourced: who was given which role on which
 * territory, by whom and when is history an auditor can replay. No password is ever part of it: Pro Santé
 * Connect authenticates.
 */
import type { Role } from '../../../shared-kernel/auth/principal.ts';

export type AccountCreated = {
  readonly type: 'AccountCreated';
  readonly data: {
    readonly accountId: string;
    /** 'regulation': created by a gestionnaire de comptes, linked at first login; 'professional': created at first PSC login. */
    readonly origin: 'regulation' | 'professional';
    readonly givenName: string;
    readonly familyName: string;
    /** Professional e-mail; null when PSC gave none. */
    readonly email: string | null;
  };
};

export type AccountLinkedToPsc = {
  readonly type: 'AccountLinkedToPsc';
  readonly data: { readonly accountId: string; readonly nationalId: string; readonly givenName: string; readonly familyName: string; readonly email: string | null };
};

export type RoleGranted = {
  readonly type: 'RoleGranted';
  readonly data: { readonly accountId: string; readonly role: Role; readonly territories: readonly string[]; readonly effecteurIds: readonly string[] };
};

export type RoleRevoked = { readonly type: 'RoleRevoked'; readonly data: { readonly accountId: string; readonly role: Role } };

export type AccountDeactivated = { readonly type: 'AccountDeactivated'; readonly data: { readonly accountId: string; readonly reason: string | null } };

export type AccountReactivated = { readonly type: 'AccountReactivated'; readonly data: { readonly accountId: string } };

/** Reserves a PSC national id for one account (its own stream, appended with expectedRevision no-stream). */
export type PscIdentityClaimed = { readonly type: 'PscIdentityClaimed'; readonly data: { readonly nationalId: string; readonly accountId: string } };

export type AccountEvent = AccountCreated | AccountLinkedToPsc | RoleGranted | RoleRevoked | AccountDeactivated | AccountReactivated;
export type IdentityIntegrationEvent = AccountEvent | PscIdentityClaimed;

export const IDENTITY_STREAM_PREFIX = 'identity.';
export const accountStreamName = (accountId: string) => `identity.account-${accountId}`;
export const pscClaimStreamName = (nationalId: string) => `identity.psc-${nationalId}`;

/** Machine clients: booking vendors and LRM systems. Secrets are stored as scrypt hashes only. */
export type ClientRegistered = {
  readonly type: 'ClientRegistered';
  readonly data: {
    readonly clientId: string;
    readonly kind: 'vendor' | 'lrm';
    readonly name: string;
    /** scrypt hash of the client's secret (dev and integration); null for certificate-only clients. */
    readonly secretHash: string | null;
  };
};
export type ClientSecretRotated = { readonly type: 'ClientSecretRotated'; readonly data: { readonly clientId: string; readonly secretHash: string } };
export type ClientRevoked = { readonly type: 'ClientRevoked'; readonly data: { readonly clientId: string; readonly reason: string | null } };
export type ClientEvent = ClientRegistered | ClientSecretRotated | ClientRevoked;

export const clientStreamName = (clientId: string) => `identity.client-${clientId}`;
