/** Importing the public RPPS extraction into the directory, on PGlite. */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/shared-kernel/application/command-handler.ts';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import { practitionerDecider } from '../../src/modules/directory/domain/practitioner.decider.ts';
import { importRppsExtract } from '../../src/modules/directory/application/import-rpps/import-rpps.ts';
import type { DirectoryDeps } from '../../src/modules/directory/application/directory.deps.ts';
import { RppsExtractError } from '../../src/modules/directory/infrastructure/rpps-extract-parser.ts';
import { practitionersProjection } from '../../src/modules/directory/infrastructure/practitioners.projection.ts';

const SYNTHETIC = 'data/reference/rpps/sample-synthetic.txt';
const MALFORMED = 'data/reference/rpps/sample-malformed.txt';

/** Luhn check, written again here so the expected count does not depend on the code under test. */
function luhn(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    let d = Number(c) * (i % 2 === 1 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  });
  return sum % 10 === 0;
}
const withKey = (body10: string) => [...'0123456789'].map((k) => body10 + k).find(luhn)!;

const dataLines = (text: string) => text.split('\n').slice(1).filter((l) => l.trim() !== '');

let db: PgliteDatabase;
let store: SqlEventStore;
let deps: DirectoryDeps;
const now = new Date('2025-03-01T08:00:00Z');

beforeAll(async () => {
  db = await PgliteDatabase.open();
  store = await SqlEventStore.open(db);
  deps = { practitioners: new CommandHandler(store, practitionerDecider, randomUUID), eventStore: store, clock: () => now, newId: randomUUID };
});
afterAll(async () => {
  await store.close();
  await db.close();
});

const eventsAfter = async (position: number) => store.readAll({ after: position, filter: { streamPrefix: 'directory.practitioner-' } });

