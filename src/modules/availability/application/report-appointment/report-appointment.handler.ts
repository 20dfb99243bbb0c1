import { CommandHandler } from '../../../../shared-kernel/application/command-handler.ts';
import { validationError } from '../../../../shared-kernel/errors/result.ts';
import type { CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { slotStreamName } from '../../contracts/availability.events.ts';
import { vendorAppointmentId, type VendorAppointment } from '../../domain/vendor-appointment.ts';
import {
  vendorAppointmentDecider,
  type ReportVendorAppointment,
  type VendorAppointmentRecord,
  type VendorSlotStreamEvent,
  type VendorSlotStreamState,
} from '../../domain/vendor-appointment.decider.ts';
import { vendorSlotId } from '../../domain/vendor-slot-id.ts';
import { findVendorAppointment } from '../../infrastructure/vendor-appointments.projection.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';

const handlers = new WeakMap<AvailabilityDeps, CommandHandler<ReportVendorAppointment, VendorSlotStreamEvent, VendorSlotStreamState>>();

function appointments(deps: AvailabilityDeps): CommandHandler<ReportVendorAppointment, VendorSlotStreamEvent, VendorSlotStreamState> {
  let handler = handlers.get(deps);
  if (handler === undefined) {
    handler = new CommandHandler(deps.eventStore, vendorAppointmentDecider, deps.newId);
    handlers.set(deps, handler);
  }
  return handler;
}

export interface ReportAppointmentResult {
  readonly record: VendorAppointmentRecord;
  /** true when this notification created the appointment (its first version), false for an update or a replay. */
  readonly created: boolean;
}

/**
 * A vendor (machine client `vendorId`) reports one of its appointments. The slot is the vendor's own:
 * `vendorSlotId(vendorId, <Slot id of Appointment.slot>)`, so a vendor can only ever reach its own slots and
 * appointments. One append on the slot's stream holds the slot's public event (SlotBooked, BookingCancelled,
 * AppointmentFulfilled, AppointmentNoShow) and the appointment's new version; the same notification again appends
 * nothing.
 */
export async function reportAppointment(
  deps: AvailabilityDeps,
  input: { vendorId: string; appointment: VendorAppointment; mode: 'create' | 'update' },
  ctx: CommandContext,
): Promise<ReportAppointmentResult> {
  const { vendorId, appointment } = input;
  const appointmentId = vendorAppointmentId(vendorId, appointment.identifier);
  const slotId = vendorSlotId(vendorId, appointment.fhirSlotId);
  // A known appointment naming another slot (a move at the vendor) would need two slots changed at once: refused.
  const known = await findVendorAppointment(deps.readDb, vendorId, appointmentId);
  if (known && known.slotId !== slotId) {
    throw validationError(
      'AppointmentCannotMoveToAnotherSlot',
      `Ce rendez-vous est rattaché au créneau Slot/${known.appointment.fhirSlotId} : pour le déplacer, annulez-le (status cancelled) et signalez le nouveau rendez-vous sous un nouvel identifiant.`,
    );
  }
  const result = await appointments(deps).handle(
    slotStreamName(slotId),
    { type: 'ReportVendorAppointment', vendorId, slotId, appointmentId, appointment, mode: input.mode, now: ctx.now },
    ctx,
    { retryOnConflict: true, maxAttempts: 5 },
  );
  const record = result.state.appointments.get(appointmentId)!;
  return { record, created: result.events.length > 0 && record.versionId === 1 };
}
