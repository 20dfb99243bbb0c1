import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import { assertNever, conflictError, notFoundError, validationError } from '../../../shared-kernel/errors/result.ts';
import { isRpps } from '../../../shared-kernel/ids/rpps.id.ts';
import { isSiret } from '../../../shared-kernel/ids/siret.id.ts';
import type {
  StructureAddress,
  StructureClosureReason,
  StructureDetails,
  StructureIntegrationEvent,
  StructureKind,
} from '../contracts/directory.events.ts';

/** A structure as one FINESS extraction describes it. */
export type FinessStructureSnapshot = Omit<StructureDetails, 'source' | 'finess' | 'finessCategory'> & {
  readonly finess: string;
  readonly finessCategory: string;
};

export type SyncFromFiness = { readonly type: 'SyncFromFiness'; readonly snapshot: FinessStructureSnapshot };
export type RegisterOnPlatform = {
  readonly type: 'RegisterOnPlatform';
  readonly structureId: string;
  readonly kind: StructureKind;
  readonly name: string;
  readonly address: StructureAddress;
  readonly phone: string | null;
  /** The SIRET its vendor publishes slots under (an SOS Médecins association), null when unknown. */
  readonly siret: string | null;
  /** The account creating it becomes its first manager (a gestionnaire de structure); null for an administrator. */
  readonly managerAccountId: string | null;
};
/** Changes the details of a structure created on the platform (a FINESS structure's come from the extraction). */
export type ChangeOnPlatform = {
  readonly type: 'ChangeOnPlatform';
  readonly name?: string;
  readonly address?: StructureAddress;
  readonly phone?: string | null;
  readonly siret?: string | null;
};
export type CloseStructure = { readonly type: 'CloseStructure'; readonly reason: StructureClosureReason };
export type AddMember = { readonly type: 'AddMember'; readonly rpps: string };
export type RemoveMember = { readonly type: 'RemoveMember'; readonly rpps: string };
export type AssignManager = { readonly type: 'AssignManager'; readonly accountId: string };
export type StructureCommand = SyncFromFiness | RegisterOnPlatform | ChangeOnPlatform | CloseStructure | AddMember | RemoveMember | AssignManager;
export type StructureEvent = StructureIntegrationEvent;

export type StructureState =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'active' | 'closed';
      readonly details: StructureDetails;
      /** RPPS of the members, in joining order (empty once closed). */
      readonly members: readonly string[];
      /** Account ids of its managers (kept across a closure and a reopening). */
      readonly managers: readonly string[];
    };

const ADDRESS_FIELDS = ['inseeCode', 'postcode', 'street'] as const satisfies readonly (keyof StructureAddress)[];
const DETAIL_FIELDS = ['structureId', 'kind', 'finess', 'finessCategory', 'siret', 'name', 'phone', 'source'] as const satisfies readonly (keyof StructureDetails)[];

/** Copies only the known fields, so that events never carry stray properties of the caller's objects. */
export const addressOf = (a: StructureAddress): StructureAddress =>
  Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, a[k]])) as unknown as StructureAddress;
export const detailsOf = (d: StructureDetails): StructureDetails => ({
  structureId: d.structureId,
  kind: d.kind,
  finess: d.finess,
  finessCategory: d.finessCategory,
  siret: d.siret ?? null,
  name: d.name,
  address: addressOf(d.address),
  phone: d.phone,
  source: d.source,
});

export const sameDetails = (a: StructureDetails, b: StructureDetails): boolean =>
  DETAIL_FIELDS.every((k) => a[k] === b[k]) && ADDRESS_FIELDS.every((k) => a.address[k] === b.address[k]);

type Known = Exclude<StructureState, { status: 'unknown' }>;

function known(state: StructureState): Known {
  if (state.status === 'unknown') throw notFoundError('StructureDoesNotExist', 'Cette structure n’existe pas.');
  return state;
}

function open(state: StructureState): Known {
  const s = known(state);
  if (s.status === 'closed') {
    throw conflictError('StructureIsClosed', `La structure « ${s.details.name} » (${s.details.structureId}) est fermée : elle ne peut plus être modifiée.`);
  }
  return s;
}

function decideSync({ snapshot }: SyncFromFiness, state: StructureState): StructureEvent[] {
  const details = detailsOf({ ...snapshot, source: 'finess' });
  if (state.status !== 'unknown' && (state.details.structureId !== details.structureId || state.details.source !== 'finess')) {
    throw conflictError('StructureMismatch', `Le flux de la structure ${state.details.structureId} ne peut recevoir l’établissement FINESS ${details.finess}.`);
  }
  // First seen, or back in a newer extraction after a closure: registered again.
  if (state.status !== 'active') return [{ type: 'StructureRegistered', data: details }];
  return sameDetails(state.details, details) ? [] : [{ type: 'StructureDetailsChanged', data: details }];
}

