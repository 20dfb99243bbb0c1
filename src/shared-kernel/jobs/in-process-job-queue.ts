/**
 * In-process adapter of the jobs port: the embedded, single-process default (no Redis). Same semantics as the
 * BullMQ adapter — per-queue concurrency, FIFO, delays, retries with backoff, job-id dedup, repeatable jobs
 * (`everyMs` and 5-field cron in a time zone), graceful close — but nothing survives the process: jobs still
 * waiting when the queue closes are dropped.
 */
import { TZDate } from '@date-fns/tz';
import {
  assertDelay,
  assertJobId,
  assertQueueName,
  assertRepeat,
  backoffDelay,
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

export interface InProcessJobQueueOptions {
  /** Called once when a job fails on its last attempt (or with an unrecoverable error). */
  readonly onFailed?: FailedJobListener;
  /** How long `close()` still waits for aborted handlers to settle after the grace period (default 1 s). */
  readonly abortGraceMs?: number;
  /** Ids of finished jobs remembered for `jobId` dedup, like BullMQ's `removeOnComplete`/`removeOnFail` counts. */
  readonly keepCompleted?: number;
  readonly keepFailed?: number;
}

interface PendingJob {
  readonly id: string;
  readonly queue: string;
  readonly name: string;
  readonly json: string;
  /** Attempts made so far (failed runs). */
  attemptsMade: number;
  /** The schedule that produced this job, and the time it fired for. */
  readonly scheduleKey?: string;
  readonly firedAt?: number;
  timer?: NodeJS.Timeout;
  state: 'waiting' | 'delayed' | 'active';
}

interface QueueState {
  readonly name: string;
  readonly definitions: Map<string, ResolvedJobDefinition>;
  concurrency: number;
  readonly waiting: PendingJob[];
  readonly delayed: Set<PendingJob>;
  readonly active: Set<PendingJob>;
  completed: number;
  failed: number;
}

interface ScheduleState {
  readonly key: string;
  readonly queue: string;
  readonly name: string;
  readonly json: string;
  readonly repeat: Repeat;
  readonly cron?: CronSchedule;
  nextAt: number;
  timer?: NodeJS.Timeout;
  /** The job it produced that has not started yet. */
  pending?: PendingJob;
}

export class InProcessJobQueue implements JobQueue {
  readonly name = 'in-process' as const;
  private readonly onFailed: FailedJobListener | undefined;
  private readonly abortGraceMs: number;
  private readonly queues = new Map<string, QueueState>();
  private readonly jobs = new Map<string, PendingJob>();
  private readonly finished: { readonly completed: Set<string>; readonly failed: Set<string> } = { completed: new Set(), failed: new Set() };
  private readonly keep: { readonly completed: number; readonly failed: number };
  private readonly schedules = new Map<string, ScheduleState>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private nextId = 1;
  private started = false;
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(options: InProcessJobQueueOptions = {}) {
    this.onFailed = options.onFailed;
    this.abortGraceMs = options.abortGraceMs ?? 1_000;
    this.keep = { completed: options.keepCompleted ?? 1_000, failed: options.keepFailed ?? 5_000 };
  }

  register<T>(definition: JobDefinition<T>): void {
    if (this.started || this.closing) throw new Error('register() must be called before start()');
    const resolved = resolveDefinition(definition);
    let queue = this.queues.get(resolved.queue);
    if (!queue) {
      queue = { name: resolved.queue, definitions: new Map(), concurrency: 1, waiting: [], delayed: new Set(), active: new Set(), completed: 0, failed: 0 };
      this.queues.set(resolved.queue, queue);
    }
    if (queue.definitions.has(resolved.name)) throw new Error(`job ${resolved.queue}/${resolved.name} is already registered`);
    queue.definitions.set(resolved.name, resolved);
    queue.concurrency = Math.max(...[...queue.definitions.values()].map((d) => d.concurrency));
  }

  async enqueue<T>(queue: string, name: string, data: T, options: EnqueueOptions = {}): Promise<string> {
    this.assertOpen();
    const state = this.registered(queue, name);
    if (options.jobId !== undefined) assertJobId(options.jobId);
    assertDelay(options.delayMs);
    const json = serializeJobData(data);
    const id = options.jobId ?? String(this.nextId++);
    if (this.isKnown(id)) return id;
    this.add(state, { id, queue, name, json, attemptsMade: 0, state: 'waiting' }, options.delayMs ?? 0);
    return id;
  }

  async schedule<T>(queue: string, name: string, data: T, repeat: Repeat, key: string): Promise<void> {
    this.assertOpen();
    this.registered(queue, name);
    assertJobId(key, 'schedule key');
    assertRepeat(repeat);
    const cron = 'cron' in repeat ? parseCron(repeat.cron, repeat.tz) : undefined;
    const json = serializeJobData(data);
    const now = Date.now();
    const nextAt = cron ? nextCronTime(cron, now) : now;
    this.dropSchedule(queue, key);
    const schedule: ScheduleState = { key, queue, name, json, repeat, nextAt, ...(cron ? { cron } : {}) };
    this.schedules.set(scheduleId(queue, key), schedule);
    if (this.started) this.arm(schedule);
  }

  async unschedule(queue: string, key: string): Promise<void> {
    this.assertOpen();
    assertQueueName(queue);
    this.dropSchedule(queue, key);
  }

  async start(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.started = true;
    for (const schedule of this.schedules.values()) this.arm(schedule);
    for (const queue of this.queues.values()) this.pump(queue);
  }

  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed ??= this.shutdown(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closed;
  }

  async health(): Promise<{ ok: boolean; detail?: unknown }> {
    return { ok: true, detail: { adapter: 'in-process', closed: this.closing } };
  }

  async stats(): Promise<readonly QueueStats[]> {
    // A schedule's next occurrence counts as a job, as BullMQ stores it as one (delayed, or waiting when due).
    const now = Date.now();
    const planned = new Map<string, { waiting: number; delayed: number }>();
    for (const schedule of this.schedules.values()) {
      if (schedule.pending || this.closing) continue;
      const counts = planned.get(schedule.queue) ?? { waiting: 0, delayed: 0 };
      if (schedule.nextAt <= now) counts.waiting++;
      else counts.delayed++;
      planned.set(schedule.queue, counts);
    }
    return [...this.queues.values()].map((q) => ({
      queue: q.name,
      counts: {
        waiting: q.waiting.length + (planned.get(q.name)?.waiting ?? 0),
        active: q.active.size,
        delayed: q.delayed.size + (planned.get(q.name)?.delayed ?? 0),
        completed: q.completed,
        failed: q.failed,
      },
    }));
  }

  // -------------------------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closing) throw new Error('the job queue is closed');
  }

  private registered(queue: string, name: string): QueueState {
    assertQueueName(queue);
    const state = this.queues.get(queue);
    if (!state?.definitions.has(name)) throw new Error(`no job ${JSON.stringify(name)} is registered on queue ${JSON.stringify(queue)}`);
    return state;
  }

  private isKnown(id: string): boolean {
    return this.jobs.has(id) || this.finished.completed.has(id) || this.finished.failed.has(id);
  }

  private add(queue: QueueState, job: PendingJob, delayMs: number): void {
    this.jobs.set(job.id, job);
    if (delayMs > 0) this.delay(queue, job, delayMs);
    else this.makeWaiting(queue, job);
  }

  private delay(queue: QueueState, job: PendingJob, delayMs: number): void {
    job.state = 'delayed';
    queue.delayed.add(job);
    const dueAt = Date.now() + delayMs;
    const wake = () => {
      const wait = dueAt - Date.now();
      if (wait > MAX_TIMER_MS) {
        job.timer = setTimeout(wake, MAX_TIMER_MS);
        return;
      }
      job.timer = setTimeout(() => {
        job.timer = undefined;
        queue.delayed.delete(job);
        this.makeWaiting(queue, job);
      }, Math.max(0, wait));
    };
    wake();
  }

  private makeWaiting(queue: QueueState, job: PendingJob): void {
    job.state = 'waiting';
    queue.waiting.push(job);
    this.pump(queue);
  }

  private pump(queue: QueueState): void {
    while (this.started && !this.closing && queue.active.size < queue.concurrency && queue.waiting.length > 0) {
      const job = queue.waiting.shift()!;
      const run = this.run(queue, job);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
  }

  private async run(queue: QueueState, job: PendingJob): Promise<void> {
    job.state = 'active';
    queue.active.add(job);
    if (job.scheduleKey !== undefined) this.onScheduledJobStarted(job);
    const definition = queue.definitions.get(job.name);
    const context: JobContext = { jobId: job.id, queue: job.queue, name: job.name, attempt: job.attemptsMade + 1, signal: this.abort.signal };
    let failure: { error: unknown } | undefined;
    try {
      if (!definition) throw new Error(`no handler is registered for job ${JSON.stringify(job.name)} on queue ${JSON.stringify(job.queue)}`);
      await definition.handler(JSON.parse(job.json), context);
    } catch (error) {
      failure = { error };
    }
    queue.active.delete(job);
    if (!failure) {
      queue.completed++;
      this.finish(job, 'completed');
    } else {
      job.attemptsMade++;
      const attempts = definition?.attempts ?? 1;
      if (job.attemptsMade < attempts && definition) {
        // A retry: dropped when the queue is closing (nothing survives the process).
        if (this.closing) this.jobs.delete(job.id);
        else this.delay(queue, job, backoffDelay(definition.backoff, job.attemptsMade));
      } else {
        queue.failed++;
        this.finish(job, 'failed');
        try {
          this.onFailed?.(job.queue, { id: job.id, name: job.name }, failure.error);
        } catch {
          // a listener's failure must not break the queue
        }
      }
    }
    this.pump(queue);
  }

  private finish(job: PendingJob, outcome: 'completed' | 'failed'): void {
    this.jobs.delete(job.id);
    const ids = this.finished[outcome];
    ids.add(job.id);
    if (ids.size > this.keep[outcome]) ids.delete(ids.values().next().value!);
  }

  // ----- repeatable jobs: like BullMQ's job schedulers, a schedule has at most one job not yet started; the next
  // ----- occurrence is planned when that job starts.

  private arm(schedule: ScheduleState): void {
    clearTimeout(schedule.timer);
    const wait = schedule.nextAt - Date.now();
    schedule.timer = wait > MAX_TIMER_MS ? setTimeout(() => this.arm(schedule), MAX_TIMER_MS) : setTimeout(() => this.fire(schedule), Math.max(0, wait));
  }

  private fire(schedule: ScheduleState): void {
    schedule.timer = undefined;
    const queue = this.queues.get(schedule.queue);
    if (!queue || this.closing) return;
    const id = `repeat:${schedule.key}:${schedule.nextAt}`;
    if (this.isKnown(id)) {
      this.planNext(schedule, schedule.nextAt);
      return;
    }
    const job: PendingJob = {
      id,
      queue: schedule.queue,
      name: schedule.name,
      json: schedule.json,
      attemptsMade: 0,
      scheduleKey: schedule.key,
      firedAt: schedule.nextAt,
      state: 'waiting',
    };
    schedule.pending = job;
    this.add(queue, job, 0);
  }

  private onScheduledJobStarted(job: PendingJob): void {
    const schedule = this.schedules.get(scheduleId(job.queue, job.scheduleKey!));
    if (!schedule || schedule.pending !== job) return;
    schedule.pending = undefined;
    this.planNext(schedule, job.firedAt!);
  }

  private planNext(schedule: ScheduleState, firedAt: number): void {
    const now = Date.now();
    if (schedule.cron) {
      schedule.nextAt = nextCronTime(schedule.cron, Math.max(now, firedAt));
    } else {
      const every = (schedule.repeat as { everyMs: number }).everyMs;
      schedule.nextAt = Math.max(firedAt + every, now);
    }
    if (this.started && !this.closing) this.arm(schedule);
  }

  private dropSchedule(queue: string, key: string): void {
    const id = scheduleId(queue, key);
    const schedule = this.schedules.get(id);
    if (!schedule) return;
    clearTimeout(schedule.timer);
    this.schedules.delete(id);
    const pending = schedule.pending;
    if (pending && pending.state !== 'active') {
      const state = this.queues.get(queue)!;
      clearTimeout(pending.timer);
      state.delayed.delete(pending);
      const index = state.waiting.indexOf(pending);
      if (index >= 0) state.waiting.splice(index, 1);
      this.jobs.delete(pending.id);
    }
  }

  // ----- shutdown

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    for (const schedule of this.schedules.values()) clearTimeout(schedule.timer);
    for (const queue of this.queues.values()) {
      for (const job of queue.delayed) clearTimeout(job.timer);
    }
    const inFlight = Promise.allSettled([...this.running]);
    if (!(await settlesWithin(inFlight, timeoutMs))) {
      this.abort.abort(new Error('the job queue is closing: the grace period is over'));
      await settlesWithin(inFlight, this.abortGraceMs);
    }
    for (const queue of this.queues.values()) {
      queue.waiting.length = 0;
      queue.delayed.clear();
    }
    this.jobs.clear();
  }
}

