import type { Readable } from 'node:stream';
import { commandEach, liveIds, openExtract, writeRejectsReport } from '../import-support.ts';
import { systemActor, type CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { finessStructureId, structureStreamName } from '../../contracts/directory.events.ts';
import type { FinessStructureSnapshot } from '../../domain/structure.decider.ts';
import { FinessExtractError, parseFinessExtract } from '../../infrastructure/finess-extract-parser.ts';
import { loadCommuneCodes } from '../../infrastructure/rpps-extract-parser.ts';
import type { StructureDeps } from '../structures/structure.deps.ts';

export interface FinessImportProgress {
  /** parse: `done`/`total` are bytes (total null for a stream); sync and close: structures. */
  readonly phase: 'parse' | 'sync' | 'close';
  readonly done: number;
  readonly total: number | null;
}

export interface ImportFinessOptions {
  /** Path of the extraction; a `<file>.rejects.csv` report is written next to it when lines are rejected. */
  readonly file?: string;
  /** Or any readable stream of the extraction (no report file). */
  readonly stream?: Readable;
  /** A full national extraction (default): FINESS structures known before and absent from it are closed. */
  readonly full?: boolean;
  readonly onProgress?: (progress: FinessImportProgress) => void;
  /** Instant the events are decided at (default: the clock). */
  readonly now?: Date;
  /** Commands in flight at once (default 8). */
  readonly concurrency?: number;
  /** Known INSEE commune codes (default: `data/reference/communes-fr.csv`). */
  readonly communes?: ReadonlySet<string>;
}

export interface FinessReject {
  readonly lineNumber: number;
  readonly reason: string;
}

export interface ImportFinessResult {
  /** Extraction date of the manifest line (YYYY-MM-DD), null without one. */
  readonly extractionDate: string | null;
  /** Record lines read (manifest and blank lines excluded). */
  readonly lines: number;
  /** Distinct structures of a kept category (CPTS, MSP, centres de santé) with a valid line. */
  readonly structures: number;
  /** Valid establishments of other categories, ignored. */
  readonly skipped: number;
  /** Other records (geolocalisation), ignored. */
  readonly otherRecords: number;
  readonly rejects: readonly FinessReject[];
  readonly eventsAppended: number;
  /** FINESS structures closed because absent from this full extraction. */
  readonly closed: number;
  /** Known structures left untouched because a line carrying their FINESS number was rejected. */
  readonly heldBack: number;
  /** Path of the rejects report, or null when there was none. */
  readonly rejectsFile: string | null;
}

/**
 * Imports a FINESS establishment extraction into the directory's structure streams: CPTS (604), maisons de santé
 * (603) and centres de santé (124 and retired codes); other establishments are counted as skipped. Each structure is
 * synchronised (only differences are appended, so importing the same file again appends nothing); with a full
 * extraction, FINESS structures known before and absent from it are closed. Structures created on the platform are
 * never touched. Rejected lines never abort the import; they are listed in `<file>.rejects.csv`.
 *
 * Memory: the national file has about 100k establishments, of which a few thousand are kept, one small entry each.
 */
export async function importFinessExtract(deps: StructureDeps, options: ImportFinessOptions): Promise<ImportFinessResult> {
  const full = options.full ?? true;
  const now = options.now ?? deps.clock();
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const progress = options.onProgress ?? (() => {});
  const communes = options.communes ?? loadCommuneCodes();

  const { input, totalBytes, bytesRead } = await openExtract(options, 'FINESS extraction', (message) => new FinessExtractError(message));

  // 1. Parse, keeping the structures of the kept categories.
  const byId = new Map<string, FinessStructureSnapshot>();
  const rejects: FinessReject[] = [];
  const heldIds = new Set<string>();
  let extractionDate: string | null = null;
  let lines = 0;
  let skipped = 0;
  let otherRecords = 0;
  progress({ phase: 'parse', done: 0, total: totalBytes });
  try {
    for await (const parsed of parseFinessExtract(input, { communes, onManifest: (m) => (extractionDate = m.extractionDate) })) {
      lines++;
      if (lines % 5000 === 0) progress({ phase: 'parse', done: bytesRead(), total: totalBytes });
      if ('skipped' in parsed) {
        if (parsed.skipped === 'other-category') skipped++;
        else otherRecords++;
      } else if ('reject' in parsed) {
        rejects.push({ lineNumber: parsed.lineNumber, reason: parsed.reject });
        if (parsed.rawFiness) heldIds.add(finessStructureId(parsed.rawFiness));
      } else if (byId.has(parsed.structure.structureId)) {
        rejects.push({ lineNumber: parsed.lineNumber, reason: `duplicate FINESS ET ${parsed.structure.finess} (first line kept)` });
      } else {
        byId.set(parsed.structure.structureId, parsed.structure);
      }
    }
  } catch (error) {
    if (error instanceof FinessExtractError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code && lines === 0) throw new FinessExtractError(`Cannot read the FINESS extraction: ${(error as Error).message}`);
    throw error;
  } finally {
    if (options.file) input.destroy();
  }
  progress({ phase: 'parse', done: totalBytes ?? bytesRead(), total: totalBytes });

  const ctx: CommandContext = { actor: systemActor, correlationId: deps.newId(), now };

  // 2. FINESS structures currently open, read before syncing (for closures).
  const known = full ? await liveIds(deps.eventStore, { streamPrefix: FINESS_STREAM_PREFIX, eventTypes: ['StructureRegistered', 'StructureClosed'] }, 'StructureRegistered', (data) => data.structureId as string) : new Set<string>();

  // 3. Sync every structure not held back by a rejected line bearing its number.
  const toSync = [...byId.values()].filter((s) => !heldIds.has(s.structureId));
  const synced = await commandEach(toSync, concurrency, (done, total) => progress({ phase: 'sync', done, total }), (snapshot) =>
    deps.structures.handle(structureStreamName(snapshot.structureId), { type: 'SyncFromFiness', snapshot }, ctx, { retryOnConflict: true }),
  );
  const heldBack = [...heldIds].filter((id) => byId.has(id) || known.has(id)).length;

  // 4. Closures: open before, absent from this full extraction, and not held back by a rejected line.
  const gone = full ? [...known].filter((id) => !byId.has(id) && !heldIds.has(id)) : [];
  const closures = full
    ? await commandEach(gone, concurrency, (done, total) => progress({ phase: 'close', done, total }), (structureId) =>
        deps.structures.handle(structureStreamName(structureId), { type: 'CloseStructure', reason: 'absent-from-finess-extract' }, ctx, { retryOnConflict: true }),
      )
    : { appended: 0, changed: 0 };
  const eventsAppended = synced.appended + closures.appended;
  const closed = closures.changed;

  // 5. Rejects report next to the input (a stale one from an earlier run is removed).
  const rejectsFile = options.file ? await writeRejectsReport(options.file, rejects) : null;

  return { extractionDate, lines, structures: byId.size, skipped, otherRecords, rejects, eventsAppended, closed, heldBack, rejectsFile };
}

const FINESS_STREAM_PREFIX = structureStreamName(finessStructureId(''));
