import { z } from 'zod';
import type { RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { parseInput } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { bookingPolicy } from '../book-slot/booking.policy.ts';
import { cancelBooking, CANCELLATION_REASONS } from './cancel-booking.handler.ts';

const params = z.strictObject({
  slotId: z.uuid({ message: 'attendu : l’identifiant (UUID) du créneau' }),
  bookingId: z.uuid({ message: 'attendu : l’identifiant (UUID) de la réservation' }),
});
const query = z.strictObject({
  reason: z.enum(CANCELLATION_REASONS, { message: `attendu : ${CANCELLATION_REASONS.join(', ')}` }).optional(),
});

/** DELETE /api/slots/:slotId/bookings/:bookingId — cancel a booking: the place is free again (idempotent). */
export function cancelBookingRoute(deps: AvailabilityDeps): RouteDefinition {
  return {
    method: 'delete',
    path: '/slots/:slotId/bookings/:bookingId',
    summary: 'Cancel a booking of a manual slot or range (frees the place)',
    docs: { query },
    policy: bookingPolicy,
    async handle(req, res) {
      const { slotId, bookingId } = parseInput(params, req.params, 'params');
      const { reason } = parseInput(query, req.query, 'query');
      await cancelBooking(deps, { slotId, bookingId, reason: reason ?? null }, commandContext(req, deps.clock));
      res.status(204).end();
    },
  };
}
