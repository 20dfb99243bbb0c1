import type { CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { agendaStreamName } from '../../contracts/availability.events.ts';
import type { AgendaCommand } from '../../domain/agenda.decider.ts';
import type { AgendaState } from '../../domain/agenda.state.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';

/** Commands as the application gives them: the agenda, the clock and the actor come from the context. */
export type AgendaCommandInput = AgendaCommand extends infer C ? (C extends AgendaCommand ? Omit<C, 'now' | 'by'> : never) : never;

/**
 * Runs one command on an effecteur's agenda stream: the agenda's events and the public events derived from them
 * (`agendaStreamDecider`) go in ONE append with the expected revision read. On a concurrency conflict (another
 * writer appended first) the stream is read again and the command decided again on the fresh state, so every rule
 * — overlap, capacity, "booked cannot be edited" — is judged on what is really there (a second booking of a slot
 * booked meanwhile is refused, never appended).
 */
export async function handleAgendaCommand(deps: AvailabilityDeps, input: AgendaCommandInput, ctx: CommandContext) {
  const command = { ...input, now: ctx.now, by: ctx.actor } as AgendaCommand;
  const result = await deps.agendas.handle(agendaStreamName(command.effecteurId), command, ctx, { retryOnConflict: true, maxAttempts: 5 });
  return { state: result.state, revision: result.revision, changed: result.events.length > 0, events: result.events };
}

/** The agenda as its stream now holds it (consistent right after a write), and the stream's revision. */
export async function loadAgenda(deps: AvailabilityDeps, effecteurId: string): Promise<{ state: AgendaState; revision: number }> {
  return deps.agendas.load(agendaStreamName(effecteurId));
}
