import type { Readable } from 'node:stream';
import { commandEach, liveIds, openExtract, writeRejectsReport } from '../import-support.ts';
import { systemActor, type CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import {
  PRACTITIONER_STREAM_PREFIX,
  practitionerStreamName,
  type PracticeLocation,
  type PractitionerIdentity,
} from '../../contracts/directory.events.ts';
import { loadCommuneCodes, parseRppsExtract, RppsExtractError } from '../../infrastructure/rpps-extract-parser.ts';
import type { DirectoryDeps } from '../directory.deps.ts';

export interface ImportProgress {
  /** parse: `done`/`total` are bytes (total null for a stream); sync and depart: practitioners. */
  readonly phase: 'parse' | 'sync' | 'depart';
  readonly done: number;
  readonly total: number | null;
}

export interface ImportRppsOptions {
  /** Path of the extraction; a `<file>.rejects.csv` report is written next to it when lines are rejected. */
  readonly file?: string;
  /** Or any readable stream of the extraction (no report file). */
  readonly stream?: Readable;
  /** A full national extraction (default): practitioners known before and absent from it have departed. */
  readonly full?: boolean;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Instant the events are decided at (default: the clock). */
  readonly now?: Date;
  /** Commands in flight at once (default 8). */
  readonly concurrency?: number;
  /** Known INSEE commune codes (default: `data/reference/communes-fr.csv`). */
  readonly communes?: ReadonlySet<string>;
}

export interface ImportReject {
  readonly lineNumber: number;
  readonly reason: string;
}

export interface ImportRppsResult {
  /** Data lines read (header excluded). */
  readonly lines: number;
  /** Distinct practitioners with at least one valid line. */
  readonly practitioners: number;
  readonly rejects: readonly ImportReject[];
  readonly eventsAppended: number;
  /** Practitioners marked departed (full extractions only). */
  readonly departed: number;
  /**
   * Practitioners left untouched because one of their lines was rejected: syncing them from the remaining
   * lines would wrongly close a place of practice, and marking them departed would be wrong too.
   */
  readonly heldBack: number;
  /** Path of the rejects report, or null when there was none. */
  readonly rejectsFile: string | null;
}

interface Grouped {
  identity: PractitionerIdentity;
  locations: Map<string, PracticeLocation>;
}

/**
 * Imports an RPPS extraction (`PS_LibreAcces_Personne_activite`) into the directory's practitioner streams.
 *
 * Memory: lines are streamed, but the file is not assumed to be sorted by RPPS, so all valid rows are grouped in
 * one Map before syncing — one compact entry per practitioner (identity + locations, a few hundred bytes), about
 * 300k entries for the national file, i.e. well under a few hundred MB. Rejected lines never abort the import.
 */
export async function importRppsExtract(deps: DirectoryDeps, options: ImportRppsOptions): Promise<ImportRppsResult> {
  const full = options.full ?? true;
  const now = options.now ?? deps.clock();
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const progress = options.onProgress ?? (() => {});
  const communes = options.communes ?? loadCommuneCodes();

  const { input, totalBytes, bytesRead } = await openExtract(options, 'RPPS extraction', (message) => new RppsExtractError(message));

  // 1. Parse and group by RPPS.
  const byRpps = new Map<string, Grouped>();
  const rejects: ImportReject[] = [];
  const heldIds = new Set<string>();
  let lines = 0;
  let lastReport = 0;
  progress({ phase: 'parse', done: 0, total: totalBytes });
  try {
    for await (const parsed of parseRppsExtract(input, { communes })) {
      lines++;
      if (lines - lastReport >= 1000) {
        lastReport = lines;
        progress({ phase: 'parse', done: bytesRead(), total: totalBytes });
      }
      if ('reject' in parsed) {
        rejects.push({ lineNumber: parsed.lineNumber, reason: parsed.reject });
        if (parsed.rawId) heldIds.add(parsed.rawId);
        continue;
      }
      const { identity, location } = parsed.row;
      const group = byRpps.get(identity.rpps);
      if (!group) {
        byRpps.set(identity.rpps, { identity, locations: new Map([[location.locationId, location]]) });
      } else if (group.locations.has(location.locationId)) {
        // Same structure twice for one person: the first line is kept (the register's first activity there).
        rejects.push({ lineNumber: parsed.lineNumber, reason: `duplicate activity of RPPS ${identity.rpps} in the same structure (first one kept)` });
      } else {
        // Identity fields are per person; should two lines disagree, the first line wins.
        group.locations.set(location.locationId, location);
      }
    }
  } catch (error) {
    if (error instanceof RppsExtractError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code && lines === 0) throw new RppsExtractError(`Cannot read the RPPS extraction: ${(error as Error).message}`);
    throw error;
  } finally {
    if (options.file) input.destroy();
  }
  progress({ phase: 'parse', done: totalBytes ?? bytesRead(), total: totalBytes });

  const ctx: CommandContext = { actor: systemActor, correlationId: deps.newId(), now };

  // 2. Known active practitioners, read before syncing (for departures).
  const known = full ? await liveIds(deps.eventStore, { streamPrefix: PRACTITIONER_STREAM_PREFIX, eventTypes: ['PractitionerRegistered', 'PractitionerDeparted'] }, 'PractitionerRegistered', (data) => data.rpps as string) : new Set<string>();

  // 3. Sync every practitioner, `concurrency` commands in flight.
  const toSync = [...byRpps.values()].filter((g) => !heldIds.has(g.identity.rpps));
  const heldBack = byRpps.size - toSync.length;
  const synced = await commandEach(toSync, concurrency, (done, total) => progress({ phase: 'sync', done, total }), (group) =>
    deps.practitioners.handle(
      practitionerStreamName(group.identity.rpps),
      { type: 'SyncPractitioner', snapshot: { identity: group.identity, locations: [...group.locations.values()] } },
      ctx,
      { retryOnConflict: true },
    ),
  );

  // 4. Departures: known before, absent from this full extraction, and not held back by a rejected line.
  const gone = full ? [...known].filter((rpps) => !byRpps.has(rpps) && !heldIds.has(rpps)) : [];
  const departures = full
    ? await commandEach(gone, concurrency, (done, total) => progress({ phase: 'depart', done, total }), (rpps) =>
        deps.practitioners.handle(practitionerStreamName(rpps), { type: 'MarkDeparted', rpps }, ctx, { retryOnConflict: true }),
      )
    : { appended: 0, changed: 0 };
  const eventsAppended = synced.appended + departures.appended;
  const departed = departures.changed;

  // 5. Rejects report next to the input (a stale one from an earlier run is removed).
  const rejectsFile = options.file ? await writeRejectsReport(options.file, rejects) : null;

  return { lines, practitioners: byRpps.size, rejects, eventsAppended, departed, heldBack, rejectsFile };
}