const scheduleId = (queue: string, key: string) => `${queue}\u0000${key}`;
/** setTimeout fires at once beyond 2^31-1 ms (~24.8 days): longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves true when `promise` settles within `ms`, false otherwise; leaves no timer behind. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A small 5-field cron (minute hour day-of-month month day-of-week), minute granularity, evaluated in a time zone.
// Supports `*`, numbers, names (JAN-DEC, SUN-SAT), ranges `a-b`, steps `*/n`, `a-b/n`, `a/n`, lists `x,y`; day of week
// 0-7 (0 and 7 are Sunday). Like Vixie cron, when both day fields are restricted a day matches either of them.
// ---------------------------------------------------------------------------------------------------------------

export interface CronSchedule {
  readonly expression: string;
  readonly tz: string;
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly daysOfMonth: readonly boolean[];
  readonly months: readonly boolean[];
  readonly daysOfWeek: readonly boolean[];
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseCronField(text: string, field: string, min: number, max: number, names?: readonly string[], nameBase = 0): boolean[] {
  const allowed = new Array<boolean>(max + 1).fill(false);
  const fail = (why: string): never => {
    throw new SyntaxError(`invalid cron ${field} field ${JSON.stringify(text)}: ${why}`);
  };
  const value = (token: string): number => {
    const index = names?.indexOf(token.toUpperCase()) ?? -1;
    if (index >= 0) return index + nameBase;
    if (!/^\d+$/.test(token)) fail(`${JSON.stringify(token)} is not a number`);
    const n = Number(token);
    if (n < min || n > max) fail(`${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const match = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!match) fail(`cannot read ${JSON.stringify(part)}`);
    const [, range, stepText] = match!;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail('a step must be >= 1');
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range!.includes('-')) {
      const [a, b, ...rest] = range!.split('-');
      if (rest.length > 0 || !a || !b) fail(`cannot read ${JSON.stringify(range)}`);
      from = value(a!);
      to = value(b!);
      if (from > to) fail(`${from}-${to} is an empty range`);
    } else {
      from = value(range!);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) allowed[n] = true;
  }
  return allowed;
}

