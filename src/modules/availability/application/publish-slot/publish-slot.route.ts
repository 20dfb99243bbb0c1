import { z } from 'zod';
import type { RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { parseInput } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { CONSULTATION_TYPES } from '../../contracts/availability.events.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { editAgendaPolicy } from '../availability.policies.ts';
import { publishSlot } from './publish-slot.handler.ts';
import { parseRpps } from '../../../../shared-kernel/ids/rpps.id.ts';

const instant = z.iso.datetime({ offset: true, message: 'attendu : un instant ISO-8601 avec fuseau, ex. 2026-11-23T09:00:00+01:00' });

export const publishSlotBody = z.strictObject({
  slotId: z.uuid({ message: 'attendu : un UUID' }).optional(),
  effecteurId: z.string({ message: 'attendu : le RPPS de l’effecteur (11 chiffres)' }).max(20),
  start: instant,
  end: instant,
  consultationTypes: z
    .array(z.enum(CONSULTATION_TYPES, { message: `attendu : ${CONSULTATION_TYPES.join(', ')}` }))
    .min(1, 'au moins un type de consultation')
    .max(CONSULTATION_TYPES.length)
    .default(['cabinet']),
});

/** POST /api/availability/slots — publish a manual slot. */
export function publishSlotRoute(deps: AvailabilityDeps): RouteDefinition<z.infer<typeof publishSlotBody>> {
  return {
    method: 'post',
    path: '/availability/slots',
    summary: 'Publish a manual slot',
    docs: { body: publishSlotBody },
    // The body is validated first, so that the policy judges a well-formed RPPS and a mistyped one gets a 400.
    async resource(req) {
      const body = parseInput(publishSlotBody, req.body ?? {}, 'body');
      const rpps = parseRpps(body.effecteurId);
      if (!rpps.ok) throw rpps.error;
      return { ...body, effecteurId: rpps.value };
    },
    policy: editAgendaPolicy((body) => body.effecteurId),
    async handle(req, res, { resource: body }) {
      const result = await publishSlot(deps, { ...body, start: new Date(body.start), end: new Date(body.end) }, commandContext(req, deps.clock));
      res
        .status(result.created ? 201 : 200)
        .location(`/api/availability/slots/${result.slotId}`)
        .json({ slotId: result.slotId, revision: result.revision });
    },
  };
}
