import type { Request } from 'express';
import { z } from 'zod';
import type { RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { bookSlot } from './book-slot.handler.ts';
import { bookingPolicy } from './booking.policy.ts';

export const bookingSlotParams = z.strictObject({ slotId: z.uuid({ message: 'attendu : l’identifiant (UUID) du créneau' }) });

/** The body: the orientation the booking is for, if known — and nothing else (never any patient data). */
export const bookSlotBody = z.strictObject({ orientationId: z.uuid({ message: 'attendu : l’identifiant (UUID) de l’orientation' }).optional() });

const IDEMPOTENCY_KEY_MESSAGE = 'attendu : un UUID choisi par le client, le même à chaque nouvel essai';

/** The `Idempotency-Key` header, when sent: a UUID, else 400. */
function idempotencyKey(req: Request): string | undefined {
  const value = req.header('idempotency-key');
  if (value === undefined) return undefined;
  if (!z.uuid().safeParse(value).success) {
    const errors = [{ path: 'headers.Idempotency-Key', message: IDEMPOTENCY_KEY_MESSAGE }];
    throw new HttpProblem(problem(400, 'invalid-request', `headers.Idempotency-Key: ${IDEMPOTENCY_KEY_MESSAGE}`, { errors }));
  }
  return value.toLowerCase();
}

/**
 * POST /api/slots/:slotId/bookings — book a place of a manual slot or range for a patient.
 * Idempotency: an optional `Idempotency-Key` header (a UUID) becomes the booking id; a client that sends the same
 * request again with the same key gets its booking back (200) instead of a second booking. Without the header
 * every request is a new booking attempt.
 */
export function bookSlotRoute(deps: AvailabilityDeps): RouteDefinition {
  return {
    method: 'post',
    path: '/slots/:slotId/bookings',
    summary: 'Book a manual slot or a place of a range (Idempotency-Key header: a UUID, the booking id)',
    docs: { body: bookSlotBody },
    policy: bookingPolicy,
    async handle(req, res) {
      const { slotId } = parseInput(bookingSlotParams, req.params, 'params');
      const body = parseInput(bookSlotBody, req.body ?? {}, 'body');
      const key = idempotencyKey(req);
      const result = await bookSlot(
        deps,
        { slotId, bookingId: key ?? deps.newId(), orientationId: body.orientationId ?? null },
        commandContext(req, deps.clock),
      );
      res
        .status(result.created ? 201 : 200)
        .location(`/api/slots/${slotId}/bookings/${result.bookingId}`)
        .json({ bookingId: result.bookingId, slotId, remainingPlaces: result.remainingPlaces });
    },
  };
}
