import { nameBasedUuid } from '../../../shared-kernel/ids/uuid.ts';

/** The namespace of agenda slot ids (a fixed random UUID): ids of other origins can never collide with them. */
const NAMESPACE = '5f0c6f7e-3b0a-4c1f-9a51-d0c7c2b8e4a1';

/**
 * The public slot id of an agenda occurrence: a name-based UUID (version 5) of the effecteur's RPPS and the
 * occurrence id. Stable (the same occurrence always has the same slot id, so a projection or a replay recomputes
 * it) and URL-safe (occurrence ids of a series contain `/`).
 */
export const agendaSlotId = (effecteurId: string, occurrenceId: string): string => nameBasedUuid(NAMESPACE, `${effecteurId}\n${occurrenceId}`);
