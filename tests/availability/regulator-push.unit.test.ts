/**
 * The regulator push's pure parts: the fold of identity's account events, the FrPractitionerRegul resource (checked by
 * the simulator's rules of the guide), the push plan (what is sent, when nothing is), and the failure messages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evolveRegulatorAccount, type RegulatorAccount } from '../../src/modules/availability/application/regulator-push/regulator-account.ts';
import { describeFailure, planPush, retryDelayMs, MAX_PUSH_DELAY_MS } from '../../src/modules/availability/application/regulator-push/regulator-push.job.ts';
import { regulatorPractitioner, regulatorPutUrl } from '../../src/modules/availability/infrastructure/fhir/regulator-practitioner.ts';
import type { PushRow } from '../../src/modules/availability/infrastructure/regulator-push/regulator-push.store.ts';
import { regulatorIssues } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.regulators.ts';
import { VendorFetchError } from '../../src/modules/availability/infrastructure/vendors/fhir-http.ts';
import { vendorSchema } from '../../src/modules/availability/infrastructure/vendors/vendor-registry.ts';
import type { AccountEvent } from '../../src/modules/identity/contracts/identity.events.ts';
import { ROLES, type Role } from '../../src/shared-kernel/auth/principal.ts';

const ID = '4b0d1c3e-1b2a-4c5d-8e9f-0a1b2c3d4e5f';
const fold = (events: AccountEvent[]) => events.reduce<RegulatorAccount | null>(evolveRegulatorAccount, null);
const created = (email: string | null = 'ines.garcia@sas.test'): AccountEvent => ({ type: 'AccountCreated', data: { accountId: ID, origin: 'regulation', givenName: 'Inès', familyName: 'Garcia', email } });
const granted = (role: Role): AccountEvent => ({ type: 'RoleGranted', data: { accountId: ID, role, territories: ['31'], effecteurIds: [] } });
const linked: AccountEvent = { type: 'AccountLinkedToPsc', data: { accountId: ID, nationalId: '810000100114', givenName: 'Inès-Marie', familyName: 'GARCIA', email: null } };
const row = (sent: { hash: string; active: boolean } | null): PushRow => ({
  accountId: ID,
  vendorId: 'v',
  status: sent ? 'sent' : 'pending',
  sentHash: sent?.hash ?? null,
  sentActive: sent?.active ?? null,
  sentAt: sent ? new Date(0).toISOString() : null,
  attempts: 0,
  lastAttemptAt: null,
  lastError: null,
  retryable: false,
  nextAttemptAt: null,
});
const sentRow = (account: RegulatorAccount) => {
  const plan = planPush(account, null);
  if (plan.kind !== 'send') throw new Error(`expected a send, got ${plan.kind}`);
  return row({ hash: plan.hash, active: plan.active });
};

describe('the account fold', () => {
  it('follows creation, roles, linking, deactivation and reactivation', () => {
    const regulator = fold([created(), granted('regulateur-osnp')]);
    expect(regulator).toMatchObject({ status: 'pending-link', nationalId: null, grants: [{ role: 'regulateur-osnp', territories: ['31'] }] });
    const active = evolveRegulatorAccount(regulator, linked)!;
    // Linking keeps the e-mail the gestionnaire entered when PSC gives none, and takes the PSC name.
    expect(active).toMatchObject({ status: 'active', nationalId: '810000100114', givenName: 'Inès-Marie', familyName: 'GARCIA', email: 'ines.garcia@sas.test' });
    const off = evolveRegulatorAccount(active, { type: 'AccountDeactivated', data: { accountId: ID, reason: null } })!;
    expect(off.status).toBe('deactivated');
    expect(evolveRegulatorAccount(off, { type: 'AccountReactivated', data: { accountId: ID } })!.status).toBe('active');
    expect(evolveRegulatorAccount(off, linked)!.status).toBe('deactivated');
    expect(evolveRegulatorAccount(active, { type: 'RoleRevoked', data: { accountId: ID, role: 'regulateur-osnp' } })!.grants).toEqual([]);
  });

  it('ignores events about an account it has not seen created', () => {
    expect(fold([granted('ioa'), linked])).toBeNull();
  });
});

describe('the FrPractitionerRegul resource', () => {
  it('meets the guide’s rules: SAS technical id, IDNPS once linked, active, name, the professional e-mail only', () => {
    for (const account of [fold([created(), granted('ioa')])!, fold([created(), granted('ioa'), linked])!]) {
      const built = regulatorPractitioner({ ...account, active: true });
      expect(built.ok).toBe(true);
      if (!built.ok) return;
      expect(regulatorIssues(built.resource)).toEqual([]);
      expect(Object.keys(built.resource).sort()).toEqual(['active', 'identifier', 'meta', 'name', 'resourceType', 'telecom']);
      expect(built.resource.telecom).toEqual([{ system: 'email', value: 'ines.garcia@sas.test' }]);
    }
  });

  it('leaves out a national id the guide does not accept, and refuses an account without e-mail', () => {
    const built = regulatorPractitioner({ accountId: ID, nationalId: '3456780581/11242343', givenName: 'A', familyName: 'B', email: 'a@b.fr', active: true });
    expect(built.ok && (built.resource.identifier as { system: string }[]).map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.213.3.6']);
    expect(regulatorPractitioner({ accountId: ID, nationalId: null, givenName: 'A', familyName: 'B', email: null, active: true })).toMatchObject({ ok: false });
  });

  it('is addressed by the account’s SAS technical identifier', () => {
    expect(regulatorPutUrl('https://editeur.example/fhir', ID)).toBe(`https://editeur.example/fhir/Practitioner?identifier=urn%3Aoid%3A1.2.250.1.213.3.6%7C${ID}`);
  });
});

describe('the push plan', () => {
  const regulator = fold([created(), granted('regulateur-osnp')])!;

  it('sends a regulator, then nothing while it is unchanged, then its change', () => {
    expect(planPush(regulator, null)).toMatchObject({ kind: 'send', active: true });
    expect(planPush(regulator, sentRow(regulator))).toEqual({ kind: 'up-to-date' });
    expect(planPush(regulator, sentRow(regulator), true)).toMatchObject({ kind: 'send' });
    expect(planPush(evolveRegulatorAccount(regulator, linked), sentRow(regulator))).toMatchObject({ kind: 'send', active: true });
  });

  it('deactivates at the vendor once what it received, and sends nothing for what it never received', () => {
    const off = evolveRegulatorAccount(regulator, { type: 'AccountDeactivated', data: { accountId: ID, reason: null } })!;
    expect(planPush(off, null)).toEqual({ kind: 'nothing' });
    const deactivation = planPush(off, sentRow(regulator));
    expect(deactivation).toMatchObject({ kind: 'send', active: false });
    if (deactivation.kind !== 'send') return;
    expect(regulatorIssues(deactivation.resource)).toEqual([]);
    expect(planPush(off, row({ hash: deactivation.hash, active: false }))).toEqual({ kind: 'up-to-date' });
    // A later change of a deactivated account is not worth a push.
    expect(planPush(evolveRegulatorAccount(off, linked), row({ hash: deactivation.hash, active: false }))).toEqual({ kind: 'up-to-date' });
  });

  it('never sends an account that never held regulateur-osnp or ioa, whatever its history (fast-check)', () => {
    const others = ROLES.filter((r) => r !== 'regulateur-osnp' && r !== 'ioa');
    const event = fc.oneof(
      fc.constantFrom(...others).map(granted),
      fc.constantFrom(...others).map((role): AccountEvent => ({ type: 'RoleRevoked', data: { accountId: ID, role } })),
      fc.constant(linked),
      fc.constant<AccountEvent>({ type: 'AccountDeactivated', data: { accountId: ID, reason: null } }),
      fc.constant<AccountEvent>({ type: 'AccountReactivated', data: { accountId: ID } }),
    );
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => planPush(fold([created(), ...events]), null).kind === 'nothing'));
  });

  it('sends a resource that meets the guide whenever it sends one (fast-check)', () => {
    const event = fc.oneof(
      fc.constantFrom(...ROLES).map(granted),
      fc.constantFrom(...ROLES).map((role): AccountEvent => ({ type: 'RoleRevoked', data: { accountId: ID, role } })),
      fc.constant(linked),
      fc.constant<AccountEvent>({ type: 'AccountDeactivated', data: { accountId: ID, reason: null } }),
      fc.constant<AccountEvent>({ type: 'AccountReactivated', data: { accountId: ID } }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), fc.boolean(), (events, everSent) => {
        const account = fold([created(), ...events])!;
        const plan = planPush(account, everSent ? row({ hash: 'x', active: true }) : null);
        return plan.kind !== 'send' || regulatorIssues(plan.resource).length === 0;
      }),
    );
  });
});

describe('failures', () => {
  it('say what the vendor answered, with its OperationOutcome', () => {
    const outcome = JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'duplicate', diagnostics: 'Un compte actif porte déjà cet identifiant.' }] });
    expect(describeFailure(new VendorFetchError('http', 'HTTP 409', 409, outcome))).toBe('L’éditeur a répondu HTTP 409 : Un compte actif porte déjà cet identifiant.');
    expect(describeFailure(new VendorFetchError('http', 'HTTP 503', 503, '<html>'))).toBe('L’éditeur a répondu HTTP 503.');
    expect(describeFailure(new VendorFetchError('timeout', 'pas de réponse en 7000 ms'))).toContain('Pas de réponse');
  });

  it('are retried with exponential back-off, capped', () => {
    const vendor = vendorSchema.parse({ id: 'editeur-a', name: 'A', fhirBaseUrl: 'https://a.example/fhir', capability: 'end-to-end', retryDelayMs: 500 });
    expect([1, 2, 3, 4].map((n) => retryDelayMs(vendor, n))).toEqual([500, 2_000, 8_000, 32_000]);
    expect(retryDelayMs(vendor, 20)).toBe(MAX_PUSH_DELAY_MS);
  });
});
