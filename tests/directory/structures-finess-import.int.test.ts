/** Importing the structures of the public FINESS extraction into the directory, on PGlite. */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/shared-kernel/application/command-handler.ts';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import { structureDecider } from '../../src/modules/directory/domain/structure.decider.ts';
import { importFinessExtract } from '../../src/modules/directory/application/import-finess/import-finess.ts';
import type { StructureDeps } from '../../src/modules/directory/application/structures/structure.deps.ts';
import { FinessExtractError, inseeCodeOf, splitRecord } from '../../src/modules/directory/infrastructure/finess-extract-parser.ts';
import { queryStructure, queryStructures, structuresProjection } from '../../src/modules/directory/infrastructure/structures.projection.ts';
import { practitionersProjection } from '../../src/modules/directory/infrastructure/practitioners.projection.ts';
import { structureStreamName } from '../../src/modules/directory/contracts/directory.events.ts';

const FIXTURES = 'tests/directory/fixtures/finess';
const MARCH = `${FIXTURES}/etalab-cs1100507-stock-20250301-0342.csv`;
const APRIL = `${FIXTURES}/etalab-cs1100507-stock-20250401-0342.csv`;

let db: PgliteDatabase;
let store: SqlEventStore;
let deps: StructureDeps;
const now = new Date('2025-03-02T06:00:00Z');
const ctx = { actor: { accountId: 'test', role: 'test' }, correlationId: randomUUID(), now };

beforeAll(async () => {
  db = await PgliteDatabase.open();
  store = await SqlEventStore.open(db);
  deps = { structures: new CommandHandler(store, structureDecider, randomUUID), eventStore: store, readDb: db, clock: () => now, newId: randomUUID };
});
afterAll(async () => {
  await store.close();
  await db.close();
});

const eventsAfter = (position: number) => store.readAll({ after: position, filter: { streamPrefix: 'directory.structure-' } });
const summary = (events: Awaited<ReturnType<typeof eventsAfter>>) =>
  events.map((e) => `${e.type} ${(e.data as { structureId: string }).structureId}`).sort();

describe('FINESS record reading', () => {
  it('splits quoted fields and refuses unbalanced quotes', () => {
    expect(splitRecord('a;"b ""c"" ; d";;e;')).toEqual(['a', 'b "c" ; d', '', 'e', '']);
    expect(splitRecord('a;"b;c')).toBeNull();
    expect(splitRecord('a;"b"c;d')).toBeNull();
  });

  it('turns FINESS (département, commune) pairs into INSEE codes, overseas included', () => {
    expect(inseeCodeOf('31', '555')).toBe('31555');
    expect(inseeCodeOf('2A', '004')).toBe('2A004');
    expect(inseeCodeOf('9D', '411')).toBe('97411');
    expect(inseeCodeOf('9F', '610')).toBe('97610');
    expect(inseeCodeOf('9J', '613')).toBe('98613');
    expect(inseeCodeOf('9A', '123')).toBe('97701'); // Saint-Barthélemy, numbered in Guadeloupe by FINESS
    expect(inseeCodeOf('20', '004')).toBeNull();
    expect(inseeCodeOf('31', '55')).toBeNull();
  });
});

