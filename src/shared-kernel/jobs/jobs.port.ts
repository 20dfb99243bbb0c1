/**
 * Jobs port: background work with retries and repeatable schedules.
 * Two adapters run the same handlers: BullMQ on Redis (`REDIS_URL`) and an in-process runner (embedded default);
 * both pass tests/contracts/job-queue.contract.ts. Delivery is at least once: a handler must be idempotent (a job
 * can run again after a crash, a lost lock or an aborted shutdown).
 */

export interface JobContext {
  readonly jobId: string;
  readonly queue: string;
  readonly name: string;
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  /** Aborted when the queue is closing and the grace period is over: stop soon (throwing is fine). */
  readonly signal: AbortSignal;
}

export type JobHandler<T> = (data: T, context: JobContext) => Promise<void>;

export interface Backoff {
  readonly type: 'fixed' | 'exponential';
  /** Delay before the first retry; doubles at each retry when exponential. */
  readonly delayMs: number;
}

export interface JobDefinition<T = unknown> {
  /** Queue name, `<module>.<purpose>`: lower-case letters, digits, dot, dash, starting with a letter (no `:`). */
  readonly queue: string;
  /** Job name within the queue: a letter, then letters, digits, dot, dash, underscore. */
  readonly name: string;
  readonly handler: JobHandler<T>;
  /** Total attempts including the first (default 3). */
  readonly attempts?: number;
  /** Delay between attempts (default exponential from 1 s). */
  readonly backoff?: Backoff;
  /** Parallel jobs of this queue per process (default 1); a queue runs at the largest value of its definitions. */
  readonly concurrency?: number;
}

export interface EnqueueOptions {
  /**
   * A job id: enqueueing twice with the same id adds the job once, as long as the job is known (waiting, delayed,
   * active, or among the last 1000 completed / 5000 failed). Letters, digits, `._~@=+-`; not only digits, no `:`.
   */
  readonly jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  readonly delayMs?: number;
}

/**
 * `everyMs`: first run at once, then every `everyMs` from the previous planned run.
 * `cron`: 5 fields (minute hour day-of-month month day-of-week; `*`, lists, ranges, steps, JAN-DEC, SUN-SAT), minute
 * granularity, in the IANA time zone `tz` (default: the scheduling process's zone).
 * A schedule has at most one occurrence waiting: the next one is planned when the current one starts.
 */
export type Repeat = { readonly everyMs: number } | { readonly cron: string; readonly tz?: string };

/** `completed` / `failed`: the finished jobs BullMQ keeps (last 1000 / 5000); counters since start in-process. */
export interface QueueStats {
  readonly queue: string;
  readonly counts: Readonly<Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>>;
}

/** Called once per job that failed on its last attempt (or with an unrecoverable error), by the process that ran it. */
export type FailedJobListener = (queue: string, job: { id?: string; name?: string }, error: unknown) => void;

export interface JobQueue {
  readonly name: 'bullmq' | 'in-process';
  /** Declares a handler; must happen before `start()`. A job must be registered to be enqueued or scheduled. */
  register<T>(definition: JobDefinition<T>): void;
  /**
   * Adds one job; returns its id. Data must be plain JSON (objects, arrays, strings, finite numbers, booleans, null):
   * anything else (function, BigInt, Date, Map, cycle…) is refused with a TypeError. Handlers get a copy.
   */
  enqueue<T>(queue: string, name: string, data: T, options?: EnqueueOptions): Promise<string>;
  /** Adds (or replaces, by `key` within the queue) a repeatable job. */
  schedule<T>(queue: string, name: string, data: T, repeat: Repeat, key: string): Promise<void>;
  /** Removes a repeatable job by `key`. */
  unschedule(queue: string, key: string): Promise<void>;
  /** Starts processing registered queues. */
  start(): Promise<void>;
  /**
   * Stops taking new jobs, waits for in-flight jobs up to `timeoutMs` (default 10 s), then aborts their signal, waits
   * a short grace for them to settle, and closes. Idempotent. Enqueueing after `close()` is refused.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: unknown }>;
  stats(): Promise<readonly QueueStats[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules shared by every adapter, so that both refuse exactly the same input.
// ---------------------------------------------------------------------------------------------------------------

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF: Backoff = { type: 'exponential', delayMs: 1_000 };
export const DEFAULT_CONCURRENCY = 1;
/** Default grace period of `close()`. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** Queue names: lower-case letters, digits, dot and dash, starting with a letter (BullMQ forbids `:`). */
export const QUEUE_NAME_PATTERN = /^[a-z][a-z0-9.-]*$/;
/** Job names: a letter then letters, digits, dot, dash, underscore. */
export const JOB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]*$/;
/** Job ids and schedule keys: no `:` (BullMQ reserves it) and not only digits (generated ids are integers). */
export const JOB_ID_PATTERN = /^(?!\d+$)[A-Za-z0-9._~@=+-]{1,200}$/;

/** A definition with its defaults applied, validated. */
export interface ResolvedJobDefinition {
  readonly queue: string;
  readonly name: string;
  readonly handler: JobHandler<unknown>;
  readonly attempts: number;
  readonly backoff: Backoff;
  readonly concurrency: number;
}

const isPositiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

