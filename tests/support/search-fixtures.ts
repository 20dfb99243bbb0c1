/**
 * Fixtures of the search tests over the real platform: valid RPPS numbers, practitioners registered through the
 * directory's own command, and public events (a published slot, any other) appended as their modules would.
 */
import { randomUUID } from 'node:crypto';
import { slotStreamName } from '../../src/modules/availability/contracts/availability.events.ts';
import { practitionerStreamName } from '../../src/modules/directory/contracts/directory.events.ts';
import { DIRECTORY } from '../../src/modules/directory/directory.tokens.ts';
import type { EventMetadata } from '../../src/shared-kernel/events/envelope.ts';
import type { TestPlatform } from './test-platform.ts';

export const HOUR = 3_600_000;

/** An 11-digit RPPS with its Luhn check digit, in the `19…` range (the demo range) unless another is given. */
export function testRpps(base: number, range = 1_900_000_000): string {
  const body = String(range + base).padStart(10, '0');
  for (let d = 0; d <= 9; d++) {
    const candidate = body + d;
    let sum = 0;
    for (let i = 0; i < 11; i++) {
      let n = Number(candidate[10 - i]);
      if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
      sum += n;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

/** The metadata of an event a test appends. */
export const testMetadata = (): EventMetadata => ({
  eventId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  actor: { accountId: 'test', role: 'system' },
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
});

/** Registers a practitioner with one place of practice through the directory's command. */
export async function registerPractitioner(
  t: TestPlatform,
  p: { rpps: string; familyName: string; inseeCode: string; postcode: string; professionCode?: string; specialtyCode?: string | null },
): Promise<void> {
  const professionCode = p.professionCode ?? '10';
  const specialtyCode = p.specialtyCode === undefined ? 'SM54' : p.specialtyCode;
  await t.platform.containers.get('directory')!.get(DIRECTORY.deps).practitioners.handle(
    practitionerStreamName(p.rpps),
    {
      type: 'SyncPractitioner',
      snapshot: {
        identity: { rpps: p.rpps, nationalId: `8${p.rpps}`, civility: 'DR', givenName: 'Alex', familyName: p.familyName, professionCode, professionLabel: 'Médecin', specialtyCode, specialtyLabel: specialtyCode ? 'Médecine générale' : null },
        locations: [{ locationId: `loc-${p.rpps}`, structureName: 'Cabinet', siret: null, finessSite: null, streetNumber: '1', streetName: 'Rue du Test', postcode: p.postcode, communeName: null, inseeCode: p.inseeCode, phone: '05 61 00 00 00', modeExercice: 'L', secteurActivite: null }],
      },
    },
    { actor: { accountId: 'test', role: 'system' }, correlationId: randomUUID(), now: new Date() },
  );
}

/** Publishes a 20-minute slot starting `inHours` after `now`; answers its id. */
export async function publishSlot(t: TestPlatform, rpps: string, now: number, inHours: number, source: 'manual' | 'vendor', consultationTypes = ['cabinet']): Promise<string> {
  const slotId = randomUUID();
  const start = now + inHours * HOUR;
  await t.platform.eventStore.appendToStream(
    slotStreamName(slotId),
    [{ type: 'SlotPublished', data: { slotId, effecteurId: rpps, start: new Date(start).toISOString(), end: new Date(start + 1_200_000).toISOString(), consultationTypes, source }, metadata: testMetadata() }],
    { expectedRevision: 'no-stream' },
  );
  return slotId;
}
