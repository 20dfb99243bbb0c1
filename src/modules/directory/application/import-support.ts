/** Plumbing shared by the directory's extract imports (RPPS, FINESS): rejects report, bounded concurrency, live ids. */
import { rm, writeFile } from 'node:fs/promises';
import type { EventStore } from '../../../shared-kernel/event-store/event-store.port.ts';

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
