/**
 * Jobs port: background work with retries and repeatable schedules.
 * Two adapters run the same handlers: BullMQ on Redis (`REDIS_URL`) and an in-process runner (embedded default).
 */

export interface JobContext {
  readonly jobId: string;
  readonly queue: string;
  readonly name: string;
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  /** Aborted when the queue is closing and the grace period is over. */
  readonly signal: AbortSignal;
}

export type JobHandler<T> = (data: T, context: JobContext) => Promise<void>;

export interface Backoff {
  readonly type: 'fixed' | 'exponential';
  /** Delay before the first retry; doubles at each retry when exponential. */
  readonly delayMs: number;
}

export interface JobDefinition<T = unknown> {
  /** Queue name, `<module>.<purpose>` (letters, digits, dot, dash). */
  readonly queue: string;
  /** Job name within the queue. */
  readonly name: string;
  readonly handler: JobHandler<T>;
  /** Total attempts including the first (default 3). */
  readonly attempts?: number;
  readonly backoff?: Backoff;
  /** Parallel jobs of this queue per worker (default 1). */
  readonly concurrency?: number;
}

export interface EnqueueOptions {
  /** A job id: enqueueing twice with the same id adds the job once. */
  readonly jobId?: string;
  readonly delayMs?: number;
}

export type Repeat = { readonly everyMs: number } | { readonly cron: string; readonly tz?: string };

export interface QueueStats {
  readonly queue: string;
  readonly counts: Readonly<Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>>;
}

export type FailedJobListener = (queue: string, job: { id?: string; name?: string }, error: unknown) => void;

export interface JobQueue {
  readonly name: 'bullmq' | 'in-process';
  /** Declares a handler; must happen before `start()`. */
  register<T>(definition: JobDefinition<T>): void;
  /** Adds one job; returns its id. Data must be JSON-serialisable. */
  enqueue<T>(queue: string, name: string, data: T, options?: EnqueueOptions): Promise<string>;
  /** Adds (or replaces, by `key`) a repeatable job. */
  schedule<T>(queue: string, name: string, data: T, repeat: Repeat, key: string): Promise<void>;
  /** Removes a repeatable job by `key`. */
  unschedule(queue: string, key: string): Promise<void>;
  /** Starts processing registered queues. */
  start(): Promise<void>;
  /** Stops taking new jobs, waits for in-flight jobs up to `timeoutMs`, then aborts them and closes. */
  close(options?: { timeoutMs?: number }): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: unknown }>;
  stats(): Promise<readonly QueueStats[]>;
}