export function assertQueueName(queue: string): void {
  if (typeof queue !== 'string' || !QUEUE_NAME_PATTERN.test(queue)) {
    throw new TypeError(`invalid queue name ${JSON.stringify(queue)}: expected ${QUEUE_NAME_PATTERN} (e.g. "billing.invoices")`);
  }
}

export function assertJobName(name: string): void {
  if (typeof name !== 'string' || !JOB_NAME_PATTERN.test(name)) {
    throw new TypeError(`invalid job name ${JSON.stringify(name)}: expected ${JOB_NAME_PATTERN}`);
  }
}

export function assertJobId(id: string, what = 'job id'): void {
  if (typeof id !== 'string' || !JOB_ID_PATTERN.test(id)) {
    throw new TypeError(`invalid ${what} ${JSON.stringify(id)}: 1-200 of letters, digits, . _ ~ @ = + -, not only digits`);
  }
}

/** Validates a definition and applies the defaults (3 attempts, exponential backoff from 1 s, concurrency 1). */
export function resolveDefinition<T>(definition: JobDefinition<T>): ResolvedJobDefinition {
  assertQueueName(definition.queue);
  assertJobName(definition.name);
  if (typeof definition.handler !== 'function') throw new TypeError(`job ${definition.queue}/${definition.name}: handler is not a function`);
  const attempts = definition.attempts ?? DEFAULT_ATTEMPTS;
  if (!isPositiveInteger(attempts)) throw new RangeError(`job ${definition.queue}/${definition.name}: attempts must be an integer >= 1`);
  const concurrency = definition.concurrency ?? DEFAULT_CONCURRENCY;
  if (!isPositiveInteger(concurrency)) throw new RangeError(`job ${definition.queue}/${definition.name}: concurrency must be an integer >= 1`);
  const backoff = definition.backoff ?? DEFAULT_BACKOFF;
  if ((backoff.type !== 'fixed' && backoff.type !== 'exponential') || !Number.isInteger(backoff.delayMs) || backoff.delayMs < 0) {
    throw new RangeError(`job ${definition.queue}/${definition.name}: backoff must be fixed|exponential with an integer delayMs >= 0`);
  }
  return { queue: definition.queue, name: definition.name, handler: definition.handler as JobHandler<unknown>, attempts, backoff, concurrency };
}

/** Delay before retry number `retry` (1 = the first retry); the same formula as BullMQ's built-in strategies. */
export function backoffDelay(backoff: Backoff, retry: number): number {
  return backoff.type === 'fixed' ? backoff.delayMs : Math.round(2 ** (retry - 1) * backoff.delayMs);
}

export function assertDelay(delayMs: number | undefined): void {
  if (delayMs !== undefined && (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)) {
    throw new RangeError(`invalid delayMs ${String(delayMs)}: expected a finite number >= 0`);
  }
}

/**
 * Serialises job data to JSON, refusing what JSON would silently change: functions, symbols, BigInts, non-finite
 * numbers, `undefined` outside object properties, cycles and any object that is not a plain object or an array
 * (Date, Map, class instances…). `undefined` object properties are dropped, as JSON does.
 */
export function serializeJobData(data: unknown): string {
  const ancestors = new Set<object>();
  const check = (value: unknown, path: string, inObject: boolean): void => {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return;
      case 'number':
        if (!Number.isFinite(value)) throw new TypeError(`job data is not JSON-serialisable: ${path} is ${value}`);
        return;
      case 'undefined':
        if (inObject) return;
        throw new TypeError(`job data is not JSON-serialisable: ${path} is undefined`);
      case 'bigint':
      case 'function':
      case 'symbol':
        throw new TypeError(`job data is not JSON-serialisable: ${path} is a ${typeof value}`);
      case 'object': {
        if (value === null) return;
        if (ancestors.has(value)) throw new TypeError(`job data is not JSON-serialisable: ${path} is a cycle`);
        ancestors.add(value);
        if (Array.isArray(value)) {
          value.forEach((item, index) => check(item, `${path}[${index}]`, false));
        } else {
          const proto = Object.getPrototypeOf(value);
          if (proto !== Object.prototype && proto !== null) {
            throw new TypeError(`job data is not JSON-serialisable: ${path} is a ${proto?.constructor?.name ?? 'non-plain object'}`);
          }
          if (Object.getOwnPropertySymbols(value).length > 0) throw new TypeError(`job data is not JSON-serialisable: ${path} has symbol keys`);
          for (const [key, item] of Object.entries(value)) check(item, `${path}.${key}`, true);
        }
        ancestors.delete(value);
        return;
      }
    }
  };
  check(data, 'data', false);
  return JSON.stringify(data);
}

/** Validates a repeat option (the cron syntax itself is checked by the adapter's cron parser). */
export function assertRepeat(repeat: Repeat): void {
  if ('everyMs' in repeat) {
    if (!isPositiveInteger(repeat.everyMs)) throw new RangeError(`invalid everyMs ${String(repeat.everyMs)}: expected an integer >= 1`);
    return;
  }
  if (typeof repeat.cron !== 'string') throw new TypeError('repeat needs everyMs or cron');
  if (repeat.tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: repeat.tz });
    } catch {
      throw new RangeError(`invalid time zone ${JSON.stringify(repeat.tz)}`);
    }
  }
}
