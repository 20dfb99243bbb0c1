/** A machine client (booking vendor, LRM): registered, its secret rotated, revoked. */
import { conflictError, validationError } from '../../../shared-kernel/errors/result.ts';
import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import type { ClientEvent } from '../contracts/identity.events.ts';

export type ClientState =
  | { readonly status: 'initial' }
  | { readonly status: 'active' | 'revoked'; readonly clientId: string; readonly kind: 'vendor' | 'lrm'; readonly name: string; readonly secretHash: string | null };

export type ClientCommand =
  | { readonly type: 'RegisterClient'; readonly clientId: string; readonly kind: 'vendor' | 'lrm'; readonly name: string; readonly secretHash: string | null }
  | { readonly type: 'RotateClientSecret'; readonly secretHash: string }
  | { readonly type: 'RevokeClient'; readonly reason: string | null };

/** Client ids double as certificate CNs: lower-case letters, digits and dashes. */
export const CLIENT_ID = /^[a-z][a-z0-9-]{2,62}$/;

function decide(command: ClientCommand, state: ClientState): ClientEvent[] {
  if (command.type === 'RegisterClient') {
    if (!CLIENT_ID.test(command.clientId)) throw validationError('InvalidClientId', 'Identifiant de client invalide (minuscules, chiffres, tirets ; 3 à 63 caractères).');
    if (state.status !== 'initial') throw conflictError('ClientAlreadyExists', `Le client ${command.clientId} existe déjà.`);
    const { clientId, kind, name, secretHash } = command;
    return [{ type: 'ClientRegistered', data: { clientId, kind, name, secretHash } }];
  }
  if (state.status === 'initial') throw conflictError('ClientDoesNotExist', 'Ce client n’existe pas.');
  if (command.type === 'RevokeClient') return state.status === 'revoked' ? [] : [{ type: 'ClientRevoked', data: { clientId: state.clientId, reason: command.reason } }];
  if (state.status === 'revoked') throw conflictError('ClientIsRevoked', 'Ce client est révoqué : enregistrez-en un nouveau.');
  return [{ type: 'ClientSecretRotated', data: { clientId: state.clientId, secretHash: command.secretHash } }];
}

function evolve(state: ClientState, event: ClientEvent): ClientState {
  switch (event.type) {
    case 'ClientRegistered':
      return { status: 'active', ...event.data };
    case 'ClientSecretRotated':
      return state.status === 'initial' ? state : { ...state, secretHash: event.data.secretHash };
    case 'ClientRevoked':
      return state.status === 'initial' ? state : { ...state, status: 'revoked' };
  }
}

export const clientDecider: Decider<ClientCommand, ClientEvent, ClientState> = { decide, evolve, initialState: () => ({ status: 'initial' }) };
