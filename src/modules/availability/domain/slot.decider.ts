import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import { assertNever, conflictError, notFoundError, validationError } from '../../../shared-kernel/errors/result.ts';
import type { ConsultationType, SlotPublished, SlotWithdrawn } from '../contracts/availability.events.ts';

/** Longest manual slot an effecteur may publish: a whole on-call night. */
export const MAX_SLOT_DURATION_MS = 12 * 3600_000;
/** How far ahead a manual slot may be published. */
export const MAX_PUBLICATION_HORIZON_MS = 366 * 24 * 3600_000;
/** Shortest slot. */
export const MIN_SLOT_DURATION_MS = 5 * 60_000;

export type PublishSlot = {
  readonly type: 'PublishSlot';
  readonly slotId: string;
  readonly effecteurId: string;
  readonly start: Date;
  readonly end: Date;
  readonly consultationTypes: readonly ConsultationType[];
  readonly now: Date;
};

export type WithdrawSlot = {
  readonly type: 'WithdrawSlot';
  readonly slotId: string;
  readonly reason: string | null;
  readonly now: Date;
};

export type SlotCommand = PublishSlot | WithdrawSlot;
export type SlotEvent = SlotPublished | SlotWithdrawn;

export type SlotState =
  | { readonly status: 'initial' }
  | {
      readonly status: 'published';
      readonly slotId: string;
      readonly effecteurId: string;
      readonly start: string;
      readonly end: string;
    }
  | { readonly status: 'withdrawn'; readonly slotId: string; readonly effecteurId: string };

function decidePublish(command: PublishSlot, state: SlotState): SlotEvent[] {
  if (
    state.status === 'published' &&
    state.effecteurId === command.effecteurId &&
    state.start === command.start.toISOString() &&
    state.end === command.end.toISOString()
  ) {
    return []; // the same publication sent again (a client retry): nothing new happens
  }
  if (state.status !== 'initial') {
    throw conflictError('SlotIdIsAlreadyUsed', `Le créneau ${command.slotId} existe déjà.`);
  }
  const start = command.start.getTime();
  const end = command.end.getTime();
  if (end <= start) throw validationError('SlotMustEndAfterItStarts', 'La fin du créneau doit être après son début.');
  if (end - start < MIN_SLOT_DURATION_MS) {
    throw validationError('SlotIsTooShort', 'Un créneau dure au moins 5 minutes.');
  }
  if (end - start > MAX_SLOT_DURATION_MS) {
    throw validationError('SlotIsTooLong', 'Un créneau dure au plus 12 heures.');
  }
  if (start < command.now.getTime()) {
    throw validationError('SlotCannotStartInThePast', 'Un créneau ne peut pas commencer dans le passé.');
  }
  if (start - command.now.getTime() > MAX_PUBLICATION_HORIZON_MS) {
    throw validationError('SlotIsTooFarAhead', 'Un créneau se publie au plus un an à l’avance.');
  }
  if (command.consultationTypes.length === 0) {
    throw validationError('SlotNeedsAConsultationType', 'Choisissez au moins un type de consultation.');
  }
  return [
    {
      type: 'SlotPublished',
      data: {
        slotId: command.slotId,
        effecteurId: command.effecteurId,
        start: command.start.toISOString(),
        end: command.end.toISOString(),
        consultationTypes: [...new Set(command.consultationTypes)],
        source: 'manual',
      },
    },
  ];
}

function decideWithdraw(command: WithdrawSlot, state: SlotState): SlotEvent[] {
  switch (state.status) {
    case 'initial':
      throw notFoundError('SlotDoesNotExist', `Le créneau ${command.slotId} n’existe pas.`);
    case 'withdrawn':
      return []; // withdrawing twice is harmless: nothing new happens
    case 'published':
      if (new Date(state.end).getTime() <= command.now.getTime()) {
        throw conflictError('PastSlotCannotBeWithdrawn', 'Un créneau passé ne peut plus être retiré.');
      }
      return [{ type: 'SlotWithdrawn', data: { slotId: state.slotId, effecteurId: state.effecteurId, reason: command.reason } }];
    default:
      return assertNever(state, 'slot state');
  }
}

/** A manual slot of an effecteur: published, then possibly withdrawn. Booking comes with the booking use case. */
export const slotDecider: Decider<SlotCommand, SlotEvent, SlotState> = {
  initialState: () => ({ status: 'initial' }),
  decide(command, state) {
    switch (command.type) {
      case 'PublishSlot':
        return decidePublish(command, state);
      case 'WithdrawSlot':
        return decideWithdraw(command, state);
      default:
        return assertNever(command, 'slot command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'SlotPublished':
        return {
          status: 'published',
          slotId: event.data.slotId,
          effecteurId: event.data.effecteurId,
          start: event.data.start,
          end: event.data.end,
        };
      case 'SlotWithdrawn':
        return { status: 'withdrawn', slotId: event.data.slotId, effecteurId: event.data.effecteurId };
      default:
        return assertNever(event, 'slot event');
    }
  },
};
