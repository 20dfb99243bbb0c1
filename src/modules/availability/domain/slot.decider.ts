import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import { assertNever, conflictError, notFoundError, validationError } from '../../../shared-kernel/errors/result.ts';
import type { BookingCancelled, ConsultationType, SlotBooked, SlotChanged, SlotPublished, SlotWithdrawn, VendorBookingMode } from '../contracts/availability.events.ts';
import { VENDOR_APPOINTMENT_EVENT_TYPES } from './vendor-appointment.ts';

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

/** A regulator books the slot for a patient (after calling the doctor). No patient data: a booking id only. */
export type BookSlot = {
  readonly type: 'BookSlot';
  readonly slotId: string;
  readonly bookingId: string;
  /** The orientation the booking is for, when the caller already has one. */
  readonly orientationId: string | null;
  readonly now: Date;
};

/** The booking is cancelled: the slot is free again. */
export type CancelSlotBooking = {
  readonly type: 'CancelBooking';
  readonly slotId: string;
  readonly bookingId: string;
  readonly reason: string | null;
};

/**
 * The vendor aggregation job reports a vendor's slot as its FHIR server currently offers it: published the first
 * time (or again after a withdrawal), changed when its time or consultation types moved, nothing new otherwise.
 * A booked slot stays booked (its vendor reports the booking's fate through the FHIR Appointment endpoint).
 */
export type SyncVendorSlot = {
  readonly type: 'SyncVendorSlot';
  readonly slotId: string;
  readonly effecteurId: string;
  readonly start: Date;
  readonly end: Date;
  readonly consultationTypes: readonly ConsultationType[];
  /** How the vendor's slots are booked (its capability); when it changes, the slot is changed. */
  readonly bookingMode?: VendorBookingMode;
};

export type SlotCommand = PublishSlot | WithdrawSlot | BookSlot | CancelSlotBooking | SyncVendorSlot;
export type SlotEvent = SlotPublished | SlotWithdrawn | SlotBooked | BookingCancelled | SlotChanged;

type PublishedSlot = {
  readonly slotId: string;
  readonly effecteurId: string;
  readonly start: string;
  readonly end: string;
  /** Consultation types (known for slots published since vendor aggregation; absent in older folds). */
  readonly consultationTypes?: readonly ConsultationType[];
  /** Vendor slots: how they are booked (absent for manual slots and vendor slots published before it existed). */
  readonly bookingMode?: VendorBookingMode;
  /** Bookings of this slot that were cancelled: their ids are never given again to another booking. */
  readonly cancelledBookingIds: readonly string[];
};

export type SlotState =
  | { readonly status: 'initial' }
  | ({ readonly status: 'published' } & PublishedSlot)
  | ({ readonly status: 'booked'; readonly bookingId: string } & PublishedSlot)
  | { readonly status: 'withdrawn'; readonly slotId: string; readonly effecteurId: string; readonly cancelledBookingIds: readonly string[] };

function decidePublish(command: PublishSlot, state: SlotState): SlotEvent[] {
  if (
    (state.status === 'published' || state.status === 'booked') &&
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
    case 'booked':
      throw conflictError(
        'BookedSlotCannotBeEdited',
        'Ce créneau est réservé : il ne peut être ni modifié ni retiré. Annulez d’abord la réservation.',
        { slotId: state.slotId },
      );
    case 'published':
      if (new Date(state.end).getTime() <= command.now.getTime()) {
        throw conflictError('PastSlotCannotBeWithdrawn', 'Un créneau passé ne peut plus être retiré.');
      }
      return [{ type: 'SlotWithdrawn', data: { slotId: state.slotId, effecteurId: state.effecteurId, reason: command.reason } }];
    default:
      return assertNever(state, 'slot state');
  }
}

/**
 * Booking rules:
 * - SlotAlreadyBooked: a slot has one patient; while booked, every other booking is refused (409);
 * - SlotWasWithdrawn / SlotHasStarted: a withdrawn slot, or one whose start has come, is not booked;
 * - BookingIdIsAlreadyUsed: a booking id names one booking forever (a cancelled one's id is not reused);
 * - the same booking sent again (same id, still active) is a client retry: nothing new happens.
 */
function decideBook(command: BookSlot, state: SlotState): SlotEvent[] {
  switch (state.status) {
    case 'initial':
      throw notFoundError('SlotDoesNotExist', `Le créneau ${command.slotId} n’existe pas.`);
    case 'withdrawn':
      throw conflictError('SlotWasWithdrawn', 'Ce créneau a été retiré par le professionnel : il ne peut plus être réservé.', { slotId: state.slotId });
    case 'booked':
      if (state.bookingId === command.bookingId) return [];
      throw conflictError('SlotAlreadyBooked', 'Ce créneau est déjà réservé.', { slotId: state.slotId });
    case 'published':
      if (state.cancelledBookingIds.includes(command.bookingId)) {
        throw conflictError('BookingIdIsAlreadyUsed', 'Cet identifiant de réservation a déjà été utilisé.', { bookingId: command.bookingId });
      }
      if (Date.parse(state.start) <= command.now.getTime()) {
        throw conflictError('SlotHasStarted', 'Ce créneau a déjà commencé : il ne peut plus être réservé.', { slotId: state.slotId });
      }
      return [
        {
          type: 'SlotBooked',
          data: {
            slotId: state.slotId,
            effecteurId: state.effecteurId,
            bookingId: command.bookingId,
            start: state.start,
            end: state.end,
            source: 'manual',
            remainingPlaces: 0,
            orientationId: command.orientationId,
          },
        },
      ];
    default:
      return assertNever(state, 'slot state');
  }
}

