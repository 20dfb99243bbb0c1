/**
 * Plumbing shared by the directory's extract imports (RPPS, FINESS): opening the input, rejects report, one command
 * per entry with bounded concurrency and progress, live ids.
 */
import { createReadStream } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { EventStore } from '../../../shared-kernel/event-store/event-store.port.ts';

export interface ExtractInput {
  readonly input: Readable;
  /** Size of the file, null for a stream. */
  readonly totalBytes: number | null;
  readonly bytesRead: () => number;
}

/**
 * Opens the extraction to import: a regular file (its size known, for the progress bar) or a given stream.
 * A file that cannot be read is refused with `refuse(message)` (the import's own error, shown to the operator).
 */
export async function openExtract(source: { readonly file?: string | undefined; readonly stream?: Readable | undefined }, what: string, refuse: (message: string) => Error): Promise<ExtractInput> {
  if (source.file) {
    const file = source.file;
    let totalBytes: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a regular file');
      totalBytes = info.size;
    } catch (error) {
      throw refuse(`Cannot read the ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const stream = createReadStream(file);
    return { input: stream, totalBytes, bytesRead: () => stream.bytesRead };
  }
  if (source.stream) return { input: source.stream, totalBytes: null, bytesRead: () => 0 };
  throw new TypeError(`Importing the ${what} needs a file or a stream`);
}

const csvField = (value: string): string => (/[;"\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * Writes `FILE.rejects.csv` (line number and reason of each rejected line) next to the input and answers its
 * path; with no reject, removes a stale report from an earlier run and answers null.
 */
export async function writeRejectsReport(file: string, rejects: readonly { lineNumber: number; reason: string }[]): Promise<string | null> {
  const reportPath = `${file}.rejects.csv`;
  if (rejects.length === 0) {
    await rm(reportPath, { force: true });
    return null;
  }
  const csv = ['line;reason', ...rejects.map((r) => `${r.lineNumber};${csvField(r.reason)}`)].join('\n') + '\n';
  await writeFile(reportPath, csv, 'utf8');
  return reportPath;
}

/**
 * The ids currently alive in the log: added by `addedType`, removed by the other type of `filter.eventTypes`,
 * read page by page. `idOf` reads the id from an event's data.
 */
export async function liveIds(
  eventStore: EventStore,
  filter: { readonly streamPrefix: string; readonly eventTypes: readonly [string, string] },
  addedType: string,
  idOf: (data: Record<string, unknown>) => string,
): Promise<Set<string>> {
  const live = new Set<string>();
  const pageSize = 5000;
  let after = 0;
  for (;;) {
    const page = await eventStore.readAll({ after, limit: pageSize, filter });
    for (const event of page) {
      if (event.type === addedType) live.add(idOf(event.data));
      else live.delete(idOf(event.data));
    }
    if (page.length < pageSize) return live;
    after = page[page.length - 1]!.position;
  }
}

/** Runs `task` over `items` with at most `size` in flight; the first failure stops handing out new items. */
export async function pool<T>(items: readonly T[], size: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/**
 * Sends one command per item (`concurrency` in flight, each retried on a concurrent write by the handler) and
 * reports `(done, total)` every 500 items and at the end. Answers the events appended and how many items changed.
 */
export async function commandEach<T>(
  items: readonly T[],
  concurrency: number,
  report: (done: number, total: number) => void,
  command: (item: T) => Promise<{ readonly events: readonly unknown[] }>,
): Promise<{ appended: number; changed: number }> {
  let appended = 0;
  let changed = 0;
  let done = 0;
  await pool(items, concurrency, async (item) => {
    const result = await command(item);
    appended += result.events.length;
    if (result.events.length > 0) changed++;
    done++;
    if (done % 500 === 0) report(done, items.length);
  });
  report(done, items.length);
  return { appended, changed };
}