/** Parses a 5-field cron expression evaluated in `tz` (default: the system time zone). Throws on invalid input. */
export function parseCron(expression: string, tz?: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new SyntaxError(`invalid cron ${JSON.stringify(expression)}: expected 5 fields (minute hour day month weekday)`);
  const zone = tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new RangeError(`invalid time zone ${JSON.stringify(zone)}`);
  }
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const daysOfWeek = parseCronField(dow, 'day-of-week', 0, 7, DAY_NAMES);
  if (daysOfWeek[7]) daysOfWeek[0] = true;
  const schedule: CronSchedule = {
    expression,
    tz: zone,
    minutes: parseCronField(minute, 'minute', 0, 59),
    hours: parseCronField(hour, 'hour', 0, 23),
    daysOfMonth: parseCronField(dom, 'day-of-month', 1, 31),
    months: parseCronField(month, 'month', 1, 12, MONTH_NAMES, 1),
    daysOfWeek,
    dayOfMonthRestricted: !dom.startsWith('*'),
    dayOfWeekRestricted: !dow.startsWith('*'),
  };
  // Only a day of month restricted alone can never match (e.g. 30 February): refuse it up front.
  const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const possible = schedule.months.some((ok, m) => ok && schedule.daysOfMonth.some((dayOk, d) => dayOk && d <= MAX_DAYS[m]!));
  if (schedule.dayOfMonthRestricted && !schedule.dayOfWeekRestricted && !possible) {
    throw new RangeError(`cron ${JSON.stringify(expression)} never matches`);
  }
  return schedule;
}

