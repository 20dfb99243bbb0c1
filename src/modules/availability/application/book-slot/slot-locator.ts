import { conflictError, notFoundError } from '../../../../shared-kernel/errors/result.ts';
import { slotStreamName } from '../../contracts/availability.events.ts';
import { findIndexedSlot } from '../../infrastructure/slot-index.projection.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';

/** Where a bookable slot lives: a manual slot's own stream, or an occurrence of an effecteur's agenda. */
export type LocatedSlot =
  | { readonly kind: 'slot'; readonly slotId: string; readonly streamName: string }
  | { readonly kind: 'agenda'; readonly slotId: string; readonly streamName: string; readonly effecteurId: string; readonly withdrawn: boolean };

const AGENDA_STREAM = 'availability.agenda-';

/**
 * Finds the aggregate behind a public slot id with the slot index (availability_slot_index). A manual slot just
 * published may not be indexed yet: its stream name is its id, so it is looked up there directly (a booking right
 * after the publication works). Vendor slots are booked at the vendor (end-to-end redirect), never here.
 */
export async function locateSlot(deps: AvailabilityDeps, slotId: string): Promise<LocatedSlot> {
  const indexed = await findIndexedSlot(deps.readDb, slotId);
  if (indexed === null) {
    const { state } = await deps.slots.load(slotStreamName(slotId));
    if (state.status === 'initial') throw notFoundError('SlotDoesNotExist', `Le créneau ${slotId} n’existe pas.`, { slotId });
    return { kind: 'slot', slotId, streamName: slotStreamName(slotId) };
  }
  if (indexed.source === 'vendor') {
    throw conflictError(
      'VendorSlotIsBookedAtTheVendor',
      'Ce créneau provient du logiciel de prise de rendez-vous du professionnel : la réservation se fait chez l’éditeur (redirection depuis la fiche), pas sur la plateforme.',
      { slotId },
    );
  }
  if (indexed.streamName === slotStreamName(slotId)) return { kind: 'slot', slotId, streamName: indexed.streamName };
  if (indexed.streamName.startsWith(AGENDA_STREAM)) {
    return { kind: 'agenda', slotId, streamName: indexed.streamName, effecteurId: indexed.effecteurId, withdrawn: indexed.withdrawn };
  }
  // A manual slot on a stream this use case does not know: refuse rather than guess.
  throw conflictError('SlotCannotBeBookedHere', 'Ce créneau ne peut pas être réservé sur la plateforme.', { slotId });
}