/** Cancelling frees the slot; an unknown booking is 404, an already cancelled one changes nothing. */
function decideCancel(command: CancelSlotBooking, state: SlotState): SlotEvent[] {
  if (state.status === 'initial') throw notFoundError('SlotDoesNotExist', `Le créneau ${command.slotId} n’existe pas.`);
  if (state.cancelledBookingIds.includes(command.bookingId)) return [];
  if (state.status !== 'booked' || state.bookingId !== command.bookingId) {
    throw notFoundError('BookingDoesNotExist', 'Cette réservation n’existe pas pour ce créneau.', { bookingId: command.bookingId });
  }
  return [
    {
      type: 'BookingCancelled',
      data: { slotId: state.slotId, effecteurId: state.effecteurId, bookingId: state.bookingId, reason: command.reason, remainingPlaces: 1 },
    },
  ];
}

function decideSyncVendor(command: SyncVendorSlot, state: SlotState): SlotEvent[] {
  const start = command.start.toISOString();
  const end = command.end.toISOString();
  const consultationTypes = [...new Set(command.consultationTypes)].sort();
  if (command.end.getTime() <= command.start.getTime()) throw validationError('SlotMustEndAfterItStarts', 'La fin du créneau doit être après son début.');
  if (consultationTypes.length === 0) throw validationError('SlotNeedsAConsultationType', 'Choisissez au moins un type de consultation.');
  const slot = {
    slotId: command.slotId,
    effecteurId: command.effecteurId,
    start,
    end,
    consultationTypes,
    source: 'vendor' as const,
    ...(command.bookingMode ? { bookingMode: command.bookingMode } : {}),
  };
  switch (state.status) {
    case 'initial':
    case 'withdrawn':
      return [{ type: 'SlotPublished', data: slot }];
    case 'booked':
      return [];
    case 'published': {
      const same =
        state.start === start &&
        state.end === end &&
        [...(state.consultationTypes ?? [])].sort().join() === consultationTypes.join() &&
        state.bookingMode === command.bookingMode;
      return same ? [] : [{ type: 'SlotChanged', data: slot }];
    }
    default:
      return assertNever(state, 'slot state');
  }
}

/** A manual slot of an effecteur: published, booked for a patient (and freed again by a cancellation), or withdrawn. */
export const slotDecider: Decider<SlotCommand, SlotEvent, SlotState> = {
  initialState: () => ({ status: 'initial' }),
  decide(command, state) {
    switch (command.type) {
      case 'PublishSlot':
        return decidePublish(command, state);
      case 'WithdrawSlot':
        return decideWithdraw(command, state);
      case 'BookSlot':
        return decideBook(command, state);
      case 'CancelBooking':
        return decideCancel(command, state);
      case 'SyncVendorSlot':
        return decideSyncVendor(command, state);
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
          consultationTypes: event.data.consultationTypes,
          ...(event.data.bookingMode ? { bookingMode: event.data.bookingMode } : {}),
          // A vendor slot withdrawn then offered again keeps the ids of its cancelled bookings.
          cancelledBookingIds: state.status === 'initial' ? [] : state.cancelledBookingIds,
        };
      case 'SlotChanged':
        if (state.status !== 'published' && state.status !== 'booked') return state;
        return { ...state, start: event.data.start, end: event.data.end, consultationTypes: event.data.consultationTypes, bookingMode: event.data.bookingMode };
      case 'SlotWithdrawn':
        return {
          status: 'withdrawn',
          slotId: event.data.slotId,
          effecteurId: event.data.effecteurId,
          cancelledBookingIds: state.status === 'initial' ? [] : state.cancelledBookingIds,
        };
      case 'SlotBooked':
        if (state.status !== 'published') return state;
        return { ...state, status: 'booked', bookingId: event.data.bookingId };
      case 'BookingCancelled': {
        if (state.status !== 'booked' || state.bookingId !== event.data.bookingId) return state;
        const { bookingId, ...slot } = state;
        return { ...slot, status: 'published', cancelledBookingIds: [...state.cancelledBookingIds, bookingId] };
      }
      default:
        // A vendor slot's stream also carries the FHIR Appointment endpoint's records and outcomes
        // (domain/vendor-appointment.ts): they do not change the slot itself.
        if (VENDOR_APPOINTMENT_EVENT_TYPES.includes((event as { type: string }).type)) return state;
        return assertNever(event, 'slot event');
    }
  },
};
