/**
 * BullMQ adapter of the jobs port (Redis, `REDIS_URL`): durable jobs shared by every process of the platform.
 *
 * - one BullMQ `Queue` per queue name (all on one shared Redis connection) and, from `start()`, one `Worker` per
 *   registered queue with the largest concurrency of its definitions; the worker dispatches by job name;
 * - attempts and backoff come from the job's definition; finished jobs are kept for dedup and inspection
 *   (the last 1000 completed, 5000 failed);
 * - repeatable jobs are BullMQ job schedulers keyed by the schedule key;
 * - `close()`: the workers stop taking jobs at once (a job fetched meanwhile goes back to `wait` untouched); the
 *   in-flight handlers get `timeoutMs` to finish, then their `signal` is aborted and, if they still do not settle
 *   within `abortGraceMs`, the workers are closed by force (BullMQ's stalled-job check gives those jobs to another
 *   process once their lock expires).
 */
import { Queue, UnrecoverableError, WaitingError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { parseCron, settlesWithin } from './in-process-job-queue.ts';
import {
  assertDelay,
  assertJobId,
  assertQueueName,
  assertRepeat,
  DEFAULT_CLOSE_TIMEOUT_MS,
  resolveDefinition,
  serializeJobData,
  type EnqueueOptions,
  type FailedJobListener,
  type JobContext,
  type JobDefinition,
  type JobQueue,
  type QueueStats,
  type Repeat,
  type ResolvedJobDefinition,
} from './jobs.port.ts';

export interface BullMqJobQueueOptions {
  readonly redisUrl: string;
  /** Called once when a job fails on its last attempt (or with an unrecoverable error), in the process that ran it. */
  readonly onFailed?: FailedJobListener;
  /** Prefix of every Redis key (default `sas`): lets several platforms, or tests, share one Redis. */
  readonly prefix?: string;
  /** Connection and internal errors of BullMQ (default: `console.error`); ignored once closing. */
  readonly onError?: (error: unknown) => void;
  /** How long `close()` still waits for aborted handlers to settle before closing by force (default 1 s). */
  readonly abortGraceMs?: number;
  /** Timeout of the health check's PING (default 2 s). */
  readonly healthTimeoutMs?: number;
}

const KEEP = { removeOnComplete: { count: 1_000 }, removeOnFail: { count: 5_000 } } as const;

export class BullMqJobQueue implements JobQueue {
  readonly name = 'bullmq' as const;
  private readonly prefix: string;
  private readonly onFailed: FailedJobListener | undefined;
  private readonly onError: (error: unknown) => void;
  private readonly abortGraceMs: number;
  private readonly healthTimeoutMs: number;
  /** Shared by the queues, health and stats: fails commands after ioredis' retries when Redis is down. */
  private readonly connection: Redis;
  /** Never connects: the workers duplicate it (BullMQ wants `maxRetriesPerRequest: null` for workers). */
  private readonly workerConnection: Redis;
  private readonly definitions = new Map<string, Map<string, ResolvedJobDefinition>>();
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private started = false;
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(options: BullMqJobQueueOptions) {
    this.prefix = options.prefix ?? 'sas';
    this.onFailed = options.onFailed;
    this.onError = options.onError ?? ((error) => console.error('[jobs:bullmq]', error));
    this.abortGraceMs = options.abortGraceMs ?? 1_000;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 2_000;
    this.connection = new Redis(options.redisUrl, { connectionName: `${this.prefix}:jobs` });
    this.connection.on('error', (error) => this.reportError(error));
    this.workerConnection = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    this.workerConnection.on('error', (error) => this.reportError(error));
  }

  register<T>(definition: JobDefinition<T>): void {
    if (this.started || this.closing) throw new Error('register() must be called before start()');
    const resolved = resolveDefinition(definition);
    let byName = this.definitions.get(resolved.queue);
    if (!byName) {
      byName = new Map();
      this.definitions.set(resolved.queue, byName);
    }
    if (byName.has(resolved.name)) throw new Error(`job ${resolved.queue}/${resolved.name} is already registered`);
    byName.set(resolved.name, resolved);
  }

  async enqueue<T>(queue: string, name: string, data: T, options: EnqueueOptions = {}): Promise<string> {
    this.assertOpen();
    const definition = this.registered(queue, name);
    if (options.jobId !== undefined) assertJobId(options.jobId);
    assertDelay(options.delayMs);
    const payload: unknown = JSON.parse(serializeJobData(data));
    const job = await this.queue(queue).add(name, payload, {
      ...jobOptions(definition),
      ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
      ...(options.delayMs ? { delay: options.delayMs } : {}),
    });
    return job.id!;
  }

  async schedule<T>(queue: string, name: string, data: T, repeat: Repeat, key: string): Promise<void> {
    this.assertOpen();
    const definition = this.registered(queue, name);
    assertJobId(key, 'schedule key');
    assertRepeat(repeat);
    // The same cron subset as the in-process adapter; the time zone is fixed here, not by whichever worker runs it.
    const when = 'everyMs' in repeat ? { every: repeat.everyMs } : { pattern: repeat.cron, tz: parseCron(repeat.cron, repeat.tz).tz };
    const payload: unknown = JSON.parse(serializeJobData(data));
    await this.queue(queue).upsertJobScheduler(key, when, { name, data: payload, opts: jobOptions(definition) });
  }

  async unschedule(queue: string, key: string): Promise<void> {
    this.assertOpen();
    assertQueueName(queue);
    await this.queue(queue).removeJobScheduler(key);
  }

  async start(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.started = true;
    for (const [queueName, byName] of this.definitions) {
      const concurrency = Math.max(...[...byName.values()].map((d) => d.concurrency));
      const worker = new Worker(queueName, (job: Job, token?: string, signal?: AbortSignal) => this.process(queueName, job, token, signal), {
        connection: this.workerConnection,
        prefix: this.prefix,
        concurrency,
      });
      worker.on('error', (error) => this.reportError(error));
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1) || error?.name === 'UnrecoverableError';
        if (!final) return;
        try {
          this.onFailed?.(queueName, { id: job.id, name: job.name }, error);
        } catch {
          // a listener's failure must not break the worker
        }
      });
      this.workers.set(queueName, worker);
    }
  }

  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed ??= this.shutdown(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closed;
  }

  async health(): Promise<{ ok: boolean; detail?: unknown }> {
    if (this.closing) return { ok: false, detail: 'closed' };
    const ping = this.connection.ping();
    ping.catch(() => undefined);
    try {
      if (!(await settlesWithin(ping, this.healthTimeoutMs))) return { ok: false, detail: `redis: no PING reply within ${this.healthTimeoutMs} ms` };
      const reply = await ping;
      return { ok: reply === 'PONG', detail: { redis: reply } };
    } catch (error) {
      return { ok: false, detail: `redis: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async stats(): Promise<readonly QueueStats[]> {
    return Promise.all(
      [...this.definitions.keys()].map(async (name) => {
        const c = await this.queue(name).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
        const n = (state: string) => c[state] ?? 0;
        return {
          queue: name,
          counts: {
            waiting: n('waiting') + n('prioritized'),
            active: n('active'),
            delayed: n('delayed'),
            completed: n('completed'),
            failed: n('failed'),
          },
        };
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closing) throw new Error('the job queue is closed');
  }

  private registered(queue: string, name: string): ResolvedJobDefinition {
    assertQueueName(queue);
    const definition = this.definitions.get(queue)?.get(name);
    if (!definition) throw new Error(`no job ${JSON.stringify(name)} is registered on queue ${JSON.stringify(queue)}`);
    return definition;
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', (error) => this.reportError(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private reportError(error: unknown): void {
    if (!this.closing) this.onError(error);
  }

  private async process(queueName: string, job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.closing) {
      // Fetched while closing: give it back untouched (no attempt used) for another process or the next start.
      if (token) await job.moveToWait(token);
      throw new WaitingError();
    }
    const definition = this.definitions.get(queueName)?.get(job.name);
    if (!definition) throw new UnrecoverableError(`no handler is registered for job ${JSON.stringify(job.name)} on queue ${JSON.stringify(queueName)}`);
    const context: JobContext = {
      jobId: job.id!,
      queue: queueName,
      name: job.name,
      attempt: job.attemptsMade + 1,
      signal: signal ? AbortSignal.any([this.abort.signal, signal]) : this.abort.signal,
    };
    const run = (async () => definition.handler(job.data, context))();
    this.running.add(run);
    try {
      await run;
    } finally {
      this.running.delete(run);
    }
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    const workers = [...this.workers.values()];
    // Stop fetching now (BullMQ's close() would do it too, but could then no longer be forced).
    await Promise.allSettled(workers.map((worker) => worker.pause(true)));
    const inFlight = () => Promise.allSettled([...this.running]);
    let force = false;
    if (!(await settlesWithin(inFlight(), timeoutMs))) {
      this.abort.abort(new Error('the job queue is closing: the grace period is over'));
      force = !(await settlesWithin(inFlight(), this.abortGraceMs));
    }
    await Promise.allSettled(workers.map((worker) => worker.close(force)));
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    await Promise.allSettled([quit(this.connection), quit(this.workerConnection)]);
  }
}

function jobOptions(definition: ResolvedJobDefinition): JobsOptions {
  return {
    attempts: definition.attempts,
    backoff: { type: definition.backoff.type, delay: definition.backoff.delayMs },
    ...KEEP,
  };
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    // QUIT lets pending replies arrive; a Redis that stops answering must not hold the shutdown.
    const quitting = connection.quit().catch(() => undefined);
    if (await settlesWithin(quitting, 1_000)) return;
  }
  // Not connected (lazy, connecting or reconnecting): QUIT would wait in the offline queue for ever.
  connection.disconnect();
}
