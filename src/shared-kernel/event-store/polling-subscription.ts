import type { RecordedEvent } from '../events/envelope.ts';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from './event-store.port.ts';

export interface PollingSource {
  read(after: number, limit: number): Promise<RecordedEvent[]>;
  head(): Promise<number>;
  /** Registers a wake-up call for new appends; returns its removal. */
  onAppend(listener: () => void): () => void;
  /** Safety net when a notification is lost: read again after this long even without a wake-up. */
  pollIntervalMs: number;
}

/**
 * A catch-up subscription: reads pages of events after its position until a page comes back short, reports
 * that it is caught up, then waits for append notifications (or the poll interval) and goes on reading.
 * The handler sees each event once, in global order; a handler error stops the subscription.
 */
export class PollingSubscription implements Subscription {
  #position: number;
  #scanned = 0;
  #stopping = false;
  #wakeUp: (() => void) | undefined;
  #pending = false;
  readonly done: Promise<void>;

  constructor(source: PollingSource, options: SubscribeOptions, handler: SubscriptionHandler) {
    this.#position = options.after ?? 0;
    const removeListener = source.onAppend(() => this.#wake());
    this.done = this.#run(source, options, handler).finally(removeListener);
  }

  /** Position up to which the log has been read, matching events or not (≥ position with a filter). */
  get scannedTo(): number {
    return Math.max(this.#position, this.#scanned);
  }

  get position(): number {
    return this.#position;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake();
    await this.done;
  }

  #wake(): void {
    this.#pending = true;
    this.#wakeUp?.();
  }

  async #run(source: PollingSource, options: SubscribeOptions, handler: SubscriptionHandler): Promise<void> {
    const batchSize = options.batchSize ?? 1000;
    let caughtUp = false;
    try {
      while (!this.#stopping) {
        this.#pending = false;
        const headBefore = await source.head();
        // From the last event delivered, or from the head seen by the last short page if further: with a filter, the
        // log between them holds no matching event, and re-reading it on every poll would scan it again and again
        // (a projection whose events are rare would scan the whole log each second). Appends are serialised, so
        // nothing can appear below a head already seen.
        const events = await source.read(Math.max(this.#position, this.#scanned), batchSize);
        if (events.length > 0) {
          await handler(events);
          this.#position = events[events.length - 1]!.position;
        }
        if (events.length === batchSize) {
          // Let the event loop turn between pages: an in-process database (PGlite) answers without waiting on a
          // socket, and a catch-up chained in microtasks would starve timers and HTTP until it ended.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        // A short page: everything up to the head seen before the read has been read.
        this.#scanned = Math.max(this.#scanned, headBefore);
        if (!caughtUp) {
          caughtUp = true;
          // With a filter the last matching event may sit far below the head: report the head we know of.
          options.onCaughtUp?.(this.scannedTo);
        }
        if (this.#pending || this.#stopping) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, source.pollIntervalMs);
          this.#wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wakeUp = undefined;
      }
    } catch (error) {
      if (options.onError) options.onError(error);
      else throw error;
    }
  }
}
