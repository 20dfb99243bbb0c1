import type { RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { z } from 'zod';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { parseRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { CONSULTATION_TYPES } from '../../contracts/availability.events.ts';
import { queryFreeSlots } from '../../infrastructure/free-slots.projection.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { readAgendaPolicy } from '../availability.policies.ts';
import { loadSlot, type LoadedSlot } from '../withdraw-slot/withdraw-slot.route.ts';

const listQuery = z.strictObject({
  effecteurId: z.string().max(20).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  consultationType: z.enum(CONSULTATION_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

const encodeCursor = (row: { start: string; slotId: string }) => Buffer.from(`${row.start}|${row.slotId}`).toString('base64url');

function decodeCursor(cursor: string): { start: string; slotId: string } {
  const [start, slotId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const parsed = z.object({ start: z.iso.datetime({ offset: true }), slotId: z.uuid() }).safeParse({ start, slotId });
  if (!parsed.success) throw new HttpProblem(problem(400, 'invalid-cursor', 'Le curseur de pagination est invalide.'));
  return parsed.data;
}

/** GET /api/availability/slots — upcoming free slots, by start; GET /api/availability/slots/:id — one slot's state. */
export function listFreeSlotsRoutes(deps: AvailabilityDeps): RouteDefinition<any>[] {
  const list: RouteDefinition = {
    method: 'get',
    path: '/availability/slots',
    summary: 'List upcoming free slots',
    docs: { query: listQuery },
    policy: readAgendaPolicy<undefined>((_r, query) => (query as { effecteurId?: unknown }).effecteurId),
    async handle(req, res) {
      const q = parseInput(listQuery, req.query, 'query');
      let effecteurId: string | undefined;
      if (q.effecteurId !== undefined) {
        const rpps = parseRpps(q.effecteurId);
        if (!rpps.ok) throw rpps.error;
        effecteurId = rpps.value;
      }
      const rows = await queryFreeSlots(deps.readDb, {
        now: deps.clock(),
        limit: q.limit,
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(effecteurId ? { effecteurId } : {}),
        ...(q.consultationType ? { consultationType: q.consultationType } : {}),
        ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
      });
      const last = rows[rows.length - 1];
      res.json({ items: rows, nextCursor: rows.length === q.limit && last ? encodeCursor(last) : null });
    },
  };

  // Read from the slot's own stream: consistent immediately after a write, unlike the list.
  const one: RouteDefinition<LoadedSlot> = {
    method: 'get',
    path: '/availability/slots/:slotId',
    summary: 'One slot, from its stream',
    policy: readAgendaPolicy<LoadedSlot>((slot) => slot.state.effecteurId),
    resource: loadSlot(deps),
    handle(_req, res, { resource }) {
      res.setHeader('ETag', `"${resource.revision}"`).json({ ...resource.state, revision: resource.revision });
    },
  };
  return [list, one];
}