/** The first minute strictly after `afterMs` that matches the schedule, as a timestamp. */
export function nextCronTime(schedule: CronSchedule, afterMs: number): number {
  const MINUTE = 60_000;
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  for (let i = 0; i < 100_000; i++) {
    const d = new TZDate(t, schedule.tz);
    const next = (candidate: number) => Math.max(candidate, t + MINUTE);
    if (!schedule.months[d.getMonth() + 1]) {
      t = next(new TZDate(d.getFullYear(), d.getMonth() + 1, 1, 0, 0, schedule.tz).getTime());
      continue;
    }
    const domOk = schedule.daysOfMonth[d.getDate()]!;
    const dowOk = schedule.daysOfWeek[d.getDay()]!;
    const dayOk =
      schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted
        ? domOk || dowOk
        : schedule.dayOfMonthRestricted
          ? domOk
          : schedule.dayOfWeekRestricted
            ? dowOk
            : true;
    if (!dayOk) {
      t = next(new TZDate(d.getFullYear(), d.getMonth(), d.getDate() + 1, 0, 0, schedule.tz).getTime());
      continue;
    }
    if (!schedule.hours[d.getHours()]) {
      t = next(t + (60 - d.getMinutes()) * MINUTE);
      continue;
    }
    if (!schedule.minutes[d.getMinutes()]) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  throw new RangeError(`cron ${JSON.stringify(schedule.expression)} never matches`);
}