describe('FINESS extraction import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finess-'));
  const march = join(dir, 'etalab-cs1100507-stock-20250301-0342.csv');
  const april = join(dir, 'etalab-cs1100507-stock-20250401-0342.csv');
  writeFileSync(march, readFileSync(MARCH));
  writeFileSync(april, readFileSync(APRIL));
  const SOS = randomUUID();

  it('imports the CPTS, MSP and centres de santé, skips other establishments and reports malformed lines', async () => {
    // A structure created on the platform beforehand: no import ever touches it.
    await deps.structures.handle(
      structureStreamName(SOS),
      { type: 'RegisterOnPlatform', structureId: SOS, kind: 'sos-medecins', name: 'SOS Médecins Toulouse', address: { inseeCode: '31555', postcode: null, street: null }, phone: null, siret: null, managerAccountId: null },
      ctx,
    );
    const head = await store.headPosition();
    const phases: string[] = [];
    const result = await importFinessExtract(deps, { file: march, now, onProgress: (p) => phases.push(p.phase) });
    expect(result).toMatchObject({ extractionDate: '2025-03-01', lines: 19, structures: 7, skipped: 3, otherRecords: 2, closed: 0, heldBack: 0, rejectsFile: `${march}.rejects.csv` });
    expect(result.rejects).toEqual([
      { lineNumber: 12, reason: 'wrong field count: 31 fields, expected 32 (a ";" inside an unquoted value?)' },
      { lineNumber: 13, reason: expect.stringMatching(/^invalid FINESS ET "310100061": .*check digit/) },
      { lineNumber: 14, reason: 'unknown INSEE commune code "31999"' },
      { lineNumber: 15, reason: 'missing name (rs and rslongue are empty)' },
      { lineNumber: 16, reason: 'unbalanced double quotes' },
      { lineNumber: 17, reason: 'unknown record type "structureej"' },
      { lineNumber: 18, reason: 'duplicate FINESS ET 310100011 (first line kept)' },
    ]);
    const report = readFileSync(`${march}.rejects.csv`, 'utf8').trim().split('\n');
    expect(report[0]).toBe('line;reason');
    expect(report.slice(1).map((l) => l.split(';')[0])).toEqual(['12', '13', '14', '15', '16', '17', '18']);
    expect(report[1]).toBe('12;"wrong field count: 31 fields, expected 32 (a "";"" inside an unquoted value?)"');
    expect(phases).toEqual(expect.arrayContaining(['parse', 'sync', 'close']));

    const events = await eventsAfter(head);
    expect(events.every((e) => e.type === 'StructureRegistered')).toBe(true);
    expect(events).toHaveLength(7);
    expect(result.eventsAppended).toBe(7);
    const byId = new Map(events.map((e) => [(e.data as { structureId: string }).structureId, e.data]));
    expect([...byId.keys()].sort()).toEqual(
      ['finess-310100011', 'finess-310100029', 'finess-750044448', 'finess-690040126', 'finess-970400883', 'finess-2A0000155', 'finess-310100052'].sort(),
    );
    expect(byId.get('finess-310100011')).toEqual({
      structureId: 'finess-310100011',
      kind: 'cpts',
      finess: '310100011',
      finessCategory: '604',
      name: 'COMMUNAUTE PROFESSIONNELLE TERRITORIALE DE SANTE TOULOUSE NORD',
      address: { inseeCode: '31555', postcode: '31000', street: '12 R DES AMIDONNIERS' },
      phone: '0561000101',
      siret: null,
      source: 'finess',
    });
    expect(byId.get('finess-310100029')).toMatchObject({ kind: 'msp', siret: '73282932000074', address: { inseeCode: '31069', postcode: '31700', street: '3 B AV DU GENERAL COMPANS' }, phone: '0561000202' });
    expect(byId.get('finess-750044448')).toMatchObject({ kind: 'centre-de-sante', name: 'CENTRE DE SANTE "LES LILAS" ; PARIS 13', address: { inseeCode: '75056', postcode: '75013' } });
    expect(byId.get('finess-690040126')).toMatchObject({ kind: 'centre-de-sante', finessCategory: '125', address: { inseeCode: '69123' } });
    expect(byId.get('finess-970400883')).toMatchObject({ kind: 'cpts', address: { inseeCode: '97411', postcode: '97400', street: 'ZAC CHAMPIGNY BP 71' } });
    expect(byId.get('finess-2A0000155')).toMatchObject({ kind: 'msp', address: { inseeCode: '2A004', postcode: '20000' } });
    expect(byId.get('finess-310100052')).toMatchObject({ phone: null }); // "05 61" is no phone number
  });

  it('appends zero events when the same file is imported again', async () => {
    const head = await store.headPosition();
    const result = await importFinessExtract(deps, { file: march, now });
    expect(result).toMatchObject({ eventsAppended: 0, closed: 0, structures: 7 });
    expect(await store.headPosition()).toBe(head);
  });

  it('a newer full extraction appends only the differences and closes the structures absent from it', async () => {
    const head = await store.headPosition();
    const result = await importFinessExtract(deps, { file: april, now });
    const events = await eventsAfter(head);
    expect(summary(events)).toEqual(['StructureClosed finess-310100029', 'StructureDetailsChanged finess-310100011', 'StructureRegistered finess-330100090']);
    expect(events.find((e) => e.type === 'StructureDetailsChanged')!.data).toMatchObject({ phone: '0561000199' });
    expect(events.find((e) => e.type === 'StructureClosed')!.data).toEqual({ structureId: 'finess-310100029', reason: 'absent-from-finess-extract' });
    // The dental centre's line is broken in April: it is neither changed nor closed, and the line is reported.
    expect(result).toMatchObject({ extractionDate: '2025-04-01', eventsAppended: 3, closed: 1, heldBack: 1, structures: 6 });
    expect(result.rejects).toEqual([{ lineNumber: 7, reason: expect.stringMatching(/wrong field count: 31 fields/) }]);
    // The platform structure is still open.
    expect((await deps.structures.load(structureStreamName(SOS))).state.status).toBe('active');

    expect((await importFinessExtract(deps, { file: april, now })).eventsAppended).toBe(0);
  });

  it('reads an ISO-8859-1 extraction the same way as a UTF-8 one', async () => {
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from(readFileSync(APRIL, 'utf8').replaceAll('\n', '\r\n'), 'latin1'));
    const head = await store.headPosition();
    expect(await importFinessExtract(deps, { file: latin1, now })).toMatchObject({ eventsAppended: 0, structures: 6, skipped: 3 });
    expect(await store.headPosition()).toBe(head);
  });

  it('a partial extraction closes nothing; a stale rejects report is removed', async () => {
    const partial = join(dir, 'partial.csv');
    const lines = readFileSync(APRIL, 'utf8').split('\n');
    writeFileSync(partial, [lines[0], lines.find((l) => l.includes(';330100090;'))].join('\n') + '\n');
    writeFileSync(`${partial}.rejects.csv`, 'line;reason\n2;stale\n');
    expect(await importFinessExtract(deps, { file: partial, now, full: false })).toMatchObject({ eventsAppended: 0, closed: 0, structures: 1, rejectsFile: null });
    expect(existsSync(`${partial}.rejects.csv`)).toBe(false);
  });

  it('registers again a structure that comes back in a later extraction', async () => {
    const head = await store.headPosition();
    await importFinessExtract(deps, { file: march, now });
    expect(summary(await eventsAfter(head))).toEqual(['StructureClosed finess-330100090', 'StructureDetailsChanged finess-310100011', 'StructureRegistered finess-310100029']);
  });

  it('fails before reading any structure on a file that is not a FINESS extraction, or unreadable', async () => {
    const rpps = join(dir, 'rpps.txt');
    writeFileSync(rpps, "Type d'identifiant PP|Identifiant PP|\n8|10991003103|\n");
    await expect(importFinessExtract(deps, { file: rpps, now })).rejects.toThrow(FinessExtractError);
    await expect(importFinessExtract(deps, { file: rpps, now })).rejects.toThrow(/Not a FINESS extraction .*line 1 is neither/);
    await expect(importFinessExtract(deps, { file: join(dir, 'missing.csv'), now })).rejects.toThrow(/Cannot read the FINESS extraction/);
    await expect(importFinessExtract(deps, { file: dir, now })).rejects.toThrow(/Cannot read the FINESS extraction/);
    await expect(importFinessExtract(deps, { stream: Readable.from(['\n\n']), now })).rejects.toThrow(/empty/);
  });

  it('projects structures and members into the read model, idempotently', async () => {
    await deps.structures.handle(structureStreamName('finess-310100011'), { type: 'AddMember', rpps: '10991003103' }, ctx);
    await deps.structures.handle(structureStreamName('finess-310100011'), { type: 'AddMember', rpps: '10000000009' }, ctx);
    await deps.structures.handle(structureStreamName('finess-310100011'), { type: 'RemoveMember', rpps: '10000000009' }, ctx);
    await deps.structures.handle(structureStreamName('finess-310100011'), { type: 'AssignManager', accountId: 'acc-1' }, ctx);
    const events = await eventsAfter(0);
    const t = { directory_structures: 'directory_structures', directory_structure_members: 'directory_structure_members' };
    const p = { directory_practitioners: 'directory_practitioners', directory_practice_locations: 'directory_practice_locations' };
    await db.transaction(async (tx) => {
      await practitionersProjection.createTables(tx, p);
      await structuresProjection.createTables(tx, t);
      await structuresProjection.apply(tx, events, t);
      await structuresProjection.apply(tx, events, t);
    });
    const open31 = await queryStructures(db, { status: 'active', departement: '31', limit: 50 });
    expect(open31.map((s) => s.structureId)).toEqual(['finess-310100052', 'finess-310100011', 'finess-310100029', SOS]);
    expect(open31.find((s) => s.structureId === 'finess-310100011')).toMatchObject({ memberCount: 1, departement: '31', phone: '0561000101' });
    expect((await queryStructures(db, { status: 'active', kind: 'cpts', limit: 50 })).map((s) => s.departement).sort()).toEqual(['31', '974']);
    expect((await queryStructures(db, { status: 'closed', limit: 50 })).map((s) => s.structureId)).toEqual(['finess-330100090']);
    const page1 = await queryStructures(db, { status: 'active', limit: 2 });
    const page2 = await queryStructures(db, { status: 'active', limit: 50, after: { name: page1[1]!.name, structureId: page1[1]!.structureId } });
    expect(page1.length + page2.length).toBe(8);
    const one = await queryStructure(db, 'finess-310100011');
    expect(one).toMatchObject({ kind: 'cpts', managers: ['acc-1'], members: [{ rpps: '10991003103', joinedAt: now.toISOString(), familyName: null }] });
    expect(await queryStructure(db, 'finess-000000000')).toBeNull();
  });
});
