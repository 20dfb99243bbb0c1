/**
 * PUT /api/agendas/{rpps}/vendor-display — the effecteur (or its délégataire) accepts or refuses the display of its
 * booking vendors' slots on the SAS. Body `{ "displayed": false }` refuses: from the next poll of each vendor its
 * vendor slots are withdrawn and none is published; `{ "displayed": true }` accepts again. GET answers the choice.
 */
import { z } from 'zod';
import type { Request } from 'express';
import type { RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { parseInput } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { isRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { vendorDisplayStreamName } from '../../contracts/vendor-aggregation.events.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { editAgendaPolicy } from '../availability.policies.ts';
import { CommandHandler } from '../../../../shared-kernel/application/command-handler.ts';
import { vendorDisplayDecider } from '../../domain/vendor-display.decider.ts';

const params = z.strictObject({ rpps: z.string().refine(isRpps, 'attendu : un RPPS (11 chiffres, clé de Luhn)') });
const body = z.strictObject({ displayed: z.boolean({ message: 'attendu : displayed, vrai (afficher les créneaux des éditeurs) ou faux (les masquer)' }) });

type Target = { readonly effecteurId: string };
const target = async (req: Request): Promise<Target> => ({ effecteurId: parseInput(params, req.params, 'params').rpps });

export function vendorDisplayRoute(deps: AvailabilityDeps): RouteDefinition<Target> {
  const handler = new CommandHandler(deps.eventStore, vendorDisplayDecider, deps.newId);
  return {
    method: 'put',
    path: '/agendas/:rpps/vendor-display',
    summary: 'Accept or refuse the display of the effecteur’s booking-vendor slots on the SAS',
    docs: { body },
    policy: editAgendaPolicy<Target>((t) => t.effecteurId),
    resource: target,
    async handle(req, res, { resource }) {
      const { displayed } = parseInput(body, req.body ?? {}, 'body');
      const result = await handler.handle(
        vendorDisplayStreamName(resource.effecteurId),
        { type: 'SetVendorSlotDisplay', effecteurId: resource.effecteurId, displayed },
        commandContext(req, deps.clock),
        { retryOnConflict: true },
      );
      res.json({ effecteurId: resource.effecteurId, displayed: result.state.status === 'accepted' });
    },
  };
}
