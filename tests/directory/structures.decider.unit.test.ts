/** The structure decider: FINESS sync by differences, platform registration, members by RPPS, closure. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../../src/shared-kernel/decider/decider.ts';
import { deciderSpecification } from '../../src/shared-kernel/decider/decider-specification.ts';
import type { StructureDetails, StructureIntegrationEvent } from '../../src/modules/directory/contracts/directory.events.ts';
import {
  structureDecider,
  type FinessStructureSnapshot,
  type RegisterOnPlatform,
  type StructureCommand,
} from '../../src/modules/directory/domain/structure.decider.ts';

const spec = deciderSpecification(structureDecider);

const RPPS_A = '10991003103';
const RPPS_B = '10000000009';
const ID = 'finess-310100011';
const snapshot: FinessStructureSnapshot = {
  structureId: ID,
  kind: 'cpts',
  finess: '310100011',
  finessCategory: '604',
  siret: null,
  name: 'CPTS TOULOUSE NORD',
  address: { inseeCode: '31555', postcode: '31000', street: '12 R DES AMIDONNIERS' },
  phone: '0561000101',
};
const details: StructureDetails = { ...snapshot, source: 'finess' };
const registered: StructureIntegrationEvent = { type: 'StructureRegistered', data: details };
const joined = (rpps: string): StructureIntegrationEvent => ({ type: 'StructureMemberJoined', data: { structureId: ID, rpps } });
const closed: StructureIntegrationEvent = { type: 'StructureClosed', data: { structureId: ID, reason: 'absent-from-finess-extract' } };

const SOS = '7d0c2a8e-3f5b-4c1e-9a2d-6b8e0f1a2c3d';
const register: RegisterOnPlatform = {
  type: 'RegisterOnPlatform',
  structureId: SOS,
  kind: 'sos-medecins',
  name: '  SOS Médecins Toulouse ',
  address: { inseeCode: '31555', postcode: '31400', street: '2 rue des Urgences' },
  phone: '0561000000',
  siret: '73282932000074',
  managerAccountId: 'acc-1',
};

describe('structure decider: FINESS synchronisation', () => {
  it('registers a structure seen for the first time, with exactly the known fields', () => {
    spec.given([]).when({ type: 'SyncFromFiness', snapshot: { ...snapshot, extra: 'ignored' } as FinessStructureSnapshot }).then([registered]);
  });

  it('emits nothing when the same snapshot comes again', () => {
    spec.given([registered]).when({ type: 'SyncFromFiness', snapshot }).thenNothingHappens();
  });

  it('emits the whole new details when one field changed', () => {
    const moved = { ...snapshot, address: { ...snapshot.address, street: '14 R DES AMIDONNIERS' } };
    spec.given([registered]).when({ type: 'SyncFromFiness', snapshot: moved }).then([{ type: 'StructureDetailsChanged', data: { ...moved, source: 'finess' } }]);
    spec.given([registered]).when({ type: 'SyncFromFiness', snapshot: { ...snapshot, phone: null } }).then([{ type: 'StructureDetailsChanged', data: { ...details, phone: null } }]);
  });

  it('keeps members across a FINESS change of details', () => {
    const state = fold(structureDecider, [registered, joined(RPPS_A), { type: 'StructureDetailsChanged', data: { ...details, name: 'CPTS NORD' } }]);
    expect(state).toMatchObject({ status: 'active', members: [RPPS_A], details: { name: 'CPTS NORD' } });
  });

  it('registers again a closed structure found in a newer extraction, without its former members', () => {
    spec.given([registered, joined(RPPS_A), closed]).when({ type: 'SyncFromFiness', snapshot }).then([registered]);
    expect(fold(structureDecider, [registered, joined(RPPS_A), closed, registered])).toMatchObject({ status: 'active', members: [] });
  });

  it('refuses a snapshot of another structure on this stream', () => {
    spec.given([registered]).when({ type: 'SyncFromFiness', snapshot: { ...snapshot, structureId: 'finess-310100029' } }).thenFails('StructureMismatch');
  });

  it('re-importing any snapshot twice appends nothing the second time (property)', () => {
    const arb = fc.record({
      name: fc.constantFrom('A', 'B'),
      phone: fc.option(fc.constantFrom('0561000101', '0561000102'), { nil: null }),
      street: fc.option(fc.constantFrom('1 R X', '2 R Y'), { nil: null }),
      kind: fc.constantFrom('cpts' as const, 'msp' as const),
    });
    fc.assert(
      fc.property(fc.array(arb, { minLength: 1, maxLength: 6 }), (variants) => {
        let history: StructureIntegrationEvent[] = [];
        for (const v of variants) {
          const snap: FinessStructureSnapshot = { ...snapshot, name: v.name, phone: v.phone, kind: v.kind, address: { ...snapshot.address, street: v.street } };
          history = [...history, ...structureDecider.decide({ type: 'SyncFromFiness', snapshot: snap }, fold(structureDecider, history))];
          expect(structureDecider.decide({ type: 'SyncFromFiness', snapshot: snap }, fold(structureDecider, history))).toEqual([]);
          expect(fold(structureDecider, history)).toMatchObject({ status: 'active', details: { name: v.name, phone: v.phone, kind: v.kind } });
        }
      }),
    );
  });
});

describe('structure decider: platform structures', () => {
  it('registers an SOS Médecins association without FINESS, its creator becoming its manager', () => {
    spec.given([]).when(register).then([
      {
        type: 'StructureRegistered',
        data: { structureId: SOS, kind: 'sos-medecins', finess: null, finessCategory: null, siret: '73282932000074', name: 'SOS Médecins Toulouse', address: register.address, phone: '0561000000', source: 'platform' },
      },
      { type: 'StructureManagerAssigned', data: { structureId: SOS, accountId: 'acc-1' } },
    ]);
  });

  it('registers without a manager when an administrator creates it', () => {
    const events = structureDecider.decide({ ...register, managerAccountId: null }, structureDecider.initialState());
    expect(events.map((e) => e.type)).toEqual(['StructureRegistered']);
  });

  it('refuses a SIRET without 14 digits and a valid key', () => {
    expect(() => structureDecider.decide({ ...register, siret: '73282932000075' }, structureDecider.initialState())).toThrow(/SIRET/);
    expect(() => structureDecider.decide({ ...register, siret: '7328293200007' }, structureDecider.initialState())).toThrow(/SIRET/);
  });

  it('reads a structure registered before SIRETs were recorded as having none', () => {
    const { siret: _, ...old } = details;
    const state = structureDecider.evolve(structureDecider.initialState(), { type: 'StructureRegistered', data: old });
    expect(state).toMatchObject({ details: { siret: null } });
    spec.given([{ type: 'StructureRegistered', data: old }]).when({ type: 'SyncFromFiness', snapshot }).thenNothingHappens();
  });

  it('refuses a second registration and an empty name', () => {
    const events = structureDecider.decide(register, structureDecider.initialState());
    spec.given(events).when(register).thenFails('StructureAlreadyExists');
    spec.given([]).when({ ...register, name: '   ' }).thenFails('StructureNameRequired');
  });

  it('changes the details of a platform structure, only the fields given, and only when they differ', () => {
    const created = structureDecider.decide(register, structureDecider.initialState());
    const data = created[0]!.data as StructureDetails;
    spec.given(created).when({ type: 'ChangeOnPlatform', siret: '73282932000082' }).then([{ type: 'StructureDetailsChanged', data: { ...data, siret: '73282932000082' } }]);
    spec.given(created).when({ type: 'ChangeOnPlatform', siret: null, phone: null }).then([{ type: 'StructureDetailsChanged', data: { ...data, siret: null, phone: null } }]);
    spec.given(created).when({ type: 'ChangeOnPlatform', name: ' SOS Médecins Toulouse  ', siret: '73282932000074' }).thenNothingHappens();
    spec.given(created).when({ type: 'ChangeOnPlatform', name: ' ' }).thenFails('StructureNameRequired');
    spec.given(created).when({ type: 'ChangeOnPlatform', siret: '123' }).thenFails('InvalidStructureSiret');
    const error = spec.given([registered]).when({ type: 'ChangeOnPlatform', siret: '73282932000074' }).thenFails('StructureFromFiness');
    expect(error.kind).toBe('conflict');
  });

  it('assigns a manager once', () => {
    spec.given([registered]).when({ type: 'AssignManager', accountId: 'acc-2' }).then([{ type: 'StructureManagerAssigned', data: { structureId: ID, accountId: 'acc-2' } }]);
    spec.given([registered, { type: 'StructureManagerAssigned', data: { structureId: ID, accountId: 'acc-2' } }]).when({ type: 'AssignManager', accountId: 'acc-2' }).thenNothingHappens();
  });
});

describe('structure decider: members', () => {
  it('adds a member by RPPS; adding it again is a no-op', () => {
    spec.given([registered]).when({ type: 'AddMember', rpps: RPPS_A }).then([joined(RPPS_A)]);
    spec.given([registered, joined(RPPS_A)]).when({ type: 'AddMember', rpps: RPPS_A }).thenNothingHappens();
    spec.given([registered, joined(RPPS_A)]).when({ type: 'AddMember', rpps: RPPS_B }).then([joined(RPPS_B)]);
  });

  it('removes a member; removing a non-member is a no-op', () => {
    spec.given([registered, joined(RPPS_A)]).when({ type: 'RemoveMember', rpps: RPPS_A }).then([{ type: 'StructureMemberLeft', data: { structureId: ID, rpps: RPPS_A } }]);
    spec.given([registered, joined(RPPS_A)]).when({ type: 'RemoveMember', rpps: RPPS_B }).thenNothingHappens();
    expect(fold(structureDecider, [registered, joined(RPPS_A), joined(RPPS_B), { type: 'StructureMemberLeft', data: { structureId: ID, rpps: RPPS_A } }])).toMatchObject({ members: [RPPS_B] });
  });

  it('refuses a member that is not an 11-digit RPPS with a valid key', () => {
    for (const rpps of ['1099100310', '109910031034', '10991003104', '1099100310A', '']) {
      const error = spec.given([registered]).when({ type: 'AddMember', rpps }).thenFails('InvalidMemberRpps');
      expect(error.kind).toBe('validation');
      expect(error.message).toMatch(/RPPS/);
    }
    spec.given([registered]).when({ type: 'RemoveMember', rpps: 'abc' }).thenFails('InvalidMemberRpps');
  });

  it('refuses changes to an unknown structure', () => {
    expect(spec.given([]).when({ type: 'AddMember', rpps: RPPS_A }).thenFails('StructureDoesNotExist').kind).toBe('not-found');
    spec.given([]).when({ type: 'CloseStructure', reason: 'closed-on-platform' }).thenFails('StructureDoesNotExist');
  });
});

describe('structure decider: closure', () => {
  it('closes an open structure once, ending its memberships', () => {
    spec.given([registered, joined(RPPS_A)]).when({ type: 'CloseStructure', reason: 'absent-from-finess-extract' }).then([closed]);
    spec.given([registered, closed]).when({ type: 'CloseStructure', reason: 'absent-from-finess-extract' }).thenNothingHappens();
    expect(fold(structureDecider, [registered, joined(RPPS_A), closed])).toMatchObject({ status: 'closed', members: [] });
  });

  it('a closed structure refuses every platform change with a clear error', () => {
    const commands: StructureCommand[] = [
      { type: 'AddMember', rpps: RPPS_A },
      { type: 'RemoveMember', rpps: RPPS_A },
      { type: 'AssignManager', accountId: 'acc-3' },
      { type: 'ChangeOnPlatform', phone: null },
    ];
    for (const command of commands) {
      const error = spec.given([registered, joined(RPPS_A), closed]).when(command).thenFails('StructureIsClosed');
      expect(error.kind).toBe('conflict');
      expect(error.message).toBe('La structure « CPTS TOULOUSE NORD » (finess-310100011) est fermée : elle ne peut plus être modifiée.');
    }
  });
});
