import { nameBasedUuid } from '../../../shared-kernel/ids/uuid.ts';

/** The namespace of vendor slot ids (a fixed random UUID). */
const NAMESPACE = '9b7d2a4e-61c3-4f0e-8d25-3a6e1f4c7b90';

/**
 * The platform's slot id of a vendor's FHIR Slot: a name-based UUID (version 5) of the vendor's id (as configured
 * in the vendor registry) and the Slot's logical id at that vendor. Stable: the aggregation job that publishes the
 * slot and the FHIR Appointment endpoint that books it (the vendor's `Appointment.slot` reference) compute the
 * same id, and the slot lives on the stream `slotStreamName(id)` (`availability.slot-<id>`, source 'vendor').
 */
export const vendorSlotId = (vendorId: string, fhirSlotId: string): string => nameBasedUuid(NAMESPACE, `${vendorId}\n${fhirSlotId}`);
