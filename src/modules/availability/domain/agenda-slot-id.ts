import { createHash } from 'node:crypto';

/** The namespace of agenda slot ids (a fixed random UUID): ids of other origins can never collide with them. */
const NAMESPACE = Buffer.from('5f0c6f7e3b0a4c1f9a51d0c7c2b8e4a1', 'hex');

/**
 * The public slot id of an agenda occurrence: a name-based UUID (RFC 9562 version 5, SHA-1) of the effecteur's
 * RPPS and the occurrence id. Stable (the same occurrence always has the same slot id, so a projection or a
 * replay recomputes it) and URL-safe (occurrence ids of a series contain `/`).
 */
export function agendaSlotId(effecteurId: string, occurrenceId: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${effecteurId}\n${occurrenceId}`, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
