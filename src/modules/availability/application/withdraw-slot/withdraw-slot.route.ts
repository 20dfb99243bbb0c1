import type { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { withdrawSlot } from './withdraw-slot.handler.ts';

export const slotIdParams = z.strictObject({ slotId: z.uuid({ message: 'attendu : un UUID' }) });
const withdrawQuery = z.strictObject({ reason: z.string().max(200).optional() });

/** DELETE /api/availability/slots/:slotId — withdraw a manual slot (idempotent). */
export function withdrawSlotRoute(router: Router, deps: AvailabilityDeps): void {
  router.delete('/availability/slots/:slotId', async (req, res) => {
    const { slotId } = parseInput(slotIdParams, req.params, 'params');
    const { reason } = parseInput(withdrawQuery, req.query, 'query');
    await withdrawSlot(deps, { slotId, reason: reason ?? null }, commandContext(req, deps.clock));
    res.status(204).end();
  });
}
