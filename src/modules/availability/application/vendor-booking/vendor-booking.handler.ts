/**
 * End-to-end booking through a vendor (issue #5 part 6; guide §2 "Redirect"): the regulator clicks a vendor slot and
 * the platform sends the browser to the vendor's booking page — the slot's `Slot.comment` as the aggregation kept it —
 * with `origin=sas…` appended (the vendor's SSO recognises a regulator coming from the SAS). The vendor then reports
 * the appointment to `POST /fhir/Appointment`, which books the slot (`SlotBooked`, source vendor).
 *
 * Only the vendor's URL and `origin` leave the platform: NEVER patient data (the route accepts no parameter at all).
 * Slots that cannot be booked this way are refused with 409 and a French sentence saying how to book instead.
 */
import { conflictError, notFoundError } from '../../../../shared-kernel/errors/result.ts';
import { slotStreamName } from '../../contracts/availability.events.ts';
import { findIndexedSlot } from '../../infrastructure/slot-index.projection.ts';
import { knownSlotsById } from '../../infrastructure/vendors/vendor-aggregation.store.ts';
import type { VendorRegistry } from '../../infrastructure/vendors/vendor-registry.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';

export interface VendorBookingTarget {
  /** The vendor's booking page with `origin` appended. */
  readonly url: string;
  readonly vendorId: string;
}

/** `url` with `origin=<origin>` appended (`?` or `&`, whichever the URL needs; the guide accepts both). */
export function withOrigin(url: string, origin: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has('origin')) parsed.searchParams.delete('origin'); // the platform's origin only
  parsed.hash = ''; // a fragment would swallow the parameter
  const base = parsed.toString().replace(/\?$/, ''); // an empty query ("…?")
  return `${base}${parsed.search ? '&' : '?'}origin=${encodeURIComponent(origin)}`;
}

const CALL_THE_PRACTITIONER = 'appelez le professionnel pour convenir du rendez-vous';

/** Where to send the regulator to book `slotId` at its vendor, or the domain error saying why not (404 / 409). */
export async function vendorBookingTarget(deps: AvailabilityDeps, registry: VendorRegistry, slotId: string): Promise<VendorBookingTarget> {
  const [known] = await knownSlotsById(deps.readDb, [slotId]);
  if (!known) {
    const indexed = await findIndexedSlot(deps.readDb, slotId);
    if (indexed === null) {
      // A manual slot just published may not be indexed yet: its own stream says it exists.
      const { state } = await deps.slots.load(slotStreamName(slotId));
      if (state.status === 'initial') throw notFoundError('SlotDoesNotExist', `Le créneau ${slotId} n’existe pas.`, { slotId });
    } else if (indexed.source === 'vendor') {
      // Known to search but no longer to the aggregation (started, or the vendor left the registry).
      throw conflictError('VendorSlotIsNoLongerOffered', `Ce créneau n’est plus proposé par le logiciel d’agenda du professionnel : ${CALL_THE_PRACTITIONER}.`, { slotId });
    }
    throw conflictError(
      'SlotIsBookedOnThePlatform',
      'Ce créneau a été saisi sur la plateforme, pas chez un éditeur : appelez le professionnel, puis réservez-le sur la plateforme (bouton « Réserver »).',
      { slotId },
    );
  }
  const vendor = registry.get(known.vendorId);
  if (!vendor) {
    throw conflictError('VendorSlotIsNoLongerOffered', `Le logiciel d’agenda de ce créneau n’est plus raccordé à la plateforme : ${CALL_THE_PRACTITIONER}.`, { slotId });
  }
  if (vendor.capability !== 'end-to-end') {
    throw conflictError(
      'VendorOffersNoEndToEndBooking',
      `Le logiciel d’agenda de ce professionnel (${vendor.name}) partage ses créneaux mais ne permet pas de réserver depuis le SAS : ${CALL_THE_PRACTITIONER}.`,
      { slotId, vendorId: vendor.id },
    );
  }
  // The slot's stream is the truth (the aggregation's row may not know of a booking reported a moment ago).
  const { state } = await deps.slots.load(slotStreamName(slotId));
  if (state.status === 'booked') throw conflictError('SlotAlreadyBooked', 'Ce créneau est déjà réservé : choisissez-en un autre.', { slotId });
  if (state.status !== 'published') throw conflictError('SlotWasWithdrawn', 'Ce créneau n’est plus proposé par l’éditeur : choisissez-en un autre.', { slotId });
  if (Date.parse(state.start) <= deps.clock().getTime()) {
    throw conflictError('SlotHasStarted', 'Ce créneau a déjà commencé : il ne peut plus être réservé.', { slotId });
  }
  if (!known.bookingUrl) {
    throw conflictError(
      'VendorBookingUrlIsUnknown',
      `L’adresse de réservation de l’éditeur n’est pas encore connue pour ce créneau : réessayez après la prochaine mise à jour des créneaux, ou ${CALL_THE_PRACTITIONER}.`,
      { slotId, vendorId: vendor.id },
    );
  }
  return { url: withOrigin(known.bookingUrl, vendor.bookingOrigin), vendorId: vendor.id };
}