function decideRegister(command: RegisterOnPlatform, state: StructureState): StructureEvent[] {
  if (state.status !== 'unknown') {
    throw conflictError('StructureAlreadyExists', `La structure ${command.structureId} existe déjà.`);
  }
  const name = checkName(command.name);
  const details = detailsOf({
    structureId: command.structureId,
    kind: command.kind,
    finess: null,
    finessCategory: null,
    siret: checkSiret(command.siret),
    name,
    address: command.address,
    phone: command.phone,
    source: 'platform',
  });
  const events: StructureEvent[] = [{ type: 'StructureRegistered', data: details }];
  if (command.managerAccountId !== null) {
    events.push({ type: 'StructureManagerAssigned', data: { structureId: command.structureId, accountId: command.managerAccountId } });
  }
  return events;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw validationError('StructureNameRequired', 'Le nom de la structure est obligatoire.');
  return trimmed;
}

function checkSiret(siret: string | null): string | null {
  if (siret !== null && !isSiret(siret)) {
    throw validationError('InvalidStructureSiret', `Le SIRET d’une structure a 14 chiffres dont une clé de contrôle valide (reçu « ${siret} »).`, { siret });
  }
  return siret;
}

function decideChange(command: ChangeOnPlatform, state: StructureState): StructureEvent[] {
  const s = open(state);
  if (s.details.source !== 'platform') {
    throw conflictError('StructureFromFiness', `Les informations de « ${s.details.name} » viennent de l’extraction FINESS : elles y sont mises à jour, pas sur la plateforme.`);
  }
  const details = detailsOf({
    ...s.details,
    ...(command.name !== undefined ? { name: checkName(command.name) } : {}),
    ...(command.address !== undefined ? { address: command.address } : {}),
    ...(command.phone !== undefined ? { phone: command.phone } : {}),
    ...(command.siret !== undefined ? { siret: checkSiret(command.siret) } : {}),
  });
  return sameDetails(s.details, details) ? [] : [{ type: 'StructureDetailsChanged', data: details }];
}

function checkRpps(rpps: string): string {
  if (!isRpps(rpps)) {
    throw validationError('InvalidMemberRpps', `Un membre est désigné par son numéro RPPS : 11 chiffres dont une clé de contrôle valide (reçu « ${rpps} »).`, { rpps });
  }
  return rpps;
}

/**
 * A structure of the directory. `SyncFromFiness` compares an extraction's snapshot with the state and emits only
 * the differences (nothing when identical, so re-importing is a no-op; a closed structure found again is
 * registered again); `RegisterOnPlatform` creates one without FINESS (an SOS Médecins association) and
 * `ChangeOnPlatform` changes its details (never a FINESS structure's: they come from the extraction); members are
 * practitioners by RPPS (joining twice, or leaving when not a member, changes nothing); a closed structure refuses
 * every change except a newer FINESS extraction.
 */
export const structureDecider: Decider<StructureCommand, StructureEvent, StructureState> = {
  initialState: () => ({ status: 'unknown' }),
  decide(command, state) {
    switch (command.type) {
      case 'SyncFromFiness':
        return decideSync(command, state);
      case 'RegisterOnPlatform':
        return decideRegister(command, state);
      case 'ChangeOnPlatform':
        return decideChange(command, state);
      case 'CloseStructure': {
        const s = known(state);
        return s.status === 'closed' ? [] : [{ type: 'StructureClosed', data: { structureId: s.details.structureId, reason: command.reason } }];
      }
      case 'AddMember': {
        const rpps = checkRpps(command.rpps);
        const s = open(state);
        return s.members.includes(rpps) ? [] : [{ type: 'StructureMemberJoined', data: { structureId: s.details.structureId, rpps } }];
      }
      case 'RemoveMember': {
        const rpps = checkRpps(command.rpps);
        const s = open(state);
        return s.members.includes(rpps) ? [{ type: 'StructureMemberLeft', data: { structureId: s.details.structureId, rpps } }] : [];
      }
      case 'AssignManager': {
        const s = open(state);
        return s.managers.includes(command.accountId)
          ? []
          : [{ type: 'StructureManagerAssigned', data: { structureId: s.details.structureId, accountId: command.accountId } }];
      }
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'StructureRegistered':
        return { status: 'active', details: detailsOf(event.data), members: [], managers: state.status === 'unknown' ? [] : state.managers };
      case 'StructureDetailsChanged':
        return state.status === 'unknown' ? state : { ...state, details: detailsOf(event.data) };
      case 'StructureClosed':
        return state.status === 'unknown' ? state : { ...state, status: 'closed', members: [] };
      case 'StructureMemberJoined':
        return state.status === 'unknown' || state.members.includes(event.data.rpps) ? state : { ...state, members: [...state.members, event.data.rpps] };
      case 'StructureMemberLeft':
        return state.status === 'unknown' ? state : { ...state, members: state.members.filter((m) => m !== event.data.rpps) };
      case 'StructureManagerAssigned':
        return state.status === 'unknown' || state.managers.includes(event.data.accountId)
          ? state
          : { ...state, managers: [...state.managers, event.data.accountId] };
      default:
        return assertNever(event, 'event');
    }
  },
};