describe('RPPS extraction import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpps-'));

  it('imports the synthetic sample: one practitioner per distinct valid RPPS, one location per line', async () => {
    const lines = dataLines(readFileSync(SYNTHETIC, 'utf8'));
    const expected = new Set(lines.map((l) => l.split('|')[1]!).filter((id) => /^\d{11}$/.test(id) && luhn(id)));
    const file = join(dir, 'synthetic.txt');
    writeFileSync(file, readFileSync(SYNTHETIC));
    const progress: string[] = [];
    const result = await importRppsExtract(deps, { file, now, onProgress: (p) => progress.push(p.phase) });
    expect(result).toMatchObject({ lines: lines.length, practitioners: expected.size, rejects: [], departed: 0, rejectsFile: null });
    expect(expected.size).toBe(35);
    const events = await eventsAfter(0);
    expect(new Set(events.filter((e) => e.type === 'PractitionerRegistered').map((e) => (e.data as { rpps: string }).rpps))).toEqual(expected);
    expect(events.filter((e) => e.type === 'PracticeLocationAdded')).toHaveLength(lines.length);
    expect(result.eventsAppended).toBe(events.length);
    expect(progress).toContain('parse');
    expect(progress).toContain('sync');
    const first = events.find((e) => e.type === 'PractitionerRegistered' && (e.data as { rpps: string }).rpps === '10991003103')!;
    expect(first.data).toEqual({
      rpps: '10991003103', nationalId: '810991003103', civility: 'DR', givenName: 'CAMILLE', familyName: 'AUBRELAC',
      professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM54', specialtyLabel: 'Médecine générale',
    });
    expect(events.find((e) => e.type === 'PracticeLocationAdded')!.data).toMatchObject({
      rpps: '10991003103', structureName: 'CABINET DR AUBRELAC', streetNumber: '18', streetName: 'Avenue DU GENERAL LECLERC',
      postcode: '31400', communeName: 'Toulouse', inseeCode: '31555', phone: '0536491037', modeExercice: 'L', secteurActivite: 'SA07',
    });

    // The projection turns them into rows, idempotently.
    const t = { directory_practitioners: 'directory_practitioners', directory_practice_locations: 'directory_practice_locations' };
    await db.transaction(async (tx) => {
      await practitionersProjection.createTables(tx, t);
      await practitionersProjection.apply(tx, events, t);
      await practitionersProjection.apply(tx, events, t);
    });
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM directory_practitioners')).rows[0]!.n).toBe(35);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM directory_practice_locations')).rows[0]!.n).toBe(lines.length);
  });

  it('appends zero events when the same file is imported again', async () => {
    const head = await store.headPosition();
    const result = await importRppsExtract(deps, { file: join(dir, 'synthetic.txt'), now });
    expect(result.eventsAppended).toBe(0);
    expect(result.departed).toBe(0);
    expect(await store.headPosition()).toBe(head);
  });

  it('rejects exactly the malformed lines, with their line numbers and reasons, and writes a report', async () => {
    const file = join(dir, 'malformed.txt');
    writeFileSync(file, readFileSync(MALFORMED));
    const head = await store.headPosition();
    const result = await importRppsExtract(deps, { file, now, full: false });
    expect(result.rejects).toEqual([
      { lineNumber: 2, reason: expect.stringMatching(/wrong column count: 57 fields, expected 56/) },
      { lineNumber: 3, reason: expect.stringMatching(/invalid RPPS "10991059270".*check digit/) },
      { lineNumber: 4, reason: expect.stringMatching(/unknown INSEE commune code "59999"/) },
    ]);
    expect(result).toMatchObject({ lines: 3, practitioners: 0, eventsAppended: 0, rejectsFile: `${file}.rejects.csv` });
    const report = readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n');
    expect(report[0]).toBe('line;reason');
    expect(report.slice(1).map((l) => l.split(';')[0])).toEqual(['2', '3', '4']);
    expect(await store.headPosition()).toBe(head);
  });

  it('fails before reading any line on a wrong header or an unreadable file', async () => {
    const bad = join(dir, 'bad-header.txt');
    writeFileSync(bad, 'a|b|c|\n1|2|3|\n');
    await expect(importRppsExtract(deps, { file: bad, now })).rejects.toThrow(RppsExtractError);
    await expect(importRppsExtract(deps, { file: bad, now })).rejects.toThrow(/lacks the column\(s\) "Type d'identifiant PP"/);
    await expect(importRppsExtract(deps, { file: join(dir, 'missing.txt'), now })).rejects.toThrow(/Cannot read/);
    await expect(importRppsExtract(deps, { stream: Readable.from(['']), now })).rejects.toThrow(/empty/);
  });

  it('an edited extraction appends exactly the differences', async () => {
    const text = readFileSync(SYNTHETIC, 'utf8');
    const [header, ...lines] = text.split('\n').filter((l) => l.trim() !== '');
    const count = (id: string) => lines.filter((l) => l.split('|')[1] === id).length;
    // one practitioner with one line changes address; another with one line disappears; a new one arrives
    const single = lines.map((l) => l.split('|')[1]!).filter((id) => count(id) === 1);
    const moved = single[0]!;
    const removed = single[1]!;
    const edited = lines
      .filter((l) => l.split('|')[1] !== removed)
      .map((l) => {
        if (l.split('|')[1] !== moved) return l;
        const f = l.split('|');
        f[28] = '77'; // Numéro Voie
        return f.join('|');
      });
    const newRpps = withKey('1099199999');
    const f = lines[0]!.split('|');
    f[1] = newRpps;
    f[2] = `8${newRpps}`;
    f[7] = 'NOUVELLET';
    f[23] = 'R10999999999999';
    edited.push(f.join('|'));
    const file = join(dir, 'edited.txt');
    writeFileSync(file, [header, ...edited].join('\n') + '\n');

    const head = await store.headPosition();
    const result = await importRppsExtract(deps, { file, now });
    const events = await eventsAfter(head);
    expect(events.map((e) => e.type).sort()).toEqual(['PracticeLocationAdded', 'PracticeLocationChanged', 'PractitionerDeparted', 'PractitionerRegistered']);
    expect(events.find((e) => e.type === 'PracticeLocationChanged')!.data).toMatchObject({ rpps: moved, streetNumber: '77' });
    expect(events.find((e) => e.type === 'PractitionerDeparted')!.data).toEqual({ rpps: removed });
    expect(events.find((e) => e.type === 'PractitionerRegistered')!.data).toMatchObject({ rpps: newRpps, familyName: 'NOUVELLET' });
    expect(events.find((e) => e.type === 'PracticeLocationAdded')!.data).toMatchObject({ rpps: newRpps });
    expect(result).toMatchObject({ eventsAppended: 4, departed: 1, practitioners: 35 });

    // and again: nothing new; a partial extract (all lines of the practitioners it lists) departs nobody
    expect((await importRppsExtract(deps, { file, now })).eventsAppended).toBe(0);
    const partial = join(dir, 'partial.txt');
    writeFileSync(partial, [header, edited.find((l) => l.split('|')[1] === single[2])].join('\n') + '\n');
    expect(await importRppsExtract(deps, { file: partial, now, full: false })).toMatchObject({ departed: 0, eventsAppended: 0 });
    expect(existsSync(`${partial}.rejects.csv`)).toBe(false);
  });
});
