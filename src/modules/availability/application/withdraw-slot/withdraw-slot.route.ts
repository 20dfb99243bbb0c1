import type { Request } from 'express';
import { z } from 'zod';
import type { RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { slotStreamName } from '../../contracts/availability.events.ts';
import type { SlotState } from '../../domain/slot.decider.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { editAgendaPolicy } from '../availability.policies.ts';
import { withdrawSlot } from './withdraw-slot.handler.ts';

export const slotIdParams = z.strictObject({ slotId: z.uuid({ message: 'attendu : un UUID' }) });
const withdrawQuery = z.strictObject({ reason: z.string().max(200).optional() });

export type LoadedSlot = { readonly slotId: string; readonly state: Exclude<SlotState, { status: 'initial' }>; readonly revision: number };

/** Loads the slot named in the path (404 when unknown), for the policy to judge whose agenda it is in. */
export function loadSlot(deps: AvailabilityDeps) {
  return async (req: Request): Promise<LoadedSlot> => {
    const { slotId } = parseInput(slotIdParams, req.params, 'params');
    const { state, revision } = await deps.slots.load(slotStreamName(slotId));
    if (state.status === 'initial') throw new HttpProblem(problem(404, 'SlotDoesNotExist', `Le créneau ${slotId} n’existe pas.`));
    return { slotId, state, revision };
  };
}

/** DELETE /api/availability/slots/:slotId — withdraw a manual slot (idempotent). */
export function withdrawSlotRoute(deps: AvailabilityDeps): RouteDefinition<LoadedSlot> {
  return {
    method: 'delete',
    path: '/availability/slots/:slotId',
    summary: 'Withdraw a manual slot',
    policy: editAgendaPolicy<LoadedSlot>((slot) => slot.state.effecteurId),
    resource: loadSlot(deps),
    async handle(req, res, { resource }) {
      const { reason } = parseInput(withdrawQuery, req.query, 'query');
      await withdrawSlot(deps, { slotId: resource.slotId, reason: reason ?? null }, commandContext(req, deps.clock));
      res.status(204).end();
    },
  };
}
